/**
 * Receipt routes (`sendToQueue`): the SQS message attributes API Gateway fills in, and the estates whose tenant
 * claim an HTTP API mapping cannot name. No bundling: a refused claim fails before any function is built.
 */
import { describe, expect, it } from 'vitest';
import { buildApp, InvalidContextError } from '../../infra/app.ts';
import { receiptMessageAttributes } from '../../infra/constructs/portal-api.ts';
import { INGEST_ATTRIBUTES } from '../../shared/contracts/ingest.ts';
import type { HttpRoute } from '../../shared/topology.ts';
import { PROVIDER_CONTEXT } from './support.ts';

/** An API Gateway substitution, `${expression}`, as a String message attribute. */
const mapped = (expression: string) => ({ DataType: 'String', StringValue: `\${${expression}}` });

const route: HttpRoute = { method: 'POST', path: '/v1/ingest', sendToQueue: 'ingest-records' };
const provider = (tenantClaim: string) =>
  ({
    estate: 'provider',
    jwtIssuer: 'https://login.example.com/',
    jwtAudience: ['portal'],
    tenantClaim,
  }) as const;

describe('receipt message attributes', () => {
  it('internal: content type, sender address and request id, all from API Gateway', () => {
    expect(receiptMessageAttributes({ estate: 'internal', tenantId: 'internal' }, route)).toEqual({
      [INGEST_ATTRIBUTES.contentType]: mapped('request.header.content-type'),
      [INGEST_ATTRIBUTES.sourceIp]: mapped('context.identity.sourceIp'),
      [INGEST_ATTRIBUTES.requestId]: mapped('context.requestId'),
    });
  });

  it('provider: the tenant from the verified claim, last', () => {
    const attributes = receiptMessageAttributes(provider('tenant_id'), route);
    expect(attributes[INGEST_ATTRIBUTES.tenantId]).toEqual(mapped('context.authorizer.claims.tenant_id'));
    expect(Object.keys(attributes).at(-1)).toBe(INGEST_ATTRIBUTES.tenantId);
  });

  it.each(['custom:tenant', 'https://outboard.example/tenant', 'org.tenant', 'tenant-id'])(
    'provider: refuses the claim %s, which API Gateway cannot map, naming the context key and a fix',
    (claim) => {
      const refuse = () => receiptMessageAttributes(provider(claim), route);
      expect(refuse).toThrow(InvalidContextError);
      expect(refuse).toThrow(
        /tenantClaim ".+" cannot be passed on by POST \/v1\/ingest.*-c tenantClaim=tenant_id/,
      );
    },
  );

  it('the app refuses such an estate before it builds anything', () => {
    expect(() => buildApp({ ...PROVIDER_CONTEXT, tenantClaim: 'custom:tenant' })).toThrow(
      /tenantClaim "custom:tenant" cannot be passed on by POST \/v1\/ingest/,
    );
  });
});
