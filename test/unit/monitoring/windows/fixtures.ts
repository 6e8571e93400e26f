/** The committed Windows event fixtures (test/fixtures/windows), as text. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const WINDOWS_FIXTURES = join(import.meta.dirname, '../../../fixtures/windows');

export function windowsFixture(name: string): string {
  return readFileSync(join(WINDOWS_FIXTURES, name), 'utf8');
}

/** A minimal valid event with the given System children and body, for cases the fixtures do not cover. */
export function minimalEvent(
  system: string,
  body = '',
  attrs = ` xmlns='http://schemas.microsoft.com/win/2004/08/events/event'`,
) {
  return `<Event${attrs}><System>${system}</System>${body}</Event>`;
}
