import { DataType, decodeModel, encodeModel, type ModelProto, type ValueInfoProto } from '@onnx-ddpm/onnx';
import * as ort from 'onnxruntime-node';
import { countMacs, type FlopCount, initializerShapes, macShapeNames } from './model-flops.js';

function zeroTensor(info: ValueInfoProto, dims: number[]): ort.Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  switch (info.type?.tensorType?.elemType) {
    case DataType.FLOAT:
      return new ort.Tensor('float32', new Float32Array(n), dims);
    case DataType.INT64:
      return new ort.Tensor('int64', new BigInt64Array(n), dims);
    case DataType.INT32:
      return new ort.Tensor('int32', new Int32Array(n), dims);
    default:
      throw new Error(`cannot feed input '${info.name}' of ONNX data type ${info.type?.tensorType?.elemType} to count FLOPs`);
  }
}

/**
 * Counts a model's Conv/ConvTranspose/MatMul/Gemm multiply-accumulates for one forward pass on
 * a batch of `sampleShape` ([N, ...item]): the shapes of those nodes' inputs and outputs are
 * taken from one onnxruntime CPU run of the model with them exposed as extra outputs (zeros as
 * input), so any op between them is handled by ORT itself. Inputs other than `sample` get
 * [N] (rank 1), [] (scalar) or their fixed dims.
 */
export async function measureModelFlops(model: Uint8Array | ModelProto, sampleShape: readonly number[]): Promise<FlopCount> {
  const proto = model instanceof Uint8Array ? decodeModel(model) : model;
  const graph = proto.graph ?? {};
  const known = initializerShapes(proto);
  const batch = sampleShape[0]!;
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of graph.input ?? []) {
    const name = input.name ?? '';
    if (known.has(name)) continue; // an initializer listed as input (IR < 4)
    const declared = input.type?.tensorType?.shape?.dim ?? [];
    const dims =
      name === 'sample'
        ? [...sampleShape]
        : declared.map((d, i) => {
            if (d.dimValue !== undefined) return Number(d.dimValue);
            if (i === 0) return batch;
            throw new Error(`input '${name}' has a symbolic dimension ${i} (${d.dimParam ?? '?'}); cannot choose its size`);
          });
    feeds[name] = zeroTensor(input, dims);
    known.set(name, dims);
  }
  const probe = macShapeNames(proto).filter((n) => !known.has(n));
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  const probed: ModelProto = {
    ...proto,
    graph: { ...graph, output: [...(graph.output ?? []), ...probe.filter((n) => !outputs.has(n)).map((name) => ({ name }))] },
  };
  const session = await ort.InferenceSession.create(encodeModel(probed), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'disabled',
    logSeverityLevel: 3,
  });
  try {
    const result = probe.length ? await session.run(feeds, probe) : {};
    for (const name of probe) known.set(name, [...result[name]!.dims]);
  } finally {
    await session.release();
  }
  return countMacs(proto, (name) => known.get(name));
}
