// Guest SDK: <inspector/inspector.h> -- printing a thread's state for crash
// reports and test diagnostics (implementation: sdk/lib/inspector.c, in the
// runtime every zx-c++ guest links).
//
// What it can do here: registers come from zx_thread_read_state, memory
// from zx_process_read_memory, so the thread must be stopped (in an
// exception, or suspended) for registers, as on Fuchsia.  Backtraces follow
// the frame-pointer chain (rbp) from the thread's registers, so frames of
// code built without frame pointers are skipped or the walk stops early;
// no unwind tables are read.  Output uses Fuchsia's symbolizer markup
// ({{{reset}}}, {{{module:...}}}, {{{mmap:...}}}, {{{bt:N:0xPC:pc|ra}}}),
// so an offline symbolizer can name the frames; modules are listed for the
// calling process only (its own ELF image, from dl_iterate_phdr).
#ifndef INSPECTOR_INSPECTOR_H_
#define INSPECTOR_INSPECTOR_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <zircon/compiler.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/exception.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// The exception details printed beside the registers.
#if defined(__x86_64__)
typedef zx_x86_64_exc_data_t inspector_excp_data_t;
#elif defined(__aarch64__)
typedef zx_arm64_exc_data_t inspector_excp_data_t;
#elif defined(__riscv)
typedef zx_riscv64_exc_data_t inspector_excp_data_t;
#else
typedef int inspector_excp_data_t;
#endif

// Prints |thread|'s backtrace (a stopped thread of |process|) as markup.
void inspector_print_backtrace_markup(FILE* f, zx_handle_t process, zx_handle_t thread);

// Prints the markup context: {{{reset}}}, then the modules and their
// mappings (only when |process| is the calling process).
void inspector_print_markup_context(FILE* f, zx_handle_t process);

// zx_thread_read_state(ZX_THREAD_STATE_GENERAL_REGS) of |thread|.
zx_status_t inspector_read_general_regs(zx_handle_t thread, zx_thread_state_general_regs_t* regs);

// Prints |regs|, and |excp_data| (the fault address and error code) if not
// NULL.
void inspector_print_general_regs(FILE* f, const zx_thread_state_general_regs_t* regs,
                                  const inspector_excp_data_t* excp_data);

// Memory dump formats: bytes, or 32-bit little-endian words.
enum inspector_print_memory_format { Hex8, Hex32 };

// Prints |length| bytes of |process|'s memory at |addr|, 16 a line.
void inspector_print_memory(FILE* f, zx_handle_t process, zx_vaddr_t addr, size_t length,
                            enum inspector_print_memory_format format);

// Prints what is known of |thread| in |process|: if it is in an exception,
// the exception, its registers and the bottom of its stack; then the markup
// context and its backtrace.  Closes nothing and resumes nothing.
void inspector_print_debug_info(FILE* out, zx_handle_t process, zx_handle_t thread);

// inspector_print_debug_info for every thread of |process|, those in an
// exception first.
void inspector_print_debug_info_for_all_threads(FILE* out, zx_handle_t process);

__END_CDECLS

#endif  // INSPECTOR_INSPECTOR_H_
