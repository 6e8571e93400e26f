/** The clamd engine and client: PING, VERSION and INSTREAM over TCP or a Unix socket. */
export type { ClamdClientOptions } from './client.ts';
export { CLAMD_DEFAULTS, ClamdClient } from './client.ts';
export type { ClamdAddress } from './connection.ts';
export type { ClamdEngineOptions } from './engine.ts';
export { ClamdEngine, UNKNOWN_SIGNATURE_VERSION } from './engine.ts';
export {
  ClamdConnectionError,
  ClamdError,
  ClamdInputError,
  ClamdProtocolError,
  ClamdTimeoutError,
} from './errors.ts';
export type { ClamdVersion, ScanReply } from './protocol.ts';
export { parseScanReplies, parseScanReply, parseVersion } from './protocol.ts';
