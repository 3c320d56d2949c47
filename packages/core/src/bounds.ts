// Integer quantization ranges, as in the reference's _tensor_quant.

/** Checks the integer format: signed needs 2..16 bits, unsigned 1..16. */
export function checkNumBits(numBits: number, unsigned: boolean): void {
  const min = unsigned ? 1 : 2;
  if (!Number.isInteger(numBits) || numBits < min || numBits > 16) {
    throw new RangeError(
      `numBits must be an integer in ${min}..16 for ${unsigned ? 'unsigned' : 'signed'} quantization, got ${String(numBits)}`,
    );
  }
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
