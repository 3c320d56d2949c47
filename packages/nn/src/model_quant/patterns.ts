// Quantizer selection by name, as ModelOpt matches its quant_cfg keys: Python's fnmatch
// (`*` any run of characters, dots included; `?` one character; `[kv]`, `[!0-9]` sets), on
// the quantizer's full dotted name; or a filter function.
import { describeValue } from '@pq/core';
import type { QuantizerPattern } from './config.js';

const cache = new Map<string, RegExp>();

/** fnmatch's translation of a wildcard into an anchored regular expression. */
function wildcardRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re !== undefined) return re;
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        let set = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        else if (set.startsWith('^')) set = `\\${set}`;
        out += `[${set}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  re = new RegExp(`^${out}$`, 's');
  cache.set(pattern, re);
  return re;
}

/** Whether the quantizer called `name` is selected by `pattern`. */
export function matchesPattern(pattern: QuantizerPattern, name: string): boolean {
  if (typeof pattern === 'function') return pattern(name) === true;
  if (typeof pattern === 'string') return wildcardRegExp(pattern).test(name);
  throw new TypeError(`a quantizer pattern must be a wildcard string or a filter function, got ${describeValue(pattern)}`);
}
