// Builds the page into dist/: the bundled app, onnxruntime-web's native-WebGPU build copied (not
// bundled) under ort/, and the default model under models/.
import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

/** The model the page opens first, relative to the repository root; served at the same path. */
export const DEFAULT_MODEL = 'models/s-curve.onnx';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
const ORT_FILES = ['ort.webgpu.min.mjs', 'ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];
/** TF.js's wasm backend (Train mode) fetches its binaries at run time, like ORT's. */
const tfjsWasmDist = dirname(createRequire(join(repoRoot, 'packages/trainer/package.json')).resolve('@tensorflow/tfjs-backend-wasm'));
const TFJS_WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];
/** Served path → file on disk, for the build and the dev server alike. */
const staticFiles = new Map([
  ...ORT_FILES.map((f) => [`ort/${f}`, join(ortDist, f)]),
  ...TFJS_WASM_FILES.map((f) => [`tfjs/${f}`, join(tfjsWasmDist, f)]),
  [DEFAULT_MODEL, join(repoRoot, DEFAULT_MODEL)],
]);

/** The repository's web address for the page's links: root package.json `repository` (string or { url }), else ''. */
const rootPackage = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const REPOSITORY_URL = String(rootPackage.repository?.url ?? rootPackage.repository ?? '').replace(/^git\+/, '');

const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

function copyStaticFiles() {
  return {
    name: 'onnx-ddpm-static-files',
    generateBundle() {
      for (const [fileName, file] of staticFiles) this.emitFile({ type: 'asset', fileName, source: readFileSync(file) });
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const file = staticFiles.get((req.url ?? '').split('?')[0].replace(/^\//, ''));
        if (!file) return next();
        res.setHeader('Content-Type', file.endsWith('.wasm') ? 'application/wasm' : file.endsWith('.mjs') ? 'text/javascript' : 'application/octet-stream');
        createReadStream(file).pipe(res);
      });
    },
  };
}

export default defineConfig({
  base: './',
  // Workspace packages from their TypeScript sources (no `pnpm build` needed first).
  resolve: { conditions: ['source', ...defaultClientConditions] },
  define: { __DEFAULT_MODEL__: JSON.stringify(DEFAULT_MODEL), __REPOSITORY_URL__: JSON.stringify(REPOSITORY_URL) },
  // The sampling worker (src/worker/) is an ES module worker, code-split like the page.
  worker: { format: 'es' },
  plugins: [copyStaticFiles()],
  server: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
  build: { target: 'es2022', chunkSizeWarningLimit: 1024 },
});
