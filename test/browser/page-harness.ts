/// <reference lib="dom" />
// Builds the page once, serves it on loopback with cross-origin isolation and drives it in the
// system Chromium (playwright-core, never a downloaded browser).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic, type StaticServer } from '@onnx-ddpm/web/serve';
import { type Browser, chromium, type Page } from 'playwright-core';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const screenshotDir = join(repoRoot, 'test-output/browser');
/** The tests' own build of the page: packages/web/dist may be in use by a parallel test (parity). */
export const distDir = join(screenshotDir, 'page-dist');

/** `vite build` of packages/web into `outDir` (default {@link distDir}); throws with vite's output when it fails. */
export function buildPage(outDir = distDir): void {
  const r = spawnSync('pnpm', ['--filter', '@onnx-ddpm/web', 'exec', 'vite', 'build', '--outDir', outDir, '--emptyOutDir'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`page build failed:\n${r.stdout}${r.stderr}`);
}

export async function startServer(root = distDir): Promise<StaticServer> {
  mkdirSync(screenshotDir, { recursive: true });
  return serveStatic(root);
}

/** Chromium with WebGPU (SwiftShader here) unless `webgpu` is false. */
export function launchChromium(webgpu = true): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: webgpu ? ['--enable-unsafe-webgpu'] : [] });
}

export type PageState = 'loading' | 'ready' | 'running' | 'done' | 'error';

/**
 * Waits until the page's body[data-state] is one of `states`; returns it. Polls every 100 ms
 * rather than every animation frame, so waiting adds little work to the page's main thread.
 */
export async function waitForState(page: Page, states: PageState[], timeout = 120_000): Promise<PageState> {
  await page.waitForFunction((s) => (s as string[]).includes(document.body.dataset.state ?? ''), states, { timeout, polling: 100 });
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

/** Gives the page a scheduler_config.json as if the user picked it. */
export async function pickConfig(page: Page, json: string, name = 'scheduler_config.json'): Promise<void> {
  await page.setInputFiles('#config-file', { name, mimeType: 'application/json', buffer: Buffer.from(json) });
}

/** The model card as term → value. */
export async function card(page: Page): Promise<Record<string, string>> {
  return page.$$eval('#model-card dt', (dts) => Object.fromEntries(dts.map((dt) => [dt.textContent ?? '', dt.nextElementSibling?.textContent ?? ''])));
}

/** What {@link startRecording} saw. */
export interface Recording {
  /** Every text the run status (#stats) showed. */
  stats: string[];
  /**
   * Main-thread long tasks (> 50 ms) that started while the model sampled, from the status's
   * first "step k/N" to its last: [start, duration] in ms.
   */
  longTasksWhileSampling: [number, number][];
  /** The other long tasks (starting the run, drawing the result): [start, duration] in ms. */
  longTasksOutside: [number, number][];
  /** What the sample canvases showed, in order (their aria-labels: "x̂₀ at step k/N", then the run's title). */
  canvasDraws: string[];
}

/**
 * Starts recording, in the page, the run status texts, the canvas redraws and every long task
 * (PerformanceObserver 'longtask'); {@link recorded} reads them back.
 */
export async function startRecording(page: Page): Promise<void> {
  await page.evaluate(() => {
    const r: Recording & { tasks: [number, number][]; firstStep: number | null; lastStep: number | null } = {
      stats: [],
      longTasksWhileSampling: [],
      longTasksOutside: [],
      canvasDraws: [],
      tasks: [],
      firstStep: null,
      lastStep: null,
    };
    (window as unknown as { recording: typeof r }).recording = r;
    const stats = document.getElementById('stats')!;
    new MutationObserver(() => {
      const text = stats.textContent ?? '';
      r.stats.push(text);
      const step = text.match(/^step (\d+)\/(\d+)/);
      if (step) {
        r.firstStep ??= performance.now();
        if (step[1] === step[2]) r.lastStep ??= performance.now();
      }
    }).observe(stats, { childList: true, characterData: true, subtree: true });
    const labels = new MutationObserver((records) => {
      for (const m of records) r.canvasDraws.push((m.target as Element).getAttribute('aria-label') ?? '');
    });
    for (const id of ['canvas', 'preview']) labels.observe(document.getElementById(id)!, { attributes: true, attributeFilter: ['aria-label'] });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) r.tasks.push([Math.round(e.startTime), Math.round(e.duration)]);
    }).observe({ type: 'longtask' });
  });
}

export function recorded(page: Page): Promise<Recording> {
  return page.evaluate(() => {
    const r = (window as unknown as { recording: Recording & { tasks: [number, number][]; firstStep: number | null; lastStep: number | null } }).recording;
    const sampling = ([start]: [number, number]) => r.firstStep !== null && start >= r.firstStep && start < (r.lastStep ?? Number.POSITIVE_INFINITY);
    return {
      stats: r.stats,
      canvasDraws: r.canvasDraws,
      longTasksWhileSampling: r.tasks.filter(sampling),
      longTasksOutside: r.tasks.filter((t) => !sampling(t)),
    };
  });
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
