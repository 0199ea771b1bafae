# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# xxmem-lib.sh - what the host scripts share (bash; sourced by
# tools/xxmem-guest, xxmem-check, xxmem-sanitize and xxmem-bench-run):
#
#   messages    note, die (to stderr, prefixed with $PROG)
#   packages    as_root, ensure_pkgs (Debian packages, installed if missing)
#   TAP         tap, tap_stream, tap_detail, tap_count, tap_totals: a TAP
#               stream on stdout, appended to $results (and $kresults, one
#               kernel's file, and $aresults, one architecture's); a result line gets "[$tag] " in front of its
#               description while $tag is set
#   steps       build_step (a build step as one TAP result)
#   dkms        dkms_private, dkms_private_done (dkms in private trees)
#   arches      arch_name, arch_deb, arch_uname, arch_cross (the target
#               architectures: x86_64, arm64)
#   guest       cc_version, cc_short, pci_devices / pci_devices_done (QEMU's
#               PCI devices for the selftests), stage_tools, stage_guest
#               (the guest's /xxmem)
#
# The caller sets PROG (its name in messages) and, for the TAP functions,
# results (the run's TAP file); tag and kresults are optional.

# The project's tree (this file is tools/lib/xxmem-lib.sh in it).
XXMEM_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# --- messages ----------------------------------------------------------------

note() {
	printf '%s: %s\n' "$PROG" "$*" >&2
}

die() {
	note "$*"
	exit 1
}

# --- packages ----------------------------------------------------------------

as_root() {
	if ((EUID == 0)); then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		die "need root to run: $*"
	fi
}

# ensure_pkgs PKG...: install those of the Debian packages that are not
# installed yet
ensure_pkgs() {
	local pkg status
	local missing=()

	for pkg in "$@"; do
		# shellcheck disable=SC2016 # ${Status} is dpkg-query's, not ours
		status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) || status=
		[[ $status == 'install ok installed' ]] || missing+=("$pkg")
	done
	((${#missing[@]})) || return 0

	note "installing ${missing[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 &&
		as_root env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# --- architectures -------------------------------------------------------------

# arch_name ARCH: the project's name of a target architecture (x86_64 or
# arm64; amd64, x86 and aarch64 are accepted); fails for any other
arch_name() {
	case $1 in
	x86_64|x86|amd64) echo x86_64 ;;
	arm64|aarch64) echo arm64 ;;
	*) return 1 ;;
	esac
}

# arch_deb ARCH: Debian's name of ARCH (amd64, arm64)
arch_deb() {
	case $1 in
	arm64) echo arm64 ;;
	*) echo amd64 ;;
	esac
}

# arch_uname ARCH: what uname -m says on ARCH (x86_64, aarch64)
arch_uname() {
	case $1 in
	arm64) echo aarch64 ;;
	*) echo x86_64 ;;
	esac
}

# arch_cross ARCH: the GNU triplet prefix of ARCH's cross tools
# (aarch64-linux-gnu-), empty for this machine's own x86_64
arch_cross() {
	case $1 in
	arm64) echo aarch64-linux-gnu- ;;
	*) echo ;;
	esac
}

# --- TAP ----------------------------------------------------------------------

# The sed expression that puts "[$tag] " in front of a result's description.
# (# delimits: a tag may hold a slash, 6.12/arm64)
tap_tag_expr() {
	printf 's#^((not )?ok( [0-9]+)?( -)?) #\\1 [%s] #' "$tag"
}

# tap LINE: one line of the stream
tap() {
	tap_stream <<<"$1"
}

# tap_stream: the lines of stdin (a guest run's output), as they come
# shellcheck disable=SC2154 # results: the caller's
tap_stream() {
	if [[ -n ${tag:-} ]]; then
		sed -u -E "$(tap_tag_expr)"
	else
		cat
	fi | tee -a "$results" ${kresults:+"$kresults"} ${aresults:+"$aresults"}
}

# tap_detail FILE [N]: the last N (default 40) lines of FILE (- for stdin)
# as "# " lines of the stream
tap_detail() {
	sed 's/^/# /' "$1" | tail -n "${2:-40}" | tap_stream
}

# tap_count FILE: "PASSED FAILED SKIPPED" of a TAP file
tap_count() {
	local pass fail skip

	skip=$(grep -cE '^ok .*# [Ss][Kk][Ii][Pp]' "$1") || true
	pass=$(grep -c '^ok ' "$1") || true
	fail=$(grep -c '^not ok ' "$1") || true
	echo "$((pass - skip)) $fail $skip"
}

# tap_totals FILE: its last line "N passed, N failed, N skipped"; succeeds
# if something passed and nothing failed
tap_totals() {
	local p f s

	read -r p f s < <(tap_count "$1")
	echo "$p passed, $f failed, $s skipped"
	((f == 0 && p > 0))
}

# --- steps --------------------------------------------------------------------

# build_step [--warnings-ok] NAME LOG CMD...: CMD, its output in LOG, as the
# result NAME; on failure the end of LOG follows.  A warning in LOG is a
# failure unless --warnings-ok: the project builds warning-free.
build_step() {
	local warn=1 name log

	if [[ $1 == --warnings-ok ]]; then
		warn=0
		shift
	fi
	name=$1
	log=$2
	shift 2
	if "$@" >"$log" 2>&1 &&
	   { ((warn == 0)) || ! grep -qE '(warning|error):' "$log"; }; then
		tap "ok - $name"
		return 0
	fi
	tap "not ok - $name"
	tap_detail "$log"
	return 1
}

# --- dkms ---------------------------------------------------------------------

# Set by dkms_private: the options of dkms for its private trees (the
# callers use them).
# shellcheck disable=SC2034
DKMS_OPTS=()

# dkms_private DIR KDIR KVER: dkms trees of DIR's own (tree, src and the
# install tree root/lib/modules), their options in DKMS_OPTS; modules are
# signed as dkms does on Debian, with the kernel's (KDIR) sign-file and a
# key of DIR's own, never /var/lib/dkms/mok.key.  The machine's dkms tree,
# /usr/src and /lib/modules are not touched.
dkms_private() {
	local d=$1

	mkdir -p "$d/tree" "$d/src" "$d/root/lib/modules/$3"
	# shellcheck disable=SC2034
	DKMS_OPTS=(--dkmstree "$d/tree" --sourcetree "$d/src"
		--installtree "$d/root/lib/modules")
	export sign_file=$2/scripts/sign-file
	export mok_signing_key=$d/mok.key mok_certificate=$d/mok.pub
}

# dkms_private_done: the signing settings gone
dkms_private_done() {
	unset sign_file mok_signing_key mok_certificate
}

# --- the guest ----------------------------------------------------------------

# cc_version FILE|-: "gcc-N (Debian ...) X.Y.Z", CONFIG_CC_VERSION_TEXT of
# the kernel configuration FILE (or a compiler's --version on stdin) without
# the compiler's path prefix
cc_version() {
	if [[ $1 == - ]]; then
		head -n 1
	else
		sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$1"
	fi | sed -E 's/^([a-z0-9_]+-)*(gcc[^ ]*) /\2 /'
}

# cc_short FILE|-: the same as "gcc-N X.Y.Z"
cc_short() {
	cc_version "$1" | sed -E 's/^([^ ]+) .* ([0-9.]+)$/\1 \2/'
}

# pci_devices NAME: QEMU's edu and pci-testdev (the I/O BAR row of the
# bad-input table) and an ivshmem-plain device backed by a host file
# (tools/xxmem-ivshmem) for the PCI suites, and a second one whose BAR 2
# is 1 GiB (a sparse file: what the tests touch is all it takes), for PUD
# entries; sets pci_args (QEMU arguments) and ivshmem_file.  Fails, leaving
# the ivshmem devices out, if their files cannot be prepared.
pci_devices() {
	local ivs=$XXMEM_TOP/tools/xxmem-ivshmem args

	pci_args="-device edu -device pci-testdev"
	ivshmem_file=
	[[ -x $ivs ]] || return 0
	ivshmem_file=/dev/shm/$PROG.$$.$1
	if "$ivs" prepare "$ivshmem_file" &&
	   args=$("$ivs" qemu-args "$ivshmem_file") &&
	   truncate -s 1G "$ivshmem_file.1g"; then
		pci_args+=" $args -object memory-backend-file,id=xxivshmem1g,size=1G,share=on,mem-path=$ivshmem_file.1g -device ivshmem-plain,memdev=xxivshmem1g"
		return 0
	fi
	rm -f "$ivshmem_file" "$ivshmem_file.1g"
	ivshmem_file=
	return 1
}

# pci_devices_done: the ivshmem file removed
pci_devices_done() {
	if [[ -n ${ivshmem_file:-} ]]; then
		rm -f "$ivshmem_file" "$ivshmem_file.1g"
	fi
	ivshmem_file=
}

# stage_tools STAGE TREE: what every guest run has in its /xxmem (STAGE):
# TREE's tools (xxmemctl, xxmemctl32, demo.sh), udev rule and
# selftests/tap_lib.sh (which demo.sh and dkms_test.sh use too)
stage_tools() {
	local stage=$1 tree=$2

	mkdir -p "$stage/bin" "$stage/selftests" "$stage/udev"
	cp "$tree"/tools/xxmemctl "$tree"/tools/xxmemctl32 "$tree"/tools/demo.sh \
		"$stage/bin/"
	cp "$tree"/udev/60-xxmem.rules "$stage/udev/"
	cp "$tree"/selftests/tap_lib.sh "$stage/selftests/"
}

# stage_guest STAGE TREE BUILT [INSTALLED]: the /xxmem of a selftest run:
# stage_tools, the kselftest collection of TREE (built) as its lib.mk
# installs it (STAGE/selftests, the layout run_kselftest.sh runs; a copy of
# INSTALLED where a cross build installed it already), xxmem.ko and the
# test drivers (selftests/drivers/*.ko) of BUILT, the modules' build tree
stage_guest() {
	local stage=$1 tree=$2 built=$3 installed=${4:-}

	stage_tools "$stage" "$tree"
	cp "$built/xxmem.ko" "$stage/"
	if [[ -n $installed ]]; then
		cp -a "$installed/." "$stage/selftests/"
	else
		make -s -C "$tree/selftests" install \
			INSTALL_PATH="$stage/selftests" >/dev/null ||
			die "make -C $tree/selftests install failed"
	fi
	if compgen -G "$built/selftests/drivers/*.ko" >/dev/null; then
		mkdir -p "$stage/selftests/drivers"
		cp "$built"/selftests/drivers/*.ko "$stage/selftests/drivers/"
	fi
}
