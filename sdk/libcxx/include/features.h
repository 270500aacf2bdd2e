/* On the C++ include path only, in front of the C library's <features.h>.
 *
 * The host's libstdc++ headers and its prebuilt archive were configured
 * against glibc, and its <bits/os_defines.h> tests the glibc version with
 * __GLIBC_PREREQ. The SDK's C library is musl, which has no such macro. The
 * archive the guest links was built for the host's glibc (zx-c++ passes
 * its version; 2.36 on Debian 12), so its headers are told that: the choices they make (no weak pthread symbols,
 * pthread_cond_clockwait, the isinf/isnan overloads) then agree with the
 * compiled library. __GLIBC__ itself stays undefined: the C headers are
 * musl's. */
#include_next <features.h>
#ifndef ZX_SDK_HOST_GLIBC_MAJOR /* zx-c++ passes the host's */
#define ZX_SDK_HOST_GLIBC_MAJOR 2
#define ZX_SDK_HOST_GLIBC_MINOR 36
#endif
#ifndef __GLIBC_PREREQ
#define __GLIBC_PREREQ(major, minor) \
  ((ZX_SDK_HOST_GLIBC_MAJOR << 16) + ZX_SDK_HOST_GLIBC_MINOR >= ((major) << 16) + (minor))
#endif
