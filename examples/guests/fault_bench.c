// Times the faults that need the emulator; prints "NAME NS" lines.
//
// Arguments: CHUNKS EXCEPTIONS.
//   chunk_first_touch  ns per first touch of an unbacked 2 MiB chunk (one
//                      host SIGSEGV, the emulator's resolver, one mmap)
//   backed_page_touch  ns per first touch of a 4 KiB page inside a chunk
//                      that is already backed (Linux alone, no signal)
//   ud2_resume         ns per ud2 caught by a handler thread on the
//                      thread's exception channel, skipped and resumed
//   fault_resume       the same for a load from an unmapped address (a
//                      fatal page fault), skipped and resumed
//   pager_fault        ns per first touch of a page of a pager-backed VMO
//                      served by a pager thread (fault, page request on the
//                      port, zx_pager_supply_pages, resume)
#include <stdint.h>
#include <stdio.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/port.h>

#define CHUNK (2u * 1024u * 1024u)
#define PAGE 4096u
#define STACK 65536u
// Chunks whose other pages are touched for backed_page_touch (bounds the
// memory the bench commits: 16 x 2 MiB).
#define BACKED_CHUNKS 16

static long parse(const char* s) {
  long v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return v;
}

static void report(const char* name, zx_ticks_t ticks, long n) {
  double ns = (double)ticks * 1e9 / (double)zx_ticks_per_second() / (double)n;
  long ps = (long)(ns * 1000.0);
  printf("%s %ld.%03ld\n", name, ps / 1000, ps % 1000);
}

static int fail(const char* what, zx_status_t s) {
  printf("FAILED %s: %d\n", what, s);
  return 1;
}

// Runs `ud2` n times (n > 0); each one must be skipped by a handler.
void ud2_loop(long n);
__asm__(
    ".text\n"
    ".globl ud2_loop\n"
    "ud2_loop:\n"
    "1:\n"
    "  ud2\n"
    "  dec %rdi\n"
    "  jnz 1b\n"
    "  ret\n");

// Loads from the unmapped address `p` n times (n > 0); each load (2 bytes,
// 8a 06) must be skipped by a handler.
void fault_loop(long n, uintptr_t p);
__asm__(
    ".text\n"
    ".globl fault_loop\n"
    "fault_loop:\n"
    "1:\n"
    "  movb (%rsi), %al\n"
    "  dec %rdi\n"
    "  jnz 1b\n"
    "  ret\n");

// The pager thread of pager_fault: serves `pages` read requests, each
// from the auxiliary VMO at the same offset.
static zx_handle_t g_pager, g_port, g_pvmo, g_aux;
static volatile zx_status_t g_pager_status = ZX_OK;

static void pager_thread(uintptr_t pages, uintptr_t unused) {
  (void)unused;
  zx_status_t s = ZX_OK;
  uintptr_t served = 0;
  while (served < pages && s == ZX_OK) {
    zx_port_packet_t p;
    s = zx_port_wait(g_port, ZX_TIME_INFINITE, &p);
    if (s != ZX_OK) break;
    if (p.type != ZX_PKT_TYPE_PAGE_REQUEST || p.page_request.command != ZX_PAGER_VMO_READ) continue;
    s = zx_pager_supply_pages(g_pager, g_pvmo, p.page_request.offset, p.page_request.length, g_aux,
                              p.page_request.offset);
    served += p.page_request.length / PAGE;
  }
  g_pager_status = s;
  zx_thread_exit();
}

static zx_handle_t g_channel;
static zx_handle_t g_thread;
static volatile zx_status_t g_handler_status = ZX_OK;

// The handler thread: resumes `count` exceptions past their ud2, then
// `count` past their faulting load, then exits.
static void handler(uintptr_t count, uintptr_t unused) {
  (void)unused;
  zx_status_t s = ZX_OK;
  for (uintptr_t i = 0; i < 2 * count && s == ZX_OK; i++) {
    zx_exception_info_t info;
    zx_handle_t exc;
    uint32_t nb, nh;
    zx_thread_state_general_regs_t regs;
    uint32_t state = ZX_EXCEPTION_STATE_HANDLED;
    s = zx_object_wait_one(g_channel, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL);
    if (s == ZX_OK) s = zx_channel_read(g_channel, 0, &info, &exc, sizeof(info), 1, &nb, &nh);
    if (s != ZX_OK) break;
    if (info.type != (i < count ? ZX_EXCP_UNDEFINED_INSTRUCTION : ZX_EXCP_FATAL_PAGE_FAULT))
      s = ZX_ERR_BAD_STATE;
    if (s == ZX_OK) s = zx_thread_read_state(g_thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs));
    regs.rip += 2;
    if (s == ZX_OK) s = zx_thread_write_state(g_thread, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs));
    if (s == ZX_OK) s = zx_object_set_property(exc, ZX_PROP_EXCEPTION_STATE, &state, sizeof(state));
    zx_handle_close(exc);
  }
  g_handler_status = s;
  zx_thread_exit();
}

int main(int argc, char** argv) {
  long chunks = argc > 1 ? parse(argv[1]) : 64;
  long exceptions = argc > 2 ? parse(argv[2]) : 1000;
  if (chunks < 1) chunks = 1;
  if (exceptions < 1) exceptions = 1;
  zx_status_t s;

  // 1. First touch of each 2 MiB chunk of a fresh mapping.
  zx_handle_t vmo;
  uintptr_t base = 0;
  uint64_t size = (uint64_t)chunks * CHUNK;
  if ((s = zx_vmo_create(size, 0, &vmo)) != ZX_OK) return fail("zx_vmo_create", s);
  s = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, size, &base);
  if (s != ZX_OK) return fail("zx_vmar_map", s);
  volatile uint8_t* p = (volatile uint8_t*)base;
  zx_ticks_t t0 = zx_ticks_get();
  for (long i = 0; i < chunks; i++) p[(uint64_t)i * CHUNK] = 1;
  report("chunk_first_touch", zx_ticks_get() - t0, chunks);

  // 2. First touch of every other page of a few of those (now backed)
  // chunks.
  long backed = chunks < BACKED_CHUNKS ? chunks : BACKED_CHUNKS;
  t0 = zx_ticks_get();
  for (long i = 0; i < backed; i++)
    for (uint64_t off = PAGE; off < CHUNK; off += PAGE) p[(uint64_t)i * CHUNK + off] = 1;
  report("backed_page_touch", zx_ticks_get() - t0, backed * (long)(CHUNK / PAGE - 1));
  zx_vmar_unmap(zx_vmar_root_self(), base, size);
  zx_handle_close(vmo);

  // 3. ud2 on this thread, caught on its exception channel by a handler
  // thread that skips it and resumes.
  g_thread = zx_thread_self();
  if ((s = zx_task_create_exception_channel(g_thread, 0, &g_channel)) != ZX_OK)
    return fail("zx_task_create_exception_channel", s);
  zx_handle_t stack_vmo, t;
  uintptr_t stack = 0;
  if ((s = zx_vmo_create(STACK, 0, &stack_vmo)) != ZX_OK) return fail("zx_vmo_create(stack)", s);
  s = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stack_vmo, 0, STACK, &stack);
  if (s != ZX_OK) return fail("zx_vmar_map(stack)", s);
  zx_handle_close(stack_vmo);
  if ((s = zx_thread_create(zx_process_self(), "handler", 7, 0, &t)) != ZX_OK) return fail("zx_thread_create", s);
  s = zx_thread_start(t, (uintptr_t)handler, stack + STACK - 8, (uintptr_t)exceptions, 0);
  if (s != ZX_OK) return fail("zx_thread_start", s);
  t0 = zx_ticks_get();
  ud2_loop(exceptions);
  zx_ticks_t t1 = zx_ticks_get();
  // Page 1 is in no mapping (nor window): a fatal page fault every time.
  zx_ticks_t t2 = zx_ticks_get();
  fault_loop(exceptions, 0x1000);
  zx_ticks_t t3 = zx_ticks_get();
  zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL);
  zx_handle_close(t);
  zx_handle_close(g_channel);
  if (g_handler_status != ZX_OK) return fail("handler", g_handler_status);
  report("ud2_resume", t1 - t0, exceptions);
  report("fault_resume", t3 - t2, exceptions);

  // 4. First touch of each page of a pager-backed VMO, served by a pager
  // thread from an auxiliary VMO (at most 16 MiB).
  long pages = exceptions < 4096 ? exceptions : 4096;
  uint64_t psize = (uint64_t)pages * PAGE;
  if ((s = zx_pager_create(0, &g_pager)) != ZX_OK) return fail("zx_pager_create", s);
  if ((s = zx_port_create(0, &g_port)) != ZX_OK) return fail("zx_port_create", s);
  if ((s = zx_pager_create_vmo(g_pager, 0, g_port, 1, psize, &g_pvmo)) != ZX_OK)
    return fail("zx_pager_create_vmo", s);
  if ((s = zx_vmo_create(psize, 0, &g_aux)) != ZX_OK) return fail("zx_vmo_create(aux)", s);
  if ((s = zx_vmo_op_range(g_aux, ZX_VMO_OP_COMMIT, 0, psize, NULL, 0)) != ZX_OK) return fail("commit(aux)", s);
  s = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, g_pvmo, 0, psize, &base);
  if (s != ZX_OK) return fail("zx_vmar_map(pager)", s);
  if ((s = zx_thread_create(zx_process_self(), "pager", 5, 0, &t)) != ZX_OK) return fail("zx_thread_create", s);
  s = zx_thread_start(t, (uintptr_t)pager_thread, stack + STACK - 8, (uintptr_t)pages, 0);
  if (s != ZX_OK) return fail("zx_thread_start(pager)", s);
  p = (volatile uint8_t*)base;
  uint8_t sum = 0;
  t0 = zx_ticks_get();
  for (long i = 0; i < pages; i++) sum += p[(uint64_t)i * PAGE];
  t1 = zx_ticks_get();
  zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL);
  zx_handle_close(t);
  if (g_pager_status != ZX_OK) return fail("pager thread", g_pager_status);
  if (sum != 0) return fail("pager pages", ZX_ERR_INTERNAL);
  report("pager_fault", t1 - t0, pages);
  return 0;
}
