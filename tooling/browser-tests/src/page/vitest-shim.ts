// What the packages' test files import from 'vitest', for a browser page: describe/it/hooks
// that collect a tree of tests, run by runTests(), and vitest's own expect (@vitest/expect on
// chai), so a matcher means in Chromium exactly what it means under vitest in Node.
import {
  chai, GLOBAL_EXPECT, JestAsymmetricMatchers, JestChaiExpect, JestExtend, setState,
} from '@vitest/expect';

type Fn = () => unknown;

interface Test {
  readonly name: string;
  readonly fn: Fn;
  readonly timeout: number;
}

interface Suite {
  readonly name: string;
  readonly children: (Suite | Test)[];
  readonly beforeAll: Fn[];
  readonly afterAll: Fn[];
  readonly beforeEach: Fn[];
  readonly afterEach: Fn[];
}

export interface TestResult {
  /** Suite names from the outermost in, then the test's name, joined by ' > '. */
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly ms: number;
}

const DEFAULT_TIMEOUT = 60_000;

function newSuite(name: string): Suite {
  return { name, children: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] };
}

let root = newSuite('');
let current = root;

function addSuite(name: string, fn: Fn): void {
  const parent = current;
  const suite = newSuite(name);
  parent.children.push(suite);
  current = suite;
  try {
    fn();
  } finally {
    current = parent;
  }
}

function addTest(name: string, fn: Fn, timeout = DEFAULT_TIMEOUT): void {
  current.children.push({ name, fn, timeout });
}

/** vitest's each-name formatting: printf-style %s %d %i %f %j %o %#, and $key for objects. */
function formatName(template: string, row: unknown, index: number): string {
  const args = Array.isArray(row) ? row : [row];
  let k = 0;
  let name = template.replace(/%[sdifjoO#%]/g, (m) => {
    if (m === '%%') return '%';
    if (m === '%#') return String(index);
    const v = args[k++];
    if (m === '%j' || m === '%o' || m === '%O') return JSON.stringify(v);
    if (m === '%d' || m === '%i') return String(Math.trunc(Number(v)));
    return String(v);
  });
  if (!Array.isArray(row) && typeof row === 'object' && row !== null) {
    name = name.replace(/\$([A-Za-z_][\w.]*)/g, (_, key: string) => String((row as Record<string, unknown>)[key]));
  }
  return name;
}

function each(add: (name: string, fn: Fn, timeout?: number) => void) {
  return (table: readonly unknown[]) => (template: string, fn: (...args: unknown[]) => unknown, timeout?: number) => {
    table.forEach((row, i) => {
      const args = Array.isArray(row) ? row : [row];
      add(formatName(template, row, i), () => fn(...args), timeout);
    });
  };
}

export const describe = Object.assign(addSuite, { each: each(addSuite) });
export const it = Object.assign(addTest, { each: each(addTest) });
export const test = it;
let provided: Record<string, unknown> = {};

/** vitest's inject(): a value the driver computed in Node (a package's test/browser.provide.ts). */
export function inject(key: string): never {
  if (!Object.hasOwn(provided, key)) throw new Error(`nothing was provided under '${key}'`);
  return provided[key] as never;
}

/** Sets what inject() returns. */
export function setProvided(values: Record<string, unknown>): void {
  provided = values;
}

export const beforeAll = (fn: Fn): void => void current.beforeAll.push(fn);
export const afterAll = (fn: Fn): void => void current.afterAll.push(fn);
export const beforeEach = (fn: Fn): void => void current.beforeEach.push(fn);
export const afterEach = (fn: Fn): void => void current.afterEach.push(fn);

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

export const expect = Object.assign(
  (value: unknown, message?: string) => chai.expect(value, message),
  chai.expect,
);
setState({ assertionCalls: 0, isExpectingAssertions: false, isExpectingAssertionsError: null, expectedAssertionsNumber: null, expectedAssertionsNumberErrorGen: null }, expect as unknown as Parameters<typeof setState>[1]);
(globalThis as Record<symbol, unknown>)[GLOBAL_EXPECT] = expect;

function message(e: unknown): string {
  if (e instanceof Error) return e.message || String(e);
  return String(e);
}

async function withTimeout(fn: Fn, ms: number, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([Promise.resolve().then(fn), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Lets the page paint and the driver talk between tests. */
const yieldToPage = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function runSuite(suite: Suite, path: string[], eachHooks: { before: Fn[]; after: Fn[] }, out: TestResult[]): Promise<void> {
  const hooks = { before: [...eachHooks.before, ...suite.beforeEach], after: [...suite.afterEach, ...eachHooks.after] };
  let setupError: string | null = null;
  for (const h of suite.beforeAll) {
    try {
      await withTimeout(h, DEFAULT_TIMEOUT, 'beforeAll');
    } catch (e) {
      setupError = `beforeAll failed: ${message(e)}`;
      break;
    }
  }
  for (const child of suite.children) {
    const name = [...path, child.name];
    if ('children' in child) {
      if (setupError !== null) skipAll(child, name, setupError, out);
      else await runSuite(child, name, hooks, out);
      continue;
    }
    const t0 = performance.now();
    let error: string | undefined = setupError ?? undefined;
    if (error === undefined) {
      try {
        for (const h of hooks.before) await h();
        await withTimeout(child.fn, child.timeout, 'test');
        for (const h of hooks.after) await h();
      } catch (e) {
        error = message(e);
      }
    }
    out.push({ name: name.join(' > '), ok: error === undefined, ms: performance.now() - t0, ...(error === undefined ? {} : { error }) });
    await yieldToPage();
  }
  for (const h of suite.afterAll) {
    try {
      await h();
    } catch (e) {
      out.push({ name: [...path, 'afterAll'].join(' > '), ok: false, error: message(e), ms: 0 });
    }
  }
}

function skipAll(suite: Suite, path: string[], error: string, out: TestResult[]): void {
  for (const child of suite.children) {
    const name = [...path, child.name];
    if ('children' in child) skipAll(child, name, error, out);
    else out.push({ name: name.join(' > '), ok: false, error, ms: 0 });
  }
}

/**
 * Collects the tests that `load` registers (a file's top-level describe/it calls), under
 * `label`, and runs them in order. Later calls start a fresh tree.
 */
export async function runTests(label: string, load: () => Promise<unknown>): Promise<TestResult[]> {
  root = newSuite(label);
  current = root;
  const out: TestResult[] = [];
  try {
    await load();
  } catch (e) {
    return [{ name: `${label} > (loading the test files)`, ok: false, error: message(e), ms: 0 }];
  }
  await runSuite(root, [label], { before: [], after: [] }, out);
  return out;
}
