// Run by atomicWrite.test.ts in a child process: writes one file completely, leaves a second
// one half-written under its temporary name, then waits to be interrupted.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installInterruptCleanup, trackTempFile, writeFileAtomic } from '../src/node.js';

const dir = process.argv[2]!;
installInterruptCleanup();
await writeFileAtomic(join(dir, 'summary.json'), '{"done":true}\n');
const tmp = join(dir, `.report.html.${process.pid}.tmp`);
writeFileSync(tmp, '<html><body>half');
trackTempFile(tmp);
process.stdout.write('ready\n');
setInterval(() => undefined, 1000);
