// Guest SDK: <zircon/analyzer.h>. Fuchsia uses these for clang's handle
// analysis; with gcc they expand to nothing.
#ifndef ZIRCON_ANALYZER_H_
#define ZIRCON_ANALYZER_H_

#define ZX_HANDLE_ACQUIRE
#define ZX_HANDLE_RELEASE
#define ZX_HANDLE_USE
#define ZX_HANDLE_ACQUIRE_UNOWNED
#define ZX_HANDLE_RELEASE_UNOWNED
#define ZX_HANDLE_USE_UNOWNED
#define ZX_SYSCALL_PARAM_ATTR(x)

#endif  // ZIRCON_ANALYZER_H_
