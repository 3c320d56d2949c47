// Run: npx tsx examples/images.ts (after `pnpm build`)
import { encode } from 'fast-png';
import { centerCrop, decodeImage, resize, toNormalizedTensor } from '@pq/vision';

// A 40 x 30 PNG as a file holds it (fast-png encodes it here; any JPEG or PNG file's bytes do).
const rgb = Uint8Array.from({ length: 40 * 30 * 3 }, (_, i) => (i * 7) % 256);
const bytes = encode({ width: 40, height: 30, data: rgb, channels: 3, depth: 8 });

// torchvision's eval preset: Resize(36) (shorter side), CenterCrop(32), ToTensor + Normalize.
const img = decodeImage(bytes, 'example.png');
const small = resize(img, 36);
const crop = centerCrop(small, 32);
const x = toNormalizedTensor(crop); // ImageNet mean/std by default; float32 CHW
console.log(`${img.width}x${img.height} -> ${small.width}x${small.height} -> ${crop.width}x${crop.height}, ${x.length} values`);
console.log(Array.from(x.subarray(0, 3), (v) => v.toFixed(4)).join(' '));
