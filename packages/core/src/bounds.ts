// Integer quantization ranges, as in the reference's _tensor_quant.

import { checkOptions, describeValue } from './options.js';
import type { QuantOptions } from './types.js';

/** Checks the integer format: signed needs 2..16 bits, unsigned 1..16; `who` prefixes the error. */
export function checkNumBits(numBits: number, unsigned: boolean, who?: string): void {
  const min = unsigned ? 1 : 2;
  if (!Number.isInteger(numBits) || numBits < min || numBits > 16) {
    const got = typeof numBits === 'number' ? String(numBits) : describeValue(numBits);
    throw new RangeError(
      `${who === undefined ? '' : `${who}: `}numBits must be an integer in ${min}..16 for ${unsigned ? 'unsigned' : 'signed'} quantization, got ${got}`,
    );
  }
}

/** QuantOptions with the defaults filled in. */
export interface ResolvedQuantOptions {
  numBits: number;
  unsigned: boolean;
  narrowRange: boolean;
}

const QUANT_OPTIONS = { numBits: 'integer', unsigned: 'boolean', narrowRange: 'boolean' } as const;

/**
 * Checks the options of an integer quantization (unknown keys, types, the numBits range) and
 * fills in the defaults `numBits: 8, unsigned: false, narrowRange: true`; `who` names the caller.
 */
export function resolveQuantOptions(o: QuantOptions | undefined, who: string): ResolvedQuantOptions {
  checkOptions(who, o, QUANT_OPTIONS);
  const numBits = o?.numBits ?? 8;
  const unsigned = o?.unsigned ?? false;
  checkNumBits(numBits, unsigned, who);
  return { numBits, unsigned, narrowRange: o?.narrowRange ?? true };
}

/** `2^(numBits - 1 + unsigned) - 1`: the largest quantized integer. */
export function maxBound(numBits: number, unsigned = false): number {
  return 2 ** (numBits - 1 + (unsigned ? 1 : 0)) - 1;
}

/** The smallest quantized integer: 0 unsigned, `-maxBound` narrow, `-maxBound - 1` otherwise. */
export function minBound(numBits: number, unsigned = false, narrowRange = true): number {
  if (unsigned) return 0;
  const mb = maxBound(numBits, false);
  return narrowRange ? -mb : -mb - 1;
}
