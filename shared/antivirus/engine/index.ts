/** The built-in anti-virus engine: compiled ClamAV signatures matched in one streaming pass per file. */
export {
  ArchiveLimitError,
  BUILTIN_ENGINE_VERSION,
  BuiltinEngine,
  type BuiltinEngineOptions,
} from './builtin-engine.ts';
export {
  CompiledDatabase,
  type FileScan,
  type ScanDetails,
  type ScanOptions,
} from './scan.ts';
export type * from './types.ts';
