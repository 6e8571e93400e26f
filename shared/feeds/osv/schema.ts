/**
 * OSV schema 1.6.x (https://ossf.github.io/osv-schema/) as zod: the fields a patch scan reads, typed;
 * unknown fields allowed (loose), wrong types rejected.
 */
import { z } from 'zod';

const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an RFC 3339 timestamp');
const event = z
  .looseObject({
    introduced: z.string().min(1).optional(),
    fixed: z.string().min(1).optional(),
    last_affected: z.string().min(1).optional(),
    limit: z.string().min(1).optional(),
  })
  .refine(
    (e) => ['introduced', 'fixed', 'last_affected', 'limit'].filter((k) => k in e).length === 1,
    'an event has exactly one of introduced, fixed, last_affected, limit',
  );

export const osvSeverity = z.looseObject({ type: z.string().min(1), score: z.string().min(1) });

export const osvAffected = z.looseObject({
  package: z
    .looseObject({ ecosystem: z.string().min(1), name: z.string().min(1), purl: z.string().optional() })
    .optional(),
  severity: z.array(osvSeverity).optional(),
  ranges: z
    .array(
      z.looseObject({
        type: z.enum(['ECOSYSTEM', 'SEMVER', 'GIT']),
        repo: z.string().optional(),
        events: z.array(event).min(1),
      }),
    )
    .optional(),
  versions: z.array(z.string()).optional(),
  ecosystem_specific: z.record(z.string(), z.unknown()).optional(),
  database_specific: z.record(z.string(), z.unknown()).optional(),
});

export const osvRecord = z.looseObject({
  schema_version: z.string().optional(),
  id: z.string().min(1),
  modified: timestamp,
  published: timestamp.optional(),
  withdrawn: timestamp.optional(),
  aliases: z.array(z.string()).optional(),
  upstream: z.array(z.string()).optional(),
  related: z.array(z.string()).optional(),
  summary: z.string().optional(),
  details: z.string().optional(),
  severity: z.array(osvSeverity).optional(),
  affected: z.array(osvAffected).optional(),
  references: z.array(z.looseObject({ type: z.string(), url: z.string() })).optional(),
  database_specific: z.record(z.string(), z.unknown()).optional(),
});

export type OsvRecord = z.infer<typeof osvRecord>;
export type OsvAffected = z.infer<typeof osvAffected>;
