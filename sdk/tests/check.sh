#!/usr/bin/env bash
# Checks the guest SDK without needing anything but a C compiler and the
# vDSO (run `cargo build` first): every syscalls.list entry is declared;
# all headers compile as C11 and C++; sample programs link into PIEs with
# no interpreter, DT_NEEDED libzircon.so and only RELATIVE / GLOB_DAT /
# JUMP_SLOT / 64 relocations. If a linux-loader binary exists, the samples
# are also run.
set -euo pipefail
sdk="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(dirname "$sdk")"
cc="${CC:-cc}"
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# 1. Every syscall of the table is declared (both names come from one macro),
#    the `next` ones in syscalls-next.h, the `testonly` ones in
#    testonly-syscalls.h, the others in syscalls.h.
while read -r num name attrs; do
  [[ -z "$num" || "$num" == \#* ]] && continue
  header=syscalls.h
  [[ " ${attrs%%(*} " == *" next "* ]] && header=syscalls-next.h
  [[ " ${attrs%%(*} " == *" testonly "* ]] && header=testonly-syscalls.h
  grep -q "^_ZX_SYSCALL_DECL($name," "$sdk/include/zircon/$header" ||
    bad "$header does not declare $name"
done <"$sdk/vdso/syscalls.list"

# 1b. <lib/syscalls/zx-syscall-numbers.h> numbers every syscall that enters
#     the emulator as the table does, and ZX_SYS_COUNT is past the highest.
want="$(awk '/^[[:space:]]*#/ || NF == 0 { next }
  { v = 0; for (i = 3; i <= NF && $i !~ /^\(/; i++) if ($i == "vdso") v = 1
    if ($1 + 0 > m) m = $1 + 0; if (!v) print "ZX_SYS_" $2, $1 }
  END { print "ZX_SYS_COUNT", m + 1 }' "$sdk/vdso/syscalls.list" | sort)"
have="$(awk '$1 == "#define" && $2 ~ /^ZX_SYS_/ { print $2, $3 }' \
  "$sdk/include/lib/syscalls/zx-syscall-numbers.h" | sort)"
if [[ "$want" != "$have" ]]; then
  bad "zx-syscall-numbers.h does not match syscalls.list; it should define:"
  printf '%s\n' "$want" | sed 's/^/  #define /'
fi

# 2. Headers compile as C and C++.
inc=(-ffreestanding -nostdinc -isystem "$sdk/include" -isystem "$("$cc" -print-file-name=include)"
     -isystem "$sdk/include-next")
for std in c11 gnu11 c17; do
  echo '#include "all_headers.h"' | "$cc" "${inc[@]}" -I "$sdk/tests" -std=$std -Wall -Wextra \
    -pedantic -fsyntax-only -x c - || bad "headers as $std"
done
for std in c++14 c++17 c++20; do
  printf '#define _Static_assert static_assert\n#include "all_headers.h"\n' |
    "$cc" "${inc[@]}" -I "$sdk/tests" -std=$std -Wall -Wextra -fsyntax-only -x c++ - ||
    bad "headers as $std"
done

# 3. Link the samples and inspect them.
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for s in hello zxtest_sample; do
  "$sdk/zx-cc" -Wall -Wextra -Werror -o "$out/$s" "$sdk/tests/$s.c" || { bad "zx-cc $s"; continue; }
  readelf -lW "$out/$s" | grep -q INTERP && bad "$s has PT_INTERP"
  readelf -hW "$out/$s" | grep -q 'DYN (Position-Independent' || bad "$s is not a PIE"
  readelf -dW "$out/$s" | grep -q 'NEEDED.*\[libzircon.so\]' || bad "$s lacks DT_NEEDED libzircon.so"
  types="$(readelf -rW "$out/$s" | awk '/R_X86_64_/ {print $3}' | sort -u | tr '\n' ' ')"
  for t in $types; do
    case "$t" in
      R_X86_64_RELATIVE | R_X86_64_GLOB_DAT | R_X86_64_JUMP_SLOT | R_X86_64_64) ;;
      *) bad "$s has relocation type $t" ;;
    esac
  done
  echo "$s: relocations: $types"
done

# 4. Run them if the runner is built.
loader=""
for l in "${LINUX_LOADER:-}" "$root/target/release/linux-loader" "$root/target/debug/linux-loader"; do
  [[ -n "$l" && -x "$l" ]] && { loader="$l"; break; }
done
if [[ -n "$loader" && -f "$out/hello" ]]; then
  set +e
  o="$("$loader" "$out/hello" one two)"; rc=$?
  set -e
  [[ $rc == 3 ]] || bad "hello exit status $rc (want 3)"
  grep -q '^argv\[2\]=two$' <<<"$o" || bad "hello argv"
  grep -q '^\[   42|42   |00042|ff|0x1000|0x1234|abc|z|%|7|-5|+3|10\]$' <<<"$o" || bad "hello printf: $o"
  grep -q '^root vmar valid: 1$' <<<"$o" || bad "hello startup handles"
  set +e
  o="$("$loader" "$out/zxtest_sample")"; rc=$?
  set -e
  [[ $rc == 1 ]] || bad "zxtest_sample exit status $rc (want 1)"
  [[ "$(tail -n 1 <<<"$o")" == "2 passed, 2 failed" ]] || bad "zxtest_sample summary: $(tail -n 1 <<<"$o")"
  grep -q 'NOT REACHED' <<<"$o" && bad "ASSERT did not return"
  grep -q 'continued after EXPECT' <<<"$o" || bad "EXPECT did not continue"
  set +e
  o="$("$loader" "$out/zxtest_sample" --gtest_filter='Sample.P*:Sample.Vmo')"; rc=$?
  set -e
  [[ $rc == 0 && "$(tail -n 1 <<<"$o")" == "2 passed, 0 failed" ]] || bad "filter: rc $rc, $o"
  echo "ran samples with $loader"
else
  echo "no linux-loader binary: samples not run"
fi

[[ $fail == 0 ]] && echo "sdk check: OK"
exit $fail
