import { encodeModel, GraphBuilder } from '@onnx-ddpm/onnx';

/** A tiny model (y = relu(x·W + b), x float32 [N, 4]) for checking that a provider can run anything. */
export function probeModelBytes(): Uint8Array {
  const g = new GraphBuilder({ name: 'onnx_ddpm_probe' });
  const x = g.input('x', 'float32', ['N', 4]);
  const w = g.initializer('w', 'float32', [4, 4], Float32Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0.25)));
  const b = g.initializer('b', 'float32', [4], new Float32Array([0.5, -0.5, 1, -1]));
  const [xw] = g.node('MatMul', [x, w]);
  const [sum] = g.node('Add', [xw!, b]);
  g.node('Relu', [sum!], {}, { outputs: ['y'] });
  g.output('y', 'float32', ['N', 4]);
  return encodeModel(g.build({ producerName: 'onnx-ddpm' }));
}
