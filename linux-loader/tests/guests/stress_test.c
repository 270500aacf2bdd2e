// Stress tests for threads and processes: 64 threads mapping and unmapping
// while another reads their memory (Fuchsia's vmar.cc
// ConcurrentUnmapReadMemory, adapted), 1,000 threads in a row, 1,000 child
// processes started and reaped in a row, and several threads spawning
// children at once. Each stress checks afterwards that what the guest can
// observe is back where it started: its mappings, its thread list, the VMOs'
// mapping counts, the references to the job, and that the handles it closed
// are gone. (A dead child's address space is gone by the time
// ZX_PROCESS_TERMINATED is raised, as on Zircon; its last references to the
// job may linger a moment longer: see settle_ms.)
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zxtest/zxtest.h>

#define PAGE 4096u
#define STACK_SIZE (64u * 1024u)

// --- observation helpers -------------------------------------------------

// Number of entries (aspace, VMARs, mappings) in ZX_INFO_PROCESS_MAPS.
static size_t maps_count(void) {
  size_t actual = 0, avail = 0;
  if (zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_MAPS, NULL, 0, &actual, &avail) != ZX_OK) return SIZE_MAX;
  return avail;
}

// Number of threads ZX_INFO_PROCESS_THREADS lists for this process.
static size_t threads_count(void) {
  size_t actual = 0, avail = 0;
  if (zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_THREADS, NULL, 0, &actual, &avail) != ZX_OK)
    return SIZE_MAX;
  return avail;
}

static uint32_t handle_count(zx_handle_t h) {
  zx_info_handle_count_t info;
  if (zx_object_get_info(h, ZX_INFO_HANDLE_COUNT, &info, sizeof(info), NULL, NULL) != ZX_OK) return UINT32_MAX;
  return info.handle_count;
}

static int handle_valid(zx_handle_t h) {
  return zx_object_get_info(h, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL) == ZX_OK;
}

static zx_info_vmo_t vmo_info(zx_handle_t vmo) {
  zx_info_vmo_t info;
  memset(&info, 0xff, sizeof(info));
  zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL);
  return info;
}

// --- threads -------------------------------------------------------------

static zx_status_t start_thread(zx_handle_t* thread, uintptr_t stack_top, void (*fn)(uintptr_t, uintptr_t),
                                uintptr_t a1, uintptr_t a2) {
  zx_status_t s = zx_thread_create(zx_process_self(), "stress", 6, 0, thread);
  if (s != ZX_OK) return s;
  // As if a call had pushed a return address: the ABI's alignment at entry.
  return zx_thread_start(*thread, (uintptr_t)fn, stack_top - 8, a1, a2);
}

// --- ConcurrentUnmapReadMemory -------------------------------------------

#define CHURN_THREADS 64
#define CHURN_PAGES 4
#define CHURN_MS 500

static volatile uintptr_t g_addr[CHURN_THREADS];   // last mapping of each churner
static uint64_t g_iters[CHURN_THREADS];
static zx_status_t g_churn_err[CHURN_THREADS];
static int g_stop_reader;
static uint64_t g_reads_ok, g_reads_not_found, g_reads_other, g_reads_bad_data;
static zx_status_t g_reader_other_status;

static void churn(uintptr_t idx, uintptr_t deadline) {
  zx_status_t err = ZX_OK;
  uint64_t iters = 0;
  while (zx_clock_get_monotonic() < (zx_instant_mono_t)deadline) {
    zx_handle_t vmo;
    uintptr_t addr;
    if ((err = zx_vmo_create(CHURN_PAGES * PAGE, 0, &vmo)) != ZX_OK) break;
    err = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, CHURN_PAGES * PAGE, &addr);
    if (err != ZX_OK) {
      zx_handle_close(vmo);
      break;
    }
    volatile uint8_t* p = (volatile uint8_t*)addr;
    for (unsigned i = 0; i < CHURN_PAGES; i++) p[i * PAGE] = (uint8_t)(idx + 1);
    for (unsigned i = 0; i < CHURN_PAGES; i++) {
      if (p[i * PAGE] != (uint8_t)(idx + 1)) err = ZX_ERR_INTERNAL;
    }
    __atomic_store_n(&g_addr[idx], addr, __ATOMIC_RELEASE);
    zx_status_t u = zx_vmar_unmap(zx_vmar_root_self(), addr, CHURN_PAGES * PAGE);
    if (err == ZX_OK) err = u;
    zx_status_t c = zx_handle_close(vmo);
    if (err == ZX_OK) err = c;
    if (err != ZX_OK) break;
    iters++;
  }
  g_iters[idx] = iters;
  g_churn_err[idx] = err;
  zx_thread_exit();
}

static void reader(uintptr_t unused1, uintptr_t unused2) {
  (void)unused1;
  (void)unused2;
  static uint8_t buf[CHURN_PAGES * PAGE];
  while (!__atomic_load_n(&g_stop_reader, __ATOMIC_ACQUIRE)) {
    for (unsigned i = 0; i < CHURN_THREADS; i++) {
      uintptr_t addr = __atomic_load_n(&g_addr[i], __ATOMIC_ACQUIRE);
      if (addr == 0) continue;
      size_t actual = 0;
      // The whole mapping, and a range straddling its end.
      for (unsigned k = 0; k < 2; k++) {
        uintptr_t a = k == 0 ? addr : addr + (CHURN_PAGES - 1) * PAGE;
        zx_status_t s = zx_process_read_memory(zx_process_self(), a, buf, sizeof(buf), &actual);
        if (s == ZX_OK) {
          g_reads_ok++;
          // Whatever is mapped there now is one churner's VMO: its first byte
          // is 0 (not touched yet) or some churner's index + 1.
          if (actual == 0 || actual > sizeof(buf) || buf[0] > CHURN_THREADS) g_reads_bad_data++;
        } else if (s == ZX_ERR_NOT_FOUND) {
          g_reads_not_found++;
        } else {
          g_reads_other++;
          g_reader_other_status = s;
        }
      }
    }
  }
  zx_thread_exit();
}

TEST(Stress, ConcurrentUnmapReadMemory) {
  const size_t maps_before = maps_count();
  const size_t threads_before = threads_count();
  ASSERT_NE(maps_before, SIZE_MAX);
  ASSERT_NE(threads_before, SIZE_MAX);

  // One region holds every thread's stack.
  const size_t stacks_size = (CHURN_THREADS + 1) * STACK_SIZE;
  zx_handle_t stacks_vmo;
  uintptr_t stacks;
  ASSERT_OK(zx_vmo_create(stacks_size, 0, &stacks_vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stacks_vmo, 0, stacks_size,
                        &stacks));

  memset((void*)g_addr, 0, sizeof(g_addr));
  g_stop_reader = 0;
  g_reads_ok = g_reads_not_found = g_reads_other = g_reads_bad_data = 0;

  zx_handle_t reader_thread;
  ASSERT_OK(start_thread(&reader_thread, stacks + STACK_SIZE, reader, 0, 0));

  zx_handle_t threads[CHURN_THREADS];
  const zx_instant_mono_t t0 = zx_clock_get_monotonic();
  const zx_instant_mono_t deadline = t0 + ZX_MSEC(CHURN_MS);
  for (uintptr_t i = 0; i < CHURN_THREADS; i++) {
    g_iters[i] = 0;
    g_churn_err[i] = ZX_ERR_INTERNAL;
    ASSERT_OK(start_thread(&threads[i], stacks + (i + 2) * STACK_SIZE, churn, i, (uintptr_t)deadline));
  }
  for (unsigned i = 0; i < CHURN_THREADS; i++) {
    ASSERT_OK(zx_object_wait_one(threads[i], ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(20)), NULL),
              "churn thread %u", i);
  }
  __atomic_store_n(&g_stop_reader, 1, __ATOMIC_RELEASE);
  ASSERT_OK(zx_object_wait_one(reader_thread, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(20)), NULL));
  const zx_instant_mono_t t1 = zx_clock_get_monotonic();

  uint64_t total = 0;
  for (unsigned i = 0; i < CHURN_THREADS; i++) {
    EXPECT_OK(g_churn_err[i], "churn thread %u", i);
    total += g_iters[i];
  }
  printf("ConcurrentUnmapReadMemory: %d threads, %llu map/unmap cycles, reads ok %llu not-found %llu, %lld ms\n",
         CHURN_THREADS, (unsigned long long)total, (unsigned long long)g_reads_ok,
         (unsigned long long)g_reads_not_found, (long long)((t1 - t0) / ZX_MSEC(1)));
  EXPECT_GT(total, 0u);
  EXPECT_EQ(g_reads_other, 0u, "last unexpected status %d", g_reader_other_status);
  EXPECT_EQ(g_reads_bad_data, 0u);
  EXPECT_GT(g_reads_ok + g_reads_not_found, 0u);

  // Every churned mapping is gone: the last published addresses read as unmapped.
  for (unsigned i = 0; i < CHURN_THREADS; i++) {
    if (g_addr[i] == 0) continue;
    uint8_t b;
    size_t actual;
    EXPECT_EQ(zx_process_read_memory(zx_process_self(), g_addr[i], &b, 1, &actual), ZX_ERR_NOT_FOUND);
  }

  // The stacks were only used by dead threads; the VMO has one mapping.
  EXPECT_EQ(vmo_info(stacks_vmo).num_mappings, 1u);
  for (unsigned i = 0; i < CHURN_THREADS; i++) ASSERT_OK(zx_handle_close(threads[i]));
  ASSERT_OK(zx_handle_close(reader_thread));
  for (unsigned i = 0; i < CHURN_THREADS; i++) EXPECT_FALSE(handle_valid(threads[i]));
  EXPECT_FALSE(handle_valid(reader_thread));
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), stacks, stacks_size));
  EXPECT_EQ(vmo_info(stacks_vmo).num_mappings, 0u);
  ASSERT_OK(zx_handle_close(stacks_vmo));

  EXPECT_EQ(maps_count(), maps_before);
  EXPECT_EQ(threads_count(), threads_before);
}

// --- thread churn ----------------------------------------------------------

#define CHURN_THREAD_ROUNDS 1000

static uint32_t g_thread_ran;

static void bump(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  __atomic_fetch_add(&g_thread_ran, (uint32_t)arg, __ATOMIC_SEQ_CST);
  zx_thread_exit();
}

TEST(Stress, ThousandThreadsInARow) {
  const size_t maps_before = maps_count();
  const size_t threads_before = threads_count();
  zx_handle_t stack_vmo;
  uintptr_t stack;
  ASSERT_OK(zx_vmo_create(STACK_SIZE, 0, &stack_vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stack_vmo, 0, STACK_SIZE, &stack));
  g_thread_ran = 0;
  const zx_instant_mono_t t0 = zx_clock_get_monotonic();
  zx_handle_t t = ZX_HANDLE_INVALID;
  for (unsigned i = 0; i < CHURN_THREAD_ROUNDS; i++) {
    ASSERT_OK(start_thread(&t, stack + STACK_SIZE, bump, 1, 0), "thread %u", i);
    ASSERT_OK(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL), "thread %u", i);
    ASSERT_OK(zx_handle_close(t));
  }
  const zx_instant_mono_t t1 = zx_clock_get_monotonic();
  printf("ThousandThreadsInARow: %d threads, %lld ms\n", CHURN_THREAD_ROUNDS, (long long)((t1 - t0) / ZX_MSEC(1)));
  EXPECT_EQ(g_thread_ran, (uint32_t)CHURN_THREAD_ROUNDS);
  EXPECT_FALSE(handle_valid(t));
  EXPECT_EQ(threads_count(), threads_before);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), stack, STACK_SIZE));
  ASSERT_OK(zx_handle_close(stack_vmo));
  EXPECT_EQ(maps_count(), maps_before);
}

// --- a thousand child processes ---------------------------------------------

#define CHILDREN 1000

static zx_handle_t g_vdso = ZX_HANDLE_INVALID;

static zx_handle_t vdso_vmo(void) {
  if (g_vdso == ZX_HANDLE_INVALID) g_vdso = zx_take_startup_handle(PA_HND(PA_VMO_VDSO, 0));
  return g_vdso;
}

// Child code: zx_process_exit(code), patched with the child's address of the
// vDSO function.
static size_t build_exit_code(uint8_t* code, uintptr_t exit_fn, uint8_t exit_code) {
  size_t n = 0;
  code[n++] = 0xbf;  // mov edi, exit_code
  code[n++] = exit_code;
  code[n++] = 0;
  code[n++] = 0;
  code[n++] = 0;
  code[n++] = 0x48;  // movabs rax, exit_fn
  code[n++] = 0xb8;
  memcpy(&code[n], &exit_fn, 8);
  n += 8;
  code[n++] = 0xff;  // call rax
  code[n++] = 0xd0;
  code[n++] = 0x0f;  // ud2
  code[n++] = 0x0b;
  return n;
}

typedef struct {
  zx_handle_t proc, vmar, thread;
} child_t;

// Creates and starts a child that exits with `exit_code`. Its code VMO is
// handed back in *code_vmo if that is not NULL, else closed.
static zx_status_t spawn_child(uint8_t exit_code, child_t* c, zx_handle_t* code_vmo_out) {
  zx_status_t s;
  zx_handle_t vdso = vdso_vmo();
  uint64_t vdso_size;
  uintptr_t my_vdso, child_vdso, code_addr, stack_addr;
  zx_handle_t code_vmo = ZX_HANDLE_INVALID, stack_vmo = ZX_HANDLE_INVALID;
  c->proc = c->vmar = c->thread = ZX_HANDLE_INVALID;
  if ((s = zx_vmo_get_size(vdso, &vdso_size)) != ZX_OK) return s;
  if ((s = zx_object_get_property(zx_process_self(), ZX_PROP_PROCESS_VDSO_BASE_ADDRESS, &my_vdso, sizeof(my_vdso))) !=
      ZX_OK)
    return s;
  if ((s = zx_process_create(zx_job_default(), "child", 5, 0, &c->proc, &c->vmar)) != ZX_OK) return s;
  if ((s = zx_vmar_map(c->vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, vdso, 0, vdso_size, &child_vdso)) != ZX_OK)
    goto fail;
  if ((s = zx_vmo_create(PAGE, 0, &code_vmo)) != ZX_OK) goto fail;
  if ((s = zx_vmo_replace_as_executable(code_vmo, ZX_HANDLE_INVALID, &code_vmo)) != ZX_OK) goto fail;
  uint8_t code[32];
  size_t n = build_exit_code(code, child_vdso + ((uintptr_t)zx_process_exit - my_vdso), exit_code);
  if ((s = zx_vmo_write(code_vmo, code, 0, n)) != ZX_OK) goto fail;
  if ((s = zx_vmar_map(c->vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, code_vmo, 0, PAGE, &code_addr)) != ZX_OK)
    goto fail;
  if ((s = zx_vmo_create(PAGE, 0, &stack_vmo)) != ZX_OK) goto fail;
  if ((s = zx_vmar_map(c->vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stack_vmo, 0, PAGE, &stack_addr)) != ZX_OK)
    goto fail;
  zx_handle_close(stack_vmo);
  stack_vmo = ZX_HANDLE_INVALID;
  if ((s = zx_thread_create(c->proc, "main", 4, 0, &c->thread)) != ZX_OK) goto fail;
  if ((s = zx_process_start(c->proc, c->thread, code_addr, stack_addr + PAGE, ZX_HANDLE_INVALID, 0)) != ZX_OK)
    goto fail;
  if (code_vmo_out) {
    *code_vmo_out = code_vmo;
  } else {
    zx_handle_close(code_vmo);
  }
  return ZX_OK;
fail:
  zx_handle_close(code_vmo);
  zx_handle_close(stack_vmo);
  zx_handle_close(c->thread);
  zx_handle_close(c->vmar);
  zx_handle_close(c->proc);
  return s;
}

// Waits for the child, checks its return code and closes its handles.
static zx_status_t reap_child(child_t* c, int64_t want) {
  zx_status_t s = zx_object_wait_one(c->proc, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL);
  if (s == ZX_OK) s = zx_object_wait_one(c->thread, ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(10)), NULL);
  zx_info_process_t info;
  if (s == ZX_OK) s = zx_object_get_info(c->proc, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL);
  if (s == ZX_OK && info.return_code != want) s = ZX_ERR_INTERNAL;
  if (s == ZX_OK && info.flags != (ZX_INFO_PROCESS_FLAG_STARTED | ZX_INFO_PROCESS_FLAG_EXITED)) s = ZX_ERR_BAD_STATE;
  zx_status_t c1 = zx_handle_close(c->thread);
  zx_status_t c2 = zx_handle_close(c->vmar);
  zx_status_t c3 = zx_handle_close(c->proc);
  if (s == ZX_OK) s = c1 != ZX_OK ? c1 : c2 != ZX_OK ? c2 : c3;
  return s;
}


// A dead child's mappings are gone by the time a waiter sees
// ZX_PROCESS_TERMINATED (checked before calling this), but the process
// object, which refers to the job, lives until its last reference goes,
// which the child's host thread may still hold for a moment after the
// signal. Their handles (to the job, among others) are closed before the
// signal too, so this should settle at once; it waits, bounded, for the
// children to let go of the job's handles (and, as a check, of the vDSO
// and `code`); returns how long that took, or -1 if they did not in 2 s.
static int64_t settle_ms(zx_handle_t vdso, uint64_t vdso_mappings, uint32_t job_refs, zx_handle_t code) {
  const zx_instant_mono_t t0 = zx_clock_get_monotonic();
  for (;;) {
    int done = vmo_info(vdso).num_mappings == vdso_mappings && handle_count(zx_job_default()) == job_refs &&
               (code == ZX_HANDLE_INVALID || vmo_info(code).num_mappings == 0);
    zx_instant_mono_t now = zx_clock_get_monotonic();
    if (done) return (now - t0) / ZX_MSEC(1);
    if (now - t0 > ZX_SEC(2)) return -1;
    zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
  }
}

TEST(Stress, ThousandProcessesInARow) {
  zx_handle_t vdso = vdso_vmo();
  ASSERT_NE(vdso, ZX_HANDLE_INVALID);
  const size_t maps_before = maps_count();
  const size_t threads_before = threads_count();
  const uint64_t vdso_mappings_before = vmo_info(vdso).num_mappings;
  const uint32_t job_refs_before = handle_count(zx_job_default());
  ASSERT_NE(job_refs_before, UINT32_MAX);

  const zx_instant_mono_t t0 = zx_clock_get_monotonic();
  child_t c;
  zx_handle_t last_code = ZX_HANDLE_INVALID;
  for (unsigned i = 0; i < CHILDREN; i++) {
    zx_handle_t* keep = i == CHILDREN - 1 ? &last_code : NULL;
    ASSERT_OK(spawn_child((uint8_t)(i % 256), &c, keep), "child %u", i);
    ASSERT_OK(reap_child(&c, i % 256), "child %u", i);
  }
  const zx_instant_mono_t t1 = zx_clock_get_monotonic();
  printf("ThousandProcessesInARow: %d processes, %lld ms\n", CHILDREN, (long long)((t1 - t0) / ZX_MSEC(1)));

  // And processes can still be made.
  child_t c2;
  ASSERT_OK(spawn_child(7, &c2, NULL));
  ASSERT_OK(reap_child(&c2, 7));

  // The children's handles are gone, and so are their mappings: the last
  // child's code VMO, which we kept, is mapped nowhere, the vDSO only where
  // it was, and no dead process still holds a handle to the job.
  EXPECT_FALSE(handle_valid(c.proc));
  EXPECT_FALSE(handle_valid(c.vmar));
  EXPECT_FALSE(handle_valid(c.thread));
  EXPECT_FALSE(handle_valid(c2.proc));
  ASSERT_NE(last_code, ZX_HANDLE_INVALID);
  // The address spaces went with the processes, before they reported
  // themselves terminated.
  EXPECT_EQ(vmo_info(last_code).num_mappings, 0u);
  EXPECT_EQ(vmo_info(vdso).num_mappings, vdso_mappings_before);
  int64_t settle = settle_ms(vdso, vdso_mappings_before, job_refs_before, last_code);
  printf("ThousandProcessesInARow: children let go after %lld ms\n", (long long)settle);
  EXPECT_GE(settle, 0);
  EXPECT_EQ(vmo_info(last_code).num_mappings, 0u);
  EXPECT_OK(zx_handle_close(last_code));
  EXPECT_EQ(vmo_info(vdso).num_mappings, vdso_mappings_before);
  EXPECT_EQ(handle_count(zx_job_default()), job_refs_before);
  EXPECT_EQ(maps_count(), maps_before);
  EXPECT_EQ(threads_count(), threads_before);
}

// Several threads spawning and reaping children at once.
#define SPAWNERS 4
#define CHILDREN_PER_SPAWNER 50

static zx_status_t g_spawn_err[SPAWNERS];

static void spawner(uintptr_t idx, uintptr_t unused) {
  (void)unused;
  zx_status_t s = ZX_OK;
  for (unsigned i = 0; i < CHILDREN_PER_SPAWNER && s == ZX_OK; i++) {
    child_t c;
    uint8_t code = (uint8_t)(idx * CHILDREN_PER_SPAWNER + i);
    s = spawn_child(code, &c, NULL);
    if (s == ZX_OK) s = reap_child(&c, code);
  }
  g_spawn_err[idx] = s;
  zx_thread_exit();
}

TEST(Stress, ConcurrentSpawners) {
  zx_handle_t vdso = vdso_vmo();
  ASSERT_NE(vdso, ZX_HANDLE_INVALID);
  const size_t maps_before = maps_count();
  const size_t threads_before = threads_count();
  const uint64_t vdso_mappings_before = vmo_info(vdso).num_mappings;
  const uint32_t job_refs_before = handle_count(zx_job_default());

  const size_t stacks_size = SPAWNERS * STACK_SIZE;
  zx_handle_t stacks_vmo;
  uintptr_t stacks;
  ASSERT_OK(zx_vmo_create(stacks_size, 0, &stacks_vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stacks_vmo, 0, stacks_size,
                        &stacks));
  zx_handle_t threads[SPAWNERS];
  for (uintptr_t i = 0; i < SPAWNERS; i++) {
    g_spawn_err[i] = ZX_ERR_INTERNAL;
    ASSERT_OK(start_thread(&threads[i], stacks + (i + 1) * STACK_SIZE, spawner, i, 0));
  }
  for (unsigned i = 0; i < SPAWNERS; i++) {
    ASSERT_OK(zx_object_wait_one(threads[i], ZX_THREAD_TERMINATED, zx_deadline_after(ZX_SEC(20)), NULL));
    ASSERT_OK(zx_handle_close(threads[i]));
    EXPECT_OK(g_spawn_err[i], "spawner %u", i);
  }
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), stacks, stacks_size));
  ASSERT_OK(zx_handle_close(stacks_vmo));

  EXPECT_GE(settle_ms(vdso, vdso_mappings_before, job_refs_before, ZX_HANDLE_INVALID), 0);
  EXPECT_EQ(vmo_info(vdso).num_mappings, vdso_mappings_before);
  EXPECT_EQ(handle_count(zx_job_default()), job_refs_before);
  EXPECT_EQ(maps_count(), maps_before);
  EXPECT_EQ(threads_count(), threads_before);
}
