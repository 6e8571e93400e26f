/**
 * The shared Registry contract (test/support/registry-contract.ts) run against DynamoDbRegistry on
 * dynalite, one table for all tests (each test uses fresh tenant ids).
 *
 * dynalite 4.0 has no TransactWriteItems. The contract's deleteGuest cases need it, so the document
 * client here runs a transaction as its single writes in order. That is enough for the transactions
 * DynamoDbRegistry writes (deletes, only the first one conditional: if its condition fails nothing
 * has been written, as with a real transaction), but it is not atomic; the transaction request itself
 * is checked in the unit tests.
 */
import type { AddressInfo } from 'node:net';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll } from 'vitest';
import {
  DynamoDbRegistry,
  registryCreateTableInput,
} from '../../../shared/adapters/aws/dynamodb-registry.ts';
import { describeRegistryContract } from '../../support/registry-contract.ts';

const TABLE = 'outboard-registry-contract';
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;

/** Runs a delete-only transaction as sequential deletes (see the file comment). */
async function emulateTransaction(client: DynamoDBDocumentClient, input: TransactWriteCommandInput) {
  const items = input.TransactItems ?? [];
  for (const [i, item] of items.entries()) {
    if (!item.Delete || (i > 0 && item.Delete.ConditionExpression)) {
      throw new Error('emulated TransactWriteItems: only deletes, conditional only first, are supported');
    }
    try {
      await client.send(new DeleteCommand(item.Delete));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      throw new TransactionCanceledException({
        message: 'Transaction cancelled (emulated)',
        $metadata: {},
        CancellationReasons: items.map((_, j) => ({ Code: j === i ? 'ConditionalCheckFailed' : 'None' })),
      });
    }
  }
  return { $metadata: {} };
}

beforeAll(async () => {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  raw = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const send = doc.send.bind(doc);
  doc.send = ((command: unknown, ...rest: unknown[]) =>
    command instanceof TransactWriteCommand
      ? emulateTransaction(doc, command.input)
      : (send as (...args: unknown[]) => Promise<unknown>)(command, ...rest)) as typeof doc.send;
  await raw.send(new CreateTableCommand(registryCreateTableInput(TABLE)));
});

afterAll(async () => {
  raw?.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describeRegistryContract('DynamoDbRegistry on dynalite', async () => ({
  registry: new DynamoDbRegistry({ client: doc, tableName: TABLE }),
  close: async () => {},
}));
