// Putting a name in front of an error raised deeper down (a module path, a quantizer name), so the
// message says where the problem is; the stack's first line is kept in step, as Node prints it.

/** Prefixes `e`'s message (and the first line of its stack) with `prefix: `, unless it starts so already. */
export function prefixError(e: unknown, prefix: string): unknown {
  if (!(e instanceof Error) || e.message.startsWith(`${prefix}:`) || e.message.startsWith(`${prefix}(`)) return e;
  const before = `${e.name}: ${e.message}`;
  e.message = `${prefix}: ${e.message}`;
  if (typeof e.stack === 'string' && e.stack.startsWith(before)) e.stack = `${e.name}: ${e.message}${e.stack.slice(before.length)}`;
  return e;
}
