/**
 * av-dispatch: one `AV Scan Requested` or `Backup Completed` per record (the queue delivers one at a
 * time: planning a large guest takes a while); plans the scan and sends its tasks to `av-scan-tasks`.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { EventBridgeEnvelope } from '../../shared/contracts/events.ts';
import { MalformedRequestError, parseEventRecord } from '../../shared/contracts/queue-record.ts';
import type { Deps } from '../../shared/deps.ts';
import { type AvDispatchInput, runAvDispatch } from '../../shared/domain/antivirus/dispatch-run.ts';
import { findFunction } from '../../shared/topology.ts';

const spec = findFunction('av-dispatch');
const maxReceiveCount = spec.trigger.kind === 'queue' ? spec.trigger.queue.maxReceiveCount : 1;

/** The record's event, as one of the two this function takes; anything else goes to the dead-letter queue. */
export function parseDispatchRecord(record: SQSRecord): AvDispatchInput {
  let detailType: unknown;
  try {
    detailType = EventBridgeEnvelope.safeParse(JSON.parse(record.body)).data?.['detail-type'];
  } catch {
    throw new MalformedRequestError(`message ${record.messageId}: body is not JSON; not processed`);
  }
  if (detailType === 'Backup Completed')
    return { kind: 'backup', detail: parseEventRecord(record, 'Backup Completed') };
  return { kind: 'requested', detail: parseEventRecord(record, 'AV Scan Requested') };
}

export function createHandler(deps: Deps) {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord) => {
    const input = parseDispatchRecord(record);
    deps.logger.appendKeys({ correlationId: input.detail.correlationId, guestId: input.detail.guestId });
    try {
      const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
      const result = await runAvDispatch(deps, input, {
        receiveCount,
        maxReceiveCount,
        messageId: record.messageId,
      });
      deps.logger.info('anti-virus dispatch handled', {
        trigger: input.kind,
        outcome: result.outcome,
        ...('job' in result ? { jobId: result.job.id } : {}),
        ...(result.outcome === 'skipped' ? { reason: result.reason } : {}),
        ...(result.outcome === 'dispatched'
          ? { tasks: result.taskCount, fanIn: result.finalize.outcome }
          : {}),
      });
    } finally {
      deps.logger.removeKeys(['correlationId', 'guestId']);
    }
  };
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
}
