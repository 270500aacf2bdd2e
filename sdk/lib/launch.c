// zx_sdk_launch: builds and starts a child process from an ELF image.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zircon/utc.h>
#include <zx-sdk/launch.h>

#include "runtime.h"

#define PAGE 4096u
#define CHILD_STACK (256u * 1024u)
#define MAX_SEGMENTS 16

typedef struct {
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version;
  uint64_t entry, phoff, shoff;
  uint32_t flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} ehdr_t;

typedef struct {
  uint32_t type, flags;
  uint64_t offset, vaddr, paddr, filesz, memsz, align;
} phdr_t;

typedef struct {
  uint32_t name, type;
  uint64_t flags, addr, offset, size;
  uint32_t link, info;
  uint64_t addralign, entsize;
} shdr_t;

typedef struct {
  uint32_t name;
  uint8_t info, other;
  uint16_t shndx;
  uint64_t value, size;
} sym_t;

typedef struct {
  uint64_t offset, info;
  int64_t addend;
} rela_t;

static uint64_t page_down(uint64_t x) { return x & ~(uint64_t)(PAGE - 1); }
static uint64_t page_up(uint64_t x) { return (x + PAGE - 1) & ~(uint64_t)(PAGE - 1); }

typedef struct {
  uint64_t vaddr, len;  // page-aligned link-time range
  zx_handle_t vmo;
} segment_t;

// Translates a link-time address to a file offset.
static const uint8_t* at_vaddr(const uint8_t* image, size_t size, const phdr_t* ph, int phnum, uint64_t vaddr) {
  for (int i = 0; i < phnum; i++) {
    if (ph[i].type == 1 && vaddr >= ph[i].vaddr && vaddr < ph[i].vaddr + ph[i].filesz) {
      uint64_t off = ph[i].offset + (vaddr - ph[i].vaddr);
      return off < size ? image + off : NULL;
    }
  }
  return NULL;
}

static zx_status_t write_u64(segment_t* segs, int n, uint64_t vaddr, uint64_t value) {
  for (int i = 0; i < n; i++)
    if (vaddr >= segs[i].vaddr && vaddr + 8 <= segs[i].vaddr + segs[i].len)
      return zx_vmo_write(segs[i].vmo, &value, vaddr - segs[i].vaddr, 8);
  return ZX_ERR_OUT_OF_RANGE;
}

static zx_status_t relocate(const uint8_t* image, size_t size, const phdr_t* ph, int phnum, segment_t* segs,
                            int nsegs, uint64_t bias, uint64_t child_vdso) {
  uint64_t rela = 0, relasz = 0, jmprel = 0, pltrelsz = 0, symtab = 0, strtab = 0;
  for (int i = 0; i < phnum; i++) {
    if (ph[i].type != 2 /* PT_DYNAMIC */) continue;
    for (uint64_t o = 0; o + 16 <= ph[i].filesz; o += 16) {
      int64_t tag;
      uint64_t val;
      memcpy(&tag, image + ph[i].offset + o, 8);
      memcpy(&val, image + ph[i].offset + o + 8, 8);
      if (tag == 0) break;
      if (tag == 7) rela = val;
      if (tag == 8) relasz = val;
      if (tag == 23) jmprel = val;
      if (tag == 2) pltrelsz = val;
      if (tag == 6) symtab = val;
      if (tag == 5) strtab = val;
    }
  }
  uint64_t tables[2][2] = {{rela, relasz}, {jmprel, pltrelsz}};
  for (int t = 0; t < 2; t++) {
    for (uint64_t o = 0; o + sizeof(rela_t) <= tables[t][1]; o += sizeof(rela_t)) {
      const uint8_t* p = at_vaddr(image, size, ph, phnum, tables[t][0] + o);
      if (!p) return ZX_ERR_INVALID_ARGS;
      rela_t r;
      memcpy(&r, p, sizeof(r));
      uint32_t type = (uint32_t)r.info, symi = (uint32_t)(r.info >> 32);
      uint64_t value;
      if (type == 0) continue;
      if (type == 8 /* RELATIVE */) {
        value = bias + (uint64_t)r.addend;
      } else if (type == 6 || type == 7 || type == 1) {
        const uint8_t* sp = at_vaddr(image, size, ph, phnum, symtab + (uint64_t)symi * sizeof(sym_t));
        if (!sp) return ZX_ERR_INVALID_ARGS;
        sym_t sym;
        memcpy(&sym, sp, sizeof(sym));
        if (sym.shndx != 0) {
          value = bias + sym.value;
        } else {
          const char* name = (const char*)at_vaddr(image, size, ph, phnum, strtab + sym.name);
          uint64_t v = name ? __zx_sdk_vdso_symbol(name) : 0;
          if (!v && (sym.info >> 4) != 2 /* STB_WEAK */) return ZX_ERR_NOT_FOUND;
          value = v ? child_vdso + v : 0;
        }
        if (type == 1) value += (uint64_t)r.addend;
      } else {
        return ZX_ERR_NOT_SUPPORTED;
      }
      zx_status_t s = write_u64(segs, nsegs, r.offset, value);
      if (s != ZX_OK) return s;
    }
  }
  return ZX_OK;
}

// Builds the processargs message: header, handle infos, arguments.
static uint32_t build_message(uint8_t* msg, size_t cap, const uint32_t* infos, uint32_t nh, int argc,
                              const char* const* argv) {
  zx_proc_args_t pa = {0};
  pa.protocol = ZX_PROCARGS_PROTOCOL;
  pa.version = ZX_PROCARGS_VERSION;
  pa.handle_info_off = sizeof(pa);
  pa.args_off = pa.handle_info_off + 4 * nh;
  pa.args_num = (uint32_t)argc;
  size_t off = pa.args_off;
  memcpy(msg + pa.handle_info_off, infos, 4 * nh);
  for (int i = 0; i < argc; i++) {
    size_t len = strlen(argv[i]) + 1;
    if (off + len > cap) return 0;
    memcpy(msg + off, argv[i], len);
    off += len;
  }
  pa.environ_off = (uint32_t)off;
  memcpy(msg, &pa, sizeof(pa));
  return (uint32_t)off;
}

zx_status_t zx_sdk_launch(zx_handle_t job, const char* name, const void* image_ptr, size_t size, int argc,
                          const char* const* argv, zx_handle_t* process_out) {
  const uint8_t* image = image_ptr;
  const ehdr_t* eh = image_ptr;
  if (size < sizeof(ehdr_t) || memcmp(eh->ident, "\x7f" "ELF", 4) != 0 || eh->ident[4] != 2 || eh->machine != 62 ||
      eh->type != 3 /* ET_DYN */ || eh->phoff + (uint64_t)eh->phnum * sizeof(phdr_t) > size)
    return ZX_ERR_INVALID_ARGS;
  const phdr_t* ph = (const phdr_t*)(image + eh->phoff);
  zx_handle_t vdso;
  zx_status_t s = __zx_sdk_vdso(&vdso, NULL);
  if (s != ZX_OK) return s;

  uint64_t lo = UINT64_MAX, hi = 0;
  for (int i = 0; i < eh->phnum; i++) {
    if (ph[i].type != 1) continue;
    if (page_down(ph[i].vaddr) < lo) lo = page_down(ph[i].vaddr);
    if (page_up(ph[i].vaddr + ph[i].memsz) > hi) hi = page_up(ph[i].vaddr + ph[i].memsz);
  }
  if (lo >= hi) return ZX_ERR_INVALID_ARGS;

  zx_handle_t proc, vmar, loaded, thread, ours, theirs;
  s = zx_process_create(job, name, strlen(name), 0, &proc, &vmar);
  if (s != ZX_OK) return s;
  uintptr_t child_vdso, base, stack;
  s = __zx_sdk_vdso_map(vmar, &child_vdso, NULL);
  if (s == ZX_OK)
    s = zx_vmar_allocate(vmar,
                         ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_EXECUTE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                         hi - lo, &loaded, &base);
  if (s != ZX_OK) goto fail;
  uint64_t bias = base - lo;
  segment_t segs[MAX_SEGMENTS];
  int nsegs = 0;
  for (int i = 0; i < eh->phnum && s == ZX_OK; i++) {
    if (ph[i].type != 1) continue;
    if (nsegs == MAX_SEGMENTS || ph[i].offset + ph[i].filesz > size) {
      s = ZX_ERR_INVALID_ARGS;
      break;
    }
    segment_t* seg = &segs[nsegs++];
    seg->vaddr = page_down(ph[i].vaddr);
    seg->len = page_up(ph[i].vaddr + ph[i].memsz) - seg->vaddr;
    s = zx_vmo_create(seg->len, 0, &seg->vmo);
    if (s == ZX_OK) s = zx_vmo_write(seg->vmo, image + ph[i].offset, ph[i].vaddr - seg->vaddr, ph[i].filesz);
    if (s == ZX_OK && (ph[i].flags & 1)) s = zx_vmo_replace_as_executable(seg->vmo, ZX_HANDLE_INVALID, &seg->vmo);
  }
  if (s == ZX_OK) s = relocate(image, size, ph, eh->phnum, segs, nsegs, bias, child_vdso);
  for (int i = 0, k = 0; i < eh->phnum && s == ZX_OK; i++) {
    if (ph[i].type != 1) continue;
    zx_vm_option_t perms = ZX_VM_SPECIFIC | ZX_VM_PERM_READ;
    if (ph[i].flags & 2) perms |= ZX_VM_PERM_WRITE;
    if (ph[i].flags & 1) perms |= ZX_VM_PERM_EXECUTE;
    uintptr_t addr;
    s = zx_vmar_map(loaded, perms, segs[k].vaddr - lo, segs[k].vmo, 0, segs[k].len, &addr);
    k++;
  }
  for (int i = 0; i < nsegs; i++) zx_handle_close(segs[i].vmo);
  if (s != ZX_OK) goto fail_loaded;

  zx_handle_t stack_vmo;
  s = zx_vmo_create(CHILD_STACK, 0, &stack_vmo);
  if (s != ZX_OK) goto fail_loaded;
  s = zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stack_vmo, 0, CHILD_STACK, &stack);
  zx_handle_close(stack_vmo);
  if (s != ZX_OK) goto fail_loaded;

  s = zx_thread_create(proc, "initial-thread", 14, 0, &thread);
  if (s != ZX_OK) goto fail_loaded;
  // The child's startup handles.
  // The UTC clock is passed on, as Fuchsia's launchers do, when there is one.
  zx_handle_t hs[7];
  uint32_t infos[7] = {PA_HND(PA_PROC_SELF, 0),   PA_HND(PA_THREAD_SELF, 0),
                       PA_HND(PA_VMAR_ROOT, 0),   PA_HND(PA_VMAR_LOADED, 0),
                       PA_HND(PA_JOB_DEFAULT, 0), PA_HND(PA_VMO_VDSO, 0),
                       PA_HND(PA_CLOCK_UTC, 0)};
  zx_handle_t srcs[7] = {proc, thread, vmar, loaded, job, vdso, zx_utc_reference_get()};
  uint32_t want = srcs[6] != ZX_HANDLE_INVALID ? 7 : 6;
  uint32_t nh = 0;
  for (; nh < want; nh++) {
    if (zx_handle_duplicate(srcs[nh], ZX_RIGHT_SAME_RIGHTS, &hs[nh]) != ZX_OK) break;
  }
  static uint8_t msg[8192];
  uint32_t len = build_message(msg, sizeof(msg), infos, nh, argc, argv);
  s = len ? zx_channel_create(0, &ours, &theirs) : ZX_ERR_BUFFER_TOO_SMALL;
  if (s == ZX_OK) {
    s = zx_channel_write(ours, 0, msg, len, hs, nh);
    zx_handle_close(ours);
  } else {
    zx_handle_close_many(hs, nh);
  }
  if (s == ZX_OK) {
    s = zx_process_start(proc, thread, bias + eh->entry, (stack + CHILD_STACK) & ~(uintptr_t)15, theirs,
                         child_vdso);
  } else {
    zx_handle_close(theirs);
  }
  zx_handle_close(thread);
  if (s != ZX_OK) goto fail_loaded;
  zx_handle_close(loaded);
  zx_handle_close(vmar);
  *process_out = proc;
  return ZX_OK;

fail_loaded:
  zx_handle_close(loaded);
fail:
  zx_handle_close(vmar);
  zx_task_kill(proc);
  zx_handle_close(proc);
  return s;
}
