// The page side of the browser suites: the driver calls window.pqRunSuites() and gets every
// test's result back as plain data.
import { runTests, type TestResult } from './vitest-shim.js';

const suites: { label: string; load: () => Promise<unknown> }[] = [];

export function registerSuite(label: string, load: () => Promise<unknown>): void {
  suites.push({ label, load });
}

async function runAll(): Promise<TestResult[]> {
  const out: TestResult[] = [];
  for (const s of suites) out.push(...(await runTests(s.label, s.load)));
  return out;
}

(globalThis as { pqRunSuites?: () => Promise<TestResult[]> }).pqRunSuites = runAll;
