// Browser testing for the workspace: Chromium through playwright-core, a cross-origin
// isolated static server, and the runner of every package's test/browser.ts.
export { CHROMIUM_ARGS, chromiumPath, launchChromium } from './chromium.js';
export { serveFiles, type ServeOptions, type Served } from './serve.js';
export { bundlePage, type PageFiles, type PageOptions } from './bundle.js';
export { withPage, type OpenedPage } from './open-page.js';
export { runBrowserSuites, type SuiteRun, type TestResult } from './run.js';
export { findBrowserSuites, type BrowserSuite } from './suites.js';
