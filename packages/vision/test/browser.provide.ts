// What test/browser.ts compares Chromium's results with, computed in Node by the browser
// runner (tooling/browser-tests): the fixture images' bytes and their case's results.
import { readFileSync } from 'node:fs';
import { IMAGE_NAMES, visionCase, type VisionCase } from './browser_case.js';

declare module 'vitest' {
  interface ProvidedContext {
    'pq:vision-images': Record<string, string>;
    'pq:vision-case': VisionCase;
  }
}

export function provide(): Record<string, unknown> {
  const files = Object.fromEntries(IMAGE_NAMES.map((n) => [n, new Uint8Array(readFileSync(new URL(`./fixtures/images/${n}`, import.meta.url)))]));
  const images = Object.fromEntries(Object.entries(files).map(([n, b]) => [n, Buffer.from(b).toString('base64')]));
  return { 'pq:vision-images': images, 'pq:vision-case': visionCase(files) };
}
