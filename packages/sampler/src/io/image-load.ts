import sharp from 'sharp';

/** An image that does not fit the model and may not be resized; the message says what differs. */
export class ImageShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageShapeError';
  }
}

export interface LoadedImage {
  /** float32 [C, H, W] in [−1, 1] (byte b ↦ b / 127.5 − 1, as decodeImageTensor). */
  data: Float32Array;
  /** How the file was fitted to the model ("resized 64×64 RGB to 28×28 gray"), or null when it already fit. */
  fitted: string | null;
}

function describe(width: number, height: number, channels: number): string {
  return `${width}×${height} ${channels === 1 ? 'gray' : channels === 3 ? 'RGB' : `${channels}-channel`}`;
}

/**
 * Decodes an image file for a model taking [C, H, W] items (C = 1 or 3); an image whose pixels are all
 * gray (R = G = B) counts as 1-channel. A file of another size or channel count is refused with an ImageShapeError naming both, unless `resize`: then it is
 * scaled (centre crop to the aspect, Lanczos) and converted to gray or RGB, and `fitted` says so.
 * Transparency is flattened onto white. `name` is used in messages.
 */
export async function loadImageForModel(
  bytes: Uint8Array,
  itemShape: readonly number[],
  opts: { name: string; resize?: boolean },
): Promise<LoadedImage> {
  const [channels, height, width] = itemShape as [number, number, number];
  if (itemShape.length !== 3 || (channels !== 1 && channels !== 3)) {
    throw new ImageShapeError(`the model's items [${itemShape.join(', ')}] are not gray or RGB images`);
  }
  let rgb: { data: Buffer; info: sharp.OutputInfo };
  try {
    rgb = await sharp(bytes).flatten({ background: '#ffffff' }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new ImageShapeError(`${opts.name} is not a readable image (${(err as Error).message})`);
  }
  // Gray = every pixel has R = G = B, whatever the file's colour type (as decodeImageTensor).
  const meta = rgb.info;
  let gray = true;
  for (let p = 0; p < rgb.data.length && gray; p += meta.channels) gray = rgb.data[p] === rgb.data[p + 1] && rgb.data[p] === rgb.data[p + 2];
  const fileChannels = gray ? 1 : 3;
  const fits = meta.width === width && meta.height === height && fileChannels === channels;
  const have = describe(meta.width, meta.height, fileChannels);
  const want = describe(width, height, channels);
  if (!fits && !opts.resize) throw new ImageShapeError(`${opts.name} is ${have}; the model takes ${want} images`);
  let image = sharp(bytes).flatten({ background: '#ffffff' });
  if (meta.width !== width || meta.height !== height) image = image.resize(width, height, { fit: 'cover', position: 'centre' });
  const { data, info } = await image
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== channels || info.width !== width || info.height !== height) {
    throw new ImageShapeError(`${opts.name}: decoded ${describe(info.width, info.height, info.channels)}, expected ${want}`);
  }
  const plane = width * height;
  const out = new Float32Array(channels * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < channels; c++) out[c * plane + p] = data[p * channels + c]! / 127.5 - 1;
  }
  return { data: out, fitted: fits ? null : `resized ${have} to ${want}` };
}

/**
 * A mask image (white = 1 = keep, black = 0 = generate; gray levels blend) at the model's
 * [H, W]: float32 [H × W] in [0, 1]. Refused when its size differs (masks are never resized).
 */
export async function loadMaskImage(bytes: Uint8Array, height: number, width: number, name: string): Promise<Float32Array> {
  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    raw = await sharp(bytes).flatten({ background: '#000000' }).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new ImageShapeError(`${name} is not a readable image (${(err as Error).message})`);
  }
  if (raw.info.width !== width || raw.info.height !== height) {
    throw new ImageShapeError(`mask ${name} is ${raw.info.width}×${raw.info.height}; the init images are ${width}×${height}`);
  }
  return Float32Array.from(raw.data.subarray(0, width * height), (b) => b / 255);
}
