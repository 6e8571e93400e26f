#!/usr/bin/env bash
# Installs the real tools the system test suite uses as oracles and fixture makers (Debian packages).
# Idempotent: packages already present are left alone. Needs root (or sudo) and the Debian archive.
set -euo pipefail

PACKAGES=(
  sqlite3     # integrity_check of the runtime's database after kill -9
  qemu-utils  # qemu-img: snapshots equal their sources; qcow2 and VMDK test images
  e2fsprogs   # mke2fs -d: ext2/3/4 test images; debugfs as an oracle
  xfsprogs    # mkfs.xfs -p: XFS test images; xfs_db as an oracle
  dosfstools  # mkfs.vfat: FAT test images
  mtools      # mcopy, mmd: files into FAT images without mounting
  fdisk       # sfdisk: MBR and GPT partition tables on image files
  lvm2        # LVM2 physical volumes and logical volumes
  rpm         # rpm's own version comparison and SQLite rpmdbs as oracles
  clamav      # clamscan: the oracle the built-in signature engine must agree with
  clamav-daemon # clamd: the clamd engine is tested against the real daemon
  rsyslog     # rsyslogd forwarding to the syslog receivers (system tests)
  bsdutils    # util-linux logger: --udp, --tcp, --octet-count, --rfc5424, --rfc3164
  openssl     # certificates for the TLS syslog listener tests
  gpgv        # the InRelease signature oracle (as apt runs it)
  gpg         # gpg --dearmor for gpgv's keyrings; scripts/fixtures/openpgp.sh makes the test keys
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-system-deps: all present (${PACKAGES[*]})"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
