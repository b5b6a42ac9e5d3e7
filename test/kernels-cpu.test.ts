import { kernelSuite } from './kernel-suite';

kernelSuite('cpu', { required: true });
