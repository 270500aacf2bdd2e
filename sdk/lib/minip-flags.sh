# Sourced by sdk/zx-cc and sdk/build-runtime.sh: how mini-process-child.c is
# built and checked. Its one function is copied byte for byte into another
# process (sdk/lib/mini-process.c), so the compiler must not make it refer to
# anything outside its own section: no jump tables or constant pools (rodata),
# no calls to memset/memcpy, no hot/cold splitting into .text.unlikely, no
# stack protector, no SSE constants.
minip_child_cflags=(-fno-jump-tables -fno-builtin -fno-reorder-blocks-and-partition -fno-stack-protector
  -mgeneral-regs-only -fno-asynchronous-unwind-tables)

# Fails if the object's "minip_code" section has relocations (any reference
# out of the section needs one) or is missing.
minip_child_check() {
  local objdump="${OBJDUMP:-objdump}"
  "$objdump" -h "$1" | grep -qw minip_code || return 1
  ! "$objdump" -r "$1" | grep -q 'RELOCATION RECORDS FOR \[minip_code\]'
}
