/**
 * The clamd engine: Outboard's ScanEngine over a running clamd (the official engine and database,
 * run by the user). Every failure is a not-scanned verdict with its reason, never clean and never a
 * throw: clamd unreachable, timed out or answering oddly is `engine-error`; a stream over clamd's
 * StreamMaxLength is `too-large`; data that could not be read, or read to another length than the
 * file's size, is `unreadable`.
 */
import type { EngineDescription, FileVerdict, ScanEngine, ScanMeta } from '../engine/types.ts';
import type { ClamdClientOptions } from './client.ts';
import { ClamdClient } from './client.ts';
import { ClamdError, ClamdInputError } from './errors.ts';

export interface ClamdEngineOptions extends ClamdClientOptions {
  /**
   * clamd's StreamMaxLength, when known: larger files are reported too large without being sent.
   * Unset, clamd itself refuses them (and the bytes up to its limit are sent for nothing).
   */
  readonly streamMaxLength?: number;
}

/** What describe() reports for the signature version when clamd runs without the official database. */
export const UNKNOWN_SIGNATURE_VERSION = 'unknown';

export class ClamdEngine implements ScanEngine {
  readonly name = 'clamd';
  readonly client: ClamdClient;
  private readonly streamMaxLength: number | undefined;
  private closed = false;

  constructor(options: ClamdEngineOptions) {
    this.client = new ClamdClient(options);
    this.streamMaxLength = options.streamMaxLength;
  }

  /**
   * From clamd's VERSION: `ClamAV 1.4.6/27345/…` gives engine version 1.4.6 and signature version
   * 27345. clamd does not say how many signatures it loaded, so `signatures` is 0 (unknown).
   * Throws a ClamdError when clamd cannot be asked: describing is not scanning, and a summary must not
   * name an engine that did not answer.
   */
  async describe(): Promise<EngineDescription> {
    const version = await this.client.version();
    return {
      engine: version.program,
      engineVersion: version.engineVersion,
      signatures: 0,
      signatureVersion: version.signatureVersion ?? UNKNOWN_SIGNATURE_VERSION,
    };
  }

  async scanStream(input: AsyncIterable<Uint8Array>, meta: ScanMeta): Promise<FileVerdict> {
    if (this.closed) return notScanned('engine-error', meta, 'the clamd engine is closed; not sent to clamd');
    if (this.streamMaxLength !== undefined && meta.size > this.streamMaxLength) {
      return notScanned(
        'too-large',
        meta,
        `${meta.size} bytes is over clamd's StreamMaxLength ${this.streamMaxLength}; not sent to clamd`,
      );
    }
    let sent = 0;
    const counted = (async function* () {
      for await (const piece of input) {
        sent += piece.length;
        yield piece;
      }
    })();
    try {
      const reply = await this.client.instream(counted);
      switch (reply.kind) {
        case 'clean':
          // A file that read shorter or longer than its size changed under the scan, or was misread.
          if (sent !== meta.size) {
            return notScanned(
              'unreadable',
              meta,
              `read ${sent} bytes where its size is ${meta.size}; not counted as clean`,
            );
          }
          return { status: 'clean' };
        case 'found':
          return { status: 'infected', signature: reply.signatures[0]! };
        case 'size-limit':
          return notScanned(
            'too-large',
            meta,
            `clamd at ${this.client.where} refused the stream: ${reply.message}`,
          );
        case 'error':
          return notScanned(
            'engine-error',
            meta,
            `clamd at ${this.client.where} could not scan it: ${reply.message}`,
          );
      }
    } catch (err) {
      if (err instanceof ClamdInputError) return notScanned('unreadable', meta, err.message);
      if (err instanceof ClamdError) return notScanned('engine-error', meta, `${err.message}; not scanned`);
      return notScanned('engine-error', meta, `clamd scan failed unexpectedly: ${(err as Error).message}`);
    }
  }

  /** Ends scans in progress (they come back as engine-error) and refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    this.client.abort();
  }
}

function notScanned(
  reason: 'too-large' | 'unreadable' | 'engine-error',
  meta: ScanMeta,
  detail: string,
): FileVerdict {
  return { status: 'not-scanned', reason, detail: `${meta.path}: ${detail}` };
}
