#!/bin/sh
# Builds the seed of the `guest` fuzz target, test/fixtures/fuzz/seeds/guest.img.gz: a 7 MiB GPT disk
# with an EFI system partition (FAT12, serial 1234-ABCD from --invariant) and an ext4 root whose
# /etc/fstab mounts the ESP by UUID and by device path, missing volumes by LABEL and PARTUUID, and
# whose /etc/os-release and directories are symbolic links (relative, absolute, dangling and looping):
# what openGuest reads to assemble the view.
#
#   sh scripts/fuzz/seeds/guest.sh
set -eu
cd "$(dirname "$0")/../../.."
out=test/fixtures/fuzz/seeds
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
export E2FSPROGS_FAKE_TIME=1700000000

root="$work/root"
mkdir -p "$root/etc" "$root/usr/lib" "$root/usr/bin" "$root/boot/efi" "$root/var/log" "$root/home/u"
printf 'NAME="Fuzz Linux"\nID=fuzz\nVERSION_ID=1\nPRETTY_NAME="Fuzz Linux 1"\n' >"$root/usr/lib/os-release"
ln -s ../usr/lib/os-release "$root/etc/os-release"
cat >"$root/etc/fstab" <<'FSTAB'
# <device> <mount point> <type> <options> <dump> <pass>
LABEL=fuzzroot / ext4 defaults 0 1
UUID=1234-ABCD /boot/efi vfat umask=0077 0 2
LABEL=missing /srv xfs defaults 0 2
PARTUUID=00000000-0000-4000-8000-000000000099 /data ext4 nofail 0 2
/dev/sda1 /mnt/esp vfat defaults 0 0
tmpfs /tmp tmpfs defaults 0 0
FSTAB
echo hello >"$root/usr/bin/hello"
ln -s usr/bin "$root/bin"
ln -s /usr/lib "$root/lib"
ln -s loop "$root/loop"
ln -s ../../../../etc/../etc/fstab "$root/home/u/fstab"
ln -s /nonexistent/target "$root/var/log/dangling"
ln -s /boot/efi/EFI/BOOT/grub.cfg "$root/etc/grub.cfg"
printf 'line %s\n' $(seq 1 300) >"$root/var/log/messages"
find "$root" -exec touch -h -d @1700000000 {} +

esp="$work/esp.img"
truncate -s 1M "$esp"
mkfs.fat -F 12 -n ESP --invariant "$esp" >/dev/null
mmd -i "$esp" ::/EFI ::/EFI/BOOT
printf 'set root=(hd0,gpt2)\n' >"$work/grub.cfg"
mcopy -i "$esp" "$work/grub.cfg" ::/EFI/BOOT/grub.cfg

rootimg="$work/root.img"
truncate -s 4M "$rootimg"
mke2fs -q -F -t ext4 -b 1024 -N 128 -U 6f7574b0-0a2d-4e45-9a3b-00000000f022 -L fuzzroot \
  -E hash_seed=1c0ffee0-0000-4000-8000-00000000beef,root_owner=0:0 -d "$root" "$rootimg" >/dev/null

disk="$work/guest.img"
truncate -s 7M "$disk"
sfdisk -q "$disk" >/dev/null <<'TABLE'
label: gpt
label-id: 6F7574B0-0A2D-4E45-9A3B-00000000D15C
first-lba: 34
start=2048, size=2048, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=6F7574B0-0A2D-4E45-9A3B-000000000001, name="EFI System"
start=4096, size=8192, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=6F7574B0-0A2D-4E45-9A3B-000000000002, name="root"
TABLE
dd if="$esp" of="$disk" bs=512 seek=2048 conv=notrunc status=none
dd if="$rootimg" of="$disk" bs=512 seek=4096 conv=notrunc status=none
gzip -9n <"$disk" >"$out/guest.img.gz"
echo "guest.img.gz: $(stat -c %s "$out/guest.img.gz") bytes gzip'd"
