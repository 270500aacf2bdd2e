// POSIX and C11 threads on the SDK's C library (built with sdk/zx-c++):
// 1,000 threads created and joined, detached threads that free their own
// stacks, a mutex/condition-variable ping-pong, recursive and error-checking
// mutexes, once, keys with destructors, a barrier, timed waits, and
// <threads.h>. Prints "threads: PASS" and exits 0 when every check held.
#define _GNU_SOURCE  // pthread_getattr_np
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>
#include <lib/fzl/memory-probe.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

static int failures;
#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      printf("threads: check failed at line %d: %s\n", __LINE__, #cond); \
      failures++;                                                     \
    }                                                                 \
  } while (0)

static atomic_int ran;
static void* bump(void* arg) {
  atomic_fetch_add(&ran, 1);
  return arg;
}

static pthread_mutex_t pp_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pp_cv = PTHREAD_COND_INITIALIZER;
static int pp_turn, pp_count;
static void* pong(void* arg) {
  (void)arg;
  for (int i = 0; i < 2000; i++) {
    pthread_mutex_lock(&pp_mu);
    while (pp_turn != 1) pthread_cond_wait(&pp_cv, &pp_mu);
    pp_turn = 0;
    pp_count++;
    pthread_cond_signal(&pp_cv);
    pthread_mutex_unlock(&pp_mu);
  }
  return NULL;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;
static void once_fn(void) { once_runs++; }

static pthread_key_t key;
static atomic_int destructed;
static void key_dtor(void* v) {
  (void)v;
  atomic_fetch_add(&destructed, 1);
}
static void* with_key(void* arg) {
  pthread_once(&once, once_fn);
  pthread_setspecific(key, arg);
  return NULL;
}

static pthread_barrier_t barrier;
static atomic_int serial;
static void* at_barrier(void* arg) {
  (void)arg;
  if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD) atomic_fetch_add(&serial, 1);
  return NULL;
}

static atomic_int detached_done;
static void* detached(void* arg) {
  (void)arg;
  atomic_fetch_add(&detached_done, 1);
  return NULL;
}

static int c11_fn(void* arg) { return (int)(long)arg * 2; }

// Reused stacks (the port keeps joined threads' stacks): each thread finds
// its TLS as a new thread does (.tdata's values, .tbss zero), no
// thread-specific values, and the guard it asked for below its stack.
static __thread int tls_data = 1234;
static __thread int tls_bss;
static pthread_key_t reuse_key;
struct stack_report {
  int data, bss;
  void* specific;
  uintptr_t low;      // lowest address of the stack proper
  size_t guard;       // the guard size the thread has
  int guard_readable; // a byte just below the stack could be read
  int low_writable;   // the stack's lowest byte could be written
};
static void* scribble_and_report(void* arg) {
  struct stack_report* r = arg;
  r->data = tls_data;
  r->bss = tls_bss;
  r->specific = pthread_getspecific(reuse_key);
  tls_data = -1;
  tls_bss = -1;
  pthread_setspecific(reuse_key, (void*)0x5a5a);
  pthread_attr_t a;
  if (pthread_getattr_np(pthread_self(), &a) == 0) {
    void* addr;
    size_t size;
    pthread_attr_getstack(&a, &addr, &size);
    pthread_attr_getguardsize(&a, &r->guard);
    r->low = (uintptr_t)addr;
    r->guard_readable = probe_for_read((const void*)(r->low - 1)) == ZX_OK;
    r->low_writable = probe_for_write((void*)r->low) == ZX_OK;
    pthread_attr_destroy(&a);
  }
  return NULL;
}
static int run_on_stack(size_t stack, size_t guard, struct stack_report* r) {
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setstacksize(&a, stack);
  pthread_attr_setguardsize(&a, guard);
  pthread_t t;
  memset(r, 0, sizeof(*r));
  int rc = pthread_create(&t, &a, scribble_and_report, r);
  pthread_attr_destroy(&a);
  if (rc == 0) rc = pthread_join(t, NULL);
  return rc;
}

int main(void) {
  // 1,000 threads created and joined, 8 at a time.
  for (int round = 0; round < 125; round++) {
    pthread_t t[8];
    for (int i = 0; i < 8; i++) CHECK(pthread_create(&t[i], NULL, bump, (void*)(long)i) == 0);
    for (int i = 0; i < 8; i++) {
      void* r;
      CHECK(pthread_join(t[i], &r) == 0);
      CHECK(r == (void*)(long)i);
    }
  }
  CHECK(atomic_load(&ran) == 1000);

  // A small stack size attribute is honoured.
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  CHECK(pthread_attr_setstacksize(&attr, 64 * 1024) == 0);
  pthread_t small;
  CHECK(pthread_create(&small, &attr, bump, NULL) == 0);
  CHECK(pthread_join(small, NULL) == 0);
  CHECK(pthread_attr_setstacksize(&attr, 1) == EINVAL);

  // Detached threads free their own stacks.
  CHECK(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0);
  for (int i = 0; i < 200; i++) {
    pthread_t d;
    CHECK(pthread_create(&d, &attr, detached, NULL) == 0);
  }
  pthread_attr_destroy(&attr);
  for (int i = 0; i < 500 && atomic_load(&detached_done) < 200; i++) usleep(10000);
  CHECK(atomic_load(&detached_done) == 200);

  // Ping-pong.
  pthread_t p;
  CHECK(pthread_create(&p, NULL, pong, NULL) == 0);
  for (int i = 0; i < 2000; i++) {
    pthread_mutex_lock(&pp_mu);
    pp_turn = 1;
    pthread_cond_signal(&pp_cv);
    while (pp_turn != 0) pthread_cond_wait(&pp_cv, &pp_mu);
    pthread_mutex_unlock(&pp_mu);
  }
  CHECK(pthread_join(p, NULL) == 0);
  CHECK(pp_count == 2000);

  // Mutex kinds.
  pthread_mutexattr_t ma;
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_t rec;
  pthread_mutex_init(&rec, &ma);
  CHECK(pthread_mutex_lock(&rec) == 0 && pthread_mutex_lock(&rec) == 0);
  CHECK(pthread_mutex_unlock(&rec) == 0 && pthread_mutex_unlock(&rec) == 0);
  pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
  pthread_mutex_t chk;
  pthread_mutex_init(&chk, &ma);
  CHECK(pthread_mutex_lock(&chk) == 0);
  CHECK(pthread_mutex_lock(&chk) == EDEADLK);
  CHECK(pthread_mutex_unlock(&chk) == 0);
  CHECK(pthread_mutex_unlock(&chk) == EPERM);
  CHECK(pthread_mutex_trylock(&chk) == 0);
  pthread_mutex_unlock(&chk);

  // A timed wait that times out, after about the time asked for.
  pthread_mutex_lock(&pp_mu);
  struct timespec now, deadline;
  clock_gettime(CLOCK_REALTIME, &now);
  deadline = now;
  deadline.tv_nsec += 20 * 1000 * 1000;
  if (deadline.tv_nsec >= 1000000000) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000;
  }
  CHECK(pthread_cond_timedwait(&pp_cv, &pp_mu, &deadline) == ETIMEDOUT);
  pthread_mutex_unlock(&pp_mu);
  struct timespec after;
  clock_gettime(CLOCK_REALTIME, &after);
  CHECK((after.tv_sec - now.tv_sec) * 1000000000L + (after.tv_nsec - now.tv_nsec) >= 20000000L);

  // Once and keys.
  CHECK(pthread_key_create(&key, key_dtor) == 0);
  pthread_t k[4];
  for (int i = 0; i < 4; i++) CHECK(pthread_create(&k[i], NULL, with_key, (void*)1) == 0);
  for (int i = 0; i < 4; i++) pthread_join(k[i], NULL);
  CHECK(once_runs == 1);
  CHECK(atomic_load(&destructed) == 4);

  // A barrier: one serial thread per round.
  pthread_barrier_init(&barrier, NULL, 4);
  pthread_t b[4];
  for (int i = 0; i < 4; i++) pthread_create(&b[i], NULL, at_barrier, NULL);
  for (int i = 0; i < 4; i++) pthread_join(b[i], NULL);
  CHECK(atomic_load(&serial) == 1);

  // Bad arguments get POSIX errors.
  CHECK(pthread_mutexattr_settype(&ma, 99) == EINVAL);

  // C11 threads.
  thrd_t c;
  int res = 0;
  CHECK(thrd_create(&c, c11_fn, (void*)21) == thrd_success);
  CHECK(thrd_join(c, &res) == thrd_success);
  CHECK(res == 42);
  mtx_t m;
  CHECK(mtx_init(&m, mtx_plain) == thrd_success);
  CHECK(mtx_lock(&m) == thrd_success && mtx_unlock(&m) == thrd_success);

  // Each thread has its own zx_thread_self(); the first keeps its own.
  CHECK(zx_thread_self() != ZX_HANDLE_INVALID);

  // Stacks come back from the cache clean, with the guard asked for, also
  // when the last user had a bigger or smaller one (the same mapping size:
  // 256 KiB of stack and 64 KiB of guard, then 316 KiB and 4 KiB).
  CHECK(pthread_key_create(&reuse_key, NULL) == 0);
  const size_t page = 4096;
  const size_t shapes[][2] = {{256 * 1024, 64 * 1024},
                              {316 * 1024, page},
                              {256 * 1024, 64 * 1024},
                              {316 * 1024, page}};
  for (int round = 0; round < 3; round++) {
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
      struct stack_report r;
      CHECK(run_on_stack(shapes[i][0], shapes[i][1], &r) == 0);
      CHECK(r.data == 1234);
      CHECK(r.bss == 0);
      CHECK(r.specific == NULL);
      CHECK(r.guard == shapes[i][1]);
      CHECK(!r.guard_readable);
      CHECK(r.low_writable);
    }
  }

  printf("threads: %s\n", failures ? "FAIL" : "PASS");
  return failures ? 1 : 0;
}
