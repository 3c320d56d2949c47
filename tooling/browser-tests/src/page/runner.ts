// The page side of the browser suites: the driver calls window.pqRunSuites(provided) with the
// values the packages' browser.provide.ts computed in Node, and gets every test's result back
// as plain data.
import { runTests, setProvided, type TestResult } from './vitest-shim.js';

const suites: { label: string; load: () => Promise<unknown> }[] = [];

export function registerSuite(label: string, load: () => Promise<unknown>): void {
  suites.push({ label, load });
}

async function runAll(provided: Record<string, unknown>): Promise<TestResult[]> {
  setProvided(provided);
  const out: TestResult[] = [];
  for (const s of suites) out.push(...(await runTests(s.label, s.load)));
  return out;
}

(globalThis as { pqRunSuites?: typeof runAll }).pqRunSuites = runAll;
