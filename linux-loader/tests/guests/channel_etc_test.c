// zx_channel_write_etc, zx_channel_read_etc and zx_channel_call_etc end to
// end (handle dispositions going out, handle infos coming in), writes with
// ZX_CHANNEL_WRITE_USE_IOVEC, and the routing of call replies: a reply goes
// to the call waiting for its txid, never to a plain read of the same end.
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zxtest/zxtest.h>

#define STACK 65536u
#define BAD_PTR ((void*)1)

static uintptr_t stack_top(void) {
  zx_handle_t vmo;
  uintptr_t addr;
  zx_vmo_create(STACK, 0, &vmo);
  zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, STACK, &addr);
  zx_handle_close(vmo);
  return addr + STACK - 8;
}

static zx_handle_t spawn(void (*fn)(uintptr_t, uintptr_t), uintptr_t a, uintptr_t b) {
  zx_handle_t t;
  zx_thread_create(zx_process_self(), "helper", 6, 0, &t);
  zx_thread_start(t, (uintptr_t)fn, stack_top(), a, b);
  return t;
}

static void join(zx_handle_t t) {
  zx_object_wait_one(t, ZX_THREAD_TERMINATED, ZX_TIME_INFINITE, NULL);
  zx_handle_close(t);
}

static zx_handle_t new_event(void) {
  zx_handle_t e = ZX_HANDLE_INVALID;
  zx_event_create(0, &e);
  return e;
}

static int is_valid(zx_handle_t h) { return zx_handle_check_valid(h) == ZX_OK; }

static zx_koid_t koid_of(zx_handle_t h) {
  zx_info_handle_basic_t info;
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL) != ZX_OK)
    return 0;
  return info.koid;
}

static zx_handle_disposition_t disp(zx_handle_op_t op, zx_handle_t h, zx_obj_type_t type,
                                    zx_rights_t rights) {
  zx_handle_disposition_t d = {op, h, type, rights, ZX_OK};
  return d;
}

// ---- write_etc + read_etc ---------------------------------------------------

TEST(ChannelEtc, MovedHandlesArriveWithTypeAndRights) {
  zx_handle_t a, b, ev = new_event(), vmo, ca, cb;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  ASSERT_OK(zx_channel_create(0, &ca, &cb));
  zx_handle_disposition_t d[3] = {
      disp(ZX_HANDLE_OP_MOVE, ev, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_SAME_RIGHTS),
      disp(ZX_HANDLE_OP_MOVE, vmo, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS),
      disp(ZX_HANDLE_OP_MOVE, ca, ZX_OBJ_TYPE_CHANNEL, ZX_RIGHT_SAME_RIGHTS),
  };
  const char msg[] = "three";
  ASSERT_OK(zx_channel_write_etc(a, 0, msg, sizeof(msg), d, 3));
  EXPECT_FALSE(is_valid(ev));
  EXPECT_FALSE(is_valid(vmo));
  EXPECT_FALSE(is_valid(ca));
  for (int i = 0; i < 3; i++) EXPECT_OK(d[i].result);

  char buf[16];
  zx_handle_info_t info[4];
  memset(info, 0xAB, sizeof(info));
  uint32_t nb = 0, nh = 0;
  ASSERT_OK(zx_channel_read_etc(b, 0, buf, info, sizeof(buf), 4, &nb, &nh));
  EXPECT_EQ(nb, (uint32_t)sizeof(msg));
  EXPECT_EQ(nh, 3u);
  EXPECT_STREQ(buf, "three");
  EXPECT_EQ(info[0].type, ZX_OBJ_TYPE_EVENT);
  EXPECT_EQ(info[0].rights, ZX_DEFAULT_EVENT_RIGHTS);
  EXPECT_EQ(info[1].type, ZX_OBJ_TYPE_VMO);
  EXPECT_EQ(info[1].rights, ZX_DEFAULT_VMO_RIGHTS);
  EXPECT_EQ(info[2].type, ZX_OBJ_TYPE_CHANNEL);
  EXPECT_EQ(info[2].rights, ZX_DEFAULT_CHANNEL_RIGHTS);
  for (int i = 0; i < 3; i++) {
    EXPECT_EQ(info[i].unused, 0u);
    EXPECT_TRUE(is_valid(info[i].handle));
  }
  // The untouched fourth entry stays as it was.
  EXPECT_EQ(info[3].unused, 0xABABABABu);
  // The channel end still works after travelling.
  ASSERT_OK(zx_channel_write(info[2].handle, 0, "x", 1, NULL, 0));
  ASSERT_OK(zx_channel_read(cb, 0, buf, NULL, sizeof(buf), 0, &nb, &nh));
  for (int i = 0; i < 3; i++) zx_handle_close(info[i].handle);
  zx_handle_close(cb);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(ChannelEtc, ReadEtcReportsRightsOfPlainWrites) {
  zx_handle_t a, b, ev = new_event(), weak;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_handle_duplicate(ev, ZX_RIGHTS_BASIC & ~ZX_RIGHT_WAIT, &weak));
  zx_handle_t hs[2] = {ev, weak};
  ASSERT_OK(zx_channel_write(a, 0, NULL, 0, hs, 2));
  zx_handle_info_t info[2];
  uint32_t nb, nh;
  ASSERT_OK(zx_channel_read_etc(b, 0, NULL, info, 0, 2, &nb, &nh));
  EXPECT_EQ(nb, 0u);
  EXPECT_EQ(nh, 2u);
  EXPECT_EQ(info[0].rights, ZX_DEFAULT_EVENT_RIGHTS);
  EXPECT_EQ(info[1].rights, ZX_RIGHTS_BASIC & ~ZX_RIGHT_WAIT);
  EXPECT_EQ(koid_of(info[0].handle), koid_of(info[1].handle));
  zx_handle_close(info[0].handle);
  zx_handle_close(info[1].handle);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(ChannelEtc, MoveWithFewerRightsReducesThem) {
  zx_handle_t a, b, ev = new_event();
  ASSERT_OK(zx_channel_create(0, &a, &b));
  zx_handle_disposition_t d =
      disp(ZX_HANDLE_OP_MOVE, ev, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_TRANSFER | ZX_RIGHT_SIGNAL);
  ASSERT_OK(zx_channel_write_etc(a, 0, NULL, 0, &d, 1));
  EXPECT_FALSE(is_valid(ev));
  zx_handle_info_t info;
  uint32_t nb, nh;
  ASSERT_OK(zx_channel_read_etc(b, 0, NULL, &info, 0, 1, &nb, &nh));
  EXPECT_EQ(info.rights, ZX_RIGHT_TRANSFER | ZX_RIGHT_SIGNAL);
  // Asking for exactly the rights held is a plain move.
  zx_handle_disposition_t d2 =
      disp(ZX_HANDLE_OP_MOVE, info.handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_TRANSFER | ZX_RIGHT_SIGNAL);
  ASSERT_OK(zx_channel_write_etc(b, 0, NULL, 0, &d2, 1));
  ASSERT_OK(zx_channel_read_etc(a, 0, NULL, &info, 0, 1, &nb, &nh));
  EXPECT_EQ(info.rights, ZX_RIGHT_TRANSFER | ZX_RIGHT_SIGNAL);
  // Zero rights are fewer rights too (and then the handle cannot travel on).
  zx_handle_disposition_t d3 = disp(ZX_HANDLE_OP_MOVE, info.handle, ZX_OBJ_TYPE_NONE, 0);
  ASSERT_OK(zx_channel_write_etc(a, 0, NULL, 0, &d3, 1));
  ASSERT_OK(zx_channel_read_etc(b, 0, NULL, &info, 0, 1, &nb, &nh));
  EXPECT_EQ(info.rights, 0u);
  zx_handle_close(info.handle);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(ChannelEtc, DuplicateLeavesTheSourceAndSendsACopy) {
  zx_handle_t a, b, ev = new_event();
  ASSERT_OK(zx_channel_create(0, &a, &b));
  zx_handle_disposition_t d[2] = {
      disp(ZX_HANDLE_OP_DUPLICATE, ev, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_SAME_RIGHTS),
      disp(ZX_HANDLE_OP_DUPLICATE, ev, ZX_OBJ_TYPE_NONE, ZX_RIGHT_WAIT | ZX_RIGHT_TRANSFER),
  };
  ASSERT_OK(zx_channel_write_etc(a, 0, NULL, 0, d, 2));
  EXPECT_TRUE(is_valid(ev));
  zx_handle_info_t info[2];
  uint32_t nb, nh;
  ASSERT_OK(zx_channel_read_etc(b, 0, NULL, info, 0, 2, &nb, &nh));
  EXPECT_NE(info[0].handle, ev);
  EXPECT_EQ(koid_of(info[0].handle), koid_of(ev));
  EXPECT_EQ(info[0].rights, ZX_DEFAULT_EVENT_RIGHTS);
  EXPECT_EQ(info[1].rights, ZX_RIGHT_WAIT | ZX_RIGHT_TRANSFER);
  zx_info_handle_count_t count;
  ASSERT_OK(zx_object_get_info(ev, ZX_INFO_HANDLE_COUNT, &count, sizeof(count), NULL, NULL));
  EXPECT_EQ(count.handle_count, 3u);
  zx_handle_close(info[0].handle);
  zx_handle_close(info[1].handle);
  zx_handle_close(ev);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(ChannelEtc, DuplicateNeedsTheDuplicateRight) {
  zx_handle_t a, b, ev = new_event(), nodup;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_handle_duplicate(ev, ZX_DEFAULT_EVENT_RIGHTS & ~ZX_RIGHT_DUPLICATE, &nodup));
  zx_handle_disposition_t d =
      disp(ZX_HANDLE_OP_DUPLICATE, nodup, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS);
  EXPECT_EQ(zx_channel_write_etc(a, 0, NULL, 0, &d, 1), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(d.result, ZX_ERR_ACCESS_DENIED);
  EXPECT_TRUE(is_valid(nodup), "a duplicate's source always stays");
  EXPECT_EQ(zx_channel_read(b, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_SHOULD_WAIT);
  zx_handle_close(nodup);
  zx_handle_close(ev);
  zx_handle_close(a);
  zx_handle_close(b);
}

// One failing disposition of each kind: the call's status and the entry's
// result say why, and a moved source is gone even so.
static void expect_move_fails(zx_handle_disposition_t d, zx_status_t want) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  zx_handle_t src = d.handle;
  EXPECT_EQ(zx_channel_write_etc(a, 0, "m", 1, &d, 1), want);
  EXPECT_EQ(d.result, want);
  EXPECT_EQ(d.handle, src, "only the result field is written back");
  EXPECT_FALSE(is_valid(src));
  EXPECT_EQ(zx_channel_read(b, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_SHOULD_WAIT);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(ChannelEtc, FailingMovesReportAndConsume) {
  expect_move_fails(disp(ZX_HANDLE_OP_MOVE, new_event(), ZX_OBJ_TYPE_VMO, ZX_RIGHT_SAME_RIGHTS),
                    ZX_ERR_WRONG_TYPE);
  // Rights the handle lacks are INVALID_ARGS, not ACCESS_DENIED.
  expect_move_fails(
      disp(ZX_HANDLE_OP_MOVE, new_event(), ZX_OBJ_TYPE_NONE, ZX_RIGHT_TRANSFER | ZX_RIGHT_WRITE),
      ZX_ERR_INVALID_ARGS);
  // An unknown operation still takes the handle.
  expect_move_fails(disp(7, new_event(), ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS),
                    ZX_ERR_INVALID_ARGS);
  zx_handle_t ev = new_event(), nt;
  ASSERT_OK(zx_handle_duplicate(ev, ZX_DEFAULT_EVENT_RIGHTS & ~ZX_RIGHT_TRANSFER, &nt));
  expect_move_fails(disp(ZX_HANDLE_OP_MOVE, nt, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_SAME_RIGHTS),
                    ZX_ERR_ACCESS_DENIED);
  zx_handle_close(ev);
}

TEST(ChannelEtc, TransferIsCheckedBeforeTypeAndRights) {
  zx_handle_t a, b, ev = new_event(), nt;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_handle_duplicate(ev, ZX_RIGHT_WAIT | ZX_RIGHT_DUPLICATE, &nt));
  // Wrong type and missing rights too, but the missing TRANSFER decides.
  zx_handle_disposition_t d = disp(ZX_HANDLE_OP_DUPLICATE, nt, ZX_OBJ_TYPE_VMO, ZX_RIGHT_WRITE);
  EXPECT_EQ(zx_channel_write_etc(a, 0, NULL, 0, &d, 1), ZX_ERR_ACCESS_DENIED);
  // And the type before the rights.
  zx_handle_disposition_t d2 = disp(ZX_HANDLE_OP_DUPLICATE, ev, ZX_OBJ_TYPE_VMO, ZX_RIGHT_WRITE);
  EXPECT_EQ(zx_channel_write_etc(a, 0, NULL, 0, &d2, 1), ZX_ERR_WRONG_TYPE);
  zx_handle_close(nt);
  zx_handle_close(ev);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(ChannelEtc, TheFirstFailureIsReturnedAndEveryEntryReports) {
  zx_handle_t a, b, ok = new_event(), other = new_event(), nt;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_handle_duplicate(other, ZX_DEFAULT_EVENT_RIGHTS & ~ZX_RIGHT_TRANSFER, &nt));
  zx_handle_disposition_t d[4] = {
      disp(ZX_HANDLE_OP_MOVE, ok, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_SAME_RIGHTS),
      disp(ZX_HANDLE_OP_MOVE, nt, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_SAME_RIGHTS),
      disp(ZX_HANDLE_OP_MOVE, 0x7ffffff3u, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_SAME_RIGHTS),
      disp(ZX_HANDLE_OP_DUPLICATE, other, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS),
  };
  EXPECT_EQ(zx_channel_write_etc(a, 0, NULL, 0, d, 4), ZX_ERR_ACCESS_DENIED);
  EXPECT_OK(d[0].result);
  EXPECT_EQ(d[1].result, ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(d[2].result, ZX_ERR_BAD_HANDLE);
  EXPECT_OK(d[3].result);
  EXPECT_FALSE(is_valid(ok), "moved, then closed with the failed message");
  EXPECT_FALSE(is_valid(nt));
  EXPECT_TRUE(is_valid(other), "duplicated: stays");
  zx_info_handle_count_t count;
  ASSERT_OK(zx_object_get_info(other, ZX_INFO_HANDLE_COUNT, &count, sizeof(count), NULL, NULL));
  EXPECT_EQ(count.handle_count, 1u, "the copy made for the failed message is gone");
  EXPECT_EQ(zx_channel_read(b, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_SHOULD_WAIT);
  zx_handle_close(other);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(ChannelEtc, TheChannelItselfCannotTravel) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  zx_handle_disposition_t d = disp(ZX_HANDLE_OP_DUPLICATE, a, ZX_OBJ_TYPE_CHANNEL, ZX_RIGHT_SAME_RIGHTS);
  EXPECT_EQ(zx_channel_write_etc(a, 0, NULL, 0, &d, 1), ZX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(d.result, ZX_ERR_NOT_SUPPORTED);
  EXPECT_TRUE(is_valid(a));
  // The peer end may travel through it.
  zx_handle_disposition_t d2 = disp(ZX_HANDLE_OP_MOVE, b, ZX_OBJ_TYPE_CHANNEL, ZX_RIGHT_SAME_RIGHTS);
  EXPECT_OK(zx_channel_write_etc(a, 0, NULL, 0, &d2, 1));
  zx_handle_close(a);
}

TEST(ChannelEtc, ResultsThatCannotBeWrittenBackAreInvalidArgs) {
  zx_handle_t a, b, vmo;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  zx_handle_disposition_t d =
      disp(ZX_HANDLE_OP_MOVE, ZX_HANDLE_INVALID, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_SAME_RIGHTS);
  ASSERT_OK(zx_vmo_write(vmo, &d, 0, sizeof(d)));
  uintptr_t addr;
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, 4096, &addr));
  EXPECT_EQ(zx_channel_write_etc(a, 0, "x", 1, (zx_handle_disposition_t*)addr, 1),
            ZX_ERR_INVALID_ARGS);
  // A successful write writes nothing back, so read-only entries are fine.
  zx_handle_t ev = new_event();
  d = disp(ZX_HANDLE_OP_MOVE, ev, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_SAME_RIGHTS);
  ASSERT_OK(zx_vmo_write(vmo, &d, 0, sizeof(d)));
  EXPECT_OK(zx_channel_write_etc(a, 0, "x", 1, (zx_handle_disposition_t*)addr, 1));
  EXPECT_FALSE(is_valid(ev));
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 4096));
  zx_handle_close(vmo);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(ChannelEtc, BadPointersAndOptions) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  EXPECT_EQ(zx_channel_write_etc(a, 0, NULL, 0, (zx_handle_disposition_t*)BAD_PTR, 1),
            ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_channel_write_etc(a, 0, NULL, 0, NULL, 1), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_channel_write_etc(a, 0, NULL, 8, NULL, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_channel_write_etc(a, 0, BAD_PTR, 8, NULL, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_channel_write_etc(a, 0xFF, "x", 1, NULL, 0), ZX_ERR_INVALID_ARGS);
  zx_handle_t ev = new_event();
  EXPECT_EQ(zx_channel_write_etc(ev, 0, "x", 1, NULL, 0), ZX_ERR_WRONG_TYPE);
  // Channels have no DUPLICATE right: replace to drop WRITE.
  zx_handle_t ro;
  ASSERT_OK(zx_handle_replace(a, ZX_DEFAULT_CHANNEL_RIGHTS & ~ZX_RIGHT_WRITE, &ro));
  EXPECT_EQ(zx_channel_write_etc(ro, 0, "x", 1, NULL, 0), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(ro);
  zx_handle_close(ev);
  zx_handle_close(b);
}

// A write that fails before its handles are looked at still closes every
// moved one and keeps every duplicated one.
TEST(ChannelEtc, EarlyFailuresConsumeMovesOnly) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  zx_handle_t ev = new_event(), keep = new_event();
  zx_handle_disposition_t d[2] = {
      disp(ZX_HANDLE_OP_MOVE, ev, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS),
      disp(ZX_HANDLE_OP_DUPLICATE, keep, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS),
  };
  EXPECT_EQ(zx_channel_write_etc(a, 0x100, NULL, 0, d, 2), ZX_ERR_INVALID_ARGS);
  EXPECT_FALSE(is_valid(ev));
  EXPECT_TRUE(is_valid(keep));
  EXPECT_OK(d[0].result, "results are only written by the handle step");

  ev = new_event();
  d[0].handle = ev;
  EXPECT_EQ(zx_channel_write_etc(a, 0, NULL, ZX_CHANNEL_MAX_MSG_BYTES + 1, d, 2),
            ZX_ERR_OUT_OF_RANGE);
  EXPECT_FALSE(is_valid(ev));
  EXPECT_TRUE(is_valid(keep));

  // More handles than a message holds: all 65 moves are closed.
  static zx_handle_disposition_t many[ZX_CHANNEL_MAX_MSG_HANDLES + 1];
  for (uint32_t i = 0; i <= ZX_CHANNEL_MAX_MSG_HANDLES; i++)
    many[i] = disp(ZX_HANDLE_OP_MOVE, new_event(), ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS);
  many[3] = disp(ZX_HANDLE_OP_DUPLICATE, keep, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS);
  EXPECT_EQ(zx_channel_write_etc(a, 0, NULL, 0, many, ZX_CHANNEL_MAX_MSG_HANDLES + 1),
            ZX_ERR_OUT_OF_RANGE);
  for (uint32_t i = 0; i <= ZX_CHANNEL_MAX_MSG_HANDLES; i++) {
    if (i != 3) EXPECT_EQ(zx_handle_close(many[i].handle), ZX_ERR_BAD_HANDLE);
  }
  EXPECT_TRUE(is_valid(keep));

  // The peer gone: the message is built, then dropped with its handles.
  zx_handle_close(b);
  ev = new_event();
  d[0].handle = ev;
  EXPECT_EQ(zx_channel_write_etc(a, 0, "x", 1, d, 2), ZX_ERR_PEER_CLOSED);
  EXPECT_FALSE(is_valid(ev));
  EXPECT_TRUE(is_valid(keep));
  zx_info_handle_count_t count;
  ASSERT_OK(zx_object_get_info(keep, ZX_INFO_HANDLE_COUNT, &count, sizeof(count), NULL, NULL));
  EXPECT_EQ(count.handle_count, 1u);
  zx_handle_close(keep);
  zx_handle_close(a);
}

TEST(ChannelEtc, ReadEtcErrors) {
  zx_handle_t a, b, ev = new_event(), dup;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  ASSERT_OK(zx_handle_duplicate(ev, ZX_RIGHT_SAME_RIGHTS, &dup));
  zx_handle_info_t info;
  uint32_t nb = 0, nh = 0;
  EXPECT_EQ(zx_channel_read_etc(b, 0xFF, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(zx_channel_read_etc(ev, 0, NULL, &info, 0, 1, &nb, &nh), ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(zx_channel_read_etc(b, 0, NULL, &info, 0, 1, &nb, &nh), ZX_ERR_SHOULD_WAIT);
  ASSERT_OK(zx_channel_write(a, 0, "ab", 2, &ev, 1));
  // Too small: sizes told, message kept.
  EXPECT_EQ(zx_channel_read_etc(b, 0, NULL, NULL, 0, 0, &nb, &nh), ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(nb, 2u);
  EXPECT_EQ(nh, 1u);
  char buf[2];
  // Null or unwritable handle buffers: the message is lost, its handle closed.
  EXPECT_EQ(zx_channel_read_etc(b, 0, buf, NULL, 2, 1, &nb, &nh), ZX_ERR_INVALID_ARGS);
  zx_info_handle_count_t count;
  ASSERT_OK(zx_object_get_info(dup, ZX_INFO_HANDLE_COUNT, &count, sizeof(count), NULL, NULL));
  EXPECT_EQ(count.handle_count, 1u, "no handle leaked into the table");
  zx_handle_t again;
  ASSERT_OK(zx_handle_duplicate(dup, ZX_RIGHT_SAME_RIGHTS, &again));
  ASSERT_OK(zx_channel_write(a, 0, "ab", 2, &again, 1));
  EXPECT_EQ(zx_channel_read_etc(b, 0, buf, (zx_handle_info_t*)BAD_PTR, 2, 1, &nb, &nh),
            ZX_ERR_INVALID_ARGS);
  zx_handle_t vmo;
  uintptr_t addr;
  ASSERT_OK(zx_vmo_create(4096, 0, &vmo));
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, 4096, &addr));
  ASSERT_OK(zx_handle_duplicate(dup, ZX_RIGHT_SAME_RIGHTS, &again));
  ASSERT_OK(zx_channel_write(a, 0, "ab", 2, &again, 1));
  EXPECT_EQ(zx_channel_read_etc(b, 0, buf, (zx_handle_info_t*)addr, 2, 1, &nb, &nh),
            ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_object_get_info(dup, ZX_INFO_HANDLE_COUNT, &count, sizeof(count), NULL, NULL));
  EXPECT_EQ(count.handle_count, 1u);
  EXPECT_EQ(zx_channel_read_etc(b, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_SHOULD_WAIT);
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 4096));
  // MAY_DISCARD drops the message and closes its handles.
  ASSERT_OK(zx_handle_duplicate(dup, ZX_RIGHT_SAME_RIGHTS, &again));
  ASSERT_OK(zx_channel_write(a, 0, "ab", 2, &again, 1));
  EXPECT_EQ(zx_channel_read_etc(b, ZX_CHANNEL_READ_MAY_DISCARD, NULL, NULL, 0, 0, &nb, &nh),
            ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(nb, 2u);
  EXPECT_EQ(nh, 1u);
  EXPECT_EQ(zx_channel_read_etc(b, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_SHOULD_WAIT);
  ASSERT_OK(zx_object_get_info(dup, ZX_INFO_HANDLE_COUNT, &count, sizeof(count), NULL, NULL));
  EXPECT_EQ(count.handle_count, 1u);
  zx_handle_close(vmo);
  zx_handle_close(dup);
  zx_handle_close(a);
  zx_handle_close(b);
}

// ---- ZX_CHANNEL_WRITE_USE_IOVEC --------------------------------------------

TEST(ChannelIovec, PiecesAreGathered) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  zx_channel_iovec_t v[3] = {{"hello ", 6, 0}, {NULL, 0, 0}, {"world", 5, 0}};
  ASSERT_OK(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, v, 3, NULL, 0));
  char buf[32] = {0};
  uint32_t nb, nh;
  ASSERT_OK(zx_channel_read(b, 0, buf, NULL, sizeof(buf), 0, &nb, &nh));
  EXPECT_EQ(nb, 11u);
  EXPECT_STREQ(buf, "hello world");
  // More than 16 vectors take the chunked path; write_etc takes them too.
  char letters[20];
  zx_channel_iovec_t many[20];
  for (int i = 0; i < 20; i++) {
    letters[i] = (char)('a' + i);
    many[i] = (zx_channel_iovec_t){&letters[i], 1, 0};
  }
  zx_handle_t ev = new_event();
  zx_handle_disposition_t d = disp(ZX_HANDLE_OP_MOVE, ev, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_SAME_RIGHTS);
  ASSERT_OK(zx_channel_write_etc(a, ZX_CHANNEL_WRITE_USE_IOVEC, many, 20, &d, 1));
  zx_handle_info_t info;
  ASSERT_OK(zx_channel_read_etc(b, 0, buf, &info, sizeof(buf), 1, &nb, &nh));
  EXPECT_EQ(nb, 20u);
  EXPECT_BYTES_EQ(buf, letters, 20);
  EXPECT_EQ(info.type, ZX_OBJ_TYPE_EVENT);
  zx_handle_close(info.handle);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(ChannelIovec, BadVectors) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  char c = 'x';
  EXPECT_EQ(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, BAD_PTR, 4, NULL, 0),
            ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, BAD_PTR, 20, NULL, 0),
            ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, NULL, ZX_CHANNEL_MAX_MSG_IOVECS + 1,
                             NULL, 0),
            ZX_ERR_OUT_OF_RANGE);
  zx_channel_iovec_t v[20];
  for (int i = 0; i < 20; i++) v[i] = (zx_channel_iovec_t){&c, 1, 0};
  v[2].reserved = 1;
  EXPECT_EQ(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, v, 4, NULL, 0), ZX_ERR_INVALID_ARGS);
  v[2].reserved = 0;
  v[18].reserved = 1;
  EXPECT_EQ(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, v, 20, NULL, 0), ZX_ERR_INVALID_ARGS);
  v[18].reserved = 0;
  // A short list checks every reserved field before the size, a long one
  // vector by vector.
  zx_channel_iovec_t big[2] = {{&c, 0x80000000u, 0}, {&c, 0x80000000u, 0}};
  EXPECT_EQ(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, big, 2, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  big[1].reserved = 1;
  EXPECT_EQ(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, big, 2, NULL, 0), ZX_ERR_INVALID_ARGS);
  v[5].capacity = ZX_CHANNEL_MAX_MSG_BYTES;
  EXPECT_EQ(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, v, 20, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  v[5].capacity = 1;
  v[7].buffer = BAD_PTR;
  EXPECT_EQ(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC, v, 20, NULL, 0), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_channel_read(b, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_SHOULD_WAIT);
  // Unknown bits beside USE_IOVEC are still refused.
  EXPECT_EQ(zx_channel_write(a, ZX_CHANNEL_WRITE_USE_IOVEC | 1, v, 1, NULL, 0),
            ZX_ERR_INVALID_ARGS);
  zx_handle_close(a);
  zx_handle_close(b);
}

// ---- zx_channel_call_etc ---------------------------------------------------

// Answers one call: the reply keeps the txid, carries "ok" and the handles
// of the request back.
static void etc_server(uintptr_t channel, uintptr_t unused) {
  (void)unused;
  zx_handle_t ch = (zx_handle_t)channel;
  uint8_t buf[64];
  zx_handle_t hs[4];
  uint32_t nb, nh;
  if (zx_object_wait_one(ch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL) == ZX_OK &&
      zx_channel_read(ch, 0, buf, hs, sizeof(buf), 4, &nb, &nh) == ZX_OK) {
    memcpy(buf + 4, "ok", 2);
    zx_channel_write(ch, 0, buf, 6, hs, nh);
  }
  zx_handle_close(ch);
  zx_thread_exit();
}

TEST(ChannelCallEtc, RoundTripWithDispositionsAndInfos) {
  zx_handle_t client, server, ev = new_event();
  ASSERT_OK(zx_channel_create(0, &client, &server));
  zx_handle_t t = spawn(etc_server, server, 0);
  uint8_t wr[8] = {0, 0, 0, 0, 'h', 'i'};
  uint8_t rd[16];
  zx_handle_disposition_t d[2] = {
      disp(ZX_HANDLE_OP_DUPLICATE, ev, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_SAME_RIGHTS),
      disp(ZX_HANDLE_OP_DUPLICATE, ev, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT),
  };
  zx_handle_info_t info[2];
  zx_channel_call_etc_args_t args = {wr, d, rd, info, sizeof(wr), 2, sizeof(rd), 2};
  uint32_t nb = 0, nh = 0;
  ASSERT_OK(zx_channel_call_etc(client, 0, zx_deadline_after(ZX_SEC(10)), &args, &nb, &nh));
  EXPECT_EQ(nb, 6u);
  EXPECT_EQ(nh, 2u);
  EXPECT_BYTES_EQ(rd + 4, "ok", 2);
  uint32_t txid;
  memcpy(&txid, rd, 4);
  EXPECT_NE(txid & 0x80000000u, 0u);
  EXPECT_TRUE(is_valid(ev));
  EXPECT_EQ(info[0].type, ZX_OBJ_TYPE_EVENT);
  EXPECT_EQ(info[0].rights, ZX_DEFAULT_EVENT_RIGHTS);
  EXPECT_EQ(info[1].rights, ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT);
  EXPECT_EQ(koid_of(info[1].handle), koid_of(ev));
  EXPECT_OK(d[0].result);
  zx_handle_close(info[0].handle);
  zx_handle_close(info[1].handle);
  join(t);
  zx_handle_close(ev);
  zx_handle_close(client);
}

TEST(ChannelCallEtc, FailuresReportIntoTheArgsArray) {
  zx_handle_t a, b, ev = new_event(), keep = new_event();
  ASSERT_OK(zx_channel_create(0, &a, &b));
  uint8_t wr[4] = {0}, rd[4];
  zx_handle_disposition_t d[2] = {
      disp(ZX_HANDLE_OP_MOVE, ev, ZX_OBJ_TYPE_PORT, ZX_RIGHT_SAME_RIGHTS),
      disp(ZX_HANDLE_OP_DUPLICATE, keep, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS),
  };
  zx_channel_call_etc_args_t args = {wr, d, rd, NULL, sizeof(wr), 2, sizeof(rd), 0};
  uint32_t nb, nh;
  EXPECT_EQ(zx_channel_call_etc(a, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_ERR_WRONG_TYPE);
  EXPECT_EQ(d[0].result, ZX_ERR_WRONG_TYPE);
  EXPECT_OK(d[1].result);
  EXPECT_FALSE(is_valid(ev));
  EXPECT_TRUE(is_valid(keep));
  EXPECT_EQ(zx_channel_read(b, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_SHOULD_WAIT,
            "nothing was sent");
  // Too few bytes for a txid: INVALID_ARGS, and the move is consumed.
  ev = new_event();
  d[0] = disp(ZX_HANDLE_OP_MOVE, ev, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS);
  args.wr_num_bytes = 3;
  EXPECT_EQ(zx_channel_call_etc(a, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_ERR_INVALID_ARGS);
  EXPECT_FALSE(is_valid(ev));
  EXPECT_TRUE(is_valid(keep));
  args.wr_num_bytes = sizeof(wr);
  EXPECT_EQ(zx_channel_call_etc(a, 0, 0, (zx_channel_call_etc_args_t*)BAD_PTR, &nb, &nh),
            ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_channel_call_etc(a, 0x4, 0, &args, &nb, &nh), ZX_ERR_INVALID_ARGS);
  // The peer gone: PEER_CLOSED, moves consumed.
  zx_handle_close(b);
  ev = new_event();
  d[0] = disp(ZX_HANDLE_OP_MOVE, ev, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS);
  EXPECT_EQ(zx_channel_call_etc(a, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_ERR_PEER_CLOSED);
  EXPECT_FALSE(is_valid(ev));
  EXPECT_TRUE(is_valid(keep));
  zx_handle_close(keep);
  zx_handle_close(a);
}

TEST(ChannelCallEtc, TimesOutAndTheRequestStays) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  uint8_t wr[4] = {0}, rd[4];
  zx_channel_call_etc_args_t args = {wr, NULL, rd, NULL, sizeof(wr), 0, sizeof(rd), 0};
  uint32_t nb, nh;
  EXPECT_EQ(zx_channel_call_etc(a, 0, zx_deadline_after(ZX_MSEC(5)), &args, &nb, &nh),
            ZX_ERR_TIMED_OUT);
  uint32_t txid;
  ASSERT_OK(zx_channel_read(b, 0, &txid, NULL, 4, 0, &nb, &nh));
  // A reply after the caller gave up is an ordinary message.
  ASSERT_OK(zx_channel_write(b, 0, &txid, 4, NULL, 0));
  uint32_t got = 0;
  ASSERT_OK(zx_channel_read(a, 0, &got, NULL, 4, 0, &nb, &nh));
  EXPECT_EQ(got, txid);
  zx_handle_close(a);
  zx_handle_close(b);
}

TEST(ChannelCallEtc, RequestsMayBeGathered) {
  zx_handle_t a, b;
  ASSERT_OK(zx_channel_create(0, &a, &b));
  uint32_t slot = 0;
  zx_channel_iovec_t v[2] = {{&slot, 4, 0}, {"body", 4, 0}};
  uint8_t rd[4];
  zx_channel_call_etc_args_t args = {v, NULL, rd, NULL, 2, 0, sizeof(rd), 0};
  uint32_t nb, nh;
  EXPECT_EQ(zx_channel_call_etc(a, ZX_CHANNEL_WRITE_USE_IOVEC, zx_deadline_after(ZX_MSEC(2)),
                                &args, &nb, &nh),
            ZX_ERR_TIMED_OUT);
  uint8_t req[8];
  ASSERT_OK(zx_channel_read(b, 0, req, NULL, sizeof(req), 0, &nb, &nh));
  EXPECT_EQ(nb, 8u);
  EXPECT_BYTES_EQ(req + 4, "body", 4);
  EXPECT_NE(req[3] & 0x80, 0, "the kernel's txid replaced the first four bytes");
  // The txid must fit in what the vectors gather, not in the vector count.
  v[0].capacity = 3;
  args.wr_num_bytes = 1;
  zx_handle_t ev = new_event();
  zx_handle_disposition_t d = disp(ZX_HANDLE_OP_MOVE, ev, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS);
  args.wr_handles = &d;
  args.wr_num_handles = 1;
  EXPECT_EQ(zx_channel_call_etc(a, ZX_CHANNEL_WRITE_USE_IOVEC, 0, &args, &nb, &nh),
            ZX_ERR_INVALID_ARGS);
  EXPECT_FALSE(is_valid(ev));
  zx_channel_call_args_t plain = {v, NULL, rd, NULL, 2, 0, sizeof(rd), 0};
  v[0].capacity = 4;
  EXPECT_EQ(zx_channel_call(a, ZX_CHANNEL_WRITE_USE_IOVEC, zx_deadline_after(ZX_MSEC(1)), &plain,
                            &nb, &nh),
            ZX_ERR_TIMED_OUT);
  ASSERT_OK(zx_channel_read(b, 0, req, NULL, sizeof(req), 0, &nb, &nh));
  EXPECT_EQ(nb, 8u);
  zx_handle_close(a);
  zx_handle_close(b);
}

// Replies once, with 8 bytes and one event: too many for the caller's
// buffers in the test below.
static void big_reply_server(uintptr_t channel, uintptr_t unused) {
  (void)unused;
  zx_handle_t ch = (zx_handle_t)channel;
  uint8_t buf[8] = {0};
  uint32_t nb, nh;
  if (zx_object_wait_one(ch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL) == ZX_OK &&
      zx_channel_read(ch, 0, buf, NULL, sizeof(buf), 0, &nb, &nh) == ZX_OK) {
    zx_handle_t ev = new_event();
    zx_channel_write(ch, 0, buf, sizeof(buf), &ev, 1);
  }
  zx_handle_close(ch);
  zx_thread_exit();
}

TEST(ChannelCallEtc, AReplyTooBigIsLost) {
  zx_handle_t client, server;
  ASSERT_OK(zx_channel_create(0, &client, &server));
  zx_handle_t t = spawn(big_reply_server, server, 0);
  uint8_t wr[4] = {0}, rd[8];
  zx_handle_info_t info;
  zx_channel_call_etc_args_t args = {wr, NULL, rd, &info, sizeof(wr), 0, sizeof(rd), 0};
  uint32_t nb = 77, nh = 77;
  EXPECT_EQ(zx_channel_call_etc(client, 0, zx_deadline_after(ZX_SEC(10)), &args, &nb, &nh),
            ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(nb, 77u, "no size is reported for a call");
  join(t);
  EXPECT_EQ(zx_channel_read(client, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_PEER_CLOSED,
            "the reply was consumed");
  zx_handle_close(client);
}

TEST(ChannelCallEtc, ActualPointersAreRequired) {
  zx_handle_t client, server;
  ASSERT_OK(zx_channel_create(0, &client, &server));
  zx_handle_t t = spawn(etc_server, server, 0);
  uint8_t wr[4] = {0}, rd[8];
  zx_channel_call_etc_args_t args = {wr, NULL, rd, NULL, sizeof(wr), 0, sizeof(rd), 0};
  uint32_t nh;
  EXPECT_EQ(zx_channel_call_etc(client, 0, zx_deadline_after(ZX_SEC(10)), &args, NULL, &nh),
            ZX_ERR_INVALID_ARGS);
  join(t);
  zx_handle_close(client);
}

// ---- replies belong to their callers ---------------------------------------

#define ROUNDS 200

static volatile uint32_t g_reader_got;
static volatile uint32_t g_reader_stole;
static volatile int g_reader_stop;

// Reads the client end in a loop while calls are made on it: it must see
// every unsolicited message and never a reply.
static void greedy_reader(uintptr_t channel, uintptr_t unused) {
  (void)unused;
  zx_handle_t ch = (zx_handle_t)channel;
  while (!g_reader_stop) {
    zx_signals_t seen = 0;
    zx_object_wait_one(ch, ZX_CHANNEL_READABLE, zx_deadline_after(ZX_MSEC(1)), &seen);
    uint8_t buf[16];
    uint32_t nb, nh;
    while (zx_channel_read(ch, 0, buf, NULL, sizeof(buf), 0, &nb, &nh) == ZX_OK) {
      uint32_t id;
      memcpy(&id, buf, 4);
      if (id & 0x80000000u)
        g_reader_stole++;
      else
        g_reader_got++;
    }
  }
  zx_thread_exit();
}

// For every request: first an unsolicited message (user txid 0), then the
// reply.
static void chatty_server(uintptr_t channel, uintptr_t rounds) {
  zx_handle_t ch = (zx_handle_t)channel;
  for (uintptr_t i = 0; i < rounds; i++) {
    uint8_t buf[16];
    uint32_t nb, nh;
    if (zx_object_wait_one(ch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL) != ZX_OK) break;
    if (zx_channel_read(ch, 0, buf, NULL, sizeof(buf), 0, &nb, &nh) != ZX_OK) break;
    uint32_t zero = 0;
    zx_channel_write(ch, 0, &zero, 4, NULL, 0);
    zx_channel_write(ch, 0, buf, nb, NULL, 0);
  }
  zx_handle_close(ch);
  zx_thread_exit();
}

TEST(ChannelCallRouting, AConcurrentReaderNeverTakesAReply) {
  zx_handle_t client, server;
  ASSERT_OK(zx_channel_create(0, &client, &server));
  g_reader_got = 0;
  g_reader_stole = 0;
  g_reader_stop = 0;
  zx_handle_t srv = spawn(chatty_server, server, ROUNDS);
  zx_handle_t rdr = spawn(greedy_reader, client, 0);
  for (uint32_t i = 0; i < ROUNDS; i++) {
    uint32_t wr[2] = {0, i}, rd[2] = {0, 0};
    zx_channel_call_args_t args = {wr, NULL, rd, NULL, sizeof(wr), 0, sizeof(rd), 0};
    uint32_t nb, nh;
    ASSERT_OK(zx_channel_call(client, 0, zx_deadline_after(ZX_SEC(20)), &args, &nb, &nh));
    ASSERT_EQ(rd[1], i, "each call gets its own reply");
  }
  join(srv);
  // Let the reader drain what is left, then stop it.
  ASSERT_OK(zx_object_wait_one(client, ZX_CHANNEL_PEER_CLOSED, ZX_TIME_INFINITE, NULL));
  for (int spins = 0; spins < 5000 && g_reader_got < ROUNDS; spins++)
    zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
  g_reader_stop = 1;
  join(rdr);
  EXPECT_EQ(g_reader_stole, 0u);
  EXPECT_EQ(g_reader_got, (uint32_t)ROUNDS);
  zx_handle_close(client);
}

// A server that sends a message carrying another kernel-range txid before
// the real reply: it is queued like any message.
static void mismatched_server(uintptr_t channel, uintptr_t unused) {
  (void)unused;
  zx_handle_t ch = (zx_handle_t)channel;
  uint32_t txid;
  uint32_t nb, nh;
  if (zx_object_wait_one(ch, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL) == ZX_OK &&
      zx_channel_read(ch, 0, &txid, NULL, 4, 0, &nb, &nh) == ZX_OK) {
    uint32_t other[2] = {txid ^ 0x1234u, 0xdeadbeefu};
    zx_channel_write(ch, 0, other, sizeof(other), NULL, 0);
    uint32_t reply[2] = {txid, 0xcafebabeu};
    zx_channel_write(ch, 0, reply, sizeof(reply), NULL, 0);
  }
  zx_handle_close(ch);
  zx_thread_exit();
}

TEST(ChannelCallRouting, AnotherTxidIsAnOrdinaryMessage) {
  zx_handle_t client, server;
  ASSERT_OK(zx_channel_create(0, &client, &server));
  zx_handle_t t = spawn(mismatched_server, server, 0);
  uint32_t wr = 0, rd[2];
  zx_channel_call_args_t args = {&wr, NULL, rd, NULL, 4, 0, sizeof(rd), 0};
  uint32_t nb, nh;
  ASSERT_OK(zx_channel_call(client, 0, zx_deadline_after(ZX_SEC(10)), &args, &nb, &nh));
  EXPECT_EQ(rd[1], 0xcafebabeu);
  join(t);
  uint32_t got[2];
  ASSERT_OK(zx_channel_read(client, 0, got, NULL, sizeof(got), 0, &nb, &nh));
  EXPECT_EQ(got[0], rd[0] ^ 0x1234u);
  EXPECT_EQ(got[1], 0xdeadbeefu);
  zx_handle_close(client);
}

static volatile zx_status_t g_call_status;

static void blocked_caller(uintptr_t channel, uintptr_t unused) {
  (void)unused;
  uint32_t wr = 0, rd;
  zx_channel_call_args_t args = {&wr, NULL, &rd, NULL, 4, 0, 4, 0};
  uint32_t nb, nh;
  g_call_status = zx_channel_call((zx_handle_t)channel, 0, ZX_TIME_INFINITE, &args, &nb, &nh);
  zx_thread_exit();
}

TEST(ChannelCallRouting, ClosingTheCallersEndCancelsTheCall) {
  zx_handle_t client, server;
  ASSERT_OK(zx_channel_create(0, &client, &server));
  g_call_status = 1;
  zx_handle_t t = spawn(blocked_caller, client, 0);
  ASSERT_OK(zx_object_wait_one(server, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL));
  ASSERT_OK(zx_handle_close(client));
  join(t);
  EXPECT_EQ(g_call_status, ZX_ERR_CANCELED);
  zx_handle_close(server);
}

TEST(ChannelCallRouting, ThePeerClosingEndsTheCall) {
  zx_handle_t client, server;
  ASSERT_OK(zx_channel_create(0, &client, &server));
  g_call_status = 1;
  zx_handle_t t = spawn(blocked_caller, client, 0);
  ASSERT_OK(zx_object_wait_one(server, ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, NULL));
  ASSERT_OK(zx_handle_close(server));
  join(t);
  EXPECT_EQ(g_call_status, ZX_ERR_PEER_CLOSED);
  zx_handle_close(client);
}
