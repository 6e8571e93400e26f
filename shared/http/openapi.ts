import { z } from 'zod';
import { API_ROUTES, type RouteContract } from '../contracts/api.ts';
import { INGEST_CONTENT_TYPES } from '../contracts/ingest.ts';

type JsonObject = Record<string, unknown>;

function schema(s: z.ZodType, io: 'input' | 'output'): JsonObject {
  const json = z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonObject;
  delete json.$schema;
  return json;
}

function parameters(route: RouteContract): JsonObject[] {
  const out: JsonObject[] = [];
  for (const [where, obj] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!obj) continue;
    for (const [name, s] of Object.entries(obj.shape)) {
      const required = where === 'path' || !(s as z.ZodType).safeParse(undefined).success;
      out.push({ name, in: where, required, schema: schema(s as z.ZodType, 'input') });
    }
  }
  return out;
}

/** The OpenAPI 3.1 document of the portal API, generated from the route contracts. */
export function openApiDocument(options: { estate: string; serverUrl?: string }): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of API_ROUTES) {
    const responses: JsonObject = {};
    for (const [status, body] of Object.entries(route.responses)) {
      const type = Number(status) >= 400 ? 'application/problem+json' : 'application/json';
      responses[status] = body
        ? { description: `HTTP ${status}`, content: { [type]: { schema: schema(body, 'output') } } }
        : { description: `HTTP ${status}` };
    }
    const operation: JsonObject = {
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/[/.-](\w)/g, (_m, c: string) => c.toUpperCase())}`,
      summary: route.summary,
      parameters: parameters(route),
      responses,
    };
    if (route.body) {
      const body = schema(route.body, 'input');
      operation.requestBody = {
        required: true,
        content: route.queued
          ? Object.fromEntries(Object.keys(INGEST_CONTENT_TYPES).map((type) => [type, { schema: body }]))
          : { 'application/json': { schema: body } },
      };
    }
    if (route.public) operation.security = [];
    paths[route.path] = { ...(paths[route.path] ?? {}), [route.method.toLowerCase()]: operation };
  }
  const security =
    options.estate === 'provider'
      ? {
          components: {
            securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
          },
          security: [{ bearer: [] }],
        }
      : {};
  return {
    openapi: '3.1.0',
    info: {
      title: 'Outboard portal API',
      version: '1.0.0',
      description: 'Agentless patching, monitoring, backup and anti-virus for virtual machines.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    paths,
    ...security,
  };
}
