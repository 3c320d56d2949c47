// @pq/vision/node: the parts that read the file system (torchvision's ImageFolder).
export { IMAGE_EXTENSIONS, type ImageFolder, imageFolder, loadImageFile } from './data/folder.js';
