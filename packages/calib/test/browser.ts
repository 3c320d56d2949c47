// The suites that also run in Chromium (tooling/browser-tests): the calibrators' golden vectors.
import './golden.test.js';
