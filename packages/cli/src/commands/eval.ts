import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OrtEpsModel } from '@onnx-ddpm/sampler/node';
import { type Command, CliError, intFlag, requiredString, stringFlag, UsageError } from '../command.js';
import type { ImageQuality, ImageReference } from '../eval/image-quality.js';
import { DEFAULT_METHODS, type MethodSpec, parseGuidances, parseMethods } from '../eval/methods.js';
import type { OrtImageClassifier } from '../eval/ort-classifier.js';
import type { PointQuality, ToyReference } from '../eval/point-quality.js';
import { executionProvidersFlag, loadNodeSampler, samplerUserError } from '../sampler-flags.js';


const DEFAULT_CLASSIFIER = fileURLToPath(new URL('../../../../models/fashion-mnist-classifier.onnx', import.meta.url));

/** One evaluated (method, guidance) setting. */
export interface EvalRow {
  method: string;
  steps: number;
  /** Classifier-free guidance scale, or null (conditional or unconditional sampling without guidance). */
  guidance: number | null;
  samplingSeconds: number;
  metrics: ImageQuality | PointQuality;
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'measure sample quality: FID/KID and class accuracy (images), sliced Wasserstein distance (2-D points)',
  options: {
    model: { type: 'string', valueName: '<file|dir>', description: '.onnx ε-model, or a diffusers-style folder' },
    n: { type: 'string', valueName: '<count>', description: 'samples per method (2-D models: also the data points per half)', default: '1000' },
    methods: { type: 'string', valueName: '<list>', description: 'sampler settings <ddpm|ddim>-<steps>, comma separated', default: DEFAULT_METHODS },
    guidance: { type: 'string', valueName: '<list>', description: "classifier-free guidance scales of class-conditional models, comma separated ('none': no guidance)", default: 'none,2' },
    batch: { type: 'string', valueName: '<k>', description: 'items per sampler call', default: '500' },
    seed: { type: 'string', valueName: '<int>', description: 'seed of the sampling noise, KID subsets and SWD directions', default: '0' },
    data: { type: 'string', valueName: '<spec>', description: "reference data (default: the test split of the model's training set; toys: a fresh draw)" },
    'data-seed': { type: 'string', valueName: '<int>', description: 'seed of the toy reference points (the trainer draws its toys with seed 0)', default: '1' },
    classifier: { type: 'string', valueName: '<file.onnx>', description: "feature classifier for FID/KID (default: the repository's models/fashion-mnist-classifier.onnx)" },
    'kid-subsets': { type: 'string', valueName: '<k>', description: 'KID: random subset pairs averaged', default: '100' },
    'kid-subset-size': { type: 'string', valueName: '<m>', description: 'KID: items per subset', default: '1000' },
    projections: { type: 'string', valueName: '<k>', description: 'SWD: random directions', default: '1000' },
    ep: { type: 'string', valueName: '<list>', description: 'execution providers in order of preference: cuda, webgpu, cpu', default: 'cuda,cpu' },
    json: { type: 'boolean', description: 'print the report as JSON on stdout' },
  },
  async run({ values }) {
    const modelPath = requiredString(values, 'model');
    const n = intFlag(values, 'n', 2)!;
    const batch = intFlag(values, 'batch', 1)!;
    // Batch b of a run draws Philox noise with key seed·2²⁴ + b, which must stay below 2⁶⁴.
    const seed = intFlag(values, 'seed', 0, 2 ** 40 - 1)!;
    const dataSeed = intFlag(values, 'data-seed', 0)!;
    let guidanceList: (number | undefined)[];
    try {
      guidanceList = parseGuidances(stringFlag(values, 'guidance')!);
    } catch (err) {
      throw new UsageError(`--guidance: ${(err as Error).message}`);
    }
    const kidSubsets = intFlag(values, 'kid-subsets', 1)!;
    const kidSubsetSize = intFlag(values, 'kid-subset-size', 2)!;
    const projections = intFlag(values, 'projections', 1)!;
    const json = values.json === true;
    const classifierPath = stringFlag(values, 'classifier') ?? DEFAULT_CLASSIFIER;
    // Progress goes to stderr, so that stdout holds only the report (JSON with --json).
    const log = (line: string) => process.stderr.write(`${line}\n`);

    // Loaded here, not at startup: they pull in onnxruntime-node and TF.js (the data loaders).
    const sampler = await loadNodeSampler();
    const { generateSamples } = await import('../eval/generate.js');
    const { dataFloor, imageQuality, loadImageReference } = await import('../eval/image-quality.js');
    const { loadToyReference, pointQuality } = await import('../eval/point-quality.js');
    const { OrtImageClassifier } = await import('../eval/ort-classifier.js');
    const executionProviders = executionProvidersFlag(sampler, values, 'cuda,cpu');
    let model: OrtEpsModel | undefined;
    let classifier: OrtImageClassifier | undefined;
    try {
      const source = await sampler.loadModelSource(modelPath);
      let methods: MethodSpec[];
      try {
        methods = parseMethods(stringFlag(values, 'methods')!, source.config.num_train_timesteps);
      } catch (err) {
        throw new UsageError(`--methods: ${(err as Error).message}`);
      }
      const trainedOn = typeof source.training?.dataset === 'string' ? source.training.dataset : undefined;
      model = await sampler.OrtEpsModel.create(source.modelPath, {
        executionProviders,
        numClasses: source.numClasses,
        sampleShape: source.sampleShape,
        name: basename(source.modelPath),
        onWarning: (w) => process.stderr.write(`onnx-ddpm eval: warning: ${w}\n`),
      });
      const { sampleShape, numClasses } = model.info;
      const isImage = sampleShape.length === 3;
      const dataSpec = stringFlag(values, 'data') ?? (isImage && trainedOn && !trainedOn.includes(':') ? `${trainedOn}:test` : trainedOn);
      if (!dataSpec) throw new UsageError(`${basename(source.modelPath)} does not name its training data (metadata onnx_ddpm.training.dataset): give --data`);

      const kidOptions = { subsets: kidSubsets, subsetSize: kidSubsetSize, seed };
      let imageRef: ImageReference | undefined;
      let floor: { data: string; metrics: ImageQuality } | null = null;
      let toyRef: ToyReference | undefined;
      if (isImage) {
        let bytes: Uint8Array;
        try {
          bytes = await readFile(classifierPath);
        } catch (err) {
          throw new CliError(`cannot read --classifier ${classifierPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        classifier = await OrtImageClassifier.create(bytes, classifierPath, executionProviders).catch((err: Error) => {
          throw new CliError(err.message);
        });
        if (classifier.imageShape.join(',') !== sampleShape.join(',')) {
          throw new CliError(`the classifier takes images of [${classifier.imageShape.join(', ')}]; the model makes [${sampleShape.join(', ')}]`);
        }
        imageRef = await loadImageReference(dataSpec, classifier).catch((err: Error) => {
          throw new CliError(`--data ${dataSpec}: ${err.message}`);
        });
        log(`reference: ${imageRef.count} images of ${dataSpec}; classifier accuracy on them ${(100 * (imageRef.accuracy ?? Number.NaN)).toFixed(2)}%`);
        const floorSpec = dataSpec.endsWith(':test') ? dataSpec.slice(0, -':test'.length) : undefined;
        if (floorSpec) {
          const metrics = await dataFloor(floorSpec, n, classifier, imageRef, kidOptions).catch((err: Error) => {
            throw new CliError(`${floorSpec}: ${err.message}`);
          });
          floor = { data: floorSpec, metrics };
          log(`${n} real images of ${floorSpec}: ${describe(metrics)}`);
        }
      } else {
        toyRef = await loadToyReference(dataSpec, n, dataSeed, sampleShape, { projections, seed }).catch((err: Error) => {
          throw new CliError(`--data ${dataSpec}: ${err.message}`);
        });
      }

      const guidances = isImage && numClasses > 0 ? guidanceList : [undefined];
      const classLabels = numClasses > 0 ? Int32Array.from({ length: n }, (_, i) => i % numClasses) : null;
      const rows: EvalRow[] = [];
      for (const spec of methods) {
        for (const g of guidances) {
          const tag = `${spec.label}${g === undefined ? '' : ` guidance ${g}`}`;
          const { samples, seconds } = await generateSamples(model, source.config, spec, {
            n,
            batch,
            seed,
            classLabels,
            guidance: g,
            onBatch: (done, total) => log(`${tag}: ${done}/${total} samples`),
          });
          const metrics = imageRef
            ? await imageQuality(classifier!, imageRef, samples, n, classLabels, kidOptions)
            : pointQuality(toyRef!, samples, n, { projections, seed });
          rows.push({ method: spec.method, steps: spec.steps, guidance: g ?? null, samplingSeconds: Math.round(seconds * 10) / 10, metrics });
          log(`${tag}: ${describe(metrics)} (${seconds.toFixed(1)} s sampling)`);
        }
      }

      const report = {
        model: source.modelPath,
        executionProvider: model.executionProvider,
        n,
        seed,
        data: dataSpec,
        ...(imageRef
          ? {
              classifier: { path: classifierPath, testAccuracy: classifier!.meta.test_accuracy ?? null, referenceAccuracy: imageRef.accuracy, features: classifier!.meta.hidden },
              kid: { subsets: kidSubsets, subsetSize: Math.min(kidSubsetSize, n, imageRef.count) },
              floor,
            }
          : { swd: { projections, dataSeed, dataVsData: toyRef!.dataVsData } }),
        rows,
        ddim50VsDdpm1000: compareFid(rows),
      };
      if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(formatTable(report.rows, toyRef?.dataVsData, floor));
      return 0;
    } catch (err) {
      throw samplerUserError(sampler, err) ?? err;
    } finally {
      await model?.dispose();
      await classifier?.dispose();
    }
  },
};

function describe(m: ImageQuality | PointQuality): string {
  if ('swd' in m) return `SWD ${m.swd.toFixed(4)}`;
  const acc = m.accuracy === null ? '' : `, accuracy ${(100 * m.accuracy).toFixed(1)}%`;
  return `FID ${m.fid.toFixed(3)}, KID ${m.kid.mean.toFixed(5)} ± ${m.kid.std.toFixed(5)}${acc}`;
}

/** FID(DDIM-50) / FID(DDPM-1000) − 1 without guidance (the goal: within ±10%), when both were run on images. */
function compareFid(rows: EvalRow[]): number | null {
  const fid = (method: string, steps: number) => {
    const row = rows.find((r) => r.method === method && r.steps === steps && r.guidance === null);
    return row && 'fid' in row.metrics ? row.metrics.fid : undefined;
  };
  const ddim = fid('ddim', 50);
  const ddpm = fid('ddpm', 1000);
  return ddim === undefined || ddpm === undefined ? null : ddim / ddpm - 1;
}

function formatTable(rows: EvalRow[], dataVsData: number | undefined, floor: { data: string; metrics: ImageQuality } | null): string {
  const lines = rows.map((r) => `${`${r.method}-${r.steps}`.padEnd(10)} ${(r.guidance === null ? '-' : String(r.guidance)).padEnd(9)} ${describe(r.metrics)}  ${r.samplingSeconds} s`);
  const header = `${'method'.padEnd(10)} ${'guidance'.padEnd(9)} metrics`;
  const footer = dataVsData === undefined ? [] : [`data vs data (two independent halves): SWD ${dataVsData.toFixed(4)}`];
  if (floor) footer.push(`real images of ${floor.data} (the floor at this n): ${describe(floor.metrics)}`);
  return `${[header, ...lines, ...footer].join('\n')}\n`;
}
