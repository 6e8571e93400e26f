/** CDK context validation: bad context fails before anything is built, with a message naming the fix. */
import { describe, expect, it } from 'vitest';
import {
  buildApp,
  estateConfigFromContext,
  feedUrlsFromContext,
  InvalidContextError,
} from '../../infra/app.ts';
import { DEFAULT_INTERNAL_TENANT_ID, DEFAULT_TENANT_CLAIM } from '../../infra/config.ts';

const read = (context: Record<string, unknown>) => (key: string) => context[key];
const parse = (context: Record<string, unknown>) => estateConfigFromContext(read(context));

describe('estate context', () => {
  it('internal: tenant defaults to "internal", or is taken from tenantId', () => {
    expect(parse({ estate: 'internal' })).toEqual({
      estate: 'internal',
      tenantId: DEFAULT_INTERNAL_TENANT_ID,
    });
    expect(parse({ estate: 'internal', tenantId: 'acme-corp' })).toEqual({
      estate: 'internal',
      tenantId: 'acme-corp',
    });
  });

  it('internal: rejects a tenant id that is not one', () => {
    expect(() => parse({ estate: 'internal', tenantId: 'Acme Corp' })).toThrow(
      /tenantId "Acme Corp" is not a tenant id/,
    );
  });

  it('provider: issuer, audiences (list, JSON string or comma-separated) and claim (default tenant_id)', () => {
    const expected = {
      estate: 'provider',
      jwtIssuer: 'https://login.example.com/',
      jwtAudience: ['portal', 'cli'],
      tenantClaim: DEFAULT_TENANT_CLAIM,
    };
    for (const jwtAudience of [['portal', 'cli'], 'portal, cli', '["portal","cli"]']) {
      expect(parse({ estate: 'provider', jwtIssuer: 'https://login.example.com/', jwtAudience })).toEqual(
        expected,
      );
    }
    expect(
      parse({
        estate: 'provider',
        jwtIssuer: 'https://login.example.com/',
        jwtAudience: 'a',
        tenantClaim: 'custom:org',
      }),
    ).toMatchObject({ tenantClaim: 'custom:org' });
  });

  it.each([
    [{}, /estate must be one of internal, provider \(got nothing\)/],
    [{ estate: 'foo' }, /estate must be one of internal, provider \(got "foo"\)/],
    [{ estate: 'provider', jwtAudience: 'portal' }, /estate provider requires jwtIssuer/],
    [
      { estate: 'provider', jwtIssuer: 'http://login.example.com/', jwtAudience: 'portal' },
      /jwtIssuer must be an https URL/,
    ],
    [{ estate: 'provider', jwtIssuer: 'not a url', jwtAudience: 'portal' }, /jwtIssuer must be an https URL/],
    [{ estate: 'provider', jwtIssuer: 'https://login.example.com/' }, /estate provider requires jwtAudience/],
    [
      { estate: 'provider', jwtIssuer: 'https://login.example.com/', jwtAudience: [1] },
      /jwtAudience must be a list of strings/,
    ],
    [
      {
        estate: 'provider',
        jwtIssuer: 'https://login.example.com/',
        jwtAudience: 'a',
        tenantClaim: 'has space',
      },
      /tenantClaim must be a JWT claim name/,
    ],
  ])('rejects %j', (context, message) => {
    expect(() => parse(context)).toThrow(InvalidContextError);
    expect(() => parse(context)).toThrow(message);
  });

  it('buildApp fails on bad context before building anything', () => {
    expect(() => buildApp({ estate: 'foo' })).toThrow(/^Invalid CDK context: estate must be one of/);
    expect(() => buildApp({ estate: 'provider', jwtAudience: 'portal' })).toThrow(
      /Invalid CDK context: estate provider requires jwtIssuer/,
    );
  });
});

describe('feedUrls context', () => {
  it('is optional, and takes a list or a comma-separated string of http(s) URLs', () => {
    expect(feedUrlsFromContext(read({}))).toEqual([]);
    const urls = ['https://osv.example.com/Debian/all.zip', 'https://deb.example.org/debian/'];
    expect(feedUrlsFromContext(read({ feedUrls: urls }))).toEqual(urls);
    expect(feedUrlsFromContext(read({ feedUrls: urls.join(' , ') }))).toEqual(urls);
  });

  it('rejects what a Lambda function could not fetch, naming the key', () => {
    expect(() => feedUrlsFromContext(read({ feedUrls: '/srv/mirror' }))).toThrow(InvalidContextError);
    expect(() => feedUrlsFromContext(read({ feedUrls: ['ftp://x/y'] }))).toThrow(
      /feedUrls must list http\(s\) URLs/,
    );
  });
});
