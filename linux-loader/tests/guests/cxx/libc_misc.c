// The SDK's C library beyond threads (built with sdk/zx-c++, run with
// FOO=bar in the environment): environment, sysconf, clocks and sleeps,
// anonymous mmap on VMOs, what needs fdio failing with ENOSYS, randomness,
// a 64-thread malloc/free stress with a checker, qsort/bsearch, atexit.
// Prints "libc: PASS" and exits 0 when every check held.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int failures;
#define CHECK(cond)                                                     \
  do {                                                                  \
    if (!(cond)) {                                                      \
      printf("libc: check failed at line %d: %s\n", __LINE__, #cond);   \
      failures++;                                                       \
    }                                                                   \
  } while (0)

static void* churn(void* arg) {
  uintptr_t seed = (uintptr_t)arg;
  void* slots[64] = {0};
  size_t sizes[64] = {0};
  for (int i = 0; i < 5000; i++) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    int k = (int)((seed >> 33) % 64);
    if (slots[k]) {
      // Every byte still holds what was written.
      unsigned char* b = slots[k];
      for (size_t j = 0; j < sizes[k]; j++)
        if (b[j] != (unsigned char)(k + j)) return (void*)1;
      free(slots[k]);
      slots[k] = NULL;
    } else {
      sizes[k] = (size_t)((seed >> 40) % 3000) + 1;
      unsigned char* b = malloc(sizes[k]);
      if (!b) return (void*)1;
      for (size_t j = 0; j < sizes[k]; j++) b[j] = (unsigned char)(k + j);
      slots[k] = b;
    }
  }
  for (int k = 0; k < 64; k++) free(slots[k]);
  return NULL;
}

static int cmp(const void* a, const void* b) { return *(const int*)a - *(const int*)b; }

static void last_words(void) { printf("libc: atexit ran\n"); }

int main(void) {
  CHECK(getenv("FOO") && strcmp(getenv("FOO"), "bar") == 0);
  CHECK(setenv("BAR", "baz", 1) == 0 && strcmp(getenv("BAR"), "baz") == 0);
  CHECK(sysconf(_SC_PAGESIZE) == 4096);
  CHECK(sysconf(_SC_NPROCESSORS_ONLN) >= 1);
  CHECK(getpid() > 0);

  struct timespec a, b;
  CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
  CHECK(usleep(2000) == 0);
  CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
  CHECK((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) >= 2000000L);
  struct timeval tv;
  CHECK(gettimeofday(&tv, NULL) == 0);
  CHECK(clock_gettime(12345, &a) == -1 && errno == EINVAL);

  size_t len = 3 << 20;
  unsigned char* m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(m != MAP_FAILED);
  if (m != MAP_FAILED) {
    memset(m, 0x5a, len);
    CHECK(mprotect(m, 4096, PROT_READ) == 0);
    CHECK(munmap(m, len) == 0);
  }
  CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) == MAP_FAILED);

  errno = 0;
  CHECK(open("/etc/passwd", O_RDONLY) == -1 && errno == ENOSYS);
  char c;
  CHECK(read(7, &c, 1) == -1 && errno == EBADF);

  unsigned char r1[32] = {0}, r2[32] = {0};
  CHECK(getentropy(r1, sizeof(r1)) == 0 && getentropy(r2, sizeof(r2)) == 0);
  CHECK(memcmp(r1, r2, sizeof(r1)) != 0);
  CHECK(arc4random_uniform(10) < 10);

  errno = 0;
  CHECK(malloc(SIZE_MAX / 2) == NULL && errno == ENOMEM);
  pthread_t t[64];
  for (int i = 0; i < 64; i++) CHECK(pthread_create(&t[i], NULL, churn, (void*)(uintptr_t)(i + 1)) == 0);
  for (int i = 0; i < 64; i++) {
    void* res;
    pthread_join(t[i], &res);
    CHECK(res == NULL);
  }

  int v[] = {5, 3, 9, 1, 7};
  qsort(v, 5, sizeof(int), cmp);
  int key = 7;
  CHECK(v[0] == 1 && v[4] == 9 && bsearch(&key, v, 5, sizeof(int), cmp) == &v[3]);

  atexit(last_words);
  printf("libc: %s\n", failures ? "FAIL" : "PASS");
  return failures ? 1 : 0;
}
