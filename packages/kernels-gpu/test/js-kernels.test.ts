// The suite against the reference implementation itself, so the suite is known to be right.
import { jsKernels } from '@pq/core';
import { describeKernelSuite } from './kernel-suite.js';

describeKernelSuite('jsKernels', () => jsKernels);
