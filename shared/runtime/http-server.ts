/**
 * The portal API on a local socket: each request becomes the API Gateway HTTP API (payload v2) event
 * the `api` function gets on AWS, routed and authorized as API Gateway would (IAM-less loopback for
 * `internal`, a verified bearer JWT for `provider`), and the function's result becomes the response.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createLocalJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { API_ROUTES, routeKey } from '../contracts/api.ts';
import { INGEST_ATTRIBUTES, ingestContentType, MAX_INGEST_BODY_BYTES } from '../contracts/ingest.ts';
import type { Logger } from '../deps.ts';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails } from '../http/problem.ts';
import { routeMatcher } from '../http/route-match.ts';
import type { QueueSender } from '../ports.ts';
import type { HttpRoute } from '../topology.ts';
import type { RuntimeConfig } from './config.ts';
import type { FunctionPool } from './function-pool.ts';

/** API Gateway HTTP APIs accept payloads up to 10 MB. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const PUBLIC_ROUTES = new Set(API_ROUTES.filter((r) => r.public).map(routeKey));

export interface HttpServerOptions {
  config: RuntimeConfig;
  routes: HttpRoute[];
  pool: FunctionPool;
  logger: Logger;
  /** Receives the bodies of routes with `sendToQueue` (the queue's durable send). */
  queue?: QueueSender;
}

function sendProblem(res: ServerResponse, problem: ProblemDetails, headers: Record<string, string> = {}) {
  send(res, problem.status, JSON.stringify(problem), { 'content-type': PROBLEM_CONTENT_TYPE, ...headers });
}

class PayloadTooLargeError extends Error {
  override name = 'PayloadTooLargeError';
}

function readRequestBody(req: IncomingMessage, max = MAX_PAYLOAD_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        // Answer now and let the rest of the body drain (destroying the socket would reset the
        // connection before the client reads the 413); the response closes the connection.
        reject(new PayloadTooLargeError(`request body over ${max} bytes`));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

const TEXTUAL = /^(application\/(json|.*\+json|x-www-form-urlencoded|xml)|text\/)/i;

export async function startHttpServer(options: HttpServerOptions): Promise<{ server: Server; url: string }> {
  const { config, pool, logger } = options;
  const match = routeMatcher(options.routes);
  const jwks = config.jwt
    ? createLocalJWKSet(JSON.parse(readFileSync(config.jwt.jwksFile, 'utf8')))
    : undefined;

  async function authorize(req: IncomingMessage): Promise<JWTPayload | undefined> {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m || !jwks || !config.jwt) return undefined;
    try {
      const { payload } = await jwtVerify(m[1]!, jwks, {
        issuer: config.jwt.issuer,
        audience: config.jwt.audience,
      });
      return payload;
    } catch {
      return undefined;
    }
  }

  const server = createServer(async (req, res) => {
    const started = Date.now();
    const requestId = randomUUID();
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = (req.method ?? 'GET').toUpperCase();
      const matched = match(method, url.pathname);
      if (!matched)
        return send(res, 404, JSON.stringify({ message: 'Not Found' }), { 'apigw-requestid': requestId });
      let claims: JWTPayload | undefined;
      if (config.estate === 'provider' && !PUBLIC_ROUTES.has(matched.routeKey)) {
        claims = await authorize(req);
        if (!claims)
          return send(res, 401, JSON.stringify({ message: 'Unauthorized' }), {
            'www-authenticate': 'Bearer',
          });
      }
      const route = options.routes.find((r) => `${r.method} ${r.path}` === matched.routeKey);
      if (route?.sendToQueue !== undefined) {
        return await receiveIntoQueue(req, res, route.sendToQueue, requestId, claims);
      }
      let raw: Buffer;
      try {
        raw = await readRequestBody(req);
      } catch (error) {
        if (error instanceof PayloadTooLargeError) {
          return send(res, 413, JSON.stringify({ message: 'Request Entity Too Large' }), {
            connection: 'close',
          });
        }
        throw error;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined && k !== 'cookie') headers[k] = Array.isArray(v) ? v.join(',') : v;
      }
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
      const textual = raw.length === 0 || TEXTUAL.test(headers['content-type'] ?? '');
      const now = new Date();
      const event: APIGatewayProxyEventV2 & { requestContext: { authorizer?: unknown } } = {
        version: '2.0',
        routeKey: matched.routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        ...(req.headers.cookie ? { cookies: req.headers.cookie.split(/;\s*/) } : {}),
        headers,
        ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
        ...(Object.keys(matched.pathParameters).length ? { pathParameters: matched.pathParameters } : {}),
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          domainName: headers.host ?? 'localhost',
          domainPrefix: (headers.host ?? 'localhost').split('.')[0]!,
          http: {
            method,
            path: url.pathname,
            protocol: `HTTP/${req.httpVersion}`,
            sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId,
          routeKey: matched.routeKey,
          stage: '$default',
          time: now.toISOString(),
          timeEpoch: now.getTime(),
          ...(claims
            ? {
                authorizer: {
                  jwt: {
                    claims: Object.fromEntries(
                      Object.entries(claims).map(([k, v]) => [
                        k,
                        typeof v === 'string' ? v : JSON.stringify(v),
                      ]),
                    ),
                    scopes: typeof claims.scope === 'string' ? claims.scope.split(' ') : [],
                  },
                },
              }
            : {}),
        },
        ...(raw.length ? { body: textual ? raw.toString('utf8') : raw.toString('base64') } : {}),
        isBase64Encoded: !textual,
      };
      headers['x-forwarded-proto'] = 'http';
      const result = await pool.invoke(event);
      if (!result.ok) {
        logger.error('api invocation failed', { requestId, error: result.error, timedOut: result.timedOut });
        return send(
          res,
          result.timedOut ? 503 : 500,
          JSON.stringify({ message: result.timedOut ? 'Service Unavailable' : 'Internal Server Error' }),
          { 'apigw-requestid': requestId },
        );
      }
      const out = (result.value ?? {}) as APIGatewayProxyStructuredResultV2;
      const body =
        out.body === undefined ? '' : out.isBase64Encoded ? Buffer.from(out.body, 'base64') : out.body;
      const outHeaders: Record<string, string | string[]> = { 'apigw-requestid': requestId };
      for (const [k, v] of Object.entries(out.headers ?? {})) outHeaders[k.toLowerCase()] = String(v);
      if (out.cookies?.length) outHeaders['set-cookie'] = out.cookies;
      res.writeHead(out.statusCode ?? 200, outHeaders);
      res.end(body);
      logger.debug('request', {
        requestId,
        routeKey: matched.routeKey,
        status: out.statusCode,
        ms: Date.now() - started,
      });
    } catch (error) {
      logger.error('request handling failed', { requestId, error: String(error) });
      if (!res.headersSent) send(res, 500, JSON.stringify({ message: 'Internal Server Error' }));
      else res.destroy();
    }
  });
  /**
   * `POST /v1/ingest` locally, as API Gateway's SQS integration does it on AWS: the body goes to the
   * queue as it came, with its content type, the sender's address and the tenant as attributes, and the
   * caller gets 202 once the queue has it. Refused before anything is queued: an unknown content type
   * or an empty body (400), a body over what one queue message can carry (413).
   */
  async function receiveIntoQueue(
    req: IncomingMessage,
    res: ServerResponse,
    queueName: string,
    requestId: string,
    claims: JWTPayload | undefined,
  ) {
    const ids = { 'apigw-requestid': requestId };
    const problem = (
      status: number,
      title: string,
      detail: string,
      path: string,
      headers: Record<string, string> = {},
    ) =>
      sendProblem(
        res,
        {
          type: `https://outboard.dev/problems/ingest-${status}`,
          title,
          status,
          detail,
          instance: req.url ?? '/v1/ingest',
          issues: [{ code: 'custom', path: [path], message: detail }],
        },
        { ...ids, ...headers },
      );
    const contentType = ingestContentType(req.headers['content-type']);
    if (!contentType) {
      req.resume();
      return problem(
        400,
        'Bad Request',
        `content-type must be text/plain (syslog lines), application/xml (Windows Event XML) or application/x-ndjson / application/json (JSON events), not "${req.headers['content-type'] ?? ''}"`,
        'headers',
      );
    }
    let raw: Buffer;
    try {
      raw = await readRequestBody(req, MAX_INGEST_BODY_BYTES);
    } catch (error) {
      if (error instanceof PayloadTooLargeError)
        return problem(
          413,
          'Content Too Large',
          `an ingest batch may carry at most ${MAX_INGEST_BODY_BYTES} bytes; split it and send the parts`,
          'body',
          { connection: 'close' },
        );
      throw error;
    }
    if (raw.length === 0 || raw.toString('utf8').trim() === '')
      return problem(400, 'Bad Request', 'the body is empty: nothing to ingest', 'body');
    if (!options.queue) throw new Error(`no queue sender for route to ${queueName}`);
    const tenant = claims?.[config.tenantClaim];
    await options.queue.send(queueName, [
      {
        body: raw.toString('utf8'),
        attributes: {
          [INGEST_ATTRIBUTES.contentType]: contentType,
          [INGEST_ATTRIBUTES.sourceIp]: req.socket.remoteAddress ?? '',
          [INGEST_ATTRIBUTES.requestId]: requestId,
          ...(typeof tenant === 'string' ? { [INGEST_ATTRIBUTES.tenantId]: tenant } : {}),
        },
      },
    ]);
    send(res, 202, JSON.stringify({ status: 'queued', requestId, bytes: raw.length }), ids);
  }

  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.httpPort, config.bind, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${host}:${address.port}` };
}
