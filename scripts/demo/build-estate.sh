#!/usr/bin/env bash
# Builds the demo estate `npm start` seeds into a new OUTBOARD_HOME (see demo/README.md for what is
# real and what is synthetic), with the real tools:
#
#   <out>/estate/debian12.img.gz   GPT (sfdisk), one ext4 root partition (mke2fs -d -E offset=): the real
#                                  Debian 12 os-release and dpkg status (test/fixtures/inventory/debian12),
#                                  glibc's binary packages set back to 2.36-9+deb12u1, /etc/fstab, GRUB and
#                                  /boot/vmlinuz-* for two kernels
#   <out>/estate/rocky9.img.gz     GPT: /boot XFS partition + an LVM2 PV (VG rl, LV root) holding an XFS
#                                  root (mkfs.xfs -p), Rocky Linux 9.2 os-release, BLS boot entries and an
#                                  rpm 4.18 sqlite rpmdb made by rpmbuild + rpm -i --justdb (synthetic
#                                  packages carrying real Rocky 9 names and versions)
#   <out>/estate/alpine320.img.gz  MBR (sfdisk), one ext4 partition: Alpine 3.20.0 os-release,
#                                  alpine-release, /lib/apk/db/installed, extlinux and vmlinuz-lts, and
#                                  the EICAR test file at /home/alice/Downloads/eicar.com (for anti-virus)
#   <out>/feeds/                   the feed set the demo imports, cut from test/fixtures/feeds/
#
#   sudo scripts/demo/build-estate.sh [OUT_DIR]       (default: demo/; needs root for loop devices)
#
# DEMO_RPMDB_DIR=DIR also leaves the Rocky guest's rpmdb (rpmdb.sqlite) in DIR, for the system test.
# Reproducible as far as the tools allow: the Debian and Alpine images (mke2fs with E2FSPROGS_FAKE_TIME,
# fixed UUIDs and hash seed, file times fixed by touch and debugfs; sfdisk with fixed ids; gzip -n) and
# the feeds are byte-identical on every run; mkfs.xfs 6.1 stamps inode times with the clock, LVM
# writes random VG/LV UUIDs and its creation host/time, and rpm records its install time, so the Rocky
# image differs between runs in those fields only.
set -euo pipefail
export LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH=1700000000
export PATH=$PATH:/usr/sbin:/sbin
cd "$(dirname "$0")/../.."
root=$(pwd)
out=$(realpath -m "${1:-$root/demo}")
fx="$root/test/fixtures"
work=$(mktemp -d)
loops=()
cleanup() {
  for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

for t in sfdisk mke2fs e2fsck debugfs mkfs.xfs losetup pvcreate vgcreate lvcreate lvs pvs rpm rpmbuild gzip xz node; do
  command -v "$t" >/dev/null || { echo "build-estate.sh: missing $t (scripts/install-system-deps.sh)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "build-estate.sh: needs root (loop devices for LVM)" >&2; exit 1; }
mkdir -p "$out/estate" "$out/feeds"
export HOME="$work/home"
mkdir -p "$HOME"
MiB=1048576

# Fixed times on every file of a tree (mke2fs -d copies them).
stamp() { find "$1" -exec touch -h -d @$SOURCE_DATE_EPOCH {} +; }
# An ext4 filesystem from a tree, written into IMG at byte OFFSET, BLOCKS 1 KiB blocks long.
ext4_into() { # img offset blocks uuid label tree
  E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH MKE2FS_CONFIG=/etc/mke2fs.conf \
    mke2fs -q -F -t ext4 -b 1024 -N 512 -U "$4" -L "$5" \
    -E "offset=$2,hash_seed=1c0ffee0-0000-4000-8000-00000000beef,root_owner=0:0" -d "$6" "$1" "$3" >/dev/null
  # mke2fs -d copies each file's ctime, which touch cannot set: debugfs sets it to the fixed time.
  (cd "$6" && find . -mindepth 1) | sed -e 's|^\.||' -e "s|.*|sif \"&\" ctime @$SOURCE_DATE_EPOCH|" >"$work/ctime.cmd"
  echo "sif / ctime @$SOURCE_DATE_EPOCH" >>"$work/ctime.cmd"
  E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH debugfs -w -f "$work/ctime.cmd" "$1?offset=$2" >/dev/null 2>&1
  dd if="$1" of="$work/check.ext4" bs=1024 skip=$(($2 / 1024)) count="$3" status=none
  e2fsck -fn "$work/check.ext4" >/dev/null 2>&1
  rm -f "$work/check.ext4"
}
# A mkfs.xfs protofile for a tree (regular files, directories, symlinks; names without blanks).
protofile() { # tree
  echo demo
  echo '0 0'
  echo 'd--755 0 0'
  proto_dir "$1"
  echo '$'
}
proto_dir() {
  local e name
  for e in "$1"/* "$1"/.[!.]*; do
    [ -e "$e" ] || [ -L "$e" ] || continue
    name=${e##*/}
    if [ -L "$e" ]; then echo "$name l--777 0 0 $(readlink "$e")"
    elif [ -d "$e" ]; then echo "$name d--755 0 0"; proto_dir "$e"; echo '$'
    else echo "$name ---644 0 0 $e"; fi
  done
}
# mkfs.xfs refuses filesystems under 300 MB unless run by fstests; these variables say it is.
xfs_file() { # file size uuid label tree
  protofile "$5" >"$work/proto.txt"
  truncate -s "$2" "$1"
  TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 mkfs.xfs -q -f -b size=4096 -m "uuid=$3" -L "$4" -p "$work/proto.txt" "$1"
}

# ============================================================== Debian 12
d="$work/debian12"
mkdir -p "$d/etc" "$d/var/lib/dpkg" "$d/boot/grub"
cp "$fx/inventory/os/debian12/etc/os-release" "$fx/inventory/os/debian12/etc/debian_version" "$d/etc/"
echo demo-debian12 >"$d/etc/hostname"
cat >"$d/etc/fstab" <<'EOF'
# /etc/fstab: static file system information.
#
# <file system> <mount point>   <type>  <options>       <dump>  <pass>
UUID=1f2c3a4b-5d6e-4f70-8a9b-0c1d2e3f4a5b /               ext4    errors=remount-ro 0       1
EOF
# glibc's binary packages (libc6, libc-bin, …) back to 2.36-9+deb12u1, a real earlier bookworm version:
# DSA-5514-1 (CVE-2023-4911) is fixed in 2.36-9+deb12u3.
awk '
  BEGIN { RS = ""; FS = "\n"; ORS = "\n\n" }
  {
    glibc = 0
    for (i = 1; i <= NF; i++) if ($i == "Source: glibc") glibc = 1
    if (glibc) for (i = 1; i <= NF; i++) if ($i ~ /^Version: 2\.36-9\+deb12u/) $i = "Version: 2.36-9+deb12u1"
    out = $1
    for (i = 2; i <= NF; i++) out = out "\n" $i
    print out
  }' "$fx/inventory/debian12/status" >"$d/var/lib/dpkg/status"
grep -q -x 'Version: 2.36-9+deb12u1' "$d/var/lib/dpkg/status"
cp "$fx/inventory/boot/debian12/boot/grub/grub.cfg" "$fx/inventory/boot/debian12/boot/grub/grubenv" "$d/boot/grub/"
for k in 6.1.0-25-amd64 6.1.0-28-amd64; do
  # Placeholders: a kernel image is not needed to list the kernel, only its name.
  printf 'demo placeholder for vmlinuz-%s (not a kernel)\n' "$k" >"$d/boot/vmlinuz-$k"
done
stamp "$d"
img="$work/debian12.img"
truncate -s 24M "$img"
sfdisk --quiet "$img" <<'LAYOUT'
label: gpt
label-id: 0D3B1A2C-0000-4000-8000-00000000DEB1
start=2048, size=45056, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=0D3B1A2C-0000-4000-8000-00000000DEB2, name="root"
LAYOUT
ext4_into "$img" $((2048 * 512)) 22528 1f2c3a4b-5d6e-4f70-8a9b-0c1d2e3f4a5b root "$d"
gzip -9n <"$img" >"$out/estate/debian12.img.gz"

# ============================================================== Rocky Linux 9 (rpmdb first)
top="$work/rpmbuild"
mkdir -p "$top/SPECS"
# spec NAME EPOCH VERSION RELEASE ARCH [SUBPACKAGE…]: an empty package carrying the name and version.
spec() {
  local name=$1 epoch=$2 version=$3 release=$4 arch=$5 sub
  shift 5
  {
    echo "Name: $name"
    [ "$epoch" = - ] || echo "Epoch: $epoch"
    echo "Version: $version"
    echo "Release: $release"
    echo "Summary: demo stand-in for the Rocky Linux 9 package $name (no files)"
    echo 'License: Demo'
    echo 'Vendor: Outboard demo estate (synthetic)'
    echo 'URL: https://example.invalid/outboard-demo'
    [ "$arch" = noarch ] && echo 'BuildArch: noarch'
    echo '%description'
    echo "Synthetic package: real Rocky Linux 9 name and version, no content."
    for sub in "$@"; do
      echo "%package -n $sub"
      echo "Summary: demo stand-in for the Rocky Linux 9 package $sub (no files)"
      echo "%description -n $sub"
      echo "Synthetic package: real Rocky Linux 9 name and version, no content."
      echo "%files -n $sub"
    done
    echo '%files'
  } >"$top/SPECS/$name.spec"
  local target=()
  [ "$arch" = noarch ] || target=(--target "$arch")
  rpmbuild -bb --quiet --define "_topdir $top" --define '_buildhost demo.invalid' \
    --define 'use_source_date_epoch_as_buildtime 1' "${target[@]}" "$top/SPECS/$name.spec" >/dev/null
}
#    name           epoch version       release              arch    subpackages
spec glibc          -     2.34          60.el9               x86_64  glibc-common glibc-minimal-langpack
spec openssl        1     3.0.7         24.el9               x86_64  openssl-libs
spec openssh        -     8.7p1         34.el9               x86_64  openssh-server openssh-clients
spec bash           -     5.1.8         6.el9_1              x86_64
spec curl           -     7.76.1        23.el9_2.1           x86_64  libcurl
spec sudo           -     1.9.5p2       9.el9                x86_64
spec tzdata         -     2023c         1.el9                noarch
spec kernel         -     5.14.0        284.11.1.el9_2       x86_64  kernel-core kernel-modules-core
spec rpm            -     4.16.1.3      22.el9               x86_64  rpm-libs
spec rocky-release  -     9.2           1.6.el9              noarch
spec zlib           -     1.2.11        39.el9               x86_64
spec coreutils      -     8.32          34.el9               x86_64
spec systemd        -     252           13.el9_2             x86_64  systemd-libs
db="$work/rpmdb"
rpm --dbpath "$db" --define '_db_backend sqlite' --initdb
find "$top/RPMS" -name '*.rpm' | sort | xargs rpm --dbpath "$db" --define '_db_backend sqlite' \
  -i --justdb --nodeps --noscripts --notriggers --ignorearch --ignoreos --nosignature 2>"$work/rpm.err" ||
  { cat "$work/rpm.err" >&2; exit 1; }
# (Debian's rpm warns that it should not install packages directly: it only writes the database here.)
grep -v -e 'use Alien instead' -e 'assuming you know what you are doing' "$work/rpm.err" >&2 || true
[ -f "$db/rpmdb.sqlite" ] || { echo "rpm wrote no rpmdb.sqlite" >&2; exit 1; }
# Close the database cleanly (no WAL or shm beside it) before packing it.
rpm --dbpath "$db" -qa >/dev/null
rm -f "$db/rpmdb.sqlite-shm" "$db/rpmdb.sqlite-wal"
if [ -n "${DEMO_RPMDB_DIR:-}" ]; then mkdir -p "$DEMO_RPMDB_DIR"; cp "$db/rpmdb.sqlite" "$DEMO_RPMDB_DIR/"; fi

r="$work/rocky9"
b="$work/rocky9-boot"
kver=5.14.0-284.11.1.el9_2.x86_64
mid=8a5c0e1d2b3f4a6987c6d5e4f3a2b1c0
mkdir -p "$r/etc" "$r/var/lib/rpm" "$r/boot" "$b/loader/entries" "$b/grub2"
sed -e 's/9\.4/9.2/g' "$fx/inventory/os/rocky9/etc/os-release" >"$r/etc/os-release"
grep -q '^VERSION_ID="9.2"$' "$r/etc/os-release"
echo 'Rocky Linux release 9.2 (Blue Onyx)' >"$r/etc/rocky-release"
ln -s rocky-release "$r/etc/redhat-release"
ln -s rocky-release "$r/etc/system-release"
echo demo-rocky9 >"$r/etc/hostname"
echo "$mid" >"$r/etc/machine-id"
cat >"$r/etc/fstab" <<'EOF'

#
# /etc/fstab
# Created by anaconda on Tue May 16 00:00:00 2023
#
/dev/mapper/rl-root     /                       xfs     defaults        0 0
UUID=52c0b07e-0000-4000-8000-0000000b0071 /boot                   xfs     defaults        0 0
EOF
cp "$db/rpmdb.sqlite" "$r/var/lib/rpm/"
cp "$fx/inventory/boot/rhel9/boot/grub2/grub.cfg" "$b/grub2/"
sed -e "s/^saved_entry=.*/saved_entry=$mid-$kver/" "$fx/inventory/boot/rhel9/boot/grub2/grubenv" >"$b/grub2/grubenv"
cat >"$b/loader/entries/$mid-$kver.conf" <<EOF
title Rocky Linux ($kver) 9.2 (Blue Onyx)
version $kver
linux /vmlinuz-$kver
initrd /initramfs-$kver.img \$tuned_initrd
options root=/dev/mapper/rl-root ro crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M rd.lvm.lv=rl/root \$tuned_params
grub_users \$grub_users
grub_arg --unrestricted
grub_class rocky
EOF
printf 'demo placeholder for vmlinuz-%s (not a kernel)\n' "$kver" >"$b/vmlinuz-$kver"
stamp "$r"
stamp "$b"

img="$work/rocky9.img"
truncate -s 96M "$img"
# p1 /boot (32 MiB XFS), p2 an LVM2 PV (the rest).
sfdisk --quiet "$img" <<'LAYOUT'
label: gpt
label-id: 0D3B1A2C-0000-4000-8000-000000009C01
start=2048, size=65536, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=0D3B1A2C-0000-4000-8000-000000009C02
start=67584, size=126976, type=E6D6D379-F507-44C2-A23C-238F2A3DF928, uuid=0D3B1A2C-0000-4000-8000-000000009C03
LAYOUT
xfs_file "$work/boot.xfs" 32M 52c0b07e-0000-4000-8000-0000000b0071 boot "$b"
dd if="$work/boot.xfs" of="$img" bs=1M seek=1 conv=notrunc,sparse status=none
pv=$(losetup -f --show -o $((67584 * 512)) --sizelimit $((126976 * 512)) "$img")
loops+=("$pv")
export LVM_SUPPRESS_FD_WARNINGS=1
cfg="devices { filter = [ \"a|^$pv\$|\", \"r|.*|\" ] obtain_device_list_from_udev = 0 use_devicesfile = 0 }
     activation { udev_sync = 0 udev_rules = 0 } backup { backup = 0 archive = 0 }"
lvm_() { "$@" --driverloaded n --config "$cfg" >/dev/null 2>"$work/lvm.err" || { cat "$work/lvm.err" >&2; exit 1; }; }
lvm_ pvcreate -ff -y --uuid DemoPV-0000-0000-0000-0000-0000-Rocky9 --norestorefile "$pv"
lvm_ vgcreate -s 4m rl "$pv"
lvm_ lvcreate -an -Zn -L 48m -n root rl
pe_start=$(pvs --driverloaded n --config "$cfg" --noheadings --units b --nosuffix -o pe_start "$pv" 2>/dev/null | tr -d ' ')
ranges=$(lvs --driverloaded n --config "$cfg" --noheadings -o seg_pe_ranges rl/root 2>/dev/null | tr -d ' ')
losetup -d "$pv"
loops=()
first_pe=$(sed -E 's/^.*:([0-9]+)-[0-9]+$/\1/' <<<"$ranges")
[[ "$first_pe" =~ ^[0-9]+$ && "$pe_start" =~ ^[0-9]+$ ]] || { echo "cannot place rl/root: $ranges $pe_start" >&2; exit 1; }
xfs_file "$work/root.xfs" 48M 5ec0b07e-0000-4000-8000-00000000c0de root "$r"
dd if="$work/root.xfs" of="$img" bs=4096 seek=$(((67584 * 512 + pe_start + first_pe * 4 * MiB) / 4096)) \
  conv=notrunc,sparse status=none
gzip -9n <"$img" >"$out/estate/rocky9.img.gz"

# ============================================================== Alpine 3.20
a="$work/alpine320"
mkdir -p "$a/etc" "$a/lib/apk/db" "$a/boot" "$a/lib/modules/6.6.31-0-lts"
cat >"$a/etc/os-release" <<'EOF'
NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.20.0
PRETTY_NAME="Alpine Linux v3.20"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
EOF
echo 3.20.0 >"$a/etc/alpine-release"
echo demo-alpine320 >"$a/etc/hostname"
# A user's download that anti-virus must find: the EICAR test file (68 bytes; harmless by design, every
# engine detects it). Written from two halves so this script itself is not flagged by scanners.
mkdir -p "$a/home/alice/Downloads"
printf '%s%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR' '-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' >"$a/home/alice/Downloads/eicar.com"
printf 'Quarterly numbers, nothing to see here.\n' >"$a/home/alice/Downloads/report.txt"
cat >"$a/etc/fstab" <<'EOF'
UUID=6a1f0c5e-8b2d-4e3f-9a7c-1d2e3f4a5b6c	/	ext4	rw,relatime 0 1
EOF
sed -e 's/^# Generated by.*/# Generated by update-extlinux 6.04_pre1-r15/' "$fx/inventory/boot/alpine/boot/extlinux.conf" >"$a/boot/extlinux.conf"
printf 'demo placeholder for vmlinuz-lts (not a kernel)\n' >"$a/boot/vmlinuz-lts"
# name version origin license url description: Alpine v3.20.0-era packages (checksums are placeholders).
n=0
while read -r name version origin license desc; do
  n=$((n + 1))
  printf 'C:Q1%027dA=\nP:%s\nV:%s\nA:x86_64\nS:%d\nI:%d\nT:%s\nU:https://example.invalid/%s\nL:%s\no:%s\nm:Natanael Copa <ncopa@alpinelinux.org>\nt:1716000000\nc:%040x\n\n' \
    "$n" "$name" "$version" $((n * 10007)) $((n * 40009)) "${desc//_/ }" "$origin" "$license" "$origin" "$n"
done >"$a/lib/apk/db/installed" <<'PKGS'
musl 1.2.5-r0 musl MIT the_musl_c_library_(libc)_implementation
busybox 1.36.1-r28 busybox GPL-2.0-only Size_optimized_toolbox_of_many_common_UNIX_utilities
busybox-binsh 1.36.1-r28 busybox GPL-2.0-only busybox_ash_/bin/sh
ssl_client 1.36.1-r28 busybox GPL-2.0-only EXternal_ssl_client_for_busybox_wget
alpine-baselayout 3.6.5-r0 alpine-baselayout GPL-2.0-only Alpine_base_dir_structure_and_init_scripts
alpine-baselayout-data 3.6.5-r0 alpine-baselayout GPL-2.0-only Alpine_base_dir_structure_and_init_scripts
alpine-keys 2.4-r1 alpine-keys MIT Public_keys_for_Alpine_Linux_packages
alpine-release 3.20.0-r0 alpine-base MIT Alpine_release_data
ca-certificates-bundle 20240226-r0 ca-certificates MPL-2.0_AND_MIT Pre_generated_bundle_of_Mozilla_certificates
libcrypto3 3.3.0-r2 openssl Apache-2.0 Crypto_library_from_openssl
libssl3 3.3.0-r2 openssl Apache-2.0 SSL_shared_libraries
openssl 3.3.0-r2 openssl Apache-2.0 Toolkit_for_Transport_Layer_Security_(TLS)
zlib 1.3.1-r1 zlib Zlib A_compression/decompression_Library
apk-tools 2.14.4-r0 apk-tools GPL-2.0-only Alpine_Package_Keeper_-_package_manager_for_alpine
scanelf 1.3.7-r2 pax-utils GPL-2.0-only Scan_ELF_binaries_for_stuff
musl-utils 1.2.5-r0 musl MIT_AND_BSD-2-Clause_AND_GPL-2.0-or-later the_musl_c_library_(libc)_implementation
libc-utils 0.7.2-r5 libc-dev BSD-2-Clause_AND_BSD-3-Clause Meta_package_to_pull_in_correct_libc
linux-lts 6.6.31-r0 linux-lts GPL-2.0-only Linux_lts_kernel
PKGS
stamp "$a"
img="$work/alpine320.img"
truncate -s 16M "$img"
sfdisk --quiet "$img" <<'LAYOUT'
label: dos
label-id: 0xa1c3e320
start=2048, size=30720, type=83, bootable
LAYOUT
ext4_into "$img" $((2048 * 512)) 15360 6a1f0c5e-8b2d-4e3f-9a7c-1d2e3f4a5b6c alpine "$a"
gzip -9n <"$img" >"$out/estate/alpine320.img.gz"

# ============================================================== feeds (cut from test/fixtures/feeds)
f="$out/feeds"
rm -rf "$f/debian-mirror" "$f/rpm-repo" "$f/alpine" "$f/osv"
cp -r "$fx/feeds/debian-mirror" "$f/debian-mirror"
# RPM repo: the real errata of the fixture; its invented RLBA-2099:0001 is left out.
R="$f/rpm-repo/repodata"
mkdir -p "$R"
gzip -9nc "$fx/feeds/rpm-repo/repodata/primary.xml.src" >"$R/primary.xml.gz"
awk '/<update /{buf=$0; keep=1; inside=1; next}
     inside {buf=buf "\n" $0; if ($0 ~ /<id>RLBA-2099:0001<\/id>/) keep=0; if ($0 ~ /<\/update>/) {inside=0; if (keep) print buf}; next}
     {print}' "$fx/feeds/rpm-repo/repodata/updateinfo.xml.src" | xz -9c >"$R/updateinfo.xml.xz"
xz -dc "$R/updateinfo.xml.xz" | grep -q RLSA-2023:5455
if xz -dc "$R/updateinfo.xml.xz" | grep -q RLBA-2099; then echo "RLBA-2099:0001 not cut" >&2; exit 1; fi
cat >"$R/repomd.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1720051200</revision>
  <data type="primary">
    <checksum type="sha256">$(sha256sum "$R/primary.xml.gz" | cut -d' ' -f1)</checksum>
    <location href="repodata/primary.xml.gz"/>
    <timestamp>1720051200</timestamp>
    <size>$(stat -c %s "$R/primary.xml.gz")</size>
  </data>
  <data type="updateinfo">
    <checksum type="sha256">$(sha256sum "$R/updateinfo.xml.xz" | cut -d' ' -f1)</checksum>
    <location href="repodata/updateinfo.xml.xz"/>
    <timestamp>1720051260</timestamp>
    <size>$(stat -c %s "$R/updateinfo.xml.xz")</size>
  </data>
</repomd>
XML
# Alpine: the APKINDEX as is; the secdb without the fixture's malformed test entries.
mkdir -p "$f/alpine/v3.20/main/x86_64"
cp "$fx/feeds/alpine/v3.20/main/x86_64/APKINDEX.tar.gz" "$f/alpine/v3.20/main/x86_64/"
node -e '
  const fs = require("node:fs");
  const secdb = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  secdb.packages = secdb.packages.filter((p) => p.pkg.secfixes && !Array.isArray(p.pkg.secfixes));
  for (const p of secdb.packages)
    for (const v of Object.keys(p.pkg.secfixes)) if (!/^[0-9][0-9a-z._]*-r[0-9]+$|^0$/.test(v)) delete p.pkg.secfixes[v];
  fs.writeFileSync(process.argv[2], `${JSON.stringify(secdb, null, 2)}\n`);
' "$fx/feeds/alpine/v3.20/main.json" "$f/alpine/v3.20/main.json"
# OSV: the records of real advisories for the three releases (not the FIXTURE-* test records).
mkdir -p "$f/osv"
cp "$fx/feeds/osv/records/DSA-5514-1.json" "$fx/feeds/osv/records/RLSA-2024-4312.json" \
  "$fx/feeds/osv/records/ALPINE-CVE-2024-6119.json" "$f/osv/"

for i in debian12 rocky9 alpine320; do echo "$i: $(stat -c %s "$out/estate/$i.img.gz") bytes gzip'd"; done
