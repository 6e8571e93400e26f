/**
 * SQS queues as Outboard uses them: a work queue feeding one function with partial batch responses, and the
 * dead-letter queues (with an alarm) that catch what cannot be processed.
 *
 * Encryption: SQS-managed SSE (SSE-SQS). It encrypts at rest at no cost and needs no key policy, whereas
 * EventBridge (rule targets and their DLQs) and EventBridge Scheduler cannot send to a queue encrypted with the
 * AWS-managed `aws/sqs` KMS key, and a customer-managed key would add a key, its policy and KMS request costs
 * without a control we need (nobody but this stack's roles may use the queues anyway). Every queue also denies
 * requests without TLS (`enforceSSL`, cdk-nag AwsSolutions-SQS4).
 */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueSpec } from '../../shared/topology.ts';

export interface DeadLetterQueueProps {
  /** What ends up in this queue, for the alarm description. */
  readonly purpose: string;
  /** How long dead letters are kept. @default Duration.days(14), the SQS maximum */
  readonly retention?: Duration;
}

/** An encrypted, TLS-only queue for dead letters, and an alarm as soon as one message is in it. */
export class DeadLetterQueue extends Construct {
  readonly queue: Queue;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      retentionPeriod: props.retention ?? Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.alarm = new Alarm(this, 'Alarm', {
      alarmDescription: `Dead letters: ${props.purpose}`,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}

export interface WorkQueueProps {
  /** The queue's declaration in shared/topology.ts. */
  readonly spec: QueueSpec;
  /** The function that consumes the queue (through an event source mapping). */
  readonly consumer: IFunction;
  /**
   * Upper bound of concurrent invocations the event source mapping makes (`ScalingConfig.MaximumConcurrency`),
   * normally the consumer's reserved concurrency so that throttled batches do not burn receive counts.
   * SQS accepts 2 to 1000; outside that range no bound is set. @default - no bound
   */
  readonly maxConcurrency?: number;
}

/** A work queue with its DLQ, feeding `consumer` in batches with partial batch responses. */
export class WorkQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetters: DeadLetterQueue;
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    const { spec } = props;
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      purpose: `${spec.name} messages that failed ${spec.maxReceiveCount} times`,
    });
    this.queue = new Queue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(spec.retentionSeconds),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetters.queue, maxReceiveCount: spec.maxReceiveCount },
    });
    const maxConcurrency =
      props.maxConcurrency !== undefined && props.maxConcurrency >= 2 && props.maxConcurrency <= 1000
        ? props.maxConcurrency
        : undefined;
    this.eventSource = new SqsEventSource(this.queue, {
      batchSize: spec.batchSize,
      maxBatchingWindow:
        spec.maxBatchingWindowSeconds > 0 ? Duration.seconds(spec.maxBatchingWindowSeconds) : undefined,
      reportBatchItemFailures: true,
      maxConcurrency,
    });
    props.consumer.addEventSource(this.eventSource);
  }
}
