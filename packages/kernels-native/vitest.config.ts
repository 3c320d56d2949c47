import { pqTestConfig } from '@pq/test-config';

// Every call splits over the threads it is given, however small (thread_pool.h): the tests of
// the splits' bits (1 vs 3 threads) then cover them on small shapes.
export default pqTestConfig({ env: { PQ_KERNELS_SPLIT: 'always' } });
