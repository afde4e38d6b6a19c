import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType, encodeModel, type ModelProto } from '@onnx-ddpm/onnx';
import { checkModel, probeChecker } from '@onnx-ddpm/onnx/checker';
import { afterAll, describe, expect, it } from 'vitest';
import { requires, TEST_DEPS } from '../../../test/prereqs.js';
import { buildMlpModel } from './fixtures.js';

const probe = await probeChecker();
const dir = mkdtempSync(join(tmpdir(), 'onnx-checker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function save(name: string, model: ModelProto): string {
  const path = join(dir, name);
  writeFileSync(path, encodeModel(model));
  return path;
}

describe('checkModel without python', () => {
  it('reports available=false when the interpreter is missing', async () => {
    const result = await checkModel(save('any.onnx', buildMlpModel().model), { python: join(dir, 'no-such-python') });
    expect(result).toEqual({ available: false, ok: false, message: expect.stringMatching(/no-such-python not found/) });
  });
});

describe('onnx.checker (full_check)', requires(TEST_DEPS.pythonOnnx), () => {
  it('python3-onnx is available', () => {
    expect(probe.available, probe.message).toBe(true);
    expect(probe.message).toMatch(/^onnx \d+\.\d+/);
  });

  it('accepts a built model', async () => {
    const result = await checkModel(save('mlp.onnx', buildMlpModel({ 'onnx_ddpm.training': '{}' }).model));
    expect(result.message).toMatch(/valid/);
    expect(result).toMatchObject({ available: true, ok: true });
  });

  it('rejects a node whose input is undefined (validation bypassed)', async () => {
    const { model } = buildMlpModel();
    model.graph!.node!.push({ input: ['missing'], output: ['z'], name: 'bad', opType: 'Relu' });
    const result = await checkModel(save('undefined-input.onnx', model));
    expect(result).toMatchObject({ available: true, ok: false });
    expect(result.message).toMatch(/input 'missing' of node:\s*name: bad/);
  });

  it('rejects mismatched element types (float Add int64)', async () => {
    const { model } = buildMlpModel();
    const graph = model.graph!;
    graph.node!.push({ input: ['y', 'shape'], output: ['z'], name: 'typed', opType: 'Add' });
    const shape = { dim: [{ dimParam: 'N' }, { dimValue: 3 }, { dimValue: 1 }] };
    graph.output!.push({ name: 'z', type: { tensorType: { elemType: DataType.FLOAT, shape } } });
    const result = await checkModel(save('bad-type.onnx', model));
    expect(result).toMatchObject({ available: true, ok: false });
    expect(result.message).toMatch(/InferenceError.*node name: typed.*inconsistent type tensor\(int64\)/);
  });

  it('reports a missing file as not ok', async () => {
    const result = await checkModel(join(dir, 'nope.onnx'));
    expect(result).toMatchObject({ available: true, ok: false });
    expect(result.message).toMatch(/nope\.onnx/);
  });
});
