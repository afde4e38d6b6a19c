// Every output path is checked before any work: the built CLI in a child process.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, errorLines, scratchFolder } from './cli-helpers.js';

const path = scratchFolder('paths');

beforeAll(() => {
  writeFileSync(path('a-file'), 'x');
  mkdirSync(path('a-folder'));
});

/** /sys refuses new files even to root. */
const UNWRITABLE = '/sys/x';

describe('output paths are checked before any work, with a message in words', () => {
  const sample = ['sample', '--model', 'img.onnx', '--n', '2', '--steps', '2', '--ep', 'cpu'];
  const train = ['train', '--data', 'toy:moons', '--steps', '5', '--backend', 'cpu', '--preview-every', '0'];
  const cases: [string, string[], RegExp][] = [
    ['sample --out in /sys', [...sample, '--out', `${UNWRITABLE}.png`], /^--out \/sys\/x\.png: cannot create files in \/sys \(permission denied\)$/],
    ['sample --save-npy naming a folder', [...sample, '--save-npy', 'a-folder'], /^--save-npy .*a-folder: is a folder; give a file name$/],
    ['sample --images naming a file', [...sample, '--images', 'a-file'], /^--images .*a-file: is a file, not a folder$/],
    ['sample --frames under a file', [...sample, '--frames', 'a-file/strip.png'], /^--frames .*a-file\/strip\.png: .*a-file is a file, not a folder$/],
    ['train --export in /sys', [...train, '--out', 'run', '--export', `${UNWRITABLE}.onnx`], /^--export \/sys\/x\.onnx: cannot create files in \/sys \(permission denied\)$/],
    ['train --out in /sys', [...train, '--out', `${UNWRITABLE}/run`], /^--out \/sys\/x\/run: cannot create files in \/sys \(permission denied\)$/],
    ['export --out in /sys', ['export', '--checkpoint', 'no-such-run', '--out', `${UNWRITABLE}.onnx`], /^--out \/sys\/x\.onnx: cannot create files in \/sys/],
    ['export --compact-checkpoint naming a file', ['export', '--checkpoint', 'no-such-run', '--compact-checkpoint', 'a-file'], /^--compact-checkpoint .*a-file: is a file, not a folder$/],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const fix = (a: string) => (['img.onnx', 'a-folder', 'a-file', 'a-file/strip.png', 'run', 'no-such-run'].includes(a) ? path(a) : a);
      const before = readdirSync(path('.')).sort();
      const r = cli(args.map(fix));
      expect(r.status).toBe(1);
      const lines = errorLines(r.stderr);
      expect(lines).toHaveLength(1);
      const [command] = args;
      expect(lines[0]!.replace(`onnx-ddpm ${command}: `, '')).toMatch(message);
      // Failed before the work: nothing sampled or trained, nothing written.
      expect(r.stderr).not.toMatch(/sampling|data:|step \d/);
      expect(readdirSync(path('.')).sort()).toEqual(before);
    });
  }
});
