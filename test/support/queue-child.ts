/**
 * A process that works a durable queue and reports each step on stdout only after it committed,
 * so a test can kill it with SIGKILL at any moment and check nothing reported was lost.
 *   produce DB: sends messages "m0", "m1", … forever, printing "sent mN" after each commit
 *   consume DB: receives one at a time and deletes it, printing "done mN" after each delete
 */
import { openDatabase } from '../../shared/adapters/local/sqlite.ts';
import { SqliteQueue } from '../../shared/adapters/local/sqlite-queue.ts';

const [mode, path] = process.argv.slice(2);
const db = openDatabase(path!);
const queue = new SqliteQueue(db, [
  { name: 'work', visibilityTimeoutSeconds: 1, maxReceiveCount: 1000, retentionSeconds: 3600 },
]);
queue.releaseOrphans();

if (mode === 'produce') {
  for (let i = 0; ; i++) {
    await queue.send('work', [{ body: `m${i}` }]);
    process.stdout.write(`sent m${i}\n`);
  }
} else {
  for (;;) {
    const [record] = queue.receive('work', 1).records;
    if (!record) {
      await new Promise((r) => setTimeout(r, 5));
      continue;
    }
    if (queue.delete('work', record.receiptHandle)) process.stdout.write(`done ${record.body}\n`);
  }
}
