/* Guest SDK: the end of the <limits.h> chain.
 *
 * The compiler's own <limits.h> defines every limit, then (through
 * syslimits.h) does #include_next <limits.h> to reach the C library's. The
 * guest has no C library headers (zx-cc passes -nostdinc), so zx-cc puts this
 * directory after the compiler's include directory to end the chain here.
 * It deliberately defines nothing. */
