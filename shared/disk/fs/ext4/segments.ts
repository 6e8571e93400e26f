/** A run of a file's logical blocks mapped to consecutive physical blocks. */
export interface Segment {
  /** First logical block. */
  lblk: number;
  /** First physical block. */
  pblk: number;
  /** Blocks. */
  len: number;
  /** Allocated but unwritten (uninitialized extent): reads as zeros. */
  uninit: boolean;
}

/** Appends a segment, merging it with the previous one when both runs are contiguous. */
export function pushSegment(out: Segment[], s: Segment): void {
  const last = out.at(-1);
  if (
    last &&
    !last.uninit &&
    !s.uninit &&
    last.lblk + last.len === s.lblk &&
    last.pblk + last.len === s.pblk
  ) {
    last.len += s.len;
  } else {
    out.push(s);
  }
}
