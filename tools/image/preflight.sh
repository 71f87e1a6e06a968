# Sourced by build-image.sh: checks that stop the image build before anything is written, each with the
# reason and what to do about it. Exit status 2 for the caller's mistakes (board, space), 3 for a missing
# tool or privilege, so scripts and tests can tell them apart.

# need_tool COMMAND PACKAGE: the command on PATH, else name the package to install.
need_tool() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "image: '$1' not found: install it with: apt-get install --no-install-recommends $2" >&2
	exit 3
}

preflight() { # preflight BOARD OUT_DIR
	local board=$1 out=$2
	if [ ! -f "tools/image/boards/$board.conf" ]; then
		local have
		have=$(cd tools/image/boards && ls ./*.conf | sed 's#^\./##; s/\.conf$//' | tr '\n' ' ')
		echo "image: board '$board' has no image recipe (tools/image/boards/$board.conf); boards with one: ${have% }" >&2
		[ "$board" = rpi5 ] && echo "image: rpi5 needs a kernel with bcm2712 DTBs (Debian bookworm's 6.1 has none; trixie's 6.12 has them)" >&2
		exit 2
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "image: needs root (mmdebstrap --mode=root, loop-free genimage with real file owners): run sudo make image BOARD=$board" >&2
		exit 3
	fi
	need_tool mmdebstrap mmdebstrap
	need_tool arch-test arch-test
	need_tool genimage genimage
	need_tool mkfs.vfat dosfstools
	need_tool mcopy mtools
	need_tool mkfs.ext4 e2fsprogs
	need_tool sfdisk fdisk
	need_tool systemctl systemd
	need_tool systemd-sysusers systemd
	if ! arch-test arm64 >/dev/null 2>&1; then
		echo "image: this machine cannot run arm64 programs: apt-get install --no-install-recommends qemu-user-static binfmt-support," \
			"then mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc and run /lib/systemd/systemd-binfmt" >&2
		exit 3
	fi
	mkdir -p "$out"
	local free_mib need_mib=${EB_IMAGE_NEED_MIB:-4096}
	free_mib=$(df -Pm "$out" | awk 'NR == 2 { print $4 }')
	if [ "${free_mib:-0}" -lt "$need_mib" ]; then
		echo "image: $out has ${free_mib} MiB free; the build needs $need_mib MiB (root tree, partition images, the image)" >&2
		exit 2
	fi
}
