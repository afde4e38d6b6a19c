/** Metadata keys written by the exporter (docs/DESIGN.md, "The ONNX model contract"). */
export const METADATA_KEYS = {
  schedulerConfig: 'onnx_ddpm.scheduler_config',
  modelConfig: 'onnx_ddpm.model_config',
  scheduleFingerprint: 'onnx_ddpm.schedule_fingerprint',
  training: 'onnx_ddpm.training',
} as const;

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

/** Classes and item shape from our model_config (camelCase) or a diffusers unet/config.json, where it says. */
export function describeModelConfig(c: Record<string, unknown>): { numClasses?: number; sampleShape?: number[] } {
  const classes = c.numClasses ?? c.num_classes ?? c.num_class_embeds;
  const numClasses = classes === null ? 0 : typeof classes === 'number' && Number.isInteger(classes) && classes >= 0 ? classes : undefined;
  const dataDim = positiveInt(c.dataDim ?? c.data_dim);
  const size = positiveInt(c.imageSize ?? c.image_size ?? c.sample_size);
  const channels = positiveInt(c.channels ?? c.in_channels);
  const sampleShape = dataDim ? [dataDim] : size && channels ? [channels, size, size] : undefined;
  return { numClasses, sampleShape };
}
