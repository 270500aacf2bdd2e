#!/usr/bin/env bash
# Builds the guest C library and the SDK runtime once, into
# <repo>/target/zx-sdk/ (zx-c++ calls this; it does nothing when the result
# is up to date):
#
#   target/zx-sdk/musl/include   musl's headers
#   target/zx-sdk/musl/lib/libc.a  musl, ported to Zircon (sdk/libc/overlay)
#   target/zx-sdk/lib/libzxsdk.a   the SDK runtime (sdk/lib) on musl
#   target/zx-sdk/lib/libzxcxx.a   the glibc-ABI shims libstdc++ needs (sdk/libcxx)
#
# musl's source is Debian's copy of the release tarball, checked against
# the SHA-256 below; ZX_MUSL_TARBALL=/path/musl-1.2.5.tar.gz uses a local
# copy instead of downloading.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
out="$root/target/zx-sdk"
version=1.2.5
url="http://deb.debian.org/debian/pool/main/m/musl/musl_${version}.orig.tar.gz"
sha256=a9a118bbe84d8764da0ea0d28b3ab3fae8477fc7e4085d90102b8596fc7c75e4
cc="${CC:-cc}"

die() {
  echo "zx-sdk: $*" >&2
  exit 1
}

mkdir -p "$out"
exec 9>"$out/.lock"
flock 9

# Up to date if the inputs hash as they did when the result was made: musl
# is rebuilt only when this script, the port layer or the Zircon headers it
# uses change; the SDK's archives whenever any SDK source changes.
hash_of() { find "$@" -type f | sort | xargs cat | sha256sum | cut -d' ' -f1; }
musl_inputs="$(hash_of "$here/build-runtime.sh" "$here/libc" "$here/include/zircon")"
inputs="$musl_inputs-$(hash_of "$here/lib" "$here/libcxx" "$here/include")"
if [[ -f "$out/stamp" && "$(cat "$out/stamp")" == "$inputs" ]]; then
  exit 0
fi
rm -f "$out/stamp"
if [[ ! -f "$out/musl.stamp" || "$(cat "$out/musl.stamp")" != "$musl_inputs" ]]; then
rm -f "$out/musl.stamp"
tarball="${ZX_MUSL_TARBALL:-$out/musl-$version.tar.gz}"
if [[ ! -f "$tarball" ]]; then
  [[ -z "${ZX_MUSL_TARBALL:-}" ]] || die "ZX_MUSL_TARBALL=$tarball does not exist"
  echo "zx-sdk: downloading musl $version from $url" >&2
  curl -fsSL --retry 3 -o "$tarball.part" "$url" || die "cannot download $url (set ZX_MUSL_TARBALL to a local copy)"
  mv "$tarball.part" "$tarball"
fi
echo "$sha256  $tarball" | sha256sum -c --quiet - >/dev/null 2>&1 ||
  die "$tarball is not musl $version (SHA-256 mismatch)"

echo "zx-sdk: building the guest C library (musl $version, once)" >&2
src="$out/build/musl-$version"
rm -rf "$out/build" "$out/musl"
mkdir -p "$out/build"
tar -xzf "$tarball" -C "$out/build"

# The port: musl's x86-64 assembly that makes raw syscalls gives way to the
# overlay's C of the same names, and the overlay's files go in.
for f in src/thread/x86_64/clone.s src/thread/x86_64/__set_thread_area.s \
  src/thread/x86_64/__unmapself.s src/thread/x86_64/syscall_cp.s \
  src/signal/x86_64/restore.s src/process/x86_64/vfork.s; do
  rm -f "$src/$f"
done
# The public free (musl's src/malloc/free.c, a one-line call into mallocng)
# and malloc are the overlay's per-thread cache in front of mallocng
# (src/malloc/thread_cache.c; docs/DESIGN.md, "The guest malloc").
rm -f "$src/src/malloc/free.c"
cp -r "$here/libc/overlay/." "$src/"
if grep -rlw syscall "$src"/src/*/x86_64/*.s "$src"/src/*/x86_64/*.S 2>/dev/null; then
  die "musl assembly above still makes raw syscalls"
fi
# The shims rely on musl's locale object being six category pointers.
grep -q 'const struct __locale_map \*cat\[6\];' "$src/src/internal/libc.h" ||
  die "musl's struct __locale_struct changed: check sdk/libcxx/locale_compat.c"

jobs="$(nproc 2>/dev/null || echo 2)"
(
  cd "$src"
  CC="$cc" CFLAGS="-O2 -fPIE -g -isystem $here/include" ./configure --prefix="$out/musl" \
    --disable-shared >"$out/build/configure.log" 2>&1 || die "musl's configure failed (see $out/build/configure.log)"
  make -j"$jobs" lib/libc.a >"$out/build/make.log" 2>&1 || die "building musl failed (see $out/build/make.log)"
  # Thread stacks go through the port's stack cache
  # (overlay/src/thread/stack_cache.c): pthread_create maps and gives back,
  # pthread_join gives back, through it; nothing else does.
  objcopy --redefine-sym __mmap=__zx_stack_mmap --redefine-sym __mprotect=__zx_stack_mprotect \
    --redefine-sym __munmap=__zx_stack_munmap obj/src/thread/pthread_create.lo
  objcopy --redefine-sym __munmap=__zx_stack_munmap obj/src/thread/pthread_join.lo
  ar r lib/libc.a obj/src/thread/pthread_create.lo obj/src/thread/pthread_join.lo
  for f in pthread_create pthread_join; do
    nm "obj/src/thread/$f.lo" | grep -qw __zx_stack_munmap || die "$f does not use the stack cache"
  done
  make install-headers >>"$out/build/make.log" 2>&1 || die "installing musl's headers failed"
)
mkdir -p "$out/musl/lib"
cp "$src/lib/libc.a" "$out/musl/lib/libc.a"
# libstdc++ (glibc configuration) makes its locales through __newlocale and
# __duplocale; sdk/libcxx/locale_compat.c takes those names and calls musl's
# under these.
objcopy --redefine-sym __newlocale=__musl_newlocale --redefine-sym __duplocale=__musl_duplocale \
  "$out/musl/lib/libc.a"
if objdump -d "$out/musl/lib/libc.a" | grep -qwE 'syscall|sysenter'; then
  die "the ported libc.a still contains a raw syscall instruction"
fi

echo "$musl_inputs" >"$out/musl.stamp"
fi

ccinc="$("$cc" -print-file-name=include)"
cflags=(-std=gnu11 -O2 -g -fPIE -fno-stack-protector -nostdinc -isystem "$here/libc/include"
  -isystem "$out/musl/include"
  -isystem "$here/include" -isystem "$ccinc" -Wall -Wextra -DZX_SDK_MUSL)
source "$here/lib/minip-flags.sh"
build_archive() {
  local name="$1"
  shift
  local objs=()
  for s in "$@"; do
    local o="$out/objs/$(basename "$s").o"
    local extra=()
    [[ "$(basename "$s")" == mini-process-child.c ]] && extra=("${minip_child_cflags[@]}")
    mkdir -p "$out/objs"
    "$cc" "${cflags[@]}" "${extra[@]}" -c "$s" -o "$o" || die "building $s failed"
    if [[ "$(basename "$s")" == mini-process-child.c ]]; then
      minip_child_check "$o" || die "$s is not self-contained"
    fi
    objs+=("$o")
  done
  mkdir -p "$out/lib"
  rm -f "$out/lib/$name"
  ar rcs "$out/lib/$name" "${objs[@]}"
}
build_archive libzxsdk.a "$here/lib/start.S" "$here/lib/start.c" "$here/lib/status.c" \
  "$here/lib/zxtest.c" "$here/lib/vdso.c" "$here/lib/launch.c" "$here/lib/probe.c" "$here/lib/mini-process.c" \
  "$here/lib/mini-process-child.c" "$here/lib/sync_completion.c" "$here/lib/sync_mutex.c" "$here/lib/inspector.c"
build_archive libzxcxx.a "$here/libcxx/glibc_compat.c" "$here/libcxx/locale_compat.c"
echo "$inputs" >"$out/stamp"
