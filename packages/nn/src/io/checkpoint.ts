// One loader for the checkpoint formats PyTorch users have: `torch.save` files (.pth/.pt, what
// torchvision publishes) and safetensors, told apart by their first bytes.
import { checkOptions } from '@pq/core';
import type { StateDict } from './state.js';
import { decodeSafetensors } from './safetensors.js';
import { decodePth, type DecodePthOptions } from './pth.js';

export type CheckpointFormat = 'pth' | 'safetensors';

export type LoadCheckpointOptions = DecodePthOptions;

/** 'pth' for a zip archive (torch.save since PyTorch 1.6), 'safetensors' for a JSON header. */
export function checkpointFormat(bytes: Uint8Array): CheckpointFormat {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`checkpoint: expected a Uint8Array, got ${typeof bytes}`);
  const b = bytes;
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) return 'pth';
  if (b.length >= 9 && b[8] === 0x7b && b[4] === 0 && b[5] === 0 && b[6] === 0 && b[7] === 0) return 'safetensors';
  // A pickle at the start is torch.save's format before PyTorch 1.6.
  if (b.length >= 2 && b[0] === 0x80 && b[1] >= 2 && b[1] <= 5) {
    throw new Error(
      'checkpoint: this is the legacy torch.save format (before PyTorch 1.6), which is not supported; ' +
      're-save it with a current PyTorch: torch.save(torch.load(path), path)',
    );
  }
  throw new Error(`checkpoint: not a torch.save zip archive nor a safetensors file (first bytes ${[...b.subarray(0, 8)].map((x) => x.toString(16).padStart(2, '0')).join(' ') || 'none: empty file'})`);
}

/**
 * Reads a checkpoint's state dict as float32 arrays, ready for `module.loadStateDict`:
 *
 * ```js
 * const bytes = new Uint8Array(await (await fetch('resnet18-f37072fd.pth')).arrayBuffer());
 * model.loadStateDict(loadCheckpoint(bytes));
 * ```
 */
export function loadCheckpoint(bytes: Uint8Array, o: LoadCheckpointOptions = {}): StateDict {
  checkOptions('loadCheckpoint', o, { key: 'string' });
  const format = checkpointFormat(bytes);
  if (format === 'pth') return decodePth(bytes, o);
  if (o.key !== undefined) throw new Error(`checkpoint: option 'key' applies to torch.save files; a safetensors file holds one flat state dict`);
  return decodeSafetensors(bytes);
}
