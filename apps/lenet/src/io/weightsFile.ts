// Reads a --weights file. A folder or a missing file is refused by name, and the format comes
// from the content, not the extension: safetensors starts with its header's length (8 bytes,
// little-endian) and then the JSON header's `{`; a JSON state dict starts with `{`. So
// `model.JSON`, `model.bin` or a misnamed file load as what they are.
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';

export type WeightsFormat = 'safetensors' | 'json';

const OPEN_BRACE = 0x7b;

/** The format `bytes` are in, or null when they are neither. */
export function detectWeightsFormat(bytes: Uint8Array): WeightsFormat | null {
  if (bytes.length >= 9 && bytes[8] === OPEN_BRACE) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
    if (headerLength >= 2 && 8 + headerLength <= bytes.length) return 'safetensors';
  }
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // UTF-8 byte order mark
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === OPEN_BRACE ? 'json' : null;
}

/** The bytes of `file` and their format; errors name the option, the file and the problem. */
export function readWeightsFile(file: string): { bytes: Uint8Array; format: WeightsFormat } {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(file).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`--weights ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (isDirectory) throw new Error(`--weights ${file} is a folder; give a state dict file (.safetensors or .json)`);
  const bytes = readFileSync(file);
  const format = detectWeightsFormat(bytes);
  if (format === null) {
    const ext = extname(file).toLowerCase();
    const expected = ext === '.json' ? 'a JSON state dict' : ext === '.safetensors' ? 'safetensors' : 'safetensors or a JSON state dict';
    throw new Error(
      `--weights ${file}: not ${expected} (${bytes.length} bytes; safetensors starts with an 8-byte header length and \`{\`, JSON with \`{\`)`,
    );
  }
  return { bytes, format };
}
