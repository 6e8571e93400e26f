/**
 * The one shape every format reader produces: the members of one archive, in order, each either
 * readable (its bytes inflated on demand, up to a cap the caller sets) or skipped with a reason.
 */
import type { ArchiveSkipReason } from './types.ts';

export type MemberRead =
  | { kind: 'data'; data: Uint8Array }
  /** The member inflates past the cap: `produced` bytes had come out of `consumed` when it was stopped. */
  | { kind: 'overflow'; produced: number; consumed: number }
  | { kind: 'corrupt'; detail: string };

export interface ReadableMember {
  readonly kind: 'member';
  readonly name: string;
  /** The size the archive declares (zip); undefined when only inflating tells (gzip). */
  readonly declaredSize: number | undefined;
  /** The member's stored (compressed) size, to judge its expansion ratio. */
  readonly storedSize: number;
  /** Reads the member, stopping once more than `cap` bytes have come out. */
  read(cap: number): Promise<MemberRead>;
}

export interface SkippedMember {
  readonly kind: 'skip';
  /** The member's name, or undefined when what is skipped is the rest of the archive. */
  readonly name: string | undefined;
  readonly reason: ArchiveSkipReason;
  readonly detail: string;
  /** Nothing after this can be read: a bomb found, or a member whose end cannot be found. */
  readonly final?: boolean;
}

export type Member = ReadableMember | SkippedMember;

/** Reads the members of one archive; throws ArchiveFormatError when its structure cannot be walked. */
export type MemberReader = (data: Uint8Array, path: string) => AsyncGenerator<Member, void, undefined>;
