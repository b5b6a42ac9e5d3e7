import { kernelSuite } from './kernel-suite';

kernelSuite('webasm', { required: true });
