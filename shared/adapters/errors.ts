/** Errors the adapters (local and AWS) raise that callers may want to tell apart. */

/** A conditional create (`ifNoneMatch: '*'`) found an object already stored under the key. */
export class PreconditionFailedError extends Error {
  override name = 'PreconditionFailedError';
  readonly key: string;

  constructor(key: string, options?: ErrorOptions) {
    super(
      `object "${key}" already exists (conditional create, If-None-Match: *); nothing was written`,
      options,
    );
    this.key = key;
  }
}

/** An object key the store cannot hold: empty, longer than 1024 UTF-8 bytes, NUL, or not well-formed UTF-16. */
export class InvalidObjectKeyError extends TypeError {
  override name = 'InvalidObjectKeyError';
  readonly key: string;

  constructor(key: string, problem: string) {
    super(`object key ${JSON.stringify(key.length > 200 ? `${key.slice(0, 200)}…` : key)} ${problem}`);
    this.key = key;
  }
}

/** A page request whose limit is out of range or whose cursor this store did not hand out. */
export class InvalidPageRequestError extends RangeError {
  override name = 'InvalidPageRequestError';
}
