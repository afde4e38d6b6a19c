#!/usr/bin/env node
// Serves a built page (packages/web/dist by default) on 127.0.0.1 with the cross-origin isolation
// headers (COOP same-origin + COEP require-corp) that SharedArrayBuffer, and so threaded wasm, need.
// Nothing outside the served folder is served: no `..`, no symbolic link pointing out of it.
// Loopback is a secure origin, so WebGPU is available too.
//
//   node packages/web/serve.mjs [--port 5173] [--dir packages/web/dist]
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Serves `dir` on http://127.0.0.1:<port> (port 0 = any free port) with cross-origin isolation
 * headers. Resolves once listening; `close()` stops the server.
 */
export function serveStatic(dir, { port = 0 } = {}) {
  const root = resolve(dir);
  // Symbolic links are followed only when they stay in the served folder (compared real path to real path).
  const realRoot = realpath(root).catch(() => root);
  const server = createServer(async (req, res) => {
    const headers = { ...ISOLATION_HEADERS, 'Cache-Control': 'no-cache' };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      res.writeHead(400, headers).end('bad request');
      return;
    }
    let file = resolve(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403, headers).end('forbidden');
      return;
    }
    try {
      const top = await realRoot;
      const outside = (real) => real !== top && !real.startsWith(top + sep);
      let real = await realpath(file);
      let s = await stat(real);
      if (s.isDirectory() && !outside(real)) {
        file = join(file, 'index.html');
        real = await realpath(file);
        s = await stat(real);
      }
      if (outside(real)) {
        res.writeHead(403, headers).end('forbidden');
        return;
      }
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': s.size });
      if (req.method === 'HEAD') res.end();
      else createReadStream(real).pipe(res);
    } catch {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(`not found: ${path}`);
    }
  });
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolveListen({
        url: `http://127.0.0.1:${address.port}/`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '5173' }, dir: { type: 'string', default: fileURLToPath(new URL('dist', import.meta.url)) } },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: --port must be an integer in [0, 65535], got ${values.port}`);
    process.exit(2);
  }
  try {
    await stat(join(values.dir, 'index.html'));
  } catch {
    console.error(`serve: ${values.dir} has no index.html; build the page first: pnpm --filter @onnx-ddpm/web build`);
    process.exit(1);
  }
  const { url } = await serveStatic(values.dir, { port }).catch((err) => {
    console.error(`serve: cannot listen on 127.0.0.1:${port}: ${err.message}`);
    process.exit(1);
  });
  console.log(`serving ${values.dir} at ${url} (cross-origin isolated: threaded wasm and WebGPU work)`);
}
