// torchvision's datasets.ImageFolder on Node: `root/<class>/**/<image>`, classes the sorted
// names of root's sub-folders (index = position), samples every image file under each class
// folder in sorted order, walked recursively as os.walk does. Files whose extension is not
// an image format this package decodes are skipped, as torchvision skips them.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { type DecodeImageOptions, type RgbImage, decodeImage } from './image.js';

/** Extensions decoded (JPEG and PNG), compared case-insensitively. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png'];

export interface ImageFolder {
  readonly root: string;
  /** Class names, sorted (the folder names). */
  readonly classes: readonly string[];
  readonly classToIdx: Readonly<Record<string, number>>;
  /** Every image: its path and class index, class by class, each class's files sorted. */
  readonly samples: readonly { readonly path: string; readonly label: number }[];
}

/** Code-unit order, as Python's sorted() orders str. */
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function listDir(dir: string): string[] {
  return readdirSync(dir).sort(byName);
}

/** `dir` and every folder below it, each with its files. */
function walk(dir: string, out: { dir: string; files: string[] }[]): void {
  const files: string[] = [];
  out.push({ dir, files });
  for (const name of listDir(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) walk(path, out);
    else if (st.isFile()) files.push(name);
  }
}

/** The image files under `dir` in torchvision's order: `sorted(os.walk(dir))`, each folder's files sorted. */
function walkImages(dir: string, extensions: readonly string[], out: string[]): void {
  const folders: { dir: string; files: string[] }[] = [];
  walk(dir, folders);
  folders.sort((a, b) => byName(a.dir, b.dir));
  for (const f of folders) for (const name of f.files) if (extensions.includes(extname(name).toLowerCase())) out.push(join(f.dir, name));
}

/**
 * Scans `root` as torchvision's ImageFolder does. Refuses, naming the folder: a missing root or
 * one that is a file, a root with no class folders, and a class folder with no image.
 */
export function imageFolder(root: string, o: { extensions?: readonly string[] } = {}): ImageFolder {
  const extensions = (o.extensions ?? IMAGE_EXTENSIONS).map((e) => e.toLowerCase());
  let st;
  try {
    st = statSync(root);
  } catch {
    throw new Error(`image folder ${root}: no such folder`);
  }
  if (!st.isDirectory()) throw new Error(`image folder ${root}: not a folder`);
  const classes = listDir(root).filter((name) => statSync(join(root, name)).isDirectory());
  if (classes.length === 0) throw new Error(`image folder ${root}: no class folders (expected ${join(root, '<class>', '<image>')})`);
  const classToIdx: Record<string, number> = Object.create(null) as Record<string, number>;
  const samples: { path: string; label: number }[] = [];
  classes.forEach((name, label) => {
    classToIdx[name] = label;
    const files: string[] = [];
    walkImages(join(root, name), extensions, files);
    if (files.length === 0) {
      throw new Error(`image folder ${root}: class folder ${name} has no image (looked for ${extensions.join(', ')})`);
    }
    for (const path of files) samples.push({ path, label });
  });
  return { root, classes, classToIdx, samples };
}

/** Reads and decodes one image file; errors name the file. */
export function loadImageFile(path: string, o: DecodeImageOptions = {}): RgbImage {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as Error).message})`, { cause: e });
  }
  return decodeImage(bytes, path, o);
}
