/**
 * The event archive's object keys: Hive-style partitions by RECEIVE time, so that an engine such as
 * Athena (partition projection) or the local reader can prune by them.
 *
 *   retention=<days>d/tenant=<tenant>/guest=<guest>/date=YYYY-MM-DD/hour=HH/<first-received-ms>-<owner>.ndjson.gz
 *
 * Event time is unreliable (Windows channels replay their history, guests have bad clocks), so it is a
 * field of each event, not a partition. The retention class comes first because S3 lifecycle rules
 * filter by prefix: one rule per class expires what the monitoring policy said to keep that long.
 * Events from unknown senders go under `tenant=_unattributed/guest=_unattributed`, kept 30 days.
 */
import { RETENTION_DAYS } from '../../contracts/service.ts';

export const UNATTRIBUTED = '_unattributed';
export const UNATTRIBUTED_RETENTION_DAYS = 30;

export interface PartitionOwner {
  tenantId: string | null;
  guestId: string | null;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function dateOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function partitionPrefix(owner: PartitionOwner, retentionDays: number, receivedMs: number): string {
  const d = new Date(receivedMs);
  return `${guestPrefix(owner, retentionDays)}date=${dateOf(receivedMs)}/hour=${pad(d.getUTCHours())}/`;
}

export function guestPrefix(owner: PartitionOwner, retentionDays: number): string {
  return `retention=${retentionDays}d/tenant=${owner.tenantId ?? UNATTRIBUTED}/guest=${owner.guestId ?? UNATTRIBUTED}/`;
}

/** Object name: first receive time (13 digits, so names sort by time) and the writer's owner id. */
export function objectKey(prefix: string, firstReceivedMs: number, owner: string): string {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(owner))
    throw new Error(`archive: owner "${owner}" is not a safe key part`);
  return `${prefix}${pad(firstReceivedMs, 13)}-${owner}.ndjson.gz`;
}

/** Every retention class a guest's events may be under (a policy change moves new events only). */
export const RETENTION_CLASSES: readonly number[] = [
  ...new Set([...RETENTION_DAYS, UNATTRIBUTED_RETENTION_DAYS]),
].sort((a, b) => a - b);

/** Parses `…/date=YYYY-MM-DD/hour=HH/…` and the retention class out of a key; undefined if not an archive key. */
export function parseArchiveKey(
  key: string,
): { retentionDays: number; date: string; hour: number; name: string } | undefined {
  const m =
    /^retention=(\d+)d\/tenant=[^/]+\/guest=[^/]+\/date=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/([^/]+\.ndjson\.gz)$/.exec(
      key,
    );
  if (!m) return undefined;
  return { retentionDays: Number(m[1]), date: m[2]!, hour: Number(m[3]), name: m[4]! };
}
