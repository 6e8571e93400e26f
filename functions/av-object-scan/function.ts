/**
 * av-object-scan: S3 "Object Created" events of watched buckets (EventBridge's default bus on AWS, the
 * runtime's bucket poller locally), up to five per batch, each scanned on its own with the engine the
 * bucket's registration names; a record that fails is retried alone (batch item failures). Engines are
 * built once per process from the environment (OUTBOARD_AV_DB, OUTBOARD_CLAMD), as for av-scan.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loggingEngines } from '../../shared/antivirus/scan/engines.ts';
import { MalformedRequestError } from '../../shared/contracts/queue-record.ts';
import { S3ObjectCreatedEvent } from '../../shared/contracts/watched-buckets.ts';
import type { Deps } from '../../shared/deps.ts';
import { scanWatchedObject } from '../../shared/domain/antivirus/object-scan.ts';
import { findFunction } from '../../shared/topology.ts';

const spec = findFunction('av-object-scan');
const maxReceiveCount = spec.trigger.kind === 'queue' ? spec.trigger.queue.maxReceiveCount : 1;

/** The event a record carries, or MalformedRequestError (retried, then dead-lettered) saying what is wrong. */
export function parseObjectCreatedRecord(
  record: Pick<SQSRecord, 'body' | 'messageId'>,
): S3ObjectCreatedEvent {
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch {
    throw new MalformedRequestError(`message ${record.messageId}: body is not JSON; not processed`);
  }
  const parsed = S3ObjectCreatedEvent.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new MalformedRequestError(
      `message ${record.messageId}: not an S3 Object Created event (${issues}); not processed`,
    );
  }
  return parsed.data;
}

export function createHandler(deps: Deps, env: NodeJS.ProcessEnv = process.env) {
  const processor = new BatchProcessor(EventType.SQS);
  const engines = loggingEngines(deps.logger, env);
  const handle = async (record: SQSRecord) => {
    const event = parseObjectCreatedRecord(record);
    const where = { bucket: event.detail.bucket.name, key: event.detail.object.key };
    const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
    const result = await scanWatchedObject(deps, event, { receiveCount, maxReceiveCount }, { engines });
    if (result.outcome === 'ignored') {
      deps.logger.info('object not scanned: not watched', { ...where, reason: result.reason });
      return;
    }
    deps.logger.info('object scanned', {
      ...where,
      outcome: result.outcome,
      status: result.record.status,
      ...(result.record.signature ? { signature: result.record.signature } : {}),
      ...(result.record.reason ? { reason: result.record.reason } : {}),
    });
  };
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, handle, processor, { context, throwOnFullBatchFailure: false });
}
