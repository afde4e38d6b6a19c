import { Matrix } from 'ml-matrix';

/** `rows` feature vectors of width `cols`, row-major (one row per image or point). */
export interface FeatureMatrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

/** The rows at `indices` (all rows when omitted) as an ml-matrix Matrix (float64). */
export function toMatrix(f: FeatureMatrix, indices?: ArrayLike<number>): Matrix {
  const picked = indices ?? Uint32Array.from({ length: f.rows }, (_, i) => i);
  const m = new Matrix(picked.length, f.cols);
  for (let i = 0; i < picked.length; i++) {
    const offset = picked[i]! * f.cols;
    for (let j = 0; j < f.cols; j++) m.set(i, j, f.data[offset + j]!);
  }
  return m;
}
