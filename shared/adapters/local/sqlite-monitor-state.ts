/**
 * MonitorStateStore on the local SQLite database: event claims, rule state with versioned
 * (compare-and-set) writes, and last-seen times.
 *
 * Claims are written at the rate events arrive, so their table is kept lean: one integer key (64 bits
 * of the event id), the owner's 64 bits and the expiry, and no second index. Expired claims are
 * purged every ten minutes by a scan of the table, which is cheaper overall than keeping an expiry
 * index up to date on every insert.
 */
import { hash } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { LastSeen, MonitorStateStore, RuleStateEntry } from '../../ports.ts';
import { migrate, transaction } from './sqlite.ts';

export const MONITOR_STATE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE monitor_event_claims (
     key INTEGER PRIMARY KEY,
     owner INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE TABLE monitor_rule_state (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL,
     version INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE monitor_last_seen (
     tenant_id TEXT NOT NULL,
     guest_id TEXT NOT NULL,
     at INTEGER NOT NULL,
     PRIMARY KEY (tenant_id, guest_id)
   ) WITHOUT ROWID;`,
];

/** Purge expired rows at most this often. */
const PURGE_EVERY_MS = 10 * 60_000;

export class SqliteMonitorStateStore implements MonitorStateStore {
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  readonly #claim: StatementSync;
  readonly #getState: StatementSync;
  readonly #insertState: StatementSync;
  readonly #updateState: StatementSync;
  readonly #seen: StatementSync;
  #lastPurge = 0;

  constructor(db: DatabaseSync, options: { now?: () => number } = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    migrate(db, 'monitor-state', MONITOR_STATE_MIGRATIONS);
    // One row per statement: a prepared single-row insert is cheaper in node:sqlite than expanding a
    // JSON array. The row goes in when the key is free; when it is taken, the update happens (and
    // counts as a change) only if the same owner holds it (a redelivery of its message) or the claim
    // has expired but not been purged yet.
    this.#claim = db.prepare(
      `INSERT INTO monitor_event_claims (key, owner, expires_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (key) DO UPDATE SET owner = ?2, expires_at = ?3 WHERE owner = ?2 OR expires_at <= ?4`,
    );
    this.#getState = db.prepare('SELECT value, version, expires_at FROM monitor_rule_state WHERE key = ?');
    this.#insertState = db.prepare(
      'INSERT INTO monitor_rule_state (key, value, version, expires_at) VALUES (?, ?, 1, ?) ON CONFLICT (key) DO NOTHING',
    );
    this.#updateState = db.prepare(
      'UPDATE monitor_rule_state SET value = ?, version = version + 1, expires_at = ? WHERE key = ? AND version = ?',
    );
    this.#seen = db.prepare(
      `INSERT INTO monitor_last_seen (tenant_id, guest_id, at) VALUES (?, ?, ?)
       ON CONFLICT (tenant_id, guest_id) DO UPDATE SET at = max(at, excluded.at)`,
    );
  }

  async claimEvents(owner: string, ids: string[], expiresAt: number): Promise<Set<string>> {
    return (await this.claimEventsOfMany([{ owner, ids }], expiresAt)).get(owner) ?? new Set();
  }

  /**
   * All owners' claims in one transaction: random inserts dirty pages all over the table, and one
   * commit writes each dirty page once instead of once per owner.
   */
  async claimEventsOfMany(
    claims: readonly { owner: string; ids: string[] }[],
    expiresAt: number,
  ): Promise<Map<string, Set<string>>> {
    this.#purge();
    return transaction(this.#db, () => {
      const out = new Map<string, Set<string>>();
      for (const { owner, ids } of claims)
        out.set(owner, this.#claimIn(owner, ids, expiresAt, out.get(owner)));
      return out;
    });
  }

  /** Claims `ids` for `owner` inside the caller's transaction. */
  #claimIn(owner: string, ids: string[], expiresAt: number, into?: Set<string>): Set<string> {
    // Claims are keyed by a 64-bit digest of the id (and of the owner): integer keys make the table
    // several times smaller and faster than text ones; a collision needs ~2^32 live claims.
    const ownerKey = digest64(owner);
    const now = this.#now();
    const held = into ?? new Set<string>();
    for (const id of ids) {
      if (held.has(id)) continue;
      if (Number(this.#claim.run(digest64(id), ownerKey, expiresAt, now).changes) > 0) held.add(id);
    }
    return held;
  }

  async getRuleState(keys: string[]): Promise<Map<string, RuleStateEntry>> {
    const out = new Map<string, RuleStateEntry>();
    const now = this.#now();
    for (const key of new Set(keys)) {
      const row = this.#getState.get(key) as
        | { value: string; version: number; expires_at: number }
        | undefined;
      // An expired row reads as absent but keeps its version, so a write still races correctly.
      if (row) out.set(key, { key, value: row.expires_at > now ? row.value : '', version: row.version });
    }
    return out;
  }

  async putRuleState(entries: RuleStateEntry[], expiresAt: number): Promise<boolean> {
    if (entries.length === 0) return true;
    try {
      return transaction(this.#db, () => {
        for (const e of entries) {
          const changed =
            e.version === 0
              ? this.#insertState.run(e.key, e.value, expiresAt).changes
              : this.#updateState.run(e.value, expiresAt, e.key, e.version).changes;
          if (changed === 0) throw new VersionConflict();
        }
        return true;
      });
    } catch (error) {
      if (error instanceof VersionConflict) return false;
      throw error;
    }
  }

  async recordLastSeen(entries: LastSeen[]): Promise<void> {
    if (entries.length === 0) return;
    transaction(this.#db, () => {
      for (const e of entries) this.#seen.run(e.tenantId, e.guestId, e.at);
    });
  }

  async listLastSeen(): Promise<LastSeen[]> {
    return (
      this.#db
        .prepare('SELECT tenant_id, guest_id, at FROM monitor_last_seen ORDER BY tenant_id, guest_id')
        .all() as {
        tenant_id: string;
        guest_id: string;
        at: number;
      }[]
    ).map((r) => ({ tenantId: r.tenant_id, guestId: r.guest_id, at: r.at }));
  }

  #purge(): void {
    const now = this.#now();
    if (now - this.#lastPurge < PURGE_EVERY_MS) return;
    this.#lastPurge = now;
    this.#db.prepare('DELETE FROM monitor_event_claims WHERE expires_at <= ?').run(now);
  }
}

class VersionConflict extends Error {}

const BASE64URL_DIGEST = /^[A-Za-z0-9_-]{11,}$/;
const BASE64URL_VALUES = new Int8Array(128);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].entries())
  BASE64URL_VALUES[c.charCodeAt(0)] = i;

/**
 * 64 bits of `text` as a signed integer (SQLite's INTEGER): an id that is already a base64url digest
 * (as event ids are) gives its own first 8 bytes; anything else the first 8 bytes of its SHA-1.
 * The 11 leading characters (66 bits) are decoded with arithmetic rather than a Buffer: this runs
 * once per archived event.
 */
export function digest64(text: string): bigint {
  if (!BASE64URL_DIGEST.test(text)) return (hash('sha1', text, 'buffer') as Buffer).readBigInt64BE(0);
  let high = 0; // characters 0–4: 30 bits
  for (let i = 0; i < 5; i++) high = high * 64 + BASE64URL_VALUES[text.charCodeAt(i)]!;
  let low = 0; // characters 5–10: 36 bits, of which the first 34 complete the 64
  for (let i = 5; i < 11; i++) low = low * 64 + BASE64URL_VALUES[text.charCodeAt(i)]!;
  return BigInt.asIntN(64, (BigInt(high) << 34n) | BigInt(Math.floor(low / 4)));
}
