// The SDK's per-thread cache of small blocks in front of musl's mallocng
// (docs/DESIGN.md decision 26): the public malloc and free.
//
// mallocng takes one lock for the whole heap, so two threads allocating
// at once queue on it, and even one thread pays its atomic operations once
// a second thread exists. Here each thread keeps a few freed blocks of each
// small size class (mallocng's own classes 0..CACHE_CLASSES-1, requests of
// up to 2028 bytes) and serves malloc from them, as glibc's tcache does:
// the common malloc and free touch only the thread's own bins, no lock, no
// atomic. Everything else is mallocng, unchanged: blocks are mallocng
// slots, and a cached block is still allocated in mallocng's eyes, so
// realloc, aligned_alloc, malloc_usable_size and calloc (musl's own, which
// call into mallocng or this malloc) see ordinary blocks.
//
// A block freed here is checked as mallocng's free checks it (get_meta,
// get_nominal_size: a bad pointer or a smashed header still kills the
// guest), then, if its class is cached and its bin has room, filed in this
// thread's bin, whoever allocated it. A filed block is moved to the start
// of its slot (mallocng may have enframed it at an offset, or aligned_alloc
// may have) and marked "cached" with the value 7 in its header's
// reserved-size field, which no live block has (get_nominal_size only
// accepts 0..5): a second free of it, or malloc_usable_size or realloc on
// it, from any thread, dies as a use after free would in mallocng. Its
// first word links the bin. Handing it out again writes the header as
// mallocng's enframe does at offset 0 (set_size), so the block's nominal
// size is the new request. A full bin sends the block to mallocng's free.
//
// When a thread ends its bins go back to mallocng: a pthread key's
// destructor (the key is made on the first free that caches) flushes them
// and turns the thread's cache off, so whatever later destructors free or
// allocate goes straight to mallocng. The main thread's cache dies with the
// process.
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
  CACHE_UNREGISTERED = 0,  // empty; the first caching free registers it
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

void* malloc(size_t n) {
  if (n <= CACHE_MAX_REQUEST) {
    int sc = size_to_class(n);
    unsigned char* p = cache.head[sc];
    if (p) {
      cache.head[sc] = *(unsigned char**)p;
      cache.count[sc]--;
      // p is its slot's start and the slot is whole (free made it so):
      // the header's offset and index are right, and set_size writes the
      // reserved size (replacing the cached mark) as enframe does.
      set_size(p, p + UNIT * size_classes[sc] - IB, n);
      return p;
    }
  }
  return __libc_malloc_impl(n);
}

void free(void* ptr) {
  if (!ptr) return;
  unsigned char* p = ptr;
  // mallocng's checks first: a pointer it never handed out, or a slot it
  // already has back, dies here.
  struct meta* g = get_meta(p);
  int sc = g->sizeclass;
  if (sc >= CACHE_CLASSES || (g->maplen && !g->last_idx) || cache.state == CACHE_OFF) {
    __libc_free(p);
    return;
  }
  int idx = get_slot_index(p);
  size_t stride = UNIT * size_classes[sc];
  unsigned char* start = g->mem->storage + stride * idx;
  unsigned char* end = start + stride - IB;
  // The reserved-size marks and the overflow byte; a block already in a
  // bin (reserved 7: a double free) dies here too.
  get_nominal_size(p, end);
  if (cache.count[sc] >= bin_limit[sc] ||
      (cache.state == CACHE_UNREGISTERED && !register_cache())) {
    __libc_free(p);
    return;
  }
  if (p != start) {
    // Enframed at an offset: the block moves to its slot's start, whose
    // header enframe wrote as an offset record (reserved 7 and the offset
    // to p); the old header is made invalid as mallocng's free makes it,
    // so freeing the old pointer again fails get_meta.
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
