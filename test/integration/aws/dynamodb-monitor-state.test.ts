/**
 * DynamoDbMonitorStateStore on dynalite: claims, rule-state reads and last-seen times for real; the
 * rule-state write is a TransactWriteItems, which dynalite 4 lacks, so its request (one conditional Put
 * per entry) and its conflict handling are checked against a recorded client instead.
 */
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbMonitorStateStore } from '../../../shared/adapters/aws/dynamodb-monitor-state.ts';
import { type DynaliteTable, startDynaliteTable } from '../../support/dynalite.ts';

const TABLE = 'outboard-monitor-state';
let db: DynaliteTable;

beforeAll(async () => {
  db = await startDynaliteTable(TABLE);
});

afterAll(async () => {
  await db?.close();
});

describe('DynamoDbMonitorStateStore on dynalite', () => {
  it('claims an event id for its first owner only, and again for that owner', async () => {
    const s = new DynamoDbMonitorStateStore({ client: db.doc, tableName: TABLE });
    const far = Date.now() + 3_600_000;
    expect([...(await s.claimEvents('m1', ['e1', 'e2', 'e1'], far))].sort()).toEqual(['e1', 'e2']);
    expect([...(await s.claimEvents('m2', ['e2', 'e3'], far))]).toEqual(['e3']);
    expect([...(await s.claimEvents('m1', ['e1', 'e2', 'e3'], far))].sort()).toEqual(['e1', 'e2']);
  });

  it('lets a new owner take a claim whose time is up', async () => {
    const s = new DynamoDbMonitorStateStore({ client: db.doc, tableName: TABLE });
    await s.claimEvents('old', ['e9'], Date.now() - 5000);
    expect([...(await s.claimEvents('new', ['e9'], Date.now() + 60_000))]).toEqual(['e9']);
  });

  it('keeps the newest last-seen time per guest and lists them', async () => {
    const s = new DynamoDbMonitorStateStore({ client: db.doc, tableName: TABLE });
    await s.recordLastSeen([
      { tenantId: 't1', guestId: 'gst_a', at: 10 },
      { tenantId: 't1', guestId: 'gst_a', at: 30 },
    ]);
    await s.recordLastSeen([{ tenantId: 't1', guestId: 'gst_a', at: 20 }]);
    await s.recordLastSeen([{ tenantId: 't1', guestId: 'gst_b', at: 5 }]);
    expect(await s.listLastSeen()).toEqual([
      { tenantId: 't1', guestId: 'gst_a', at: 30 },
      { tenantId: 't1', guestId: 'gst_b', at: 5 },
    ]);
  });
});

describe('DynamoDbMonitorStateStore rule-state writes', () => {
  it('sends one conditional Put per entry and reports a cancelled transaction as a conflict', async () => {
    const mocked = mockClient(DynamoDBDocumentClient);
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const s = new DynamoDbMonitorStateStore({ client, tableName: 'T' });
    mocked.on(TransactWriteCommand).resolvesOnce({});
    expect(
      await s.putRuleState(
        [
          { key: 'w|r|t|g|-', value: '{}', version: 0 },
          { key: 's|r|t|g|-', value: '{}', version: 3 },
        ],
        2_000_000,
      ),
    ).toBe(true);
    const items = mocked.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items.map((i) => i.Put?.ConditionExpression)).toEqual(['attribute_not_exists(pk)', '#v = :v']);
    expect(items[1]!.Put?.ExpressionAttributeValues).toEqual({ ':v': 3 });
    expect(items[1]!.Put?.Item).toMatchObject({ pk: 'MONRULE#s|r|t|g|-', version: 4, expiresAt: 2000 });
    mocked.reset();
    mocked
      .on(TransactWriteCommand)
      .rejects(new TransactionCanceledException({ message: 'cancelled', $metadata: {} }));
    expect(await s.putRuleState([{ key: 'k', value: '{}', version: 1 }], 2_000_000)).toBe(false);
    mocked.restore();
  });
});
