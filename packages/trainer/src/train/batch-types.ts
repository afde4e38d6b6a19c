/** One training batch, already sampled: x0 and ε are NHWC (or [N, D]) float32, t are timesteps in [0, T). */
export interface TrainBatch {
  x0: Float32Array;
  eps: Float32Array;
  t: Int32Array;
  /** Class labels after label dropout (numClasses = "no label"), or null for an unconditional model. */
  labels: Int32Array | null;
  /** Shape of x0: [N, H, W, C] or [N, D]. */
  shape: number[];
  /** Seeds the model's dropout masks for this batch. */
  dropoutSeed: number;
}
