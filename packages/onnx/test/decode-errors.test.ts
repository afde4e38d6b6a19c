import { decodeModel, encodeModel, OnnxDecodeError } from '@onnx-ddpm/onnx';
import { describe, expect, it } from 'vitest';
import { buildMlpModel, seededUniform } from './fixtures.js';

const expectNotOnnx = (bytes: Uint8Array | ArrayBuffer, detail: RegExp) => {
  let error: unknown;
  try {
    decodeModel(bytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(OnnxDecodeError);
  expect((error as Error).message).toMatch(/^not an ONNX model: /);
  expect((error as Error).message).toMatch(detail);
};

describe('decodeModel rejects non-ONNX input', () => {
  const valid = encodeModel(buildMlpModel().model);

  it('accepts the valid model (as Uint8Array and ArrayBuffer)', () => {
    expect(decodeModel(valid).graph?.name).toBe('mlp');
    expect(decodeModel(valid.slice().buffer).graph?.name).toBe('mlp');
  });

  it('an empty file', () => expectNotOnnx(new Uint8Array(0), /empty \(0 bytes\)/));

  it('truncated bytes (cut inside the graph)', () => {
    // The graph (field 7) follows the short header fields; any cut inside it leaves a length prefix unsatisfied.
    for (const keep of [25, 60, Math.floor(valid.length / 2), valid.length - 40]) {
      expectNotOnnx(valid.subarray(0, keep), /ends early \(truncated\?\).*index out of range/);
    }
  });

  it('random bytes', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const noise = Uint8Array.from(seededUniform(seed, 256), (v) => Math.floor((v + 1) * 128));
      expectNotOnnx(noise, /.+/);
    }
  });

  it('a PNG image', () => {
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1);
    expectNotOnnx(png, /look like a PNG image/);
  });

  it('a JSON file', () => {
    const json = new TextEncoder().encode('  {"num_train_timesteps": 1000, "beta_schedule": "linear"}\n');
    expectNotOnnx(json, /look like JSON text/);
    expectNotOnnx(new TextEncoder().encode('[1, 2]'), /JSON text/);
  });

  it('a protobuf message without graph or without ir_version', () => {
    expectNotOnnx(encodeModel({ irVersion: 8, producerName: 'x' }), /ModelProto\.graph is missing/);
    expectNotOnnx(encodeModel({ graph: { name: 'g' } }), /ModelProto\.ir_version is missing/);
    // Text that is not JSON decodes as protobuf garbage or fails; either way it is rejected.
    expectNotOnnx(new TextEncoder().encode('hello world, not a model'), /.+/);
  });
});
