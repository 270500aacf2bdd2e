/* On the C++ include path only: libstdc++'s <bits/c++locale.h> (glibc
 * configuration) spells locale_t by glibc's older name. */
#include_next <locale.h>
#ifndef ZX_SDK_LOCALE_T_ALIAS
#define ZX_SDK_LOCALE_T_ALIAS
typedef locale_t __locale_t;
#endif
