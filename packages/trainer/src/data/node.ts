export { decodeImageFile, loadFolderDataset } from './folder.js';
export { loadIdxDataset, readIdx } from './idx.js';
export { FASHION_MNIST_CLASSES, locateNamedDataset, MNIST_CLASSES, namedDatasetDirs } from './named.js';
export { DATASET_SPEC_HELP, type DatasetSpec, loadDataset, parseDatasetSpec } from './spec.js';
