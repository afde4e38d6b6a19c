// What the tests need beyond Node: `pnpm test` provisions it (scripts/provision-test-deps.mjs), a
// test lacking it is reported as skipped with the reason and listed at the end (test/prereqs.ts,
// test/skip-reporter.ts), and under CI=true a missing prerequisite fails. ONNX_DDPM_TEST_DEPS_ROOT
// points the detection at a fake tree, so nothing is removed from this machine.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requires, TEST_DEPS } from './prereqs.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'onnx-ddpm-test-deps-'));
chmodSync(scratch, 0o755); // readable by the unprivileged user below
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fake root holding `files` (path → 'exec' | 'file' | a symlink target starting with '/'). */
function fakeRoot(name: string, files: Record<string, string>): string {
  const root = join(scratch, name);
  mkdirSync(root, { recursive: true });
  for (const [path, kind] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    if (kind.startsWith('/')) symlinkSync(kind, join(root, path));
    else writeFileSync(join(root, path), '', { mode: kind === 'exec' ? 0o755 : 0o644 });
  }
  spawnSync('chmod', ['-R', 'a+rX', root]);
  return root;
}

/** Runs the provisioning script as an unprivileged user (nobody, when these tests run as root). */
function provisionAsUser(root: string) {
  const argv = ['node', join(repoRoot, 'scripts/provision-test-deps.mjs')];
  const asRoot = process.getuid?.() === 0;
  const [cmd, ...args] = asRoot ? ['runuser', '-u', 'nobody', '--', ...argv] : argv;
  return spawnSync(cmd!, args, { cwd: scratch, encoding: 'utf8', env: { ...process.env, ONNX_DDPM_TEST_DEPS_ROOT: root } });
}

const fashionFiles = Object.fromEntries(
  ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((f) => [
    `usr/share/datasets/fashion-mnist/${f}`,
    'file',
  ]),
);
const chromiumFiles = { 'usr/bin/chromium': 'exec', 'usr/lib/chromium/vk_swiftshader_icd.json': 'file' };

describe('scripts/provision-test-deps.mjs (pnpm test runs it first)', () => {
  it('not root and nothing there: names what is missing, prints the one apt-get line, exits 1, installs nothing', () => {
    const r = provisionAsUser(fakeRoot('empty', {}));
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines.at(-1)).toBe('apt-get install -y --no-install-recommends python3-onnx python3-numpy dataset-fashion-mnist chromium');
    for (const dep of Object.values(TEST_DEPS)) expect(r.stderr).toContain(`${dep.name} (Debian package ${dep.apt})`);
    expect(r.stderr).toMatch(/as root/);
  });

  it('asks only for what is missing: a dataset file short and a Chromium that is not executable', requires(TEST_DEPS.pythonOnnx, TEST_DEPS.numpy), () => {
    const files: Record<string, string> = { ...fashionFiles, ...chromiumFiles, 'usr/bin/chromium': 'file', 'usr/bin/python3': '/usr/bin/python3' };
    delete files['usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz'];
    const r = provisionAsUser(fakeRoot('partial', files));
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('apt-get install -y --no-install-recommends dataset-fashion-mnist chromium');
    expect(r.stderr).not.toMatch(/python|SwiftShader/);
  });

  it('everything there: exits 0 at once, says nothing and calls no apt', requires(TEST_DEPS.pythonOnnx, TEST_DEPS.numpy), () => {
    const r = provisionAsUser(fakeRoot('full', { ...fashionFiles, ...chromiumFiles, 'usr/bin/python3': '/usr/bin/python3' }));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
  });

  it('is the first step of the test script, and .ci/run runs exactly that script', () => {
    const scripts = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts['test']).toMatch(/^node scripts\/provision-test-deps\.mjs && /);
    const ci = readFileSync(join(repoRoot, '.ci/run'), 'utf8');
    expect(ci).not.toMatch(/apt-get/);
    expect(ci.trim().split('\n').at(-1)).toBe('pnpm test');
  });
});

/** Runs vitest (this repo's config and reporters) on `args` in a child process, without colours. */
function vitest(args: string[], env: Record<string, string>) {
  const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'CI'));
  return spawnSync(process.execPath, [join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...childEnv, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
  });
}

describe('a missing prerequisite', () => {
  const noDeps = fakeRoot('none', {});

  it('is reported as a skip with its reason and listed after the closing line (the onnx checker tests)', () => {
    const r = vitest(['packages/onnx/test/checker.test.ts', 'packages/trainer/test/export.test.ts', '-t', 'onnx.checker'], {
      ONNX_DDPM_TEST_DEPS_ROOT: noDeps,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const out = r.stdout;
    const closing = out.search(/^ +Tests +\d+ skipped \(\d+\)$/m);
    const listing = out.indexOf(' Skipped: 9 tests, by reason:\n');
    expect(closing, out).toBeGreaterThan(0);
    expect(listing, out).toBeGreaterThan(closing);
    const tail = out.slice(listing).split('\n');
    expect(tail[1]).toBe('   needs python3 with onnx (Debian: python3-onnx; pnpm test installs it)');
    expect(tail.slice(2, 11).sort()).toEqual(
      [
        'packages/onnx/test/checker.test.ts > onnx.checker (full_check) > python3-onnx is available',
        'packages/onnx/test/checker.test.ts > onnx.checker (full_check) > accepts a built model',
        'packages/onnx/test/checker.test.ts > onnx.checker (full_check) > rejects a node whose input is undefined (validation bypassed)',
        'packages/onnx/test/checker.test.ts > onnx.checker (full_check) > rejects mismatched element types (float Add int64)',
        'packages/onnx/test/checker.test.ts > onnx.checker (full_check) > reports a missing file as not ok',
        'packages/trainer/test/export.test.ts > onnx.checker (full_check) accepts the exports > unconditional U-Net',
        'packages/trainer/test/export.test.ts > onnx.checker (full_check) accepts the exports > class-conditional U-Net',
        'packages/trainer/test/export.test.ts > onnx.checker (full_check) accepts the exports > unconditional MLP',
        'packages/trainer/test/export.test.ts > onnx.checker (full_check) accepts the exports > class-conditional MLP',
      ]
        .map((line) => `     ${line}`)
        .sort(),
    );
  });

  it('fails the run under CI=true, saying what is missing', () => {
    const r = vitest(['packages/onnx/test/checker.test.ts'], { ONNX_DDPM_TEST_DEPS_ROOT: noDeps, CI: 'true' });
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain('CI=true: a missing prerequisite fails the tests: needs python3 with onnx (Debian: python3-onnx;');
    expect(r.stdout).toMatch(/^ +Test Files +1 failed \(1\)$/m);
  });
});

describe('the skip listing (test/skip-reporter.ts)', () => {
  const fixture = join(repoRoot, 'test-output/skip-listing');
  beforeAll(() => {
    mkdirSync(fixture, { recursive: true });
    const reporter = JSON.stringify(join(repoRoot, 'test/skip-reporter.ts'));
    writeFileSync(join(fixture, 'vitest.config.mjs'), `export default { test: { include: ['*.test.mjs'], reporters: ['default', ${reporter}] } };\n`);
    writeFileSync(
      join(fixture, 'skips.test.mjs'),
      [
        "import { it } from 'vitest';",
        "it('runs', () => {});",
        "it.skip('is skipped with no reason', () => {});",
        "it('skips itself with a note', (ctx) => ctx.skip('no network here'));",
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  it('lists a ctx.skip note and a skip without a reason; under CI=true the latter fails the run', () => {
    const local = vitest(['--root', fixture], {});
    expect(local.status, local.stdout + local.stderr).toBe(0);
    const listing = local.stdout.slice(local.stdout.indexOf(' Skipped: ')).trimEnd().split('\n');
    expect(listing).toEqual([
      ' Skipped: 2 tests, by reason:',
      '   no reason given (use requires() or skipForHardware() from test/prereqs.ts)',
      '     skips.test.mjs > is skipped with no reason',
      '   no network here',
      '     skips.test.mjs > skips itself with a note',
    ]);
    const ci = vitest(['--root', fixture], { CI: 'true' });
    expect(ci.status).toBe(1);
    expect(ci.stdout + ci.stderr).toContain(' CI=true: 1 test(s) skipped without a reason; this run fails.');
    expect(ci.stdout).toMatch(/^ +Tests +1 passed \| 2 skipped \(3\)$/m);
  });
});
