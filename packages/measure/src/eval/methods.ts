import type { SamplingMethod } from '@onnx-ddpm/schedule';

/** One sampler setting to evaluate, e.g. DDIM with 50 steps. */
export interface MethodSpec {
  method: SamplingMethod;
  steps: number;
  /** As written on the command line: 'ddpm-1000', 'ddim-50'. */
  label: string;
}

export const DEFAULT_METHODS = 'ddpm-1000,ddim-10,ddim-25,ddim-50,ddim-100';

/** Parses 'ddpm-1000,ddim-50' (method-steps, comma separated); steps must be in [1, T]. */
export function parseMethods(spec: string, trainTimesteps: number): MethodSpec[] {
  const items = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new Error('no methods given (e.g. ddpm-1000,ddim-50)');
  return items.map((label) => {
    const m = /^(ddpm|ddim)-(\d+)$/.exec(label);
    if (!m) throw new Error(`method '${label}' is not <ddpm|ddim>-<steps>, e.g. ddim-50`);
    const steps = Number(m[2]);
    if (steps < 1 || steps > trainTimesteps) {
      throw new Error(`method '${label}': steps must be in [1, ${trainTimesteps}] (the model's num_train_timesteps)`);
    }
    return { method: m[1] as SamplingMethod, steps, label };
  });
}

/** Parses guidance scales, e.g. 'none,2': 'none' = no guidance (plain conditional sampling, one model call per step). */
export function parseGuidances(spec: string): (number | undefined)[] {
  const items = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new Error("no guidance given (e.g. 'none,2')");
  return items.map((item) => {
    if (item === 'none') return undefined;
    const s = Number(item);
    if (!Number.isFinite(s)) throw new Error(`'${item}' is neither a number nor 'none'`);
    return s;
  });
}
