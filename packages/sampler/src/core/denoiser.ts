/** What the reverse loop needs from a denoising network, whatever runtime runs it. */
export interface DenoiserModel {
  /**
   * One forward pass. `sample` is float32 [N, ...info.sampleShape] (NCHW images or [N, D] points),
   * `timestep` one value per item, `classLabels` one per item (`numClasses` = "no label") or null for
   * an unconditional model. Returns the prediction (ε, x̂_0 or v per the scheduler's
   * `prediction_type`) with the same shape. The returned array may be reused by the next call.
   */
  predict(
    sample: Float32Array,
    shape: readonly number[],
    timestep: Int32Array,
    classLabels: Int32Array | null,
  ): Promise<Float32Array>;
  readonly info: DenoiserInfo;
}

export interface DenoiserInfo {
  /** Shape of one item, without the batch dimension: [C, H, W] or [D]. */
  sampleShape: readonly number[];
  /** 0 for an unconditional model; otherwise labels 0..numClasses−1 and numClasses = "no label". */
  numClasses: number;
  name: string;
}
