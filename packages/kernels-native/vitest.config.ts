import { pqTestConfig } from '@pq/test-config';

export default pqTestConfig();
