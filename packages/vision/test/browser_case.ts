// The case test/browser.ts runs in Chromium and test/browser.provide.ts in Node: every fixture
// image decoded (PNG by fast-png, JPEG by jpeg-js: deterministic JS), and the first through the
// eval transform (resize, crop, normalise) into a model's input.
import { classificationEvalTransform, decodeImage } from '../src/index.js';

export const IMAGE_NAMES = ['rgb.png', 'rgba.png', 'grey.png', 'palette.png', 'rgb16.png', 'rgb.jpg', 'rgb444.jpg', 'grey.jpg'];

export interface VisionCase {
  /** Decoded RGB bytes per file name. */
  readonly pixels: Record<string, number[]>;
  /** rgb.png resized and cropped to 32x32 and normalised, CHW. */
  readonly input: number[];
}

export function visionCase(files: Record<string, Uint8Array>): VisionCase {
  const pixels: Record<string, number[]> = {};
  for (const name of IMAGE_NAMES) pixels[name] = Array.from(decodeImage(files[name]!, name).data);
  const input = Array.from(classificationEvalTransform({ cropSize: 32 })(decodeImage(files['rgb.png']!, 'rgb.png')));
  return { pixels, input };
}
