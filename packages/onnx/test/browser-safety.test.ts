import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

/** Source files reachable from an entry through relative imports, with their non-relative imports. */
function moduleGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const text = readFileSync(file, 'utf8');
    const external: string[] = [];
    graph.set(file, external);
    for (const match of text.matchAll(IMPORT)) {
      const spec = (match[1] ?? match[2])!;
      if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      else external.push(spec);
    }
  };
  visit(join(srcDir, entry));
  return graph;
}

describe('the main entry is browser-safe', () => {
  const graph = moduleGraph('index.ts');

  it('imports only protobufjs and its own modules', () => {
    expect(graph.size).toBeGreaterThan(5);
    expect(graph.has(join(srcDir, 'checker.ts'))).toBe(false);
    const externals = new Set([...graph.values()].flat());
    expect([...externals]).toEqual(['protobufjs']);
  });

  it('uses no Node-only globals', () => {
    for (const file of graph.keys()) {
      const code = readFileSync(file, 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '');
      expect(code, file).not.toMatch(/\b(Buffer|process|require|__dirname|__filename)\b/);
    }
  });

  it('the checker entry is the one that uses node:child_process', () => {
    expect(moduleGraph('checker.ts').get(join(srcDir, 'checker.ts'))).toEqual(['node:child_process']);
  });
});
