// Prints its arguments; returns argc.
#include <stdio.h>

int main(int argc, char** argv) {
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  return argc;
}
