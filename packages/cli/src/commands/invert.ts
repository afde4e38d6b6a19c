import type { OrtDenoiser } from '@onnx-ddpm/sampler/node';
import { type Command, intFlag, requiredString } from '../command.js';
import { checkOutputPath, writeOutputs } from '../output.js';
import { ProgressBar } from '../progress.js';
import { openDenoiser } from '../open-model.js';
import { executionProvidersFlag, loadNodeSampler, samplerUserError } from '../sampler-flags.js';
import { classLabelsFlag, loadInit } from './sample-init.js';

export const invertCommand: Command = {
  name: 'invert',
  summary: 'DDIM inversion: images → latents x_T (the DDIM ODE run forwards), which `sample --latents` maps back',
  options: {
    model: { type: 'string', valueName: '<file|dir>', description: '.onnx ε-model, or a diffusers-style folder' },
    images: { type: 'string', valueName: '<png|dir|npy>', description: 'an image, a folder of images or a .npy [M, ...] in [−1, 1]' },
    steps: { type: 'string', valueName: '<k>', description: 'DDIM steps (reconstruct with the same k)', default: '50' },
    class: { type: 'string', valueName: '<k>', description: 'class label for every image (default: labels 0,1,2,… in turn, as sample)' },
    resize: { type: 'boolean', description: 'resize images of another size or channel count instead of refusing them' },
    'save-npy': { type: 'string', valueName: '<file.npy>', description: 'the latents x_T as float32 .npy [M, ...]' },
    check: { type: 'boolean', description: 'also reconstruct the images from the latents and print the PSNR' },
    ep: { type: 'string', valueName: '<list>', description: 'execution providers in order of preference: cuda, webgpu, cpu', default: 'cuda,cpu' },
  },
  async run({ values }) {
    const modelPath = requiredString(values, 'model');
    const imagesPath = requiredString(values, 'images');
    const npyPath = requiredString(values, 'save-npy');
    const steps = intFlag(values, 'steps', 1)!;
    const classFlag = intFlag(values, 'class', 0);
    await checkOutputPath('save-npy', npyPath, 'file');
    const sampler = await loadNodeSampler();
    const executionProviders = executionProvidersFlag(sampler, values, 'cuda,cpu');
    const warn = (message: string) => process.stderr.write(`onnx-ddpm invert: warning: ${message}\n`);
    let model: OrtDenoiser | undefined;
    try {
      const source = await sampler.loadModelSource(modelPath);
      for (const w of source.warnings) warn(w);
      model = await openDenoiser(sampler, source, executionProviders, warn);
      const notes: string[] = [];
      const images = await loadInit(sampler, imagesPath, model.info, values.resize === true, notes, 'images');
      for (const note of notes) warn(note);
      const classLabels = classLabelsFlag(classFlag, model.info, images.count, 'cycle');
      const progress = new ProgressBar(`inverting on ${model.executionProvider}`, steps);
      const onStep = (e: { index: number }) => progress.update(e.index);
      const latents = await sampler.invert(model, source.config, images.data, { steps, classLabels, onStep });
      await writeOutputs([{ path: npyPath, bytes: sampler.encodeNpy(latents.samples, latents.shape) }]);
      let check = '';
      if (values.check === true) {
        const back = await sampler.reconstruct(model, source.config, latents.samples, { steps, classLabels });
        check = `; reconstruction PSNR ${sampler.psnr(images.data, back.samples).toFixed(2)} dB`;
      }
      process.stdout.write(`wrote ${npyPath}: latents of ${images.count} images, DDIM ${steps} steps on ${model.executionProvider}${check}\n`);
      return 0;
    } catch (err) {
      throw samplerUserError(sampler, err) ?? err;
    } finally {
      await model?.dispose();
    }
  },
};
