/**
 * MonitorStateStore on the registry's DynamoDB table (items apart from the registry's by their keys):
 *
 *   record        pk                       sk       attributes                      gsi1pk          gsi1sk
 *   event claim   MONCLAIM#<event id>      CLAIM    owner, expiresAt (TTL)
 *   rule state    MONRULE#<key>            STATE    value, version, expiresAt (TTL)
 *   last seen     MONSEEN#<tenant>#<guest> SEEN     tenantId, guestId, at           MONITOR#SEEN    <tenant>#<guest>
 *
 * A claim is a conditional PutItem (absent, or already this owner's); claims of one batch are sent
 * concurrently, at most 25 at a time. Rule state is written with TransactWriteItems, each item
 * conditioned on the version read, so two evaluations racing on a window cannot both win; a batch of
 * more than 100 entries is written in transactions of 100 (each all-or-nothing). Expired items are
 * removed by the table's TTL on `expiresAt` (epoch seconds), and read as absent until then.
 */
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { LastSeen, MonitorStateStore, RuleStateEntry } from '../../ports.ts';
import { REGISTRY_GSI1 } from './dynamodb-registry.ts';
import { MONITOR_STATE_PREFIXES } from './registry-keys.ts';
import { awsErrorName, isAwsError } from './util.ts';

const CLAIM_CONCURRENCY = 25;

export interface DynamoDbMonitorStateOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  now?: () => number;
}

export class DynamoDbMonitorStateStore implements MonitorStateStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => number;

  constructor(options: DynamoDbMonitorStateOptions) {
    this.#doc = options.client;
    this.#table = options.tableName;
    this.#now = options.now ?? Date.now;
  }

  async claimEvents(owner: string, ids: string[], expiresAt: number): Promise<Set<string>> {
    const unique = [...new Set(ids)];
    const held = new Set<string>();
    let next = 0;
    const worker = async () => {
      while (next < unique.length) {
        const id = unique[next++]!;
        try {
          await this.#doc.send(
            new PutCommand({
              TableName: this.#table,
              Item: {
                pk: `${MONITOR_STATE_PREFIXES.claim}${id}`,
                sk: 'CLAIM',
                owner,
                expiresAt: Math.ceil(expiresAt / 1000),
              },
              ConditionExpression: 'attribute_not_exists(pk) OR #owner = :owner OR #exp < :now',
              ExpressionAttributeNames: { '#owner': 'owner', '#exp': 'expiresAt' },
              ExpressionAttributeValues: { ':owner': owner, ':now': Math.floor(this.#now() / 1000) },
            }),
          );
          held.add(id);
        } catch (error) {
          if (!isAwsError(error, 'ConditionalCheckFailedException')) throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CLAIM_CONCURRENCY, unique.length) }, worker));
    return held;
  }

  /** One owner after another (DynamoDB has no multi-item conditional write cheaper than per item). */
  async claimEventsOfMany(
    claims: readonly { owner: string; ids: string[] }[],
    expiresAt: number,
  ): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>();
    for (const { owner, ids } of claims) {
      const held = await this.claimEvents(owner, ids, expiresAt);
      out.set(owner, new Set([...(out.get(owner) ?? []), ...held]));
    }
    return out;
  }

  async getRuleState(keys: string[]): Promise<Map<string, RuleStateEntry>> {
    const out = new Map<string, RuleStateEntry>();
    const unique = [...new Set(keys)];
    const now = Math.floor(this.#now() / 1000);
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, { Keys: Record<string, string>[]; ConsistentRead: boolean }> | undefined = {
        [this.#table]: {
          Keys: unique
            .slice(i, i + 100)
            .map((k) => ({ pk: `${MONITOR_STATE_PREFIXES.rule}${k}`, sk: 'STATE' })),
          ConsistentRead: true,
        },
      };
      while (request && Object.keys(request).length > 0) {
        const res = await this.#doc.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of res.Responses?.[this.#table] ?? []) {
          const key = String(item.pk).slice(MONITOR_STATE_PREFIXES.rule.length);
          const live = Number(item.expiresAt) > now;
          out.set(key, { key, value: live ? String(item.value) : '', version: Number(item.version) });
        }
        request = res.UnprocessedKeys as typeof request;
      }
    }
    return out;
  }

  async putRuleState(entries: RuleStateEntry[], expiresAt: number): Promise<boolean> {
    const ttl = Math.ceil(expiresAt / 1000);
    for (let i = 0; i < entries.length; i += 100) {
      const chunk = entries.slice(i, i + 100);
      try {
        await this.#doc.send(
          new TransactWriteCommand({
            TransactItems: chunk.map((e) => ({
              Put: {
                TableName: this.#table,
                Item: {
                  pk: `${MONITOR_STATE_PREFIXES.rule}${e.key}`,
                  sk: 'STATE',
                  value: e.value,
                  version: e.version + 1,
                  expiresAt: ttl,
                },
                ConditionExpression: e.version === 0 ? 'attribute_not_exists(pk)' : '#v = :v',
                ...(e.version === 0
                  ? {}
                  : {
                      ExpressionAttributeNames: { '#v': 'version' },
                      ExpressionAttributeValues: { ':v': e.version },
                    }),
              },
            })),
          }),
        );
      } catch (error) {
        if (awsErrorName(error) === 'TransactionCanceledException') return false;
        throw error;
      }
    }
    return true;
  }

  async recordLastSeen(entries: LastSeen[]): Promise<void> {
    const newest = new Map<string, LastSeen>();
    for (const e of entries) {
      const k = `${e.tenantId}#${e.guestId}`;
      if ((newest.get(k)?.at ?? -1) < e.at) newest.set(k, e);
    }
    await Promise.all(
      [...newest].map(async ([k, e]) => {
        try {
          await this.#doc.send(
            new UpdateCommand({
              TableName: this.#table,
              Key: { pk: `${MONITOR_STATE_PREFIXES.seen}${k}`, sk: 'SEEN' },
              UpdateExpression: 'SET #at = :at, tenantId = :t, guestId = :g, gsi1pk = :gp, gsi1sk = :gs',
              ConditionExpression: 'attribute_not_exists(#at) OR #at < :at',
              ExpressionAttributeNames: { '#at': 'at' },
              ExpressionAttributeValues: {
                ':at': e.at,
                ':t': e.tenantId,
                ':g': e.guestId,
                ':gp': 'MONITOR#SEEN',
                ':gs': k,
              },
            }),
          );
        } catch (error) {
          if (!isAwsError(error, 'ConditionalCheckFailedException')) throw error;
        }
      }),
    );
  }

  async listLastSeen(): Promise<LastSeen[]> {
    const out: LastSeen[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: REGISTRY_GSI1,
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': 'MONITOR#SEEN' },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of res.Items ?? [])
        out.push({ tenantId: String(item.tenantId), guestId: String(item.guestId), at: Number(item.at) });
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
