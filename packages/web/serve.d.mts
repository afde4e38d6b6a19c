/** A running static server; `url` ends with '/'. */
export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `dir` on http://127.0.0.1:<port> (port 0 = any free port) with COOP same-origin and COEP
 * require-corp headers (threaded wasm needs them).
 */
export function serveStatic(dir: string, opts?: { port?: number }): Promise<StaticServer>;
