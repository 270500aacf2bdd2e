/* On the C++ include path only: the clock-taking waits glibc 2.30 added,
 * which libstdc++ (glibc configuration) uses for steady_clock timeouts.
 * They are implemented in sdk/libcxx/glibc_compat.c. */
#include_next <pthread.h>
#ifndef ZX_SDK_PTHREAD_CLOCK_WAITS
#define ZX_SDK_PTHREAD_CLOCK_WAITS
#ifdef __cplusplus
extern "C" {
#endif
int pthread_cond_clockwait(pthread_cond_t* cond, pthread_mutex_t* mutex, clockid_t clock,
                           const struct timespec* abstime);
int pthread_mutex_clocklock(pthread_mutex_t* mutex, clockid_t clock,
                            const struct timespec* abstime);
int pthread_rwlock_clockrdlock(pthread_rwlock_t* rwlock, clockid_t clock,
                               const struct timespec* abstime);
int pthread_rwlock_clockwrlock(pthread_rwlock_t* rwlock, clockid_t clock,
                               const struct timespec* abstime);
#ifdef __cplusplus
}
#endif
#endif
