import { kernelSuite } from './kernel-suite';

// Needs a WebGPU adapter (Dawn). Without a GPU, SwiftShader's Vulkan driver from Debian's chromium
// package gives one: scripts/test.mjs runs this file with VK_ICD_FILENAMES and LD_LIBRARY_PATH
// pointing at it. CI (CI=true) installs chromium and requires this suite.
kernelSuite('webgpu', { required: process.env.CI === 'true' });
