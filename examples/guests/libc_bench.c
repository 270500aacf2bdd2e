// The C library's hot paths, timed by the program itself; built both
// natively and as a guest by `cargo bench -p linux-loader --bench libc`,
// which prints the ratios. Prints "NAME NS-PER-OP" lines.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long n = 1000000;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void* malloc_loop(void* arg) {
  (void)arg;
  void* keep[16] = {0};
  for (long i = 0; i < n; i++) {
    int k = (int)(i & 15);
    free(keep[k]);
    keep[k] = malloc((size_t)(16 + (i & 7) * 16));
  }
  for (int k = 0; k < 16; k++) free(keep[k]);
  return NULL;
}

static void* nothing(void* arg) { return arg; }

int main(int argc, char** argv) {
  if (argc > 1) n = atol(argv[1]);
  double t = now_ns();
  malloc_loop(NULL);
  printf("malloc/free(16..128 B), 1 thread %.1f\n", (now_ns() - t) / (double)n);

  pthread_t a, b;
  t = now_ns();
  pthread_create(&a, NULL, malloc_loop, NULL);
  pthread_create(&b, NULL, malloc_loop, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("malloc/free(16..128 B), 2 threads %.1f\n", (now_ns() - t) / (double)n);

  pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  t = now_ns();
  for (long i = 0; i < n; i++) {
    pthread_mutex_lock(&mu);
    pthread_mutex_unlock(&mu);
  }
  printf("pthread_mutex_lock+unlock, uncontended %.1f\n", (now_ns() - t) / (double)n);

  long m = n / 1000 > 100 ? n / 1000 : 100;
  t = now_ns();
  for (long i = 0; i < m; i++) {
    pthread_t th;
    pthread_create(&th, NULL, nothing, NULL);
    pthread_join(th, NULL);
  }
  printf("pthread_create+join %.1f\n", (now_ns() - t) / (double)m);
  return 0;
}
