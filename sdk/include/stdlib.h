// The few stdlib functions the SDK runtime provides.
#ifndef ZX_SDK_STDLIB_H_
#define ZX_SDK_STDLIB_H_

#include <stddef.h>
#include <zircon/compiler.h>

__BEGIN_CDECLS

__NO_RETURN void exit(int status);
__NO_RETURN void abort(void);
int abs(int x);
long labs(long x);

__END_CDECLS

#endif  // ZX_SDK_STDLIB_H_
