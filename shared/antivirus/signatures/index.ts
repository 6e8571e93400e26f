/** ClamAV signature databases: parsers for `.hdb`, `.hsb`, `.ndb`, `.ign2` and directory loading. */
export {
  type DatabaseFile,
  databaseKind,
  type LoadOptions,
  loadDatabase,
  parseDatabaseFiles,
  type SignatureDatabase,
} from './database.ts';
export { DatabaseLoadError } from './errors.ts';
export { parseHashDatabase } from './hash-db.ts';
export { parseHexSignature } from './hex-pattern.ts';
export { applyClamName, ignoreMatcher, parseIgnoreList } from './ign2.ts';
export { CLAMAV_TARGETS, parseNdb, SUPPORTED_TARGETS } from './ndb.ts';
export { parseOffset } from './offset.ts';
export * from './types.ts';
