import sharp from 'sharp';
import { ortVersions } from './ort-execution-providers.js';

/** Versions of the native libraries the Node sampler uses, for `onnx-ddpm doctor`. */
export function runtimeVersions(): { onnxruntimeNode: string; ortBackends: string[]; sharp: string; libvips: string } {
  const ort = ortVersions();
  const versions = sharp.versions as { sharp?: string; vips: string };
  return {
    onnxruntimeNode: ort.version,
    ortBackends: ort.backends.map((b) => `${b.name}${b.bundled ? '' : ' (not bundled)'}`),
    sharp: versions.sharp ?? 'unknown',
    libvips: versions.vips,
  };
}
