import { DDPM_IO_NAMES, encodeModel, GraphBuilder, writeDdpmMetadata } from '@onnx-ddpm/onnx';
import { fingerprint, type SchedulerConfig, schedulerConfigToJSON } from '@onnx-ddpm/schedule';
import { unetTimeDim } from './config.js';
import { OnnxEmitter } from './emitter.js';
import type { EpsNet } from './eps-net.js';

/** Opsets the exporter can write (Unsqueeze/Softmax need 13; 17 is the default). */
export const MIN_EXPORT_OPSET = 13;
export const MAX_EXPORT_OPSET = 21;
export const DEFAULT_EXPORT_OPSET = 17;

export interface ExportOnnxOptions {
  /** Its current variable values are exported. */
  model: EpsNet;
  schedulerConfig: SchedulerConfig;
  /** Free-form training facts (dataset, steps, batch, EMA decay, final loss, backend). */
  training: Record<string, unknown>;
  opset?: number;
}

/** The `onnx_ddpm.model_config` object: sizes, num_classes, every hyper-parameter, parameter count. */
function modelConfigMetadata(model: EpsNet): Record<string, unknown> {
  const c = model.config;
  if (c.kind === 'mlp') {
    return {
      model_type: 'mlp',
      data_dim: c.dataDim,
      num_classes: c.numClasses,
      hidden: c.hidden,
      layers: c.layers,
      time_embed_dim: c.timeEmbedDim,
      activation: 'silu',
      parameter_count: model.parameterCount(),
    };
  }
  return {
    model_type: 'unet',
    sample_size: c.imageSize,
    in_channels: c.channels,
    out_channels: c.channels,
    num_classes: c.numClasses,
    base_channels: c.baseChannels,
    channel_multipliers: c.channelMultipliers,
    num_res_blocks: c.numResBlocks,
    attention_resolutions: c.attentionResolutions,
    norm_num_groups: c.groups,
    dropout: c.dropout,
    time_embed_dim: unetTimeDim(c),
    activation: 'silu',
    parameter_count: model.parameterCount(),
  };
}

/**
 * Builds the ONNX model (the contract of @onnx-ddpm/onnx's ddpm-contract.ts, docs/DESIGN.md): inputs `sample` float32 [N, C, H, W]
 * ([N, D] for the MLP), `timestep` int64 [N], `class_labels` int64 [N] when the model is
 * class-conditional; output `out_sample` shaped like `sample`; NCHW throughout; metadata
 * scheduler config, model config, schedule fingerprint and training facts.
 */
export function exportOnnx(opts: ExportOnnxOptions): Uint8Array {
  const { model } = opts;
  const opset = opts.opset ?? DEFAULT_EXPORT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_EXPORT_OPSET || opset > MAX_EXPORT_OPSET) {
    throw new Error(`exportOnnx: opset ${opset} is not supported (${MIN_EXPORT_OPSET}–${MAX_EXPORT_OPSET})`);
  }
  const c = model.config;
  const graph = new GraphBuilder({ opset, name: c.kind === 'unet' ? 'ddpm_eps_unet' : 'ddpm_eps_mlp' });
  const dims = c.kind === 'unet' ? ['N', c.channels, c.imageSize, c.imageSize] : ['N', c.dataDim];
  const names = DDPM_IO_NAMES;
  graph.input(names.sample, 'float32', dims);
  graph.input(names.timestep, 'int64', ['N']);
  if (c.numClasses > 0) graph.input(names.classLabels, 'int64', ['N']);
  model.emitOnnx(new OnnxEmitter(graph), {
    sample: names.sample,
    timestep: names.timestep,
    classLabels: c.numClasses > 0 ? names.classLabels : null,
    outSample: names.outSample,
  });
  graph.output(names.outSample, 'float32', dims);
  const proto = graph.build({
    docString: `DDPM ε-prediction ${c.kind === 'unet' ? 'U-Net' : 'MLP'} trained with TensorFlow.js (onnx-ddpm)`,
    metadata: writeDdpmMetadata({
      schedulerConfigJson: schedulerConfigToJSON(opts.schedulerConfig),
      modelConfig: modelConfigMetadata(model),
      scheduleFingerprint: fingerprint(opts.schedulerConfig),
      training: opts.training,
    }),
  });
  return encodeModel(proto);
}
