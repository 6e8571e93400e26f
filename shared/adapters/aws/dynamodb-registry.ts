/**
 * Registry on one DynamoDB table.
 *
 * Key design: string keys `pk` / `sk`, and one global secondary index `gsi1` (`gsi1pk` / `gsi1sk`,
 * all attributes projected) for listing a guest's restore points newest first and every tenant's
 * subscriptions to one service.
 *
 *   record          pk                        sk                     gsi1pk                  gsi1sk
 *   tenant          TENANT#<tenant>           TENANT
 *   guest           TENANT#<tenant>           GUEST#<guest>
 *   job             TENANT#<tenant>           JOB#<job>
 *   restore point   TENANT#<tenant>           RP#<id>                TENANT#<tenant>#GUEST#<guest>
 *                                                                                           RP#<createdAt>#<id>
 *   subscription    TENANT#<tenant>#GUEST#<g> SVC#<service>          SVC#<service>           TENANT#<tenant>#GUEST#<g>
 *
 * - `<createdAt>` in gsi1sk is the creation time normalised to UTC with milliseconds
 *   (`2026-01-02T03:04:05.678Z`), so that string order is time order whatever offset it was given with;
 *   ScanIndexForward=false lists newest first, ties broken by id.
 * - A restore point is one item keyed by its id, so get-by-id is a strongly consistent GetItem and the
 *   conditional create is a single conditional PutItem. Listing goes through gsi1, which is eventually
 *   consistent: a restore point just created may take a moment to be listed.
 * - Every item carries `entityType` and `tenantId`; the record's own fields are top-level attributes.
 * - Conditional creates use `attribute_not_exists(pk)`.
 * - deleteGuest deletes the guest and its subscriptions in one TransactWriteItems. putSubscription
 *   writes the subscription and then reads the guest (strongly consistent); if the guest is gone it
 *   removes what it wrote and fails. deleteGuest lists the subscriptions again after its transaction
 *   and removes any written meanwhile. Between them no subscription outlives its guest.
 * - Pagination cursors are base64url JSON of the last key returned; a cursor is checked to belong to
 *   the same tenant, guest and listing before it is used.
 * - Records are validated with the contract schemas when written (nothing is written if invalid) and
 *   when read (a malformed item throws MalformedRecordError naming its key), and round-trip as given:
 *   the schemas check them but their output (defaults, trimming) is neither stored nor returned.
 *   A subscription's policy is checked with its own service's schema.
 * - Bad page requests (limit outside 1-1000, a cursor not from the same listing) throw
 *   InvalidPageRequestError, as the local registry does.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ErrorInfo, type PageOf, type PageRequest } from '../../contracts/common.ts';
import { Guest, Subscription, Tenant } from '../../contracts/guest.ts';
import { Job, JobStatus, RestorePoint } from '../../contracts/job.ts';
import type { Service } from '../../contracts/service.ts';
import {
  ConditionFailedError,
  type JobUpdate,
  type Registry,
  type RestorePointInfection,
} from '../../ports.ts';
import { InvalidPageRequestError } from '../errors.ts';
import { awsErrorName, isAwsError } from './util.ts';

// ---------------------------------------------------------------- table definition

export const REGISTRY_GSI1 = 'gsi1';

/** The table's keys, shared by infra (CDK) and the tests that create the table. */
export const registryTableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: REGISTRY_GSI1,
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
      projectionType: 'ALL',
    },
  ],
} as const;

/** CreateTable input for the registry table (on-demand capacity). */
export function registryCreateTableInput(tableName: string): CreateTableCommandInput {
  const d = registryTableDefinition;
  const attributes = [
    d.partitionKey,
    d.sortKey,
    ...d.globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: d.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: d.sortKey.name, KeyType: 'RANGE' },
    ],
    AttributeDefinitions: attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    GlobalSecondaryIndexes: d.globalSecondaryIndexes.map((g) => ({
      IndexName: g.indexName,
      KeySchema: [
        { AttributeName: g.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: g.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: g.projectionType },
    })),
  };
}

// ---------------------------------------------------------------- errors

export class MalformedRecordError extends Error {
  override name = 'MalformedRecordError';
}

export class InvalidRecordError extends Error {
  override name = 'InvalidRecordError';
}

export class InvalidKeyError extends Error {
  override name = 'InvalidKeyError';
}

// ---------------------------------------------------------------- keys

type Key = { pk: string; sk: string };
type Item = Record<string, unknown>;

export const MAX_PAGE_LIMIT = 1000;

/** Internal attributes stripped before a record is validated. */
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'entityType'] as const;

function segment(value: string, what: string): string {
  if (typeof value !== 'string' || value === '' || value.includes('#')) {
    throw new InvalidKeyError(
      `${what} ${JSON.stringify(value)} cannot be part of a registry key (empty or contains "#")`,
    );
  }
  return value;
}

const tenantPk = (t: string) => `TENANT#${segment(t, 'tenant id')}`;
const guestPk = (t: string, g: string) => `${tenantPk(t)}#GUEST#${segment(g, 'guest id')}`;

export const registryKeys = {
  tenant: (t: string): Key => ({ pk: tenantPk(t), sk: 'TENANT' }),
  guest: (t: string, g: string): Key => ({ pk: tenantPk(t), sk: `GUEST#${segment(g, 'guest id')}` }),
  job: (t: string, j: string): Key => ({ pk: tenantPk(t), sk: `JOB#${segment(j, 'job id')}` }),
  restorePoint: (t: string, id: string): Key => ({
    pk: tenantPk(t),
    sk: `RP#${segment(id, 'restore point id')}`,
  }),
  restorePointListing: (rp: RestorePoint) => ({
    gsi1pk: guestPk(rp.tenantId, rp.guestId),
    gsi1sk: `RP#${new Date(rp.createdAt).toISOString()}#${rp.id}`,
  }),
  subscription: (t: string, g: string, s: string): Key => ({
    pk: guestPk(t, g),
    sk: `SVC#${segment(s, 'service')}`,
  }),
  subscriptionListing: (sub: Subscription) => ({
    gsi1pk: `SVC#${segment(sub.service, 'service')}`,
    gsi1sk: guestPk(sub.tenantId, sub.guestId),
  }),
};

const describeKey = (item: Item) => `${String(item.pk)} / ${String(item.sk)}`;

// ---------------------------------------------------------------- validation

const issuesOf = (error: z.ZodError) =>
  error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ');

type Parsed<T> = { success: true; data: T } | { success: false; error: z.ZodError };

/** The Subscription schema pairs each policy with its own service's schema. */
function parseSubscription(value: unknown): Parsed<Subscription> {
  return Subscription.safeParse(value);
}

const parsers = {
  tenant: (v: unknown): Parsed<Tenant> => Tenant.safeParse(v),
  guest: (v: unknown): Parsed<Guest> => Guest.safeParse(v),
  subscription: parseSubscription,
  job: (v: unknown): Parsed<Job> => Job.safeParse(v),
  'restore point': (v: unknown): Parsed<RestorePoint> => RestorePoint.safeParse(v),
};
type EntityType = keyof typeof parsers;
type RecordOf<E extends EntityType> = ReturnType<(typeof parsers)[E]> extends Parsed<infer T> ? T : never;

/**
 * Checks a record to be written; InvalidRecordError (nothing written) if it does not match. The record
 * is stored as given, not as the schema would rewrite it (defaults, trimming), like the local registry.
 */
function validated<E extends EntityType>(entity: E, record: RecordOf<E>, key: Key): RecordOf<E> {
  const parsed = parsers[entity](record);
  if (!parsed.success) {
    throw new InvalidRecordError(
      `${entity} ${key.pk} / ${key.sk} is not valid (${issuesOf(parsed.error)}); nothing was written`,
    );
  }
  return record;
}

/**
 * Turns a stored item back into a record: the item without the internal attributes, checked against
 * the schema (MalformedRecordError names the item's key) and returned as stored.
 */
function fromItem<E extends EntityType>(entity: E, item: Item): RecordOf<E> {
  const record: Item = { ...item };
  for (const attribute of KEY_ATTRIBUTES) delete record[attribute];
  if (entity === 'tenant') delete record.tenantId;
  const parsed = parsers[entity](record);
  if (!parsed.success) {
    throw new MalformedRecordError(
      `registry item ${describeKey(item)} is not a valid ${entity}: ${issuesOf(parsed.error)}`,
    );
  }
  return record as RecordOf<E>;
}

const JobUpdateSchema = z.strictObject({
  status: JobStatus.optional(),
  startedAt: Job.shape.startedAt,
  finishedAt: Job.shape.finishedAt,
  error: ErrorInfo.nullable().optional(),
  result: Job.shape.result,
  attempts: Job.shape.attempts.optional(),
  updatedAt: Job.shape.updatedAt,
});

// ---------------------------------------------------------------- cursors

interface Listing {
  index?: typeof REGISTRY_GSI1;
  /** Partition key attribute and value. */
  partition: [string, string];
  /** Sort key attribute and the prefix every listed item's sort key starts with. */
  sortPrefix: [string, string];
  /** Table key of the listed items: [pk prefix, sk prefix] (for gsi1 listings). */
  tableKey?: [string, string];
}

function keyAttributes(listing: Listing): string[] {
  return listing.index ? ['pk', 'sk', listing.partition[0], listing.sortPrefix[0]] : ['pk', 'sk'];
}

function encodeCursor(key: Item): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, listing: Listing): Record<string, string> {
  const invalid = (why: string) =>
    new InvalidPageRequestError(
      `cursor ${JSON.stringify(cursor.slice(0, 80))} is not valid for this listing (${why})`,
    );
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not base64url JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('not an object');
  const key = value as Record<string, unknown>;
  const expected = keyAttributes(listing);
  const names = Object.keys(key);
  if (names.length !== expected.length || !expected.every((n) => typeof key[n] === 'string')) {
    throw invalid('wrong key attributes');
  }
  const strings = key as Record<string, string>;
  const [pAttr, pValue] = listing.partition;
  const [sAttr, sPrefix] = listing.sortPrefix;
  if (strings[pAttr] !== pValue || !strings[sAttr]?.startsWith(sPrefix))
    throw invalid('from another listing');
  if (listing.tableKey) {
    const [pkValue, skPrefix] = listing.tableKey;
    if (strings.pk !== pkValue || !strings.sk?.startsWith(skPrefix)) throw invalid('from another listing');
  }
  return strings;
}

function checkLimit(limit: number, what: string): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new InvalidPageRequestError(
      `${what}: limit must be an integer from 1 to ${MAX_PAGE_LIMIT}, got ${limit}; nothing was listed`,
    );
  }
}

// ---------------------------------------------------------------- registry

export interface DynamoDbRegistryOptions {
  /** A DocumentClient; create it with `marshallOptions: { removeUndefinedValues: true }`. */
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Attempts of deleteGuest's transaction when it races with other writes (default 3). */
  transactionAttempts?: number;
}

export class DynamoDbRegistry implements Registry {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #transactionAttempts: number;

  constructor(options: DynamoDbRegistryOptions) {
    this.#doc = options.client;
    this.#table = options.tableName;
    this.#transactionAttempts = options.transactionAttempts ?? 3;
  }

  // ---------------------------------------------------------------- tenants

  async putTenant(tenant: Tenant): Promise<void> {
    const key = registryKeys.tenant(tenant.id);
    const record = validated('tenant', tenant, key);
    await this.#put({ ...key, entityType: 'tenant', tenantId: record.id, ...record });
  }

  async getTenant(id: string): Promise<Tenant | undefined> {
    return this.#get('tenant', registryKeys.tenant(id));
  }

  // ---------------------------------------------------------------- guests

  async createGuest(guest: Guest): Promise<void> {
    const key = registryKeys.guest(guest.tenantId, guest.id);
    const record = validated('guest', guest, key);
    const created = await this.#put({ ...key, entityType: 'guest', ...record }, true);
    if (!created) {
      throw new ConditionFailedError(
        `guest ${guest.tenantId}/${guest.id} already exists; nothing was written`,
      );
    }
  }

  async getGuest(tenantId: string, guestId: string): Promise<Guest | undefined> {
    return this.#get('guest', registryKeys.guest(tenantId, guestId));
  }

  async listGuests(tenantId: string, page: PageRequest): Promise<PageOf<Guest>> {
    const listing: Listing = { partition: ['pk', tenantPk(tenantId)], sortPrefix: ['sk', 'GUEST#'] };
    const { items, nextCursor } = await this.#page(listing, page, true, `guests of tenant ${tenantId}`);
    return withCursor(
      items.map((i) => fromItem('guest', i)),
      nextCursor,
    );
  }

  async deleteGuest(tenantId: string, guestId: string): Promise<Subscription[] | undefined> {
    const guestKey = registryKeys.guest(tenantId, guestId);
    for (let attempt = 1; ; attempt++) {
      // At most one subscription per service, so the transaction stays far below its 100 items.
      const subscriptions = await this.#subscriptionItems(tenantId, guestId);
      const removed = new Map(subscriptions.map((i) => [i.sk, fromItem('subscription', i)]));
      try {
        await this.#doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: this.#table,
                  Key: guestKey,
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              ...subscriptions.map((i) => ({
                Delete: { TableName: this.#table, Key: { pk: i.pk, sk: i.sk } },
              })),
            ],
          }),
        );
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons?.[0] === 'ConditionalCheckFailed') return undefined;
        if (reasons?.includes('TransactionConflict') && attempt < this.#transactionAttempts) continue;
        throw error;
      }
      // A subscription written while the transaction ran is removed here (see putSubscription).
      for (const late of await this.#subscriptionItems(tenantId, guestId)) {
        const deleted = await this.#doc.send(
          new DeleteCommand({
            TableName: this.#table,
            Key: { pk: late.pk, sk: late.sk },
            ReturnValues: 'ALL_OLD',
          }),
        );
        if (deleted.Attributes) removed.set(late.sk, fromItem('subscription', deleted.Attributes));
      }
      return [...removed.values()];
    }
  }

  // ---------------------------------------------------------------- subscriptions

  async putSubscription(subscription: Subscription): Promise<void> {
    const { tenantId, guestId, service } = subscription;
    const key = registryKeys.subscription(tenantId, guestId, service);
    const record = validated('subscription', subscription, key);
    await this.#put({
      ...key,
      ...registryKeys.subscriptionListing(subscription),
      entityType: 'subscription',
      ...record,
    });
    const guest = await this.#doc.send(
      new GetCommand({
        TableName: this.#table,
        Key: registryKeys.guest(tenantId, guestId),
        ConsistentRead: true,
        ProjectionExpression: 'pk',
      }),
    );
    if (!guest.Item) {
      await this.#doc.send(new DeleteCommand({ TableName: this.#table, Key: key }));
      throw new ConditionFailedError(
        `guest ${tenantId}/${guestId} does not exist; subscription "${service}" was not stored`,
      );
    }
  }

  async getSubscription(
    tenantId: string,
    guestId: string,
    service: Service,
  ): Promise<Subscription | undefined> {
    return this.#get('subscription', registryKeys.subscription(tenantId, guestId, service));
  }

  async listSubscriptions(tenantId: string, guestId: string): Promise<Subscription[]> {
    return (await this.#subscriptionItems(tenantId, guestId)).map((i) => fromItem('subscription', i));
  }

  async listSubscriptionsOfService(service: Service, page: PageRequest): Promise<PageOf<Subscription>> {
    const listing: Listing = {
      index: REGISTRY_GSI1,
      partition: ['gsi1pk', `SVC#${segment(service, 'service')}`],
      sortPrefix: ['gsi1sk', 'TENANT#'],
    };
    const { items, nextCursor } = await this.#page(listing, page, true, `${service} subscriptions`);
    return withCursor(
      items.map((i) => fromItem('subscription', i)),
      nextCursor,
    );
  }

  async deleteSubscription(tenantId: string, guestId: string, service: Service): Promise<boolean> {
    const out = await this.#doc.send(
      new DeleteCommand({
        TableName: this.#table,
        Key: registryKeys.subscription(tenantId, guestId, service),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return out.Attributes !== undefined;
  }

  // ---------------------------------------------------------------- jobs

  async createJob(job: Job): Promise<boolean> {
    const key = registryKeys.job(job.tenantId, job.id);
    const record = validated('job', job, key);
    return this.#put({ ...key, entityType: 'job', ...record }, true);
  }

  async getJob(tenantId: string, jobId: string): Promise<Job | undefined> {
    return this.#get('job', registryKeys.job(tenantId, jobId));
  }

  async updateJob(
    tenantId: string,
    jobId: string,
    update: JobUpdate,
    expected: Job['status'][],
  ): Promise<Job> {
    const key = registryKeys.job(tenantId, jobId);
    const what = `job ${tenantId}/${jobId}`;
    const parsed = JobUpdateSchema.safeParse(update);
    if (!parsed.success) {
      throw new InvalidRecordError(
        `${what}: update is not valid (${issuesOf(parsed.error)}); nothing was written`,
      );
    }
    const statuses = z.array(JobStatus).safeParse(expected);
    if (!statuses.success || expected.length === 0) {
      throw new ConditionFailedError(
        `${what}: no valid expected status given (${JSON.stringify(expected)}); not updated`,
      );
    }
    const names: Record<string, string> = { '#pk': 'pk', '#status': 'status' };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    for (const [field, value] of Object.entries(parsed.data)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      if (value === null) {
        removes.push(`#${field}`);
      } else {
        values[`:${field}`] = value;
        sets.push(`#${field} = :${field}`);
      }
    }
    const expectedNames = expected.map((status, i) => {
      values[`:expected${i}`] = status;
      return `:expected${i}`;
    });
    const expression = [
      sets.length > 0 ? `SET ${sets.join(', ')}` : '',
      removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    try {
      const out = await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression: expression,
          ConditionExpression: `attribute_exists(#pk) AND #status IN (${expectedNames.join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return fromItem('job', out.Attributes ?? key);
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) {
        const current = await this.#currentStatus(key, error);
        throw new ConditionFailedError(
          current === undefined
            ? `${what} does not exist; not updated`
            : `${what} is "${current}", not ${expected.map((s) => `"${s}"`).join(' or ')}; not updated`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  // ---------------------------------------------------------------- restore points

  async createRestorePoint(restorePoint: RestorePoint): Promise<boolean> {
    const key = registryKeys.restorePoint(restorePoint.tenantId, restorePoint.id);
    const record = validated('restore point', restorePoint, key);
    return this.#put(
      { ...key, ...registryKeys.restorePointListing(record), entityType: 'restore point', ...record },
      true,
    );
  }

  async getRestorePoint(tenantId: string, id: string): Promise<RestorePoint | undefined> {
    return this.#get('restore point', registryKeys.restorePoint(tenantId, id));
  }

  async listRestorePoints(
    tenantId: string,
    guestId: string,
    page: PageRequest,
  ): Promise<PageOf<RestorePoint>> {
    const listing: Listing = {
      index: REGISTRY_GSI1,
      partition: ['gsi1pk', guestPk(tenantId, guestId)],
      sortPrefix: ['gsi1sk', 'RP#'],
      tableKey: [tenantPk(tenantId), 'RP#'],
    };
    const what = `restore points of guest ${tenantId}/${guestId}`;
    const { items, nextCursor } = await this.#page(listing, page, false, what);
    return withCursor(
      items.map((i) => fromItem('restore point', i)),
      nextCursor,
    );
  }

  async markRestorePointInfected(
    tenantId: string,
    id: string,
    mark: RestorePointInfection,
  ): Promise<RestorePoint | undefined> {
    const key = registryKeys.restorePoint(tenantId, id);
    const parsed = RestorePoint.shape.infected.unwrap().safeParse(mark);
    if (!parsed.success) {
      throw new InvalidRecordError(
        `restore point ${tenantId}/${id}: infected mark is not valid (${issuesOf(parsed.error)}); nothing was written`,
      );
    }
    try {
      // if_not_exists keeps the first mark: marking again changes nothing.
      const out = await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression: 'SET #infected = if_not_exists(#infected, :mark)',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': 'pk', '#infected': 'infected' },
          ExpressionAttributeValues: { ':mark': { ...mark } },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? fromItem('restore point', out.Attributes) : undefined;
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) return undefined;
      throw error;
    }
  }

  // ---------------------------------------------------------------- helpers

  /**
   * The job's status after a failed condition, for the error message: from the item the failure
   * returned (ReturnValuesOnConditionCheckFailure), else (emulators that do not return it) read.
   */
  async #currentStatus(key: Key, error: unknown): Promise<string | undefined> {
    const item = (error as { Item?: { status?: { S?: string } } }).Item;
    if (item) return item.status?.S;
    const out = await this.#doc.send(
      new GetCommand({
        TableName: this.#table,
        Key: key,
        ConsistentRead: true,
        ProjectionExpression: '#status',
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
    const status = out?.Item?.status;
    return typeof status === 'string' ? status : undefined;
  }

  /** PutItem; with `create`, only if no item has the key (returns false if one has). */
  async #put(item: Item, create = false): Promise<boolean> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: item,
          ...(create ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (create && isAwsError(error, 'ConditionalCheckFailedException')) return false;
      throw error;
    }
  }

  async #get<E extends EntityType>(entity: E, key: Key): Promise<RecordOf<E> | undefined> {
    const out = await this.#doc.send(
      new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true }),
    );
    return out.Item ? fromItem(entity, out.Item) : undefined;
  }

  async #subscriptionItems(tenantId: string, guestId: string): Promise<Item[]> {
    const listing: Listing = { partition: ['pk', guestPk(tenantId, guestId)], sortPrefix: ['sk', 'SVC#'] };
    const all: Item[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#page(
        listing,
        { limit: 100, cursor },
        true,
        `subscriptions of guest ${tenantId}/${guestId}`,
      );
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  /**
   * One page of a listing. Asks for one item more than the limit, so that a page is only given a
   * cursor when something follows it (DynamoDB's own LastEvaluatedKey would give the last page an
   * empty successor whenever the items run out exactly at the limit).
   */
  async #page(
    listing: Listing,
    page: PageRequest,
    forward: boolean,
    what: string,
  ): Promise<{ items: Item[]; nextCursor?: string }> {
    checkLimit(page.limit, what);
    const start = page.cursor === undefined ? undefined : decodeCursor(page.cursor, listing);
    const out = await this.#doc.send(
      new QueryCommand({
        TableName: this.#table,
        ...(listing.index ? { IndexName: listing.index } : { ConsistentRead: true }),
        KeyConditionExpression: '#p = :p AND begins_with(#s, :s)',
        ExpressionAttributeNames: { '#p': listing.partition[0], '#s': listing.sortPrefix[0] },
        ExpressionAttributeValues: { ':p': listing.partition[1], ':s': listing.sortPrefix[1] },
        ScanIndexForward: forward,
        Limit: page.limit + 1,
        ExclusiveStartKey: start,
      }),
    );
    const items = out.Items ?? [];
    if (items.length > page.limit) {
      const kept = items.slice(0, page.limit);
      const last = kept[kept.length - 1] as Item;
      const key = Object.fromEntries(keyAttributes(listing).map((a) => [a, last[a]]));
      return { items: kept, nextCursor: encodeCursor(key) };
    }
    // Fewer items than asked for and a LastEvaluatedKey: DynamoDB stopped at its 1 MB page size.
    return out.LastEvaluatedKey ? { items, nextCursor: encodeCursor(out.LastEvaluatedKey) } : { items };
  }
}

function withCursor<T>(items: T[], nextCursor: string | undefined): PageOf<T> {
  return nextCursor === undefined ? { items } : { items, nextCursor };
}

/** The cancellation reason codes of a TransactionCanceledException, in request order. */
function cancellationReasons(error: unknown): string[] | undefined {
  if (awsErrorName(error) !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code ?? 'None');
}
