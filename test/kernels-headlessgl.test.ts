import { kernelSuite } from './kernel-suite';

// headless-gl needs the gl module built and an X display (xvfb-run -a); CI has both and requires it.
kernelSuite('headlessgl', { required: process.env.CI === 'true' });
