// Prints its arguments and the ZX_TEST_ENV variable; returns argc.
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv, char** envp) {
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  for (char** e = envp; e && *e; e++)
    if (strncmp(*e, "ZX_TEST_ENV=", 12) == 0) printf("env %s\n", *e);
  return argc;
}
