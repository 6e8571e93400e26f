import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { QueueSendError, SqsQueueSender } from '../../../../shared/adapters/aws/sqs-queue-sender.ts';
import type { OutgoingMessage } from '../../../../shared/ports.ts';

const sqs = mockClient(SQSClient);
const URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/backup-requests';
let sleeps = 0;
const sender = () =>
  new SqsQueueSender({
    client: new SQSClient({ region: 'eu-west-1' }),
    queueUrls: { 'backup-requests': URL },
    sleep: async () => {
      sleeps++;
    },
  });
const messages = (n: number, size = 10): OutgoingMessage[] =>
  Array.from({ length: n }, (_, i) => ({ body: String(i).padEnd(size, '.') }));
const entriesOf = (call: number) =>
  sqs.commandCalls(SendMessageBatchCommand)[call]?.args[0].input.Entries?.map((e) => e.Id);

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  sleeps = 0;
});

describe('SqsQueueSender', () => {
  it('sends in batches of 10 to the queue URL, with ids, delay and string attributes', async () => {
    const batch = messages(23);
    batch[0] = { body: 'first', delaySeconds: 30, attributes: { kind: 'backup' } };
    await sender().send('backup-requests', batch);
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
    expect(calls.every((c) => c.args[0].input.QueueUrl === URL)).toBe(true);
    expect(calls[0]?.args[0].input.Entries?.[0]).toEqual({
      Id: 'm0',
      MessageBody: 'first',
      DelaySeconds: 30,
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'backup' } },
    });
    expect(calls[0]?.args[0].input.Entries?.[1]).toEqual({ Id: 'm1', MessageBody: batch[1]?.body });
    expect(entriesOf(2)).toEqual(['m20', 'm21', 'm22']);
  });

  it('keeps each batch within 256 KiB', async () => {
    await sender().send('backup-requests', messages(5, 100 * 1024));
    expect(sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([
      2, 2, 1,
    ]);
  });

  it('rejects a message over 256 KiB before sending anything', async () => {
    const batch = messages(3);
    batch[1] = { body: 'x'.repeat(256 * 1024 + 1) };
    await expect(sender().send('backup-requests', batch)).rejects.toMatchObject({
      name: 'MessageTooLargeError',
      message: expect.stringContaining('m1'),
    });
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('throws for an unknown queue, naming it and its environment variable', async () => {
    await expect(sender().send('nope-queue', messages(1))).rejects.toMatchObject({
      name: 'UnknownQueueError',
      message: expect.stringMatching(/"nope-queue".*OUTBOARD_QUEUE_URL_NOPE_QUEUE/),
    });
  });

  it('does not call SQS for an empty list', async () => {
    await sender().send('backup-requests', []);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('retries failed entries once and succeeds', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [], Failed: [{ Id: 'm1', Code: 'InternalError', SenderFault: false }] })
      .resolves({ Successful: [], Failed: [] });
    await sender().send('backup-requests', messages(3));
    expect(entriesOf(1)).toEqual(['m1']);
    expect(sleeps).toBe(1);
  });

  it('throws naming the ids that failed twice, and does not retry sender faults', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [],
        Failed: [
          { Id: 'm0', Code: 'InvalidParameterValue', SenderFault: true, Message: 'bad' },
          { Id: 'm2', Code: 'InternalError', SenderFault: false },
        ],
      })
      .resolves({ Successful: [], Failed: [{ Id: 'm2', Code: 'InternalError', SenderFault: false }] });
    const error = await sender()
      .send('backup-requests', messages(3))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueSendError);
    expect(entriesOf(1)).toEqual(['m2']);
    expect((error as QueueSendError).failed.map((f) => f.id)).toEqual(['m0', 'm2']);
    expect((error as Error).message).toMatch(/2 of 3 messages were not sent: m0 .*m2/);
    expect((error as Error).message).toContain('backup-requests');
  });

  it('sends the remaining batches even when one has failures, then reports', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [], Failed: [{ Id: 'm3', Code: 'X', SenderFault: true }] })
      .resolves({ Successful: [], Failed: [] });
    await expect(sender().send('backup-requests', messages(15))).rejects.toBeInstanceOf(QueueSendError);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
  });
});
