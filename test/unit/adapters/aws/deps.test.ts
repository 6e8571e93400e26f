import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { awsDeps, readAwsEnv } from '../../../../shared/adapters/aws/deps.ts';
import { DynamoDbRegistry } from '../../../../shared/adapters/aws/dynamodb-registry.ts';
import { Ec2Connector } from '../../../../shared/adapters/aws/ec2-connector.ts';
import { queueUrlEnvName } from '../../../../shared/adapters/aws/env.ts';
import { S3ObjectStore } from '../../../../shared/adapters/aws/s3-object-store.ts';
import { makeEvent } from '../../../../shared/contracts/events.ts';
import { AWS_ENV } from '../../../../shared/deps.ts';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/backup-requests';
const baseEnv = (): Record<string, string | undefined> => ({
  [AWS_ENV.tableName]: 'outboard-table',
  [AWS_ENV.bucketName]: 'outboard-bucket',
  [AWS_ENV.busName]: 'outboard-bus',
  [AWS_ENV.busArn]: 'arn:aws:events:eu-west-1:123456789012:event-bus/outboard-bus',
  [AWS_ENV.scheduleGroup]: 'outboard',
  [AWS_ENV.schedulerRoleArn]: 'arn:aws:iam::123456789012:role/outboard-scheduler',
  [AWS_ENV.estate]: 'internal',
  [AWS_ENV.internalTenantId]: 'acme',
  [queueUrlEnvName('backup-requests')]: QUEUE_URL,
  AWS_REGION: 'eu-west-1',
});

const sqs = mockClient(SQSClient);
const eb = mockClient(EventBridgeClient);
afterEach(() => {
  sqs.reset();
  eb.reset();
});

describe('queueUrlEnvName', () => {
  it('turns a queue name into an upper snake variable name', () => {
    expect(queueUrlEnvName('backup-requests')).toBe('OUTBOARD_QUEUE_URL_BACKUP_REQUESTS');
    expect(queueUrlEnvName('a.b--c')).toBe('OUTBOARD_QUEUE_URL_A_B_C');
  });

  it('refuses a name without letters or digits', () => {
    expect(() => queueUrlEnvName('--')).toThrow(TypeError);
  });
});

describe('readAwsEnv', () => {
  it('reads the configuration, tenancy and queue URLs', () => {
    expect(readAwsEnv(baseEnv())).toEqual({
      tableName: 'outboard-table',
      bucketName: 'outboard-bucket',
      busName: 'outboard-bus',
      busArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/outboard-bus',
      scheduleGroup: 'outboard',
      schedulerRoleArn: 'arn:aws:iam::123456789012:role/outboard-scheduler',
      tenancy: { estate: 'internal', internalTenantId: 'acme', tenantClaim: '' },
      queueUrls: { 'backup-requests': QUEUE_URL },
      region: 'eu-west-1',
    });
  });

  it('names every missing variable', () => {
    const env = baseEnv();
    delete env[AWS_ENV.tableName];
    delete env[AWS_ENV.busArn];
    expect(() => readAwsEnv(env)).toThrow(
      /OUTBOARD_TABLE_NAME: not set; OUTBOARD_BUS_ARN: not set.*no dependencies were built/,
    );
  });

  it('reports a missing tenant id together with other problems', () => {
    const env = baseEnv();
    delete env[AWS_ENV.bucketName];
    delete env[AWS_ENV.internalTenantId];
    expect(() => readAwsEnv(env)).toThrow(/OUTBOARD_BUCKET_NAME: not set; OUTBOARD_TENANT_ID: not set/);
  });

  it('names a malformed ARN and an unknown estate', () => {
    const env = { ...baseEnv(), [AWS_ENV.schedulerRoleArn]: 'role', [AWS_ENV.estate]: 'cloud' };
    const error = (() => {
      try {
        readAwsEnv(env);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.name).toBe('AwsEnvError');
    expect(error?.message).toContain('OUTBOARD_SCHEDULER_ROLE_ARN');
    expect(error?.message).toContain('OUTBOARD_ESTATE');
  });

  it('requires the tenant id for the internal estate and the claim for the provider estate', () => {
    const internal = baseEnv();
    delete internal[AWS_ENV.internalTenantId];
    expect(() => readAwsEnv(internal)).toThrow(/OUTBOARD_TENANT_ID: not set/);
    expect(() => readAwsEnv({ ...baseEnv(), [AWS_ENV.internalTenantId]: 'Not A Tenant' })).toThrow(
      /OUTBOARD_TENANT_ID/,
    );
    expect(() => readAwsEnv({ ...baseEnv(), [AWS_ENV.estate]: 'provider' })).toThrow(/OUTBOARD_TENANT_CLAIM/);
    expect(
      readAwsEnv({ ...baseEnv(), [AWS_ENV.estate]: 'provider', [AWS_ENV.tenantClaim]: 'custom:tenant' })
        .tenancy,
    ).toEqual({ estate: 'provider', internalTenantId: 'acme', tenantClaim: 'custom:tenant' });
  });
});

describe('awsDeps', () => {
  it('builds the AWS adapters', () => {
    const deps = awsDeps(baseEnv());
    expect(deps.registry).toBeInstanceOf(DynamoDbRegistry);
    expect(deps.objects).toBeInstanceOf(S3ObjectStore);
    expect(deps.connectors.get('aws-ec2')).toBeInstanceOf(Ec2Connector);
    expect(deps.tenancy).toEqual({ estate: 'internal', internalTenantId: 'acme', tenantClaim: '' });
    expect(deps.clock.now()).toBeInstanceOf(Date);
    expect(typeof deps.logger.appendKeys).toBe('function');
  });

  it('says the local connector is not available on AWS', () => {
    expect(() => awsDeps(baseEnv()).connectors.get('local')).toThrow(
      expect.objectContaining({
        name: 'ConnectorUnavailableError',
        message: expect.stringContaining('"local"'),
      }),
    );
  });

  it('wires the queue URLs and the bus name from the environment', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    const deps = awsDeps(baseEnv());
    await deps.queues.send('backup-requests', [{ body: '{}' }]);
    await deps.bus.publish([
      makeEvent('Guest Deleted', {
        tenantId: 'acme',
        correlationId: 'c',
        guestId: 'gst_0000000001',
        disabledServices: [],
      }),
    ]);
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.QueueUrl).toBe(QUEUE_URL);
    expect(eb.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.EventBusName).toBe(
      'outboard-bus',
    );
  });
});
