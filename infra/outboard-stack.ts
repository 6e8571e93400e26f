/**
 * The Outboard stack, derived entirely from the topology (shared/topology.ts): one `OutboardFunction` per
 * function (a zip or a container image, as its `packaging` says); per trigger a work queue, portal API routes
 * (function or queue receipt) or a bus rule; grants from each function's `access` and `emits`. Nothing here is
 * specific to one function.
 */
import { fileURLToPath } from 'node:url';
import { Aws, CfnOutput, Stack, type StackProps, TimeZone, Validations } from 'aws-cdk-lib';
import { type Policy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { queueUrlEnvName } from '../shared/adapters/aws/env.ts';
import { AWS_ENV } from '../shared/deps.ts';
import { busRules, topology as declaredTopology, type HttpRoute, type Topology } from '../shared/topology.ts';
import type { EstateConfig } from './config.ts';
import { grantDeclaredAccess } from './constructs/access-grants.ts';
import { EventFabric } from './constructs/event-fabric.ts';
import { nagResource, pascalCase } from './constructs/naming.ts';
import { createOutboardFunction, type OutboardFunction } from './constructs/outboard-function.ts';
import { PortalApi, receiptMessageAttributes } from './constructs/portal-api.ts';
import { Storage } from './constructs/storage.ts';
import { WorkQueue } from './constructs/work-queue.ts';

/** The repository root: function entries in the topology are relative to it. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface OutboardStackProps extends StackProps {
  /** Estate (internal or provider) and its settings, usually from the CDK context. */
  readonly estate: EstateConfig;
  /** What to build. @default the topology declared in shared/topology.ts */
  readonly topology?: Topology;
  /** Root the topology's entry paths are relative to. @default PROJECT_ROOT */
  readonly projectRoot?: string;
  /** Feed URLs the feed-sync function imports (OUTBOARD_FEED_URLS). @default none: nothing to sync */
  readonly feedUrls?: readonly string[];
}

/** Environment describing the estate, set on every function. */
export function estateEnvironment(estate: EstateConfig): Record<string, string> {
  return estate.estate === 'internal'
    ? { [AWS_ENV.estate]: estate.estate, [AWS_ENV.internalTenantId]: estate.tenantId }
    : { [AWS_ENV.estate]: estate.estate, [AWS_ENV.tenantClaim]: estate.tenantClaim };
}

export class OutboardStack extends Stack {
  readonly estate: EstateConfig;
  readonly fabric: EventFabric;
  readonly storage: Storage;
  readonly functions = new Map<string, OutboardFunction>();
  readonly workQueues = new Map<string, WorkQueue>();
  readonly portalApi: PortalApi | undefined;

  constructor(scope: Construct, id: string, props: OutboardStackProps) {
    super(scope, id, props);
    // Server access logs are delivered under a bucket policy, not the legacy LogDeliveryWrite ACL (which
    // would conflict with BucketOwnerEnforced), whatever the app's feature flags say.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    const topology = props.topology ?? declaredTopology;
    const projectRoot = props.projectRoot ?? PROJECT_ROOT;
    this.estate = props.estate;
    // Receipt routes must be expressible in this estate; say so before anything is bundled.
    for (const fn of topology.functions) {
      if (fn.trigger.kind !== 'http') continue;
      for (const route of fn.trigger.routes) {
        if (route.sendToQueue !== undefined) receiptMessageAttributes(props.estate, route);
      }
    }

    this.fabric = new EventFabric(this, 'EventFabric');
    this.storage = new Storage(this, 'Storage', { bus: this.fabric.bus });

    const sharedEnvironment: Record<string, string> = {
      [AWS_ENV.tableName]: this.storage.table.tableName,
      [AWS_ENV.bucketName]: this.storage.bucket.bucketName,
      [AWS_ENV.busName]: this.fabric.bus.eventBusName,
      [AWS_ENV.busArn]: this.fabric.bus.eventBusArn,
      [AWS_ENV.scheduleGroup]: this.storage.scheduleGroup.scheduleGroupName,
      [AWS_ENV.schedulerRoleArn]: this.storage.schedulerRole.roleArn,
      ...estateEnvironment(props.estate),
      ...(props.feedUrls?.length ? { [AWS_ENV.feedUrls]: props.feedUrls.join(',') } : {}),
    };

    const routes: { route: HttpRoute; handler: IFunction; handlerName: string }[] = [];
    const units = new Map<string, Construct>();
    for (const spec of topology.functions) {
      // One scope per function: its log group, role, policy, queue and schedule live next to it.
      const unit = new Construct(this, pascalCase(spec.name));
      units.set(spec.name, unit);
      // The archive bucket's name only for functions that may use it (the AWS deps fail clearly without it).
      const environment =
        spec.access.archive === 'none'
          ? sharedEnvironment
          : { ...sharedEnvironment, [AWS_ENV.archiveBucketName]: this.storage.archiveBucket.bucketName };
      const fn = createOutboardFunction(unit, 'Function', { spec, projectRoot, environment });
      this.functions.set(spec.name, fn);

      const trigger = spec.trigger;
      if (trigger.kind === 'http') {
        for (const route of trigger.routes) routes.push({ route, handler: fn, handlerName: spec.name });
      } else if (trigger.kind === 'schedule') {
        // In the default schedule group: Outboard's own group holds the per-guest schedules functions manage.
        const role = new Role(unit, 'ScheduleRole', {
          description: `Assumed by EventBridge Scheduler to invoke the ${spec.name} function`,
          assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
            conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
          }),
        });
        new Schedule(unit, 'Schedule', {
          description: `Invokes ${spec.name}`,
          schedule: ScheduleExpression.expression(trigger.expression, TimeZone.of(trigger.timezone)),
          target: new LambdaInvoke(fn, {
            role,
            deadLetterQueue: this.fabric.deliveryDeadLetters.queue,
            retryAttempts: 2,
          }),
        });
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${nagResource(this, `${fn.functionArn}:*`)}]`,
          reason:
            'The target grant (Function.grantInvoke) covers the function and its versions and aliases ' +
            '(<arn>:*); it names this one function only.',
        });
      }
    }

    // Work queues come after all functions: every function is told every queue's URL.
    const queueUrls: Record<string, string> = {};
    for (const fn of this.functions.values()) {
      const trigger = fn.spec.trigger;
      if (trigger.kind !== 'queue') continue;
      const workQueue = new WorkQueue(units.get(fn.spec.name)!, 'WorkQueue', {
        spec: trigger.queue,
        consumer: fn,
        maxConcurrency: fn.spec.concurrency,
      });
      this.workQueues.set(trigger.queue.name, workQueue);
      queueUrls[queueUrlEnvName(trigger.queue.name)] = workQueue.queue.queueUrl;
    }
    // Queue URLs are names, not permissions: sending needs the grant of the function's `sendsTo`.
    for (const fn of this.functions.values()) {
      for (const [name, url] of Object.entries(queueUrls)) fn.addEnvironment(name, url);
    }

    // Grants come last: `sendsTo` names work queues, which exist only now.
    const queue = (name: string): IQueue => {
      const workQueue = this.workQueues.get(name);
      if (!workQueue) throw new Error(`topology: no work queue named "${name}"`);
      return workQueue.queue;
    };
    for (const fn of this.functions.values()) {
      const policy: Policy | undefined = grantDeclaredAccess(
        units.get(fn.spec.name)!,
        'AccessPolicy',
        fn.executionRole,
        fn.spec,
        {
          table: this.storage.table,
          indexNames: this.storage.indexNames,
          bucket: this.storage.bucket,
          archiveBucket: this.storage.archiveBucket,
          bus: this.fabric.bus,
          scheduleGroup: this.storage.scheduleGroup,
          schedulerRole: this.storage.schedulerRole,
          queue,
        },
      );
      // The function is not created before it holds its declared permissions.
      if (policy) fn.node.addDependency(policy);
    }

    this.fabric.addRules(busRules(topology), {
      queue,
      function: (name: string): IFunction => {
        const fn = this.functions.get(name);
        if (!fn) throw new Error(`topology: bus rule targets unknown function "${name}"`);
        return fn;
      },
    });

    this.portalApi =
      routes.length > 0
        ? new PortalApi(this, 'PortalApi', { routes, estate: props.estate, queue })
        : undefined;

    if (this.portalApi) new CfnOutput(this, 'ApiUrl', { value: this.portalApi.url });
    new CfnOutput(this, 'BusName', { value: this.fabric.bus.eventBusName });
  }
}
