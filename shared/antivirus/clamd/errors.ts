/**
 * Why talking to clamd failed. The engine turns each into a not-scanned verdict (fail closed); the
 * messages name the clamd address and what was not done.
 */
export class ClamdError extends Error {
  override name = 'ClamdError';
}

/** clamd could not be reached, or the connection broke before a reply. */
export class ClamdConnectionError extends ClamdError {
  override name = 'ClamdConnectionError';
}

/** No connection, or no reply, within the time allowed. */
export class ClamdTimeoutError extends ClamdError {
  override name = 'ClamdTimeoutError';
}

/** clamd replied with something this client does not understand (it never guesses). */
export class ClamdProtocolError extends ClamdError {
  override name = 'ClamdProtocolError';
  /** The reply as received (printable form), for the log. */
  readonly reply: string;
  constructor(message: string, reply: string) {
    super(message);
    this.reply = reply;
  }
}

/** The bytes to scan could not be read; the stream to clamd was abandoned. `cause` is the read error. */
export class ClamdInputError extends ClamdError {
  override name = 'ClamdInputError';
}
