import * as tf from '@tensorflow/tfjs-core';

type Inputs = Record<string, tf.TensorInfo | undefined>;
type Attrs = Record<string, unknown>;

/** Floating-point operations (2 per multiply-add) of the products in one kernel call, from its shapes; 0 for other kernels. */
export function kernelFlops(name: string, inputs: Inputs, attrs: Attrs): number {
  const shape = (key: string) => inputs[key]?.shape ?? [];
  const size = (key: string) => shape(key).reduce((p, d) => p * d, 1);
  switch (name) {
    case tf.Conv2D:
    case tf.FusedConv2D: {
      const [kh, kw, ci, co] = shape('filter') as [number, number, number, number];
      const out = tf.backend_util.computeConv2DInfo(
        shape('x') as [number, number, number, number],
        [kh, kw, ci, co],
        attrs['strides'] as number,
        (attrs['dilations'] as number | undefined) ?? 1,
        attrs['pad'] as 'same',
        attrs['dimRoundingMode'] as 'floor' | undefined,
      );
      return 2 * out.batchSize * out.outHeight * out.outWidth * co * kh * kw * ci;
    }
    case tf.Conv2DBackpropInput: {
      // dy [N, OH, OW, Co] against filter [KH, KW, Ci, Co]: each dy element meets KH·KW·Ci weights.
      const [kh, kw, ci] = shape('filter') as [number, number, number];
      return 2 * size('dy') * kh * kw * ci;
    }
    case tf.Conv2DBackpropFilter: {
      const [kh, kw, ci] = attrs['filterShape'] as [number, number, number];
      return 2 * size('dy') * kh * kw * ci;
    }
    case tf.BatchMatMul:
    case tf._FusedMatMul: {
      const a = shape('a');
      const b = shape('b');
      const m = attrs['transposeA'] ? a[a.length - 1]! : a[a.length - 2]!;
      const k = attrs['transposeA'] ? a[a.length - 2]! : a[a.length - 1]!;
      const n = attrs['transposeB'] ? b[b.length - 2]! : b[b.length - 1]!;
      const batches = (s: number[]) => s.slice(0, -2).reduce((p, d) => p * d, 1);
      return 2 * Math.max(batches(a), batches(b)) * m * k * n;
    }
    default:
      return 0;
  }
}

/** One kernel (by name, and by the kernel it ran inside, if any): calls, self time, self FLOPs. */
export interface KernelRow {
  /** e.g. "Conv2D" or "Conv2D ⊂ Conv2DBackpropInput" (run by our gradient kernel). */
  name: string;
  calls: number;
  /** Wall time minus the time of the kernels it ran itself. */
  selfMs: number;
  /** The same in CPU time of this process (less than wall time when other processes take the cores). */
  selfCpuMs: number;
  /** Its FLOPs minus those of the kernels it ran itself. */
  flops: number;
}

/** Self time of the kernels run for one model block in one direction. */
export interface BlockRow {
  block: string;
  phase: 'forward' | 'backward';
  /** Forward calls of the block (backward rows repeat them). */
  calls: number;
  ms: number;
  cpuMs: number;
  flops: number;
}

/** Label of kernels run outside every block (the loss, concatenations, gradient accumulation). */
export const OUTSIDE_BLOCKS = '(outside blocks)';

/** A kernel call in progress: its name and what the kernels it ran took. */
interface Frame {
  name: string;
  childMs: number;
  childCpuMs: number;
  childFlops: number;
}

/** CPU time (user + system) this process has used, in ms. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

interface TapeNode {
  gradient?: (dys: tf.Tensor[]) => Record<string, () => tf.Tensor>;
}

/** The engine internals the profiler hooks: kernel calls and the gradient tape. */
interface HookableEngine {
  runKernel: (name: string, inputs: Inputs, attrs: Attrs) => tf.TensorInfo | tf.TensorInfo[];
  addTapeNode: (...args: unknown[]) => void;
  state: { activeTape: TapeNode[] | null };
}

/**
 * Per-kernel and per-block timing of TF.js work on the current backend. While started it wraps the
 * engine's runKernel (self time and FLOPs per kernel, nested kernels subtracted from their caller)
 * and the gradient tape (a backward kernel is charged to the block whose forward op recorded it).
 * Blocks are marked by running their forward pass through `block()`; the outermost block wins.
 * Kernels are synchronous on wasm and cpu, so wall time per call is the kernel's time; CPU time
 * (process-wide, so meant for a process with one busy thread) is what the kernel costs when the
 * cores are shared with other work.
 */
export class KernelProfiler {
  private readonly kernelRows = new Map<string, KernelRow>();
  private readonly blockRows = new Map<string, BlockRow>();
  private readonly frames: Frame[] = [];
  /** The block being run forward (the outermost one), or whose gradient is running. */
  private current: { block: string; phase: 'forward' | 'backward' } | null = null;
  private sawBackward = false;
  private restore: (() => void) | null = null;

  /** Hooks the engine; idempotent. */
  start(): void {
    if (this.restore) return;
    const engine = tf.engine() as unknown as HookableEngine;
    const runKernel = engine.runKernel;
    const addTapeNode = engine.addTapeNode;
    engine.runKernel = (name, inputs, attrs) => this.timeKernel(name, inputs, attrs, () => runKernel.call(engine, name, inputs, attrs));
    engine.addTapeNode = (...args: unknown[]) => {
      addTapeNode.apply(engine, args);
      const tape = engine.state.activeTape;
      const node = tape?.[tape.length - 1];
      if (node?.gradient) node.gradient = this.chargedGradient(node.gradient);
    };
    this.restore = () => {
      engine.runKernel = runKernel;
      engine.addTapeNode = addTapeNode;
    };
  }

  /** Unhooks the engine; the rows gathered so far stay. */
  stop(): void {
    this.restore?.();
    this.restore = null;
  }

  /** Starts a new training step: kernels outside blocks count as forward until the first gradient runs. */
  beginStep(): void {
    this.sawBackward = false;
  }

  /** Runs `fn` (a block's forward pass) with its kernels, and later its gradients, charged to `label`. */
  block<T>(label: string, fn: () => T): T {
    if (this.current != null || !this.restore) return fn();
    this.addBlockCall(label);
    this.current = { block: label, phase: 'forward' };
    try {
      return fn();
    } finally {
      this.current = null;
    }
  }

  kernels(): KernelRow[] {
    return [...this.kernelRows.values()].sort((a, b) => b.selfMs - a.selfMs);
  }

  blocks(): BlockRow[] {
    return [...this.blockRows.values()].sort((a, b) => b.ms - a.ms);
  }

  private blockRow(block: string, phase: 'forward' | 'backward'): BlockRow {
    const key = `${phase}\u0000${block}`;
    let row = this.blockRows.get(key);
    if (!row) {
      row = { block, phase, calls: 0, ms: 0, cpuMs: 0, flops: 0 };
      this.blockRows.set(key, row);
    }
    return row;
  }

  private addBlockCall(label: string): void {
    this.blockRow(label, 'forward').calls++;
    this.blockRow(label, 'backward').calls++;
  }

  private chargedGradient(gradient: NonNullable<TapeNode['gradient']>): NonNullable<TapeNode['gradient']> {
    const owner = this.current?.block ?? null;
    const charged = <T>(fn: () => T): T => {
      this.sawBackward = true;
      if (owner == null) return fn();
      const previous = this.current;
      this.current = { block: owner, phase: 'backward' };
      try {
        return fn();
      } finally {
        this.current = previous;
      }
    };
    return (dys) => {
      const grads = charged(() => gradient(dys));
      const out: Record<string, () => tf.Tensor> = {};
      for (const [input, fn] of Object.entries(grads)) out[input] = () => charged(fn);
      return out;
    };
  }

  private timeKernel(name: string, inputs: Inputs, attrs: Attrs, run: () => tf.TensorInfo | tf.TensorInfo[]): tf.TensorInfo | tf.TensorInfo[] {
    const flops = kernelFlops(name, inputs, attrs);
    const parent = this.frames[this.frames.length - 1]?.name;
    const frame: Frame = { name, childMs: 0, childCpuMs: 0, childFlops: 0 };
    this.frames.push(frame);
    const c0 = cpuMs();
    const t0 = performance.now();
    try {
      return run();
    } finally {
      const ms = performance.now() - t0;
      const cpu = cpuMs() - c0;
      this.frames.pop();
      const outer = this.frames[this.frames.length - 1];
      if (outer) {
        outer.childMs += ms;
        outer.childCpuMs += cpu;
        outer.childFlops += flops;
      }
      const selfMs = ms - frame.childMs;
      const selfCpuMs = cpu - frame.childCpuMs;
      const selfFlops = Math.max(0, flops - frame.childFlops);
      const key = parent == null ? name : `${name} ⊂ ${parent}`;
      const row = this.kernelRows.get(key) ?? { name: key, calls: 0, selfMs: 0, selfCpuMs: 0, flops: 0 };
      row.calls++;
      row.selfMs += selfMs;
      row.selfCpuMs += selfCpuMs;
      row.flops += selfFlops;
      this.kernelRows.set(key, row);
      const where = this.current ?? { block: OUTSIDE_BLOCKS, phase: this.sawBackward ? 'backward' : 'forward' };
      const blockRow = this.blockRow(where.block, where.phase);
      blockRow.ms += selfMs;
      blockRow.cpuMs += selfCpuMs;
      blockRow.flops += selfFlops;
    }
  }
}
