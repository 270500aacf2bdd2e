// Guest memory is capped (ZX_LIBOS_GUEST_MEMORY, half the RAM by default):
// `oom commit` commits past the cap and expects ZX_ERR_NO_MEMORY; `oom touch`
// touches past it through a mapping and dies of a fatal page fault with
// ZX_ERR_NO_MEMORY. Either way the host lives.
#include <stdio.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#define SIZE (512ull << 20)

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  zx_handle_t vmo;
  if (zx_vmo_create(SIZE, 0, &vmo) != ZX_OK) return 3;
  if (strcmp(argv[1], "commit") == 0) {
    zx_status_t s = zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, SIZE, NULL, 0);
    printf("commit: %d\n", s);
    // The memory is there to be used again once this VMO is gone.
    zx_handle_close(vmo);
    zx_handle_t small;
    if (zx_vmo_create(64ull << 20, 0, &small) != ZX_OK) return 4;
    zx_status_t again = zx_vmo_op_range(small, ZX_VMO_OP_COMMIT, 0, 64ull << 20, NULL, 0);
    printf("commit after free: %d\n", again);
    return s == ZX_ERR_NO_MEMORY && again == ZX_OK ? 0 : 1;
  }
  zx_vaddr_t addr;
  if (zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, SIZE, &addr) != ZX_OK)
    return 5;
  for (uint64_t off = 0; off < SIZE; off += 4096) *(volatile uint8_t*)(addr + off) = 1;
  printf("survived\n");
  return 6;
}
