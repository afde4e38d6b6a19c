// The inpainting mask, painted with a brush over the start image: white (1) = keep the image's
// pixel, as `onnx-ddpm sample --mask`; black (0) = generate. Mouse, pen and touch paint with pointer
// events; the keyboard moves a cursor with the arrow keys and paints with Space (Shift+Space erases).
import { context } from '../render.js';
import { itemToRaster } from '../sampler.js';

/** Screen pixels per model pixel: a 28×28 image is shown at 224 px. */
function displayScale(height: number, width: number): number {
  return Math.max(1, Math.ceil(224 / Math.max(height, width)));
}

export interface MaskEditor {
  /** The start image (one item [C, H, W] in [−1, 1]) the mask is painted over; keeps the mask when the size is the same. */
  setImage(item: Float32Array, itemShape: readonly number[]): void;
  /** The mask, float32 [H × W], 1 = keep. */
  mask(): Float32Array;
  /** Replaces the mask (a loaded mask file) with values in [0, 1]. */
  setMask(mask: Float32Array): void;
  clear(): void;
  invert(): void;
  /** Brush diameter in model pixels. */
  brush: number;
  /** What the brush paints: 1 = keep (white), 0 = generate (erase). */
  paint: 0 | 1;
  /** Locked while a run uses the mask. */
  setDisabled(disabled: boolean): void;
}

/** The editor on `canvas` (the image and the mask over it) and `preview` (the mask alone, white = keep). */
export function createMaskEditor(canvas: HTMLCanvasElement, preview: HTMLCanvasElement, onChange: () => void): MaskEditor {
  let image: { item: Float32Array; channels: 1 | 3; height: number; width: number } | null = null;
  let mask = new Float32Array(0);
  let cursor = { x: 0, y: 0, shown: false };
  let disabled = false;

  const draw = () => {
    if (!image) return;
    const { item, channels, height, width } = image;
    const s = displayScale(height, width);
    const raster = itemToRaster(item, 0, channels, height, width, s);
    if (canvas.width !== raster.width || canvas.height !== raster.height) Object.assign(canvas, { width: raster.width, height: raster.height });
    const out = new ImageData(raster.width, raster.height);
    for (let y = 0; y < raster.height; y++) {
      for (let x = 0; x < raster.width; x++) {
        const p = y * raster.width + x;
        const m = mask[Math.floor(y / s) * width + Math.floor(x / s)]!;
        // The part to generate is tinted (blue, half strength): the kept part shows the image as it is.
        for (let c = 0; c < 3; c++) {
          const v = raster.data[p * channels + (channels === 1 ? 0 : c)]!;
          const tint = [48, 86, 211][c]!;
          out.data[p * 4 + c] = Math.round(m * v + (1 - m) * (0.45 * v + 0.55 * tint));
        }
        out.data[p * 4 + 3] = 255;
      }
    }
    const ctx = context(canvas);
    ctx.putImageData(out, 0, 0);
    if (cursor.shown) {
      const r = editor.brush / 2;
      ctx.strokeStyle = '#f0b400';
      ctx.lineWidth = 2;
      ctx.strokeRect((cursor.x + 0.5 - r) * s, (cursor.y + 0.5 - r) * s, 2 * r * s, 2 * r * s);
    }
    const m = new ImageData(width, height);
    for (let p = 0; p < width * height; p++) {
      const v = Math.round(255 * mask[p]!);
      m.data.set([v, v, v, 255], p * 4);
    }
    if (preview.width !== width || preview.height !== height) Object.assign(preview, { width, height });
    context(preview).putImageData(m, 0, 0);
  };

  /** Paints a disc of the brush's diameter centred on model pixel (cx, cy). */
  const stamp = (cx: number, cy: number) => {
    if (!image) return;
    const { height, width } = image;
    const r = editor.brush / 2;
    for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
      for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) {
        if (x < 0 || y < 0 || x >= width || y >= height) continue;
        if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r + 0.25) mask[y * width + x] = editor.paint;
      }
    }
  };

  /** The model pixel (fractional) under a pointer event. */
  const at = (ev: PointerEvent) => {
    const rect = canvas.getBoundingClientRect();
    return { x: ((ev.clientX - rect.left) / rect.width) * image!.width, y: ((ev.clientY - rect.top) / rect.height) * image!.height };
  };
  let last: { x: number; y: number } | null = null;
  /** Paints along the stroke from the last point, a stamp every half pixel, so fast moves leave no gaps. */
  const strokeTo = (p: { x: number; y: number }) => {
    const from = last ?? p;
    const n = Math.max(1, Math.ceil(2 * Math.hypot(p.x - from.x, p.y - from.y)));
    for (let i = 1; i <= n; i++) stamp(from.x + ((p.x - from.x) * i) / n, from.y + ((p.y - from.y) * i) / n);
    last = p;
    draw();
  };
  canvas.addEventListener('pointerdown', (ev) => {
    if (disabled || !image || ev.button !== 0) return;
    ev.preventDefault();
    canvas.setPointerCapture(ev.pointerId);
    canvas.focus({ preventScroll: true });
    last = null;
    strokeTo(at(ev));
  });
  canvas.addEventListener('pointermove', (ev) => {
    if (last && canvas.hasPointerCapture(ev.pointerId)) strokeTo(at(ev));
  });
  const end = (ev: PointerEvent) => {
    if (!last) return;
    last = null;
    if (canvas.hasPointerCapture(ev.pointerId)) canvas.releasePointerCapture(ev.pointerId);
    onChange();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  canvas.addEventListener('focus', () => {
    cursor.shown = true;
    draw();
  });
  canvas.addEventListener('blur', () => {
    cursor.shown = false;
    draw();
  });
  canvas.addEventListener('keydown', (ev) => {
    if (disabled || !image) return;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const move = moves[ev.key];
    if (move) {
      const step = ev.shiftKey ? 4 : 1;
      cursor = { ...cursor, x: Math.min(image.width - 1, Math.max(0, cursor.x + move[0] * step)), y: Math.min(image.height - 1, Math.max(0, cursor.y + move[1] * step)) };
    } else if (ev.key === ' ' || ev.key === 'Enter') {
      const paint = editor.paint;
      if (ev.shiftKey) editor.paint = paint === 1 ? 0 : 1;
      stamp(cursor.x + 0.5, cursor.y + 0.5);
      editor.paint = paint;
      onChange();
    } else return;
    ev.preventDefault();
    draw();
  });

  const editor: MaskEditor = {
    brush: 4,
    paint: 1,
    setImage(item, itemShape) {
      const [channels, height, width] = itemShape as [1 | 3, number, number];
      if (!image || image.height !== height || image.width !== width) {
        mask = new Float32Array(height * width);
        cursor = { x: Math.floor(width / 2), y: Math.floor(height / 2), shown: cursor.shown };
      }
      image = { item, channels, height, width };
      const s = displayScale(height, width);
      canvas.style.width = `${width * s}px`;
      draw();
    },
    mask: () => mask.slice(),
    setMask(m) {
      mask = m.slice();
      draw();
      onChange();
    },
    clear() {
      mask.fill(0);
      draw();
      onChange();
    },
    invert() {
      for (let i = 0; i < mask.length; i++) mask[i] = 1 - mask[i]!;
      draw();
      onChange();
    },
    setDisabled(d) {
      disabled = d;
      canvas.setAttribute('aria-disabled', String(d));
    },
  };
  return editor;
}
