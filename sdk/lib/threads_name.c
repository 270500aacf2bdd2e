// thrd_create_with_name (Fuchsia's <threads.h> extension): see
// sdk/libc/include/threads.h.
#include <string.h>
#include <threads.h>
#include <zircon/syscalls.h>
#include <zircon/threads.h>
#include <zircon/types.h>

int thrd_create_with_name(thrd_t* thread, thrd_start_t func, void* arg, const char* name) {
  int status = thrd_create(thread, func, arg);
  if (status != thrd_success || name == NULL || name[0] == '\0') {
    return status;
  }
  size_t len = strnlen(name, ZX_MAX_NAME_LEN - 1);
  // The thread may already be running; it has its handle from creation on.
  zx_object_set_property(thrd_get_zx_handle(*thread), ZX_PROP_NAME, name, len);
  return status;
}
