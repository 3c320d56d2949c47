// The system Chromium, driven by playwright-core (no browser download): headless, with the
// SwiftShader WebGPU adapter and WebGL2 that Chromium offers without a GPU.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where Chromium is: $PQ_CHROMIUM, else Debian's /usr/bin/chromium. */
export function chromiumPath(): string {
  return process.env.PQ_CHROMIUM ?? '/usr/bin/chromium';
}

export const CHROMIUM_ARGS: readonly string[] = [
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchChromium(): Promise<Browser> {
  const path = chromiumPath();
  if (!existsSync(path)) {
    throw new Error(`Chromium not found at ${path}: install it (apt-get install chromium) or set PQ_CHROMIUM to its path`);
  }
  return chromium.launch({ executablePath: path, headless: true, args: [...CHROMIUM_ARGS] });
}
