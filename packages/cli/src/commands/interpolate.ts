import { basename } from 'node:path';
import type { InterpolationEnd } from '@onnx-ddpm/sampler/node';
import { type Command, intFlag, type OptionValues, requiredString, stringFlag, stringOption, UsageError } from '../command.js';
import { withModel } from '../open-model.js';
import { checkOutputPath, writeOutputs } from '../output.js';
import { epOption, modelOption, saveNpyOption } from '../sampler-flags.js';
import { classLabelsFlag, loadInit } from './sample-init.js';

type Endpoint = { seed: number } | { path: string };

function endpointFlag(values: OptionValues, name: 'from' | 'to'): Endpoint {
  const v = requiredString(values, name);
  return /^\d+$/.test(v) ? { seed: Number(v) } : { path: v };
}

const describeEndpoint = (e: Endpoint) => ('seed' in e ? `seed ${e.seed}` : basename(e.path));

export const interpolateCommand: Command = {
  name: 'interpolate',
  summary: 'walk between two latents x_T (seeds, or images inverted with DDIM) by slerp; deterministic DDIM; a PNG strip',
  options: {
    model: modelOption('.onnx ε-model, or a diffusers-style folder'),
    from: stringOption('<seed|image>', 'start: a seed (x_T from its noise) or an image / .npy to invert'),
    to: stringOption('<seed|image>', 'end: a seed or an image / .npy to invert'),
    frames: stringOption('<k>', 'frames along the path, both ends included', '9'),
    steps: stringOption('<k>', 'DDIM steps (η = 0) of the inversion and of every frame', '50'),
    n: stringOption('<count>', '2-D models: points per frame (one latent per point, all on one path)', '500'),
    class: stringOption('<k>', 'class label of every frame (default: no label)'),
    resize: { type: 'boolean', description: 'resize endpoint images of another size or channel count instead of refusing them' },
    out: stringOption('<file.png>', 'the strip: images side by side, or one scatter plot per frame (2-D models)'),
    'save-npy': saveNpyOption('the frames as float32 .npy [frames × items, ...]'),
    ep: epOption('cuda,cpu'),
  },
  async run({ values }) {
    const from = endpointFlag(values, 'from');
    const to = endpointFlag(values, 'to');
    const frames = intFlag(values, 'frames', 2)!;
    const steps = intFlag(values, 'steps', 1)!;
    const nFlag = intFlag(values, 'n', 1)!;
    const classFlag = intFlag(values, 'class', 0);
    const outPath = stringFlag(values, 'out');
    const npyPath = stringFlag(values, 'save-npy');
    if (!outPath && !npyPath) throw new UsageError('nothing to write: give --out or --save-npy');
    if (outPath) await checkOutputPath('out', outPath, 'file');
    if (npyPath) await checkOutputPath('save-npy', npyPath, 'file');
    return withModel('interpolate', values, {}, async ({ sampler, model, source, warn }) => {
      const info = model.info;
      const isImage = info.sampleShape.length === 3;
      const isPoints = info.sampleShape.join() === '2';
      if (outPath && !isImage && !isPoints) throw new UsageError(`--out draws images or 2-D points; this model makes [${info.sampleShape.join(', ')}] (use --save-npy)`);
      // One frame: one image, or n points (their latents interpolated together as one vector).
      const items = isImage ? 1 : nFlag;
      const frameLabels = classLabelsFlag(classFlag, info, items, 'none');
      const end = async (e: Endpoint, flag: 'from' | 'to'): Promise<InterpolationEnd> => {
        if ('seed' in e) return e;
        const notes: string[] = [];
        const image = await loadInit(sampler, e.path, info, values.resize === true, notes, flag);
        for (const note of notes) warn(note);
        if (image.count !== items) throw new UsageError(`--${flag} ${e.path} holds ${image.count} items; one frame is ${items}`);
        return { images: image.data };
      };
      const ends = [await end(from, 'from'), await end(to, 'to')] as const;
      const result = await sampler.interpolate(model, source.config, ends[0], ends[1], { frames, steps, items, classLabels: frameLabels });
      const files: { path: string; bytes: Uint8Array }[] = [];
      const title = `${describeEndpoint(from)} → ${describeEndpoint(to)}`;
      if (outPath) files.push({ path: outPath, bytes: await sampler.encodeInterpolationStrip(result.samples, frames, info.sampleShape) });
      if (npyPath) files.push({ path: npyPath, bytes: sampler.encodeNpy(result.samples, [frames * items, ...info.sampleShape]) });
      await writeOutputs(files);
      process.stdout.write(`wrote ${files.map((f) => f.path).join(', ')}: ${frames} frames ${title}, DDIM ${steps} steps on ${model.executionProvider}\n`);
      return 0;
    });
  },
};
