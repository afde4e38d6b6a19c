import type { Command } from '../command.js';
import { benchCommand } from './bench.js';
import { doctorCommand } from './doctor.js';
import { evalCommand } from './eval.js';
import { exportCommand } from './export.js';
import { inspectCommand } from './inspect.js';
import { interpolateCommand } from './interpolate.js';
import { invertCommand } from './invert.js';
import { mergeCommand } from './merge.js';
import { parityCommand } from './parity.js';
import { noiseCommand } from './noise.js';
import { sampleCommand } from './sample.js';
import { trainCommand } from './train.js';

export const commands: Command[] = [
  trainCommand,
  exportCommand,
  sampleCommand,
  noiseCommand,
  inspectCommand,
  doctorCommand,
  parityCommand,
  benchCommand,
  evalCommand,
  mergeCommand,
  invertCommand,
  interpolateCommand,
];
