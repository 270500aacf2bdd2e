// The vDSO as seen from a guest that builds other processes (zx_sdk_launch,
// mini-process): the PA_VMO_VDSO startup handle, taken once and kept for the
// whole program, a copy of its ELF image for symbol lookups, and mapping its
// PT_LOAD segments into another process's VMAR.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>

#include "runtime.h"

#define PAGE 4096u

typedef struct {
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version;
  uint64_t entry, phoff, shoff;
  uint32_t flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} vdso_ehdr_t;

typedef struct {
  uint32_t type, flags;
  uint64_t offset, vaddr, paddr, filesz, memsz, align;
} vdso_phdr_t;

typedef struct {
  uint32_t name, type;
  uint64_t flags, addr, offset, size;
  uint32_t link, info;
  uint64_t addralign, entsize;
} vdso_shdr_t;

typedef struct {
  uint32_t name;
  uint8_t info, other;
  uint16_t shndx;
  uint64_t value, size;
} vdso_sym_t;

static zx_handle_t g_vdso = ZX_HANDLE_INVALID;
static uint8_t g_vdso_image[64 * 1024];
static size_t g_vdso_size;

static uint64_t page_down(uint64_t x) { return x & ~(uint64_t)(PAGE - 1); }
static uint64_t page_up(uint64_t x) { return (x + PAGE - 1) & ~(uint64_t)(PAGE - 1); }

zx_status_t __zx_sdk_vdso(zx_handle_t* vmo, size_t* size) {
  if (g_vdso == ZX_HANDLE_INVALID) {
    zx_handle_t h = zx_take_startup_handle(PA_HND(PA_VMO_VDSO, 0));
    if (h == ZX_HANDLE_INVALID) return ZX_ERR_NOT_FOUND;
    uint64_t sz;
    zx_status_t s = zx_vmo_get_size(h, &sz);
    if (s != ZX_OK) return s;
    if (sz > sizeof(g_vdso_image)) sz = sizeof(g_vdso_image);
    s = zx_vmo_read(h, g_vdso_image, 0, sz);
    if (s != ZX_OK) return s;
    g_vdso = h;
    g_vdso_size = sz;
  }
  if (vmo) *vmo = g_vdso;
  if (size) *size = g_vdso_size;
  return ZX_OK;
}

uint64_t __zx_sdk_vdso_symbol(const char* name) {
  if (__zx_sdk_vdso(NULL, NULL) != ZX_OK || g_vdso_size < sizeof(vdso_ehdr_t)) return 0;
  const vdso_ehdr_t* eh = (const vdso_ehdr_t*)g_vdso_image;
  if (eh->shoff + (uint64_t)eh->shnum * sizeof(vdso_shdr_t) > g_vdso_size) return 0;
  const vdso_shdr_t* sh = (const vdso_shdr_t*)(g_vdso_image + eh->shoff);
  for (unsigned i = 0; i < eh->shnum; i++) {
    if (sh[i].type != 11 /* SHT_DYNSYM */ || sh[i].link >= eh->shnum) continue;
    const vdso_shdr_t* str = &sh[sh[i].link];
    if (sh[i].offset + sh[i].size > g_vdso_size || str->offset + str->size > g_vdso_size) continue;
    const vdso_sym_t* syms = (const vdso_sym_t*)(g_vdso_image + sh[i].offset);
    for (size_t j = 0; j < sh[i].size / sizeof(vdso_sym_t); j++) {
      if (!syms[j].value || syms[j].name >= str->size) continue;
      const char* sym = (const char*)g_vdso_image + str->offset + syms[j].name;
      if (strnlen(sym, str->size - syms[j].name) < str->size - syms[j].name && strcmp(sym, name) == 0)
        return syms[j].value;
    }
  }
  return 0;
}

zx_status_t __zx_sdk_vdso_map(zx_handle_t vmar, uintptr_t* base, uintptr_t* entry) {
  zx_status_t s = __zx_sdk_vdso(NULL, NULL);
  if (s != ZX_OK) return s;
  const vdso_ehdr_t* eh = (const vdso_ehdr_t*)g_vdso_image;
  if (g_vdso_size < sizeof(*eh) || eh->phoff + (uint64_t)eh->phnum * sizeof(vdso_phdr_t) > g_vdso_size)
    return ZX_ERR_BAD_STATE;
  const vdso_phdr_t* ph = (const vdso_phdr_t*)(g_vdso_image + eh->phoff);
  uint64_t end = 0;
  for (unsigned i = 0; i < eh->phnum; i++)
    if (ph[i].type == 1 /* PT_LOAD */ && page_up(ph[i].vaddr + ph[i].memsz) > end)
      end = page_up(ph[i].vaddr + ph[i].memsz);
  if (end == 0) return ZX_ERR_BAD_STATE;

  // One region for the whole image, so the segments keep their distances.
  zx_handle_t region;
  uintptr_t at;
  s = zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_EXECUTE | ZX_VM_CAN_MAP_SPECIFIC, 0, end,
                       &region, &at);
  if (s != ZX_OK) return s;
  for (unsigned i = 0; i < eh->phnum && s == ZX_OK; i++) {
    if (ph[i].type != 1) continue;
    // The vDSO is never writable: its one writable-looking segment (the
    // dynamic table, relro) is mapped read-only like the rest.
    zx_vm_option_t perms = ZX_VM_SPECIFIC | ZX_VM_PERM_READ;
    if (ph[i].flags & 1 /* PF_X */) perms |= ZX_VM_PERM_EXECUTE;
    uint64_t start = page_down(ph[i].vaddr);
    uintptr_t mapped;
    s = zx_vmar_map(region, perms, start, g_vdso, page_down(ph[i].offset), page_up(ph[i].vaddr + ph[i].memsz) - start,
                    &mapped);
  }
  if (s != ZX_OK) zx_vmar_destroy(region);
  zx_handle_close(region);
  if (s != ZX_OK) return s;
  if (base) *base = at;
  if (entry) *entry = at + eh->entry;
  return ZX_OK;
}
