export { type Dataset, DatasetError, itemSize, type LoadOptions, Uint8ImageDataset } from './dataset.js';
export { hashWords, SeededRandom, uniformAt } from './random.js';
export { makeToyDataset, TOY_NAMES, type ToyName } from './toys.js';
export { decodeIdx, type IdxArray, type IdxBytes, type IdxDatasetOptions, idxDataset, parseIdx } from './idx-bytes.js';
