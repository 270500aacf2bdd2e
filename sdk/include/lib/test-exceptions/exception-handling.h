// Guest SDK: <lib/test-exceptions/exception-handling.h> -- ending a thread
// that stopped in an exception (death tests): its registers are rewritten
// to resume in an exit function, the exception is marked handled and
// closed, and the call returns once the thread has terminated.  The
// exception must be of a thread of the calling process (the exit functions'
// addresses are this process's).  Header-only.
#ifndef LIB_TEST_EXCEPTIONS_EXCEPTION_HANDLING_H_
#define LIB_TEST_EXCEPTIONS_EXCEPTION_HANDLING_H_

#include <lib/zx/exception.h>
#include <lib/zx/thread.h>
#include <lib/zx/time.h>
#include <pthread.h>
#include <stdint.h>
#include <threads.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/object.h>

#include <utility>

namespace test_exceptions {

namespace internal {

// The thread resumes here, as if called: these take no arguments.
[[noreturn]] inline void ExitThroughThrd() { thrd_exit(0); }
[[noreturn]] inline void ExitThroughPthread() { pthread_exit(nullptr); }

inline zx_status_t ResumeIn(zx::exception exception, uintptr_t exit_fn) {
  zx::thread thread;
  zx_status_t status = exception.get_thread(&thread);
  if (status != ZX_OK) {
    return status;
  }
  zx_thread_state_general_regs_t regs;
  status = thread.read_state(ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs));
  if (status != ZX_OK) {
    return status;
  }
#if defined(__x86_64__)
  regs.rip = exit_fn;
  // Enter the exit function with the stack as a call leaves it (8 below a
  // 16-byte boundary), so its aligned spills cannot fault.  A thread that
  // has no stack at all keeps its (unusable) SP.
  if (regs.rsp >= 16) {
    regs.rsp = (regs.rsp & ~static_cast<uint64_t>(15)) - 8;
  }
#elif defined(__aarch64__) || defined(__riscv)
  regs.pc = exit_fn;
#else
#error "unsupported machine"
#endif
  status = thread.write_state(ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs));
  if (status != ZX_OK) {
    return status;
  }
  uint32_t state = ZX_EXCEPTION_STATE_HANDLED;
  status = exception.set_property(ZX_PROP_EXCEPTION_STATE, &state, sizeof(state));
  if (status != ZX_OK) {
    return status;
  }
  exception.reset();
  return thread.wait_one(ZX_THREAD_TERMINATED, zx::time::infinite(), nullptr);
}

}  // namespace internal

// Resumes the thread in zx_thread_exit (no C library exit handlers run; for
// bare Zircon threads).
inline zx_status_t ExitExceptionZxThread(zx::exception exception) {
  return internal::ResumeIn(std::move(exception), reinterpret_cast<uintptr_t>(&zx_thread_exit));
}

// Resumes the thread in thrd_exit(0) (for thrd_create threads: thread
// locals' destructors run and the C library frees the thread's stack).
inline zx_status_t ExitExceptionCThread(zx::exception exception) {
  return internal::ResumeIn(std::move(exception),
                            reinterpret_cast<uintptr_t>(&internal::ExitThroughThrd));
}

// Resumes the thread in pthread_exit(nullptr) (for pthread_create threads).
inline zx_status_t ExitExceptionPThread(zx::exception exception) {
  return internal::ResumeIn(std::move(exception),
                            reinterpret_cast<uintptr_t>(&internal::ExitThroughPthread));
}

}  // namespace test_exceptions

#endif  // LIB_TEST_EXCEPTIONS_EXCEPTION_HANDLING_H_
