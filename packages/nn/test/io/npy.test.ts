// decodeNpy against numpy 1.24's own files (test/fixtures/make_npy.py), and the malformed
// files it refuses, naming the problem.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NpyError, decodeNpy } from '../../src/index.js';

const file = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/npy/${name}`, import.meta.url)));
const base = Array.from({ length: 24 }, (_, i) => (i - 11.5) / 4);

describe('decodeNpy', () => {
  it("reads numpy's files: dtypes, byte orders, Fortran order, scalars, format 2.0", () => {
    for (const name of ['f4.npy', 'f8_big.npy', 'fortran.npy', 'v2.npy']) {
      const a = decodeNpy(file(name));
      expect(a.shape, name).toEqual([2, 3, 4]);
      expect(Array.from(a.data), name).toEqual(base);
    }
    expect(decodeNpy(file('f8_big.npy')).dtype).toBe('float64');
    expect(decodeNpy(file('i8.npy'))).toEqual({ shape: [4], dtype: 'int64', data: Float32Array.of(3, -1, 7, 0) });
    expect(decodeNpy(file('u1.npy'))).toEqual({ shape: [2, 2], dtype: 'uint8', data: Float32Array.of(0, 255, 7, 128) });
    expect(decodeNpy(file('bool.npy'))).toEqual({ shape: [3], dtype: 'bool', data: Float32Array.of(1, 0, 1) });
    expect(decodeNpy(file('scalar.npy'))).toEqual({ shape: [], dtype: 'float32', data: Float32Array.of(2.5) });
  });

  it('refuses what is not an .npy file, or is damaged, naming the problem', () => {
    const good = file('f4.npy');
    const refused = (bytes: Uint8Array, message: string) => {
      expect(() => decodeNpy(bytes)).toThrow(NpyError);
      expect(() => decodeNpy(bytes)).toThrow(message);
    };
    refused(new TextEncoder().encode('a,b,c\n1,2,3\n'), 'npy: not an .npy file (it does not start with \\x93NUMPY)');
    refused(good.subarray(0, good.length - 4), 'npy: shape [2, 3, 4] of <f4 needs 96 bytes of data, the file has 92 (truncated?)');
    refused(good.subarray(0, 40), 'npy: the header (118 bytes) runs past the end of the file (truncated?)');
    const edit = (from: string, to: string) => {
      const text = new TextDecoder('latin1').decode(good);
      return Uint8Array.from(text.replace(from, to), (ch) => ch.charCodeAt(0));
    };
    refused(edit("'<f4'", "'<c8'"), "npy: element type '<c8' is not supported");
    refused(edit("'<f4'", "'|O4'"), "element type '|O4' is not supported");
    refused(edit('(2, 3, 4)', '(2, -3, 4)'), 'has a dimension that is not a non-negative integer');
    refused(edit('(2, 3, 4)', '(9999999, 99999, 4)'), 'npy: shape [9999999, 99999, 4] has more than 1073741824 elements');
    refused(edit("'fortran_order': False", "'fortran_order': 0    "), 'npy: fortran_order must be True or False, got 0');
  });
});
