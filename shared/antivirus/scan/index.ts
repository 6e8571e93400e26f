/** Scanning one file: engine, archive expansion and hashing in one pass; the engine a policy names. */
export {
  type CreateEngineOptions,
  createEngine,
  DEFAULT_AV_DB_DIR,
  databasePaths,
  ENGINE_ENV,
  type EngineEnv,
  parseClamdAddress,
  resetEngines,
} from './engines.ts';
export { EngineConfigError } from './errors.ts';
export { HashingReader, PREFIX_BYTES } from './hashing-reader.ts';
export { expandsArchives, type ScanFileMeta, type ScannedFile, scanFile } from './scan-file.ts';
