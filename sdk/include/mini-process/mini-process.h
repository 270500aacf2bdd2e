// Guest SDK: <mini-process/mini-process.h> -- Fuchsia's mini-process test
// library: a process with one thread that runs a few hundred bytes of code
// copied into its stack and makes calls only through the vDSO, driven by
// commands over a channel. Fuchsia's function, type and constant names and
// values; the implementation is the SDK's own (sdk/lib/mini-process*.c).
#ifndef MINI_PROCESS_MINI_PROCESS_H_
#define MINI_PROCESS_MINI_PROCESS_H_

#include <stdbool.h>
#include <stdint.h>
#include <zircon/compiler.h>
#include <zircon/types.h>

// Default arguments in C++; C gets the same short forms from the macros at
// the end.
#ifdef __cplusplus
#define __MINIP_DEFAULT(value) = value
#else
#define __MINIP_DEFAULT(value)
#endif

__BEGIN_CDECLS

// Commands (bits of `what`; several may be combined, each gets its own
// reply, in increasing bit order, the ones that end the thread or process
// last). The reply's status is what mini_process_cmd() returns.
//
// Reply ZX_OK.
#define MINIP_CMD_ECHO_MSG (1 << 0)
// zx_event_create(); the event comes back in *handle.
#define MINIP_CMD_CREATE_EVENT (1 << 1)
// zx_profile_create() with no root job (and no profile info): fails; the
// status says how.
#define MINIP_CMD_CREATE_PROFILE (1 << 2)
// zx_channel_create(); one end comes back in *handle, the child keeps the
// other.
#define MINIP_CMD_CREATE_CHANNEL (1 << 3)
// zx_handle_close() of a handle the child already closed / already wrote into
// a channel; the status is that call's.
#define MINIP_CMD_USE_BAD_HANDLE_CLOSED (1 << 4)
#define MINIP_CMD_USE_BAD_HANDLE_TRANSFERRED (1 << 5)
// A trapping instruction (a fatal exception): no reply, so
// mini_process_cmd() returns ZX_ERR_PEER_CLOSED once the process is gone.
#define MINIP_CMD_BUILTIN_TRAP (1 << 6)
// zx_process_exit(0) without a reply: ZX_ERR_PEER_CLOSED.
#define MINIP_CMD_EXIT_NORMAL (1 << 7)
// zx_object_get_info(ZX_INFO_HANDLE_VALID) on a handle the child closed.
#define MINIP_CMD_VALIDATE_CLOSED_HANDLE (1 << 8)
// A pager-backed VMO (zx_pager_create, zx_port_create,
// zx_pager_create_vmo), back in *handle; the status of the first call that
// fails otherwise.
#define MINIP_CMD_CREATE_PAGER_VMO (1 << 9)
// zx_vmo_create_contiguous() with no BTI: fails.
#define MINIP_CMD_CREATE_VMO_CONTIGUOUS (1 << 10)
// zx_vmo_create_physical() with no resource: fails.
#define MINIP_CMD_CREATE_VMO_PHYSICAL (1 << 11)
// zx_pager_create(); the pager back in *handle.
#define MINIP_CMD_CREATE_PAGER (1 << 12)
// Writes one zero byte into the transferred handle (a channel).
#define MINIP_CMD_CHANNEL_WRITE (1 << 13)
// A software breakpoint marked as a backtrace request (rax =
// 0xee726573756d65ee); ZX_OK once something resumes the thread.
#define MINIP_CMD_BACKTRACE_REQUEST (1 << 14)
// zx_vmo_replace_as_executable() with ZX_HANDLE_INVALID as vmex; its status.
#define MINIP_CMD_ATTEMPT_AMBIENT_EXECUTABLE (1 << 15)
// ZX_OK if the word the thread pointer (fs:0) addresses is
// MINIP_THREAD_POINTER_CHECK_VALUE, else ZX_ERR_BAD_STATE.
#define MINIP_CMD_CHECK_THREAD_POINTER (1 << 16)
// zx_object_wait_async() on the transferred handle, forever (no reply).
#define MINIP_CMD_WAIT_ASYNC (1 << 17)
// zx_object_wait_async() then zx_port_cancel() on the transferred handle,
// forever (no reply).
#define MINIP_CMD_WAIT_ASYNC_CANCEL (1 << 18)
// zx_thread_exit() without a reply: ZX_ERR_PEER_CLOSED.
#define MINIP_CMD_THREAD_EXIT (1 << 19)
// Replies with the 32-bit word at the child address `data` as its status
// (or faults).
#define MINIP_CMD_READ_FROM_USER_ADDR (1 << 20)
// zx_vmo_read() / zx_vmo_write() of 8 bytes at offset 0 of the VMO sent with
// the command, into / from the child address `data` (0: a local word).
#define MINIP_CMD_VMO_READ (1 << 21)
#define MINIP_CMD_VMO_WRITE (1 << 22)
// zx_object_get_info(ZX_INFO_VMO) on the VMO sent with the command, into the
// child address `data` (0: a local record).
#define MINIP_CMD_VMO_GET_INFO (1 << 23)

#define MINIP_THREAD_POINTER_CHECK_VALUE (0xdeadbeeffeedfaceUL)

// Creates a process "minipr" in `job` with a thread "minith" and starts it
// serving commands (start_mini_process_etc with an acknowledged control
// channel), then closes the control channel: the thread blocks forever.
// `transferred_handle` is consumed (given to the child) in every case.
zx_status_t start_mini_process(zx_handle_t job, zx_handle_t transferred_handle, zx_handle_t* process,
                               zx_handle_t* thread);

// Starts `thread` (the first thread of `process`, whose root VMAR is `vmar`)
// in the mini-process code. With `control_channel` NULL the child gets no
// vDSO and spins forever, holding `transferred_handle` as its start argument.
// Otherwise the vDSO is mapped, the child gets `transferred_handle` and a
// control channel, and *control_channel is the caller's end; if
// `wait_for_ack` this waits until the child has read its start message
// (else call mini_process_wait_for_ack() before the first command).
// `transferred_handle` is consumed in every case.
zx_status_t start_mini_process_etc(zx_handle_t process, zx_handle_t thread, zx_handle_t vmar,
                                   zx_handle_t transferred_handle, bool wait_for_ack,
                                   zx_handle_t* control_channel);

// Maps the vDSO into `vmar` (of `process`); *base and *entry (either may be
// NULL) are its load address and ELF entry point. Takes the program's
// PA_VMO_VDSO startup handle on first use.
zx_status_t mini_process_load_vdso(zx_handle_t process, zx_handle_t vmar, uintptr_t* base, uintptr_t* entry);

// Maps a new stack VMO ("mini-process:stack") into `vmar`: 16 KiB, plus, if
// `with_code`, the mini-process code at its base (and then the mapping is
// executable). *stack_base is the mapping's address, *sp the initial stack
// pointer.
zx_status_t mini_process_load_stack(zx_handle_t vmar, bool with_code, uintptr_t* stack_base, uintptr_t* sp);

// Starts `thread` (of a process whose root VMAR is `vmar`) spinning in the
// mini-process code, without the vDSO.
zx_status_t start_mini_process_thread(zx_handle_t thread, zx_handle_t vmar);

// Reads the child's acknowledgement of its start message: ZX_ERR_UNAVAILABLE
// if the child died first.
zx_status_t mini_process_wait_for_ack(zx_handle_t control_channel);

// Sends the commands `what` (with the handle and data the command takes) and
// returns the status of the reply to the first one; a handle the reply
// carries is stored in *handle. For MINIP_CMD_VMO_READ, _WRITE and _GET_INFO
// *handle is also the VMO sent (and consumed). ZX_ERR_PEER_CLOSED if the
// child is gone.
zx_status_t mini_process_cmd(zx_handle_t control_channel, uint32_t what, zx_handle_t* handle,
                             uint64_t data __MINIP_DEFAULT(0u));

// The two halves of mini_process_cmd(), for commands after which the child
// may block or be suspended: send (consuming `handle` if valid), then read
// one reply.
zx_status_t mini_process_cmd_send(zx_handle_t control_channel, uint32_t what,
                                  zx_handle_t handle __MINIP_DEFAULT(ZX_HANDLE_INVALID),
                                  uint64_t data __MINIP_DEFAULT(0u));
zx_status_t mini_process_cmd_read_reply(zx_handle_t control_channel, zx_handle_t* handle);

__END_CDECLS

#ifndef __cplusplus
// C has no default arguments: mini_process_cmd(ch, what, &h) and
// mini_process_cmd_send(ch, what) / (ch, what, handle) work as in C++.
#define __MINIP_NTH(_1, _2, _3, _4, N, ...) N
#define __MINIP_CMD_3(ch, what, h) (mini_process_cmd)(ch, what, h, 0u)
#define __MINIP_CMD_4(ch, what, h, d) (mini_process_cmd)(ch, what, h, d)
#define mini_process_cmd(...) __MINIP_NTH(__VA_ARGS__, __MINIP_CMD_4, __MINIP_CMD_3, , )(__VA_ARGS__)
#define __MINIP_SEND_2(ch, what) (mini_process_cmd_send)(ch, what, ZX_HANDLE_INVALID, 0u)
#define __MINIP_SEND_3(ch, what, h) (mini_process_cmd_send)(ch, what, h, 0u)
#define __MINIP_SEND_4(ch, what, h, d) (mini_process_cmd_send)(ch, what, h, d)
#define mini_process_cmd_send(...) \
  __MINIP_NTH(__VA_ARGS__, __MINIP_SEND_4, __MINIP_SEND_3, __MINIP_SEND_2, )(__VA_ARGS__)
#endif

#endif  // MINI_PROCESS_MINI_PROCESS_H_
