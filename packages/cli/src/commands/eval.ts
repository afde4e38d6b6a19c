import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OrtDenoiser } from '@onnx-ddpm/sampler/node';
import { CliError, type Command, intFlag, readFlagFile, requiredString, stringFlag, stringOption, UsageError } from '../command.js';
import type { EvalReport, ImageQuality, ImageReference, OrtImageClassifier, ToyReference } from '@onnx-ddpm/measure/eval';
import { DEFAULT_METHODS, type MethodSpec, parseGuidances, parseMethods } from '@onnx-ddpm/measure/eval/methods';
import { fileDigest } from '../open-model.js';
import { epOption, executionProvidersFlag, loadNodeSampler, modelOption, type SamplerNode, samplerUserError } from '../sampler-flags.js';


const DEFAULT_CLASSIFIER = fileURLToPath(new URL('../../../../models/fashion-mnist-classifier.onnx', import.meta.url));

export const evalCommand: Command = {
  name: 'eval',
  summary: 'measure sample quality: FID/KID and class accuracy (images), sliced Wasserstein distance (2-D points)',
  options: {
    model: modelOption('.onnx ε-model, or a diffusers-style folder'),
    n: stringOption('<count>', 'samples per method (2-D models: also the data points per half)', '1000'),
    methods: stringOption('<list>', 'sampler settings <ddpm|ddim>-<steps>, comma separated', DEFAULT_METHODS),
    guidance: stringOption('<list>', "classifier-free guidance scales of class-conditional models, comma separated ('none': no guidance)", 'none,2'),
    batch: stringOption('<k|auto>', 'items per sampler call (auto: as many as half of the free memory holds, measured on the model)', 'auto'),
    seed: stringOption('<int>', 'seed of the sampling noise, KID subsets and SWD directions', '0'),
    data: stringOption('<spec>', "reference data (default: the test split of the model's training set; toys: a fresh draw)"),
    'data-seed': stringOption('<int>', 'seed of the toy reference points (the trainer draws its toys with seed 0)', '1'),
    classifier: stringOption('<file.onnx>', "feature classifier for FID/KID (default: the repository's models/fashion-mnist-classifier.onnx)"),
    'kid-subsets': stringOption('<k>', 'KID: random subset pairs averaged', '100'),
    'kid-subset-size': stringOption('<m>', 'KID: items per subset', '1000'),
    projections: stringOption('<k>', 'SWD: random directions', '1000'),
    ep: epOption('cuda,cpu'),
    samples: stringOption('<file.npy>', 'evaluate these samples (e.g. merged shards) instead of sampling; labels assumed 0,1,2,… in turn as sample draws them'),
    json: { type: 'boolean', description: 'print the report as JSON on stdout' },
  },
  async run({ values }) {
    const modelPath = requiredString(values, 'model');
    let n = intFlag(values, 'n', 2)!;
    const samplesPath = stringFlag(values, 'samples');
    const batch = stringFlag(values, 'batch') === 'auto' ? undefined : intFlag(values, 'batch', 1)!;
    // Sampling draws Philox noise with key seed·2²⁴, which must stay below 2⁶⁴.
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
    const { dataFloor, describeQuality, ddim50VsDdpm1000, evaluateGivenSamples, evaluateSettings, formatEvalPlan, formatEvalTable, imageQuality, loadImageReference, loadToyReference, lowestClasses, OrtImageClassifier, planEval, pointQuality } =
      await import('@onnx-ddpm/measure/eval');
    const executionProviders = executionProvidersFlag(sampler, values);
    let model: OrtDenoiser | undefined;
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
      model = await sampler.OrtDenoiser.create(source.modelPath, {
        executionProviders,
        numClasses: source.numClasses,
        sampleShape: source.sampleShape,
        name: basename(source.modelPath),
        onWarning: (w) => process.stderr.write(`onnx-ddpm eval: warning: ${w}\n`),
      });
      const { sampleShape, numClasses } = model.info;
      const given = samplesPath ? await readGivenSamples(sampler, samplesPath, sampleShape) : null;
      if (given) n = given.count;
      const isImage = sampleShape.length === 3;
      const dataSpec = stringFlag(values, 'data') ?? (isImage && trainedOn && !trainedOn.includes(':') ? `${trainedOn}:test` : trainedOn);
      if (!dataSpec) throw new UsageError(`${basename(source.modelPath)} does not name its training data (metadata onnx_ddpm.training.dataset): give --data`);

      const kidOptions = { subsets: kidSubsets, subsetSize: kidSubsetSize, seed };
      let imageRef: ImageReference | undefined;
      let floor: { data: string; metrics: ImageQuality } | null = null;
      let toyRef: ToyReference | undefined;
      if (isImage) {
        const bytes = await readFlagFile('classifier', classifierPath);
        classifier = await OrtImageClassifier.create(bytes, classifierPath, executionProviders).catch((err: Error) => {
          throw new CliError(err.message);
        });
        if (classifier.imageShape.join(',') !== sampleShape.join(',')) {
          throw new CliError(`the classifier takes images of [${classifier.imageShape.join(', ')}]; the model makes [${sampleShape.join(', ')}]`);
        }
        imageRef = await loadImageReference(dataSpec, classifier).catch((err: Error) => {
          throw new CliError(`--data ${dataSpec}: ${err.message}`);
        });
        log(`reference: ${imageRef.count} images of ${dataSpec}; classifier accuracy on them ${(100 * (imageRef.accuracy ?? Number.NaN)).toFixed(2)}%${lowestClasses(imageRef.classAccuracy)}`);
        const floorSpec = dataSpec.endsWith(':test') ? dataSpec.slice(0, -':test'.length) : undefined;
        if (floorSpec) {
          const metrics = await dataFloor(floorSpec, n, classifier, imageRef, kidOptions).catch((err: Error) => {
            throw new CliError(`${floorSpec}: ${err.message}`);
          });
          floor = { data: floorSpec, metrics };
          log(`${n} real images of ${floorSpec}: ${describeQuality(metrics)}`);
        }
      } else {
        toyRef = await loadToyReference(dataSpec, n, dataSeed, sampleShape, { projections, seed }).catch((err: Error) => {
          throw new CliError(`--data ${dataSpec}: ${err.message}`);
        });
      }

      const guidances = isImage && numClasses > 0 ? guidanceList : [undefined];
      const classLabels = numClasses > 0 ? Int32Array.from({ length: n }, (_, i) => i % numClasses) : null;
      const measure = (samples: Float32Array) =>
        imageRef ? imageQuality(classifier!, imageRef, samples, n, classLabels, kidOptions) : Promise.resolve(pointQuality(toyRef!, samples, n, { projections, seed }));
      // Printed once the inputs are checked and the references loaded, before any sampling (none with --samples).
      const plan = given ? null : await planEval(model, { n, methods, guidances, batch });
      if (plan) log(formatEvalPlan(plan, methods.length * guidances.length, n));
      const rows = given
          ? await evaluateGivenSamples(given.name, given.data, measure, log)
          : await evaluateSettings(model, source.config, { methods, guidances, n, batch: plan!.batch, seed, classLabels }, measure, log);

      const report: EvalReport = {
        model: source.modelPath,
        modelSha256: await fileDigest(source.modelPath),
        date: new Date().toISOString(),
        executionProvider: model.executionProvider,
        n,
        batch: plan?.batch ?? null,
        seed,
        data: dataSpec,
        ...(imageRef
          ? {
              classifier: {
                path: classifierPath,
                testAccuracy: classifier!.meta.test_accuracy ?? null,
                referenceAccuracy: imageRef.accuracy,
                referenceClassAccuracy: imageRef.classAccuracy,
                features: classifier!.meta.hidden,
              },
              kid: { subsets: kidSubsets, subsetSize: Math.min(kidSubsetSize, n, imageRef.count) },
              floor,
            }
          : { swd: { projections, dataSeed, dataVsData: toyRef!.dataVsData } }),
        rows,
        ddim50VsDdpm1000: ddim50VsDdpm1000(rows),
      };
      if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(formatEvalTable(report.rows, toyRef?.dataVsData, floor));
      return 0;
    } catch (err) {
      throw samplerUserError(sampler, err) ?? err;
    } finally {
      await model?.dispose();
      await classifier?.dispose();
    }
  },
};

/** --samples: a .npy of samples [N, ...item] (e.g. merged shards) to evaluate instead of sampling. */
async function readGivenSamples(sampler: SamplerNode, path: string, itemShape: readonly number[]): Promise<{ name: string; data: Float32Array; count: number }> {
  let npy: { data: Float32Array; shape: number[] };
  try {
    npy = sampler.decodeNpy(await readFile(path));
  } catch (err) {
    throw new CliError(`--samples ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (npy.shape.length !== itemShape.length + 1 || npy.shape.slice(1).join() !== itemShape.join() || npy.shape[0]! < 2) {
    throw new UsageError(`--samples ${path} has shape [${npy.shape.join(', ')}]; the model makes [N ≥ 2, ${itemShape.join(', ')}]`);
  }
  return { name: basename(path), data: npy.data, count: npy.shape[0]! };
}
