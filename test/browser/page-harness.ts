/// <reference lib="dom" />
// Builds the page once, serves it on loopback with cross-origin isolation and drives it in the
// system Chromium (playwright-core, never a downloaded browser).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic, type StaticServer } from '../../packages/web/serve.mjs';
import { type Browser, chromium, type Page } from 'playwright-core';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const screenshotDir = join(repoRoot, 'test-output/browser');
/** The tests' own build of the page: packages/web/dist may be in use by a parallel test (parity). */
export const distDir = join(screenshotDir, 'page-dist');

/** `vite build` of packages/web into {@link distDir}; throws with vite's output when it fails. */
export function buildPage(): void {
  const r = spawnSync('pnpm', ['--filter', '@onnx-ddpm/web', 'exec', 'vite', 'build', '--outDir', distDir, '--emptyOutDir'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`page build failed:\n${r.stdout}${r.stderr}`);
}

export async function startServer(): Promise<StaticServer> {
  mkdirSync(screenshotDir, { recursive: true });
  return serveStatic(distDir);
}

/** Chromium with WebGPU (SwiftShader here) unless `webgpu` is false. */
export function launchChromium(webgpu = true): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: webgpu ? ['--enable-unsafe-webgpu'] : [] });
}

export type PageState = 'loading' | 'ready' | 'running' | 'done' | 'error';

/** Waits until the page's body[data-state] is one of `states`; returns it. */
export async function waitForState(page: Page, states: PageState[], timeout = 120_000): Promise<PageState> {
  await page.waitForFunction((s) => (s as string[]).includes(document.body.dataset.state ?? ''), states, { timeout });
  return (await page.evaluate(() => document.body.dataset.state)) as PageState;
}

/** Opens the page and waits for the default model (or an error). */
export async function openPage(browser: Browser, url: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  // Playwright's 30 s default is too short for a loaded 2-core machine; the state wait below bounds the rest.
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
  await waitForState(page, ['ready', 'error']);
  return page;
}

/** The texts of the page's messages, with their level. */
export function messages(page: Page): Promise<{ level: string; text: string }[]> {
  return page.$$eval('#messages .message', (ps) => ps.map((p) => ({ level: (p as HTMLElement).dataset.level ?? '', text: p.textContent ?? '' })));
}

/** Gives the page a file as if the user picked it in the given file input. */
export async function pickFile(page: Page, inputId: string, name: string, bytes: Uint8Array): Promise<void> {
  await page.setInputFiles(`#${inputId}`, { name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
}

/** The canvas's RGBA pixels. */
export async function canvasPixels(page: Page): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  const r = await page.evaluate(() => {
    const c = document.getElementById('canvas') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    return { width: c.width, height: c.height, rgba: Array.from(d.data) };
  });
  return { ...r, rgba: Uint8Array.from(r.rgba) };
}
