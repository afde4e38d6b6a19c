import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StaticServer } from '@onnx-ddpm/web/serve';
import type { Browser, Page } from 'playwright-core';
import { RuntimeUnavailable } from './runtime.js';

/** Debian's Chromium; playwright-core drives it (it never downloads a browser). */
export const CHROMIUM = '/usr/bin/chromium';

/** The built page (packages/web/dist), served next to the serve module that knows it. */
function pageDir(): string {
  return join(dirname(fileURLToPath(import.meta.resolve('@onnx-ddpm/web/serve'))), 'dist');
}

/** The page's `window.onnxDdpm` hook (packages/web/README.md), as the evaluate calls see it. */
export interface OpenPage {
  page: Page;
  /** What navigator.gpu gives this page, or why there is no adapter. */
  webgpu: { ok: true; adapter: string } | { ok: false; reason: string };
  chromiumVersion: string;
}

/**
 * One Chromium with the built page on http://127.0.0.1 (a secure origin, so WebGPU is exposed),
 * opened on first use and shared by the Chromium runtimes and the schedule-table check.
 */
export class ChromiumHost {
  private opening: Promise<OpenPage> | null = null;
  private browser: Browser | null = null;
  private server: StaticServer | null = null;

  open(): Promise<OpenPage> {
    this.opening ??= this.start();
    return this.opening;
  }

  private async start(): Promise<OpenPage> {
    if (!existsSync(CHROMIUM)) throw new RuntimeUnavailable(`no Chromium at ${CHROMIUM} (Debian: apt-get install chromium)`);
    const dir = pageDir();
    if (!existsSync(join(dir, 'index.html'))) {
      throw new RuntimeUnavailable(`the web page is not built (${dir}/index.html is missing): run pnpm --filter @onnx-ddpm/web build`);
    }
    const { serveStatic } = await import('@onnx-ddpm/web/serve');
    this.server = await serveStatic(dir, { port: 0 });
    const { url } = this.server;
    const { chromium } = await import('playwright-core');
    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--enable-unsafe-webgpu'] });
    const page = await this.browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(url);
    try {
      await page.waitForFunction(() => 'onnxDdpm' in globalThis, undefined, { timeout: 30_000 });
      await page.evaluate(() => (globalThis as unknown as { onnxDdpm: { ready: Promise<void> } }).onnxDdpm.ready);
      // The page then opens its own bundled model; a session created beside it races ORT's wasm init.
      await page.waitForSelector('body:not([data-state="loading"])', { timeout: 120_000 });
    } catch (err) {
      throw new Error(`the page at ${url} did not become ready: ${pageErrors[0] ?? (err as Error).message.split('\n')[0]}`);
    }
    const webgpu = await page.evaluate(async () => {
      const gpu = (globalThis as unknown as { navigator: { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } } }).navigator.gpu;
      if (!gpu) return { ok: false as const, reason: 'navigator.gpu is missing' };
      const adapter = await gpu.requestAdapter();
      if (!adapter) return { ok: false as const, reason: 'navigator.gpu.requestAdapter() found no adapter' };
      const info = adapter.info ?? {};
      const name = [info.vendor, info.architecture, info.description].filter((s) => s).join(' ');
      return { ok: true as const, adapter: name || 'unnamed adapter' };
    });
    return { page, webgpu, chromiumVersion: this.browser.version() };
  }

  async close(): Promise<void> {
    await this.browser?.close();
    await this.server?.close();
    this.browser = null;
    this.server = null;
    this.opening = null;
  }
}
