import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Deps } from '../../shared/deps.ts';
import { ingestBatch } from '../../shared/domain/monitoring/ingest.ts';
import { RuleSets } from '../../shared/domain/monitoring/rule-sets.ts';
import { cachedSenderDirectory } from '../../shared/monitoring/attribution.ts';

/**
 * The ingest function: a batch of ingest-queue messages (receiver record batches or HTTP ingest
 * bodies) → normalized, attributed, archived once, rules evaluated. Messages that fail are returned as
 * batch item failures and redelivered; the others are done.
 */
export function createHandler(deps: Deps) {
  const directory = cachedSenderDirectory(deps.registry);
  const ruleSets = new RuleSets(deps);
  return async (event: SQSEvent, _context?: Context): Promise<SQSBatchResponse> => {
    const dir = await directory();
    await ruleSets.prepare(dir.guests.map((g) => g.tenantId));
    const outcome = await ingestBatch(deps, event.Records, {
      directory: dir,
      rulesFor: (tenantId, guestId) => ruleSets.rulesFor(dir, tenantId, guestId),
    });
    deps.logger.info('ingest batch', {
      messages: event.Records.length,
      received: outcome.received,
      archived: outcome.archived,
      duplicates: outcome.duplicates,
      unattributed: outcome.unattributed,
      alerts: outcome.alerts,
      failed: outcome.failed.length,
    });
    return { batchItemFailures: outcome.failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
