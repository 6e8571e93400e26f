/**
 * The one Lambda function shape of Outboard: Node.js 24 on arm64, ESM bundle built locally by esbuild, X-Ray
 * tracing, JSON logs to an explicit log group with a retention, and sizing taken from the topology.
 *
 * It ships as the topology's `packaging` says: a zip of the bundle (`NodejsFunction`), or a container image
 * (`DockerImageFunction`) built from `functions/<name>/Dockerfile` around the same bundle, for a function that
 * needs a native engine beside it (see container-image.ts). Both get the same log group, role, sizing, tracing,
 * logging and environment; `createOutboardFunction` picks the class.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  DockerImageFunction,
  type Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { FunctionSpec } from '../../shared/topology.ts';
import { containerImageCode, ESM_REQUIRE_BANNER } from './container-image.ts';

export { ESM_REQUIRE_BANNER } from './container-image.ts';

export interface OutboardFunctionProps {
  /** The function's declaration in shared/topology.ts: entry, description, memory, timeout, concurrency. */
  readonly spec: FunctionSpec;
  /** Absolute path of the repository root: the spec's entry is relative to it and package-lock.json is in it. */
  readonly projectRoot: string;
  /** Environment besides what this construct sets itself. @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Retention of the function's log group. @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
  /** What happens to the log group when it leaves the stack. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** CloudWatch namespace of Powertools metrics. @default 'Outboard' */
  readonly metricsNamespace?: string;
}

/** What every Outboard function is, whichever way it ships. */
export interface OutboardFunctionParts {
  readonly spec: FunctionSpec;
  readonly functionLogGroup: LogGroup;
  readonly executionRole: Role;
}

/** An Outboard function: a Lambda function (zip or container image) with its spec, log group and role. */
export type OutboardFunction = LambdaFunction & OutboardFunctionParts;

/**
 * The log group and role are created as siblings (`<id>LogGroup`, `<id>Role`) because they must exist before
 * the function: the role carries only inline, resource-scoped statements (no AWSLambdaBasicExecutionRole
 * managed policy).
 */
function commonProps(scope: Construct, id: string, props: OutboardFunctionProps) {
  const { spec } = props;
  const logGroup = new LogGroup(scope, `${id}LogGroup`, {
    retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
    removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
  });
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of the ${spec.name} function`,
  });
  return {
    logGroup,
    role,
    props: {
      description: spec.description,
      architecture: Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      reservedConcurrentExecutions: spec.concurrency,
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: spec.name,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace ?? 'Outboard',
        NODE_OPTIONS: '--enable-source-maps',
      },
    },
  };
}

/** What both shapes do once the function exists: let it write its logs, acknowledge X-Ray's Resource "*". */
function finish(role: Role, logGroup: LogGroup): void {
  logGroup.grantWrite(role);
  // Applies to the role's DefaultPolicy (a child); the declared access is a separate policy.
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
      'permissions, so the statement Lambda adds for X-Ray must use Resource "*".',
  });
}

/** A `NodejsFunction` (zip) whose shape is fixed and whose sizing comes from the topology. */
export class OutboardZipFunction extends NodejsFunction implements OutboardFunctionParts {
  readonly spec: FunctionSpec;
  readonly functionLogGroup: LogGroup;
  readonly executionRole: Role;

  constructor(scope: Construct, id: string, props: OutboardFunctionProps) {
    const common = commonProps(scope, id, props);
    super(scope, id, {
      ...common.props,
      entry: path.join(props.projectRoot, props.spec.entry),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        // Class and function names survive minification (error names, logs, stack traces).
        keepNames: true,
        sourceMap: true,
        sourcesContent: false,
        // Ship the SDK versions the lock file pins (and the tests ran against), not the runtime's copy.
        bundleAwsSDK: true,
      },
    });
    this.spec = props.spec;
    this.functionLogGroup = common.logGroup;
    this.executionRole = common.role;
    finish(common.role, common.logGroup);
  }
}

/**
 * A `DockerImageFunction` built from `functions/<name>/Dockerfile` around the handler's bundle (see
 * container-image.ts); same shape and sizing as the zip functions. Its runtime is the image's (the Dockerfile
 * names a Node.js 24 Lambda base image) and its handler the image command, `index.handler`.
 */
export class OutboardContainerFunction extends DockerImageFunction implements OutboardFunctionParts {
  readonly spec: FunctionSpec;
  readonly functionLogGroup: LogGroup;
  readonly executionRole: Role;

  constructor(scope: Construct, id: string, props: OutboardFunctionProps) {
    const common = commonProps(scope, id, props);
    super(scope, id, {
      ...common.props,
      code: containerImageCode(scope, `${id}Image`, { spec: props.spec, projectRoot: props.projectRoot }),
    });
    this.spec = props.spec;
    this.functionLogGroup = common.logGroup;
    this.executionRole = common.role;
    finish(common.role, common.logGroup);
  }
}

/** The function as its spec's `packaging` says: a zip (`OutboardZipFunction`) or an image. */
export function createOutboardFunction(
  scope: Construct,
  id: string,
  props: OutboardFunctionProps,
): OutboardFunction {
  return props.spec.packaging === 'container'
    ? new OutboardContainerFunction(scope, id, props)
    : new OutboardZipFunction(scope, id, props);
}
