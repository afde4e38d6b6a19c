// Shared by the CLI tests: the built CLI in a child process, and small ONNX models to sample.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SCHEDULER_CONFIG, fingerprint, type SchedulerConfig, schedulerConfigToJSON } from '@onnx-ddpm/schedule';
import { afterAll, beforeAll } from 'vitest';
import { buildLinearModel, gaussianDataCoefficients, testValues } from '../../sampler/test/node-test-models.js';

export const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/main.js');
/** The committed models (models/ at the repository root) that CLI tests run with few steps. */
export const FASHION_MODEL = fileURLToPath(new URL('../../../models/fashion-mnist.onnx', import.meta.url));
export const SCURVE_MODEL = fileURLToPath(new URL('../../../models/s-curve.onnx', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function requireBuiltCli(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run 'pnpm build' before the CLI tests`);
}

/**
 * A test file's scratch folder `onnx-ddpm-<name>-…` holding `files()` (default: `img.onnx`, `tinyImageModel()`),
 * made before its tests (once the CLI is known to be built) and removed after them; returns the path of a name in it.
 */
export function scratchFolder(name: string, files = (): Record<string, Uint8Array | string> => ({ 'img.onnx': tinyImageModel() })): (file: string) => string {
  let dir = '';
  beforeAll(() => {
    requireBuiltCli();
    dir = mkdtempSync(join(tmpdir(), `onnx-ddpm-${name}-`));
    for (const [file, bytes] of Object.entries(files())) writeFileSync(join(dir, file), bytes);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (file) => join(dir, file);
}

/** Runs `onnx-ddpm …` to completion. */
export function cli(args: string[], options: { cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 120_000, ...options });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `onnx-ddpm …` and returns the child and a promise of its result. */
export function cliAsync(args: string[]) {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<CliResult>((resolveDone) => child.on('close', (status) => resolveDone({ status, stdout, stderr })));
  return { child, done, stderr: () => stderr };
}

/** The pid of a process that has exited (as a killed writer's is). */
export function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}

/** stderr lines without the progress lines. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() !== '' && !/^sampling /.test(l));
}

/** A linear ε-model of 1×4×4 images (T = 50), `numClasses` > 0 makes it class-conditional. */
export function tinyImageModel(numClasses = 0, config: Partial<SchedulerConfig> = {}): Uint8Array {
  const cfg: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: 50, ...config };
  const T = cfg.num_train_timesteps;
  return buildLinearModel({
    itemShape: [1, 4, 4],
    a: gaussianDataCoefficients(T, cfg.beta_start, cfg.beta_end, 0.5),
    w: testValues(16, 1),
    T,
    ...(numClasses > 0 ? { classTable: testValues((numClasses + 1) * 16, 2) } : {}),
    metadata: {
      'onnx_ddpm.scheduler_config': schedulerConfigToJSON(cfg),
      'onnx_ddpm.model_config': JSON.stringify({ model_type: 'unet', sample_size: 4, in_channels: 1, num_classes: numClasses }),
      'onnx_ddpm.schedule_fingerprint': fingerprint(cfg),
    },
  });
}
