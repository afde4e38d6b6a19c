import { resolve } from 'node:path';
import { type Dataset, DatasetError, type LoadOptions } from './dataset.js';
import { loadFolderDataset } from './folder.js';
import { loadIdxDataset } from './idx.js';
import { FASHION_MNIST_CLASSES, locateNamedDataset, MNIST_CLASSES, type NamedDataset, type Split } from './named.js';
import { makeToyDataset, TOY_NAMES, type ToyName } from './toys.js';

/** A parsed `--data` value. */
export type DatasetSpec =
  | { kind: 'named'; name: NamedDataset; split: Split }
  | { kind: 'idx'; images: string; labels?: string }
  | { kind: 'folder'; dir: string }
  | { kind: 'toy'; name: ToyName };

export const DATASET_SPEC_HELP =
  'fashion-mnist[:test] | mnist[:test] | idx:<images>[,<labels>] | folder:<dir> | toy:s_curve|swiss_roll|moons|gmm';

/** Parses `fashion-mnist`, `mnist`, `idx:<images>[,<labels>]`, `folder:<dir>`, `toy:<name>` (`:test` picks the test split). */
export function parseDatasetSpec(spec: string): DatasetSpec {
  const colon = spec.indexOf(':');
  const head = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  switch (head) {
    case 'fashion-mnist':
    case 'mnist':
      if (rest !== '' && rest !== 'train' && rest !== 'test') {
        throw new DatasetError(`dataset '${spec}': the split must be 'train' or 'test', got '${rest}'`);
      }
      return { kind: 'named', name: head, split: rest === 'test' ? 'test' : 'train' };
    case 'idx': {
      const [images, labels, extra] = rest.split(',');
      if (!images || extra !== undefined) {
        throw new DatasetError(`dataset '${spec}': expected idx:<images>[,<labels>]`);
      }
      return labels ? { kind: 'idx', images, labels } : { kind: 'idx', images };
    }
    case 'folder':
      if (!rest) throw new DatasetError(`dataset '${spec}': expected folder:<dir>`);
      return { kind: 'folder', dir: rest };
    case 'toy':
      if (!(TOY_NAMES as readonly string[]).includes(rest)) {
        throw new DatasetError(`dataset '${spec}': unknown toy '${rest}'; choose one of ${TOY_NAMES.join(', ')}`);
      }
      return { kind: 'toy', name: rest as ToyName };
    default:
      throw new DatasetError(`unknown dataset '${spec}'; expected ${DATASET_SPEC_HELP}`);
  }
}

/** Parses a spec and loads its data into memory. */
export async function loadDataset(spec: string, opts: LoadOptions = {}): Promise<Dataset> {
  const parsed = parseDatasetSpec(spec);
  switch (parsed.kind) {
    case 'named': {
      const { images, labels } = locateNamedDataset(parsed.name, parsed.split);
      const names = parsed.name === 'fashion-mnist' ? FASHION_MNIST_CLASSES : MNIST_CLASSES;
      return loadIdxDataset(spec, images, labels, names);
    }
    case 'idx':
      return loadIdxDataset(spec, resolve(parsed.images), parsed.labels ? resolve(parsed.labels) : undefined, undefined, opts);
    case 'folder':
      return loadFolderDataset(spec, resolve(parsed.dir), opts);
    case 'toy':
      return makeToyDataset(spec, parsed.name, opts.seed ?? 0, opts.toyCount ?? 10000);
  }
}
