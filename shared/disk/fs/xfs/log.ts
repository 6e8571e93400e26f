/**
 * Is the internal log clean? Done the way the kernel's xlog_find_tail and xfs_logprint decide it: find
 * the log head from the cycle numbers stamped on every 512-byte log block (binary search for where the
 * cycle drops, then a check of the last in-flight window), find the last record header before the head,
 * and call the log clean only when that record is complete, ends at the head, and is an unmount record
 * (one log operation carrying XLOG_UNMOUNT_TRANS). Anything else means transactions may need replay.
 */
import { be32, formatError, readExact } from './bytes.ts';
import type { XfsContext } from './context.ts';
import { fsbToOffset } from './superblock.ts';

const BB = 512;
const XLOG_HEADER_MAGIC = 0xfeedbabe;
const XLOG_UNMOUNT_TRANS = 0x20;
const XLOG_VERSION_2 = 2;
const XLOG_HEADER_CYCLE_SIZE = 32 * 1024;
/** The most log the in-core log can have in flight: 8 iclogs of 256 KiB, in 512-byte blocks. */
const SCAN_BBS = (8 * 256 * 1024) / BB;

export interface LogState {
  needsRecovery: boolean;
  note: string;
}

class LogReader {
  readonly ctx: XfsContext;
  readonly offset: number;
  readonly bbs: number;
  constructor(ctx: XfsContext, offset: number, bbs: number) {
    this.ctx = ctx;
    this.offset = offset;
    this.bbs = bbs;
  }
  async read(blk: number, count: number): Promise<Uint8Array> {
    return readExact(this.ctx.source, this.offset + blk * BB, count * BB, 'log');
  }
  /** The cycle number of a log block: stamped in its first word, or in h_cycle of a record header. */
  static cycleAt(b: Uint8Array, off: number): number {
    const w = be32(b, off);
    return w === XLOG_HEADER_MAGIC ? be32(b, off + 4) : w;
  }
  async cycle(blk: number): Promise<number> {
    return LogReader.cycleAt(await this.read(blk, 1), 0);
  }
}

async function findHead(log: LogReader): Promise<number> {
  const first = await log.cycle(0);
  const last = await log.cycle(log.bbs - 1);
  let head: number;
  let stopOn: number;
  if (first === last) {
    head = log.bbs;
    stopOn = last - 1;
  } else {
    let lo = 0;
    let hi = log.bbs - 1;
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if ((await log.cycle(mid)) === last) hi = mid;
      else lo = mid;
    }
    head = hi;
    stopOn = last;
  }
  // Writes may complete out of order within the in-flight window: the head is the first block there
  // carrying the cycle we stop on.
  const start = Math.max(0, head - SCAN_BBS);
  if (head > start) {
    const b = await log.read(start, head - start);
    for (let i = 0; i < head - start; i++) {
      if (LogReader.cycleAt(b, i * BB) === stopOn) {
        head = start + i;
        break;
      }
    }
  }
  return head % log.bbs;
}

/** The log block of the last record header before `head`, searching back (with wrap) over one window. */
async function findLastRecord(log: LogReader, head: number): Promise<number | undefined> {
  const span = Math.min(log.bbs, SCAN_BBS + 64);
  for (let i = 1; i <= span; i++) {
    const blk = (head - i + log.bbs) % log.bbs;
    const b = await log.read(blk, 1);
    if (be32(b, 0) === XLOG_HEADER_MAGIC) return blk;
  }
  return undefined;
}

export async function readLogState(ctx: XfsContext): Promise<LogState> {
  const { sb } = ctx;
  if (sb.logStart === 0) {
    return { needsRecovery: false, note: 'external log device: log state unknown, assumed clean' };
  }
  const offset = fsbToOffset(sb, sb.logStart, sb.logBlocks, 48);
  const bbs = (sb.logBlocks * sb.blockSize) / BB;
  if (bbs < 2) throw formatError(`log of ${sb.logBlocks} blocks`, 96);
  const log = new LogReader(ctx, offset, bbs);
  if ((await log.cycle(0)) === 0) return { needsRecovery: false, note: 'log is empty (never written)' };
  const head = await findHead(log);
  const rec = await findLastRecord(log, head);
  if (rec === undefined) {
    return {
      needsRecovery: true,
      note: 'log head found but no record header before it: log state unknown, assumed dirty',
    };
  }
  const h = await log.read(rec, 1);
  const version = be32(h, 8);
  const len = be32(h, 12);
  const numOps = be32(h, 40);
  const hSize = be32(h, 320);
  const hblks =
    version & XLOG_VERSION_2 && hSize > XLOG_HEADER_CYCLE_SIZE
      ? Math.ceil(hSize / XLOG_HEADER_CYCLE_SIZE)
      : 1;
  const after = (rec + hblks + Math.ceil(len / BB)) % bbs;
  if (after !== head) {
    return {
      needsRecovery: true,
      note: `log dirty: last record at block ${rec} does not end at the head ${head}`,
    };
  }
  const op = await log.read((rec + hblks) % bbs, 1);
  if (numOps === 1 && ((op[9] as number) & XLOG_UNMOUNT_TRANS) !== 0) {
    return { needsRecovery: false, note: `log clean: unmount record at log block ${rec}` };
  }
  return {
    needsRecovery: true,
    note: `log dirty: head at log block ${head} follows a transaction record, not an unmount record`,
  };
}
