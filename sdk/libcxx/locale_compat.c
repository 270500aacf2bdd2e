// Locale objects that both musl and the host's libstdc++ can read.
//
// libstdc++ (glibc configuration) makes its locales with __newlocale and
// reads three fields of glibc's struct __locale_struct directly: the
// classification table and the case-mapping tables, at offsets 104, 112 and
// 120. musl's locale object is six category pointers (48 bytes) that musl's
// own functions read. The objects made here are both: musl's categories at
// the front (glibc's __locales array, unused by libstdc++, covers them),
// glibc's table pointers behind, aimed at musl's glibc-compatible tables
// (__ctype_b_loc() and friends).
//
// The build renames musl's __newlocale and __duplocale in libc.a to
// __musl_newlocale and __musl_duplocale (the public newlocale and
// duplocale stay musl's own), so these take libstdc++'s calls.
// __freelocale, __uselocale and the *_l functions are musl's: they read the
// categories only.
#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// musl's (libc.a), under their renamed or internal names.
locale_t __musl_newlocale(int mask, const char* name, locale_t base);
int __loc_is_allocated(locale_t loc);
const unsigned short** __ctype_b_loc(void);
const int32_t** __ctype_tolower_loc(void);
const int32_t** __ctype_toupper_loc(void);

// sizeof(struct __locale_struct) in musl (its six categories); the build
// checks it against musl's source.
#define MUSL_LOCALE_BYTES (6 * sizeof(void*))

struct dual_locale {
  union {
    unsigned char musl[MUSL_LOCALE_BYTES];
    void* glibc_locales[13];
  } front;
  const unsigned short* ctype_b;
  const int32_t* ctype_tolower;
  const int32_t* ctype_toupper;
  const char* names[13];
};

_Static_assert(offsetof(struct dual_locale, ctype_b) == 104, "glibc's __ctype_b offset");
_Static_assert(offsetof(struct dual_locale, ctype_tolower) == 112, "glibc's __ctype_tolower");
_Static_assert(offsetof(struct dual_locale, ctype_toupper) == 120, "glibc's __ctype_toupper");

static void set_tables(struct dual_locale* d) {
  // musl has the C/POSIX classification only, whatever the locale.
  d->ctype_b = *__ctype_b_loc();
  d->ctype_tolower = *__ctype_tolower_loc();
  d->ctype_toupper = *__ctype_toupper_loc();
}

locale_t __newlocale(int mask, const char* name, locale_t base) {
  locale_t made = __musl_newlocale(mask, name, base);
  if (made == (locale_t)0) return made;
  if (made == base) {
    // musl changes an allocated base (always one of ours) in place.
    set_tables((struct dual_locale*)made);
    return made;
  }
  // musl answered with one of its built-in objects or a 48-byte one of
  // its own: copy its categories into a dual object.
  struct dual_locale* d = calloc(1, sizeof *d);
  if (d != NULL) {
    memcpy(d->front.musl, made, MUSL_LOCALE_BYTES);
    set_tables(d);
  }
  if (__loc_is_allocated(made)) free(made);
  return (locale_t)d;
}

locale_t __duplocale(locale_t old) {
  if (old == LC_GLOBAL_LOCALE) return __newlocale(LC_ALL_MASK, "", (locale_t)0);
  struct dual_locale* d = malloc(sizeof *d);
  if (d == NULL) return (locale_t)0;
  memcpy(d, old, sizeof *d);
  return (locale_t)d;
}
