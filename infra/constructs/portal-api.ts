/**
 * The portal API: an API Gateway HTTP API with one route per topology route, each integrated (payload format
 * 2.0) with the function whose trigger declares it.
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
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { HttpRoute } from '../../shared/topology.ts';
import type { EstateConfig } from '../config.ts';
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

export interface PortalApiProps {
  /** Every route with the function serving it (and that function's topology name). */
  readonly routes: readonly {
    readonly route: HttpRoute;
    readonly handler: IFunction;
    readonly handlerName: string;
  }[];
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
    for (const { route, handler, handlerName } of props.routes) {
      let integration = integrations.get(handler);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascalCase(handlerName)}Integration`, handler, {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        });
        integrations.set(handler, integration);
      }
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
