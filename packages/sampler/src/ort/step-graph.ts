import { encodeModel, GraphBuilder } from '@onnx-ddpm/onnx';
import type { SchedulerConfig, StepCoefficients } from '@onnx-ddpm/schedule';

/**
 * The step graph evaluates a scheduler's step in its coefficient form ({@link StepCoefficients},
 * `Scheduler.coefficients(k)`): x̂_0 = clip(α·x_t + β·m), x_prev = p·x̂_0 + q·x_t + s·z, on the
 * device, so x_t never leaves the GPU between model calls.
 */

/** Names of the step graph's inputs and outputs. */
export const STEP_GRAPH = {
  xt: 'x_t',
  modelOutput: 'model_output',
  z: 'z',
  guidanceScale: 'guidance_scale',
  coefficients: ['alpha', 'beta', 'p', 'q', 's'] as const,
  xPrev: 'x_prev',
  x0: 'x0',
  /** Guided graphs only: [x_prev; x_prev], the 2N batch of the next model call. */
  nextModelInput: 'next_model_input',
} as const;

/**
 * ONNX bytes of one reverse step for items of `itemShape` (batch N symbolic). Inputs: x_t [N, ...],
 * the model output [N, ...] (guided: [2N, ...], conditional half first), z [N, ...], the scalars of
 * {@link StepCoefficients} and, guided, the guidance scale. Outputs x_prev, x̂_0 and, guided, the
 * next model input [x_prev; x_prev].
 */
export function buildStepGraph(config: SchedulerConfig, itemShape: readonly number[], guided: boolean): Uint8Array {
  const g = new GraphBuilder({ name: 'onnx_ddpm_reverse_step' });
  const dims = ['N', ...itemShape];
  const x = g.input(STEP_GRAPH.xt, 'float32', dims);
  const out = g.input(STEP_GRAPH.modelOutput, 'float32', [guided ? 'M' : 'N', ...itemShape]);
  const z = g.input(STEP_GRAPH.z, 'float32', dims);
  const [alpha, beta, p, q, s] = STEP_GRAPH.coefficients.map((name) => g.input(name, 'float32', []));
  let m = out;
  if (guided) {
    const scale = g.input(STEP_GRAPH.guidanceScale, 'float32', []);
    const [cond, uncond] = g.node('Split', [out], { axis: 0 }, { outputs: 2 });
    // ε̃ = ε_u + s·(ε_c − ε_u) (Ho & Salimans 2022, eq. 6)
    const [diff] = g.node('Sub', [cond!, uncond!]);
    const [scaled] = g.node('Mul', [diff!, scale]);
    m = g.node('Add', [uncond!, scaled!])[0]!;
  }
  const [ax] = g.node('Mul', [x, alpha!]);
  const [bm] = g.node('Mul', [m, beta!]);
  const x0Out = config.clip_sample ? undefined : [STEP_GRAPH.x0];
  let [x0] = g.node('Add', [ax!, bm!], {}, x0Out ? { outputs: x0Out } : {});
  if (config.clip_sample) {
    const r = config.clip_sample_range;
    x0 = g.node('Clip', [x0!, g.constFloat('clip_min', [-r], []), g.constFloat('clip_max', [r], [])], {}, { outputs: [STEP_GRAPH.x0] })[0];
  }
  const [px0] = g.node('Mul', [x0!, p!]);
  const [qx] = g.node('Mul', [x, q!]);
  const [sz] = g.node('Mul', [z, s!]);
  const [mean] = g.node('Add', [px0!, qx!]);
  g.node('Add', [mean!, sz!], {}, { outputs: [STEP_GRAPH.xPrev] });
  g.output(STEP_GRAPH.xPrev, 'float32', dims);
  g.output(STEP_GRAPH.x0, 'float32', dims);
  if (guided) {
    g.node('Concat', [STEP_GRAPH.xPrev, STEP_GRAPH.xPrev], { axis: 0 }, { outputs: [STEP_GRAPH.nextModelInput] });
    g.output(STEP_GRAPH.nextModelInput, 'float32', ['M', ...itemShape]);
  }
  return encodeModel(g.build({ producerName: 'onnx-ddpm' }));
}
