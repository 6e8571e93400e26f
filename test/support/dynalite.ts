/**
 * dynalite (a DynamoDB protocol server, in memory) on 127.0.0.1 with clients pointed at it and one
 * table in the registry's key schema, for the integration tests of the DynamoDB adapters. Each test
 * file starts its own server in `beforeAll` and closes it in `afterAll`.
 */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { registryCreateTableInput } from '../../shared/adapters/aws/dynamodb-registry.ts';

export interface DynaliteTable {
  /** The low-level client (table administration, raw attribute values). */
  raw: DynamoDBClient;
  /** The document client the adapters take, dropping undefined values as the AWS adapters do. */
  doc: DynamoDBDocumentClient;
  /** Destroys the clients and stops the server. */
  close(): Promise<void>;
}

/** Starts dynalite on a free port and creates `tableName` (the registry's key schema), waiting until it is ACTIVE. */
export async function startDynaliteTable(tableName: string): Promise<DynaliteTable> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const raw = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const close = async () => {
    raw.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  try {
    await raw.send(new CreateTableCommand(registryCreateTableInput(tableName)));
    for (let i = 0; i < 50; i++) {
      const table = await raw.send(new DescribeTableCommand({ TableName: tableName }));
      if (table.Table?.TableStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 20));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { raw, doc, close };
}
