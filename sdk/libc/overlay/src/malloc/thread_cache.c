// The SDK's per-thread cache of small blocks in front of musl's mallocng:
// the public malloc and free (docs/DESIGN.md, "The guest malloc").
//
// mallocng takes one lock for the whole heap, so two threads allocating at
// once queue on it, and even one thread pays its atomic operations once a
// second thread exists. Here each thread keeps a few freed blocks of each
// small size class (mallocng's own classes 0..CACHE_CLASSES-1: requests of
// up to 2028 bytes) and serves malloc from them, as glibc's tcache does:
// the common malloc and free touch only the thread's own bins, no lock and
// no atomic. Everything else is mallocng, unchanged: blocks are mallocng
// slots, and a cached block is still allocated in mallocng's eyes, so
// realloc, aligned_alloc, malloc_usable_size and calloc (musl's own, which
// call mallocng or this malloc) see ordinary blocks.
//
// free checks a block much as mallocng's free does (checked_meta: a bad
// pointer, or a slot mallocng already has back, still kills the guest);
// then, if its class is cached and its bin has room, files it in this
// thread's bin, whoever allocated it. A filed block is moved to the start
// of its slot (mallocng may have enframed it at an offset, or aligned_alloc
// may have) and marked with the value 7 in its header's reserved-size
// field, which no live block has (mallocng's get_nominal_size accepts only
// 0..5): a second free of it, or malloc_usable_size or realloc on it, from
// any thread, dies as a use after free does in mallocng. Its first word
// links the bin. malloc hands it out by writing the header as mallocng's
// enframe does at offset 0 (set_size), so its nominal size is the new
// request. A full bin sends the block on to mallocng's free; an empty one
// takes a few consecutive slots from mallocng at once (refill), so two
// threads' blocks do not share cache lines.
//
// When a thread ends its bins go back to mallocng: a pthread key's
// destructor (the key is made by the first thread that caches) flushes
// them and turns the thread's cache off, so whatever later destructors free
// or allocate goes straight to mallocng. The main thread's cache dies with
// the process.
//
// Blocks above the cached classes, and all of mallocng's mmap'd ones (large
// blocks, which munmap on free), never enter a bin: they still go back to
// the system when freed.
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "mallocng/meta.h"
#include "pthread_impl.h"

// meta.h renames malloc and free to mallocng's own entry points; this file
// defines the public ones on top of those.
#undef malloc
#undef free

void* __libc_malloc_impl(size_t);
void __libc_free(void*);

// Classes 0..23 (strides 16..2032 bytes): requests of up to
// 16 * size_classes[23] - IB bytes.
#define CACHE_CLASSES 24
#define CACHE_MAX_REQUEST 2028
// A bin holds up to 4 KiB of blocks, but never fewer than 8 or more than
// 64 of them: limit[sc] = clamp(4096 / stride, 8, 64).
static const uint8_t bin_limit[CACHE_CLASSES] = {
    64, 64, 64, 64, 51, 42, 36, 32, 28, 25, 21, 17, 14, 12, 10, 8, 8, 8, 8, 8, 8, 8, 8, 8,
};
// The reserved-size value of a block that sits in a bin.
#define RESERVED_CACHED 7

enum cache_state {
  CACHE_UNREGISTERED = 0,  // empty; the first free or refill to cache registers it
  CACHE_ON,                // registered with the exit destructor
  CACHE_OFF,               // the thread is ending (or no key): bypassed
};

struct thread_cache {
  unsigned char* head[CACHE_CLASSES];  // slot starts, linked by word 0
  uint8_t count[CACHE_CLASSES];
  uint8_t state;  // enum cache_state
};

static __thread struct thread_cache cache;

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;
static int exit_key_ok;

// Returns every cached block of this thread to mallocng and turns the
// cache off for the rest of the thread's life (the key's destructor).
static void flush_at_exit(void* arg) {
  struct thread_cache* tc = arg;
  tc->state = CACHE_OFF;
  for (int sc = 0; sc < CACHE_CLASSES; sc++) {
    unsigned char* p = tc->head[sc];
    while (p) {
      unsigned char* next = *(unsigned char**)p;
      p[-3] &= 31;  // reserved 0: a whole-slot block mallocng accepts
      __libc_free(p);
      p = next;
    }
    tc->head[sc] = NULL;
    tc->count[sc] = 0;
  }
}

static void make_exit_key(void) {
  exit_key_ok = __pthread_key_create(&exit_key, flush_at_exit) == 0;
}

// Registers this thread's cache with the exit destructor; with no key to
// be had (an application took all PTHREAD_KEYS_MAX) the cache stays off.
static __attribute__((noinline)) int register_cache(void) {
  __pthread_once(&key_once, make_exit_key);
  if (exit_key_ok && pthread_setspecific(exit_key, &cache) == 0) {
    cache.state = CACHE_ON;
    return 1;
  }
  cache.state = CACHE_OFF;
  return 0;
}

// mallocng's get_meta, less its checks of the offset against the size
// class, and without get_nominal_size's checks of the size marks: those
// cost about as much as the rest of a cached malloc+free together (a pair
// took 13 ns with them, 9 ns without, glibc's 8.5 ns). Whatever is not
// cached still gets all of mallocng's checks, and so does a cached block
// when its bin is flushed. What stays catches a pointer mallocng never
// handed out (alignment, the group's back pointer, the meta area's secret)
// and a slot mallocng already has back (its mask bits).
static inline struct meta* checked_meta(const unsigned char* p) {
  if ((uintptr_t)p & 15) a_crash();
  int offset = *(const uint16_t*)(p - 2);
  int index = get_slot_index(p);
  if (p[-4]) {
    if (offset) a_crash();
    offset = *(const uint32_t*)(p - 8);
    if (offset <= 0xffff) a_crash();
  }
  const struct group* base = (const void*)(p - UNIT * offset - UNIT);
  struct meta* meta = base->meta;
  if (meta->mem != base || index > meta->last_idx ||
      ((meta->avail_mask | meta->freed_mask) & (1u << index)))
    a_crash();
  if (((const struct meta_area*)((uintptr_t)meta & -4096))->check != ctx.secret) a_crash();
  return meta;
}

// Files p (checked; of cached class sc, in group g) in this thread's bin,
// or gives it to mallocng's free if the bin is full.
static inline void cache_block(unsigned char* p, struct meta* g, int sc) {
  int idx = get_slot_index(p);
  unsigned char* start = g->mem->storage + UNIT * size_classes[sc] * idx;
  if ((p[-3] >> 5) == RESERVED_CACHED) a_crash();  // in a bin already: a double free
  if (cache.count[sc] >= bin_limit[sc]) {
    __libc_free(p);
    return;
  }
  if (p != start) {
    // Enframed at an offset: the block moves to its slot's start, whose
    // header enframe wrote as an offset record (reserved 7, the offset to
    // p); the old header is made invalid as mallocng's free makes it, so
    // freeing the old pointer again fails checked_meta.
    p[-3] = 255;
    *(uint16_t*)(p - 2) = 0;
    *(uint16_t*)(start - 2) = (size_t)(start - g->mem->storage) / UNIT;
    // start[-4] is 0: enframe checked it when it first framed this slot.
  }
  start[-3] = (unsigned char)(idx | RESERVED_CACHED << 5);
  *(unsigned char**)start = cache.head[sc];
  cache.head[sc] = start;
  cache.count[sc]++;
}

// Blocks an empty bin takes from mallocng at once.
#define REFILL 8

// malloc(n) for a cached size whose bin (class sc) is empty: REFILL blocks
// from mallocng (consecutive slots of one group: it hands them out lowest
// first), the first for the caller, the others filed so that the bin hands
// them out in address order. Only when mallocng answers from class sc
// itself: early on it may use the next coarser class, whose blocks would
// not land in this bin.
static __attribute__((noinline)) void* refill(size_t n, int sc) {
  unsigned char* got[REFILL];
  got[0] = __libc_malloc_impl(n);
  if (!got[0] || cache.state == CACHE_OFF ||
      (cache.state == CACHE_UNREGISTERED && !register_cache()))
    return got[0];
  struct meta* g = get_meta(got[0]);
  if (g->sizeclass != sc || (g->maplen && !g->last_idx)) return got[0];
  int k = 1;
  while (k < REFILL && (got[k] = __libc_malloc_impl(n))) k++;
  while (--k > 0) {
    g = get_meta(got[k]);
    if (g->sizeclass == sc && !(g->maplen && !g->last_idx))
      cache_block(got[k], g, sc);
    else
      __libc_free(got[k]);
  }
  return got[0];
}

void* malloc(size_t n) {
  if (n <= CACHE_MAX_REQUEST) {
    int sc = size_to_class(n);
    unsigned char* p = cache.head[sc];
    if (!p) return refill(n, sc);
    cache.head[sc] = *(unsigned char**)p;
    cache.count[sc]--;
    // p is its slot's start and the slot is whole (cache_block made it
    // so): the header's offset and index are right, and set_size writes
    // the reserved size over the cached mark, as enframe does.
    set_size(p, p + UNIT * size_classes[sc] - IB, n);
    return p;
  }
  return __libc_malloc_impl(n);
}

void free(void* ptr) {
  if (!ptr) return;
  unsigned char* p = ptr;
  struct meta* g = checked_meta(p);
  int sc = g->sizeclass;
  // Not cached: mallocng's own classes above ours, its mmap'd single slots
  // (their stride is not the class's, and calloc counts on them being
  // fresh zero pages), and every block once the thread is ending.
  if (sc >= CACHE_CLASSES || (g->maplen && !g->last_idx) || cache.state == CACHE_OFF ||
      (cache.state == CACHE_UNREGISTERED && !register_cache())) {
    __libc_free(p);
    return;
  }
  cache_block(p, g, sc);
}
