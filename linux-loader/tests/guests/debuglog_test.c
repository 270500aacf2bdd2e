// The debuglog (zx_debuglog_create, zx_debuglog_write, zx_debuglog_read),
// end to end. Cases follow Fuchsia's debuglog core tests, rewritten; a few
// more check what the emulator adds (the console line, the ring's bound).
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/log.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/resource.h>
#include <zxtest/zxtest.h>

#define PAGE 4096u

// The debuglog resource: minted from the system resource of the startup
// handles.
static zx_handle_t debuglog_rsrc(void) {
  static zx_handle_t h = ZX_HANDLE_INVALID;
  if (h == ZX_HANDLE_INVALID) {
    zx_handle_t sys = zx_take_startup_handle(PA_HND(PA_SYSTEM_RESOURCE, 0));
    EXPECT_OK(zx_resource_create(sys, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_DEBUGLOG_BASE, 1, NULL,
                                 0, &h));
    zx_handle_close(sys);
  }
  return h;
}

static zx_handle_t readable_log(void) {
  zx_handle_t log = ZX_HANDLE_INVALID;
  EXPECT_OK(zx_debuglog_create(debuglog_rsrc(), ZX_LOG_FLAG_READABLE, &log));
  return log;
}

static void drain(zx_handle_t log) {
  _Alignas(zx_log_record_t) char buf[ZX_LOG_RECORD_MAX];
  for (;;) {
    zx_status_t s = zx_debuglog_read(log, 0, buf, sizeof(buf));
    if (s == ZX_ERR_SHOULD_WAIT) return;
    ASSERT_GT(s, 0);
  }
}

static zx_signals_t pending(zx_handle_t h) {
  zx_signals_t s = 0;
  zx_object_wait_one(h, 0, 0, &s);
  return s;
}

TEST(DebugLog, ShortReadsCopyOnlyWhatFits) {
  zx_handle_t log = readable_log();
  static const char kMsg[] = "Debuglog test message.\n";
  ASSERT_OK(zx_debuglog_write(log, 0, kMsg, sizeof(kMsg)));
  char buf[1024];
  memset(buf, 0, sizeof(buf));
  ASSERT_EQ(zx_debuglog_read(log, 0, buf, 3), 3);
  char zeros[16];
  memset(zeros, 0, sizeof(zeros));
  ASSERT_BYTES_EQ(buf + 3, zeros, sizeof(zeros));
  ASSERT_OK(zx_handle_close(log));
}

TEST(DebugLog, CreateOptions) {
  zx_handle_t log = ZX_HANDLE_INVALID;
  EXPECT_EQ(zx_debuglog_create(debuglog_rsrc(), 1, &log), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(log, ZX_HANDLE_INVALID);
  EXPECT_EQ(zx_debuglog_create(debuglog_rsrc(), 1 | ZX_LOG_FLAG_READABLE, &log),
            ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(log, ZX_HANDLE_INVALID);
}

TEST(DebugLog, InvalidResourceOnlyForWriteOnly) {
  zx_handle_t log;
  ASSERT_OK(zx_debuglog_create(debuglog_rsrc(), ZX_LOG_FLAG_READABLE, &log));
  ASSERT_OK(zx_handle_close(log));
  ASSERT_OK(zx_debuglog_create(ZX_HANDLE_INVALID, 0, &log));
  zx_info_handle_basic_t b;
  ASSERT_OK(zx_object_get_info(log, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, NULL));
  EXPECT_EQ(b.type, ZX_OBJ_TYPE_DEBUGLOG);
  EXPECT_EQ(b.rights, ZX_DEFAULT_LOG_RIGHTS);
  ASSERT_OK(zx_handle_close(log));
  EXPECT_EQ(zx_debuglog_create(ZX_HANDLE_INVALID, ZX_LOG_FLAG_READABLE, &log), ZX_ERR_BAD_HANDLE);
}

TEST(DebugLog, WrongResources) {
  zx_handle_t ev, log;
  ASSERT_OK(zx_event_create(0, &ev));
  EXPECT_EQ(zx_debuglog_create(ev, ZX_LOG_FLAG_READABLE, &log), ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(zx_debuglog_create(ev, 0, &log), ZX_ERR_WRONG_TYPE);
  zx_handle_close(ev);
  // A system resource of another base.
  zx_handle_t sys = zx_take_startup_handle(PA_HND(PA_RESOURCE, 0));
  ASSERT_NE(sys, ZX_HANDLE_INVALID);
  zx_handle_t info;
  ASSERT_OK(zx_resource_create(sys, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_INFO_BASE, 1, NULL, 0,
                               &info));
  EXPECT_EQ(zx_debuglog_create(info, 0, &log), ZX_ERR_WRONG_TYPE);
  zx_handle_close(info);
  // The root resource itself works, with any rights.
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(sys, ZX_RIGHT_TRANSFER, &weak));
  ASSERT_OK(zx_debuglog_create(weak, ZX_LOG_FLAG_READABLE, &log));
  zx_info_handle_basic_t b;
  ASSERT_OK(zx_object_get_info(log, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, NULL));
  EXPECT_EQ(b.rights, ZX_DEFAULT_LOG_RIGHTS | ZX_RIGHT_READ);
  zx_handle_close(log);
  zx_handle_close(weak);
  zx_handle_close(sys);
}

TEST(DebugLog, LongMessagesAreCut) {
  zx_handle_t log = readable_log();
  char msg[ZX_LOG_RECORD_DATA_MAX + 1];
  memset(msg, 'A', sizeof(msg));
  ASSERT_OK(zx_debuglog_write(log, 0, msg, sizeof(msg)));
  _Alignas(zx_log_record_t) char buf[2 * ZX_LOG_RECORD_MAX];
  zx_log_record_t* rec = (zx_log_record_t*)buf;
  zx_status_t n;
  do {
    memset(buf, 0, sizeof(buf));
    n = zx_debuglog_read(log, 0, buf, sizeof(buf));
    ASSERT_GT(n, 0);
    ASSERT_LE((size_t)n, ZX_LOG_RECORD_MAX);
  } while (memcmp(rec->data, msg, rec->datalen) != 0 || rec->datalen == 0);
  EXPECT_EQ((size_t)n, ZX_LOG_RECORD_MAX);
  EXPECT_EQ(rec->datalen, ZX_LOG_RECORD_DATA_MAX);
  ASSERT_OK(zx_handle_close(log));
}

TEST(DebugLog, ReadableSignalFollowsTheLog) {
  zx_handle_t log = readable_log();
  ASSERT_NO_FATAL_FAILURE(drain(log));
  zx_signals_t seen = 0;
  EXPECT_EQ(zx_object_wait_one(log, ZX_LOG_READABLE, zx_deadline_after(0), &seen),
            ZX_ERR_TIMED_OUT);
  EXPECT_EQ(seen & ZX_LOG_READABLE, 0u);
  EXPECT_NE(seen & ZX_LOG_WRITABLE, 0u);

  static const char kMsg[] = "Test message for signaling";
  ASSERT_OK(zx_debuglog_write(log, 0, kMsg, sizeof(kMsg)));
  EXPECT_OK(zx_object_wait_one(log, ZX_LOG_READABLE, zx_deadline_after(ZX_SEC(5)), &seen));
  _Alignas(zx_log_record_t) char buf[ZX_LOG_RECORD_MAX];
  zx_status_t n = zx_debuglog_read(log, 0, buf, sizeof(buf));
  ASSERT_GT(n, 0);
  zx_log_record_t* rec = (zx_log_record_t*)buf;
  ASSERT_EQ(rec->datalen, sizeof(kMsg));
  EXPECT_BYTES_EQ(rec->data, kMsg, rec->datalen);
  EXPECT_EQ((size_t)n, sizeof(zx_log_record_t) + sizeof(kMsg));
  // Still asserted: only a read that finds nothing clears it.
  EXPECT_NE(pending(log) & ZX_LOG_READABLE, 0u);
  ASSERT_NO_FATAL_FAILURE(drain(log));
  EXPECT_EQ(pending(log) & ZX_LOG_READABLE, 0u);
  ASSERT_OK(zx_handle_close(log));
}

TEST(DebugLog, RecordsCarryWhoAndWhen) {
  zx_handle_t log = readable_log();
  ASSERT_NO_FATAL_FAILURE(drain(log));
  zx_time_t before = zx_clock_get_boot();
  ASSERT_OK(zx_debuglog_write(log, ZX_LOG_LOCAL, "one", 3));
  ASSERT_OK(zx_debuglog_write(log, 0, "two", 3));
  _Alignas(zx_log_record_t) char buf[ZX_LOG_RECORD_MAX];
  zx_log_record_t* rec = (zx_log_record_t*)buf;
  ASSERT_EQ(zx_debuglog_read(log, 0, buf, sizeof(buf)), (zx_status_t)(sizeof(*rec) + 3));
  uint64_t seq = rec->sequence;
  zx_info_handle_basic_t self, thread;
  ASSERT_OK(zx_object_get_info(zx_process_self(), ZX_INFO_HANDLE_BASIC, &self, sizeof(self), NULL,
                               NULL));
  ASSERT_OK(zx_object_get_info(zx_thread_self(), ZX_INFO_HANDLE_BASIC, &thread, sizeof(thread),
                               NULL, NULL));
  EXPECT_EQ(rec->pid, self.koid);
  EXPECT_EQ(rec->tid, thread.koid);
  EXPECT_EQ(rec->severity, ZX_LOG_INFO);
  EXPECT_EQ(rec->flags, ZX_LOG_LOCAL);
  EXPECT_GE(rec->timestamp, before);
  EXPECT_LE(rec->timestamp, zx_clock_get_boot());
  EXPECT_BYTES_EQ(rec->data, "one", 3);
  ASSERT_GT(zx_debuglog_read(log, 0, buf, sizeof(buf)), 0);
  EXPECT_EQ(rec->sequence, seq + 1);
  EXPECT_EQ(rec->flags, 0);
  EXPECT_BYTES_EQ(rec->data, "two", 3);
  EXPECT_EQ(zx_debuglog_read(log, 0, buf, sizeof(buf)), ZX_ERR_SHOULD_WAIT);
  ASSERT_OK(zx_handle_close(log));
}

TEST(DebugLog, NewReadersSeeTheHistory) {
  zx_handle_t w;
  ASSERT_OK(zx_debuglog_create(ZX_HANDLE_INVALID, 0, &w));
  ASSERT_OK(zx_debuglog_write(w, 0, "history", 7));
  zx_handle_t r = readable_log();
  EXPECT_NE(pending(r) & ZX_LOG_READABLE, 0u);
  _Alignas(zx_log_record_t) char buf[ZX_LOG_RECORD_MAX];
  zx_log_record_t* rec = (zx_log_record_t*)buf;
  int found = 0;
  while (zx_debuglog_read(r, 0, buf, sizeof(buf)) > 0) {
    found |= rec->datalen == 7 && memcmp(rec->data, "history", 7) == 0;
  }
  EXPECT_TRUE(found);
  zx_handle_close(r);
  zx_handle_close(w);
}

TEST(DebugLog, TheRingIsBoundedAndLappedReadersSkipAhead) {
  zx_handle_t log = readable_log();
  ASSERT_NO_FATAL_FAILURE(drain(log));
  // 600 records of 256 bytes each overflow the 128 KiB ring (512 of them).
  char msg[ZX_LOG_RECORD_DATA_MAX];
  memset(msg, 'r', sizeof(msg));
  for (int i = 0; i < 600; i++) ASSERT_OK(zx_debuglog_write(log, 0, msg, sizeof(msg)));
  _Alignas(zx_log_record_t) char buf[ZX_LOG_RECORD_MAX];
  zx_log_record_t* rec = (zx_log_record_t*)buf;
  ASSERT_GT(zx_debuglog_read(log, 0, buf, sizeof(buf)), 0);
  uint64_t first = rec->sequence;
  int count = 1;
  uint64_t last = first;
  while (zx_debuglog_read(log, 0, buf, sizeof(buf)) > 0) {
    EXPECT_EQ(rec->sequence, last + 1);
    last = rec->sequence;
    count++;
  }
  EXPECT_EQ(count, 512);
  ASSERT_OK(zx_handle_close(log));
}

TEST(DebugLog, WriteErrors) {
  zx_handle_t log = readable_log();
  EXPECT_EQ(zx_debuglog_write(log, 0xFFFFFFFF, "test", 4), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_debuglog_write(log, 0x1, "test", 4), ZX_ERR_INVALID_ARGS);
  zx_handle_t ro;
  ASSERT_OK(zx_handle_duplicate(log, ZX_RIGHT_READ | ZX_RIGHT_TRANSFER, &ro));
  EXPECT_EQ(zx_debuglog_write(ro, 0, "test", 4), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(ro);
  EXPECT_EQ(zx_debuglog_write(log, 0, NULL, 4), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_debuglog_write(ZX_HANDLE_INVALID, 0, "test", 4), ZX_ERR_BAD_HANDLE);
  EXPECT_EQ(zx_debuglog_write(zx_process_self(), 0, "test", 4), ZX_ERR_WRONG_TYPE);
  ASSERT_OK(zx_handle_close(log));
}

TEST(DebugLog, ReadErrors) {
  zx_handle_t log = readable_log();
  char buf[ZX_LOG_RECORD_MAX];
  EXPECT_EQ(zx_debuglog_read(log, 1, buf, sizeof(buf)), ZX_ERR_INVALID_ARGS);
  zx_handle_t wo;
  ASSERT_OK(zx_debuglog_create(debuglog_rsrc(), 0, &wo));
  EXPECT_EQ(zx_debuglog_read(wo, 0, buf, sizeof(buf)), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(wo);
  static const char kMsg[] = "Error test msg";
  ASSERT_OK(zx_debuglog_write(log, 0, kMsg, sizeof(kMsg)));
  EXPECT_EQ(zx_debuglog_read(log, 0, NULL, 16), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_debuglog_write(log, 0, kMsg, sizeof(kMsg)));
  EXPECT_EQ(zx_debuglog_read(log, 0, NULL, sizeof(buf)), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_handle_close(log));
}

TEST(DebugLog, ReadIntoAPageThatEnds) {
  zx_handle_t log = readable_log();
  static const char kMsg[] = "Fault test msg";
  ASSERT_OK(zx_debuglog_write(log, 0, kMsg, sizeof(kMsg)));
  zx_handle_t vmar, vmo;
  uintptr_t base, addr;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(),
                             ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                             2 * PAGE, &vmar, &base));
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 0, vmo, 0, PAGE,
                        &addr));
  ASSERT_EQ(addr, base);
  // The header fits before the hole; the data does not.
  void* dst = (void*)(base + PAGE - sizeof(zx_log_record_t));
  EXPECT_EQ(zx_debuglog_read(log, 0, dst, PAGE), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_destroy(vmar));
  zx_handle_close(vmar);
  zx_handle_close(vmo);
  ASSERT_OK(zx_handle_close(log));
}
