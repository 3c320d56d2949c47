// In Chromium (tooling/browser-tests): @pq/vision's main entry decodes PNG and JPEG files from
// their bytes and makes a model's input from one, exactly as Node does.
import { describe, expect, inject, it } from 'vitest';
import { visionCase } from './browser_case.js';

describe('@pq/vision in the browser', () => {
  it('decodes PNGs and JPEGs and transforms one for a model; pixels and input bit for bit equal to Node', () => {
    const files = Object.fromEntries(
      Object.entries(inject('pq:vision-images')).map(([n, b64]) => [n, Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))]),
    );
    const got = visionCase(files);
    const node = inject('pq:vision-case');
    expect(Object.keys(got.pixels)).toEqual(Object.keys(node.pixels));
    for (const name of Object.keys(node.pixels)) expect(got.pixels[name], name).toEqual(node.pixels[name]);
    expect(got.input).toHaveLength(3 * 32 * 32);
    expect(got.input).toEqual(node.input);
  });
});
