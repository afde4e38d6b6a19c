// What the test suite needs from Debian beyond Node, and how to tell whether it is here. One list for
// scripts/provision-test-deps.mjs (installs what is missing before `pnpm test`) and test/prereqs.ts
// (a test whose prerequisite is missing is skipped with the reason, or fails under CI=true).
//
// ONNX_DDPM_TEST_DEPS_ROOT (default /) is the tree the files are looked up in: tests point it at a
// fake tree to see the "missing" paths without removing anything from this machine.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

const root = process.env.ONNX_DDPM_TEST_DEPS_ROOT || '/';

/** Whether `path` (absolute, under the root above) can be accessed with `mode`. */
function accessible(path, mode = constants.R_OK) {
  try {
    accessSync(join(root, path), mode);
    return true;
  } catch {
    return false;
  }
}

/** Whether the system Python finds module `name` (find_spec: no import, so this stays fast). */
function pythonHas(name) {
  const python = join(root, '/usr/bin/python3');
  const script = 'import importlib.util, sys; sys.exit(importlib.util.find_spec(sys.argv[1]) is None)';
  return spawnSync(python, ['-c', script, name], { stdio: 'ignore' }).status === 0;
}

const FASHION_MNIST_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

/**
 * @typedef {object} TestDep
 * @property {string} name what it is, in words
 * @property {string} apt the Debian package that provides it
 * @property {() => boolean} present looks now (not cached)
 */

/** @type {Record<'pythonOnnx' | 'numpy' | 'fashionMnist' | 'chromium' | 'swiftshader', TestDep>} */
export const TEST_DEPS = {
  pythonOnnx: { name: 'python3 with onnx', apt: 'python3-onnx', present: () => pythonHas('onnx') },
  numpy: { name: 'python3 with NumPy', apt: 'python3-numpy', present: () => pythonHas('numpy') },
  fashionMnist: {
    name: 'Fashion-MNIST in /usr/share/datasets/fashion-mnist',
    apt: 'dataset-fashion-mnist',
    present: () => FASHION_MNIST_FILES.every((f) => accessible(`/usr/share/datasets/fashion-mnist/${f}`)),
  },
  chromium: { name: 'Chromium (/usr/bin/chromium)', apt: 'chromium', present: () => accessible('/usr/bin/chromium', constants.X_OK) },
  swiftshader: {
    name: "Chromium's SwiftShader Vulkan ICD (WebGPU without a GPU)",
    apt: 'chromium',
    present: () => accessible('/usr/lib/chromium/vk_swiftshader_icd.json'),
  },
};

/** The dependencies that are missing now. */
export function missingTestDeps() {
  return Object.values(TEST_DEPS).filter((dep) => !dep.present());
}

/** The Debian packages that provide `deps`, each once. */
export function debianPackages(deps) {
  return [...new Set(deps.map((d) => d.apt))];
}
