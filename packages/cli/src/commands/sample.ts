import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createScheduler, type NoiseSource, PhiloxNoise, type Scheduler, SchedulerConfigError } from '@onnx-ddpm/schedule';
import { CliError, type Command, intFlag, numberFlag, readFlagFile, stringFlag, stringOption, UsageError } from '../command.js';
import { checkOutputPath, writeOutputs } from '../output.js';
import { fileDigest, withModel } from '../open-model.js';
import { ProgressBar } from '@onnx-ddpm/trainer/progress';
import { formatBytes, formatDuration, isOutOfMemory, outOfMemoryError, planSampling } from '../sample-plan.js';
import { epOption, methodFlag, modelOption, saveNpyOption } from '../sampler-flags.js';
import { batchEdits, checkSampleEditFlags, classLabelsFlag, loadSampleEdits, sampleEditOptions, shardFlag, shardSidecar } from './sample-init.js';


export const sampleCommand: Command = {
  name: 'sample',
  summary: 'sample images or points from an ONNX model',
  options: {
    model: modelOption('.onnx file, or a diffusers-style folder (unet/model.onnx + scheduler/)'),
    n: stringOption('<count>', 'number of samples', '16'),
    batch: stringOption(
      '<k>',
      'samples per model batch (default: what half the free memory holds, at most 1024); same seed, same samples whatever the batch',
    ),
    method: stringOption('<ddpm|ddim>', 'ddpm: ancestral sampling; ddim: Song et al. 2021', 'ddim'),
    steps: stringOption('<k>', 'reverse steps (default: 50 for ddim, all T for ddpm; ddpm with fewer steps is strided)'),
    eta: stringOption('<η>', 'DDIM η: 0 deterministic, 1 DDPM-like noise (default 0)'),
    seed: stringOption('<int>', 'seed of the Philox noise (same seed, same EP → same bytes)', '0'),
    guidance: stringOption('<s>', 'classifier-free guidance scale (class-conditional models)'),
    class: stringOption('<k>', 'class label for every sample (default: labels 0,1,2,… in turn)'),
    out: stringOption('<file.png>', 'image grid (2-D models: a scatter plot)'),
    'save-npy': saveNpyOption('the samples x_0 as float32 .npy [N, ...]'),
    noise: stringOption('<file.npy>', 'noise [steps+1, N, ...] instead of the seed: x_T then one z per step'),
    frames: stringOption('<file.png>', 'trajectory strip of the first sample (x_t and x̂_0 rows)'),
    images: stringOption('<dir>', 'one PNG per sample, <dir>/000.png, 001.png, … (numbered in the whole run: shards can share <dir>)'),
    ep: epOption('cuda,cpu'),
    'scheduler-config': stringOption('<file.json>', "scheduler config overriding the model's metadata"),
    ...sampleEditOptions,
    json: { type: 'boolean', description: 'print timings, EP, method, steps and output paths as JSON on stdout' },
  },
  async run({ values }) {
    const n = intFlag(values, 'n', 1)!;
    const batchFlag = intFlag(values, 'batch', 1);
    const method = methodFlag(values);
    const stepsFlag = intFlag(values, 'steps', 1);
    const etaFlag = numberFlag(values, 'eta');
    const seed = intFlag(values, 'seed', 0, Number.MAX_SAFE_INTEGER)!;
    const guidance = numberFlag(values, 'guidance');
    const classFlag = intFlag(values, 'class', 0);
    const outPath = stringFlag(values, 'out');
    const npyPath = stringFlag(values, 'save-npy');
    const noisePath = stringFlag(values, 'noise');
    const framesPath = stringFlag(values, 'frames');
    const imagesDir = stringFlag(values, 'images');
    const json = values.json === true;
    if (!outPath && !npyPath && !framesPath && !imagesDir) {
      throw new UsageError('nothing to write: give --out, --save-npy, --frames or --images');
    }
    checkSampleEditFlags(values);
    // The global sample indices this run makes: all n, or its shard's range.
    const range = shardFlag(values, n);
    for (const [flag, path] of [['out', outPath], ['save-npy', npyPath], ['frames', framesPath]] as const) {
      if (path) await checkOutputPath(flag, path, 'file');
    }
    if (imagesDir) {
      await checkOutputPath('images', imagesDir, 'folder');
      await checkNoOtherImages(imagesDir, n);
    }

    // An edited run (--init, --latents) takes the host loop, which reads outputs back from the GPU anyway.
    const edited = values.init !== undefined || values.latents !== undefined;
    const schedulerConfigPath = stringFlag(values, 'scheduler-config');
    return withModel('sample', values, { schedulerConfigPath, outputsOnDevice: !edited }, async ({ sampler, model, source, warn, warnings }) => {
      const { sampleShape, numClasses } = model.info;
      const isImage = sampleShape.length === 3;
      const isPoints = sampleShape.length === 1 && sampleShape[0] === 2;
      if ((framesPath || imagesDir) && !isImage) {
        throw new UsageError(`--frames and --images need an image model; this one makes items of shape [${sampleShape.join(', ')}]`);
      }
      if (outPath && !isImage && !isPoints) {
        throw new UsageError(`--out draws images or 2-D points; this model makes items of shape [${sampleShape.join(', ')}] (use --save-npy)`);
      }
      // Labels by global sample index: sample i gets the label it gets in one run of all n.
      const runLabels = classLabelsFlag(classFlag, model.info, n, 'cycle')?.subarray(range.first, range.first + range.count) ?? null;
      if (guidance !== undefined && numClasses === 0) {
        throw new UsageError(`--guidance needs a class-conditional model; ${model.info.name} is unconditional`);
      }
      // From latents (e.g. invert's): the unclipped DDIM ODE, the exact reverse of the inversion.
      const config = values.latents === undefined ? source.config : { ...source.config, clip_sample: false };
      if (stepsFlag !== undefined && stepsFlag > config.num_train_timesteps) {
        throw new UsageError(`--steps must be in [1, ${config.num_train_timesteps}] for this model (T = ${config.num_train_timesteps}), got ${stepsFlag}`);
      }
      const steps = method === 'ddim' ? (stepsFlag ?? Math.min(50, config.num_train_timesteps)) : stepsFlag;
      let scheduler: Scheduler;
      try {
        scheduler = createScheduler(config, { method, steps, eta: etaFlag });
      } catch (err) {
        // The scheduler checks η (≥ 0, finite, DDIM only); its message names η, ours the flag.
        if (err instanceof SchedulerConfigError && etaFlag !== undefined && err.message.startsWith('eta ')) throw new UsageError(`--${err.message}`);
        throw err;
      }
      const total = scheduler.length;
      const edits = await loadSampleEdits(sampler, values, model.info, range, scheduler);
      for (const note of edits.notes) warn(note);

      let noise: NoiseSource = new PhiloxNoise(seed);
      if (noisePath) {
        const bytes = await readFlagFile('noise', noisePath);
        try {
          noise = new sampler.NpyNoiseSource(sampler.decodeNpy(bytes), { steps: total, itemShape: [n, ...sampleShape] });
        } catch (err) {
          throw new CliError(`--noise ${noisePath}: ${(err as Error).message}`);
        }
      }

      const itemSize = sampleShape.reduce((a: number, b: number) => a * b, 1);
      // Kept until the end: x_0 as float32, and its encoding as .npy.
      const keptBytesPerItem = 4 * itemSize * (npyPath ? 2 : 1);
      const plan = await planSampling(model, { n: range.count, steps: total, guided: guidance !== undefined, batchFlag, keptBytesPerItem });
      process.stderr.write(
        `sampling ${range.count} in ${plan.batches} batch${plan.batches === 1 ? '' : 'es'} of ${plan.batch}: estimated ${formatDuration(plan.seconds)} ` +
          `and ${formatBytes(plan.bytes)} of memory (${formatBytes(plan.perItem.bytes)} per item in a batch, from a probe of the model)\n`,
      );
      let samples: Float32Array;
      try {
        samples = new Float32Array(range.count * itemSize);
      } catch (err) {
        throw isOutOfMemory(err) ? new CliError(`out of memory holding ${range.count} samples (${formatBytes(4 * range.count * itemSize)}); give a smaller --n`) : err;
      }
      const frames: { t: number; xt: Float32Array; x0: Float32Array }[] = [];
      const progress = new ProgressBar({ label: `sampling ${method} on ${model.executionProvider}`, total: total * plan.batches });
      const timings = { modelMs: 0, loopMs: 0 };
      const started = performance.now();
      // Noise is drawn per sample (by its global index), so the batches give the samples one batch would
      // (and a shard's batches the samples of its range in one run of all n).
      for (let offset = 0; offset < range.count; offset += plan.batch) {
        const count = Math.min(plan.batch, range.count - offset);
        const done = (offset / plan.batch) * total;
        const part = await sampler
          .sampleOrt(model, scheduler, {
            batch: count,
            firstSample: range.first + offset,
            ...batchEdits(edits, offset, count, itemSize),
            noise,
            classLabels: runLabels?.subarray(offset, offset + count) ?? null,
            guidance,
            // x_t comes back to the host about 20 times a run (every step for --frames' first batch).
            callbackEvery: framesPath && offset === 0 ? 1 : Math.ceil(total / 20),
            onStep: (e) => {
              if (framesPath && offset === 0) frames.push({ t: e.t, xt: e.xt.slice(0, itemSize), x0: e.x0.slice(0, itemSize) });
              progress.update(done + e.index);
            },
          })
          .catch((err: unknown) => {
            throw isOutOfMemory(err) ? outOfMemoryError(count) : err;
          });
        samples.set(part.samples, offset * itemSize);
        timings.modelMs += part.timings.modelMs;
        timings.loopMs += part.timings.loopMs;
      }
      const result = { samples, shape: [range.count, ...sampleShape], timings: { ...timings, totalMs: performance.now() - started } };

      // Encode everything first, then write all or nothing.
      const files: { path: string; bytes: Uint8Array }[] = [];
      if (outPath) {
        const bytes = isImage
          ? await sampler.encodeImageGrid(result.samples, result.shape)
          : await sampler.encodeScatterPng(result.samples, { title: `${model.info.name}: ${range.count} samples, ${method} ${total} steps` });
        files.push({ path: outPath, bytes });
      }
      if (npyPath) files.push({ path: npyPath, bytes: sampler.encodeNpy(result.samples, result.shape) });
      if (npyPath && range.shard) {
        const run = { model: model.info.name, modelSha256: await fileDigest(source.modelPath), schedulerConfig: config, method, steps: total, eta: method === 'ddim' ? (etaFlag ?? 0) : 1 };
        const sampling = { seed, n, class: classFlag ?? null, guidance: guidance ?? null, executionProvider: model.executionProvider, itemShape: sampleShape };
        files.push({ path: sampler.shardSidecarPath(npyPath), bytes: shardSidecar(sampler, edits, range, { ...run, ...sampling }) });
      }
      if (framesPath) files.push({ path: framesPath, bytes: await sampler.encodeTrajectoryStrip(frames, result.shape) });
      const imagePaths: string[] = [];
      if (imagesDir) {
        const pngs = await sampler.encodeImages(result.samples, result.shape);
        pngs.forEach((bytes, i) => {
          const path = join(imagesDir, imageFileName(range.first + i, n));
          imagePaths.push(path);
          files.push({ path, bytes });
        });
      }
      await writeOutputs(files);

      const { modelMs, loopMs, totalMs } = result.timings;
      const summary = {
        model: source.modelPath,
        schedulerConfig: source.configFrom,
        executionProvider: model.executionProvider,
        method,
        steps: total,
        eta: method === 'ddim' ? (etaFlag ?? 0) : 1,
        seed: noisePath ? null : seed,
        noise: noisePath ?? null,
        n,
        batch: plan.batch,
        batches: plan.batches,
        shape: result.shape,
        classLabels: runLabels ? Array.from(runLabels) : null,
        guidance: guidance ?? null,
        timings: {
          totalMs: round(totalMs),
          modelMs: round(modelMs),
          loopMs: round(loopMs),
          msPerStep: round(totalMs / total),
          itPerSec: round((1000 * total) / totalMs),
        },
        outputs: { out: outPath ?? null, npy: npyPath ?? null, frames: framesPath ?? null, images: imagesDir ? imagePaths : null },
        warnings,
      };
      if (json) {
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      } else {
        const written = files.length === 1 ? files[0]!.path : `${files.length} files`;
        process.stdout.write(
          `wrote ${written}: ${range.count} samples, ${method} ${total} steps on ${model.executionProvider} in ${(totalMs / 1000).toFixed(2)} s ` +
            `(model ${(modelMs / 1000).toFixed(2)} s, loop ${(loopMs / 1000).toFixed(3)} s)\n`,
        );
      }
      return 0;
    });
  },
};

/**
 * `--images` names: sample i of a run of n is i.png, as 000.png, 001.png, … (more digits from 1001
 * images on); a shard's files keep their index in the whole run, so shards can share one folder.
 */
function imageFileName(i: number, n: number): string {
  return `${String(i).padStart(Math.max(3, String(n - 1).length), '0')}.png`;
}

/**
 * Refuses an `--images` folder holding numbered PNGs outside this run of n (an earlier run's 100 images
 * beside this run's 16 would look like one set; another shard's of the same n belong); it deletes nothing.
 */
async function checkNoOtherImages(dir: string, n: number): Promise<void> {
  const ours = new Set(Array.from({ length: n }, (_, i) => imageFileName(i, n)));
  const others = (await readdir(dir).catch(() => [] as string[])).filter((f) => /^\d+\.png$/.test(f) && !ours.has(f)).sort();
  if (others.length > 0) {
    throw new CliError(
      `--images ${dir} already holds ${others.length} numbered PNG${others.length === 1 ? '' : 's'} that this run of ${n} would not replace ` +
        `(${others.length === 1 ? others[0] : `${others[0]} … ${others.at(-1)}`}), from an earlier run: remove them or give another folder`,
    );
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
