/** Errors of engine set-up: an engine the configuration cannot build. Scanning itself never throws for content. */

/** The environment names an engine that cannot be built (no clamd address, a malformed one, no database). */
export class EngineConfigError extends Error {
  override name = 'EngineConfigError';
}
