/**
 * The one Lambda function shape of Outboard: Node.js 24 on arm64, ESM bundle built locally by esbuild, X-Ray
 * tracing, JSON logs to an explicit log group with a retention, and sizing taken from the topology.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { FunctionSpec } from '../../shared/topology.ts';

/** Gives ESM bundles a `require` for the CommonJS dependencies esbuild leaves as `require` calls. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

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

/**
 * A `NodejsFunction` whose shape is fixed and whose sizing comes from the topology. Its log group and role are
 * created as siblings (`<id>LogGroup`, `<id>Role`) because they must exist before the function: the role carries
 * only inline, resource-scoped statements (no AWSLambdaBasicExecutionRole managed policy).
 */
export class OutboardFunction extends NodejsFunction {
  readonly spec: FunctionSpec;
  readonly functionLogGroup: LogGroup;
  readonly executionRole: Role;

  constructor(scope: Construct, id: string, props: OutboardFunctionProps) {
    const { spec } = props;
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${spec.name} function`,
    });
    super(scope, id, {
      description: spec.description,
      entry: path.join(props.projectRoot, spec.entry),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
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
    this.spec = spec;
    this.functionLogGroup = logGroup;
    this.executionRole = role;
    logGroup.grantWrite(role);

    // Applies to the role's DefaultPolicy (a child); the declared access is a separate policy.
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
        'permissions, so the statement Lambda adds for X-Ray must use Resource "*".',
    });
  }
}
