import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeProcess } from '../../support/runtime-process.ts';
import { startRuntimeProcess } from '../../support/runtime-process.ts';

const ISSUER = 'https://id.example.test/';
const AUDIENCE = 'outboard';

describe('a provider estate on the local runtime', () => {
  let runtime: RuntimeProcess;
  let sign: (
    claims: Record<string, unknown>,
    options?: { issuer?: string; audience?: string },
  ) => Promise<string>;
  let foreignToken: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ob-provider-'));
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [jwk] }));
    sign = (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(options.issuer ?? ISSUER)
        .setAudience(options.audience ?? AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
    const other = await generateKeyPair('ES256');
    foreignToken = await new SignJWT({ tenant_id: 'acme' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(other.privateKey);
    runtime = await startRuntimeProcess({
      OUTBOARD_HOME: join(dir, 'home'),
      OUTBOARD_ESTATE: 'provider',
      OUTBOARD_JWT_ISSUER: ISSUER,
      OUTBOARD_JWT_AUDIENCE: AUDIENCE,
      OUTBOARD_JWT_JWKS_FILE: join(dir, 'jwks.json'),
    });
  });

  afterAll(async () => {
    await runtime.stop();
  });

  const call = async (token: string | undefined, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${runtime.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  it('refuses requests without a valid bearer token, as API Gateway does', async () => {
    expect((await call(undefined, 'GET', '/v1/guests')).status).toBe(401);
    expect((await call('not-a-jwt', 'GET', '/v1/guests')).status).toBe(401);
    expect((await call(foreignToken, 'GET', '/v1/guests')).status).toBe(401);
    expect(
      (await call(await sign({ tenant_id: 'acme' }, { audience: 'other' }), 'GET', '/v1/guests')).status,
    ).toBe(401);
    expect(
      (await call(await sign({ tenant_id: 'acme' }, { issuer: 'https://evil/' }), 'GET', '/v1/guests'))
        .status,
    ).toBe(401);
    expect((await call(undefined, 'GET', '/v1/health')).status).toBe(200);
  });

  it('scopes every read and write to the tenant named by the verified token', async () => {
    const acme = await sign({ sub: 'u1', tenant_id: 'acme' });
    const globex = await sign({ sub: 'u2', tenant_id: 'globex' });
    const created = await call(acme, 'POST', '/v1/guests', {
      name: 'a',
      connector: 'local',
      disks: ['/images/a.img'],
    });
    expect(created.status).toBe(201);
    expect(created.body.tenantId).toBe('acme');
    expect((await call(globex, 'GET', `/v1/guests/${created.body.id}`)).status).toBe(404);
    expect((await call(globex, 'DELETE', `/v1/guests/${created.body.id}`)).status).toBe(404);
    expect((await call(globex, 'GET', '/v1/guests')).body.items).toEqual([]);
    expect((await call(acme, 'GET', '/v1/guests')).body.items).toHaveLength(1);
    const noTenant = await sign({ sub: 'u3' });
    expect((await call(noTenant, 'GET', '/v1/guests')).status).toBe(403);
  });
});
