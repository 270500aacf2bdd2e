// A bounded-time syscall fuzzer run from inside a guest.
//
//   fuzz_syscalls.elf SEED ITERATIONS BUDGET_MS [threads=N] [park] [trace]
//                     [stats] [watch]
//
// It builds a pool of handles of its own (VMOs, resizable and not, a
// duplicate of its scratch VMO, sub-VMARs of a private arena, channels,
// events, event pairs, a port, streams (read-write over the resizable VMO,
// read-only over scratch), stream and datagram sockets, FIFOs, never-started
// child processes with their root
// VMARs and threads, reduced-rights duplicates, the "crash child" family
// below, and whatever successful calls hand back, exception objects read
// from exception channels among them), then calls random vDSO functions through a table of function
// pointers (eight 64-bit arguments each: the unused ones are harmless in the
// SysV ABI) with random arguments: pool handles (of the expected type more
// often than not), ZX_HANDLE_INVALID, closed and random values, 32-bit
// arguments with garbage in the upper half; pointers into a scratch mapping,
// its guard pages, an unmapped reservation, random holes of its own window,
// its read-only code and data, NULL, small and host addresses, other
// processes' windows, misaligned; sizes from 0 to huge; option bits in and
// out of the valid set, and now and then arguments rewritten to be plausible
// so that calls get past their argument checks. Raw calls with unknown
// syscall numbers go through the vDSO's entry slot. Each of N threads (1 to
// 4; default 1) stops after ITERATIONS calls or BUDGET_MS milliseconds.
//
// What it never does, so that it cannot kill, hang or corrupt itself on
// purpose: pass a zx_iovec_t array that is not one of its own (the arrays
// live in a private page of their own, see gen_iov, so a stream call never
// takes a buffer address from memory random calls wrote); pass its own
// process, thread, root VMAR or job handle (or any of
// its private handles); pass a pointer to its stack, globals or pool, or one
// to its code or read-only data with a size that reaches its globals (the
// emulator may rightly copy them out, private handle values included, to
// where later calls take handle arrays from); call zx_process_exit or
// zx_thread_exit; pass a deadline more than a few milliseconds away; let a
// child run anything but a fault loop of its own. A child running random
// code could write anywhere in the emulator (guest memory is not isolated
// from the host's), so a failure would mean nothing.
//
// Real exceptions come from one started child, the crash child (see "The
// crash child" below): in a job of its own, its one thread faults for ever
// in a loop of a few bytes (ud2, a NULL load, int3, cli). Exception channels
// on its thread, on it (in some generations a debugger channel on it or its
// job) and on its job are pool handles, as are duplicates of its job,
// process and thread handles, so random reads bring exception objects into
// the pool, and random calls get their thread and process, read and set the
// exception properties, read and write the stopped thread's registers
// (random topics and contents; rip only ever one of the loops, or a value
// that must be refused or that faults on fetch), pass them through channels,
// close them, or kill the child or the job (a kill of the thread is
// WRONG_TYPE, as on Zircon). An exception nobody handles kills the child
// only; the periodic sweep makes a new one.
//
// Commit-heavy operations (COMMIT, MAP_RANGE, PREFETCH...) get sizes of at
// most 1 MiB or sizes so large they must fail: the host has no commit quota,
// so a 1 TiB commit that Zircon would answer with NO_MEMORY would exhaust
// the host's memory here.
//
// In-loop oracles: every status is 0 or a known ZX_ERR_*, sign-extended to
// 64 bits; unknown syscall numbers answer BAD_SYSCALL; a call with a near
// deadline returns within SLOW_CALL_NS; the page size, CPU count, tick rate,
// monotonic clock and zx_deadline_after (saturating) are sane; the canary
// page after the scratch guard stays intact; the private handles stay valid.
// With one thread also: a failed zx_vmar_map/unmap/protect/allocate/destroy
// leaves our ZX_INFO_PROCESS_MAPS as it was; a failed call that consumed and
// waited for nothing, and names nothing that changes by itself (exceptions,
// jobs, the crash child and its threads, exception channels), fails the
// same way when made again; every 128 calls, a
// page of each of our mappings of a pool VMO, read through the mapping
// (zx_process_read_memory), equals the VMO's page (zx_vmo_read).
//
// Afterwards it checks what it can see: its ZX_INFO_PROCESS_MAPS (and a
// child's) is sorted, nested and inside its root VMAR; its scratch mapping
// and the backing VMO agree both ways; canaries in its globals and on its
// stack, its code and its read-only data are untouched; every surviving pool
// handle answers ZX_INFO_HANDLE_BASIC with the type it should have; events,
// channels and VMOs still work; the crash machinery's own handles are valid,
// the live crash child answers ZX_INFO_PROCESS and its thread
// ZX_INFO_THREAD, and killing the crash job ends job, child and thread
// within 5 s, each reporting so. It prints one summary line ("fuzz: seed=..."
// with counts per status) and "fuzz: PASS" or "fuzz: FAIL N".
//
// Options: "park" raises ZX_USER_SIGNAL_0 on its own process after the checks
// and waits (at most 10 s) for ZX_USER_SIGNAL_1, so that a host test can
// inspect the emulator's state of the address space while the guest is
// alive. "trace" prints every call before making it and its result after (to
// minimise a failure: replay with the seed and the summary's call count).
// "stats" prints calls and successes per syscall. "watch" checks after every
// call that no private handle value reached scratch and that the private
// handles are valid (slow). The exit status is 0 if every check passed.
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/status.h>
#include <zircon/syscalls-next.h>
#include <zircon/testonly-syscalls.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>
#include <zircon/time.h>

#define PAGE 4096ul
#define KIB 1024ul
#define MIB (1024ul * 1024ul)

// The private layout: [guard][scratch][guard][canary][guard] in one region.
#define SCRATCH_SIZE (256ul * KIB)
#define SCRATCH_REGION (SCRATCH_SIZE + 4 * PAGE)
// An arena whose sub-VMARs the pool holds, and a reservation never mapped.
#define SUB_SIZE (4ul * MIB)
#define ARENA_SIZE (4 * SUB_SIZE)
#define HOLE_SIZE (1ul * MIB)
// Commit-heavy operations stay below this (see the file comment).
#define COMMIT_CAP (1ul * MIB)
// Child processes each take a 1 TiB window of the emulator (126 in all) while
// they live; the pool keeps a few alive at a time, and remembers the root
// VMAR bases of the last CHILD_BASES.
#define CHILD_BASES 8
// A call with a deadline of at most a few ms must not take longer than this.
#define SLOW_CALL_NS (500ll * 1000 * 1000)

#define VM_MASK                                                                               \
  (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE | ZX_VM_COMPACT | ZX_VM_SPECIFIC | \
   ZX_VM_SPECIFIC_OVERWRITE | ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_CAN_MAP_READ |                  \
   ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_EXECUTE | ZX_VM_MAP_RANGE |                          \
   ZX_VM_REQUIRE_NON_RESIZABLE | ZX_VM_ALLOW_FAULTS | ZX_VM_OFFSET_IS_UPPER_LIMIT)

// Statuses counted (by -status), entries of the syscall table, fuzzing
// threads.
#define N_STATUS 80
#define MAX_CALLS 160
#define MAX_THREADS 4

// ---- Per-thread state -----------------------------------------------------------

// What one fuzzing thread owns: its random stream, its clock reading, its
// slice of scratch for structured inputs, its statistics.
struct fz {
  int index;
  uint64_t rng;
  zx_instant_mono_t now;  // refreshed every iteration
  uintptr_t prep_base;    // structured inputs of the current call go here
  unsigned prep_used;
  uint64_t iterations;    // how many calls this thread may make
  zx_instant_mono_t end;  // and until when
  uint64_t calls, values, odd_status;
  uint64_t status_count[N_STATUS];  // by -status
  uint32_t per_call[MAX_CALLS][2];  // calls, ZX_OK
  int64_t last_clock;
};

// ---- Random numbers ----------------------------------------------------------

// splitmix64.
static uint64_t rnd(struct fz* f) {
  uint64_t z = (f->rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static uint64_t below(struct fz* f, uint64_t n) { return n ? rnd(f) % n : 0; }

static int chance(struct fz* f, unsigned percent) { return below(f, 100) < percent; }

// ---- Private state (never passed to a fuzzed call) ------------------------------

static int g_trace;
static int g_stats;  // print calls and successes per syscall at the end
static int g_watch;  // check the private handles after every call
static zx_handle_t g_root;          // zx_vmar_root_self()
static zx_info_vmar_t g_root_info;  // its range
static zx_handle_t g_scratch_vmar;  // the region holding scratch and canary
static zx_handle_t g_scratch_vmo;   // backs the scratch mapping
static zx_handle_t g_canary_vmo;
static uint8_t* g_scratch;          // SCRATCH_SIZE bytes, read-write
static uint8_t* g_canary;           // one page
static zx_handle_t g_hole;          // a reservation nothing is mapped into
static uintptr_t g_hole_base;
// A page of our own (followed by an unmapped one) holding each fuzzing
// thread's zx_iovec_t array; see gen_iov().
static uintptr_t g_iov_page;
static zx_handle_t g_arena_outer;   // the arena and a guard page either side
static zx_handle_t g_arena;         // sub-VMARs of the pool live here
static uintptr_t g_arena_base;

// Our own mappings (outside the arena) at setup: random "holes of the
// window" keep a margin from them.
#define MAX_OWN 64
static struct {
  uintptr_t base, end;
} g_own[MAX_OWN];
static size_t g_own_count;

// Root VMAR bases of the children made so far (pointers into other windows).
static uintptr_t g_child_base[CHILD_BASES];
static unsigned g_children;
static uintptr_t g_cur_child_base;  // the child in the K_PROCESS slot

// Canaries in our globals and a checksum of our code and read-only data.
static uint64_t g_data_canary[64];
static const char k_rodata[] = "read-only data the fuzzer points at; it must not change";
static uint64_t g_code_sum, g_rodata_sum;

// Our ELF image: text and read-only data below `g_elf_rw`, our globals from
// there on.
static uintptr_t g_elf_lo, g_elf_rw;

static int g_failures;

// The extra fuzzing threads (private too).
static zx_handle_t g_worker[MAX_THREADS];
static int g_threads = 1;

// One lock for what the fuzzing threads change together: the pool, the stale
// values, the children's bases, and stdout (the SDK's printf is not
// thread-safe). Held only around short bookkeeping, never around a fuzzed
// call. The argument generators read pool slots, stale values and bases
// without it: they are single words, and a value a moment out of date is
// just another random argument.
static int g_lock_word;

static void lock(void) {
  while (__atomic_exchange_n(&g_lock_word, 1, __ATOMIC_ACQUIRE)) zx_nanosleep(0);
}

static void unlock(void) { __atomic_store_n(&g_lock_word, 0, __ATOMIC_RELEASE); }

// Reports a failed check (the first 20 are printed).
__attribute__((format(printf, 1, 2))) static void fail(const char* fmt, ...) {
  lock();
  if (g_failures++ < 20) {
    va_list ap;
    va_start(ap, fmt);
    printf("fuzz: check failed: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
  }
  unlock();
}
#define FAIL(...) fail(__VA_ARGS__)

// The handles no fuzzed call may see; returns how many.
#define MAX_PRIVATE (10 + MAX_THREADS)
static size_t private_handles(zx_handle_t* out) {
  size_t n = 0;
  out[n++] = zx_process_self();
  out[n++] = zx_thread_self();
  out[n++] = zx_vmar_root_self();
  out[n++] = zx_job_default();
  out[n++] = g_scratch_vmar;
  out[n++] = g_scratch_vmo;
  out[n++] = g_canary_vmo;
  out[n++] = g_hole;
  out[n++] = g_arena;
  out[n++] = g_arena_outer;
  for (int t = 1; t < g_threads; t++) out[n++] = g_worker[t];
  return n;
}

static int is_private(zx_handle_t h) {
  zx_handle_t hs[MAX_PRIVATE];
  size_t n = private_handles(hs);
  for (size_t i = 0; i < n; i++)
    if (h == hs[i]) return 1;
  return 0;
}

// ---- The handle pool ------------------------------------------------------------

enum kind {
  K_VMO,
  K_VMO_RESIZABLE,
  K_VMO_BIG,          // 1 GiB, lazily committed
  K_VMO_SCRATCH,      // a duplicate of the scratch VMO: changes what we read
  K_VMO_RO,           // read-only rights
  K_SUBVMAR,          // a sub-VMAR of the arena
  K_SUBVMAR_RO,       // the same with read rights only
  K_CHANNEL,
  K_CHANNEL_PEER,
  K_CHANNEL_NOXFER,   // no TRANSFER right
  K_EVENT,
  K_EVENT_WAITONLY,   // no SIGNAL right
  K_EVENTPAIR,
  K_EVENTPAIR_PEER,
  K_PORT,
  K_SOCKET,           // a stream socket's two ends
  K_SOCKET_PEER,
  K_SOCKET_DGRAM,     // a datagram socket's two ends
  K_SOCKET_DGRAM_PEER,
  K_FIFO,             // a FIFO of 16 elements of 8 bytes, both ends
  K_FIFO_PEER,
  K_PROCESS,          // a child created with zx_process_create, never started
  K_PROCESS_INSPECT,  // the same, basic rights only
  K_CHILD_VMAR,       // a child's root VMAR
  K_THREAD,           // a thread of the child, never started
  // The crash family (see "The crash child" below): duplicates of the
  // machinery's handles to the crash job, the crash child and its thread,
  // and the exception channels bound on them.
  K_CRASH_JOB,
  K_CRASH_PROC,
  K_CRASH_THREAD,
  K_EXC_THREAD_CH,    // the crash thread's exception channel
  K_EXC_PROC_CH,      // the crash child's
  K_EXC_DEBUG_CH,     // a debugger channel (process or job) in some generations
  K_EXC_JOB_CH,       // the crash job's
  K_STREAM,           // a read-write stream over the resizable VMO
  K_STREAM_RO,        // a read-only stream over the scratch VMO
  N_CORE,
};
#define N_EXTRA 16
#define N_SLOTS (N_CORE + N_EXTRA)

static const char* const k_kind_name[N_CORE] = {
    "vmo",     "vmo-resizable", "vmo-big",      "vmo-scratch",   "vmo-ro",
    "subvmar", "subvmar-ro",    "channel",      "channel-peer",  "channel-noxfer",
    "event",   "event-waitonly", "eventpair",   "eventpair-peer", "port",
    "socket",  "socket-peer",   "socket-dgram", "socket-dgram-peer", "fifo", "fifo-peer",
    "process", "process-inspect", "child-vmar", "thread",
    "crash-job", "crash-process", "crash-thread", "exc-thread-channel", "exc-process-channel",
    "exc-debugger-channel", "exc-job-channel", "stream", "stream-ro",
};

static const zx_obj_type_t k_kind_type[N_CORE] = {
    ZX_OBJ_TYPE_VMO,     ZX_OBJ_TYPE_VMO,       ZX_OBJ_TYPE_VMO,       ZX_OBJ_TYPE_VMO,
    ZX_OBJ_TYPE_VMO,     ZX_OBJ_TYPE_VMAR,      ZX_OBJ_TYPE_VMAR,      ZX_OBJ_TYPE_CHANNEL,
    ZX_OBJ_TYPE_CHANNEL, ZX_OBJ_TYPE_CHANNEL,   ZX_OBJ_TYPE_EVENT,     ZX_OBJ_TYPE_EVENT,
    ZX_OBJ_TYPE_EVENTPAIR, ZX_OBJ_TYPE_EVENTPAIR, ZX_OBJ_TYPE_PORT,
    ZX_OBJ_TYPE_SOCKET,  ZX_OBJ_TYPE_SOCKET,    ZX_OBJ_TYPE_SOCKET,    ZX_OBJ_TYPE_SOCKET,
    ZX_OBJ_TYPE_FIFO,    ZX_OBJ_TYPE_FIFO,      ZX_OBJ_TYPE_PROCESS,
    ZX_OBJ_TYPE_PROCESS, ZX_OBJ_TYPE_VMAR,      ZX_OBJ_TYPE_THREAD,    ZX_OBJ_TYPE_JOB,
    ZX_OBJ_TYPE_PROCESS, ZX_OBJ_TYPE_THREAD,    ZX_OBJ_TYPE_CHANNEL,   ZX_OBJ_TYPE_CHANNEL,
    ZX_OBJ_TYPE_CHANNEL, ZX_OBJ_TYPE_CHANNEL,   ZX_OBJ_TYPE_STREAM,    ZX_OBJ_TYPE_STREAM,
};

// Written under the lock; read without it by the argument generators.
static zx_handle_t g_pool[N_SLOTS];
static zx_obj_type_t g_type[N_SLOTS];  // the type of each slot's object

static zx_handle_t slot(int i) { return __atomic_load_n(&g_pool[i], __ATOMIC_RELAXED); }

static void set_slot(int i, zx_handle_t h, zx_obj_type_t type) {
  __atomic_store_n(&g_type[i], type, __ATOMIC_RELAXED);
  __atomic_store_n(&g_pool[i], h, __ATOMIC_RELAXED);
}

// How many exception objects the pool has taken in (from channel reads).
static uint64_t g_exceptions_seen;

// Values closed or consumed earlier ("use after close").
#define N_STALE 32
static zx_handle_t g_stale[N_STALE];
static unsigned g_stale_next;

static void forget(zx_handle_t h) {
  if (h == ZX_HANDLE_INVALID) return;
  g_stale[g_stale_next++ % N_STALE] = h;
}

static int in_pool(zx_handle_t h) {
  for (int i = 0; i < N_SLOTS; i++)
    if (g_pool[i] == h) return 1;
  return 0;
}

static int handle_valid(zx_handle_t h) {
  return h != ZX_HANDLE_INVALID &&
         zx_object_get_info(h, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL) == ZX_OK;
}

// Keeps `h` in a free extra slot, or closes it.
static void adopt(zx_handle_t h) {
  if (h == ZX_HANDLE_INVALID || is_private(h) || in_pool(h) || !handle_valid(h)) return;
  for (int i = N_CORE; i < N_SLOTS; i++) {
    if (g_pool[i] == ZX_HANDLE_INVALID) {
      zx_info_handle_basic_t info = {0};
      zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL);
      if (info.type == ZX_OBJ_TYPE_EXCEPTION) g_exceptions_seen++;
      set_slot(i, h, info.type);
      return;
    }
  }
  zx_handle_close(h);
  forget(h);
}

static zx_handle_t reduced(zx_handle_t h, zx_rights_t rights) {
  zx_handle_t out = ZX_HANDLE_INVALID;
  // A failed replace has closed h already (as on Zircon).
  if (zx_handle_replace(h, rights, &out) != ZX_OK) {
    return ZX_HANDLE_INVALID;
  }
  return out;
}

static zx_handle_t dup_of(zx_handle_t h, zx_rights_t rights) {
  zx_handle_t out = ZX_HANDLE_INVALID;
  if (h == ZX_HANDLE_INVALID || zx_handle_duplicate(h, rights, &out) != ZX_OK)
    return ZX_HANDLE_INVALID;
  return out;
}

static zx_status_t new_child(zx_handle_t* proc, zx_handle_t* vmar) {
  zx_status_t st = zx_process_create(zx_job_default(), "fuzz-child", 10, 0, proc, vmar);
  if (st != ZX_OK) return st;
  zx_info_vmar_t info = {0};
  zx_object_get_info(*vmar, ZX_INFO_VMAR, &info, sizeof(info), NULL, NULL);
  g_child_base[g_children++ % CHILD_BASES] = info.base;
  // Something for zx_process_read_memory and friends to find.
  zx_handle_t vmo;
  uintptr_t addr;
  if (zx_vmo_create(16 * PAGE, 0, &vmo) == ZX_OK) {
    zx_vmar_map(*vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 16 * PAGE, vmo, 0,
                16 * PAGE, &addr);
    zx_handle_close(vmo);
  }
  return ZX_OK;
}

// Puts the second end of a new pair into `peer_slot`, replacing what was
// there: pairs are made together.
static zx_handle_t keep_pair(zx_handle_t a, zx_handle_t b, int peer_slot) {
  if (g_pool[peer_slot] != ZX_HANDLE_INVALID) {
    zx_handle_close(g_pool[peer_slot]);
    forget(g_pool[peer_slot]);
  }
  set_slot(peer_slot, b, k_kind_type[peer_slot]);
  return a;
}

// ---- The crash child ---------------------------------------------------------------
//
// A child process that faults for ever, so that random calls meet real
// exceptions: in a job of its own (a child of zx_job_default()), one thread
// runs a loop of a few bytes in an executable page of its own (ud2, a load
// from NULL, int3 or cli, then a jump back). Exception channels bound on its
// thread, on it (and in some generations a debugger channel on it or on the
// job) and on the job sit in core slots, as do duplicates of the job,
// process and thread handles: random zx_channel_reads take the exception
// handles into the pool, and random calls then use them (get_thread and
// get_process, the exception properties, closing, moving them through
// channels), read and write the stopped thread's registers, or kill the
// process or the job (not the thread: WRONG_TYPE). An exception nobody
// handles kills only the child; the periodic sweep makes a new one when it
// has died (or lived CRASH_LIFETIME_NS, so that an exception handle lost
// somewhere cannot keep the machinery stalled).
//
// What keeps this from turning on us (guest memory is not isolated from
// the host's, so the child must only ever run its own loop): fixup() points
// zx_thread_start of a crash thread at the loop; gives zx_thread_write_state
// of GENERAL_REGS a private buffer whose rip is the loop, non-canonical
// (rejected) or a fetch fault (NULL, the kernel half, the child's data
// page); and moves zx_process_write_memory off the child's code page. The
// child's root VMAR and code VMO are closed at once, never pooled.
#define CRASH_HIST 8
#define CRASH_LIFETIME_NS (300ll * 1000 * 1000)

// The machinery's own handles (never pooled: the pool holds duplicates).
static struct {
  zx_handle_t job, proc, thread;
  zx_instant_mono_t born;
  unsigned gen;
} g_crash;

// The last CRASH_HIST children: koid, code page and data page, for fixup()
// (read without the lock: an entry is written before its child's handles
// reach the pool).
static struct {
  zx_koid_t koid;
  uintptr_t code, data;
} g_crash_hist[CRASH_HIST];

static uint64_t g_crash_children, g_crash_jobs, g_crash_kills;

// The loops, 16 bytes apart at the start of the code page (the rest of the
// page is int3); the entries fixup() may point a crash thread at are each
// loop's start and its jump.
static const struct {
  uint8_t n, bytes[11];
} k_crash_loops[] = {
    {4, {0x0f, 0x0b, 0xeb, 0xfc}},                                      // 0: ud2; jmp 0
    {10, {0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00, 0xeb, 0xf4}},  // 16: mov rax, [0]; jmp 16
    {3, {0xcc, 0xeb, 0xfd}},                                            // 32: int3; jmp 32
    {3, {0xfa, 0xeb, 0xfd}},                                            // 48: cli (#GP); jmp 48
};
#define N_LOOPS (sizeof(k_crash_loops) / sizeof(k_crash_loops[0]))
static const uint8_t k_crash_entries[] = {0, 2, 16, 24, 32, 33, 48, 49};

static zx_koid_t koid_of(zx_handle_t h, zx_koid_t* related) {
  zx_info_handle_basic_t info;
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL) != ZX_OK)
    return ZX_KOID_INVALID;
  if (related) *related = info.related_koid;
  return info.koid;
}

// The history entry of crash child `koid`, or -1.
static int crash_index(zx_koid_t koid) {
  if (koid == ZX_KOID_INVALID) return -1;
  for (int i = 0; i < CRASH_HIST; i++)
    if (__atomic_load_n(&g_crash_hist[i].koid, __ATOMIC_ACQUIRE) == koid) return i;
  return -1;
}

// The crash child `h` is (a process handle), or belongs to (a thread
// handle); -1 if neither.
static int crash_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  if (h == ZX_HANDLE_INVALID ||
      zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL) != ZX_OK)
    return -1;
  if (info.type == ZX_OBJ_TYPE_PROCESS) return crash_index(info.koid);
  if (info.type == ZX_OBJ_TYPE_THREAD) return crash_index(info.related_koid);
  return -1;
}

static int task_dead(zx_handle_t h) {
  zx_signals_t seen = 0;
  zx_object_wait_one(h, ZX_TASK_TERMINATED, 0, &seen);
  return (seen & ZX_TASK_TERMINATED) != 0;
}

static void drop_slot(int k) {
  if (g_pool[k] == ZX_HANDLE_INVALID) return;
  zx_handle_close(g_pool[k]);
  forget(g_pool[k]);
  set_slot(k, ZX_HANDLE_INVALID, 0);
}

static zx_handle_t bind_channel(zx_handle_t task, uint32_t options) {
  zx_handle_t ch = ZX_HANDLE_INVALID;
  if (task == ZX_HANDLE_INVALID || zx_task_create_exception_channel(task, options, &ch) != ZX_OK)
    return ZX_HANDLE_INVALID;
  return ch;
}

// Makes a new crash child (and a new job if the old one is dead), binds its
// channels and starts it. Called under the lock (or before the workers run).
static void crash_respawn(void) {
  unsigned gen = g_crash.gen++;
  for (int k = K_CRASH_PROC; k <= K_EXC_DEBUG_CH; k++) drop_slot(k);
  if (g_crash.proc != ZX_HANDLE_INVALID) zx_handle_close(g_crash.proc);
  if (g_crash.thread != ZX_HANDLE_INVALID) zx_handle_close(g_crash.thread);
  g_crash.proc = g_crash.thread = ZX_HANDLE_INVALID;
  if (g_crash.job == ZX_HANDLE_INVALID || task_dead(g_crash.job)) {
    drop_slot(K_CRASH_JOB);
    drop_slot(K_EXC_JOB_CH);
    if (g_crash.job != ZX_HANDLE_INVALID) zx_handle_close(g_crash.job);
    g_crash.job = ZX_HANDLE_INVALID;
    if (zx_job_create(zx_job_default(), 0, &g_crash.job) != ZX_OK) {
      g_crash.job = ZX_HANDLE_INVALID;
      return;
    }
    g_crash_jobs++;
  }
  zx_handle_t proc, vmar, thread, vmo, exec;
  if (zx_process_create(g_crash.job, "crash-child", 11, 0, &proc, &vmar) != ZX_OK) return;
  uintptr_t code = 0, data = 0;
  if (zx_vmo_create(PAGE, 0, &vmo) == ZX_OK) {
    static uint8_t page[PAGE];
    memset(page, 0xcc, sizeof(page));
    for (size_t i = 0; i < N_LOOPS; i++)
      memcpy(page + 16 * i, k_crash_loops[i].bytes, k_crash_loops[i].n);
    zx_vmo_write(vmo, page, 0, PAGE);
    if (zx_vmo_replace_as_executable(vmo, ZX_HANDLE_INVALID, &exec) == ZX_OK) {
      zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, exec, 0, PAGE, &code);
      zx_handle_close(exec);
    }
  }
  if (zx_vmo_create(PAGE, 0, &vmo) == ZX_OK) {
    zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, PAGE, &data);
    zx_handle_close(vmo);
  }
  zx_handle_close(vmar);
  if (code == 0 || data == 0 || zx_thread_create(proc, "crash", 5, 0, &thread) != ZX_OK) {
    zx_task_kill(proc);
    zx_handle_close(proc);
    return;
  }
  int h = (int)(gen % CRASH_HIST);
  __atomic_store_n(&g_crash_hist[h].koid, ZX_KOID_INVALID, __ATOMIC_RELEASE);
  g_crash_hist[h].code = code;
  g_crash_hist[h].data = data;
  __atomic_store_n(&g_crash_hist[h].koid, koid_of(proc, NULL), __ATOMIC_RELEASE);
  g_crash.proc = proc;
  g_crash.thread = thread;
  g_crash.born = zx_clock_get_monotonic();
  g_crash_children++;
  // Bound before the start, so that the first fault finds them.
  set_slot(K_EXC_THREAD_CH, bind_channel(thread, 0), ZX_OBJ_TYPE_CHANNEL);
  set_slot(K_EXC_PROC_CH, bind_channel(proc, 0), ZX_OBJ_TYPE_CHANNEL);
  if (gen % 4 == 1)
    set_slot(K_EXC_DEBUG_CH, bind_channel(proc, ZX_EXCEPTION_CHANNEL_DEBUGGER), ZX_OBJ_TYPE_CHANNEL);
  else if (gen % 4 == 3)
    set_slot(K_EXC_DEBUG_CH, bind_channel(g_crash.job, ZX_EXCEPTION_CHANNEL_DEBUGGER),
             ZX_OBJ_TYPE_CHANNEL);
  if (g_pool[K_EXC_JOB_CH] == ZX_HANDLE_INVALID)
    set_slot(K_EXC_JOB_CH, bind_channel(g_crash.job, 0), ZX_OBJ_TYPE_CHANNEL);
  if (g_pool[K_CRASH_JOB] == ZX_HANDLE_INVALID)
    set_slot(K_CRASH_JOB, dup_of(g_crash.job, ZX_RIGHT_SAME_RIGHTS), ZX_OBJ_TYPE_JOB);
  set_slot(K_CRASH_PROC, dup_of(proc, ZX_RIGHT_SAME_RIGHTS), ZX_OBJ_TYPE_PROCESS);
  set_slot(K_CRASH_THREAD, dup_of(thread, ZX_RIGHT_SAME_RIGHTS), ZX_OBJ_TYPE_THREAD);
  uintptr_t entry = code + 16 * (gen % N_LOOPS);
  if (zx_process_start(proc, thread, entry, data + PAGE - 8, ZX_HANDLE_INVALID, 0) != ZX_OK)
    zx_task_kill(proc);
}

// Replaces the crash child once it has died (or lived long enough: then it
// is killed first). Under the lock, from the periodic sweep.
static void crash_tend(void) {
  if (g_crash.proc != ZX_HANDLE_INVALID && !task_dead(g_crash.proc)) {
    if (zx_clock_get_monotonic() - g_crash.born < CRASH_LIFETIME_NS) return;
    zx_task_kill(g_crash.proc);
    g_crash_kills++;
    if (zx_object_wait_one(g_crash.proc, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_MSEC(20)),
                           NULL) != ZX_OK)
      return;  // next time
  }
  crash_respawn();
}

// Makes a fresh object for core slot `k`; ZX_HANDLE_INVALID if it cannot.
static zx_handle_t make(int k) {
  zx_handle_t a = ZX_HANDLE_INVALID, b = ZX_HANDLE_INVALID;
  uintptr_t addr;
  switch (k) {
    case K_VMO:
      zx_vmo_create(4 * PAGE, 0, &a);
      return a;
    case K_VMO_RESIZABLE:
      zx_vmo_create(8 * PAGE, ZX_VMO_RESIZABLE, &a);
      return a;
    case K_VMO_BIG:
      zx_vmo_create(1ul << 30, 0, &a);
      return a;
    case K_VMO_SCRATCH:
      return dup_of(g_scratch_vmo, ZX_RIGHT_SAME_RIGHTS);
    case K_VMO_RO:
      if (zx_vmo_create(2 * PAGE, 0, &a) != ZX_OK) return ZX_HANDLE_INVALID;
      return reduced(a, ZX_RIGHTS_BASIC | ZX_RIGHT_READ | ZX_RIGHT_MAP | ZX_RIGHT_GET_PROPERTY);
    case K_SUBVMAR:
      if (zx_vmar_allocate(g_arena,
                           ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_EXECUTE |
                               ZX_VM_CAN_MAP_SPECIFIC,
                           0, SUB_SIZE, &a, &addr) != ZX_OK)
        return ZX_HANDLE_INVALID;
      // A mapping at its start, for protect, unmap and op_range to find.
      if (zx_vmo_create(16 * PAGE, 0, &b) == ZX_OK) {
        zx_vmar_map(a, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 0, b, 0, 16 * PAGE,
                    &addr);
        zx_handle_close(b);
      }
      return a;
    case K_SUBVMAR_RO:
      return dup_of(g_pool[K_SUBVMAR], ZX_RIGHTS_BASIC | ZX_RIGHT_READ);
    case K_CHANNEL:
      if (zx_channel_create(0, &a, &b) != ZX_OK) return ZX_HANDLE_INVALID;
      return keep_pair(a, b, K_CHANNEL_PEER);
    case K_CHANNEL_PEER:
      if (zx_channel_create(0, &a, &b) != ZX_OK) return ZX_HANDLE_INVALID;
      return keep_pair(a, b, K_CHANNEL);
    case K_CHANNEL_NOXFER:
      if (zx_channel_create(0, &a, &b) != ZX_OK) return ZX_HANDLE_INVALID;
      adopt(b);
      return reduced(a, ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT);
    case K_EVENT:
      zx_event_create(0, &a);
      return a;
    case K_EVENT_WAITONLY:
      if (zx_event_create(0, &a) != ZX_OK) return ZX_HANDLE_INVALID;
      return reduced(a, ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT | ZX_RIGHT_DUPLICATE);
    case K_EVENTPAIR:
      if (zx_eventpair_create(0, &a, &b) != ZX_OK) return ZX_HANDLE_INVALID;
      return keep_pair(a, b, K_EVENTPAIR_PEER);
    case K_EVENTPAIR_PEER:
      if (zx_eventpair_create(0, &a, &b) != ZX_OK) return ZX_HANDLE_INVALID;
      return keep_pair(a, b, K_EVENTPAIR);
    case K_PORT:
      zx_port_create(0, &a);
      return a;
    case K_SOCKET:
      if (zx_socket_create(ZX_SOCKET_STREAM, &a, &b) != ZX_OK) return ZX_HANDLE_INVALID;
      return keep_pair(a, b, K_SOCKET_PEER);
    case K_SOCKET_PEER:
      if (zx_socket_create(ZX_SOCKET_STREAM, &a, &b) != ZX_OK) return ZX_HANDLE_INVALID;
      return keep_pair(a, b, K_SOCKET);
    case K_SOCKET_DGRAM:
      if (zx_socket_create(ZX_SOCKET_DATAGRAM, &a, &b) != ZX_OK) return ZX_HANDLE_INVALID;
      return keep_pair(a, b, K_SOCKET_DGRAM_PEER);
    case K_SOCKET_DGRAM_PEER:
      if (zx_socket_create(ZX_SOCKET_DATAGRAM, &a, &b) != ZX_OK) return ZX_HANDLE_INVALID;
      return keep_pair(a, b, K_SOCKET_DGRAM);
    case K_FIFO:
      if (zx_fifo_create(16, 8, 0, &a, &b) != ZX_OK) return ZX_HANDLE_INVALID;
      return keep_pair(a, b, K_FIFO_PEER);
    case K_FIFO_PEER:
      if (zx_fifo_create(16, 8, 0, &a, &b) != ZX_OK) return ZX_HANDLE_INVALID;
      return keep_pair(a, b, K_FIFO);
    case K_PROCESS:
      if (new_child(&a, &b) != ZX_OK) return ZX_HANDLE_INVALID;
      g_cur_child_base = g_child_base[(g_children - 1) % CHILD_BASES];
      return keep_pair(a, b, K_CHILD_VMAR);
    case K_PROCESS_INSPECT:
      return dup_of(g_pool[K_PROCESS], ZX_RIGHTS_BASIC);
    case K_CHILD_VMAR:
      if (new_child(&a, &b) != ZX_OK) return ZX_HANDLE_INVALID;
      g_cur_child_base = g_child_base[(g_children - 1) % CHILD_BASES];
      return keep_pair(b, a, K_PROCESS);
    case K_THREAD:
      if (g_pool[K_PROCESS] == ZX_HANDLE_INVALID) return ZX_HANDLE_INVALID;
      zx_thread_create(g_pool[K_PROCESS], "fuzz-thread", 11, 0, &a);
      return a;
    // The crash family, while its members live (a new child is the
    // periodic sweep's business).
    case K_CRASH_JOB:
      return dup_of(g_crash.job, ZX_RIGHT_SAME_RIGHTS);
    case K_CRASH_PROC:
      return dup_of(g_crash.proc, ZX_RIGHT_SAME_RIGHTS);
    case K_CRASH_THREAD:
      return dup_of(g_crash.thread, ZX_RIGHT_SAME_RIGHTS);
    case K_EXC_THREAD_CH:
      return bind_channel(g_crash.thread, 0);
    case K_EXC_PROC_CH:
      return bind_channel(g_crash.proc, 0);
    case K_EXC_DEBUG_CH:
      return ZX_HANDLE_INVALID;
    case K_EXC_JOB_CH:
      return bind_channel(g_crash.job, 0);
    case K_STREAM:
      if (g_pool[K_VMO_RESIZABLE] == ZX_HANDLE_INVALID) return ZX_HANDLE_INVALID;
      zx_stream_create(ZX_STREAM_MODE_READ | ZX_STREAM_MODE_WRITE, g_pool[K_VMO_RESIZABLE], 0, &a);
      return a;
    case K_STREAM_RO:
      zx_stream_create(ZX_STREAM_MODE_READ, g_scratch_vmo, 0, &a);
      return a;
  }
  return ZX_HANDLE_INVALID;
}

// Whether the object behind a valid core handle is dead (destroyed VMAR,
// terminated task): such slots are refilled in the periodic sweep.
static int is_dead(int k, zx_handle_t h) {
  zx_signals_t seen = 0;
  zx_info_vmar_t info;
  switch (k) {
    case K_SUBVMAR:
    case K_SUBVMAR_RO:
    case K_CHILD_VMAR:
      return zx_object_get_info(h, ZX_INFO_VMAR, &info, sizeof(info), NULL, NULL) != ZX_OK;
    case K_PROCESS:
    case K_PROCESS_INSPECT:
    case K_THREAD:
    case K_CRASH_JOB:
    case K_CRASH_PROC:
    case K_CRASH_THREAD:
      zx_object_wait_one(h, ZX_TASK_TERMINATED, 0, &seen);
      return (seen & ZX_TASK_TERMINATED) != 0;
    case K_EXC_THREAD_CH:
    case K_EXC_PROC_CH:
    case K_EXC_DEBUG_CH:
    case K_EXC_JOB_CH:
      zx_object_wait_one(h, ZX_CHANNEL_PEER_CLOSED, 0, &seen);
      return (seen & ZX_CHANNEL_PEER_CLOSED) != 0;
  }
  return 0;
}

static void refill(void) {
  for (int k = 0; k < N_CORE; k++)
    if (g_pool[k] == ZX_HANDLE_INVALID) set_slot(k, make(k), k_kind_type[k]);
}

// Drops slots whose handles are gone (closed, consumed, replaced) and, with
// `revive`, slots whose objects died; refills the core slots.
static void sweep(int revive) {
  lock();
  for (int i = 0; i < N_SLOTS; i++) {
    zx_handle_t h = g_pool[i];
    if (h == ZX_HANDLE_INVALID) continue;
    if (!handle_valid(h)) {
      forget(h);
      set_slot(i, ZX_HANDLE_INVALID, 0);
    } else if (revive && i < N_CORE && is_dead(i, h)) {
      zx_handle_close(h);
      forget(h);
      set_slot(i, ZX_HANDLE_INVALID, 0);
    }
  }
  if (revive) crash_tend();
  refill();
  unlock();
}

// ---- Argument generators ------------------------------------------------------

static zx_handle_t pool_pick(struct fz* f) {
  for (int tries = 0; tries < 8; tries++) {
    zx_handle_t h = slot((int)below(f, N_SLOTS));
    if (h != ZX_HANDLE_INVALID) return h;
  }
  return ZX_HANDLE_INVALID;
}

static zx_handle_t gen_handle(struct fz* f) {
  zx_handle_t h;
  unsigned r = (unsigned)below(f, 100);
  if (r < 70) {
    h = pool_pick(f);
  } else if (r < 78) {
    return ZX_HANDLE_INVALID;
  } else if (r < 88) {
    h = __atomic_load_n(&g_stale[below(f, N_STALE)], __ATOMIC_RELAXED);
  } else if (r < 93) {
    h = (zx_handle_t)rnd(f) | ZX_HANDLE_FIXED_BITS_MASK;
  } else if (r < 96) {
    h = (zx_handle_t)rnd(f);
  } else {
    h = pool_pick(f) ^ (1u << below(f, 32));
  }
  return is_private(h) ? ZX_HANDLE_INVALID : h;
}

// A pool handle of type `type` most of the time, else any handle value.
static zx_handle_t gen_handle_of(struct fz* f, zx_obj_type_t type) {
  if (chance(f, 70)) {
    unsigned start = (unsigned)below(f, N_SLOTS);
    for (unsigned j = 0; j < N_SLOTS; j++) {
      unsigned i = (start + j) % N_SLOTS;
      zx_handle_t h = slot((int)i);
      if (h != ZX_HANDLE_INVALID && __atomic_load_n(&g_type[i], __ATOMIC_RELAXED) == type) return h;
    }
  }
  return gen_handle(f);
}

static uint64_t gen_size(struct fz* f) {
  switch (below(f, 20)) {
    case 0:
    case 1:
      return 0;
    case 2:
    case 3:
      return 1 + below(f, 64);
    case 4:
    case 5:
    case 6:
      return 1 + below(f, 4 * PAGE);
    case 7:
    case 8:
    case 9:
      return PAGE * (1 + below(f, 16));
    case 10:
      return PAGE * (1 + below(f, 16)) + (chance(f, 50) ? 1 : -1);
    case 11:
      return below(f, MIB);
    case 12:
    case 13:
      return 1ull << below(f, 64);
    case 14:
      return UINT64_MAX - below(f, 16 * PAGE);
    case 15:
      return (1ull << below(f, 64)) - PAGE;
    case 16:
      return rnd(f);
    case 17:
      return (uint64_t)UINT32_MAX + below(f, 3) - 1;
    case 18:
      return SUB_SIZE + (below(f, 3) - 1) * PAGE;
    default:
      return (1ull << 63) + below(f, 2);
  }
}

// Sizes for operations that commit memory: small, or too large to succeed.
static uint64_t gen_size_c(struct fz* f) {
  uint64_t s = gen_size(f);
  if (s > COMMIT_CAP && s < UINT64_MAX - 64 * KIB) s = below(f, COMMIT_CAP);
  return s;
}

static uint64_t gen_small_size(struct fz* f) {
  switch (below(f, 10)) {
    case 0:
      return 0;
    case 1:
      return ZX_MAX_NAME_LEN + below(f, 3) - 1;
    case 2:
      return gen_size(f);
    default:
      return below(f, 40);
  }
}

// Whether [p - 1 MiB, p + 1 MiB) avoids every mapping of ours (arena aside).
static int clear_of_own(uintptr_t p) {
  for (size_t i = 0; i < g_own_count; i++)
    if (p + MIB > g_own[i].base && p < g_own[i].end + MIB) return 0;
  return 1;
}

static uintptr_t child_base(struct fz* f) {
  if (g_children == 0) return 0x200000000ul;
  return g_child_base[below(f, g_children < CHILD_BASES ? g_children : CHILD_BASES)];
}

static uint64_t gen_ptr(struct fz* f);

// A pointer that is not into our ELF image (for structured inputs, whose
// sizes clamp_to_elf() does not see).
static uint64_t gen_ptr_no_elf(struct fz* f) {
  for (;;) {
    uint64_t p = gen_ptr(f);
    if (p < g_elf_lo || p >= g_elf_rw) return p;
  }
}

static uint64_t gen_ptr(struct fz* f) {
  static const uint64_t k_host[] = {
      0x555555554000ull,     0x7fff00000000ull, 0xffff800000000000ull, 0x7ffffffff000ull,
      0xfffffffffffff000ull, 0x800000000000ull, 0x7fffffffe000ull,     0x200000000ull,
      UINT64_MAX,            1ull << 47,        0x1000ull,             0xffffffff00000000ull,
  };
  uintptr_t p;
  switch (below(f, 40)) {
    case 0 ... 11:
      return (uintptr_t)g_scratch + (below(f, SCRATCH_SIZE) & ~7ul);
    case 12:
    case 13:
      return (uintptr_t)g_scratch + below(f, SCRATCH_SIZE);
    case 14:
      return (uintptr_t)g_scratch + SCRATCH_SIZE - below(f, 128);
    case 15:
      return (uintptr_t)g_scratch - 1 - below(f, PAGE);
    case 16:
    case 17:
      return g_hole_base + below(f, HOLE_SIZE);
    case 18:
    case 19:
      p = g_root_info.base + (below(f, g_root_info.len) & ~7ul);
      return clear_of_own(p) ? p : g_hole_base + below(f, HOLE_SIZE);
    case 20 ... 23:
      return g_arena_base + (chance(f, 70) ? below(f, ARENA_SIZE) & ~(PAGE - 1) : below(f, ARENA_SIZE));
    case 24:
      return (uintptr_t)&rnd + below(f, 256);
    case 25:
      return (uintptr_t)k_rodata + below(f, sizeof(k_rodata));
    case 26:
    case 27:
      return 0;
    case 28:
      return below(f, 0x10000);
    case 29 ... 31:
      // Mostly outside our window; the one that may be in it stays clear of
      // our mappings.
      p = k_host[below(f, sizeof(k_host) / sizeof(k_host[0]))] - below(f, 2) * below(f, 64);
      if (p >= g_root_info.base && p - g_root_info.base < g_root_info.len && !clear_of_own(p))
        p = g_hole_base;
      return p;
    case 32:
      p = g_root_info.base + g_root_info.len - below(f, 64);
      return clear_of_own(p) ? p : g_root_info.base + g_root_info.len;
    case 33:
      p = g_root_info.base - 1 - below(f, PAGE);
      return p;
    case 34:
    case 35:
      return child_base(f) + (below(f, 16 * MIB) & ~(PAGE - 1));
    case 36:
      return rnd(f);
    default:
      return (uintptr_t)g_scratch + (below(f, SCRATCH_SIZE / PAGE) * PAGE);
  }
}

// Scratch space for structured inputs of the current call (handle arrays,
// names, packets, wait items, channel-call arguments): fresh slices of a
// random window of the scratch mapping.
static void* prep(struct fz* f, size_t bytes) {
  bytes = (bytes + 63) & ~63ul;
  if (f->prep_used + bytes > 32 * KIB) f->prep_used = 0;
  void* p = (void*)(f->prep_base + f->prep_used);
  f->prep_used += (unsigned)bytes;
  return p;
}

// Handle arrays may be consumed: never read from our ELF image, which runs
// on into our globals.
static uint64_t gen_handles_ptr(struct fz* f) {
  if (!chance(f, 70)) return gen_ptr_no_elf(f);
  zx_handle_t* hs = prep(f, 16 * sizeof(zx_handle_t));
  for (int i = 0; i < 16; i++) hs[i] = gen_handle(f);
  return (uintptr_t)hs;
}

static uint64_t gen_count(struct fz* f) {
  switch (below(f, 20)) {
    case 0 ... 8:
      return below(f, 4);
    case 9 ... 12:
      return below(f, 17);
    case 13:
    case 14:
      return below(f, 70);
    case 15:
    case 16:
      return 0;
    case 17:
      return (uint32_t)rnd(f);
    case 18:
      return 1ull << below(f, 64);
    default:
      return rnd(f);
  }
}

// Each bit of `mask` with probability 1/8 (so that valid combinations are
// common), all bits at random, zero, or anything.
static uint64_t gen_opts(struct fz* f, uint32_t mask) {
  switch (below(f, 20)) {
    case 0 ... 9:
      return rnd(f) & rnd(f) & rnd(f) & mask;
    case 10 ... 14:
      return rnd(f) & mask;
    case 15 ... 17:
      return 0;
    default:
      return (uint32_t)rnd(f);
  }
}

static uint32_t gen_perms(struct fz* f) {
  static const uint32_t k_perms[] = {
      ZX_VM_PERM_READ,
      ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
      ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
      ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE,
      ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE,
      ZX_VM_PERM_WRITE,
      0,
  };
  return k_perms[below(f, sizeof(k_perms) / sizeof(k_perms[0]))];
}

static uint32_t maybe(struct fz* f, unsigned percent, uint32_t bits) { return chance(f, percent) ? bits : 0; }

enum vm_call { VM_ALLOCATE, VM_MAP, VM_PROTECT };

// ZX_VM_* options: plausible for the call most of the time.
static uint64_t gen_vm_opts(struct fz* f, enum vm_call call) {
  if (chance(f, 30)) return gen_opts(f, VM_MASK | (31u << ZX_VM_ALIGN_BASE));
  uint32_t o = maybe(f, 10, (uint32_t)(10 + below(f, 23)) << ZX_VM_ALIGN_BASE);
  if (call == VM_ALLOCATE) {
    o |= maybe(f, 60, ZX_VM_CAN_MAP_READ) | maybe(f, 50, ZX_VM_CAN_MAP_WRITE) |
         maybe(f, 20, ZX_VM_CAN_MAP_EXECUTE) | maybe(f, 50, ZX_VM_CAN_MAP_SPECIFIC) |
         maybe(f, 30, ZX_VM_SPECIFIC) | maybe(f, 15, ZX_VM_COMPACT) |
         maybe(f, 5, ZX_VM_OFFSET_IS_UPPER_LIMIT);
  } else if (call == VM_MAP) {
    o |= gen_perms(f) | maybe(f, 30, ZX_VM_SPECIFIC) | maybe(f, 10, ZX_VM_SPECIFIC_OVERWRITE) |
         maybe(f, 10, ZX_VM_MAP_RANGE) | maybe(f, 10, ZX_VM_REQUIRE_NON_RESIZABLE) |
         maybe(f, 10, ZX_VM_ALLOW_FAULTS) | maybe(f, 5, ZX_VM_OFFSET_IS_UPPER_LIMIT);
  } else {
    o = gen_perms(f);
  }
  return o;
}

static uint64_t gen_rights(struct fz* f) {
  switch (below(f, 10)) {
    case 0 ... 2:
      return ZX_RIGHT_SAME_RIGHTS;
    case 3 ... 7:
      return rnd(f) & 0x1ffffffu;
    case 8:
      return 0;
    default:
      return (uint32_t)rnd(f);
  }
}

static uint64_t gen_topic(struct fz* f) {
  static const uint32_t k_topics[] = {
      ZX_INFO_HANDLE_VALID, ZX_INFO_HANDLE_BASIC, ZX_INFO_PROCESS,   ZX_INFO_PROCESS_THREADS,
      ZX_INFO_VMAR,         ZX_INFO_THREAD,       ZX_INFO_PROCESS_MAPS_V1, ZX_INFO_PROCESS_MAPS,
      ZX_INFO_VMO_V1,       ZX_INFO_VMO_V2,       ZX_INFO_VMO,       ZX_INFO_HANDLE_COUNT,
      ZX_INFO_JOB_CHILDREN, ZX_INFO_TASK_STATS,   ZX_INFO_VMAR_MAPS, ZX_INFO_NONE,
      ZX_INFO_JOB,          ZX_INFO_JOB_PROCESSES, ZX_INFO_THREAD_EXCEPTION_REPORT,
      ZX_INFO_THREAD_EXCEPTION_REPORT_V1, ZX_INFO_STREAM, ZX_INFO_SOCKET,
  };
  if (chance(f, 85)) return k_topics[below(f, sizeof(k_topics) / sizeof(k_topics[0]))];
  return chance(f, 50) ? below(f, 64) | (below(f, 4) << 28) : (uint32_t)rnd(f);
}

static uint64_t gen_prop(struct fz* f) {
  static const uint32_t k_props[] = {ZX_PROP_NAME,        17 /* VMO_CONTENT_SIZE */,
                                     6 /* VDSO_BASE */,   ZX_PROP_REGISTER_FS,
                                     ZX_PROP_REGISTER_GS, ZX_PROP_EXCEPTION_STATE,
                                     ZX_PROP_EXCEPTION_STATE, ZX_PROP_EXCEPTION_STRATEGY,
                                     ZX_PROP_STREAM_MODE_APPEND,
                                     ZX_PROP_SOCKET_RX_THRESHOLD, ZX_PROP_SOCKET_TX_THRESHOLD};
  if (chance(f, 80)) return k_props[below(f, sizeof(k_props) / sizeof(k_props[0]))];
  return chance(f, 50) ? below(f, 64) : (uint32_t)rnd(f);
}

static uint64_t gen_signals(struct fz* f) {
  switch (below(f, 10)) {
    case 0 ... 3:
      return rnd(f) & ZX_USER_SIGNAL_ALL;
    case 4:
    case 5:
      return 1u << below(f, 32);
    case 6:
      return 0;
    case 7:
      return UINT32_MAX;
    default:
      return (uint32_t)rnd(f);
  }
}


static uint64_t gen_deadline(struct fz* f) {
  switch (below(f, 20)) {
    case 0 ... 5:
      return 0;
    case 6:
    case 7:
      return (uint64_t)ZX_TIME_INFINITE_PAST;
    case 8:
      return (uint64_t)-(int64_t)below(f, 1ull << 62);
    case 9:
    case 10:
      return (uint64_t)(f->now - (int64_t)below(f, 1000000000));
    case 11:
      return (uint64_t)(f->now + (int64_t)below(f, 2000000));
    default:
      return (uint64_t)(f->now + (int64_t)below(f, 100000));
  }
}

// An address inside the VMAR `h` (the low 16 MiB of big ones), or anywhere.
static uint64_t gen_vaddr(struct fz* f, zx_handle_t h, int as_offset) {
  zx_info_vmar_t info;
  if (chance(f, 20) ||
      zx_object_get_info(h, ZX_INFO_VMAR, &info, sizeof(info), NULL, NULL) != ZX_OK) {
    return as_offset ? gen_size(f) : gen_ptr(f);
  }
  uint64_t span = info.len < 16 * MIB ? info.len : 16 * MIB;
  uint64_t off;
  switch (below(f, 10)) {
    case 0 ... 2:
      // Where make() and new_child() put a mapping.
      off = below(f, 40) * PAGE;
      break;
    case 3 ... 5:
      off = below(f, span) & ~(PAGE - 1);
      break;
    case 6:
      off = below(f, span);
      break;
    case 7:
      off = info.len - PAGE * below(f, 4);
      break;
    case 8:
      off = info.len + PAGE * below(f, 4);
      break;
    default:
      off = 0;
  }
  return as_offset ? off : info.base + off;
}

static uint64_t gen_offset(struct fz* f) {
  switch (below(f, 10)) {
    case 0 ... 3:
      return below(f, 64) * PAGE;
    case 4:
    case 5:
      return 0;
    case 6:
      return below(f, MIB);
    default:
      return gen_size(f);
  }
}

static uint64_t gen_name(struct fz* f) {
  if (!chance(f, 70)) return gen_ptr(f);
  char* s = prep(f, 64);
  for (int i = 0; i < 48; i++) s[i] = (char)(chance(f, 90) ? 'a' + below(f, 26) : rnd(f));
  return (uintptr_t)s;
}

// Printable text (the runner's output stays readable).
static uint64_t gen_text(struct fz* f) {
  char* s = prep(f, 300);
  for (int i = 0; i < 300; i++) s[i] = (char)('!' + below(f, 94));
  return (uintptr_t)s;
}

static uint64_t gen_futex(struct fz* f) {
  if (chance(f, 60)) return (uintptr_t)g_scratch + (below(f, SCRATCH_SIZE) & ~3ul);
  return gen_ptr(f);
}

static uint64_t gen_packet(struct fz* f) {
  if (!chance(f, 70)) return gen_ptr(f);
  zx_port_packet_t* p = prep(f, sizeof(*p));
  p->key = rnd(f);
  p->type = chance(f, 70) ? (zx_packet_type_t)below(f, 10) : (zx_packet_type_t)rnd(f);
  p->status = chance(f, 70) ? 0 : (zx_status_t)rnd(f);
  for (int i = 0; i < 4; i++) p->user.u64[i] = rnd(f);
  return (uintptr_t)p;
}

static uint64_t gen_items(struct fz* f) {
  if (!chance(f, 70)) return gen_ptr(f);
  zx_wait_item_t* items = prep(f, 70 * sizeof(zx_wait_item_t));
  for (int i = 0; i < 70; i++) {
    items[i].handle = gen_handle(f);
    items[i].waitfor = (zx_signals_t)gen_signals(f);
    items[i].pending = (zx_signals_t)rnd(f);
  }
  return (uintptr_t)items;
}

// zx_iovec_t arrays live in g_iov_page, which no other argument points
// into: thread t's IOV_MAX_ENTRIES entries end (t * IOV_MAX_ENTRIES) entries
// before the page's end, so a count past them runs through other threads'
// arrays (every entry one of ours) into the unmapped page after it, which
// fails the call before anything moves. The buffers are ordinary random
// pointers (never into our ELF image: the sizes are random too); an array in
// scratch could hold anything, our own stack's addresses among them.
#define IOV_MAX_ENTRIES 8
static uint64_t gen_iov(struct fz* f) {
  zx_iovec_t* v =
      (zx_iovec_t*)(g_iov_page + PAGE) - (size_t)(f->index + 1) * IOV_MAX_ENTRIES;
  for (int i = 0; i < IOV_MAX_ENTRIES; i++) {
    v[i].buffer = (void*)gen_ptr_no_elf(f);
    v[i].capacity = chance(f, 70) ? below(f, 2 * PAGE) : gen_size(f);
  }
  switch (below(f, 20)) {
    case 0:
      return 0;
    case 1:
      return g_iov_page + PAGE + below(f, PAGE / 16) * 16;  // unmapped
    case 2:
      return g_hole_base + below(f, HOLE_SIZE);
    default:
      return (uintptr_t)v;
  }
}

static uint64_t gen_call_args(struct fz* f) {
  if (!chance(f, 70)) return gen_ptr(f);
  zx_channel_call_args_t* a = prep(f, sizeof(*a));
  a->wr_bytes = (const void*)gen_ptr_no_elf(f);
  a->wr_handles = (const zx_handle_t*)gen_handles_ptr(f);
  a->rd_bytes = (void*)gen_ptr(f);
  a->rd_handles = (zx_handle_t*)gen_ptr(f);
  a->wr_num_bytes = chance(f, 80) ? (uint32_t)below(f, 128) : (uint32_t)gen_size(f);
  a->wr_num_handles = (uint32_t)gen_count(f);
  a->rd_num_bytes = chance(f, 80) ? (uint32_t)below(f, 128) : (uint32_t)gen_size(f);
  a->rd_num_handles = (uint32_t)gen_count(f);
  return (uintptr_t)a;
}

// zx_handle_disposition_t arrays: pool handles moved or duplicated (or an
// unknown operation), with no type, a type, or garbage, and the same
// rights or some other set.
static uint64_t gen_dispositions(struct fz* f) {
  if (!chance(f, 70)) return gen_ptr_no_elf(f);
  zx_handle_disposition_t* d = prep(f, 16 * sizeof(*d));
  for (int i = 0; i < 16; i++) {
    d[i].operation = chance(f, 90) ? (zx_handle_op_t)below(f, 2) : (zx_handle_op_t)rnd(f);
    d[i].handle = gen_handle(f);
    d[i].type = chance(f, 50)   ? ZX_OBJ_TYPE_NONE
                : chance(f, 80) ? (zx_obj_type_t)below(f, 36)
                                : (zx_obj_type_t)rnd(f);
    d[i].rights = chance(f, 50) ? ZX_RIGHT_SAME_RIGHTS : (zx_rights_t)gen_rights(f);
    d[i].result = chance(f, 90) ? ZX_OK : (zx_status_t)rnd(f);
  }
  return (uintptr_t)d;
}

static uint64_t gen_call_etc_args(struct fz* f) {
  if (!chance(f, 70)) return gen_ptr(f);
  zx_channel_call_etc_args_t* a = prep(f, sizeof(*a));
  a->wr_bytes = (const void*)gen_ptr_no_elf(f);
  a->wr_handles = (zx_handle_disposition_t*)gen_dispositions(f);
  a->rd_bytes = (void*)gen_ptr(f);
  a->rd_handles = (zx_handle_info_t*)gen_ptr(f);
  a->wr_num_bytes = chance(f, 80) ? (uint32_t)below(f, 128) : (uint32_t)gen_size(f);
  a->wr_num_handles = (uint32_t)gen_count(f);
  a->rd_num_bytes = chance(f, 80) ? (uint32_t)below(f, 128) : (uint32_t)gen_size(f);
  a->rd_num_handles = (uint32_t)gen_count(f);
  return (uintptr_t)a;
}

// ---- The syscall table -----------------------------------------------------------

typedef uint64_t (*sysfn_t)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                            uint64_t, uint64_t);

enum arg_kind {
  A_NONE,
  A_H,        // a handle
  A_HVMO,     // a handle, a VMO more often than not; and so on
  A_HVMAR,
  A_HCHAN,
  A_HPROC,
  A_HTHREAD,
  A_HPORT,
  A_HJOB,
  A_HTASK,    // a job, process or thread
  A_HEXC,     // an exception
  A_HSOCK,    // a socket
  A_HFIFO,    // a FIFO
  A_OPTS,     // options (the entry's valid mask)
  A_VMOPTS,   // ZX_VM_* options (the entry's mask, plus alignment)
  A_SIZE,
  A_SIZE_C,   // a size for a commit-heavy operation
  A_SSIZE,    // a small size (names, debug output)
  A_PTR,      // an input or output buffer
  A_OUT_H,    // where a new handle goes (harvested on success)
  A_OUT_HS,   // where new handles go (harvested on success)
  A_HANDLES,  // an input array of handles
  A_COUNT,
  A_RIGHTS,
  A_TOPIC,
  A_PROP,
  A_SIGNALS,
  A_DEADLINE,
  A_VADDR,    // an address in the VMAR of argument 0
  A_VOFF,     // an offset in the VMAR of argument 0
  A_PADDR,    // an address in a child process
  A_OFF,      // a VMO offset
  A_U32,
  A_U64,
  A_NAME,
  A_TEXT,     // output for zx_debug_write
  A_FUTEX,
  A_VMO_OP,
  A_VMAR_OP,
  A_STATE_KIND,  // ZX_THREAD_STATE_*
  A_PACKET,
  A_ITEMS,
  A_CALL,
  A_HSTREAM,
  A_IOV,       // a zx_iovec_t array (see gen_iov)
  A_IOVCOUNT,  // its length
  A_DISPS,     // an array of zx_handle_disposition_t
  A_CALL_ETC,  // a zx_channel_call_etc_args_t
};

enum {
  F_VALUE = 1,     // returns a value, not a status
  F_CONSUMES = 2,  // may close handles of the pool
  F_BLOCKS = 4,    // takes a deadline: timed
  F_RAW = 8,       // a raw call with an unknown syscall number
  F_TAKES = 16,    // may fail after taking something (a message) for good
  F_MOVES = 32,    // may fail after moving data and a seek offset (a stream
                   // transfer or seek whose result cannot be copied out)
};

struct syscall {
  const char* name;
  sysfn_t fn;
  uint8_t kind[8];
  uint32_t mask;
  uint8_t weight;
  uint8_t flags;
};

#define FN(f) ((sysfn_t)(uintptr_t)&(f))

#define CHILD_MASK                                                                  \
  (ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_RESIZABLE | ZX_VMO_CHILD_SLICE |             \
   ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE | ZX_VMO_CHILD_NO_WRITE |                 \
   ZX_VMO_CHILD_REFERENCE | ZX_VMO_CHILD_SNAPSHOT_MODIFIED)

static uint64_t raw_call(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                         uint64_t);

static const struct syscall k_calls[] = {
    {"handle_close", FN(zx_handle_close), {A_H}, 0, 3, F_CONSUMES},
    {"handle_close_many", FN(zx_handle_close_many), {A_HANDLES, A_COUNT}, 0, 2, F_CONSUMES},
    {"handle_duplicate", FN(zx_handle_duplicate), {A_H, A_RIGHTS, A_OUT_H}, 0, 4, 0},
    {"handle_replace", FN(zx_handle_replace), {A_H, A_RIGHTS, A_OUT_H}, 0, 3, F_CONSUMES},
    {"object_get_info", FN(zx_object_get_info), {A_H, A_TOPIC, A_PTR, A_SIZE, A_PTR, A_PTR}, 0, 8, 0},
    {"object_get_property", FN(zx_object_get_property), {A_H, A_PROP, A_PTR, A_SSIZE}, 0, 3, 0},
    {"object_set_property", FN(zx_object_set_property), {A_H, A_PROP, A_PTR, A_SSIZE}, 0, 3, 0},
    {"vmar_allocate", FN(zx_vmar_allocate), {A_HVMAR, A_VMOPTS, A_VOFF, A_SIZE, A_OUT_H, A_PTR}, VM_MASK, 5, 0},
    {"vmar_map", FN(zx_vmar_map), {A_HVMAR, A_VMOPTS, A_VOFF, A_HVMO, A_OFF, A_SIZE, A_PTR}, VM_MASK, 8, 0},
    {"vmar_unmap", FN(zx_vmar_unmap), {A_HVMAR, A_VADDR, A_SIZE}, 0, 4, 0},
    {"vmar_protect", FN(zx_vmar_protect), {A_HVMAR, A_VMOPTS, A_VADDR, A_SIZE}, VM_MASK, 4, 0},
    {"vmar_destroy", FN(zx_vmar_destroy), {A_HVMAR}, 0, 1, 0},
    {"vmar_op_range", FN(zx_vmar_op_range), {A_HVMAR, A_VMAR_OP, A_VADDR, A_SIZE_C, A_PTR, A_SIZE}, 0, 3, 0},
    {"vmo_create", FN(zx_vmo_create), {A_SIZE, A_OPTS, A_OUT_H}, ZX_VMO_RESIZABLE | ZX_VMO_UNBOUNDED | ZX_VMO_DISCARDABLE, 4, 0},
    {"vmo_read", FN(zx_vmo_read), {A_HVMO, A_PTR, A_OFF, A_SIZE}, 0, 5, 0},
    {"vmo_write", FN(zx_vmo_write), {A_HVMO, A_PTR, A_OFF, A_SIZE}, 0, 5, 0},
    {"vmo_get_size", FN(zx_vmo_get_size), {A_HVMO, A_PTR}, 0, 2, 0},
    {"vmo_set_size", FN(zx_vmo_set_size), {A_HVMO, A_SIZE}, 0, 3, 0},
    {"vmo_op_range", FN(zx_vmo_op_range), {A_HVMO, A_VMO_OP, A_OFF, A_SIZE_C, A_PTR, A_SIZE}, 0, 4, 0},
    {"vmo_create_child", FN(zx_vmo_create_child), {A_HVMO, A_OPTS, A_OFF, A_SIZE, A_OUT_H}, CHILD_MASK, 4, 0},
    {"vmo_replace_as_executable", FN(zx_vmo_replace_as_executable), {A_HVMO, A_H, A_OUT_H}, 0, 1, F_CONSUMES},
    {"vmo_set_cache_policy", FN(zx_vmo_set_cache_policy), {A_HVMO, A_OPTS}, 3, 1, 0},
    {"process_create", FN(zx_process_create), {A_H, A_NAME, A_SSIZE, A_OPTS, A_OUT_H, A_OUT_H}, 1, 1, 0},
    {"process_create_shared", FN(zx_process_create_shared), {A_HPROC, A_OPTS, A_NAME, A_SSIZE, A_OUT_H, A_OUT_H}, 1, 1, 0},
    {"process_read_memory", FN(zx_process_read_memory), {A_HPROC, A_PADDR, A_PTR, A_SIZE, A_PTR}, 0, 3, 0},
    {"process_write_memory", FN(zx_process_write_memory), {A_HPROC, A_PADDR, A_PTR, A_SIZE, A_PTR}, 0, 3, 0},
    {"debug_write", FN(zx_debug_write), {A_TEXT, A_SSIZE}, 0, 1, 0},
    {"clock_get_monotonic", FN(zx_clock_get_monotonic), {A_NONE}, 0, 1, F_VALUE},
    {"nanosleep", FN(zx_nanosleep), {A_DEADLINE}, 0, 1, F_BLOCKS},
    {"deadline_after", FN(zx_deadline_after), {A_U64}, 0, 1, F_VALUE},
    {"system_get_page_size", FN(zx_system_get_page_size), {A_NONE}, 0, 1, F_VALUE},
    {"system_get_num_cpus", FN(zx_system_get_num_cpus), {A_NONE}, 0, 1, F_VALUE},
    {"channel_create", FN(zx_channel_create), {A_OPTS, A_OUT_H, A_OUT_H}, 1, 3, 0},
    {"channel_read", FN(zx_channel_read), {A_HCHAN, A_OPTS, A_PTR, A_OUT_HS, A_U32, A_COUNT, A_PTR, A_PTR}, 1, 5, F_TAKES},
    {"channel_write", FN(zx_channel_write), {A_HCHAN, A_OPTS, A_PTR, A_U32, A_HANDLES, A_COUNT}, 1, 5, F_CONSUMES},
    {"ticks_get", FN(zx_ticks_get), {A_NONE}, 0, 1, F_VALUE},
    {"ticks_per_second", FN(zx_ticks_per_second), {A_NONE}, 0, 1, F_VALUE},
    {"object_signal", FN(zx_object_signal), {A_H, A_SIGNALS, A_SIGNALS}, 0, 3, 0},
    {"object_signal_peer", FN(zx_object_signal_peer), {A_H, A_SIGNALS, A_SIGNALS}, 0, 3, 0},
    {"object_wait_one", FN(zx_object_wait_one), {A_H, A_SIGNALS, A_DEADLINE, A_PTR}, 0, 3, F_BLOCKS},
    {"object_wait_many", FN(zx_object_wait_many), {A_ITEMS, A_COUNT, A_DEADLINE}, 0, 2, F_BLOCKS},
    {"event_create", FN(zx_event_create), {A_OPTS, A_OUT_H}, 1, 2, 0},
    {"eventpair_create", FN(zx_eventpair_create), {A_OPTS, A_OUT_H, A_OUT_H}, 1, 2, 0},
    {"thread_create", FN(zx_thread_create), {A_HPROC, A_NAME, A_SSIZE, A_OPTS, A_OUT_H}, 1, 2, 0},
    {"thread_start", FN(zx_thread_start), {A_HTHREAD, A_PTR, A_PTR, A_U64, A_U64}, 0, 2, 0},
    {"futex_wait", FN(zx_futex_wait), {A_FUTEX, A_U32, A_HTHREAD, A_DEADLINE}, 0, 2, F_BLOCKS},
    {"futex_wake", FN(zx_futex_wake), {A_FUTEX, A_U32}, 0, 2, 0},
    {"process_start", FN(zx_process_start), {A_HPROC, A_HTHREAD, A_PTR, A_PTR, A_H, A_U64}, 0, 2, F_CONSUMES},
    {"task_kill", FN(zx_task_kill), {A_H}, 0, 1, 0},
    {"task_suspend", FN(zx_task_suspend), {A_H, A_OUT_H}, 0, 1, 0},
    {"job_set_policy", FN(zx_job_set_policy), {A_H, A_OPTS, A_U32, A_PTR, A_COUNT}, 1, 1, 0},
    {"job_set_critical", FN(zx_job_set_critical), {A_H, A_OPTS, A_HPROC}, 1, 1, 0},
    {"channel_call", FN(zx_channel_call), {A_HCHAN, A_OPTS, A_DEADLINE, A_CALL, A_PTR, A_PTR}, 1, 2, F_CONSUMES | F_BLOCKS},
    {"port_create", FN(zx_port_create), {A_OPTS, A_OUT_H}, 1, 2, 0},
    {"port_queue", FN(zx_port_queue), {A_HPORT, A_PACKET}, 0, 3, 0},
    {"port_wait", FN(zx_port_wait), {A_HPORT, A_DEADLINE, A_PTR}, 0, 3, F_BLOCKS},
    {"object_wait_async", FN(zx_object_wait_async), {A_H, A_HPORT, A_U64, A_SIGNALS, A_OPTS}, 7, 3, 0},
    {"port_cancel", FN(zx_port_cancel), {A_HPORT, A_H, A_U64}, 0, 2, 0},
    {"port_cancel_key", FN(zx_port_cancel_key), {A_HPORT, A_OPTS, A_U64}, 0, 2, 0},
    {"handle_check_valid", FN(zx_handle_check_valid), {A_H}, 0, 2, 0},
    // A failed socket or FIFO read or write may have moved data already (the
    // pieces before a fault, or everything before a bad `actual`): F_TAKES.
    {"socket_create", FN(zx_socket_create), {A_OPTS, A_OUT_H, A_OUT_H}, ZX_SOCKET_DATAGRAM, 2, 0},
    {"socket_write", FN(zx_socket_write), {A_HSOCK, A_OPTS, A_PTR, A_SIZE, A_PTR}, 0, 4, F_TAKES},
    {"socket_read", FN(zx_socket_read), {A_HSOCK, A_OPTS, A_PTR, A_SIZE, A_PTR}, ZX_SOCKET_PEEK, 4, F_TAKES},
    {"socket_set_disposition", FN(zx_socket_set_disposition), {A_HSOCK, A_OPTS, A_OPTS}, 3, 2, 0},
    {"fifo_create", FN(zx_fifo_create), {A_COUNT, A_SSIZE, A_OPTS, A_OUT_H, A_OUT_H}, 0, 2, 0},
    {"fifo_write", FN(zx_fifo_write), {A_HFIFO, A_SSIZE, A_PTR, A_COUNT, A_PTR}, 0, 3, F_TAKES},
    {"fifo_read", FN(zx_fifo_read), {A_HFIFO, A_SSIZE, A_PTR, A_COUNT, A_PTR}, 0, 3, F_TAKES},
    {"task_create_exception_channel", FN(zx_task_create_exception_channel), {A_HTASK, A_OPTS, A_OUT_H}, 1, 2, 0},
    {"exception_get_thread", FN(zx_exception_get_thread), {A_HEXC, A_OUT_H}, 0, 2, 0},
    {"exception_get_process", FN(zx_exception_get_process), {A_HEXC, A_OUT_H}, 0, 2, 0},
    {"thread_read_state", FN(zx_thread_read_state), {A_HTHREAD, A_STATE_KIND, A_PTR, A_SIZE}, 0, 3, 0},
    {"thread_write_state", FN(zx_thread_write_state), {A_HTHREAD, A_STATE_KIND, A_PTR, A_SIZE}, 0, 3, 0},
    {"job_create", FN(zx_job_create), {A_HJOB, A_OPTS, A_OUT_H}, 0, 1, 0},
    {"futex_requeue", FN(zx_futex_requeue), {A_FUTEX, A_U32, A_U32, A_FUTEX, A_U32, A_HTHREAD}, 0, 1, 0},
    {"clock_get_boot", FN(zx_clock_get_boot), {A_NONE}, 0, 1, F_VALUE},
    {"ticks_get_boot", FN(zx_ticks_get_boot), {A_NONE}, 0, 1, F_VALUE},
    {"timer_create", FN(zx_timer_create), {A_OPTS, A_U32, A_OUT_H}, 3, 2, 0},
    {"timer_set", FN(zx_timer_set), {A_H, A_DEADLINE, A_U64}, 0, 3, 0},
    {"timer_cancel", FN(zx_timer_cancel), {A_H}, 0, 2, 0},
    {"clock_create", FN(zx_clock_create), {A_OPTS, A_PTR, A_OUT_H}, 0xf, 2, 0},
    {"clock_read", FN(zx_clock_read), {A_H, A_PTR}, 0, 2, 0},
    {"clock_get_details", FN(zx_clock_get_details), {A_H, A_U64, A_PTR}, 0, 2, 0},
    {"clock_update", FN(zx_clock_update), {A_H, A_U64, A_PTR}, 0, 2, 0},
    {"syscall_test_0", FN(zx_syscall_test_0), {A_NONE}, 0, 1, F_VALUE},
    {"syscall_test_2", FN(zx_syscall_test_2), {A_U32, A_U32}, 0, 1, F_VALUE},
    {"syscall_test_8", FN(zx_syscall_test_8), {A_U32, A_U32, A_U32, A_U32, A_U32, A_U32, A_U32, A_U32}, 0, 1, F_VALUE},
    {"syscall_test_wrapper", FN(zx_syscall_test_wrapper), {A_U32, A_U32, A_U32}, 0, 1, F_VALUE},
    {"syscall_test_widening_signed_narrow", FN(zx_syscall_test_widening_signed_narrow), {A_U64, A_U64, A_U64, A_U64}, 0, 1, F_VALUE},
    {"counter_create", FN(zx_counter_create), {A_OPTS, A_OUT_H}, 1, 2, 0},
    {"counter_add", FN(zx_counter_add), {A_H, A_U64}, 0, 2, 0},
    {"counter_read", FN(zx_counter_read), {A_H, A_PTR}, 0, 2, 0},
    {"counter_write", FN(zx_counter_write), {A_H, A_U64}, 0, 2, 0},
    {"system_get_physmem", FN(zx_system_get_physmem), {A_NONE}, 0, 1, F_VALUE},
    {"system_get_dcache_line_size", FN(zx_system_get_dcache_line_size), {A_NONE}, 0, 1, F_VALUE},
    {"system_get_features", FN(zx_system_get_features), {A_U32, A_PTR}, 0, 1, 0},
    {"cprng_add_entropy", FN(zx_cprng_add_entropy), {A_PTR, A_SIZE}, 0, 1, 0},
    {"thread_legacy_yield", FN(zx_thread_legacy_yield), {A_OPTS}, 1, 1, 0},
    {"object_get_child", FN(zx_object_get_child), {A_H, A_U64, A_RIGHTS, A_OUT_H}, 0, 2, 0},
    {"futex_wake_single_owner", FN(zx_futex_wake_single_owner), {A_FUTEX}, 0, 1, 0},
    {"futex_requeue_single_owner", FN(zx_futex_requeue_single_owner), {A_FUTEX, A_U32, A_FUTEX, A_U32, A_HTHREAD}, 0, 1, 0},
    {"futex_get_owner", FN(zx_futex_get_owner), {A_FUTEX, A_PTR}, 0, 1, 0},
    {"stream_create", FN(zx_stream_create), {A_OPTS, A_HVMO, A_OFF, A_OUT_H}, ZX_STREAM_CREATE_MASK, 3, 0},
    // Pagers: a pager VMO is detached as soon as it is made (see
    // run_calls), since nobody here would ever supply its pages.
    {"pager_create", FN(zx_pager_create), {A_OPTS, A_OUT_H}, 1, 1, 0},
    {"pager_create_vmo", FN(zx_pager_create_vmo), {A_H, A_OPTS, A_HPORT, A_U64, A_SIZE, A_OUT_H}, ZX_VMO_RESIZABLE | ZX_VMO_TRAP_DIRTY, 2, 0},
    {"pager_detach_vmo", FN(zx_pager_detach_vmo), {A_H, A_HVMO}, 0, 1, 0},
    {"pager_supply_pages", FN(zx_pager_supply_pages), {A_H, A_HVMO, A_OFF, A_SIZE, A_HVMO, A_OFF}, 0, 2, 0},
    {"pager_op_range", FN(zx_pager_op_range), {A_H, A_U32, A_HVMO, A_OFF, A_SIZE, A_U64}, 0, 2, 0},
    {"pager_query_dirty_ranges", FN(zx_pager_query_dirty_ranges), {A_H, A_HVMO, A_OFF, A_SIZE, A_PTR, A_SIZE, A_PTR, A_PTR}, 0, 1, 0},
    {"pager_query_vmo_stats", FN(zx_pager_query_vmo_stats), {A_H, A_HVMO, A_OPTS, A_PTR, A_SIZE}, 1, 1, 0},
    {"stream_writev", FN(zx_stream_writev), {A_HSTREAM, A_OPTS, A_IOV, A_IOVCOUNT, A_PTR}, ZX_STREAM_APPEND, 4, F_MOVES},
    {"stream_writev_at", FN(zx_stream_writev_at), {A_HSTREAM, A_OPTS, A_OFF, A_IOV, A_IOVCOUNT, A_PTR}, 0, 3, F_MOVES},
    {"stream_readv", FN(zx_stream_readv), {A_HSTREAM, A_OPTS, A_IOV, A_IOVCOUNT, A_PTR}, 0, 4, F_MOVES},
    {"stream_readv_at", FN(zx_stream_readv_at), {A_HSTREAM, A_OPTS, A_OFF, A_IOV, A_IOVCOUNT, A_PTR}, 0, 3, F_MOVES},
    {"stream_seek", FN(zx_stream_seek), {A_HSTREAM, A_U32, A_U64, A_PTR}, 0, 3, F_MOVES},
    {"vmo_get_stream_size", FN(zx_vmo_get_stream_size), {A_HVMO, A_PTR}, 0, 2, 0},
    {"vmo_set_stream_size", FN(zx_vmo_set_stream_size), {A_HVMO, A_SIZE}, 0, 3, 0},
    {"channel_write_etc", FN(zx_channel_write_etc), {A_HCHAN, A_OPTS, A_PTR, A_U32, A_DISPS, A_COUNT}, ZX_CHANNEL_WRITE_USE_IOVEC, 4, F_CONSUMES},
    {"channel_read_etc", FN(zx_channel_read_etc), {A_HCHAN, A_OPTS, A_PTR, A_PTR, A_U32, A_COUNT, A_PTR, A_PTR}, ZX_CHANNEL_READ_MAY_DISCARD, 3, F_TAKES},
    {"channel_call_etc", FN(zx_channel_call_etc), {A_HCHAN, A_OPTS, A_DEADLINE, A_CALL_ETC, A_PTR, A_PTR}, ZX_CHANNEL_WRITE_USE_IOVEC, 2, F_CONSUMES | F_BLOCKS},
    {"resource_create", FN(zx_resource_create), {A_H, A_OPTS, A_U64, A_SIZE, A_NAME, A_SSIZE, A_OUT_H}, 0x1000F, 2, 0},
    {"debuglog_create", FN(zx_debuglog_create), {A_H, A_OPTS, A_OUT_H}, 0x40000000, 2, 0},
    {"debuglog_write", FN(zx_debuglog_write), {A_H, A_OPTS, A_TEXT, A_SSIZE}, 0x10, 1, 0},
    {"debuglog_read", FN(zx_debuglog_read), {A_H, A_OPTS, A_PTR, A_SIZE}, 0, 2, F_VALUE},
    {"system_get_event", FN(zx_system_get_event), {A_HJOB, A_U32, A_OUT_H}, 0, 1, 0},
    {"(unknown syscall)", raw_call, {A_U64, A_U64, A_U64, A_U64, A_U64, A_U64}, 0, 1, F_RAW},
};
#define N_CALLS (sizeof(k_calls) / sizeof(k_calls[0]))
_Static_assert(N_CALLS <= MAX_CALLS, "per-call statistics need room");

// Whether [p, p + n) lies inside the scratch mapping.
static int in_scratch(uint64_t p, uint64_t n) {
  uintptr_t b = (uintptr_t)g_scratch;
  return p >= b && n <= SCRATCH_SIZE && p - b <= SCRATCH_SIZE - n;
}

// Enters the emulator through the vDSO's entry slot with syscall number a7,
// which no vDSO function uses (the stubs load the number into eax and jump
// there): 0, or from 1000 up, clear of the table's growth and of the two
// calls that never return (see fixup()).
static uint64_t raw_call(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                         uint64_t a5, uint64_t a6, uint64_t a7) {
  (void)a6;
  void* entry;
  __asm__("mov __zx_syscall_entry@GOTPCREL(%%rip), %0\n\tmov (%0), %0" : "=r"(entry));
  register uint64_t rdi __asm__("rdi") = a0;
  register uint64_t rsi __asm__("rsi") = a1;
  register uint64_t rdx __asm__("rdx") = a2;
  register uint64_t rcx __asm__("rcx") = a3;
  register uint64_t r8 __asm__("r8") = a4;
  register uint64_t r9 __asm__("r9") = a5;
  uint64_t ret = (uint32_t)a7;
  // Step over the red zone (the call pushes a return address) and align the
  // stack as for any call; r12 keeps the stack pointer.
  __asm__ volatile(
      "mov %%rsp, %%r12\n\t"
      "sub $128, %%rsp\n\t"
      "and $-16, %%rsp\n\t"
      "call *%[entry]\n\t"
      "mov %%r12, %%rsp"
      : "+a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(rcx), "+r"(r8), "+r"(r9)
      : [entry] "r"(entry)
      : "r10", "r11", "r12", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
        "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
  return ret;
}

static const struct syscall* pick(struct fz* f) {
  static unsigned total;
  if (total == 0)
    for (size_t i = 0; i < N_CALLS; i++) total += k_calls[i].weight;
  unsigned r = (unsigned)below(f, total);
  for (size_t i = 0; i < N_CALLS; i++) {
    if (r < k_calls[i].weight) return &k_calls[i];
    r -= k_calls[i].weight;
  }
  return &k_calls[0];
}

static uint64_t gen_arg(struct fz* f, int kind, const struct syscall* sc, const uint64_t* args) {
  uint64_t v;
  switch (kind) {
    case A_H:
      v = gen_handle(f);
      break;
    case A_HVMO:
      v = gen_handle_of(f, ZX_OBJ_TYPE_VMO);
      break;
    case A_HVMAR:
      v = gen_handle_of(f, ZX_OBJ_TYPE_VMAR);
      break;
    case A_HCHAN:
      v = gen_handle_of(f, ZX_OBJ_TYPE_CHANNEL);
      break;
    case A_HPROC:
      v = gen_handle_of(f, ZX_OBJ_TYPE_PROCESS);
      break;
    case A_HTHREAD:
      v = gen_handle_of(f, ZX_OBJ_TYPE_THREAD);
      break;
    case A_HPORT:
      v = gen_handle_of(f, ZX_OBJ_TYPE_PORT);
      break;
    case A_HJOB:
      v = gen_handle_of(f, ZX_OBJ_TYPE_JOB);
      break;
    case A_HSTREAM:
      v = gen_handle_of(f, ZX_OBJ_TYPE_STREAM);
      break;
    case A_IOV:
      return gen_iov(f);
    case A_IOVCOUNT:
      return chance(f, 90) ? below(f, IOV_MAX_ENTRIES + 1) : gen_count(f);
    case A_HTASK: {
      static const zx_obj_type_t k_tasks[] = {ZX_OBJ_TYPE_JOB, ZX_OBJ_TYPE_PROCESS,
                                              ZX_OBJ_TYPE_THREAD};
      v = gen_handle_of(f, k_tasks[below(f, 3)]);
      break;
    }
    case A_HEXC:
      v = gen_handle_of(f, ZX_OBJ_TYPE_EXCEPTION);
      break;
    case A_HSOCK:
      v = gen_handle_of(f, ZX_OBJ_TYPE_SOCKET);
      break;
    case A_HFIFO:
      v = gen_handle_of(f, ZX_OBJ_TYPE_FIFO);
      break;
    case A_OPTS:
      v = gen_opts(f, sc->mask);
      break;
    case A_VMOPTS:
      v = gen_vm_opts(f, sc->fn == FN(zx_vmar_allocate) ? VM_ALLOCATE
                         : sc->fn == FN(zx_vmar_map)    ? VM_MAP
                                                        : VM_PROTECT);
      break;
    case A_SIZE:
      return gen_size(f);
    case A_SIZE_C:
      return gen_size_c(f);
    case A_SSIZE:
      return gen_small_size(f);
    case A_PTR:
    case A_OUT_H:
    case A_OUT_HS:
      return gen_ptr(f);
    case A_HANDLES:
      return gen_handles_ptr(f);
    case A_COUNT:
      return gen_count(f);
    case A_RIGHTS:
      v = gen_rights(f);
      break;
    case A_TOPIC:
      v = gen_topic(f);
      break;
    case A_PROP:
      v = gen_prop(f);
      break;
    case A_SIGNALS:
      v = gen_signals(f);
      break;
    case A_DEADLINE:
      return gen_deadline(f);
    case A_VADDR:
      return gen_vaddr(f, (zx_handle_t)args[0], 0);
    case A_VOFF:
      return gen_vaddr(f, (zx_handle_t)args[0], 1);
    case A_PADDR:
      switch (below(f, 12)) {
        case 0 ... 5:
          return g_cur_child_base + (chance(f, 70) ? 16 * PAGE + below(f, 16 * PAGE) : below(f, 16 * MIB));
        case 6 ... 7:
          return child_base(f) + below(f, 16 * MIB);
        case 8 ... 9: {
          // The crash child's code or data page.
          int c = (int)((g_crash.gen + CRASH_HIST - 1) % CRASH_HIST);
          return (chance(f, 50) ? g_crash_hist[c].code : g_crash_hist[c].data) + below(f, PAGE);
        }
        default:
          return gen_ptr(f);
      }
    case A_OFF:
      return gen_offset(f);
    case A_U32:
      v = chance(f, 50) ? below(f, 8) : (uint32_t)rnd(f);
      break;
    case A_U64:
      return chance(f, 50) ? below(f, 1ull << below(f, 64)) : rnd(f);
    case A_NAME:
      return gen_name(f);
    case A_TEXT:
      return chance(f, 80) ? gen_text(f) : gen_ptr(f);
    case A_FUTEX:
      return gen_futex(f);
    case A_VMO_OP:
      v = chance(f, 85) ? 1 + below(f, 14) : (uint32_t)rnd(f);
      break;
    case A_VMAR_OP: {
      static const uint32_t k_ops[] = {1, 2, 3, 10, 12, 13, 14};
      v = chance(f, 85) ? k_ops[below(f, 7)] : (uint32_t)rnd(f);
      break;
    }
    case A_STATE_KIND:
      v = chance(f, 85) ? below(f, 6) : (uint32_t)rnd(f);
      break;
    case A_PACKET:
      return gen_packet(f);
    case A_ITEMS:
      return gen_items(f);
    case A_CALL:
      return gen_call_args(f);
    case A_DISPS:
      return gen_dispositions(f);
    case A_CALL_ETC:
      return gen_call_etc_args(f);
    default:
      return chance(f, 50) ? 0 : rnd(f);
  }
  // 32-bit arguments: callers may leave garbage in the upper half of the
  // register, and the emulator must ignore it.
  if (chance(f, 15)) v |= rnd(f) << 32;
  return v;
}

static uint64_t scratch_slot(struct fz* f) {
  return (uintptr_t)g_scratch + (below(f, SCRATCH_SIZE - 2 * KIB) & ~63ul);
}

// Rewrites the arguments of some calls into ones likely to succeed (which
// random arguments rarely do), so that the fuzzer gets past the argument
// checks into the state changes.
static void plausible(struct fz* f, const struct syscall* sc, uint64_t* a) {
  zx_info_vmar_t info = {0};
  zx_object_get_info((zx_handle_t)a[0], ZX_INFO_VMAR, &info, sizeof(info), NULL, NULL);
  uintptr_t low = info.base + below(f, 24) * PAGE;  // near the mapping make() put there
  if (sc->fn == FN(zx_vmar_map)) {
    a[1] = (chance(f, 50) ? ZX_VM_PERM_READ : ZX_VM_PERM_READ | ZX_VM_PERM_WRITE) |
           maybe(f, 40, ZX_VM_SPECIFIC) | maybe(f, 10, ZX_VM_MAP_RANGE);
    a[2] = (a[1] & ZX_VM_SPECIFIC) ? below(f, 64) * PAGE : 0;
    a[4] = below(f, 4) * PAGE;
    a[5] = (1 + below(f, 4)) * PAGE;
    a[6] = scratch_slot(f);
  } else if (sc->fn == FN(zx_vmar_allocate)) {
    a[1] = ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | maybe(f, 50, ZX_VM_CAN_MAP_SPECIFIC) |
           maybe(f, 30, ZX_VM_SPECIFIC);
    a[2] = (a[1] & ZX_VM_SPECIFIC) ? below(f, 64) * PAGE : 0;
    a[3] = (1 + below(f, 64)) * PAGE;
    a[4] = scratch_slot(f);
    a[5] = scratch_slot(f);
  } else if (sc->fn == FN(zx_vmar_protect)) {
    a[1] = chance(f, 50) ? ZX_VM_PERM_READ : ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;
    a[2] = low;
    a[3] = (1 + below(f, 8)) * PAGE;
  } else if (sc->fn == FN(zx_vmar_unmap)) {
    a[1] = low;
    a[2] = (1 + below(f, 8)) * PAGE;
  } else if (sc->fn == FN(zx_vmar_op_range)) {
    a[2] = low;
    a[3] = (1 + below(f, 8)) * PAGE;
    a[4] = 0;
    a[5] = 0;
  } else if (sc->fn == FN(zx_channel_read)) {
    // Exception channels half the time: their messages bring exceptions.
    zx_handle_t ch = slot(K_EXC_THREAD_CH + (int)below(f, 4));
    if (ch != ZX_HANDLE_INVALID && chance(f, 50)) a[0] = ch;
    a[1] = 0;
    a[2] = scratch_slot(f);
    a[3] = scratch_slot(f);
    a[4] = 1024;
    a[5] = 64;
    a[6] = scratch_slot(f);
    a[7] = scratch_slot(f);
  } else if (sc->fn == FN(zx_thread_start)) {
    // A thread made by a call (perhaps in the crash child, then fixup()
    // points it at a loop).
    unsigned start = (unsigned)below(f, N_EXTRA);
    for (unsigned j = 0; j < N_EXTRA; j++) {
      int i = N_CORE + (int)((start + j) % N_EXTRA);
      if (slot(i) != ZX_HANDLE_INVALID &&
          __atomic_load_n(&g_type[i], __ATOMIC_RELAXED) == ZX_OBJ_TYPE_THREAD) {
        a[0] = slot(i);
        break;
      }
    }
  } else if (sc->fn == FN(zx_thread_read_state) || sc->fn == FN(zx_thread_write_state)) {
    static const uint32_t k_sizes[] = {sizeof(zx_thread_state_general_regs_t),
                                       sizeof(zx_thread_state_fp_regs_t),
                                       sizeof(zx_thread_state_vector_regs_t)};
    a[1] = below(f, 3);
    a[2] = (uintptr_t)prep(f, PAGE);
    a[3] = chance(f, 80) ? k_sizes[a[1]] : PAGE;
  } else if (sc->fn == FN(zx_channel_write)) {
    a[1] = 0;
    a[2] = scratch_slot(f);
    a[3] = below(f, 64);
    a[5] = below(f, 2);
  } else if (sc->fn == FN(zx_socket_write) || sc->fn == FN(zx_socket_read)) {
    a[1] = sc->fn == FN(zx_socket_read) ? maybe(f, 30, ZX_SOCKET_PEEK) : 0;
    a[2] = scratch_slot(f);
    a[3] = chance(f, 80) ? below(f, 4 * KIB) : below(f, 320 * KIB);
    a[4] = chance(f, 50) ? 0 : scratch_slot(f);
  } else if (sc->fn == FN(zx_fifo_write) || sc->fn == FN(zx_fifo_read)) {
    a[1] = chance(f, 80) ? 8 : 1 + below(f, 16);
    a[2] = scratch_slot(f);
    a[3] = 1 + below(f, 20);
    a[4] = chance(f, 50) ? 0 : scratch_slot(f);
  } else if (sc->fn == FN(zx_fifo_create)) {
    a[0] = 1 + below(f, 64);
    a[1] = 1 + below(f, 64);
  }
}

static int is_size_kind(int kind) {
  return kind == A_SIZE || kind == A_SIZE_C || kind == A_SSIZE || kind == A_U32 ||
         kind == A_COUNT;
}

// A buffer in our code or read-only data may be read from, but a long read
// would run on into our globals and copy our private handle values to where
// later calls take handles from (the emulator is right to allow that read).
// Sizes of a call with such a buffer stay short of the globals.
static void clamp_to_elf(struct fz* f, const struct syscall* sc, uint64_t* a) {
  uint64_t room = UINT64_MAX;
  for (int k = 0; k < 8; k++)
    if (a[k] >= g_elf_lo && a[k] < g_elf_rw && g_elf_rw - a[k] < room) room = g_elf_rw - a[k];
  if (room == UINT64_MAX) return;
  for (int k = 0; k < 8; k++)
    if (is_size_kind(sc->kind[k]) && a[k] > room / 16) a[k] = below(f, room / 16 + 1);
}

// Per fuzzing thread: the general registers zx_thread_write_state gets (in
// our globals, so that no other thread's call writes them between fixup()
// and the call; the emulator only reads them).
static zx_thread_state_general_regs_t g_regs_in[MAX_THREADS];

// Per fuzzing thread: where zx_thread_read_state writes when it was given a
// buffer in our window. A thread's registers may hold anything (the crash
// thread's are rewritten at random with zx_thread_write_state, from buffers
// that may hold our handle values); read into scratch or the arena, such
// values would reach the handle arrays of later calls, and a
// zx_handle_close_many could close the machinery's private handles. (This
// first showed an emulator bug, since fixed: new guest threads started with
// the host's vector registers, handle values among them.)
static uint8_t g_state_out[MAX_THREADS][PAGE];

// A value whose bits 63..47 are not all equal.
static uint64_t non_canonical(struct fz* f) {
  return (rnd(f) & ~(0x1ffffull << 47)) | (1ull << (47 + below(f, 17)));
}

// The crash child's side of fixup() (see "The crash child"): its threads
// only ever run its loops, and its code stays as it is.
static void crash_fixup(struct fz* f, const struct syscall* sc, uint64_t* a) {
  const size_t n_entries = sizeof(k_crash_entries);
  if (sc->fn == FN(zx_thread_start)) {
    int c = crash_of((zx_handle_t)a[0]);
    if (c >= 0) {
      a[1] = g_crash_hist[c].code + k_crash_entries[below(f, n_entries)];
    } else {
      // Any user-half entry starts a thread (and its process, if it was
      // never started), as on Zircon: only crash threads run; the others
      // get a kernel-half entry, which is refused.
      a[1] = (1ull << 63) | (rnd(f) & ~0xfffull);
    }
  } else if (sc->fn == FN(zx_thread_write_state)) {
    uint32_t topic = (uint32_t)a[1];
    if (topic == ZX_THREAD_STATE_GENERAL_REGS) {
      // Never from a buffer another call may write, never with a rip that
      // could run anything but a loop of the child's.
      zx_thread_state_general_regs_t* r = &g_regs_in[f->index];
      uint64_t* w = (uint64_t*)r;
      for (size_t i = 0; i < sizeof(*r) / 8; i++)
        w[i] = chance(f, 50) ? rnd(f) : below(f, 1ull << below(f, 64));
      int c = crash_of((zx_handle_t)a[0]);
      switch (below(f, 20)) {
        case 0 ... 13:
          r->rip = c >= 0 ? g_crash_hist[c].code + k_crash_entries[below(f, n_entries)] : 0;
          break;
        case 14 ... 15:
          r->rip = non_canonical(f);  // must be refused
          break;
        case 16:
          r->rip = 0;
          break;
        case 17:
          r->rip = 0xffff800000000000ull + (below(f, 1ull << 46) & ~15ull);  // fetch fault
          break;
        default:
          r->rip = c >= 0 ? g_crash_hist[c].data + below(f, PAGE) : 0;  // not executable
      }
      switch (below(f, 4)) {
        case 0:
          r->fs_base = 0;
          break;
        case 1:
          r->fs_base = non_canonical(f);
          break;
        default:
          r->fs_base = rnd(f) & 0x7fffffffffffull;
      }
      if (chance(f, 30)) r->gs_base = non_canonical(f);
      switch (below(f, 10)) {
        case 0:
          a[2] = 0;
          break;
        case 1:
          a[2] = g_hole_base + below(f, HOLE_SIZE - PAGE);
          break;
        default:
          a[2] = (uintptr_t)r;
      }
      if (chance(f, 70)) a[3] = sizeof(*r);
    } else if (topic == ZX_THREAD_STATE_FP_REGS && chance(f, 60)) {
      zx_thread_state_fp_regs_t* r = prep(f, sizeof(*r));
      uint64_t* w = (uint64_t*)r;
      for (size_t i = 0; i < sizeof(*r) / 8; i++) w[i] = rnd(f);
      if (chance(f, 50)) {
        r->fcw = 0x37f;
        r->fsw = 0;
      }
      a[2] = (uintptr_t)r;
      a[3] = sizeof(*r);
    } else if (topic == ZX_THREAD_STATE_VECTOR_REGS && chance(f, 60)) {
      zx_thread_state_vector_regs_t* r = prep(f, sizeof(*r));
      uint64_t* w = (uint64_t*)r;
      for (size_t i = 0; i < sizeof(*r) / 8; i++) w[i] = chance(f, 80) ? rnd(f) : 0;
      switch (below(f, 4)) {
        case 0:
          r->mxcsr = 0x1f80;
          break;
        case 1:
          r->mxcsr = (uint32_t)rnd(f) & 0xffff;  // all the bits the CPU knows
          break;
        case 2:
          r->mxcsr = 0x1f80 | (1u << (16 + below(f, 16)));  // a reserved bit
          break;
        default:
          r->mxcsr = (uint32_t)rnd(f);
      }
      a[2] = (uintptr_t)r;
      a[3] = sizeof(*r);
    }
  } else if (sc->fn == FN(zx_thread_read_state)) {
    // See g_state_out: nothing a thread's registers hold may land where
    // later calls take handles from.
    uint64_t p = a[2];
    int in_window = p >= g_root_info.base && p - g_root_info.base < g_root_info.len;
    int in_hole = p >= g_hole_base && p - g_hole_base < HOLE_SIZE;
    if (in_window && !in_hole) a[2] = (uintptr_t)g_state_out[f->index];
  } else if (sc->fn == FN(zx_process_write_memory)) {
    int c = crash_of((zx_handle_t)a[0]);
    uint64_t code = c >= 0 ? g_crash_hist[c].code : 0;
    if (c >= 0 && a[1] < code + PAGE && (a[1] + a[3] > code || a[1] + a[3] < a[1])) {
      a[1] = g_crash_hist[c].data + below(f, PAGE);
      if (a[3] > PAGE) a[3] = below(f, PAGE + 1);
    }
  } else if ((sc->fn == FN(zx_object_set_property) || sc->fn == FN(zx_object_get_property)) &&
             ((uint32_t)a[1] == ZX_PROP_EXCEPTION_STATE ||
              (uint32_t)a[1] == ZX_PROP_EXCEPTION_STRATEGY) &&
             chance(f, 60)) {
    uint32_t* v = prep(f, 8);
    *v = chance(f, 85) ? (uint32_t)below(f, 3) : (uint32_t)rnd(f);
    a[2] = (uintptr_t)v;
    a[3] = chance(f, 85) ? 4 : gen_small_size(f);
  }
}

// Calls that are not safe with every combination of arguments are tamed here.
static void fixup(struct fz* f, const struct syscall* sc, uint64_t* a) {
  if (chance(f, 40)) plausible(f, sc, a);
  clamp_to_elf(f, sc, a);
  if ((sc->fn == FN(zx_fifo_write) || sc->fn == FN(zx_fifo_read)) && a[2] >= g_elf_lo &&
      a[2] < g_elf_rw) {
    // A FIFO moves count * elem_size bytes: keep the product short of our
    // globals too.
    uint64_t room = g_elf_rw - a[2];
    uint64_t size = a[1] ? a[1] : 1;
    if (a[3] > room / size / 2) a[3] = room / size / 2;
  }
  if (sc->fn == FN(zx_vmar_map) && (a[1] & ZX_VM_MAP_RANGE)) {
    uint64_t s = a[5];
    if (s > COMMIT_CAP && s < UINT64_MAX - 64 * KIB) a[5] = below(f, COMMIT_CAP);
  } else if (sc->fn == FN(zx_futex_wait)) {
    uintptr_t p = (uintptr_t)a[0];
    if (chance(f, 50) && in_scratch(p, 4) && (p & 3) == 0)
      a[1] = *(volatile uint32_t*)p;
  } else if (sc->fn == FN(zx_task_suspend)) {
    // Never a thread of this process, nor this process: a token left in
    // the pool would keep a worker (or the main thread) stopped for good.
    // (Suspending oneself is refused by the call itself.)
    zx_info_handle_basic_t t, self;
    if (zx_object_get_info((zx_handle_t)a[0], ZX_INFO_HANDLE_BASIC, &t, sizeof(t), NULL, NULL) ==
            ZX_OK &&
        zx_object_get_info(zx_process_self(), ZX_INFO_HANDLE_BASIC, &self, sizeof(self), NULL, NULL) ==
            ZX_OK &&
        ((t.type == ZX_OBJ_TYPE_THREAD && t.related_koid == self.koid) ||
         (t.type == ZX_OBJ_TYPE_PROCESS && t.koid == self.koid))) {
      a[0] = ZX_HANDLE_INVALID;
    }
  } else if (sc->fn == FN(zx_process_start)) {
    // Never start a child: its code would fault. A process with a thread
    // of its own could be started, so the thread goes.
    zx_info_handle_basic_t p, t;
    if (zx_object_get_info((zx_handle_t)a[0], ZX_INFO_HANDLE_BASIC, &p, sizeof(p), NULL, NULL) ==
            ZX_OK &&
        zx_object_get_info((zx_handle_t)a[1], ZX_INFO_HANDLE_BASIC, &t, sizeof(t), NULL, NULL) ==
            ZX_OK &&
        p.type == ZX_OBJ_TYPE_PROCESS && t.type == ZX_OBJ_TYPE_THREAD &&
        t.related_koid == p.koid) {
      a[1] = ZX_HANDLE_INVALID;
    }
  } else if (sc->flags & F_RAW) {
    switch (below(f, 4)) {
      case 0:
        a[7] = 0;
        break;
      case 1:
        a[7] = 1000 + below(f, 1u << 20);
        break;
      case 2:
        a[7] = 0x80000000u + below(f, 1000);
        break;
      default:
        a[7] = UINT32_MAX - below(f, 1000);
    }
  }
  // Last: what keeps the crash child to its loops has the final word.
  crash_fixup(f, sc, a);
}

static void harvest(uint64_t p, unsigned count) {
  lock();
  for (unsigned i = 0; i < count; i++, p += 4) {
    if (!in_scratch(p, 4) || (p & 3)) break;
    adopt(*(volatile zx_handle_t*)p);
  }
  unlock();
}

// ---- Statistics and in-loop oracles -------------------------------------------


static void report(struct fz* f, const struct syscall* sc, const uint64_t* a, const char* what,
                   uint64_t r) {
  (void)f;
  FAIL("%s: %s(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx, %#lx, %#lx) -> %#lx", what, sc->name, a[0],
       a[1], a[2], a[3], a[4], a[5], a[6], a[7], r);
}

static void check_result(struct fz* f, const struct syscall* sc, const uint64_t* a, uint64_t r,
                         zx_instant_mono_t before, zx_instant_mono_t after) {
  f->calls++;
  f->per_call[sc - k_calls][0]++;
  if (sc->flags & F_VALUE) {
    f->values++;
    if (sc->fn == FN(zx_system_get_page_size) && (uint32_t)r != PAGE)
      report(f, sc, a, "page size", r);
    if (sc->fn == FN(zx_system_get_num_cpus) && ((uint32_t)r == 0 || (uint32_t)r > 4096))
      report(f, sc, a, "cpu count", r);
    if (sc->fn == FN(zx_ticks_per_second) && (int64_t)r <= 0) report(f, sc, a, "tick rate", r);
    if (sc->fn == FN(zx_clock_get_monotonic)) {
      if ((int64_t)r < f->last_clock) report(f, sc, a, "monotonic clock went back", r);
      f->last_clock = (int64_t)r;
    }
    if (sc->fn == FN(zx_deadline_after)) {
      int64_t d = (int64_t)a[0], v = (int64_t)r;
      // Saturating: now + d, clamped to ZX_TIME_INFINITE.
      int64_t lim = (int64_t)1 << 50;
      if (d >= -lim && d <= lim && (v < before + d || v > after + d))
        report(f, sc, a, "deadline_after(d) is not now + d", r);
      if (d > 0 && d > INT64_MAX - before && v != ZX_TIME_INFINITE)
        report(f, sc, a, "deadline_after(huge) does not saturate", r);
    }
    return;
  }
  zx_status_t st = (zx_status_t)r;
  if (st == ZX_OK) f->per_call[sc - k_calls][1]++;
  if (r != (uint64_t)(int64_t)st) report(f, sc, a, "status not sign-extended to 64 bits", r);
  if (st > 0 || st <= -N_STATUS || strcmp(zx_status_get_string(st), "(UNKNOWN)") == 0) {
    f->odd_status++;
    report(f, sc, a, "unknown status", r);
  } else {
    f->status_count[-st]++;
  }
  if ((sc->flags & F_RAW) && st != ZX_ERR_BAD_SYSCALL)
    report(f, sc, a, "unknown syscall number not BAD_SYSCALL", r);
  if ((sc->flags & F_BLOCKS) && after - before > SLOW_CALL_NS)
    report(f, sc, a, "a call with a near deadline blocked for long", (uint64_t)(after - before));
}

// ---- Checks ---------------------------------------------------------------------

static int g_private_broken;

static int g_private_leaked;

static int g_crash_broken;

// Whether the crash machinery's own handles are all still there (under the
// lock: a respawn replaces them).
static int crash_handles_ok(void) {
  lock();
  int ok = 1;
  zx_handle_t hs[3] = {g_crash.job, g_crash.proc, g_crash.thread};
  for (int i = 0; i < 3; i++)
    if (hs[i] != ZX_HANDLE_INVALID && !handle_valid(hs[i])) ok = 0;
  unlock();
  return ok;
}

// The offset in scratch of a private handle value, or -1.
static long private_in_scratch(void) {
  zx_handle_t hs[MAX_PRIVATE];
  size_t n = private_handles(hs);
  const volatile uint32_t* w = (const volatile uint32_t*)g_scratch;
  for (size_t i = 0; i < SCRATCH_SIZE / 4; i++)
    for (size_t k = 0; k < n; k++)
      if (w[i] == hs[k]) return (long)(i * 4);
  return -1;
}

// Whether the handles this fuzzer never passes are all still there.
static int private_handles_ok(void) {
  zx_handle_t hs[MAX_PRIVATE];
  size_t n = private_handles(hs);
  for (size_t i = 0; i < n; i++)
    if (!handle_valid(hs[i])) return 0;
  return 1;
}

static uint64_t checksum(const void* p, size_t n) {
  const uint8_t* b = p;
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
  return h;
}

static uint8_t canary_byte(size_t i) { return (uint8_t)(i * 7 + 0x5a); }

static void check_canaries(void) {
  for (size_t i = 0; i < PAGE; i++) {
    if (g_canary[i] != canary_byte(i)) {
      FAIL("canary page after the scratch guard changed at +%zu", i);
      return;
    }
  }
}

#define MAX_MAPS 1024
static zx_info_maps_t g_maps[MAX_MAPS];

// ZX_INFO_PROCESS_MAPS of `proc`: depth-first, each entry inside its parent
// and after its previous sibling, mappings sorted, all inside [base, end).
static void check_maps(zx_handle_t proc, const char* who, uintptr_t base, uintptr_t end) {
  size_t actual = 0, avail = 0;
  zx_status_t st =
      zx_object_get_info(proc, ZX_INFO_PROCESS_MAPS, g_maps, sizeof(g_maps), &actual, &avail);
  if (st != ZX_OK) {
    FAIL("%s: ZX_INFO_PROCESS_MAPS: %s", who, zx_status_get_string(st));
    return;
  }
  if (actual > avail || actual > MAX_MAPS) FAIL("%s: maps actual %zu avail %zu", who, actual, avail);
  if (actual == 0 || g_maps[0].depth != 0 || g_maps[0].type != ZX_INFO_MAPS_TYPE_ASPACE) {
    FAIL("%s: maps do not start with the address space", who);
    return;
  }
  uintptr_t lo[16], hi[16], next[16];
  lo[0] = g_maps[0].base;
  hi[0] = g_maps[0].base + g_maps[0].size;
  next[1] = lo[0];
  uintptr_t last_map_end = 0;
  for (size_t i = 1; i < actual && i < MAX_MAPS; i++) {
    const zx_info_maps_t* m = &g_maps[i];
    size_t d = m->depth;
    uintptr_t e = m->base + m->size;
    if (d == 0 || d >= 15 || d > g_maps[i - 1].depth + 1) {
      FAIL("%s: maps entry %zu has depth %zu after %zu", who, i, d, g_maps[i - 1].depth);
      return;
    }
    if (m->size == 0 || e < m->base || m->base < lo[d - 1] || e > hi[d - 1])
      FAIL("%s: maps entry %zu [%#lx, %#lx) outside its parent [%#lx, %#lx)", who, i, m->base, e,
           lo[d - 1], hi[d - 1]);
    if (m->base < next[d])
      FAIL("%s: maps entry %zu at %#lx overlaps or precedes its sibling (ends %#lx)", who, i,
           m->base, next[d]);
    if (m->base < base || e > end)
      FAIL("%s: maps entry %zu [%#lx, %#lx) outside the root VMAR", who, i, m->base, e);
    if (m->type == ZX_INFO_MAPS_TYPE_MAPPING) {
      if (m->base < last_map_end) FAIL("%s: mappings not sorted at entry %zu", who, i);
      last_map_end = e;
      if (m->u.mapping.mmu_flags & ~(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE))
        FAIL("%s: mapping %zu has flags %#x", who, i, m->u.mapping.mmu_flags);
    } else if (m->type != ZX_INFO_MAPS_TYPE_VMAR) {
      FAIL("%s: maps entry %zu has type %u", who, i, m->type);
    }
    next[d] = e;
    lo[d] = m->base;
    hi[d] = e;
    next[d + 1] = m->base;
  }
}

// ---- Single-threaded oracles (another thread would change state under them)

// A hash of our own maps: ranges, nesting, types, protections, VMOs and
// offsets (not the committed counts).
static uint64_t maps_hash(void) {
  size_t actual = 0, avail = 0;
  if (zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_MAPS, g_maps, sizeof(g_maps), &actual,
                         &avail) != ZX_OK)
    return 0;
  uint64_t h = checksum(&actual, sizeof(actual));
  for (size_t i = 0; i < actual && i < MAX_MAPS; i++) {
    const zx_info_maps_t* m = &g_maps[i];
    uint64_t fields[7] = {m->base, m->size, m->depth, m->type, 0, 0, 0};
    if (m->type == ZX_INFO_MAPS_TYPE_MAPPING) {
      fields[4] = m->u.mapping.mmu_flags;
      fields[5] = m->u.mapping.vmo_koid;
      fields[6] = m->u.mapping.vmo_offset;
    }
    h = h * 31 + checksum(fields, sizeof(fields));
  }
  return h;
}

// Our mappings of pool VMOs show the VMOs' contents: a page read through
// the mapping (zx_process_read_memory of ourselves, which ignores the
// mapping's protection) equals the page zx_vmo_read gives at the mapping's
// offset. One random page per mapping.
static uint64_t g_pages_compared;

static void check_coherence(struct fz* f) {
  static uint8_t via_map[PAGE], via_vmo[PAGE];
  zx_koid_t koid[N_SLOTS] = {0};
  for (int i = 0; i < N_SLOTS; i++) {
    zx_info_handle_basic_t info;
    if (g_pool[i] != ZX_HANDLE_INVALID && g_type[i] == ZX_OBJ_TYPE_VMO &&
        zx_object_get_info(g_pool[i], ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL) ==
            ZX_OK)
      koid[i] = info.koid;
  }
  size_t actual = 0, avail = 0;
  if (zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_MAPS, g_maps, sizeof(g_maps), &actual,
                         &avail) != ZX_OK)
    return;
  for (size_t m = 0; m < actual && m < MAX_MAPS; m++) {
    const zx_info_maps_t* e = &g_maps[m];
    if (e->type != ZX_INFO_MAPS_TYPE_MAPPING || e->size < PAGE) continue;
    for (int i = 0; i < N_SLOTS; i++) {
      if (koid[i] == 0 || koid[i] != e->u.mapping.vmo_koid) continue;
      uint64_t off = below(f, e->size / PAGE) * PAGE;
      size_t got = 0;
      if (zx_process_read_memory(zx_process_self(), e->base + off, via_map, PAGE, &got) != ZX_OK ||
          got != PAGE || zx_vmo_read(g_pool[i], via_vmo, e->u.mapping.vmo_offset + off, PAGE) != ZX_OK)
        break;
      g_pages_compared++;
      if (memcmp(via_map, via_vmo, PAGE) != 0)
        FAIL("mapping at %#lx (+%#lx) and VMO %#x (offset %#lx) disagree", e->base, off,
             g_pool[i], e->u.mapping.vmo_offset + off);
      break;
    }
  }
}

// VMAR calls that fail must leave the address space as it was (only the
// range ops may stop half way, as on Zircon).
// A vmar_map with ZX_VM_SPECIFIC_OVERWRITE is not: when writing
// mapped_addr fails, Zircon destroys the new mapping, and what it replaced
// stays gone.
static int is_all_or_nothing(const struct syscall* sc, const uint64_t* a) {
  if (sc->fn == FN(zx_vmar_map) && (a[1] & ZX_VM_SPECIFIC_OVERWRITE)) return 0;
  return sc->fn == FN(zx_vmar_map) || sc->fn == FN(zx_vmar_unmap) ||
         sc->fn == FN(zx_vmar_protect) || sc->fn == FN(zx_vmar_allocate) ||
         sc->fn == FN(zx_vmar_destroy);
}

// Whether a failed call may simply be made again and must fail the same
// way: it consumed nothing, waited for nothing, and read no structured
// input that its own outputs may have overwritten.
static int is_repeatable(const struct syscall* sc, zx_status_t st) {
  if (sc->flags & (F_VALUE | F_CONSUMES | F_BLOCKS | F_RAW | F_TAKES | F_MOVES)) return 0;
  if (st == ZX_OK || st == ZX_ERR_NO_RESOURCES || st == ZX_ERR_NO_MEMORY) return 0;
  for (int k = 0; k < 8; k++)
    if (sc->kind[k] == A_HANDLES || sc->kind[k] == A_ITEMS || sc->kind[k] == A_PACKET ||
        sc->kind[k] == A_CALL)
      return 0;
  return 1;
}

// Whether a handle argument names something that changes by itself: an
// exception, a job (the crash child dies in one), the crash child or one of
// its threads, an exception channel (the only channels without WRITE). A
// failed call on such a thing may rightly fail differently when made again.
static int moving_target(const struct syscall* sc, const uint64_t* a) {
  for (int k = 0; k < 8; k++) {
    if (sc->kind[k] < A_H || sc->kind[k] > A_HEXC) continue;
    zx_info_handle_basic_t info;
    if (zx_object_get_info((zx_handle_t)a[k], ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL,
                           NULL) != ZX_OK)
      continue;
    if (info.type == ZX_OBJ_TYPE_EXCEPTION || info.type == ZX_OBJ_TYPE_JOB) return 1;
    if ((info.type == ZX_OBJ_TYPE_PROCESS || info.type == ZX_OBJ_TYPE_THREAD) &&
        crash_of((zx_handle_t)a[k]) >= 0)
      return 1;
    if (info.type == ZX_OBJ_TYPE_CHANNEL && !(info.rights & ZX_RIGHT_WRITE)) return 1;
  }
  return 0;
}

static void check_scratch(void) {
  static uint8_t buf[PAGE];
  // Through the mapping, then read back through the VMO.
  for (size_t i = 0; i < SCRATCH_SIZE; i++) g_scratch[i] = (uint8_t)(i * 13 + (i >> 12));
  for (size_t off = 0; off < SCRATCH_SIZE; off += PAGE) {
    zx_status_t st = zx_vmo_read(g_scratch_vmo, buf, off, PAGE);
    if (st != ZX_OK) {
      FAIL("zx_vmo_read of the scratch VMO: %s", zx_status_get_string(st));
      return;
    }
    if (memcmp(buf, g_scratch + off, PAGE) != 0) {
      FAIL("scratch mapping and VMO disagree at +%#zx (mapping -> VMO)", off);
      return;
    }
  }
  // Through the VMO, then read back through the mapping.
  for (size_t off = 0; off < SCRATCH_SIZE; off += PAGE) {
    for (size_t i = 0; i < PAGE; i++) buf[i] = (uint8_t)((off + i) * 29 + 1);
    zx_status_t st = zx_vmo_write(g_scratch_vmo, buf, off, PAGE);
    if (st != ZX_OK) {
      FAIL("zx_vmo_write of the scratch VMO: %s", zx_status_get_string(st));
      return;
    }
    if (memcmp(buf, g_scratch + off, PAGE) != 0) {
      FAIL("scratch mapping and VMO disagree at +%#zx (VMO -> mapping)", off);
      return;
    }
  }
}

static void check_pool(void) {
  unsigned alive = 0;
  for (int i = 0; i < N_SLOTS; i++) {
    zx_handle_t h = g_pool[i];
    if (h == ZX_HANDLE_INVALID) continue;
    zx_info_handle_basic_t info;
    zx_status_t st = zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL);
    if (st != ZX_OK) {
      FAIL("pool slot %d (%#x): HANDLE_BASIC: %s", i, h, zx_status_get_string(st));
      continue;
    }
    alive++;
    if (info.koid == ZX_KOID_INVALID) FAIL("pool slot %d has koid 0", i);
    if (i < N_CORE && info.type != k_kind_type[i])
      FAIL("pool slot %s has type %u", k_kind_name[i], info.type);
  }
  // The objects still work.
  zx_handle_t ev = g_pool[K_EVENT];
  zx_signals_t seen = 0;
  if (ev != ZX_HANDLE_INVALID && !is_dead(K_EVENT, ev)) {
    zx_status_t st = zx_object_signal(ev, ZX_USER_SIGNAL_ALL, ZX_USER_SIGNAL_3);
    if (st == ZX_OK &&
        (zx_object_wait_one(ev, ZX_USER_SIGNAL_3, 0, &seen) != ZX_OK ||
         (seen & ZX_USER_SIGNAL_ALL) != ZX_USER_SIGNAL_3))
      FAIL("event: signalled %#x, observed %#x", ZX_USER_SIGNAL_3, seen);
  }
  zx_handle_t vmo = g_pool[K_VMO];
  if (vmo != ZX_HANDLE_INVALID) {
    uint64_t in = 0x1234567890abcdefull, out = 0;
    zx_status_t st = zx_vmo_write(vmo, &in, 8, sizeof(in));
    if (st == ZX_OK && (zx_vmo_read(vmo, &out, 8, sizeof(out)) != ZX_OK || out != in))
      FAIL("vmo: wrote %#lx, read %#lx", in, out);
  }
  zx_handle_t a, b;
  if (zx_channel_create(0, &a, &b) != ZX_OK) {
    FAIL("channel_create after fuzzing");
  } else {
    uint32_t msg = 0xfeedf00d, got = 0, n = 0, nh = 0;
    zx_handle_t moved = ZX_HANDLE_INVALID, back = ZX_HANDLE_INVALID;
    zx_event_create(0, &moved);
    if (zx_channel_write(a, 0, &msg, 4, &moved, 1) != ZX_OK ||
        zx_channel_read(b, 0, &got, &back, 4, 1, &n, &nh) != ZX_OK || got != msg || n != 4 ||
        nh != 1 || !handle_valid(back))
      FAIL("channel round trip after fuzzing");
    zx_handle_close(back);
    zx_handle_close(a);
    zx_handle_close(b);
  }
  printf("fuzz: %u pool handles alive, %u children made, %lu mapped pages compared with their VMOs\n",
         alive, g_children, g_pages_compared);
}

// ---- Setup ------------------------------------------------------------------------

static int setup(struct fz* f) {
  uintptr_t addr;
  g_root = zx_vmar_root_self();
  if (zx_object_get_info(g_root, ZX_INFO_VMAR, &g_root_info, sizeof(g_root_info), NULL, NULL) !=
      ZX_OK)
    return -1;
  // [guard][scratch][guard][canary][guard]
  if (zx_vmar_allocate(g_root, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC,
                       0, SCRATCH_REGION, &g_scratch_vmar, &addr) != ZX_OK)
    return -2;
  if (zx_vmo_create(SCRATCH_SIZE, 0, &g_scratch_vmo) != ZX_OK) return -3;
  if (zx_vmar_map(g_scratch_vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, PAGE,
                  g_scratch_vmo, 0, SCRATCH_SIZE, &addr) != ZX_OK)
    return -4;
  g_scratch = (uint8_t*)addr;
  if (zx_vmo_create(PAGE, 0, &g_canary_vmo) != ZX_OK) return -5;
  if (zx_vmar_map(g_scratch_vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC,
                  SCRATCH_SIZE + 2 * PAGE, g_canary_vmo, 0, PAGE, &addr) != ZX_OK)
    return -6;
  g_canary = (uint8_t*)addr;
  for (size_t i = 0; i < PAGE; i++) g_canary[i] = canary_byte(i);
  if (zx_vmar_allocate(g_root, 0, 0, HOLE_SIZE, &g_hole, &g_hole_base) != ZX_OK) return -7;
  // [iovec arrays][unmapped]
  zx_handle_t iov_vmar, iov_vmo;
  if (zx_vmar_allocate(g_root, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC,
                       0, 2 * PAGE, &iov_vmar, &addr) != ZX_OK ||
      zx_vmo_create(PAGE, 0, &iov_vmo) != ZX_OK ||
      zx_vmar_map(iov_vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 0, iov_vmo, 0,
                  PAGE, &g_iov_page) != ZX_OK)
    return -7;
  zx_handle_close(iov_vmo);
  zx_handle_close(iov_vmar);
  // Guard pages around the arena: a read that runs through the arena's
  // mappings stops there instead of going on into our own memory.
  const zx_vm_option_t can_map = ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE |
                                 ZX_VM_CAN_MAP_EXECUTE | ZX_VM_CAN_MAP_SPECIFIC;
  if (zx_vmar_allocate(g_root, can_map, 0, ARENA_SIZE + 2 * PAGE, &g_arena_outer, &addr) != ZX_OK)
    return -8;
  if (zx_vmar_allocate(g_arena_outer, can_map | ZX_VM_SPECIFIC, PAGE, ARENA_SIZE, &g_arena,
                       &g_arena_base) != ZX_OK)
    return -8;
  // Random bytes in scratch, none of them one of our private handles.
  for (size_t i = 0; i < SCRATCH_SIZE; i += 4) {
    zx_handle_t v = (zx_handle_t)rnd(f);
    *(uint32_t*)(g_scratch + i) = is_private(v) ? 0 : v;
  }
  for (size_t i = 0; i < 64; i++) g_data_canary[i] = 0xc0ffee00u + i;
  g_code_sum = checksum((const void*)((uintptr_t)&rnd & ~(PAGE - 1)), PAGE);
  g_rodata_sum = checksum(k_rodata, sizeof(k_rodata));
  crash_tend();
  refill();
  // Our own mappings, for the "random hole of the window" pointers.
  size_t actual = 0, avail = 0;
  if (zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_MAPS, g_maps, sizeof(g_maps),
                         &actual, &avail) != ZX_OK)
    return -9;
  for (size_t i = 0; i < actual && g_own_count < MAX_OWN; i++) {
    const zx_info_maps_t* m = &g_maps[i];
    if (m->type != ZX_INFO_MAPS_TYPE_MAPPING) continue;
    if (m->base >= g_arena_base && m->base < g_arena_base + ARENA_SIZE) continue;
    g_own[g_own_count].base = m->base;
    g_own[g_own_count].end = m->base + m->size;
    g_own_count++;
    if (m->base <= (uintptr_t)&rnd && (uintptr_t)&rnd < m->base + m->size) g_elf_lo = m->base;
    if (m->base <= (uintptr_t)g_data_canary && (uintptr_t)g_data_canary < m->base + m->size)
      g_elf_rw = m->base;
  }
  // The ELF's segments are one run of mappings: from the text up to the
  // globals' mapping, all of it text or read-only data.
  if (g_elf_lo == 0 || g_elf_rw <= g_elf_lo || (uintptr_t)k_rodata >= g_elf_rw) return -10;
  return 0;
}

// ---- Main ------------------------------------------------------------------------


// The fuzzing loop of one thread: until its iterations or its time run out.
static void fuzz_loop(struct fz* f) {
  f->last_clock = zx_clock_get_monotonic();
  for (uint64_t i = 0; i < f->iterations; i++) {
    f->now = zx_clock_get_monotonic();
    if (f->now > f->end) break;
    const struct syscall* sc = pick(f);
    uint64_t a[8] = {0};
    f->prep_base = (uintptr_t)g_scratch + below(f, (SCRATCH_SIZE - 32 * KIB) / PAGE) * PAGE;
    f->prep_used = 0;
    for (int k = 0; k < 8; k++)
      a[k] = sc->kind[k] == A_NONE ? (chance(f, 50) ? rnd(f) : 0) : gen_arg(f, sc->kind[k], sc, a);
    fixup(f, sc, a);
    if (g_trace) {
      lock();
      printf("#%d.%lu %s %#lx %#lx %#lx %#lx %#lx %#lx %#lx %#lx\n", f->index, i, sc->name, a[0],
             a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
      fflush(stdout);
      unlock();
    }
    int alone = g_threads == 1;
    uint64_t maps_before = alone && is_all_or_nothing(sc, a) ? maps_hash() : 0;
    zx_instant_mono_t before = (sc->flags & (F_BLOCKS | F_VALUE)) ? zx_clock_get_monotonic() : 0;
    uint64_t r = sc->fn(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
    zx_instant_mono_t after = (sc->flags & (F_BLOCKS | F_VALUE)) ? zx_clock_get_monotonic() : 0;
    if (maps_before != 0 && (zx_status_t)r != ZX_OK && maps_hash() != maps_before)
      report(f, sc, a, "a failed call changed the address space", r);
    if (alone && is_repeatable(sc, (zx_status_t)r) && !moving_target(sc, a)) {
      uint64_t again = sc->fn(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
      if ((zx_status_t)again != (zx_status_t)r)
        report(f, sc, a, "the same failing call, made again, answered differently (again)",
               again);
    }
    if (g_trace) {
      lock();
      printf("#%d.%lu -> %ld\n", f->index, i, (long)r);
      unlock();
    }
    check_result(f, sc, a, r, before, after);
    if (sc->fn == FN(zx_pager_create_vmo) && (zx_status_t)r == ZX_OK) {
      // Nobody serves this pager: detach at once, so that touching the VMO
      // fails (BAD_STATE) instead of waiting for ever.
      // (Another fuzzing thread may have scribbled over the out value
      // already; then the handle is lost to the pool as well.)
      zx_handle_t vmo = ZX_HANDLE_INVALID;
      memcpy(&vmo, (const void*)(uintptr_t)a[5], sizeof(vmo));
      zx_pager_detach_vmo((zx_handle_t)a[0], vmo);
    }
    if (!(sc->flags & F_VALUE) && (zx_status_t)r == ZX_OK) {
      for (int k = 0; k < 8; k++) {
        if (sc->kind[k] == A_OUT_H) harvest(a[k], 1);
        if (sc->kind[k] == A_OUT_HS) harvest(a[k], a[5] < 8 ? (unsigned)a[5] : 8);
      }
    }
    if (sc->flags & F_CONSUMES) sweep(0);
    if (g_watch && !g_private_leaked) {
      long at = private_in_scratch();
      if (at >= 0) {
        g_private_leaked = 1;
        report(f, sc, a, "a private handle value appeared in scratch (offset in the result)",
               (uint64_t)at);
      }
    }
    if ((g_watch || (i & 127) == 127) && !g_crash_broken && !crash_handles_ok()) {
      g_crash_broken = 1;
      report(f, sc, a, "a crash machinery handle broke at or before this call", i);
    }
    if ((g_watch || (i & 127) == 127) && !g_private_broken && !private_handles_ok()) {
      g_private_broken = 1;
      report(f, sc, a, "a private handle broke at or before this call", i);
    }
    if ((i & 127) == 127) {
      sweep(1);
      if (f->index == 0) check_canaries();
      if (alone) check_coherence(f);
    }
  }
}

// Extra fuzzing threads: each runs on a stack of its own (mapped at setup,
// so that random pointers keep clear of it) and exits when done.
#define WORKER_STACK (128ul * KIB)
static struct fz g_fz[MAX_THREADS];
static uintptr_t g_worker_stack[MAX_THREADS];

static void worker_main(uintptr_t arg1, uintptr_t arg2) {
  (void)arg2;
  fuzz_loop(&g_fz[arg1]);
  zx_thread_exit();
}

// Maps the extra threads' stacks (each with a guard page below) and creates
// the threads, before setup() records our own mappings.
static int make_workers(void) {
  for (int t = 1; t < g_threads; t++) {
    zx_handle_t vmar, vmo;
    uintptr_t base, addr;
    if (zx_vmar_allocate(g_root, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC,
                         0, WORKER_STACK + PAGE, &vmar, &base) != ZX_OK ||
        zx_vmo_create(WORKER_STACK, 0, &vmo) != ZX_OK ||
        zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, PAGE, vmo, 0,
                    WORKER_STACK, &addr) != ZX_OK)
      return -1;
    zx_handle_close(vmo);
    zx_handle_close(vmar);
    // As if a return address had been pushed: the SysV entry alignment.
    g_worker_stack[t] = addr + WORKER_STACK - 8;
    if (zx_thread_create(zx_process_self(), "fuzz-worker", 11, 0, &g_worker[t]) != ZX_OK) return -1;
  }
  return 0;
}

// Writes `s` with zx_debug_write in pieces of at most 256 bytes (its limit).
static void write_line(const char* s) {
  fflush(stdout);
  size_t n = strlen(s);
  for (size_t off = 0; off < n; off += 256) zx_debug_write(s + off, n - off < 256 ? n - off : 256);
}

// Prints the one-line summary: calls, and counts per status, of all threads.
static void print_summary(uint64_t seed, zx_duration_mono_t elapsed) {
  static struct fz sum;
  for (int t = 0; t < g_threads; t++) {
    sum.calls += g_fz[t].calls;
    sum.values += g_fz[t].values;
    sum.odd_status += g_fz[t].odd_status;
    for (int s = 0; s < N_STATUS; s++) sum.status_count[s] += g_fz[t].status_count[s];
    for (size_t k = 0; k < N_CALLS; k++) {
      sum.per_call[k][0] += g_fz[t].per_call[k][0];
      sum.per_call[k][1] += g_fz[t].per_call[k][1];
    }
  }
  static char line[2048];
  size_t n = (size_t)snprintf(line, sizeof(line),
                              "\nfuzz: seed=%lu threads=%d calls=%lu ms=%ld values=%lu", seed,
                              g_threads, sum.calls, (long)(elapsed / 1000000), sum.values);
  for (int s = 0; s < N_STATUS; s++) {
    if (sum.status_count[s] == 0) continue;
    const char* name = zx_status_get_string(-s);
    if (strncmp(name, "ZX_ERR_", 7) == 0) name += 7;
    n += (size_t)snprintf(line + n, sizeof(line) - n, " %s=%lu", name, sum.status_count[s]);
  }
  snprintf(line + n, sizeof(line) - n, " unknown=%lu\n", sum.odd_status);
  write_line(line);
  if (g_stats)
    for (size_t k = 0; k < N_CALLS; k++)
      printf("fuzz: %-26s %6u calls %6u ok\n", k_calls[k].name, sum.per_call[k][0],
             sum.per_call[k][1]);
}

// The crash machinery after fuzzing: the current child, if alive, answers
// ZX_INFO_PROCESS and ZX_INFO_THREAD; killing its job ends it, its thread
// and the job within a finite time, and they report so.
static void check_crash(void) {
  printf("fuzz: crash children %lu (jobs %lu, %lu killed for age), exception handles taken %lu\n",
         g_crash_children, g_crash_jobs, g_crash_kills, g_exceptions_seen);
  if (g_crash_children == 0) FAIL("no crash child was ever made");
  if (g_crash.proc != ZX_HANDLE_INVALID && !task_dead(g_crash.proc)) {
    zx_info_process_t pi;
    zx_info_thread_t ti;
    zx_status_t st =
        zx_object_get_info(g_crash.proc, ZX_INFO_PROCESS, &pi, sizeof(pi), NULL, NULL);
    if (st != ZX_OK || !(pi.flags & ZX_INFO_PROCESS_FLAG_STARTED))
      FAIL("crash child: ZX_INFO_PROCESS: %s, flags %#x", zx_status_get_string(st), pi.flags);
    st = zx_object_get_info(g_crash.thread, ZX_INFO_THREAD, &ti, sizeof(ti), NULL, NULL);
    if (st != ZX_OK) FAIL("crash thread: ZX_INFO_THREAD: %s", zx_status_get_string(st));
  }
  if (g_crash.job == ZX_HANDLE_INVALID) return;
  zx_status_t st = zx_task_kill(g_crash.job);
  if (st != ZX_OK) FAIL("killing the crash job: %s", zx_status_get_string(st));
  zx_handle_t tasks[3] = {g_crash.job, g_crash.proc, g_crash.thread};
  for (int i = 0; i < 3; i++) {
    if (tasks[i] == ZX_HANDLE_INVALID) continue;
    st = zx_object_wait_one(tasks[i], ZX_TASK_TERMINATED, zx_deadline_after(ZX_SEC(5)), NULL);
    if (st != ZX_OK) FAIL("crash task %d did not end after its job was killed: %s", i,
                          zx_status_get_string(st));
  }
  if (g_crash.proc != ZX_HANDLE_INVALID) {
    zx_info_process_t pi;
    st = zx_object_get_info(g_crash.proc, ZX_INFO_PROCESS, &pi, sizeof(pi), NULL, NULL);
    if (st != ZX_OK || !(pi.flags & ZX_INFO_PROCESS_FLAG_EXITED))
      FAIL("dead crash child: ZX_INFO_PROCESS: %s, flags %#x", zx_status_get_string(st),
           pi.flags);
  }
  if (g_crash.thread != ZX_HANDLE_INVALID) {
    zx_info_thread_t ti;
    st = zx_object_get_info(g_crash.thread, ZX_INFO_THREAD, &ti, sizeof(ti), NULL, NULL);
    if (st != ZX_OK || ti.state != ZX_THREAD_STATE_DEAD)
      FAIL("dead crash thread: ZX_INFO_THREAD: %s, state %#x", zx_status_get_string(st),
           ti.state);
  }
  zx_info_job_t ji;
  st = zx_object_get_info(g_crash.job, ZX_INFO_JOB, &ji, sizeof(ji), NULL, NULL);
  if (st != ZX_OK || !ji.exited)
    FAIL("killed crash job: ZX_INFO_JOB: %s, exited %d", zx_status_get_string(st), ji.exited);
}

// Checks, after fuzzing, what the guest can see.
static void check_all(volatile uint64_t* stack_canary) {
  check_canaries();
  check_maps(zx_process_self(), "self", g_root_info.base, g_root_info.base + g_root_info.len);
  // A child's maps: bounded by its own address space entry.
  if (g_pool[K_PROCESS] != ZX_HANDLE_INVALID && !is_dead(K_PROCESS, g_pool[K_PROCESS]))
    check_maps(g_pool[K_PROCESS], "child", 0, UINT64_MAX);
  zx_info_vmar_t now_root;
  if (zx_object_get_info(g_root, ZX_INFO_VMAR, &now_root, sizeof(now_root), NULL, NULL) != ZX_OK ||
      now_root.base != g_root_info.base || now_root.len != g_root_info.len)
    FAIL("root VMAR changed");
  check_coherence(&g_fz[0]);
  check_scratch();
  check_pool();
  check_crash();
  for (size_t k = 0; k < 64; k++)
    if (g_data_canary[k] != 0xc0ffee00u + k) FAIL("canary in globals changed at %zu", k);
  for (int k = 0; k < 32; k++)
    if (stack_canary[k] != 0x57ac0000u + (uint64_t)k) FAIL("canary on the stack changed at %d", k);
  if (checksum((const void*)((uintptr_t)&rnd & ~(PAGE - 1)), PAGE) != g_code_sum)
    FAIL("code changed");
  if (checksum(k_rodata, sizeof(k_rodata)) != g_rodata_sum) FAIL("read-only data changed");
}

int main(int argc, char** argv) {
  volatile uint64_t stack_canary[32];
  for (int i = 0; i < 32; i++) stack_canary[i] = 0x57ac0000u + i;
  if (argc < 4) {
    printf("usage: %s SEED ITERATIONS BUDGET_MS [threads=N] [park] [trace] [stats] [watch]\n",
           argv[0]);
    return 2;
  }
  uint64_t seed = strtoull(argv[1], NULL, 0);
  uint64_t iters = strtoull(argv[2], NULL, 0);
  int64_t budget_ns = (int64_t)strtoull(argv[3], NULL, 0) * 1000000;
  int park = 0;
  for (int i = 4; i < argc; i++) {
    if (strcmp(argv[i], "park") == 0) park = 1;
    if (strcmp(argv[i], "trace") == 0) g_trace = 1;
    if (strcmp(argv[i], "stats") == 0) g_stats = 1;
    if (strcmp(argv[i], "watch") == 0) g_watch = 1;
    if (strncmp(argv[i], "threads=", 8) == 0) g_threads = atoi(argv[i] + 8);
  }
  if (g_threads < 1 || g_threads > MAX_THREADS) {
    printf("fuzz: threads=1..%d\n", MAX_THREADS);
    return 2;
  }
  // Thread t draws from its own stream; thread 0's is the seed's.
  for (int t = 0; t < g_threads; t++) {
    g_fz[t].index = t;
    g_fz[t].rng = seed + 0x632be59bd9b4e019ull * (uint64_t)t;
    g_fz[t].iterations = iters;
  }
  g_root = zx_vmar_root_self();
  if (make_workers() != 0) {
    printf("fuzz: cannot make the worker threads\n");
    return 3;
  }
  int st = setup(&g_fz[0]);
  if (st != 0) {
    printf("fuzz: setup failed at step %d\n", -st);
    return 3;
  }
  if (g_trace || g_watch) {
    printf("fuzz: scratch %p canary %p hole %#lx arena %#lx root %#lx+%#lx self %#x root %#x\n",
           g_scratch, g_canary, g_hole_base, g_arena_base, g_root_info.base, g_root_info.len,
           zx_process_self(), zx_vmar_root_self());
    for (size_t k = 0; k < g_own_count; k++)
      printf("fuzz: own mapping [%#lx, %#lx)\n", g_own[k].base, g_own[k].end);
  }
  // The root resource (PA_HND(PA_RESOURCE, 0)) joins the pool, so resource_create and
  // debuglog_create can succeed.
  set_slot(N_CORE, zx_take_startup_handle(0x3F), ZX_OBJ_TYPE_RESOURCE);
  zx_instant_mono_t start = zx_clock_get_monotonic();
  for (int t = 0; t < g_threads; t++) g_fz[t].end = start + budget_ns;
  for (int t = 1; t < g_threads; t++) {
    if (zx_thread_start(g_worker[t], (uintptr_t)worker_main, g_worker_stack[t], (uintptr_t)t, 0) !=
        ZX_OK) {
      printf("fuzz: cannot start worker %d\n", t);
      return 3;
    }
  }
  fuzz_loop(&g_fz[0]);
  // The workers stop at the same deadline; a call may block a few ms.
  for (int t = 1; t < g_threads; t++) {
    zx_status_t ws = zx_object_wait_one(g_worker[t], ZX_THREAD_TERMINATED,
                                        zx_deadline_after(ZX_SEC(5)), NULL);
    if (ws != ZX_OK) FAIL("worker %d did not finish: %s", t, zx_status_get_string(ws));
  }
  zx_duration_mono_t elapsed = zx_clock_get_monotonic() - start;
  sweep(0);
  print_summary(seed, elapsed);
  check_all(stack_canary);

  // Children must not outlive us.
  for (int k = 0; k < N_SLOTS; k++) {
    zx_info_handle_basic_t info;
    if (g_pool[k] != ZX_HANDLE_INVALID &&
        zx_object_get_info(g_pool[k], ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL) ==
            ZX_OK &&
        info.type == ZX_OBJ_TYPE_PROCESS)
      zx_task_kill(g_pool[k]);
  }

  if (g_failures == 0) {
    printf("fuzz: PASS\n");
  } else {
    printf("fuzz: FAIL %d\n", g_failures);
  }
  if (park) {
    zx_signals_t seen = 0;
    zx_object_signal(zx_process_self(), 0, ZX_USER_SIGNAL_0);
    zx_status_t ws = zx_object_wait_one(zx_process_self(), ZX_USER_SIGNAL_1,
                                        zx_deadline_after(ZX_SEC(10)), &seen);
    if (ws != ZX_OK) {
      printf("fuzz: nobody raised ZX_USER_SIGNAL_1: %s\n", zx_status_get_string(ws));
      return 4;
    }
  }
  return g_failures == 0 ? 0 : 1;
}
