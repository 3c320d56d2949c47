// Argument checks shared by the model builders; messages name the model and the option.

/** `v` when it is a positive integer, else an error `${owner}: ${name} must be a positive integer, got ...`. */
export function checkPositiveInt(owner: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`${owner}: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}
