import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const MAIN = new URL('../dist/main.js', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

describe('onnx-ddpm --version', () => {
  it("prints the version of the CLI's package.json", () => {
    const r = spawnSync(process.execPath, [MAIN.pathname, '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`onnx-ddpm ${pkg.version}\n`);
  });
});
