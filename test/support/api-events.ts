/** Builds API Gateway HTTP API (payload v2) events as API Gateway would send them. */
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';

export function httpEvent(
  routeKey: string,
  options: {
    path?: string;
    pathParameters?: Record<string, string>;
    query?: Record<string, string>;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    claims?: Record<string, string>;
  } = {},
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const [method, template] = routeKey.split(' ') as [string, string];
  const path =
    options.path ??
    template.replace(/\{(\w+)\}/g, (_m, name: string) =>
      encodeURIComponent(options.pathParameters?.[name] ?? name),
    );
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: { host: 'api.test', 'content-type': 'application/json', ...(options.headers ?? {}) },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'test',
      domainName: 'api.test',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: options.claims ?? {}, scopes: [] },
      },
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}
