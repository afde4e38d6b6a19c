import { type Command, intFlag, requiredString, stringFlag, stringOption, UsageError } from '../command.js';
import { checkOutputPath } from '../output.js';
import { opsetFlagInRange, parseBackend, trainerUserError } from './train.js';

export const exportCommand: Command = {
  name: 'export',
  summary: 'export a training checkpoint to ONNX (parity-checked against TF.js) or to a compact checkpoint',
  options: {
    checkpoint: stringOption('<dir>', 'checkpoint folder, or a run folder (uses <run>/checkpoint)'),
    out: stringOption('<model.onnx>', 'ONNX file to write (atomically)'),
    'compact-checkpoint': stringOption(
      '<dir>',
      'also (or only) write a compact resumable copy: float32 weights and EMA, bfloat16 Adam second moments (train --resume-from continues it)',
    ),
    'no-ema': { type: 'boolean', description: 'export the raw weights instead of their EMA' },
    opset: stringOption('<n>', 'ONNX opset (13–21)', '17'),
    backend: stringOption('<name>', 'TF.js backend of the parity check: auto, tensorflow, wasm or cpu', 'auto'),
  },
  async run({ values }) {
    const dir = requiredString(values, 'checkpoint');
    const out = stringFlag(values, 'out');
    const compactOut = stringFlag(values, 'compact-checkpoint');
    if (!out && !compactOut) throw new UsageError('nothing to write: give --out <model.onnx> and/or --compact-checkpoint <dir>');
    const opsetFlag = intFlag(values, 'opset', 1)!;
    const backend = parseBackend(stringFlag(values, 'backend'));
    const useEma = values['no-ema'] !== true;
    const trainer = await import('@onnx-ddpm/trainer/node');
    const opset = opsetFlagInRange(trainer, opsetFlag);
    if (out) await checkOutputPath('out', out, 'file');
    if (compactOut) await checkOutputPath('compact-checkpoint', compactOut, 'folder');
    try {
      const ckpt = await trainer.loadCheckpoint(dir);
      if (compactOut) {
        await trainer.saveCompactCopy(ckpt, compactOut);
        process.stderr.write(`wrote ${compactOut}: compact checkpoint of step ${ckpt.step} (continue with: onnx-ddpm train --resume-from ${compactOut} --out <run>)\n`);
      }
      if (!out) return 0;
      await trainer.selectBackend(backend);
      const exported = await trainer.exportCheckpoint(ckpt, out, { useEma, opset });
      process.stderr.write(
        `exported ${exported.path}: step ${ckpt.step} of ${ckpt.config.data.spec}, ${useEma ? 'EMA' : 'raw'} weights, ` +
          `${exported.parameterCount} parameters, opset ${opset}, ${exported.bytes} bytes; ` +
          `ONNX Runtime vs TF.js max abs diff ${exported.maxAbsDiff.toExponential(2)}\n`,
      );
      return 0;
    } catch (err) {
      throw trainerUserError(trainer, err) ?? err;
    }
  },
};
