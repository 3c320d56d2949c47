// Layer classes list the option keys their constructor accepts in a static `optionKeys`, so a
// subclass (QuantConv2d extends Conv2d) widens the list instead of re-checking options.
import type { Module } from '../module.js';

export function optionKeysOf(m: Module): readonly string[] {
  const keys = (m.constructor as { optionKeys?: readonly string[] }).optionKeys;
  return keys ?? [];
}
