import gpujsPackage from 'gpu.js/package.json';
import toolPackage from '../../package.json';

export const TOOL_VERSION: string = toolPackage.version;
export const GPUJS_VERSION: string = gpujsPackage.version;
