/**
 * The portal API: an API Gateway HTTP API with one route per topology route, each integrated (payload format
 * 2.0) with the function whose trigger declares it, except receipt routes (`sendToQueue`): those are AWS service
 * integrations (`SQS-SendMessage`) that put the request body on the work queue, with no function in the path.
 *
 * A receipt route's message (shared/contracts/ingest.ts, INGEST_ATTRIBUTES):
 * - body: the request body, as received (`$request.body`);
 * - attributes: `content-type` (the request's Content-Type header), `source-ip` (`$context.identity.sourceIp`),
 *   `request-id` (`$context.requestId`) and, in a provider estate, `tenant-id` from the verified JWT claim
 *   (`$context.authorizer.claims.<tenantClaim>`).
 * The caller gets 202 once SQS has accepted the message (the integration's 200 is overwritten), with SQS's
 * SendMessage response as the body. API Gateway assumes a role of the route's own that may send to that one
 * queue and nothing else.
 *
 * Authorization per estate:
 * - internal: IAM (SigV4) on every route, health and OpenAPI included; callers are principals of the account.
 * - provider: JWT (issuer and audiences from the context) on every route except `publicRoutes`, by default
 *   `GET /v1/health` (for uptime probes that hold no token) and `GET /v1/openapi.json` (the published API
 *   description, for client generation). Neither returns tenant data.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnIntegration,
  HttpApi,
  HttpConnectionType,
  HttpIntegrationSubtype,
  HttpIntegrationType,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRouteIntegration,
  type HttpRouteIntegrationBindOptions,
  type HttpRouteIntegrationConfig,
  HttpStage,
  type IHttpRouteAuthorizer,
  IntegrationCredentials,
  LogGroupLogDestination,
  MappingValue,
  ParameterMapping,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INGEST_ATTRIBUTES } from '../../shared/contracts/ingest.ts';
import type { HttpRoute } from '../../shared/topology.ts';
import { CONTEXT_KEYS, type EstateConfig, InvalidContextError } from '../config.ts';
import { pascalCase } from './naming.ts';

/** Routes reachable without a token in a provider estate. */
export const DEFAULT_PUBLIC_ROUTES = ['GET /v1/health', 'GET /v1/openapi.json'] as const;

/** The fields of each access log line (JSON). */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
  authorizerError: '$context.authorizer.error',
  iamCaller: '$context.identity.userArn',
  jwtSubject: '$context.authorizer.claims.sub',
} as const;

export const routeKey = (route: HttpRoute) => `${route.method} ${route.path}`;

/** Status a receipt route answers with once SQS has accepted the message. */
export const RECEIPT_STATUS = 202;

/**
 * Claim names an HTTP API mapping expression can name (`$context.authorizer.claims.<name>`): API Gateway refuses
 * other characters, such as the `:` of Cognito's `custom:` attributes or a namespaced URL claim.
 */
const MAPPABLE_CLAIM = /^[A-Za-z0-9_]+$/;

/**
 * The message attributes of a receipt route: SQS SendMessage's `MessageAttributes` (name → String value), with
 * API Gateway's `${…}` substitutions. The tenant comes last: were a header value to smuggle a second `tenant-id`
 * into this JSON, the verified one follows it.
 */
export function receiptMessageAttributes(
  estate: EstateConfig,
  route: HttpRoute,
): Record<string, { DataType: 'String'; StringValue: string }> {
  const value = (expression: string) => ({ DataType: 'String' as const, StringValue: `\${${expression}}` });
  const attributes = {
    [INGEST_ATTRIBUTES.contentType]: value('request.header.content-type'),
    [INGEST_ATTRIBUTES.sourceIp]: value('context.identity.sourceIp'),
    [INGEST_ATTRIBUTES.requestId]: value('context.requestId'),
  };
  if (estate.estate === 'internal') return attributes;
  if (!MAPPABLE_CLAIM.test(estate.tenantClaim)) {
    throw new InvalidContextError(
      `${CONTEXT_KEYS.tenantClaim} "${estate.tenantClaim}" cannot be passed on by ${routeKey(route)}, which ` +
        `sends to the ${route.sendToQueue} queue without a function: API Gateway maps only claims named with ` +
        `letters, digits and underscores. Issue the tenant in such a claim (e.g. -c ${CONTEXT_KEYS.tenantClaim}=tenant_id)`,
    );
  }
  return {
    ...attributes,
    [INGEST_ATTRIBUTES.tenantId]: value(`context.authorizer.claims.${estate.tenantClaim}`),
  };
}

export interface QueueReceiptIntegrationProps {
  /** The work queue the request body is sent to. */
  readonly queue: IQueue;
  /** The role API Gateway assumes to send; it should allow sqs:SendMessage on `queue` and nothing else. */
  readonly role: Role;
  /** SendMessage's `MessageAttributes` (see `receiptMessageAttributes`). */
  readonly messageAttributes: Record<string, { DataType: 'String'; StringValue: string }>;
}

/**
 * An `SQS-SendMessage` integration: the body becomes the message, the attributes say where it came from, and a
 * 200 from SQS is answered with 202. (The L2 `HttpSqsIntegration` neither takes a role nor sets response
 * parameters.)
 */
export class QueueReceiptIntegration extends HttpRouteIntegration {
  private readonly constructId: string;
  private readonly props: QueueReceiptIntegrationProps;

  constructor(id: string, props: QueueReceiptIntegrationProps) {
    super(id);
    this.constructId = id;
    this.props = props;
  }

  bind(_options: HttpRouteIntegrationBindOptions): HttpRouteIntegrationConfig {
    return {
      type: HttpIntegrationType.AWS_PROXY,
      subtype: HttpIntegrationSubtype.SQS_SEND_MESSAGE,
      payloadFormatVersion: PayloadFormatVersion.VERSION_1_0,
      connectionType: HttpConnectionType.INTERNET,
      credentials: IntegrationCredentials.fromRole(this.props.role),
      parameterMapping: ParameterMapping.fromObject({
        QueueUrl: MappingValue.custom(this.props.queue.queueUrl),
        MessageBody: MappingValue.custom('$request.body'),
        MessageAttributes: MappingValue.custom(JSON.stringify(this.props.messageAttributes)),
      }),
    };
  }

  /** The integration is made under the first route bound to it; its response mapping is set there, once. */
  protected override completeBind(options: HttpRouteIntegrationBindOptions): void {
    const made = options.scope.node.tryFindChild(this.constructId);
    const cfn = made?.node.defaultChild as CfnIntegration | undefined;
    if (!cfn) return;
    // CloudFormation's shape (ResponseParameterMap): status → a list of destination/source pairs.
    cfn.responseParameters = {
      '200': {
        ResponseParameters: [{ Destination: 'overwrite:statuscode', Source: String(RECEIPT_STATUS) }],
      },
    };
  }
}

export interface PortalApiProps {
  /**
   * Every route with the function whose trigger declares it (and that function's topology name). A route with
   * `sendToQueue` is not integrated with that function but with the queue.
   */
  readonly routes: readonly {
    readonly route: HttpRoute;
    readonly handler: IFunction;
    readonly handlerName: string;
  }[];
  /** The work queue of a topology queue name, for receipt routes. @default - none: no receipt routes allowed */
  readonly queue?: (name: string) => IQueue;
  /** Decides the authorizer (see the module comment). */
  readonly estate: EstateConfig;
  /** Route keys (`METHOD /path`) left unauthenticated in a provider estate. @default DEFAULT_PUBLIC_ROUTES */
  readonly publicRoutes?: readonly string[];
  /** Steady-state requests per second of the stage. @default 50 */
  readonly throttleRateLimit?: number;
  /** Burst of the stage. @default 100 */
  readonly throttleBurstLimit?: number;
  /** Retention of the access log group. @default RetentionDays.THREE_MONTHS */
  readonly accessLogRetention?: RetentionDays;
}

export class PortalApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  /** The role API Gateway assumes for each receipt route's queue, by queue name. */
  readonly receiptRoles = new Map<string, Role>();
  /** The URL of the `$default` stage. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: PortalApiProps) {
    super(scope, id);
    const publicRoutes = new Set(
      props.estate.estate === 'provider' ? (props.publicRoutes ?? DEFAULT_PUBLIC_ROUTES) : [],
    );
    const known = new Set(props.routes.map(({ route }) => routeKey(route)));
    for (const key of publicRoutes) {
      if (!known.has(key)) throw new Error(`PortalApi: public route "${key}" is not a route of the topology`);
    }

    this.api = new HttpApi(this, 'Api', {
      description: 'Outboard portal API v1',
      createDefaultStage: false,
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRateLimit ?? 50, burstLimit: props.throttleBurstLimit ?? 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    this.url = this.stage.url;

    const authorizer: IHttpRouteAuthorizer =
      props.estate.estate === 'internal'
        ? new HttpIamAuthorizer()
        : new HttpJwtAuthorizer('JwtAuthorizer', props.estate.jwtIssuer, {
            jwtAudience: [...props.estate.jwtAudience],
          });
    const none = new HttpNoneAuthorizer();
    const integrations = new Map<IFunction, HttpLambdaIntegration>();
    const receipts = new Map<string, QueueReceiptIntegration>();
    const lambdaIntegration = (handler: IFunction, handlerName: string) => {
      let integration = integrations.get(handler);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascalCase(handlerName)}Integration`, handler, {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        });
        integrations.set(handler, integration);
      }
      return integration;
    };
    const receiptIntegration = (route: HttpRoute, queueName: string) => {
      let integration = receipts.get(queueName);
      if (!integration) {
        if (!props.queue)
          throw new Error(`PortalApi: ${routeKey(route)} sends to a queue, but no queues were given`);
        const queue = props.queue(queueName);
        const role = new Role(this, `${pascalCase(queueName)}ReceiptRole`, {
          description: `Assumed by API Gateway to send ${routeKey(route)} requests to the ${queueName} queue`,
          assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
        });
        role.addToPrincipalPolicy(
          new PolicyStatement({
            sid: 'SendReceipts',
            actions: ['sqs:SendMessage'],
            resources: [queue.queueArn],
          }),
        );
        this.receiptRoles.set(queueName, role);
        integration = new QueueReceiptIntegration(`${pascalCase(queueName)}ReceiptIntegration`, {
          queue,
          role,
          messageAttributes: receiptMessageAttributes(props.estate, route),
        });
        receipts.set(queueName, integration);
      }
      return integration;
    };
    for (const { route, handler, handlerName } of props.routes) {
      const integration =
        route.sendToQueue === undefined
          ? lambdaIntegration(handler, handlerName)
          : receiptIntegration(route, route.sendToQueue);
      const isPublic = publicRoutes.has(routeKey(route));
      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        authorizer: isPublic ? none : authorizer,
      });
      if (isPublic && created) {
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            `${routeKey(route)} is deliberately public in a provider estate (uptime probes, client ` +
            'generation) and returns no tenant data; every other route requires a JWT.',
        });
      }
    }
  }
}
