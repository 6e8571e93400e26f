import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { EventBridgeEnvelope, parseEventDetail } from '../../shared/contracts/events.ts';
import type { Deps } from '../../shared/deps.ts';
import { runPatchScan } from '../../shared/domain/patching/run.ts';
import { findFunction } from '../../shared/topology.ts';

const spec = findFunction('patch-scan');
const maxReceiveCount = spec.trigger.kind === 'queue' ? spec.trigger.queue.maxReceiveCount : 1;

export class MalformedRequestError extends Error {
  override name = 'MalformedRequestError';
}

/** Parses one SQS record carrying a `Patch Scan Requested` event; anything else is rejected (and ends in the DLQ). */
export function parsePatchScanRequest(record: SQSRecord) {
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch {
    throw new MalformedRequestError(`message ${record.messageId}: body is not JSON; not processed`);
  }
  const envelope = EventBridgeEnvelope.safeParse(json);
  if (!envelope.success) {
    throw new MalformedRequestError(`message ${record.messageId}: not an EventBridge event; not processed`);
  }
  if (envelope.data['detail-type'] !== 'Patch Scan Requested') {
    throw new MalformedRequestError(
      `message ${record.messageId}: detail-type "${envelope.data['detail-type']}" is not Patch Scan Requested`,
    );
  }
  const detail = parseEventDetail('Patch Scan Requested', envelope.data.detail);
  if (!detail.success) {
    throw new MalformedRequestError(
      `message ${record.messageId}: invalid Patch Scan Requested detail: ${detail.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return detail.data;
}

export function createHandler(deps: Deps) {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord) => {
    const request = parsePatchScanRequest(record);
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
