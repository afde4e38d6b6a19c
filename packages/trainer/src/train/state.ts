/** Everything a replica's next update depends on besides the batch, as plain arrays in the model's params order. */
export interface ReplicaState {
  weights: Float32Array[];
  ema: Float32Array[];
  adamM: Float32Array[];
  adamV: Float32Array[];
}

/** A deep copy, so a caller can keep it while training goes on. */
export function cloneState(state: ReplicaState): ReplicaState {
  const copy = (arrays: Float32Array[]) => arrays.map((a) => a.slice());
  return { weights: copy(state.weights), ema: copy(state.ema), adamM: copy(state.adamM), adamV: copy(state.adamV) };
}

/** Throws unless `state` has one array of the right size per parameter in each of its four parts. */
export function checkStateShape(state: ReplicaState, sizes: number[], where: string): void {
  for (const part of ['weights', 'ema', 'adamM', 'adamV'] as const) {
    const arrays = state[part];
    if (arrays.length !== sizes.length) {
      throw new Error(`${where}: ${part} has ${arrays.length} tensors but the model has ${sizes.length} parameters`);
    }
    arrays.forEach((a, i) => {
      if (a.length !== sizes[i]) {
        throw new Error(`${where}: ${part}[${i}] has ${a.length} values but the model's parameter ${i} has ${sizes[i]}`);
      }
    });
  }
}
