import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { z } from 'zod';
import {
  API_ROUTES,
  AvScanRequestBody,
  BackupRequestBody,
  EventsQuery,
  FindingsQuery,
  PageQuery,
  PatchScanRequestBody,
  RestorePointsQuery,
  type RouteContract,
  routeKey,
} from '../../shared/contracts/api.ts';
import { RegisterGuestRequest } from '../../shared/contracts/guest.ts';
import { PolicySchemas, Service } from '../../shared/contracts/service.ts';
import { WatchedBucketBody } from '../../shared/contracts/watched-buckets.ts';
import type { Deps } from '../../shared/deps.ts';
import { listDetections } from '../../shared/domain/antivirus/detections.ts';
import { requestAvScan } from '../../shared/domain/antivirus/request.ts';
import { listRestorePoints } from '../../shared/domain/antivirus/restore-points.ts';
import {
  deleteWatchedBucket,
  listObjectDetections,
  listWatchedBuckets,
  putWatchedBucket,
} from '../../shared/domain/antivirus/watched-buckets.ts';
import { requestBackup } from '../../shared/domain/backup/request.ts';
import {
  deleteGuest,
  disableService,
  enableService,
  getGuest,
  listGuests,
  type RequestScope,
  registerGuest,
} from '../../shared/domain/guests/guests.ts';
import { requestPatchScan } from '../../shared/domain/patching/request.ts';
import { InvalidCursorError, latestFindings, latestInventory } from '../../shared/domain/patching/results.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  OutboardError,
  UnavailableError,
} from '../../shared/errors.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { type ProblemDetails, problemResponse, zodIssues } from '../../shared/http/problem.ts';
import { listAlerts } from '../../shared/monitoring/alert-store.ts';
import { ArchiveQueryError, queryArchive } from '../../shared/monitoring/archive/reader.ts';
import { ConditionFailedError } from '../../shared/ports.ts';

type ApiEvent = APIGatewayProxyEventV2 | APIGatewayProxyEventV2WithJWTAuthorizer;
type Result = APIGatewayProxyStructuredResultV2;

/** Thrown for invalid input; carries the zod issues into the problem document. */
class BadRequestError extends Error {
  override name = 'BadRequestError';
  readonly issues: ProblemDetails['issues'];
  constructor(message: string, issues?: ProblemDetails['issues']) {
    super(message);
    this.issues = issues;
  }
}

const MAX_BODY_BYTES = 1024 * 1024;
const CORRELATION = /^[A-Za-z0-9._:-]{1,128}$/;

interface Request {
  event: ApiEvent;
  scope: RequestScope;
  params: Record<string, string>;
}

type RouteHandler = (req: Request) => Promise<Result>;

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): Result {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new BadRequestError(`invalid ${where}`, zodIssues(result.error, [where]));
  return result.data;
}

function readBody(event: ApiEvent): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES)
    throw new BadRequestError(`body larger than ${MAX_BODY_BYTES} bytes`);
  const type = event.headers?.['content-type'] ?? event.headers?.['Content-Type'] ?? 'application/json';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new BadRequestError(`content-type must be application/json, not "${type}"`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadRequestError(`body is not valid JSON: ${(error as Error).message}`);
  }
}

function tenantOf(event: ApiEvent, deps: Deps): string {
  if (deps.tenancy.estate === 'internal') return deps.tenancy.internalTenantId;
  const claims = (event as APIGatewayProxyEventV2WithJWTAuthorizer).requestContext.authorizer?.jwt?.claims;
  const tenant = claims?.[deps.tenancy.tenantClaim];
  if (typeof tenant !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(tenant)) {
    throw new ForbiddenError('NO_TENANT', `the token carries no valid "${deps.tenancy.tenantClaim}" claim`);
  }
  return tenant;
}

function routes(deps: Deps): Record<string, RouteHandler> {
  const page = (event: ApiEvent) => parse(PageQuery, event.queryStringParameters ?? {}, 'query');
  const guestId = (req: Request) => req.params.guestId!;
  const events = async (req: Request, owner: { tenantId: string | null; guestId: string | null }) => {
    const query = parse(EventsQuery, req.event.queryStringParameters ?? {}, 'query');
    const to = query.to ? Date.parse(query.to) : deps.clock.now().getTime() + 1;
    const from = query.from ? Date.parse(query.from) : to - 86_400_000;
    try {
      return await queryArchive(deps.archive, owner, {
        from,
        to,
        limit: query.limit,
        ...(query.q ? { q: query.q } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
    } catch (error) {
      if (error instanceof ArchiveQueryError)
        throw new BadRequestError(error.message, [
          { code: 'custom', path: ['query'], message: error.message },
        ]);
      throw error;
    }
  };
  const service = (req: Request) => parse(Service, req.params.service, 'path.service');
  return {
    'GET /v1/health': async () =>
      json(200, { status: 'ok', estate: deps.tenancy.estate, time: deps.clock.now().toISOString() }),
    'GET /v1/openapi.json': async (req) =>
      json(200, openApiDocument({ estate: deps.tenancy.estate, serverUrl: serverUrl(req.event) })),
    'GET /v1/guests': async (req) => json(200, await listGuests(deps, req.scope.tenantId, page(req.event))),
    'POST /v1/guests': async (req) => {
      const body = parse(RegisterGuestRequest, readBody(req.event), 'body');
      const guest = await registerGuest(deps, req.scope, body);
      return json(201, guest, { location: `/v1/guests/${guest.id}` });
    },
    'GET /v1/guests/{guestId}': async (req) =>
      json(200, await getGuest(deps, req.scope.tenantId, guestId(req))),
    'DELETE /v1/guests/{guestId}': async (req) => {
      await deleteGuest(deps, req.scope, guestId(req));
      return { statusCode: 204 };
    },
    'GET /v1/guests/{guestId}/services': async (req) => {
      await getGuest(deps, req.scope.tenantId, guestId(req));
      return json(200, { items: await deps.registry.listSubscriptions(req.scope.tenantId, guestId(req)) });
    },
    'GET /v1/guests/{guestId}/services/{service}': async (req) => {
      await getGuest(deps, req.scope.tenantId, guestId(req));
      const s = service(req);
      const subscription = await deps.registry.getSubscription(req.scope.tenantId, guestId(req), s);
      if (!subscription)
        throw new NotFoundError('SERVICE_NOT_ENABLED', `${s} is not enabled for guest ${guestId(req)}`);
      return json(200, subscription);
    },
    'PUT /v1/guests/{guestId}/services/{service}': async (req) => {
      const s = service(req);
      const policy = parse(PolicySchemas[s], readBody(req.event) ?? {}, 'body');
      const { subscription, created } = await enableService(deps, req.scope, guestId(req), s, policy);
      return json(created ? 201 : 200, subscription);
    },
    'DELETE /v1/guests/{guestId}/services/{service}': async (req) => {
      await disableService(deps, req.scope, guestId(req), service(req));
      return { statusCode: 204 };
    },
    'POST /v1/guests/{guestId}/backups': async (req) => {
      parse(BackupRequestBody, readBody(req.event) ?? {}, 'body');
      const job = await requestBackup(deps, req.scope, guestId(req));
      return json(202, { jobId: job.id, status: job.status }, { location: `/v1/jobs/${job.id}` });
    },
    'GET /v1/guests/{guestId}/restore-points': async (req) => {
      await getGuest(deps, req.scope.tenantId, guestId(req));
      const query = parse(RestorePointsQuery, req.event.queryStringParameters ?? {}, 'query');
      return json(
        200,
        await listRestorePoints(deps, req.scope.tenantId, guestId(req), {
          limit: query.limit,
          ...(query.cursor ? { cursor: query.cursor } : {}),
          includeInfected: query.includeInfected === true,
        }),
      );
    },
    'POST /v1/guests/{guestId}/patch-scans': async (req) => {
      parse(PatchScanRequestBody, readBody(req.event) ?? {}, 'body');
      const job = await requestPatchScan(deps, req.scope, guestId(req));
      return json(202, { jobId: job.id, status: job.status }, { location: `/v1/jobs/${job.id}` });
    },
    'GET /v1/guests/{guestId}/inventory': async (req) =>
      json(200, await latestInventory(deps, req.scope.tenantId, guestId(req), page(req.event))),
    'GET /v1/guests/{guestId}/findings': async (req) => {
      const query = parse(FindingsQuery, req.event.queryStringParameters ?? {}, 'query');
      return json(
        200,
        await latestFindings(deps, req.scope.tenantId, guestId(req), {
          limit: query.limit,
          ...(query.cursor ? { cursor: query.cursor } : {}),
          ...(query.severity ? { severity: query.severity } : {}),
        }),
      );
    },
    'GET /v1/guests/{guestId}/events': async (req) => {
      await getGuest(deps, req.scope.tenantId, guestId(req));
      return json(200, await events(req, { tenantId: req.scope.tenantId, guestId: guestId(req) }));
    },
    'GET /v1/events/unattributed': async (req) =>
      json(200, await events(req, { tenantId: null, guestId: null })),
    'GET /v1/guests/{guestId}/alerts': async (req) => {
      await getGuest(deps, req.scope.tenantId, guestId(req));
      return json(200, await listAlerts(deps.objects, req.scope.tenantId, guestId(req), page(req.event)));
    },
    'POST /v1/guests/{guestId}/av-scans': async (req) => {
      parse(AvScanRequestBody, readBody(req.event) ?? {}, 'body');
      const job = await requestAvScan(deps, req.scope, guestId(req));
      return json(202, { jobId: job.id, status: job.status }, { location: `/v1/jobs/${job.id}` });
    },
    'GET /v1/guests/{guestId}/detections': async (req) => {
      await getGuest(deps, req.scope.tenantId, guestId(req));
      return json(200, await listDetections(deps.objects, req.scope.tenantId, guestId(req), page(req.event)));
    },
    'GET /v1/watched-buckets': async (req) => json(200, await listWatchedBuckets(deps, req.scope.tenantId)),
    'PUT /v1/watched-buckets/{bucket}': async (req) => {
      const body = parse(WatchedBucketBody, readBody(req.event) ?? {}, 'body');
      const bucket = req.params.bucket!;
      const { watched, created } = await putWatchedBucket(deps, req.scope.tenantId, bucket, body);
      return json(created ? 201 : 200, watched, created ? { location: `/v1/watched-buckets/${bucket}` } : {});
    },
    'DELETE /v1/watched-buckets/{bucket}': async (req) => {
      await deleteWatchedBucket(deps, req.scope.tenantId, req.params.bucket!);
      return { statusCode: 204 };
    },
    'GET /v1/watched-buckets/{bucket}/detections': async (req) =>
      json(200, await listObjectDetections(deps, req.scope.tenantId, req.params.bucket!, page(req.event))),
    'GET /v1/jobs/{jobId}': async (req) => {
      const job = await deps.registry.getJob(req.scope.tenantId, req.params.jobId!);
      if (!job) throw new NotFoundError('JOB_NOT_FOUND', `job ${req.params.jobId} does not exist`);
      return json(200, job);
    },
  };
}

function serverUrl(event: ApiEvent): string | undefined {
  const host = event.headers?.host;
  if (!host) return undefined;
  const proto = event.headers?.['x-forwarded-proto'] ?? 'https';
  return `${proto}://${host}`;
}

function toProblem(error: unknown, instance: string): ProblemDetails | undefined {
  const base = (status: number, title: string, e: Error & { code?: string }): ProblemDetails => ({
    type: `https://outboard.dev/problems/${(e.code ?? title).toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    title,
    status,
    detail: e.message,
    ...(e.code ? { code: e.code } : {}),
    instance,
  });
  if (error instanceof BadRequestError)
    return { ...base(400, 'Bad Request', error), issues: error.issues ?? [] };
  if (error instanceof InvalidCursorError)
    return {
      ...base(400, 'Bad Request', error),
      issues: [{ code: 'custom', path: ['query', 'cursor'], message: error.message }],
    };
  if (error instanceof NotFoundError) return base(404, 'Not Found', error);
  if (error instanceof ConflictError) return base(409, 'Conflict', error);
  if (error instanceof ConditionFailedError) return base(409, 'Conflict', error);
  if (error instanceof ForbiddenError) return base(403, 'Forbidden', error);
  if (error instanceof UnavailableError) return base(503, 'Service Unavailable', error);
  if (error instanceof OutboardError) return base(500, 'Internal Server Error', error);
  return undefined;
}

/**
 * Validates the routing and the route contracts once, so a route added to the topology without a
 * handler fails at start, not on first use.
 */
export function createHandler(deps: Deps) {
  const table = routes(deps);
  const contracts = new Map<string, RouteContract>(API_ROUTES.map((r) => [routeKey(r), r]));
  for (const [key, contract] of contracts) {
    if (!table[key] && !contract.queued) throw new Error(`api: route ${key} has a contract but no handler`);
  }
  const core = async (event: ApiEvent): Promise<Result> => {
    const headerCorrelation = event.headers?.['x-correlation-id'];
    const correlationId =
      headerCorrelation && CORRELATION.test(headerCorrelation)
        ? headerCorrelation
        : event.requestContext.requestId;
    const respond = (result: Result): Result => ({
      ...result,
      headers: { ...(result.headers ?? {}), 'x-correlation-id': correlationId },
    });
    deps.logger.appendKeys({ correlationId });
    try {
      const handler = table[event.routeKey];
      const contract = contracts.get(event.routeKey);
      if (!handler || !contract) {
        return respond(
          problemResponse({
            type: 'about:blank',
            title: 'Not Found',
            status: 404,
            detail: `no route ${event.routeKey}`,
          }),
        );
      }
      const params = contract.params ? parse(contract.params, event.pathParameters ?? {}, 'path') : {};
      const tenantId = contract.public ? deps.tenancy.internalTenantId : tenantOf(event, deps);
      return respond(
        await handler({
          event,
          params: params as Record<string, string>,
          scope: { tenantId, correlationId },
        }),
      );
    } catch (error) {
      const problem = toProblem(error, event.rawPath);
      if (problem) {
        if (problem.status >= 500)
          deps.logger.error('request failed', { routeKey: event.routeKey, error: String(error) });
        return respond(problemResponse(problem));
      }
      deps.logger.error('unexpected error', {
        error:
          error instanceof Error
            ? { name: error.name, message: error.message, stack: error.stack }
            : String(error),
      });
      return respond(
        problemResponse({
          type: 'about:blank',
          title: 'Internal Server Error',
          status: 500,
          detail:
            'an unexpected error occurred; nothing was changed that the error could have left half-done',
          instance: event.rawPath,
        }),
      );
    } finally {
      deps.logger.removeKeys(['correlationId']);
    }
  };
  return middy<ApiEvent, Result, Error, Context>().handler(core);
}
