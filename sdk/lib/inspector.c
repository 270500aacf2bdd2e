// <inspector/inspector.h>: thread registers, memory and frame-pointer
// backtraces, printed with Fuchsia's symbolizer markup.
#define _GNU_SOURCE 1
#include <inspector/inspector.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

// Frames a backtrace prints at most.
#define MAX_FRAMES 64

zx_status_t inspector_read_general_regs(zx_handle_t thread, zx_thread_state_general_regs_t* regs) {
  return zx_thread_read_state(thread, ZX_THREAD_STATE_GENERAL_REGS, regs, sizeof(*regs));
}

void inspector_print_general_regs(FILE* f, const zx_thread_state_general_regs_t* r,
                                  const inspector_excp_data_t* excp) {
#if defined(__x86_64__)
  fprintf(f, " RIP: %#18llx EFL: %#18llx", (unsigned long long)r->rip,
          (unsigned long long)r->rflags);
  if (excp != NULL) {
    fprintf(f, " CR2: %#18llx", (unsigned long long)excp->cr2);
  }
  fprintf(f, "\n");
  fprintf(f, " RAX: %#18llx RBX: %#18llx RCX: %#18llx RDX: %#18llx\n",
          (unsigned long long)r->rax, (unsigned long long)r->rbx, (unsigned long long)r->rcx,
          (unsigned long long)r->rdx);
  fprintf(f, " RSI: %#18llx RDI: %#18llx RBP: %#18llx RSP: %#18llx\n",
          (unsigned long long)r->rsi, (unsigned long long)r->rdi, (unsigned long long)r->rbp,
          (unsigned long long)r->rsp);
  fprintf(f, "  R8: %#18llx  R9: %#18llx R10: %#18llx R11: %#18llx\n", (unsigned long long)r->r8,
          (unsigned long long)r->r9, (unsigned long long)r->r10, (unsigned long long)r->r11);
  fprintf(f, " R12: %#18llx R13: %#18llx R14: %#18llx R15: %#18llx\n",
          (unsigned long long)r->r12, (unsigned long long)r->r13, (unsigned long long)r->r14,
          (unsigned long long)r->r15);
  fprintf(f, " fs.base: %#llx gs.base: %#llx\n", (unsigned long long)r->fs_base,
          (unsigned long long)r->gs_base);
  if (excp != NULL) {
    fprintf(f, " errc: %#llx vector: %llu\n", (unsigned long long)excp->err_code,
            (unsigned long long)excp->vector);
  }
#else
  (void)r;
  (void)excp;
  fprintf(f, " (registers of this architecture are not printed)\n");
#endif
}

void inspector_print_memory(FILE* f, zx_handle_t process, zx_vaddr_t addr, size_t length,
                            enum inspector_print_memory_format format) {
  uint8_t line[16];
  for (size_t off = 0; off < length; off += sizeof(line)) {
    size_t want = length - off < sizeof(line) ? length - off : sizeof(line);
    size_t got = 0;
    zx_status_t s = zx_process_read_memory(process, addr + off, line, want, &got);
    if (s != ZX_OK || got == 0) {
      fprintf(f, "%#018llx: (not readable: %s)\n", (unsigned long long)(addr + off),
              zx_status_get_string(s != ZX_OK ? s : ZX_ERR_NOT_FOUND));
      return;
    }
    fprintf(f, "%#018llx:", (unsigned long long)(addr + off));
    if (format == Hex32) {
      for (size_t i = 0; i + 4 <= got; i += 4) {
        uint32_t w;
        memcpy(&w, line + i, 4);
        fprintf(f, " %08x", w);
      }
    } else {
      for (size_t i = 0; i < got; i++) {
        fprintf(f, " %02x", line[i]);
      }
    }
    fprintf(f, "\n");
    if (got < want) {
      return;
    }
  }
}

// The calling process's own ELF image(s), as markup modules.
struct markup_state {
  FILE* f;
  unsigned id;
};

static void print_build_id(FILE* f, const struct dl_phdr_info* info) {
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr)* ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_NOTE) {
      continue;
    }
    const uint8_t* p = (const uint8_t*)(info->dlpi_addr + ph->p_vaddr);
    const uint8_t* end = p + ph->p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      const ElfW(Nhdr)* n = (const ElfW(Nhdr)*)p;
      const uint8_t* name = p + sizeof(*n);
      const uint8_t* desc = name + ((n->n_namesz + 3) & ~3u);
      if (desc + n->n_descsz > end) {
        break;
      }
      if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
        for (uint32_t j = 0; j < n->n_descsz; j++) {
          fprintf(f, "%02x", desc[j]);
        }
        return;
      }
      p = desc + ((n->n_descsz + 3) & ~3u);
    }
  }
}

static int print_module(struct dl_phdr_info* info, size_t size, void* arg) {
  (void)size;
  struct markup_state* st = arg;
  const char* name = info->dlpi_name != NULL && info->dlpi_name[0] != '\0' ? info->dlpi_name
                                                                          : "<application>";
  fprintf(st->f, "{{{module:%u:%s:elf:", st->id, name);
  print_build_id(st->f, info);
  fprintf(st->f, "}}}\n");
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr)* ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD) {
      continue;
    }
    uintptr_t start = (info->dlpi_addr + ph->p_vaddr) & ~(uintptr_t)0xfff;
    uintptr_t end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + 0xfff) & ~(uintptr_t)0xfff;
    fprintf(st->f, "{{{mmap:%#lx:%#lx:load:%u:%s%s%s:%#lx}}}\n", (unsigned long)start,
            (unsigned long)(end - start), st->id, (ph->p_flags & PF_R) ? "r" : "",
            (ph->p_flags & PF_W) ? "w" : "", (ph->p_flags & PF_X) ? "x" : "",
            (unsigned long)(ph->p_vaddr & ~(uintptr_t)0xfff));
  }
  st->id++;
  return 0;
}

static zx_koid_t koid_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL) != ZX_OK) {
    return ZX_KOID_INVALID;
  }
  return info.koid;
}

void inspector_print_markup_context(FILE* f, zx_handle_t process) {
  fprintf(f, "{{{reset}}}\n");
  zx_koid_t koid = koid_of(process);
  if (koid != ZX_KOID_INVALID && koid == koid_of(zx_process_self())) {
    struct markup_state st = {f, 0};
    dl_iterate_phdr(print_module, &st);
  }
}

void inspector_print_backtrace_markup(FILE* f, zx_handle_t process, zx_handle_t thread) {
  zx_thread_state_general_regs_t regs;
  zx_status_t s = inspector_read_general_regs(thread, &regs);
  if (s != ZX_OK) {
    fprintf(f, "inspector: cannot read the thread's registers: %s\n", zx_status_get_string(s));
    return;
  }
#if defined(__x86_64__)
  fprintf(f, "{{{bt:0:%#lx:pc}}}\n", (unsigned long)regs.rip);
  // Each frame: [fp] = the caller's fp, [fp + 8] = the return address.
  // Frames must move up the stack; a zero or unreadable link ends the walk.
  uint64_t fp = regs.rbp;
  for (int n = 1; n < MAX_FRAMES && fp != 0 && (fp & 7) == 0; n++) {
    uint64_t link[2];
    size_t got = 0;
    if (zx_process_read_memory(process, fp, link, sizeof(link), &got) != ZX_OK ||
        got != sizeof(link) || link[1] == 0) {
      break;
    }
    fprintf(f, "{{{bt:%d:%#lx:ra}}}\n", n, (unsigned long)link[1]);
    if (link[0] <= fp) {
      break;
    }
    fp = link[0];
  }
#else
  (void)process;
#endif
}

void inspector_print_debug_info(FILE* out, zx_handle_t process, zx_handle_t thread) {
  zx_exception_report_t report;
  bool in_exception = zx_object_get_info(thread, ZX_INFO_THREAD_EXCEPTION_REPORT, &report,
                                         sizeof(report), NULL, NULL) == ZX_OK;
  char pname[ZX_MAX_NAME_LEN] = "";
  char tname[ZX_MAX_NAME_LEN] = "";
  zx_object_get_property(process, ZX_PROP_NAME, pname, sizeof(pname));
  zx_object_get_property(thread, ZX_PROP_NAME, tname, sizeof(tname));
  if (in_exception) {
    fprintf(out, "<== exception %#x: process %s[%llu] thread %s[%llu]\n", report.header.type,
            pname, (unsigned long long)koid_of(process), tname,
            (unsigned long long)koid_of(thread));
    zx_thread_state_general_regs_t regs;
    if (inspector_read_general_regs(thread, &regs) == ZX_OK) {
#if defined(__x86_64__)
      inspector_print_general_regs(out, &regs, &report.context.arch.u.x86_64);
      fprintf(out, "bottom of user stack:\n");
      inspector_print_memory(out, process, regs.rsp, 256, Hex32);
#endif
    }
  } else {
    fprintf(out, "<== backtrace: process %s[%llu] thread %s[%llu]\n", pname,
            (unsigned long long)koid_of(process), tname, (unsigned long long)koid_of(thread));
  }
  inspector_print_markup_context(out, process);
  inspector_print_backtrace_markup(out, process, thread);
}

void inspector_print_debug_info_for_all_threads(FILE* out, zx_handle_t process) {
  size_t count = 0, avail = 0;
  if (zx_object_get_info(process, ZX_INFO_PROCESS_THREADS, NULL, 0, &count, &avail) != ZX_OK) {
    fprintf(out, "inspector: cannot list the process's threads\n");
    return;
  }
  zx_koid_t* koids = calloc(avail ? avail : 1, sizeof(zx_koid_t));
  if (koids == NULL ||
      zx_object_get_info(process, ZX_INFO_PROCESS_THREADS, koids, avail * sizeof(zx_koid_t),
                         &count, &avail) != ZX_OK) {
    free(koids);
    fprintf(out, "inspector: cannot list the process's threads\n");
    return;
  }
  // Pass 0: threads in an exception; pass 1: the rest.
  for (int pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i < count; i++) {
      zx_handle_t t;
      if (zx_object_get_child(process, koids[i], ZX_RIGHT_SAME_RIGHTS, &t) != ZX_OK) {
        continue;
      }
      zx_exception_report_t report;
      bool in_exception = zx_object_get_info(t, ZX_INFO_THREAD_EXCEPTION_REPORT, &report,
                                             sizeof(report), NULL, NULL) == ZX_OK;
      if (in_exception == (pass == 0)) {
        inspector_print_debug_info(out, process, t);
      }
      zx_handle_close(t);
    }
  }
  free(koids);
}
