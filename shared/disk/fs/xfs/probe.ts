/** Recognises an XFS volume by its superblock magic and opens it. */
import type { ByteSource, FileSystem } from '../../types.ts';
import { be32, readExact } from './bytes.ts';
import type { XfsContext } from './context.ts';
import { readLogState } from './log.ts';
import { parseSuperblock, XFS_SB_MAGIC } from './superblock.ts';
import { XfsFileSystem } from './xfs-fs.ts';

/** An `XfsFileSystem` when the volume starts with "XFSB", else undefined; DiskFormatError when damaged. */
export async function probeXfs(volume: ByteSource): Promise<FileSystem | undefined> {
  if (volume.size < 512) return undefined;
  const head = await volume.read(0, 512);
  if (head.length < 4 || be32(head, 0) !== XFS_SB_MAGIC) return undefined;
  const sectSize = head.length >= 104 ? (head[102] as number) * 256 + (head[103] as number) : 512;
  const sector =
    sectSize > 512 && sectSize <= 32768 && sectSize <= volume.size
      ? await readExact(volume, 0, sectSize, 'superblock')
      : head;
  const sb = parseSuperblock(sector, volume.size);
  const ctx: XfsContext = { source: volume, sb };
  const log = await readLogState(ctx);
  const fs = new XfsFileSystem(ctx, {
    kind: 'xfs',
    uuid: sb.uuid,
    label: sb.label || undefined,
    blockSize: sb.blockSize,
    size: sb.dblocks * sb.blockSize,
    needsRecovery: log.needsRecovery,
    notes: [...sb.notes, log.note],
  });
  await fs.root();
  return fs;
}
