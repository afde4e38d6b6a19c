import { type Command, intFlag, requiredString, stringFlag } from '../command.js';
import { parseBackend, trainerUserError } from './train.js';

export const exportCommand: Command = {
  name: 'export',
  summary: 'export a training checkpoint to ONNX (parity-checked against TF.js)',
  options: {
    checkpoint: { type: 'string', valueName: '<dir>', description: 'checkpoint folder, or a run folder (uses <run>/checkpoint)' },
    out: { type: 'string', valueName: '<model.onnx>', description: 'ONNX file to write (atomically)' },
    'no-ema': { type: 'boolean', description: 'export the raw weights instead of their EMA' },
    opset: { type: 'string', valueName: '<n>', description: 'ONNX opset (13–21)', default: '17' },
    backend: { type: 'string', valueName: '<name>', description: 'TF.js backend of the parity check: auto, tensorflow, wasm or cpu', default: 'auto' },
  },
  async run({ values }) {
    const dir = requiredString(values, 'checkpoint');
    const out = requiredString(values, 'out');
    const opset = intFlag(values, 'opset', 1)!;
    const backend = parseBackend(stringFlag(values, 'backend'));
    const useEma = values['no-ema'] !== true;
    const trainer = await import('@onnx-ddpm/trainer');
    try {
      const ckpt = await trainer.loadCheckpoint(dir);
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
