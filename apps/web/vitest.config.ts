import { pqTestConfig } from '@pq/test-config';

export default pqTestConfig({ testTimeout: 180_000, hookTimeout: 180_000 });
