// packages/web/serve.mjs: loopback only, cross-origin isolation headers on every answer, no
// escaping the served folder, not even through a symbolic link.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from '@onnx-ddpm/web/serve';

let dir: string;
let server: StaticServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'web-serve-'));
  mkdirSync(join(dir, 'site', 'ort'), { recursive: true });
  writeFileSync(join(dir, 'site', 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(dir, 'site', 'ort', 'x.wasm'), new Uint8Array([0, 97, 115, 109]));
  writeFileSync(join(dir, 'secret.txt'), 'outside the served folder');
  symlinkSync(join(dir, 'secret.txt'), join(dir, 'site', 'leak.txt'));
  symlinkSync(dir, join(dir, 'site', 'up'));
  symlinkSync('index.html', join(dir, 'site', 'alias.html'));
  symlinkSync('ort', join(dir, 'site', 'ort-link'));
  server = await serveStatic(join(dir, 'site'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** GET with the path sent as is (fetch would normalise `..` away). */
function get(path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serveStatic', () => {
  it('listens on 127.0.0.1 and serves index.html and wasm with COOP/COEP', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(index.headers['cross-origin-embedder-policy']).toBe('require-corp');
    const wasm = await get('/ort/x.wasm');
    expect(wasm.headers['content-type']).toBe('application/wasm');
  });

  it('answers 404 for missing files and 403 for paths outside the folder, still isolated', async () => {
    const missing = await get('/nope.js');
    expect(missing.status).toBe(404);
    expect(missing.headers['cross-origin-embedder-policy']).toBe('require-corp');
    const dotDot = await get('/../secret.txt');
    expect([403, 404]).toContain(dotDot.status);
    expect(dotDot.body).not.toContain('outside the served folder');
    const encoded = await get('/..%2fsecret.txt'); // an encoded slash survives URL normalisation
    expect(encoded.status).toBe(403);
  });

  it('follows a symbolic link only when it stays in the folder', async () => {
    for (const path of ['/leak.txt', '/up/secret.txt', '/up/']) {
      const r = await get(path);
      expect(r.status, path).toBe(403);
      expect(r.body, path).not.toContain('outside the served folder');
    }
    const alias = await get('/alias.html');
    expect(alias.status).toBe(200);
    expect(alias.body).toBe('<!doctype html><title>t</title>');
    const linkedDir = await get('/ort-link/x.wasm');
    expect(linkedDir.status).toBe(200);
    expect(linkedDir.headers['content-type']).toBe('application/wasm');
  });
});
