// The bundled demo guest: `cargo run --release` with no arguments runs it.
// It walks through the VM core the way a Fuchsia program would: allocate a
// VMAR, map a VMO into it, write through the returned pointer, protect,
// unmap and destroy, printing what it did and what the kernel answered.
#include <stdio.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>

#define CHECK(call)                                                            \
  do {                                                                         \
    zx_status_t s_ = (call);                                                   \
    printf("  %-60s -> %s\n", #call, zx_status_get_string(s_));               \
    if (s_ != ZX_OK) return 1;                                                 \
  } while (0)

int main(int argc, char** argv) {
  size_t page = zx_system_get_page_size();
  printf("Zircon demo guest (%s): page size %zu\n", argc > 0 ? argv[0] : "?", page);

  zx_info_vmar_t root;
  CHECK(zx_object_get_info(zx_vmar_root_self(), ZX_INFO_VMAR, &root, sizeof(root), NULL, NULL));
  printf("root VMAR: [%#lx, %#lx)\n", root.base, root.base + root.len);

  printf("1. allocate a 16-page child VMAR that may map read/write\n");
  zx_handle_t vmar;
  zx_vaddr_t vmar_base;
  CHECK(zx_vmar_allocate(zx_vmar_root_self(), ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0,
                         16 * page, &vmar, &vmar_base));
  printf("   child VMAR at %#lx\n", vmar_base);

  printf("2. create a 4-page VMO and map it read/write\n");
  zx_handle_t vmo;
  CHECK(zx_vmo_create(4 * page, 0, &vmo));
  zx_vaddr_t addr;
  CHECK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 4 * page, &addr));
  printf("   mapped at %#lx\n", addr);

  printf("3. write through the pointer, read back with zx_vmo_read\n");
  const char msg[] = "hello from guest memory";
  memcpy((void*)addr, msg, sizeof(msg));
  char back[sizeof(msg)];
  CHECK(zx_vmo_read(vmo, back, 0, sizeof(back)));
  printf("   the VMO holds: \"%s\"\n", back);

  zx_info_vmo_t info;
  CHECK(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  printf("   VMO: size %lu, committed %lu bytes, %lu mapping(s)\n", info.size_bytes,
         info.committed_bytes, info.num_mappings);

  printf("4. protect the mapping read-only; asking for more than allowed fails\n");
  CHECK(zx_vmar_protect(vmar, ZX_VM_PERM_READ, addr, 4 * page));
  zx_status_t s = zx_vmar_protect(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, addr, page);
  printf("   protect R|X on a VMAR without CAN_MAP_EXECUTE -> %s\n", zx_status_get_string(s));

  printf("5. unmap it; the VMO keeps its data\n");
  CHECK(zx_vmar_unmap(vmar, addr, 4 * page));
  CHECK(zx_vmo_read(vmo, back, 0, sizeof(back)));
  printf("   still: \"%s\"\n", back);

  printf("6. destroy the child VMAR; it cannot be used any more\n");
  CHECK(zx_vmar_destroy(vmar));
  s = zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, vmo, 0, page, &addr);
  printf("   map into the destroyed VMAR -> %s\n", zx_status_get_string(s));

  zx_handle_close(vmo);
  zx_handle_close(vmar);
  printf("done.\n");
  return 0;
}
