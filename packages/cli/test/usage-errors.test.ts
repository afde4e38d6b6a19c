// Usage errors are found while parsing flags (exit 2, one line, no stack trace), before any work.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli, errorLines, scratchFolder } from './cli-helpers.js';

const path = scratchFolder('usage');

function expectUsageError(args: string[], message: RegExp): void {
  const r = cli(args.map((a) => (a === 'img.onnx' || a === 'run' || a === 'x.onnx' || a === 'x.npy' ? path(a) : a)));
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(r.status).toBe(2);
  expect(errorLines(r.stderr)[0]).toMatch(message);
  // Nothing was sampled, trained or written.
  expect(r.stderr).not.toMatch(/sampling|data:|step \d/);
  expect(readdirSync(path('.'))).toEqual(['img.onnx']);
}

describe('flag values are checked while parsing (exit 2)', () => {
  const sample = ['sample', '--model', 'no-such-model.onnx', '--save-npy', 'x.npy'];
  const cases: [string, string[], RegExp][] = [
    ['--seed 1e300', [...sample, '--seed', '1e300'], /^onnx-ddpm sample: --seed must be an integer in \[0, 2\^53\), got '1e300' \(in decimal digits\)$/],
    ['--seed 2^53', [...sample, '--seed', String(2 ** 53)], /--seed must be an integer in \[0, 2\^53\), got '9007199254740992'/],
    ['--seed -1', [...sample, '--seed=-1'], /--seed must be an integer in \[0, 2\^53\)/],
    ['train --seed 2^32', ['train', '--data', 'toy:moons', '--out', 'run', '--seed', String(2 ** 32)], /--seed must be an integer in \[0, 2\^32\)/],
    ['--guidance 1e999', [...sample, '--guidance', '1e999'], /--guidance must be a number, got '1e999'/],
    ['--eta 0x1', [...sample, '--eta', '0x1'], /--eta must be a number, got '0x1'/],
    ['export --opset 12', ['export', '--checkpoint', 'no-such-run', '--out', 'x.onnx', '--opset', '12'], /^onnx-ddpm export: --opset must be in \[13, 21\], got 12$/],
    ['export --opset 99', ['export', '--checkpoint', 'no-such-run', '--out', 'x.onnx', '--opset', '99'], /--opset must be in \[13, 21\], got 99/],
    [
      'train --export --opset 99, before training',
      ['train', '--data', 'toy:moons', '--out', 'run', '--steps', '5', '--export', 'x.onnx', '--opset', '99', '--backend', 'cpu'],
      /^onnx-ddpm train: --opset must be in \[13, 21\], got 99$/,
    ],
    ['--workers 100000', ['train', '--data', 'toy:moons', '--out', 'run', '--workers', '100000'], /--workers must be an integer in \[1, 256\]/],
  ];
  for (const [what, args, message] of cases) it(what, () => expectUsageError(args, message));
});

describe('flags that do not fit the model exit 2 alike', () => {
  const sample = ['sample', '--model', 'img.onnx', '--n', '2', '--ep', 'cpu', '--save-npy', 'x.npy'];
  it('--guidance on an unconditional model', () => expectUsageError([...sample, '--guidance', '3'], /^onnx-ddpm sample: --guidance needs a class-conditional model; img\.onnx is unconditional$/));
  it('--class on an unconditional model', () => expectUsageError([...sample, '--class', '1'], /^onnx-ddpm sample: --class needs a class-conditional model/));
  it('--steps above T', () => expectUsageError([...sample, '--steps', '51'], /--steps must be in \[1, 50\] for this model \(T = 50\), got 51/));
});

describe('did you mean', () => {
  it('a mistyped command', () => {
    const r = cli(['smaple', '--model', 'm.onnx']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("onnx-ddpm: unknown command 'smaple'; did you mean 'sample'?\n");
    expect(cli(['exprot']).stderr).toMatch(/did you mean 'export'\?/);
    expect(cli(['trian']).stderr).toMatch(/did you mean 'train'\?/);
  });

  it('an unknown command far from any lists the commands', () => {
    const r = cli(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^onnx-ddpm: unknown command 'frobnicate'\n\nUsage: onnx-ddpm <command>/);
  });

  it('a mistyped flag', () => {
    const r = cli(['sample', '--model', 'm.onnx', '--sed', '1']);
    expect(r.status).toBe(2);
    expect(errorLines(r.stderr)[0]).toBe('onnx-ddpm sample: unknown flag --sed (did you mean --seed?)');
    expect(cli(['train', '--steps', '5', '--lr-rate', '1']).stderr).toMatch(/unknown flag --lr-rate\n/);
  });
});
