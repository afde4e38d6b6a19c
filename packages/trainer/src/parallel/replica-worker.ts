// Worker-thread entry of the data-parallel engine: one TrainReplica on a single-threaded backend.
// Runs from dist/ only (worker_threads cannot load .ts).
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../backend/node.js';
import { TrainReplica } from '../train/replica.js';
import type { FromWorker, ReplicaWorkerData, ToWorker } from './protocol.js';

const port = parentPort;
if (port == null) throw new Error('replica-worker.js must run in a worker thread');
const data = workerData as ReplicaWorkerData;

function send(message: FromWorker): void {
  port!.postMessage(message);
}

/** Float32 views, one per parameter, over a flat shared buffer. */
function views(buffer: SharedArrayBuffer, sizes: number[]): Float32Array[] {
  let offset = 0;
  return sizes.map((n) => {
    const view = new Float32Array(buffer, offset * 4, n);
    offset += n;
    return view;
  });
}

async function main(): Promise<void> {
  const backend = await selectBackend(data.backend);
  const replica = TrainReplica.create(data.init);
  const sizes = replica.model.params.map((p) => p.size);
  let gradViews: Float32Array[] = [];
  let averagedViews: Float32Array[] = [];
  port!.on('message', async (message: ToWorker) => {
    try {
      switch (message.type) {
        case 'buffers':
          gradViews = views(message.grads, sizes);
          averagedViews = views(message.averaged, sizes);
          send({ type: 'buffers-set' });
          break;
        case 'compute': {
          const t0 = performance.now();
          const { loss, grads } = await replica.computeGradients(message.batch);
          const t1 = performance.now();
          for (const [i, g] of grads.entries()) gradViews[i]!.set(g);
          send({ type: 'computed', loss, computeMs: t1 - t0, shareMs: performance.now() - t1 });
          break;
        }
        case 'apply':
          send({ type: 'applied', gradNorm: replica.applyGradients(averagedViews, message.step).gradNorm });
          break;
        case 'state':
          send({ type: 'state', state: replica.getState() });
          break;
        case 'dispose':
          replica.dispose();
          send({ type: 'disposed' });
          port!.close();
          break;
      }
    } catch (err) {
      send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  });
  send({ type: 'ready', sizes, backend });
}

main().catch((err: unknown) => {
  send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
});
