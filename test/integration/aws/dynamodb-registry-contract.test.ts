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
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoDbRegistry } from '../../../shared/adapters/aws/dynamodb-registry.ts';
import { type DynaliteTable, startDynaliteTable } from '../../support/dynalite.ts';
import { describeRegistryContract } from '../../support/registry-contract.ts';

const TABLE = 'outboard-registry-contract';
let db: DynaliteTable;

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
  db = await startDynaliteTable(TABLE);
  const { doc } = db;
  const send = doc.send.bind(doc);
  doc.send = ((command: unknown, ...rest: unknown[]) =>
    command instanceof TransactWriteCommand
      ? emulateTransaction(doc, command.input)
      : (send as (...args: unknown[]) => Promise<unknown>)(command, ...rest)) as typeof doc.send;
});

afterAll(async () => {
  await db?.close();
});

describeRegistryContract('DynamoDbRegistry on dynalite', async () => ({
  registry: new DynamoDbRegistry({ client: db.doc, tableName: TABLE }),
  close: async () => {},
}));
