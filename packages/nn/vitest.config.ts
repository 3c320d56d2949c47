import { pqTestConfig } from '@pq/test-config';

export default pqTestConfig({ setupFiles: ['test/setup.ts'] });
