// Guest SDK: <mini-process/mini-process.h> -- Fuchsia's tiny child process
// driven over a channel (names and signatures from Fuchsia's public API;
// written for this project).
//
// NOT IMPLEMENTED YET: the emulator's SDK has no mini-process image, so
// every call below consumes the handles it is given and returns
// ZX_ERR_NOT_SUPPORTED. Tests that need a mini-process fail, honestly;
// the rest of their program builds and runs.
#ifndef MINI_PROCESS_MINI_PROCESS_H_
#define MINI_PROCESS_MINI_PROCESS_H_

#include <stdbool.h>
#include <stdint.h>
#include <zircon/compiler.h>
#include <zircon/syscalls.h>
#include <zircon/types.h>

// Commands for mini_process_cmd(); several may be ORed together.
#define MINIP_CMD_ECHO_MSG                    (1u << 0)
#define MINIP_CMD_CREATE_EVENT                (1u << 1)
#define MINIP_CMD_CREATE_CHANNEL              (1u << 2)
#define MINIP_CMD_USE_BAD_HANDLE_CLOSED       (1u << 3)
#define MINIP_CMD_USE_BAD_HANDLE_TRANSFERRED  (1u << 4)
#define MINIP_CMD_VALIDATE_CLOSED_HANDLE      (1u << 5)
#define MINIP_CMD_CHANNEL_WRITE               (1u << 6)
#define MINIP_CMD_BUILTIN_TRAP                (1u << 7)
#define MINIP_CMD_EXIT_NORMAL                 (1u << 8)
#define MINIP_CMD_WAIT_ASYNC                  (1u << 9)
#define MINIP_CMD_INFINITE_LOOP               (1u << 10)

__BEGIN_CDECLS

static inline zx_status_t start_mini_process_etc(zx_handle_t process, zx_handle_t thread,
                                                 zx_handle_t vmar, zx_handle_t transferred_handle,
                                                 bool wait_for_ack, zx_handle_t* control_channel) {
  (void)process;
  (void)thread;
  (void)vmar;
  (void)wait_for_ack;
  if (transferred_handle != ZX_HANDLE_INVALID) zx_handle_close(transferred_handle);
  if (control_channel != NULL) *control_channel = ZX_HANDLE_INVALID;
  return ZX_ERR_NOT_SUPPORTED;
}

static inline zx_status_t start_mini_process(zx_handle_t job, zx_handle_t transferred_handle,
                                             zx_handle_t* process, zx_handle_t* thread) {
  (void)job;
  if (transferred_handle != ZX_HANDLE_INVALID) zx_handle_close(transferred_handle);
  if (process != NULL) *process = ZX_HANDLE_INVALID;
  if (thread != NULL) *thread = ZX_HANDLE_INVALID;
  return ZX_ERR_NOT_SUPPORTED;
}

static inline zx_status_t mini_process_cmd_send(zx_handle_t cmd_channel, uint32_t what) {
  (void)cmd_channel;
  (void)what;
  return ZX_ERR_NOT_SUPPORTED;
}

static inline zx_status_t mini_process_cmd_read_reply(zx_handle_t cmd_channel,
                                                      zx_handle_t* handle) {
  (void)cmd_channel;
  if (handle != NULL) *handle = ZX_HANDLE_INVALID;
  return ZX_ERR_NOT_SUPPORTED;
}

static inline zx_status_t mini_process_cmd(zx_handle_t cmd_channel, uint32_t what,
                                           zx_handle_t* handle) {
  (void)what;
  return mini_process_cmd_read_reply(cmd_channel, handle);
}

__END_CDECLS

#endif  // MINI_PROCESS_MINI_PROCESS_H_
