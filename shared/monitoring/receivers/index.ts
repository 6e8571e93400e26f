/** The syslog receivers of the local runtime: framing, records, and the listeners that batch them to a sink. */
export { type BatcherOptions, type BatcherStats, RecordBatcher } from './batcher.ts';
export { datagramFrame } from './datagram.ts';
export { ReceiverCloseError, ReceiverConfigError, ReceiverStartError } from './errors.ts';
export {
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_MESSAGE_BYTES,
  type FrameDecoderOptions,
  OctetFrameDecoder,
} from './framing.ts';
export { jsonStringBytes, rawRecordJsonBytes } from './json-size.ts';
export {
  type ReceiverLogger,
  type ResolvedReceiverOptions,
  resolveReceiverOptions,
  SQS_MESSAGE_LIMIT_BYTES,
  type SyslogReceiverOptions,
} from './options.ts';
export { type ReceiverStats, type SyslogReceivers, startSyslogReceivers } from './receivers.ts';
export {
  type Frame,
  type Framing,
  type RawRecord,
  RECEIVER_FLAGS,
  type ReceiverTransport,
  type RecordSink,
  type TlsPeer,
} from './types.ts';
