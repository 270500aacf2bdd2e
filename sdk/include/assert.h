// Guest SDK: <assert.h>. A failed assert prints "file:line: func: Assertion
// `expr' failed." and calls abort().
#include <zircon/compiler.h>

#undef assert
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
__BEGIN_CDECLS
__NO_RETURN void __zx_sdk_assert_fail(const char* expr, const char* file, int line,
                                      const char* func);
__END_CDECLS
#define assert(e) ((e) ? (void)0 : __zx_sdk_assert_fail(#e, __FILE__, __LINE__, __func__))
#endif

#if !defined(__cplusplus) && !defined(static_assert)
#define static_assert _Static_assert
#endif
