// mini-process: the code that runs inside a mini process.
//
// mini-process.c copies the bytes of the "minip_code" section (this file's
// one function) to the bottom of the child's stack VMO and starts the child
// there; nothing else of this program exists in the child. So the function
// must be position-independent and self-contained: no data, no read-only
// constants, no jump tables, no calls except through the vDSO addresses the
// parent sends, and no raw syscall instruction. The build compiles this file
// with -fno-jump-tables -fno-builtin -fno-reorder-blocks-and-partition
// -mgeneral-regs-only and fails if the section has any relocation (which is
// what every reference outside it would need).
//
// Protocol (see mini-process-abi.h): the child is entered with the control
// channel and the address of its vDSO's zx_channel_read. It reads the call
// table (and the caller's transferred handle, which it keeps), acknowledges
// with 8 bytes (the sizes it read), then serves commands: each message is a
// minip_msg_t (and at most one handle); every command bit set in `what` is
// run in increasing bit order and answered by its own reply (the message with
// `status` set, plus the handle the command made, if any). The commands that
// end the thread or process (BUILTIN_TRAP, EXIT_NORMAL, THREAD_EXIT) run
// after the others, and the two async-wait stress loops never return. A
// message with no known bit gets one ZX_ERR_WRONG_TYPE reply. If the channel
// fails (wait, read or reply), the child executes a trapping instruction.
#include <mini-process/mini-process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

#include "mini-process-abi.h"

#define MINIP_KEY 42u
#define MINIP_BACKTRACE_MAGIC 0xee726573756d65eeull

__attribute__((section("minip_code"), used, noinline)) void __minip_child_entry(zx_handle_t ctl,
                                                                                   uintptr_t channel_read) {
  if (channel_read == 0) {
    // No vDSO: spin. An odd number plus 2 is never 0, and the compiler must
    // believe any value can appear.
    volatile uint32_t spin = 1;
    while (spin) spin += 2;
  }

  minip_calls_t c;
  zx_handle_t held = ZX_HANDLE_INVALID;
  uint32_t nbytes = 0, nhandles = 0;
  if (((__typeof(zx_channel_read)*)channel_read)(ctl, 0, &c, &held, sizeof(c), 1, &nbytes, &nhandles) != ZX_OK ||
      nbytes != sizeof(c))
    __builtin_trap();
  uint32_t ack[2];
  ack[0] = nbytes;
  ack[1] = nhandles;
  if (c.channel_write(ctl, 0, ack, sizeof(ack), NULL, 0) != ZX_OK) __builtin_trap();

  for (;;) {
    zx_signals_t seen;
    if (c.object_wait_one(ctl, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, &seen) != ZX_OK) break;
    minip_msg_t m;
    zx_handle_t in = ZX_HANDLE_INVALID;
    if (c.channel_read(ctl, 0, &m, &in, sizeof(m), 1, &nbytes, &nhandles) != ZX_OK) break;
    uint32_t todo = m.what;
    zx_status_t written;
    do {
      zx_handle_t out = ZX_HANDLE_INVALID;
      zx_status_t st = ZX_OK;
      if (todo & MINIP_CMD_ECHO_MSG) {
        todo &= ~(uint32_t)MINIP_CMD_ECHO_MSG;
        st = ZX_OK;
      } else if (todo & MINIP_CMD_CREATE_EVENT) {
        todo &= ~(uint32_t)MINIP_CMD_CREATE_EVENT;
        st = c.event_create(0, &out);
      } else if (todo & MINIP_CMD_CREATE_PROFILE) {
        todo &= ~(uint32_t)MINIP_CMD_CREATE_PROFILE;
        // No root job here, and no profile description either: the call is
        // meant to fail, and the reply says how.
        st = c.profile_create(ZX_HANDLE_INVALID, 0, NULL, &out);
      } else if (todo & MINIP_CMD_CREATE_CHANNEL) {
        todo &= ~(uint32_t)MINIP_CMD_CREATE_CHANNEL;
        // The other end stays open in the child for its whole life.
        zx_handle_t kept;
        st = c.channel_create(0, &out, &kept);
      } else if (todo & MINIP_CMD_USE_BAD_HANDLE_CLOSED) {
        todo &= ~(uint32_t)MINIP_CMD_USE_BAD_HANDLE_CLOSED;
        zx_handle_t ev;
        if (c.event_create(0, &ev) != ZX_OK || c.handle_close(ev) != ZX_OK) __builtin_trap();
        st = c.handle_close(ev);
      } else if (todo & MINIP_CMD_USE_BAD_HANDLE_TRANSFERRED) {
        todo &= ~(uint32_t)MINIP_CMD_USE_BAD_HANDLE_TRANSFERRED;
        // The value names an object that still exists (in a channel
        // message), but this process no longer holds it.
        zx_handle_t ev, a, b;
        if (c.event_create(0, &ev) != ZX_OK || c.channel_create(0, &a, &b) != ZX_OK ||
            c.channel_write(a, 0, NULL, 0, &ev, 1) != ZX_OK)
          __builtin_trap();
        st = c.handle_close(ev);
        if (c.handle_close(a) != ZX_OK || c.handle_close(b) != ZX_OK) __builtin_trap();
      } else if (todo & MINIP_CMD_VALIDATE_CLOSED_HANDLE) {
        todo &= ~(uint32_t)MINIP_CMD_VALIDATE_CLOSED_HANDLE;
        zx_handle_t ev;
        if (c.event_create(0, &ev) != ZX_OK || c.handle_close(ev) != ZX_OK) __builtin_trap();
        st = c.object_get_info(ev, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL);
      } else if (todo & MINIP_CMD_CREATE_PAGER_VMO) {
        todo &= ~(uint32_t)MINIP_CMD_CREATE_PAGER_VMO;
        // The pager and the port stay open in the child.
        zx_handle_t pager, port;
        st = c.pager_create(0, &pager);
        if (st == ZX_OK) {
          if (c.port_create(0, &port) != ZX_OK) __builtin_trap();
          st = c.pager_create_vmo(pager, 0, port, 0, 0, &out);
        }
      } else if (todo & MINIP_CMD_CREATE_VMO_CONTIGUOUS) {
        todo &= ~(uint32_t)MINIP_CMD_CREATE_VMO_CONTIGUOUS;
        st = c.vmo_create_contiguous(ZX_HANDLE_INVALID, c.system_get_page_size(), 0, &out);
      } else if (todo & MINIP_CMD_CREATE_VMO_PHYSICAL) {
        todo &= ~(uint32_t)MINIP_CMD_CREATE_VMO_PHYSICAL;
        st = c.vmo_create_physical(ZX_HANDLE_INVALID, 0, 0, &out);
      } else if (todo & MINIP_CMD_CREATE_PAGER) {
        todo &= ~(uint32_t)MINIP_CMD_CREATE_PAGER;
        st = c.pager_create(0, &out);
      } else if (todo & MINIP_CMD_CHANNEL_WRITE) {
        todo &= ~(uint32_t)MINIP_CMD_CHANNEL_WRITE;
        uint8_t zero = 0;
        st = c.channel_write(held, 0, &zero, 1, NULL, 0);
      } else if (todo & MINIP_CMD_BACKTRACE_REQUEST) {
        todo &= ~(uint32_t)MINIP_CMD_BACKTRACE_REQUEST;
        // A software breakpoint with the backtrace-request value in rax;
        // whoever handles the exception is expected to resume the thread.
        __asm__ volatile("int3" : : "a"(MINIP_BACKTRACE_MAGIC) : "memory");
        st = ZX_OK;
      } else if (todo & MINIP_CMD_ATTEMPT_AMBIENT_EXECUTABLE) {
        todo &= ~(uint32_t)MINIP_CMD_ATTEMPT_AMBIENT_EXECUTABLE;
        // A pager-backed VMO where pagers exist, else an ordinary one: what
        // is tested is the ambient (invalid) vmex handle.
        zx_handle_t pager, port, vmo;
        if (c.pager_create(0, &pager) == ZX_OK) {
          if (c.port_create(0, &port) != ZX_OK || c.pager_create_vmo(pager, 0, port, 0, 0, &vmo) != ZX_OK)
            __builtin_trap();
        } else if (c.vmo_create(c.system_get_page_size(), 0, &vmo) != ZX_OK) {
          __builtin_trap();
        }
        st = c.vmo_replace_as_executable(vmo, ZX_HANDLE_INVALID, &vmo);
        if (st == ZX_OK) c.handle_close(vmo);
      } else if (todo & MINIP_CMD_CHECK_THREAD_POINTER) {
        todo &= ~(uint32_t)MINIP_CMD_CHECK_THREAD_POINTER;
        uint64_t word;
        __asm__ volatile("mov %%fs:0, %0" : "=r"(word));
        st = word == MINIP_THREAD_POINTER_CHECK_VALUE ? ZX_OK : ZX_ERR_BAD_STATE;
      } else if (todo & MINIP_CMD_WAIT_ASYNC) {
        // Queues waits on the transferred handle until something stops the
        // process (a full port's policy, a kill).
        zx_handle_t port;
        if (c.port_create(0, &port) != ZX_OK) __builtin_trap();
        for (;;)
          if (c.object_wait_async(held, port, MINIP_KEY, ZX_USER_SIGNAL_0, 0) != ZX_OK) __builtin_trap();
      } else if (todo & MINIP_CMD_WAIT_ASYNC_CANCEL) {
        // Queues and cancels a wait on the transferred handle, forever.
        zx_handle_t port;
        if (c.port_create(0, &port) != ZX_OK) __builtin_trap();
        for (;;) {
          if (c.object_wait_async(held, port, MINIP_KEY, ZX_USER_SIGNAL_0, 0) != ZX_OK) __builtin_trap();
          if (c.port_cancel(port, held, MINIP_KEY) != ZX_OK) __builtin_trap();
        }
      } else if (todo & MINIP_CMD_READ_FROM_USER_ADDR) {
        todo &= ~(uint32_t)MINIP_CMD_READ_FROM_USER_ADDR;
        st = *(volatile zx_status_t*)(uintptr_t)m.data;
      } else if (todo & MINIP_CMD_VMO_READ) {
        todo &= ~(uint32_t)MINIP_CMD_VMO_READ;
        uint64_t word;
        st = c.vmo_read(in, m.data ? (void*)(uintptr_t)m.data : (void*)&word, 0, sizeof(word));
      } else if (todo & MINIP_CMD_VMO_WRITE) {
        todo &= ~(uint32_t)MINIP_CMD_VMO_WRITE;
        uint64_t word = 0;
        st = c.vmo_write(in, m.data ? (const void*)(uintptr_t)m.data : (const void*)&word, 0, sizeof(word));
      } else if (todo & MINIP_CMD_VMO_GET_INFO) {
        todo &= ~(uint32_t)MINIP_CMD_VMO_GET_INFO;
        zx_info_vmo_t info;
        st = c.object_get_info(in, ZX_INFO_VMO, m.data ? (void*)(uintptr_t)m.data : (void*)&info, sizeof(info),
                               NULL, NULL);
      } else if (todo & MINIP_CMD_BUILTIN_TRAP) {
        __builtin_trap();
      } else if (todo & MINIP_CMD_EXIT_NORMAL) {
        c.process_exit(0);
      } else if (todo & MINIP_CMD_THREAD_EXIT) {
        c.thread_exit();
      } else {
        todo = 0;
        st = ZX_ERR_WRONG_TYPE;
      }
      m.status = st;
      written = c.channel_write(ctl, 0, &m, sizeof(m), &out, out != ZX_HANDLE_INVALID ? 1 : 0);
    } while (todo != 0 && written == ZX_OK);
    if (in != ZX_HANDLE_INVALID) c.handle_close(in);
    if (written != ZX_OK) break;
  }
  __builtin_trap();
}
