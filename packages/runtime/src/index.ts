export { quantizeImage } from './quantize';
