import type { ModelSource, OrtWebDenoiser } from '../sampler.js';
import type { ModelInfo } from './protocol.js';

/** The training data set's name from the metadata ("fashion-mnist:…" → "fashion-mnist"). */
function datasetOf(s: ModelSource): string | null {
  const d = s.training?.dataset;
  return typeof d === 'string' ? (d.split(':')[0] ?? null) : null;
}

function describeItems(shape: readonly number[]): string {
  return shape.length === 1 ? `${shape[0]}-D points` : `${shape.join('×')} images (C×H×W)`;
}

/** The card of a model opened on a session: what it makes, its schedule, training and graph. */
export function modelInfo(s: ModelSource, m: OrtWebDenoiser, skipped: string[]): ModelInfo {
  const card: [string, string][] = [];
  const size = s.bytes.length < 1e6 ? `${(s.bytes.length / 1e3).toFixed(1)} kB` : `${(s.bytes.length / 1e6).toFixed(2)} MB`;
  card.push(['File', `${s.name} (${size})`]);
  card.push(['Items', describeItems(m.info.sampleShape)]);
  card.push(['Classes', m.info.numClasses === 0 ? 'unconditional' : String(m.info.numClasses)]);
  card.push(['Parameters', s.summary.parameterCount.toLocaleString('en-US')]);
  const c = s.config!;
  card.push(['Schedule', `${c.beta_schedule} β, T = ${c.num_train_timesteps}, ${c.prediction_type} (${s.configFrom})`]);
  const t = s.training;
  if (t) {
    const parts = ['dataset', 'steps', 'batch', 'final_loss', 'backend']
      .filter((k) => t[k] !== undefined)
      .map((k) => `${k} ${typeof t[k] === 'number' ? Number((t[k] as number).toPrecision(4)) : String(t[k])}`);
    card.push(['Training', parts.join(', ')]);
  }
  const opset = s.summary.opsets.find((o) => o.domain === '')?.version ?? '?';
  card.push(['Graph', `${s.summary.nodeCount} nodes, opset ${opset}, ${s.summary.producer}`]);
  return {
    name: s.name,
    card,
    sampleShape: [...m.info.sampleShape],
    numClasses: m.info.numClasses,
    dataset: datasetOf(s),
    trainTimesteps: c.num_train_timesteps,
    executionProvider: m.executionProvider,
    warnings: [...s.warnings, ...skipped],
  };
}
