/** Errors of the syslog receivers; each message says which listener or option, and what was not done. */

/** The options given to `startSyslogReceivers` are invalid; nothing was started. */
export class ReceiverConfigError extends Error {
  override readonly name = 'ReceiverConfigError';
}

/** A listener could not be opened; the listeners already opened were closed again. */
export class ReceiverStartError extends Error {
  override readonly name = 'ReceiverStartError';
}

/** `close()` gave up waiting for the sink; `unpersistedRecords` never reached it. */
export class ReceiverCloseError extends Error {
  override readonly name = 'ReceiverCloseError';
  readonly unpersistedRecords: number;
  constructor(message: string, unpersistedRecords: number, options?: { cause?: unknown }) {
    super(message, options);
    this.unpersistedRecords = unpersistedRecords;
  }
}
