import { describe, expect, it } from 'vitest';
import { checkOptions, describeValue } from '../src/index.js';

describe('checkOptions', () => {
  const spec = { numBits: 'integer', unsigned: 'boolean', kernels: 'object', name: 'string', axis: 'any' } as const;
  it('accepts known keys of the right type, undefined values, and no options at all', () => {
    expect(() => checkOptions('f', { numBits: 4, unsigned: true, kernels: {}, name: 'a', axis: [0] }, spec)).not.toThrow();
    expect(() => checkOptions('f', { numBits: undefined }, spec)).not.toThrow();
    expect(() => checkOptions('f', undefined, spec)).not.toThrow();
    expect(() => checkOptions('f', {}, [])).not.toThrow();
  });
  it('refuses unknown keys, listing the accepted ones and the likely intended one', () => {
    expect(() => checkOptions('fakeTensorQuant', { numbits: 4 }, spec)).toThrow(
      "fakeTensorQuant: unknown option 'numbits'; did you mean 'numBits'? (accepted: numBits, unsigned, kernels, name, axis)",
    );
    expect(() => checkOptions('g', { narrow_range: false, foo: 1 }, ['narrowRange'])).toThrow(
      "g: unknown options 'narrow_range', 'foo'; did you mean 'narrowRange'? (accepted: narrowRange)",
    );
    expect(() => checkOptions('h', { a: 1 }, [])).toThrow("h: unknown option 'a' (accepted: none)");
  });
  it('refuses wrongly typed values, naming the type given', () => {
    expect(() => checkOptions('f', { unsigned: 'yes' }, spec)).toThrow("f: option 'unsigned' must be a boolean, got string 'yes'");
    expect(() => checkOptions('f', { numBits: 4.5 }, spec)).toThrow("f: option 'numBits' must be an integer, got 4.5");
    expect(() => checkOptions('f', { kernels: null }, spec)).toThrow("f: option 'kernels' must be an object, got null");
  });
  it('refuses options that are not an object', () => {
    expect(() => checkOptions('f', 8, spec)).toThrow('f: options must be an object, got 8');
    expect(() => checkOptions('f', [1], spec)).toThrow('f: options must be an object, got array [1]');
  });
});

describe('describeValue', () => {
  it('names the type, then a short form', () => {
    expect(describeValue(Float64Array.of(3.14, 2.71))).toBe('Float64Array(2) [3.14, 2.71]');
    expect(describeValue(new Float32Array(9))).toBe('Float32Array(9) [0, 0, 0, 0, ...]');
    expect(describeValue([1, 'a'])).toBe('array [1, a]');
    expect(describeValue('x')).toBe("string 'x'");
    expect(describeValue(NaN)).toBe('NaN');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue({ data: 1, shape: 2 })).toBe('object { data, shape }');
    expect(describeValue(new Map())).toBe('Map');
    expect(describeValue(function named() {})).toBe('function named');
  });
});
