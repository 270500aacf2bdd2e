// SDK sample: printf formatting, argv, startup handles, exit code.
#include <stdio.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>

int main(int argc, char** argv) {
  printf("hello from %s (argc=%d), page %u\n", argc > 0 ? argv[0] : "?", argc,
         zx_system_get_page_size());
  for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  printf("[%5d|%-5d|%05d|%x|%#lx|%p|%.3s|%c|%%|%zu|%lld|%+d|%o]\n", 42, 42, 42, 255, 0x1000ul,
         (void*)0x1234, "abcdef", 'z', (size_t)7, -5ll, 3, 8);
  printf("%s\n", zx_status_get_string(ZX_ERR_BAD_STATE));
  printf("root vmar valid: %d\n", zx_vmar_root_self() != ZX_HANDLE_INVALID);
  return 3;
}
