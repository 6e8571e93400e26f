import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedDocs } from '../../scripts/generate-docs.ts';
import { DETAIL_TYPES, EventCatalogue, makeEvent } from '../../shared/contracts/events.ts';
import { detailTypeSlug } from '../../shared/docs/event-catalogue.ts';

const root = new URL('../../', import.meta.url).pathname;

describe('generated documents', () => {
  it('are committed and up to date (run npm run docs after changing a contract)', () => {
    for (const [path, text] of generatedDocs()) {
      expect(existsSync(`${root}${path}`), path).toBe(true);
      expect(readFileSync(`${root}${path}`, 'utf8'), path).toBe(text);
    }
  });

  it('has one JSON Schema per detail-type, naming its version', () => {
    const docs = generatedDocs();
    for (const type of DETAIL_TYPES) {
      const file = `docs/events/${detailTypeSlug(type)}.v${EventCatalogue[type].version}.json`;
      const schema = JSON.parse(docs.get(file)!);
      // A detail is one object schema, or a union of them (keyed on a discriminator such as `service`).
      const variants: { properties: Record<string, { const?: unknown }>; required: string[] }[] =
        schema.oneOf ?? schema.anyOf ?? [schema];
      for (const variant of variants) {
        expect(variant.properties.schemaVersion?.const, file).toBe(EventCatalogue[type].version);
        expect(variant.required).toEqual(
          expect.arrayContaining(['tenantId', 'correlationId', 'schemaVersion']),
        );
      }
    }
  });

  it('rejects an event detail that breaks its contract', () => {
    expect(() =>
      makeEvent('Backup Failed', {
        tenantId: 'acme',
        correlationId: 'c',
        guestId: 'not-a-guest',
        jobId: 'job_0000000000aaaaaaaaaaaaaaaa',
        error: { code: 'X', message: 'y' },
        finishedAt: '2026-01-01T00:00:00Z',
      }),
    ).toThrow();
  });
});
