import { type Command, intFlag, requiredString, stringOption } from '../command.js';
import { checkOutputPath, writeOutputs } from '../output.js';
import { ProgressBar } from '@onnx-ddpm/trainer/progress';
import { withModel } from '../open-model.js';
import { epOption, modelOption, saveNpyOption } from '../sampler-flags.js';
import { classLabelsFlag, loadInit } from './sample-init.js';

export const invertCommand: Command = {
  name: 'invert',
  summary: 'DDIM inversion: images → latents x_T (the DDIM ODE run forwards), which `sample --latents` maps back',
  options: {
    model: modelOption('.onnx ε-model, or a diffusers-style folder'),
    images: stringOption('<png|dir|npy>', 'an image, a folder of images or a .npy [M, ...] in [−1, 1]'),
    steps: stringOption('<k>', 'DDIM steps (reconstruct with the same k)', '50'),
    class: stringOption('<k>', 'class label for every image (default: labels 0,1,2,… in turn, as sample)'),
    resize: { type: 'boolean', description: 'resize images of another size or channel count instead of refusing them' },
    'save-npy': saveNpyOption('the latents x_T as float32 .npy [M, ...]'),
    check: { type: 'boolean', description: 'also reconstruct the images from the latents and print the PSNR' },
    ep: epOption('cuda,cpu'),
  },
  async run({ values }) {
    const imagesPath = requiredString(values, 'images');
    const npyPath = requiredString(values, 'save-npy');
    const steps = intFlag(values, 'steps', 1)!;
    const classFlag = intFlag(values, 'class', 0);
    await checkOutputPath('save-npy', npyPath, 'file');
    return withModel('invert', values, {}, async ({ sampler, model, source, warn }) => {
      const notes: string[] = [];
      const images = await loadInit(sampler, imagesPath, model.info, values.resize === true, notes, 'images');
      for (const note of notes) warn(note);
      const classLabels = classLabelsFlag(classFlag, model.info, images.count, 'cycle');
      const progress = new ProgressBar({ label: `inverting on ${model.executionProvider}`, total: steps });
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
    });
  },
};
