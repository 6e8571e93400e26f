import type { SQSRecord } from 'aws-lambda';
import { type DetailType, EventBridgeEnvelope, type EventDetail, parseEventDetail } from './events.ts';

export class MalformedRequestError extends Error {
  override name = 'MalformedRequestError';
}

/**
 * Parses one SQS record carrying an EventBridge event of `detailType` (as a rule delivers it to a
 * queue). Anything else is rejected, so the record is retried and ends in the dead-letter queue.
 */
export function parseEventRecord<K extends DetailType>(record: SQSRecord, detailType: K): EventDetail<K> {
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
  if (envelope.data['detail-type'] !== detailType) {
    throw new MalformedRequestError(
      `message ${record.messageId}: detail-type "${envelope.data['detail-type']}" is not ${detailType}`,
    );
  }
  const detail = parseEventDetail(detailType, envelope.data.detail);
  if (!detail.success) {
    const issues = detail.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new MalformedRequestError(`message ${record.messageId}: invalid ${detailType} detail: ${issues}`);
  }
  return detail.data;
}
