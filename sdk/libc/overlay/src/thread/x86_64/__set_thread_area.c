// __set_thread_area is defined in clone.c, beside this file; this file replaces
// musl's assembly of the same name (which makes a raw syscall).
typedef int zx_sdk_empty_translation_unit;
