// No fork on Zircon (nor in Fuchsia's libc): vfork fails with ENOSYS.
#include <errno.h>
#include <unistd.h>

pid_t vfork(void) {
  errno = ENOSYS;
  return -1;
}
