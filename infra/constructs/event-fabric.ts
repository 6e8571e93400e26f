/**
 * Outboard's custom EventBridge bus, the archive of everything Outboard puts on it, and the rules of the
 * topology routing events to work queues or functions.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { Archive, EventBus, type EventPattern, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../shared/contracts/events.ts';
import type { RuleSpec, RuleTarget } from '../../shared/topology.ts';
import { pascalCase } from './naming.ts';
import { DeadLetterQueue } from './work-queue.ts';

export interface EventFabricProps {
  /** How long archived events are kept (and can be replayed). @default Duration.days(365) */
  readonly archiveRetention?: Duration;
  /** The source whose events are archived. @default EVENT_SOURCE ('outboard') */
  readonly archivedSource?: string;
  /** Delivery attempts of a rule target before the event goes to the delivery DLQ. @default 185 */
  readonly targetRetryAttempts?: number;
  /** Age after which an undelivered event goes to the delivery DLQ. @default Duration.hours(24) */
  readonly targetMaxEventAge?: Duration;
}

/** Where a topology rule's matching events go. */
export interface RuleTargets {
  queue(name: string): IQueue;
  function(name: string): IFunction;
}

export class EventFabric extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;
  /** Events a rule target could not be given (queue or function unreachable), with an alarm. */
  readonly deliveryDeadLetters: DeadLetterQueue;
  readonly rules = new Map<string, Rule>();
  private readonly targetRetryAttempts: number;
  private readonly targetMaxEventAge: Duration;

  constructor(scope: Construct, id: string, props: EventFabricProps = {}) {
    super(scope, id);
    this.targetRetryAttempts = props.targetRetryAttempts ?? 185;
    this.targetMaxEventAge = props.targetMaxEventAge ?? Duration.hours(24);
    this.bus = new EventBus(this, 'Bus', { description: 'Outboard events' });
    this.archive = new Archive(this, 'Archive', {
      sourceEventBus: this.bus,
      description: 'Every Outboard event, for audit and replay',
      eventPattern: { source: [props.archivedSource ?? EVENT_SOURCE] },
      retention: props.archiveRetention ?? Duration.days(365),
    });
    this.deliveryDeadLetters = new DeadLetterQueue(this, 'DeliveryDeadLetters', {
      purpose: 'events a bus rule could not deliver to its target',
    });
    Validations.of(this.deliveryDeadLetters.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue: the DeadLetterConfig of the bus rule targets. ' +
        'cdk-nag only recognises DLQs referenced by other queues or by functions.',
    });
  }

  /**
   * Adds one rule per entry (see `busRules()` in shared/topology.ts) with its exact pattern. A rule whose
   * pattern matches only AWS services' sources (`aws.s3`: S3's Object Created) is put on the account's
   * default bus, where those services deliver their events; every other rule on Outboard's bus.
   */
  addRules(rules: readonly { rule: RuleSpec; target: RuleTarget }[], targets: RuleTargets): void {
    for (const { rule: spec, target } of rules) {
      const rule = new Rule(this, `${pascalCase(spec.name)}Rule`, {
        eventBus: isAwsServiceRule(spec) ? this.defaultBus() : this.bus,
        description: spec.description,
        // Keys other than `detailType` pass through unchanged, so the topology's pattern is rendered verbatim.
        eventPattern: spec.pattern as EventPattern,
      });
      const options = {
        deadLetterQueue: this.deliveryDeadLetters.queue,
        retryAttempts: this.targetRetryAttempts,
        maxEventAge: this.targetMaxEventAge,
      };
      rule.addTarget(
        target.kind === 'queue'
          ? new SqsQueue(targets.queue(target.queue), options)
          : new LambdaFunction(targets.function(target.function), options),
      );
      this.rules.set(spec.name, rule);
    }
  }

  private defaultBusRef: IEventBus | undefined;

  /** The account's default bus, where AWS services put their events. */
  private defaultBus(): IEventBus {
    this.defaultBusRef ??= EventBus.fromEventBusName(this, 'Default', 'default');
    return this.defaultBusRef;
  }
}

/** Whether a rule matches events of AWS services only: its pattern's sources all start with `aws.`. */
export function isAwsServiceRule(spec: RuleSpec): boolean {
  const source = spec.pattern.source;
  return (
    Array.isArray(source) &&
    source.length > 0 &&
    source.every((s) => typeof s === 'string' && s.startsWith('aws.'))
  );
}
