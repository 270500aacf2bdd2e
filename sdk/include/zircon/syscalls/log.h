// Debuglog records and options for zx_debuglog_* (Fuchsia's
// <zircon/syscalls/log.h>: same names, values and layout).
#ifndef ZIRCON_SYSCALLS_LOG_H_
#define ZIRCON_SYSCALLS_LOG_H_

#include <zircon/types.h>

__BEGIN_CDECLS

// What zx_debuglog_read returns (40 bytes, then the data).
typedef struct zx_log_record {
  // One more than the previous record's.
  uint64_t sequence;
  uint8_t padding1[4];
  uint16_t datalen;
  uint8_t severity;
  uint8_t flags;
  zx_instant_boot_t timestamp;
  uint64_t pid;
  uint64_t tid;
  char data[];
} zx_log_record_t;

#define ZX_LOG_RECORD_MAX ((size_t)256)
#define ZX_LOG_RECORD_DATA_MAX (ZX_LOG_RECORD_MAX - sizeof(zx_log_record_t))

// Severities.
#define ZX_LOG_TRACE (0x10)
#define ZX_LOG_DEBUG (0x20)
#define ZX_LOG_INFO (0x30)
#define ZX_LOG_WARNING (0x40)
#define ZX_LOG_ERROR (0x50)
#define ZX_LOG_FATAL (0x60)

// Record flags zx_debuglog_write accepts.
#define ZX_LOG_LOCAL (0x10)
#define ZX_LOG_FLAGS_MASK (0x10)

// zx_debuglog_create option.
#define ZX_LOG_FLAG_READABLE 0x40000000

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_LOG_H_
