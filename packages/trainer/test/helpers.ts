// Shared by the trainer tests: a scratch folder per test file, small U-Net configs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { UNetConfig } from '../src/model/index.js';

/** A scratch folder `ddpm-<name>-…` for a test file's runs, made now and removed after its tests. */
export function scratchFolder(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ddpm-${name}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An 8×8 single-channel U-Net of two levels with attention at 4×4 (no classes, no dropout), with `changes` applied. */
export function smallUNet(changes: Partial<UNetConfig> = {}): UNetConfig {
  return { kind: 'unet', imageSize: 8, channels: 1, baseChannels: 8, channelMultipliers: [1, 2], numResBlocks: 1, attentionResolutions: [4], groups: 4, dropout: 0, numClasses: 0, ...changes };
}
