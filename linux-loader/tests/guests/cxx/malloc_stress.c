// Stress test of the guest malloc (musl's mallocng behind the SDK's
// per-thread cache; docs/DESIGN.md, "The guest malloc"), run by
// linux-loader/tests/malloc.rs (issue 10). Prints "malloc_stress: PASS" and
// exits 0 when every check held.
//
// 1. 12 threads make seeded random malloc/calloc/realloc/aligned_alloc/free
//    calls of mixed sizes (mostly cached small ones, some mallocng groups,
//    some mmap'd). Every block holds a pattern that is checked before it is
//    freed or reallocated; malloc_usable_size is >= the request on every
//    block; calloc's blocks are zero (also when the block came from a bin
//    after holding a pattern); aligned_alloc's are aligned. A shared queue
//    carries blocks from the thread that made them to another that frees
//    them. Threads end with full bins.
// 2. Threads that fill their bins and end, round after round: the mapped
//    memory must not grow (the bins are flushed when a thread ends).
// 3. Large blocks freed give their memory back (ZX_INFO_TASK_STATS).
// 4. malloc(SIZE_MAX / 2) is NULL with ENOMEM, on the main thread and others.
//
// With the argument "cross-thread-double-free": a thread frees a block into
// its bin and stays alive; the main thread frees it again, which must kill
// the guest (the test expects the kill).
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

static int failures;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      pthread_mutex_lock(&report_lock);                                        \
      if (failures++ < 20)                                                     \
        printf("malloc_stress: check failed at line %d: %s\n", __LINE__, #cond); \
      pthread_mutex_unlock(&report_lock);                                      \
    }                                                                          \
  } while (0)

static uint64_t next_rand(uint64_t* s) {
  *s = *s * 6364136223846793005ull + 1442695040888963407ull;
  return *s >> 33;
}

struct block {
  unsigned char* p;
  size_t size;
  unsigned char tag;
};

static unsigned char pattern(unsigned char tag, size_t j) { return (unsigned char)(tag + j * 7); }

static void fill(struct block* b) {
  for (size_t j = 0; j < b->size; j++) b->p[j] = pattern(b->tag, j);
}

// Checks the pattern: every byte of small blocks, the ends and every 61st
// byte of big ones.
static int intact(const struct block* b) {
  size_t n = b->size;
  for (size_t j = 0; j < n; j += (n <= 4096 || j < 256 || j + 256 >= n) ? 1 : 61)
    if (b->p[j] != pattern(b->tag, j)) return 0;
  return 1;
}

static size_t random_size(uint64_t* s) {
  uint64_t r = next_rand(s) % 100;
  if (r < 75) return next_rand(s) % 2048 + (r < 5 ? 0 : 1);  // cached classes, incl. 0
  if (r < 95) return next_rand(s) % 60000 + 2048;            // mallocng groups
  return next_rand(s) % 300000 + 100000;                     // around and above mmap's threshold
}

static void check_new(const struct block* b) {
  CHECK(b->p != NULL);
  if (b->p) CHECK(malloc_usable_size(b->p) >= b->size);
  CHECK(((uintptr_t)b->p & 15) == 0);
}

// Blocks on their way from one thread to another.
#define QUEUE_LEN 256
static struct block queue[QUEUE_LEN];
static int queue_count;
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;

static int queue_push(struct block b) {
  int ok = 0;
  pthread_mutex_lock(&queue_lock);
  if (queue_count < QUEUE_LEN) {
    queue[queue_count++] = b;
    ok = 1;
  }
  pthread_mutex_unlock(&queue_lock);
  return ok;
}

static int queue_pop(struct block* b) {
  int ok = 0;
  pthread_mutex_lock(&queue_lock);
  if (queue_count > 0) {
    *b = queue[--queue_count];
    ok = 1;
  }
  pthread_mutex_unlock(&queue_lock);
  return ok;
}

#define SLOTS 128
#define OPS 12000

static void* churn(void* arg) {
  uint64_t seed = (uintptr_t)arg * 0x9e3779b97f4a7c15ull;
  struct block slots[SLOTS] = {{0}};
  for (int i = 0; i < OPS; i++) {
    int k = (int)(next_rand(&seed) % SLOTS);
    struct block* b = &slots[k];
    uint64_t op = next_rand(&seed) % 100;
    if (b->p && op < 10) {
      // realloc: the old contents survive up to the smaller size.
      size_t n = random_size(&seed);
      CHECK(intact(b));
      unsigned char* q = realloc(b->p, n);
      CHECK(q != NULL);
      if (!q) continue;
      size_t keep = n < b->size ? n : b->size;
      b->p = q;
      b->size = keep;
      CHECK(intact(b));
      b->size = n;
      fill(b);
      check_new(b);
    } else if (b->p && op < 20) {
      // Hand it to another thread.
      CHECK(intact(b));
      if (queue_push(*b)) b->p = NULL;
    } else if (b->p) {
      CHECK(intact(b));
      free(b->p);
      b->p = NULL;
    } else if (op < 10) {
      // Free a block another thread made.
      struct block o;
      if (queue_pop(&o)) {
        CHECK(intact(&o));
        free(o.p);
      }
    } else {
      b->size = random_size(&seed);
      b->tag = (unsigned char)next_rand(&seed);
      if (op < 25) {
        b->p = calloc(1, b->size);
        check_new(b);
        if (!b->p) continue;
        for (size_t j = 0; j < b->size; j++)
          if (b->p[j]) {
            CHECK(!"calloc's block is zero");
            break;
          }
      } else if (op < 32) {
        size_t align = (size_t)16 << (next_rand(&seed) % 9);  // 16 .. 4096
        b->p = aligned_alloc(align, b->size);
        check_new(b);
        if (!b->p) continue;
        CHECK(((uintptr_t)b->p & (align - 1)) == 0);
      } else if (op < 34) {
        void* p = NULL;
        CHECK(posix_memalign(&p, 256, b->size) == 0);
        b->p = p;
        check_new(b);
        if (!b->p) continue;
        CHECK(((uintptr_t)b->p & 255) == 0);
      } else {
        b->p = malloc(b->size);
        check_new(b);
        if (!b->p) continue;
      }
      fill(b);
    }
  }
  // Leave with full bins: free everything but a few blocks, which go to
  // other threads through the queue.
  for (int k = 0; k < SLOTS; k++) {
    if (!slots[k].p) continue;
    CHECK(intact(&slots[k]));
    if (k % 16 || !queue_push(slots[k])) free(slots[k].p);
  }
  // A block freed into the bin and handed out again is whole: usable size,
  // a fresh pattern, calloc's zeros.
  for (size_t n = 1; n <= 2048; n += 37) {
    unsigned char* p = malloc(n);
    CHECK(p && malloc_usable_size(p) >= n);
    if (!p) continue;
    memset(p, 0xa5, n);
    free(p);
    unsigned char* q = calloc(n, 1);
    CHECK(q && malloc_usable_size(q) >= n);
    if (!q) continue;
    for (size_t j = 0; j < n; j++)
      if (q[j]) {
        CHECK(!"calloc of a reused block is zero");
        break;
      }
    free(q);
  }
  errno = 0;
  CHECK(malloc(SIZE_MAX / 2) == NULL && errno == ENOMEM);
  return NULL;
}

static size_t mapped_bytes(void) {
  zx_info_task_stats_t st;
  zx_status_t s =
      zx_object_get_info(zx_process_self(), ZX_INFO_TASK_STATS, &st, sizeof(st), NULL, NULL);
  CHECK(s == ZX_OK);
  return s == ZX_OK ? st.mem_mapped_bytes : 0;
}

// Fills this thread's bins (several blocks of every cached size, freed)
// and ends with them full.
static void* fill_bins_and_exit(void* arg) {
  (void)arg;
  enum { PER_SIZE = 80, SIZES = 24 };
  static const size_t sizes[SIZES] = {12,  28,  44,  60,  76,  92,  108,  124,
                                      140, 156, 188, 236, 284, 316, 396,  492,
                                      572, 668, 796, 1004, 1148, 1340, 1628, 2028};
  void* p[PER_SIZE];
  for (int s = 0; s < SIZES; s++) {
    for (int i = 0; i < PER_SIZE; i++) {
      p[i] = malloc(sizes[s]);
      CHECK(p[i] != NULL);
      if (p[i]) memset(p[i], s, sizes[s]);
    }
    for (int i = 0; i < PER_SIZE; i++) free(p[i]);
  }
  return NULL;
}

// The holder frees a block into its bin, says so, and stays alive (its
// exit would flush the bin, and mallocng would catch the second free on
// its own).
static pthread_mutex_t holder_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t holder_cv = PTHREAD_COND_INITIALIZER;
static int holder_freed;

static void* holder(void* p) {
  free(p);
  pthread_mutex_lock(&holder_mu);
  holder_freed = 1;
  pthread_cond_signal(&holder_cv);
  while (holder_freed) pthread_cond_wait(&holder_cv, &holder_mu);  // forever
  pthread_mutex_unlock(&holder_mu);
  return NULL;
}

static int cross_thread_double_free(void) {
  void* p = malloc(48);
  pthread_t t;
  CHECK(pthread_create(&t, NULL, holder, p) == 0);
  pthread_mutex_lock(&holder_mu);
  while (!holder_freed) pthread_cond_wait(&holder_cv, &holder_mu);
  pthread_mutex_unlock(&holder_mu);
  free(p);  // must kill the guest
  printf("malloc_stress: the second free returned\n");
  return 3;
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "cross-thread-double-free") == 0) {
    return cross_thread_double_free();
  }

  errno = 0;
  CHECK(malloc(SIZE_MAX / 2) == NULL && errno == ENOMEM);

  // 1. Churn with cross-thread frees.
  enum { THREADS = 12 };
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++)
    CHECK(pthread_create(&t[i], NULL, churn, (void*)(uintptr_t)(i + 1)) == 0);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  struct block o;
  while (queue_pop(&o)) {
    CHECK(intact(&o));
    free(o.p);
  }

  // 2. Threads that end with full bins leave nothing behind.
  size_t before = 0;
  for (int round = 0; round < 16; round++) {
    pthread_t f[4];
    for (int i = 0; i < 4; i++) CHECK(pthread_create(&f[i], NULL, fill_bins_and_exit, NULL) == 0);
    for (int i = 0; i < 4; i++) pthread_join(f[i], NULL);
    if (round == 1) before = mapped_bytes();  // after the heap has grown to its working size
  }
  size_t after = mapped_bytes();
  printf("malloc_stress: mapped after 2 rounds of exiting threads %zu KiB, after 16 %zu KiB\n",
         before >> 10, after >> 10);
  CHECK(after <= before + (2u << 20));

  // 3. Large blocks go back to the system when freed.
  size_t base = mapped_bytes();
  enum { BIG = 8 };
  void* big[BIG];
  for (int i = 0; i < BIG; i++) {
    big[i] = malloc((size_t)16 << 20);
    CHECK(big[i] != NULL);
    if (big[i]) memset(big[i], i, (size_t)16 << 20);
  }
  size_t grown = mapped_bytes();
  CHECK(grown >= base + ((size_t)BIG * 16 << 20));
  for (int i = 0; i < BIG; i++) free(big[i]);
  size_t shrunk = mapped_bytes();
  printf("malloc_stress: mapped %zu KiB, with %d x 16 MiB %zu KiB, freed %zu KiB\n", base >> 10,
         BIG, grown >> 10, shrunk >> 10);
  CHECK(shrunk <= base + (1u << 20));

  printf("malloc_stress: %s\n", failures ? "FAIL" : "PASS");
  return failures ? 1 : 0;
}

