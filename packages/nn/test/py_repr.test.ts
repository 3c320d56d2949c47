import { describe, expect, it } from 'vitest';
import { pyBool, pyFloat, pyTuple, pyValue } from '../src/py_repr.js';

describe('Python reprs', () => {
  it("pyFloat is Python 3's repr(float)", () => {
    // [value, repr(value)] as CPython 3 prints them.
    const cases: Array<[number, string]> = [
      [0, '0.0'], [-0, '-0.0'], [1, '1.0'], [-1, '-1.0'], [0.5, '0.5'], [0.1, '0.1'], [100, '100.0'],
      [1e-5, '1e-05'], [1e-4, '0.0001'], [0.0001234, '0.0001234'], [1.5e-5, '1.5e-05'], [-2.5e-5, '-2.5e-05'],
      [1e-7, '1e-07'], [2.5e-10, '2.5e-10'], [3e-5 * 1.0000000000000001, '3e-05'], [0.00001 * 3, '3.0000000000000004e-05'],
      [1e15, '1000000000000000.0'], [9999999999999998, '9999999999999998.0'], [1e16, '1e+16'],
      [12345678901234567, '1.2345678901234568e+16'], [1e22, '1e+22'], [1e300, '1e+300'],
      [5e-324, '5e-324'], [1.7976931348623157e308, '1.7976931348623157e+308'],
      [3.14159, '3.14159'], [1 / 3, '0.3333333333333333'], [12345.678, '12345.678'], [0.3, '0.3'],
      [Infinity, 'inf'], [-Infinity, '-inf'], [NaN, 'nan'],
    ];
    for (const [v, want] of cases) expect(pyFloat(v), String(v)).toBe(want);
  });
  it('bools, tuples and values', () => {
    expect([pyBool(true), pyBool(false)]).toEqual(['True', 'False']);
    expect([pyTuple([3]), pyTuple([5, 5]), pyTuple([])]).toEqual(['(3,)', '(5, 5)', '()']);
    expect([pyValue(2), pyValue([1, 2]), pyValue([0]), pyValue(null), pyValue(undefined)]).toEqual(['2', '(1, 2)', '(0,)', 'None', 'None']);
  });
});
