/** Invalid sampling options or a model that does not fit them; the message names the field and value. */
export class SamplerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SamplerError';
  }
}

/** x_t became NaN or ±Infinity during the reverse process; `step` is 1-based, `t` the timestep of that step. */
export class NonFiniteError extends SamplerError {
  constructor(
    readonly step: number,
    readonly totalSteps: number,
    readonly t: number,
    readonly index: number,
    readonly value: number,
  ) {
    super(
      `x_t became ${Number.isNaN(value) ? 'NaN' : value > 0 ? '+Infinity' : '-Infinity'} at reverse step ${step}/${totalSteps} ` +
        `(t=${t}, element ${index}): the model output or the noise is not finite there; sampling stopped`,
    );
    this.name = 'NonFiniteError';
  }
}
