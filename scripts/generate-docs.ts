/** Writes the generated documents: docs/events.md, docs/events/*.json and docs/openapi.json. `--check` only compares. */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventCatalogueMarkdown, eventSchemaFiles } from '../shared/docs/event-catalogue.ts';
import { openApiDocument } from '../shared/http/openapi.ts';

const root = new URL('../', import.meta.url).pathname;

export function generatedDocs(): Map<string, string> {
  const out = new Map<string, string>();
  out.set('docs/events.md', eventCatalogueMarkdown());
  for (const [name, text] of eventSchemaFiles()) out.set(`docs/events/${name}`, text);
  out.set('docs/openapi.json', `${JSON.stringify(openApiDocument({ estate: 'internal' }), null, 2)}\n`);
  return out;
}

if (import.meta.main) {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  const docs = generatedDocs();
  for (const [path, text] of docs) {
    const full = join(root, path);
    const current = existsSync(full) ? readFileSync(full, 'utf8') : undefined;
    if (current === text) continue;
    if (check) stale.push(path);
    else {
      mkdirSync(join(full, '..'), { recursive: true });
      writeFileSync(full, text);
      process.stdout.write(`wrote ${path}\n`);
    }
  }
  const eventsDir = join(root, 'docs/events');
  if (existsSync(eventsDir)) {
    for (const name of readdirSync(eventsDir)) {
      if (!docs.has(`docs/events/${name}`))
        stale.push(`docs/events/${name} (no longer generated: delete it)`);
    }
  }
  if (stale.length) {
    process.stderr.write(`generated docs are out of date: ${stale.join(', ')}; run npm run docs\n`);
    process.exitCode = 1;
  }
}
