/**
 * Functions that misbehave on purpose, for the runtime's robustness tests. The body of each SQS record
 * says what to do: "hang" never answers, "throw" throws, "spin:MS" burns CPU for MS milliseconds,
 * "fail" is reported in batchItemFailures, "crash" exits the worker thread; anything else succeeds.
 */
import type { SQSEvent } from 'aws-lambda';

export function createHandler() {
  return async (event: SQSEvent) => {
    const failures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      const body = record.body;
      if (body === 'hang') await new Promise(() => undefined);
      if (body === 'throw') throw new Error('thrown on purpose');
      if (body === 'crash') process.exit(3);
      if (body.startsWith('spin:')) {
        const until = Date.now() + Number(body.slice(5));
        while (Date.now() < until) {
          // burn CPU on the worker's thread
        }
      }
      if (body === 'fail') failures.push({ itemIdentifier: record.messageId });
    }
    return { batchItemFailures: failures };
  };
}
