/** Display names of well-known partition types (as fdisk shows them). For display only: never select by them. */

export const GPT_TYPE_NAMES: Readonly<Record<string, string>> = {
  'c12a7328-f81f-11d2-ba4b-00a0c93ec93b': 'EFI System',
  '21686148-6449-6e6f-744e-656564454649': 'BIOS boot',
  '024dee41-33e7-11d3-9d69-0008c781f39f': 'MBR partition scheme',
  '0fc63daf-8483-4772-8e79-3d69d8477de4': 'Linux filesystem',
  'e6d6d379-f507-44c2-a23c-238f2a3df928': 'Linux LVM',
  '0657fd6d-a4ab-43c4-84e5-0933c84b4f4f': 'Linux swap',
  'a19d880f-05fc-4d3b-a006-743f0f84911e': 'Linux RAID',
  '4f68bce3-e8cd-4db1-96e7-fbcaf984b709': 'Linux root (x86-64)',
  '44479540-f297-41b2-9af7-d131d5f0458a': 'Linux root (x86)',
  'b921b045-1df0-41c3-af44-4c6f280d3fae': 'Linux root (ARM-64)',
  '8484680c-9521-48c6-9c11-b0720656f69e': 'Linux /usr (x86-64)',
  '933ac7e1-2eb4-4f13-b844-0e14e2aef915': 'Linux home',
  '3b8f8425-20e0-4f3b-907f-1a25a76f98e8': 'Linux server data',
  '4d21b016-b534-45c2-a9fb-5c16e091fd2d': 'Linux variable data',
  '7ec6f557-3bc5-4aca-b293-16ef5df639d1': 'Linux temporary data',
  'bc13c2ff-59e6-4262-a352-b275fd6f7172': 'Linux extended boot',
  'ca7d7ccb-63ed-4c53-861c-1742536059cc': 'Linux LUKS',
  '7ffec5c9-2d00-49b7-8941-3ea10a5586b7': 'Linux dm-crypt',
  '8da63339-0007-60c0-c436-083ac8230908': 'Linux reserved',
  'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7': 'Microsoft basic data',
  'e3c9e316-0b5c-4db8-817d-f92df00215ae': 'Microsoft reserved',
  'de94bba4-06d1-4d40-a16a-bfd50179d6ac': 'Windows recovery environment',
  '5808c8aa-7e8f-42e0-85d2-e1e90434cfb3': 'Microsoft LDM metadata',
  'af9b60a0-1431-4f62-bc68-3311714a69ad': 'Microsoft LDM data',
  '9e1a2d38-c612-4316-aa26-8b49521e5a8b': 'PowerPC PReP boot',
  '516e7cb4-6ecf-11d6-8ff8-00022d09712b': 'FreeBSD data',
  '516e7cb5-6ecf-11d6-8ff8-00022d09712b': 'FreeBSD swap',
  '516e7cb6-6ecf-11d6-8ff8-00022d09712b': 'FreeBSD UFS',
  '516e7cba-6ecf-11d6-8ff8-00022d09712b': 'FreeBSD ZFS',
  '48465300-0000-11aa-aa11-00306543ecac': 'Apple HFS/HFS+',
  '7c3457ef-0000-11aa-aa11-00306543ecac': 'Apple APFS',
  '6a898cc3-1dd2-11b2-99a6-080020736631': 'Solaris /usr & Apple ZFS',
};

export const MBR_TYPE_NAMES: Readonly<Record<string, string>> = {
  '01': 'FAT12',
  '04': 'FAT16 <32M',
  '05': 'Extended',
  '06': 'FAT16',
  '07': 'HPFS/NTFS/exFAT',
  '0b': 'W95 FAT32',
  '0c': 'W95 FAT32 (LBA)',
  '0e': 'W95 FAT16 (LBA)',
  '0f': "W95 Ext'd (LBA)",
  '27': 'Hidden NTFS WinRE',
  '82': 'Linux swap / Solaris',
  '83': 'Linux',
  '85': 'Linux extended',
  '8e': 'Linux LVM',
  a5: 'FreeBSD',
  ee: 'GPT',
  ef: 'EFI (FAT-12/16/32)',
  fd: 'Linux raid autodetect',
};

/** The display name of a partition type (GPT GUID or MBR type byte), or undefined when not well known. */
export function partitionTypeName(scheme: 'mbr' | 'gpt', type: string): string | undefined {
  const table = scheme === 'gpt' ? GPT_TYPE_NAMES : MBR_TYPE_NAMES;
  return Object.hasOwn(table, type.toLowerCase()) ? table[type.toLowerCase()] : undefined;
}
