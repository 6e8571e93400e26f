/**
 * Errors of the signature loader. Line problems are reported as data (`LoadError`: file, line, reason);
 * this error carries all of them when a database is refused, as clamscan refuses a database with any.
 */
import type { LoadError } from './types.ts';

/** The database could not be loaded as a whole; nothing was loaded. */
export class DatabaseLoadError extends Error {
  override name = 'DatabaseLoadError';
  readonly errors: LoadError[];
  constructor(errors: LoadError[]) {
    const first = errors
      .slice(0, 5)
      .map((e) => `${e.file}${e.line === undefined ? '' : `:${e.line}`}: ${e.reason}`)
      .join('; ');
    super(
      `signature database not loaded: ${errors.length} malformed entr${errors.length === 1 ? 'y' : 'ies'} (${first}${errors.length > 5 ? '; …' : ''})`,
    );
    this.errors = errors;
  }
}
