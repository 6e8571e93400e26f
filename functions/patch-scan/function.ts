import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseEventRecord } from '../../shared/contracts/queue-record.ts';
import type { Deps } from '../../shared/deps.ts';
import { runPatchScan } from '../../shared/domain/patching/run.ts';
import { findFunction } from '../../shared/topology.ts';

const spec = findFunction('patch-scan');
const maxReceiveCount = spec.trigger.kind === 'queue' ? spec.trigger.queue.maxReceiveCount : 1;

export function createHandler(deps: Deps) {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord) => {
    const request = parseEventRecord(record, 'Patch Scan Requested');
    deps.logger.appendKeys({ correlationId: request.correlationId, guestId: request.guestId });
    try {
      const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
      const result = await runPatchScan(deps, request, { receiveCount, maxReceiveCount });
      deps.logger.info('patch scan request handled', { outcome: result.outcome, jobId: result.job.id });
    } finally {
      deps.logger.removeKeys(['correlationId', 'guestId']);
    }
  };
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
}
