/**
 * av-scan: one scan task per record (the queue delivers one at a time); scans its files with the engine
 * the job's policy names and completes the job when the last task has reported. Engines are built once
 * per process from the environment (OUTBOARD_AV_DB, OUTBOARD_CLAMD) and reused across invocations.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { decodeScanTask } from '../../shared/antivirus/dispatch/tasks.ts';
import { loggingEngines } from '../../shared/antivirus/scan/engines.ts';
import { MalformedRequestError } from '../../shared/contracts/queue-record.ts';
import type { Deps } from '../../shared/deps.ts';
import { runAvScanTask } from '../../shared/domain/antivirus/scan-run.ts';
import { findFunction } from '../../shared/topology.ts';

const spec = findFunction('av-scan');
const maxReceiveCount = spec.trigger.kind === 'queue' ? spec.trigger.queue.maxReceiveCount : 1;

export function createHandler(deps: Deps, env: NodeJS.ProcessEnv = process.env) {
  const processor = new BatchProcessor(EventType.SQS);
  const engines = loggingEngines(deps.logger, env);
  const handle = async (record: SQSRecord, context: Context) => {
    let task: ReturnType<typeof decodeScanTask>;
    try {
      task = decodeScanTask(record.body);
    } catch (error) {
      throw new MalformedRequestError(
        `message ${record.messageId}: ${(error as Error).message}; not processed`,
      );
    }
    deps.logger.appendKeys({ jobId: task.jobId, guestId: task.guestId, taskIndex: task.taskIndex });
    try {
      const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
      const result = await runAvScanTask(
        deps,
        task,
        { receiveCount, maxReceiveCount, messageId: record.messageId },
        { engines, remainingMs: () => context.getRemainingTimeInMillis() },
      );
      deps.logger.info('scan task handled', {
        outcome: result.outcome,
        ...(result.outcome === 'dropped' ? { reason: result.reason } : { fanIn: result.finalize.outcome }),
        ...(result.outcome === 'reported'
          ? { status: result.result.status, files: result.result.verdicts.length }
          : {}),
      });
    } finally {
      deps.logger.removeKeys(['jobId', 'guestId', 'taskIndex']);
    }
  };
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, (record: SQSRecord) => handle(record, context), processor, {
      context,
      throwOnFullBatchFailure: false,
    });
}
