// Module paths for imported layers. A layer whose parameters come from initializers named like
// state-dict keys (what torch.onnx writes: `layer1.0.conv1.weight`) gets that path
// (`layer1.0.conv1`), so the imported model's stateDict() has the original keys. Other layers
// are named from their node's scope (`/layer1/layer1.0/relu/Relu` -> `layer1.0.relu`), made
// unique; a path never runs through a layer.

/** A name that looks like a state-dict key: dotted identifiers (`fc.weight`, `layers.0.norm1.bias`). */
export function isStatePath(name: string): boolean {
  return /^[A-Za-z_]\w*(\.\w+)+$/.test(name);
}

/** The module path an initializer names for a layer field ('fc.weight' -> fc; 'attn.in_proj_bias' -> attn.in_proj), or null. */
export function pathFromParam(initializer: string, field: string): string[] | null {
  if (!isStatePath(initializer)) return null;
  const parts = initializer.split('.');
  const last = parts.pop()!;
  if (last === field) return parts;
  if (last.endsWith(`_${field}`) && last.length > field.length + 1) return [...parts, last.slice(0, -field.length - 1)];
  return null;
}

function identifier(s: string): string {
  const clean = s.replace(/[^A-Za-z0-9_]/g, '_').replace(/^_+|_+$/g, '');
  return clean === '' ? 'node' : /^[0-9]/.test(clean) && clean.length > 1 && !/^[0-9]+$/.test(clean) ? `_${clean}` : clean;
}

/**
 * The scope of a node name as path segments, and its last part: torch.onnx names nodes
 * `/<module>/<submodule>/<OpType>[_n]`, a child of an unnamed container extending its name
 * (`/layer1/layer1.0/conv1/Conv`, `/features.1/conv/conv.0/conv.0.0/Conv`), which collapses to
 * [layer1, 0, conv1] and 'conv'.
 */
export function nodeScope(name: string, opType: string): { scope: string[]; leaf: string } {
  const segments = name.split('/').filter((s) => s !== '');
  if (segments.length === 0) return { scope: [], leaf: opType.toLowerCase() };
  const leaf = segments.pop()!;
  // A segment that extends the previous one ('conv' then 'conv.0') names a child of that module.
  const path: string[] = [];
  let previous = '';
  for (const seg of segments) {
    if (previous !== '' && seg.startsWith(`${previous}.`)) path.splice(path.length - previous.split('.').length);
    path.push(...seg.split('.'));
    previous = seg;
  }
  const isOpName = leaf === opType || new RegExp(`^${opType}_\\d+$`).test(leaf);
  return { scope: path.map(identifier), leaf: isOpName ? leaf.toLowerCase() : identifier(leaf) };
}

/** Claims module paths: leaves (layers) and the containers above them; never a path through a leaf. */
export class PathRegistry {
  private readonly kinds = new Map<string, 'leaf' | 'container'>();

  constructor(private readonly reserved: (segment: string, depth: number) => boolean) {}

  /** Whether `path` can be a leaf. */
  free(path: readonly string[]): boolean {
    if (path.length === 0 || path.some((s, i) => s === '' || this.reserved(s, i))) return false;
    return !this.throughLeaf(path) && !this.kinds.has(path.join('.'));
  }

  claim(path: readonly string[]): string[] {
    for (let i = 1; i < path.length; i++) this.kinds.set(path.slice(0, i).join('.'), 'container');
    this.kinds.set(path.join('.'), 'leaf');
    return [...path];
  }

  /** Whether a proper prefix of `path` is a leaf (a layer cannot hold submodules). */
  throughLeaf(path: readonly string[]): boolean {
    for (let i = 1; i < path.length; i++) if (this.kinds.get(path.slice(0, i).join('.')) === 'leaf') return true;
    return false;
  }

  /** `preferred` when free, else with `_1`, `_2`, ... on its last segment (flattened to one segment when it would run through a layer). */
  claimUnique(preferred: readonly string[]): string[] {
    let base = preferred.map((s, i) => (this.reserved(s, i) ? `${s}_` : s));
    if (this.throughLeaf(base)) base = [base.join('_')];
    if (this.free(base)) return this.claim(base);
    for (let n = 1; ; n++) {
      const p = [...base.slice(0, -1), `${base[base.length - 1]}_${n}`];
      if (this.free(p)) return this.claim(p);
    }
  }
}
