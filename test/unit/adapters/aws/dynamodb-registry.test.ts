import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  DynamoDbRegistry,
  MalformedRecordError,
  registryCreateTableInput,
} from '../../../../shared/adapters/aws/dynamodb-registry.ts';
import { ConditionFailedError } from '../../../../shared/ports.ts';
import { GUEST, guest, job, restorePoint, subscription, TENANT, tenant } from './fixtures.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const registry = () =>
  new DynamoDbRegistry({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
    tableName: 'tbl',
  });
const conditionFailed = (item?: Record<string, unknown>) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    Item: item as never,
  });
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
const cursorOf = (key: Record<string, string>) => Buffer.from(JSON.stringify(key)).toString('base64url');

const guestItem = () => ({ pk: 'TENANT#t1', sk: `GUEST#${GUEST}`, entityType: 'guest', ...guest() });
const subItem = (service = 'backup') => ({
  pk: `TENANT#t1#GUEST#${GUEST}`,
  sk: `SVC#${service}`,
  gsi1pk: `SVC#${service}`,
  gsi1sk: `TENANT#t1#GUEST#${GUEST}`,
  entityType: 'subscription',
  ...subscription(),
  service,
  policy: service === 'backup' ? subscription().policy : { schedule: 'rate(5 minutes)', timezone: 'UTC' },
});

beforeEach(() => {
  ddb.reset();
});

describe('table definition', () => {
  it('creates pk/sk keys and the gsi1 index', () => {
    expect(registryCreateTableInput('tbl')).toEqual({
      TableName: 'tbl',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });
});

describe('tenants and guests', () => {
  it('puts a tenant with its key, entity type and tenantId', async () => {
    ddb.on(PutCommand).resolves({});
    await registry().putTenant(tenant());
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: 'tbl',
      Item: { pk: 'TENANT#t1', sk: 'TENANT', entityType: 'tenant', tenantId: 't1', ...tenant() },
    });
  });

  it('reads a tenant back without the internal attributes', async () => {
    ddb.on(GetCommand).resolves({
      Item: { pk: 'TENANT#t1', sk: 'TENANT', entityType: 'tenant', tenantId: 't1', ...tenant() },
    });
    expect(await registry().getTenant('t1')).toEqual(tenant());
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: 'tbl',
      Key: { pk: 'TENANT#t1', sk: 'TENANT' },
      ConsistentRead: true,
    });
  });

  it('creates a guest conditionally', async () => {
    ddb.on(PutCommand).resolves({});
    await registry().createGuest(guest());
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: 'tbl',
      Item: guestItem(),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('maps a failed create condition to ConditionFailedError naming the guest', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    const error = await registry()
      .createGuest(guest())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConditionFailedError);
    expect((error as Error).message).toContain(`t1/${GUEST}`);
  });

  it('stores and returns records as given, not as the schema rewrites them', async () => {
    ddb.on(PutCommand).resolves({});
    const spaced = guest({ name: '  web-1  ' });
    await registry().createGuest(spaced);
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item?.name).toBe('  web-1  ');
    ddb.on(GetCommand).resolves({ Item: { ...guestItem(), name: '  web-1  ' } });
    expect((await registry().getGuest(TENANT, GUEST))?.name).toBe('  web-1  ');
  });

  it('refuses to write an invalid guest', async () => {
    await expect(registry().createGuest(guest({ id: 'not-an-id' }))).rejects.toMatchObject({
      name: 'InvalidRecordError',
      message: expect.stringContaining('nothing was written'),
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('throws MalformedRecordError naming the key of a malformed item', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...guestItem(), createdAt: 'yesterday' } });
    const error = await registry()
      .getGuest(TENANT, GUEST)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedRecordError);
    expect((error as Error).message).toContain(`TENANT#t1 / GUEST#${GUEST}`);
    expect((error as Error).message).toContain('createdAt');
  });

  it('returns undefined for a missing guest', async () => {
    ddb.on(GetCommand).resolves({});
    expect(await registry().getGuest(TENANT, GUEST)).toBeUndefined();
  });

  it('refuses ids that would break the key layout', async () => {
    await expect(registry().getGuest('t1#GUEST#x', GUEST)).rejects.toMatchObject({ name: 'InvalidKeyError' });
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('listGuests', () => {
  it('queries one more than the limit and returns a cursor when more follow', async () => {
    const items = [1, 2, 3].map((n) => ({
      ...guestItem(),
      id: `gst_000000000${n}`,
      sk: `GUEST#gst_000000000${n}`,
    }));
    ddb.on(QueryCommand).resolves({ Items: items, LastEvaluatedKey: { pk: 'TENANT#t1', sk: items[2]?.sk } });
    const page = await registry().listGuests(TENANT, { limit: 2 });
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toEqual({
      TableName: 'tbl',
      ConsistentRead: true,
      KeyConditionExpression: '#p = :p AND begins_with(#s, :s)',
      ExpressionAttributeNames: { '#p': 'pk', '#s': 'sk' },
      ExpressionAttributeValues: { ':p': 'TENANT#t1', ':s': 'GUEST#' },
      ScanIndexForward: true,
      Limit: 3,
      ExclusiveStartKey: undefined,
    });
    expect(page.items.map((g) => g.id)).toEqual(['gst_0000000001', 'gst_0000000002']);
    expect(page.nextCursor).toBe(cursorOf({ pk: 'TENANT#t1', sk: 'GUEST#gst_0000000002' }));
  });

  it('passes a cursor back as ExclusiveStartKey and ends without a cursor', async () => {
    ddb.on(QueryCommand).resolves({ Items: [guestItem()] });
    const cursor = cursorOf({ pk: 'TENANT#t1', sk: 'GUEST#gst_0000000000' });
    const page = await registry().listGuests(TENANT, { limit: 2, cursor });
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input.ExclusiveStartKey).toEqual({
      pk: 'TENANT#t1',
      sk: 'GUEST#gst_0000000000',
    });
    expect(page).toEqual({ items: [guest()] });
  });

  it('keeps a cursor when DynamoDB stopped short of the limit (1 MB page)', async () => {
    ddb
      .on(QueryCommand)
      .resolves({ Items: [guestItem()], LastEvaluatedKey: { pk: 'TENANT#t1', sk: `GUEST#${GUEST}` } });
    const page = await registry().listGuests(TENANT, { limit: 5 });
    expect(page.nextCursor).toBe(cursorOf({ pk: 'TENANT#t1', sk: `GUEST#${GUEST}` }));
  });

  it.each([
    ['garbage', '%%%'],
    ['another tenant', cursorOf({ pk: 'TENANT#t2', sk: 'GUEST#gst_0000000000' })],
    ['another listing', cursorOf({ pk: 'TENANT#t1', sk: 'JOB#job_0000000000' })],
    ['extra attributes', cursorOf({ pk: 'TENANT#t1', sk: 'GUEST#g', x: 'y' })],
  ])('rejects a cursor from %s', async (_, cursor) => {
    await expect(registry().listGuests(TENANT, { limit: 2, cursor })).rejects.toMatchObject({
      name: 'InvalidPageRequestError',
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('rejects a limit out of range', async () => {
    await expect(registry().listGuests(TENANT, { limit: 0 })).rejects.toMatchObject({
      name: 'InvalidPageRequestError',
    });
  });
});

describe('deleteGuest', () => {
  it('deletes the guest and its subscriptions in one transaction and returns them', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [subItem('backup'), subItem('monitoring')] })
      .resolves({ Items: [] });
    ddb.on(TransactWriteCommand).resolves({});
    const removed = await registry().deleteGuest(TENANT, GUEST);
    expect(ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input).toEqual({
      TransactItems: [
        {
          Delete: {
            TableName: 'tbl',
            Key: { pk: 'TENANT#t1', sk: `GUEST#${GUEST}` },
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        { Delete: { TableName: 'tbl', Key: { pk: `TENANT#t1#GUEST#${GUEST}`, sk: 'SVC#backup' } } },
        { Delete: { TableName: 'tbl', Key: { pk: `TENANT#t1#GUEST#${GUEST}`, sk: 'SVC#monitoring' } } },
      ],
    });
    expect(removed?.map((s) => s.service)).toEqual(['backup', 'monitoring']);
    // A monitoring policy stays a monitoring policy (no snapshotTags from the backup schema).
    expect(removed?.[1]?.policy).toEqual({ schedule: 'rate(5 minutes)', timezone: 'UTC' });
  });

  it('returns undefined when the guest does not exist', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed'));
    expect(await registry().deleteGuest(TENANT, GUEST)).toBeUndefined();
  });

  it('retries on a transaction conflict', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'TransactionConflict')).resolves({});
    expect(await registry().deleteGuest(TENANT, GUEST)).toEqual([]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('removes a subscription written while the transaction ran', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [] })
      .resolves({ Items: [subItem('antivirus')] });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(DeleteCommand).resolves({ Attributes: subItem('antivirus') });
    const removed = await registry().deleteGuest(TENANT, GUEST);
    expect(removed?.map((s) => s.service)).toEqual(['antivirus']);
    expect(ddb.commandCalls(DeleteCommand)[0]?.args[0].input.Key).toEqual({
      pk: `TENANT#t1#GUEST#${GUEST}`,
      sk: 'SVC#antivirus',
    });
  });
  it('reports a service removed twice (before and after the transaction) once, as last seen', async () => {
    const late = { ...subItem('backup'), updatedAt: '2026-02-01T00:00:00.000Z' };
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [subItem('backup')] })
      .resolves({ Items: [late] });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(DeleteCommand).resolves({ Attributes: late });
    const removed = await registry().deleteGuest(TENANT, GUEST);
    expect(removed?.map((s) => s.updatedAt)).toEqual(['2026-02-01T00:00:00.000Z']);
  });
});

describe('subscriptions', () => {
  it('puts the subscription and checks the guest exists', async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(GetCommand).resolves({ Item: { pk: 'TENANT#t1' } });
    await registry().putSubscription(subscription());
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).toEqual(subItem('backup'));
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      Key: { pk: 'TENANT#t1', sk: `GUEST#${GUEST}` },
      ConsistentRead: true,
    });
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  it('takes the subscription back and fails when the guest does not exist', async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(GetCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    await expect(registry().putSubscription(subscription())).rejects.toBeInstanceOf(ConditionFailedError);
    expect(ddb.commandCalls(DeleteCommand)[0]?.args[0].input.Key).toEqual({
      pk: `TENANT#t1#GUEST#${GUEST}`,
      sk: 'SVC#backup',
    });
  });

  it('checks a policy against its own service', async () => {
    const patching = subscription({
      service: 'patching',
      policy: { schedule: 'rate(1 day)', timezone: 'UTC', snapshotTags: {} },
    } as unknown as Parameters<typeof subscription>[0]);
    await expect(registry().putSubscription(patching)).rejects.toMatchObject({
      name: 'InvalidRecordError',
      message: expect.stringContaining('snapshotTags'),
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('deleteSubscription reports whether something was deleted', async () => {
    ddb.on(DeleteCommand).resolvesOnce({ Attributes: subItem() }).resolves({});
    expect(await registry().deleteSubscription(TENANT, GUEST, 'backup')).toBe(true);
    expect(await registry().deleteSubscription(TENANT, GUEST, 'backup')).toBe(false);
  });
});

describe('jobs', () => {
  it('createJob returns false when the job exists', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    expect(await registry().createJob(job())).toBe(false);
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.ConditionExpression).toBe(
      'attribute_not_exists(pk)',
    );
  });

  it('updateJob sets and removes fields under a status condition and returns the new job', async () => {
    const updated = job({ status: 'running', attempts: 1, updatedAt: '2026-01-01T00:01:00.000Z' });
    ddb.on(UpdateCommand).resolves({ Attributes: { pk: 'TENANT#t1', sk: 'JOB#job_0000000001', ...updated } });
    const result = await registry().updateJob(
      TENANT,
      'job_0000000001',
      { status: 'running', attempts: 1, error: null, updatedAt: '2026-01-01T00:01:00.000Z' },
      ['queued', 'failed'],
    );
    expect(result).toEqual(updated);
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
      TableName: 'tbl',
      Key: { pk: 'TENANT#t1', sk: 'JOB#job_0000000001' },
      UpdateExpression: 'SET #status = :status, #attempts = :attempts, #updatedAt = :updatedAt REMOVE #error',
      ConditionExpression: 'attribute_exists(#pk) AND #status IN (:expected0, :expected1)',
      ExpressionAttributeNames: {
        '#pk': 'pk',
        '#status': 'status',
        '#attempts': 'attempts',
        '#error': 'error',
        '#updatedAt': 'updatedAt',
      },
      ExpressionAttributeValues: {
        ':status': 'running',
        ':attempts': 1,
        ':updatedAt': '2026-01-01T00:01:00.000Z',
        ':expected0': 'queued',
        ':expected1': 'failed',
      },
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('updateJob names the current status when the condition fails', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed({ status: { S: 'succeeded' } }));
    const error = await registry()
      .updateJob(TENANT, 'job_0000000001', { status: 'running', updatedAt: '2026-01-01T00:01:00.000Z' }, [
        'queued',
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConditionFailedError);
    expect((error as Error).message).toBe('job t1/job_0000000001 is "succeeded", not "queued"; not updated');
  });

  it('updateJob reads the current status when the failure did not return the item', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { status: 'failed' } });
    await expect(
      registry().updateJob(TENANT, 'job_0000000001', { updatedAt: '2026-01-01T00:01:00.000Z' }, [
        'queued',
        'running',
      ]),
    ).rejects.toThrow('job t1/job_0000000001 is "failed", not "queued" or "running"; not updated');
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      Key: { pk: 'TENANT#t1', sk: 'JOB#job_0000000001' },
      ConsistentRead: true,
    });
  });

  it('updateJob says when the job does not exist', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({});
    await expect(
      registry().updateJob(TENANT, 'job_0000000009', { updatedAt: '2026-01-01T00:01:00.000Z' }, ['queued']),
    ).rejects.toThrow('job t1/job_0000000009 does not exist; not updated');
  });

  it('updateJob with no expected status fails without writing', async () => {
    await expect(
      registry().updateJob(TENANT, 'job_0000000001', { updatedAt: '2026-01-01T00:01:00.000Z' }, []),
    ).rejects.toBeInstanceOf(ConditionFailedError);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('updateJob refuses an invalid update without writing', async () => {
    await expect(
      registry().updateJob(TENANT, 'job_0000000001', { updatedAt: 'soon' }, ['queued']),
    ).rejects.toMatchObject({ name: 'InvalidRecordError' });
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('restore points', () => {
  it('creates one item keyed by id, listed through gsi1 by UTC creation time', async () => {
    ddb.on(PutCommand).resolves({});
    const rp = restorePoint({ createdAt: '2026-01-01T02:00:00+02:00' });
    expect(await registry().createRestorePoint(rp)).toBe(true);
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: 'tbl',
      Item: {
        pk: 'TENANT#t1',
        sk: 'RP#rp_0000000001',
        gsi1pk: `TENANT#t1#GUEST#${GUEST}`,
        gsi1sk: 'RP#2026-01-01T00:00:00.000Z#rp_0000000001',
        entityType: 'restore point',
        ...rp,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('createRestorePoint returns false when the id exists', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    expect(await registry().createRestorePoint(restorePoint())).toBe(false);
  });

  it('lists newest first through gsi1', async () => {
    const item = {
      pk: 'TENANT#t1',
      sk: 'RP#rp_0000000001',
      gsi1pk: `TENANT#t1#GUEST#${GUEST}`,
      gsi1sk: 'RP#2026-01-01T00:00:00.000Z#rp_0000000001',
      ...restorePoint(),
    };
    ddb.on(QueryCommand).resolves({ Items: [item, { ...item, id: 'rp_0000000002' }] });
    const page = await registry().listRestorePoints(TENANT, GUEST, { limit: 1 });
    const input = ddb.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      IndexName: 'gsi1',
      ScanIndexForward: false,
      ExpressionAttributeNames: { '#p': 'gsi1pk', '#s': 'gsi1sk' },
      ExpressionAttributeValues: { ':p': `TENANT#t1#GUEST#${GUEST}`, ':s': 'RP#' },
      Limit: 2,
    });
    expect(input).not.toHaveProperty('ConsistentRead');
    expect(page.items).toEqual([restorePoint()]);
    expect(JSON.parse(Buffer.from(page.nextCursor ?? '', 'base64url').toString())).toEqual({
      pk: 'TENANT#t1',
      sk: 'RP#rp_0000000001',
      gsi1pk: `TENANT#t1#GUEST#${GUEST}`,
      gsi1sk: 'RP#2026-01-01T00:00:00.000Z#rp_0000000001',
    });
  });

  it('rejects a restore point cursor whose table key belongs to another tenant', async () => {
    const cursor = cursorOf({
      pk: 'TENANT#t2',
      sk: 'RP#rp_0000000001',
      gsi1pk: `TENANT#t1#GUEST#${GUEST}`,
      gsi1sk: 'RP#2026',
    });
    await expect(registry().listRestorePoints(TENANT, GUEST, { limit: 1, cursor })).rejects.toMatchObject({
      name: 'InvalidPageRequestError',
    });
  });
});
