/**
 * Errors the domain raises on purpose. Each carries a stable `code` for problem+json and job records;
 * the HTTP layer maps them to statuses in one place.
 */
export class OutboardError extends Error {
  override name = 'OutboardError';
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export class NotFoundError extends OutboardError {
  override name = 'NotFoundError';
}

export class ConflictError extends OutboardError {
  override name = 'ConflictError';
}

export class ForbiddenError extends OutboardError {
  override name = 'ForbiddenError';
}

/** A dependency (bus, scheduler, store) failed; the message says what was undone. */
export class UnavailableError extends OutboardError {
  override name = 'UnavailableError';
}
