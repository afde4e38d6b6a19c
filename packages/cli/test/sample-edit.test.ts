// `onnx-ddpm sample` editing and sharding flags and `onnx-ddpm merge`, through the built CLI on the
// committed models (few steps, few samples): img2img limits, inpainting's kept region, bad input,
// and shards run with `xargs -P 2` merging to the bytes of one run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { decodeNpy, encodeImages, encodeNpy } from '@onnx-ddpm/sampler/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli as runCli, errorLines, FASHION_MODEL, MAIN, SCURVE_MODEL, scratchFolder } from './cli-helpers.js';

const FASHION = FASHION_MODEL;
const SCURVE = SCURVE_MODEL;
const p = scratchFolder('sample-edit', () => ({}));
/** `onnx-ddpm …` with its progress lines left out of stderr. */
function cli(args: string[]) {
  const r = runCli(args);
  return { ...r, stderr: errorLines(r.stderr).join('\n') };
}
const npy = (name: string) => decodeNpy(readFileSync(p(name)));
const fashion = ['sample', '--model', FASHION, '--ep', 'cpu', '--method', 'ddim', '--steps', '4'];

let init: Float32Array;
beforeAll(async () => {
  // Two 28×28 gray init images (a gradient and a box) and a mask keeping the left half.
  init = new Float32Array(2 * 784);
  for (let i = 0; i < 784; i++) {
    const [y, x] = [Math.floor(i / 28), i % 28];
    init[i] = Math.fround(Math.round((x / 27) * 255) / 127.5 - 1);
    init[784 + i] = x > 6 && x < 21 && y > 4 && y < 23 ? 1 : -1;
  }
  mkdirSync(p('init'));
  const pngs = await encodeImages(init, [2, 1, 28, 28]);
  for (const [i, png] of pngs.entries()) writeFileSync(p(`init/${i}.png`), png);
  const mask = Float32Array.from({ length: 784 }, (_, i) => (i % 28 < 14 ? 1 : -1));
  writeFileSync(p('mask.png'), (await encodeImages(mask, [1, 1, 28, 28]))[0]!);
  writeFileSync(p('big.png'), (await encodeImages(new Float32Array(32 * 32).fill(0.3), [1, 1, 32, 32]))[0]!);
});

describe('img2img and inpainting', () => {
  it('strength 0 returns the init images exactly; strength 1 is sampling from noise with the same seed, byte for byte', () => {
    expect(cli([...fashion, '--n', '2', '--init', p('init'), '--strength', '0', '--save-npy', p('s0.npy')]).status).toBe(0);
    expect(Array.from(npy('s0.npy').data)).toEqual(Array.from(init));
    expect(cli([...fashion, '--n', '2', '--seed', '4', '--init', p('init'), '--strength', '1', '--save-npy', p('s1.npy')]).status).toBe(0);
    expect(cli([...fashion, '--n', '2', '--seed', '4', '--save-npy', p('plain.npy')]).status).toBe(0);
    expect(readFileSync(p('s1.npy')).equals(readFileSync(p('plain.npy')))).toBe(true);
    expect(cli([...fashion, '--n', '2', '--seed', '4', '--init', p('init'), '--strength', '0.5', '--save-npy', p('s05.npy')]).status).toBe(0);
    const half = npy('s05.npy').data;
    expect(half.some((v, i) => v !== init[i])).toBe(true);
    expect(half.some((v, i) => v !== npy('plain.npy').data[i])).toBe(true);
  });

  it('inpainting keeps the white mask region of the init exactly (with resampling) and fills the rest', () => {
    const r = cli([...fashion, '--n', '3', '--init', p('init'), '--mask', p('mask.png'), '--resample', '2', '--save-npy', p('inpaint.npy')]);
    expect(r.status, r.stderr).toBe(0);
    const { data, shape } = npy('inpaint.npy');
    expect(shape).toEqual([3, 1, 28, 28]);
    for (let i = 0; i < data.length; i++) {
      const src = init[i % 1568]!; // sample 2 uses init 0 again
      if (i % 28 < 14) expect(data[i]).toBe(src);
    }
    expect(data.some((v, i) => i % 28 >= 14 && v !== init[i % 1568])).toBe(true);
    // A .npy mask broadcasts NumPy-style: [28, 1] keeps the top 14 rows of every image.
    writeFileSync(p('rows.npy'), encodeNpy(Float32Array.from({ length: 28 }, (_, y) => (y < 14 ? 1 : 0)), [28, 1]));
    expect(cli([...fashion, '--n', '2', '--init', p('init'), '--mask', p('rows.npy'), '--save-npy', p('rows-out.npy')]).status).toBe(0);
    const rows = npy('rows-out.npy').data;
    for (let i = 0; i < rows.length; i++) if (Math.floor((i % 784) / 28) < 14) expect(rows[i]).toBe(init[i]);
    expect(rows.some((v, i) => Math.floor((i % 784) / 28) >= 14 && v !== init[i])).toBe(true);
  });

  it('bad input is a usage error naming the problem, and nothing is written', () => {
    const out = p('never.npy');
    writeFileSync(p('square.npy'), encodeNpy(new Float32Array(9), [3, 3]));
    const cases: [string[], RegExp][] = [
      [['--init', p('big.png')], /--init .*big.png is 32×32 gray; the model takes 28×28 gray images \(refused; give --resize to resize it\)/],
      [['--init', p('init'), '--strength', '1.5'], /--strength must be in \[0, 1\], got 1.5/],
      [['--strength', '0.5'], /--strength needs --init/],
      [['--init', p('init'), '--mask', p('big.png')], /--mask mask .*big.png is 32×32; the init images are 28×28/],
      [['--init', p('init'), '--resample', '2'], /--resample applies to inpainting/],
      [['--init', p('init'), '--mask', p('square.npy')], /--mask .*square.npy has shape \[3, 3\], which does not broadcast to the init's \[2, 1, 28, 28\]/],
      [['--shard', '3/3'], /--shard: shard index must be in \[0, 2\] for 3 shards, got 3\/3/],
      [['--n', '5', '--shard', '3/4'], /shard 3\/4 of 5 samples is empty/],
    ];
    for (const [args, message] of cases) {
      const r = cli([...fashion, '--n', '2', ...args, '--save-npy', out]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
    }
    const resized = cli([...fashion, '--n', '1', '--init', p('big.png'), '--resize', '--strength', '0', '--save-npy', p('resized.npy')]);
    expect(resized.status).toBe(0);
    expect(resized.stderr).toMatch(/warning: --init .*big.png: resized 32×32 gray to 28×28 gray/);
  });
});

describe('sharded sampling and merge', () => {
  const scurve = ['sample', '--model', SCURVE, '--ep', 'cpu', '--method', 'ddpm', '--steps', '20', '--seed', '11', '--n', '10'];

  it('3 shards run with xargs -P 2 merge to the bytes of one run (.npy and the scatter PNG)', () => {
    expect(cli([...scurve, '--save-npy', p('full.npy'), '--out', p('full.png')]).status).toBe(0);
    mkdirSync(p('shards'));
    const args = [MAIN, ...scurve, '--shard', '{}/3', '--save-npy', p('shards/s{}.npy')].map((a) => `'${a}'`).join(' ');
    execFileSync('sh', ['-c', `printf '0\\n1\\n2\\n' | xargs -P 2 -I{} ${process.execPath} ${args}`], { stdio: 'pipe' });
    const meta = JSON.parse(readFileSync(p('shards/s1.npy.json'), 'utf8'));
    expect([meta.first, meta.count, meta.run.seed, meta.run.modelSha256]).toEqual([4, 4, 11, expect.stringMatching(/^sha256:[0-9a-f]{64}$/)]);
    const shards = [2, 0, 1].map((i) => p(`shards/s${i}.npy`));
    const r = cli(['merge', ...shards, '--out', p('all.npy'), '--out', p('all.png')]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(p('all.npy')).equals(readFileSync(p('full.npy')))).toBe(true);
    expect(readFileSync(p('all.png')).equals(readFileSync(p('full.png')))).toBe(true);
    // eval takes the merged shards instead of sampling.
    const ev = cli(['eval', '--model', SCURVE, '--ep', 'cpu', '--samples', p('all.npy'), '--projections', '20', '--json']);
    expect(ev.status, ev.stderr).toBe(0);
    const report = JSON.parse(ev.stdout);
    expect([report.n, report.rows.length, report.rows[0].method]).toEqual([10, 1, 'all.npy']);
    expect(report.rows[0].metrics.swd).toBeGreaterThan(0);
    writeFileSync(p('three-d.npy'), encodeNpy(new Float32Array(6), [2, 3]));
    const bad = cli(['eval', '--model', SCURVE, '--ep', 'cpu', '--samples', p('three-d.npy')]);
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringMatching(/--samples .*three-d.npy has shape \[2, 3\]; the model makes \[N ≥ 2, 2\]/)]);
  });

  it('a shard streams through the model in --batch batches with the bytes of one batch; so does inpainting', () => {
    const r = cli([...scurve, '--shard', '1/3', '--batch', '3', '--save-npy', p('s1-batched.npy')]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(p('s1-batched.npy')).equals(readFileSync(p('shards/s1.npy')))).toBe(true);
    expect(JSON.parse(readFileSync(p('s1-batched.npy.json'), 'utf8'))).toEqual(JSON.parse(readFileSync(p('shards/s1.npy.json'), 'utf8')));
    const inpaint = [...fashion, '--n', '3', '--init', p('init'), '--mask', p('mask.png'), '--resample', '2'];
    expect(cli([...inpaint, '--batch', '2', '--save-npy', p('inpaint-b2.npy')]).status).toBe(0);
    expect(cli([...inpaint, '--batch', '3', '--save-npy', p('inpaint-b3.npy')]).status).toBe(0);
    expect(readFileSync(p('inpaint-b2.npy')).equals(readFileSync(p('inpaint-b3.npy')))).toBe(true);
  });

  it('--images of 2 shards in one folder are the files of one run: numbered in the whole run, no overlap refused', () => {
    const run = [...fashion, '--n', '5', '--seed', '3'];
    expect(cli([...run, '--images', p('imgs-full')]).status).toBe(0);
    for (const shard of ['1/2', '0/2']) {
      const r = cli([...run, '--shard', shard, '--save-npy', p(`img-shard-${shard[0]}.npy`), '--images', p('imgs-shards')]);
      expect(r.status, r.stderr).toBe(0);
    }
    const names = readdirSync(p('imgs-shards')).sort();
    expect(names).toEqual(['000.png', '001.png', '002.png', '003.png', '004.png']);
    for (const name of names) expect(readFileSync(p(`imgs-shards/${name}`)).equals(readFileSync(p(`imgs-full/${name}`))), name).toBe(true);
    // A run of another n still refuses the folder (its 005… would sit beside these 5).
    const other = cli([...fashion, '--n', '3', '--images', p('imgs-shards')]);
    expect([other.status, other.stderr]).toEqual([1, expect.stringMatching(/already holds 2 numbered PNGs that this run of 3 would not replace \(003.png … 004.png\)/)]);
  });

  it('merge refuses shards of different runs, missing shards and files without a sidecar, writing nothing', () => {
    expect(cli([...scurve, '--seed', '12', '--shard', '1/3', '--save-npy', p('other1.npy')]).status).toBe(0);
    const out = p('bad-merge.npy');
    const cases: [string[], RegExp][] = [
      [[p('shards/s0.npy'), p('other1.npy'), p('shards/s2.npy')], /shards of different runs: seed is 11 vs 12/],
      [[p('shards/s0.npy'), p('shards/s2.npy')], /shard 1\/3 missing/],
      [[p('shards/s0.npy'), p('full.npy')], /cannot read .*full.npy.json: ENOENT/],
    ];
    for (const [shards, message] of cases) {
      const r = cli(['merge', ...shards, '--out', out]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
    writeFileSync(p('tampered.npy'), encodeNpy(new Float32Array(6), [3, 2]));
    writeFileSync(p('tampered.npy.json'), readFileSync(p('shards/s1.npy.json')));
    expect(cli(['merge', p('shards/s0.npy'), p('tampered.npy'), p('shards/s2.npy'), '--out', out]).stderr).toMatch(/holds 3 samples, its sidecar says 4/);
  });
});
