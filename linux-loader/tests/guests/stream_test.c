// Streams (zx_stream_*) and VMO stream sizes (zx_vmo_get/set_stream_size),
// end to end: Fuchsia's core stream tests and the stream-size cases of its
// VMO and VMAR tests, retold for this emulator, plus partial transfers on
// faults and hostile iovec arrays.
#include <lib/fzl/memory-probe.h>
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zxtest/zxtest.h>

#define PAGE ((size_t)zx_system_get_page_size())

static const char kLetters[] = "abcdefghijklmnopqrstuvwxyz";

// A VMO of |size| bytes holding the alphabet, content size 26.
static zx_handle_t letters_vmo(size_t size, uint32_t options) {
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  EXPECT_OK(zx_vmo_create(size, options, &vmo));
  EXPECT_OK(zx_vmo_write(vmo, kLetters, 0, 26));
  EXPECT_OK(zx_vmo_set_stream_size(vmo, 26));
  return vmo;
}

static zx_handle_t new_stream(uint32_t options, zx_handle_t vmo, zx_off_t seek) {
  zx_handle_t s = ZX_HANDLE_INVALID;
  EXPECT_OK(zx_stream_create(options, vmo, seek, &s));
  return s;
}

static zx_rights_t rights_of(zx_handle_t h) {
  zx_info_handle_basic_t info = {};
  EXPECT_OK(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  return info.rights;
}

static uint64_t content_size(zx_handle_t vmo) {
  uint64_t size = 12345;
  EXPECT_OK(zx_vmo_get_stream_size(vmo, &size));
  uint64_t prop = 54321;
  EXPECT_OK(zx_object_get_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &prop, sizeof(prop)));
  EXPECT_EQ(size, prop);
  return size;
}

static zx_info_stream_t stream_info(zx_handle_t s) {
  zx_info_stream_t info = {};
  EXPECT_OK(zx_object_get_info(s, ZX_INFO_STREAM, &info, sizeof(info), NULL, NULL));
  return info;
}

// The VMO's first page as a string (zero-terminated by the VMO's zeros).
static void first_page(zx_handle_t vmo, char* out) {
  EXPECT_OK(zx_vmo_read(vmo, out, 0, PAGE));
  out[PAGE - 1] = 0;
}

// A mapping of |pages| read-write pages followed by one page that nothing
// maps (inside a VMAR of its own); returns the mapping's address.
static uintptr_t map_with_hole(size_t pages, zx_handle_t* vmar_out) {
  zx_handle_t vmar, vmo;
  uintptr_t base, addr;
  EXPECT_OK(zx_vmar_allocate(zx_vmar_root_self(),
                             ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                             (pages + 1) * PAGE, &vmar, &base));
  EXPECT_OK(zx_vmo_create(pages * PAGE, 0, &vmo));
  EXPECT_OK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 0, vmo, 0,
                        pages * PAGE, &addr));
  zx_handle_close(vmo);
  *vmar_out = vmar;
  return addr;
}

TEST(StreamTest, CreateChecksOptionsHandlesAndRights) {
  zx_handle_t s = ZX_HANDLE_INVALID;
  ASSERT_EQ(zx_stream_create(0, ZX_HANDLE_INVALID, 0, &s), ZX_ERR_BAD_HANDLE);
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  ASSERT_EQ(zx_stream_create(0, ev, 0, &s), ZX_ERR_WRONG_TYPE);
  zx_handle_close(ev);

  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_set_stream_size(vmo, 0));
  ASSERT_EQ(ZX_DEFAULT_STREAM_RIGHTS & (ZX_RIGHT_READ | ZX_RIGHT_WRITE), 0u);
  // Unknown option bits, even with a handle that is not a VMO.
  ASSERT_EQ(zx_stream_create((uint32_t)-42, vmo, 0, &s), ZX_ERR_INVALID_ARGS);
  ASSERT_EQ(zx_stream_create(1u << 3, ZX_HANDLE_INVALID, 0, &s), ZX_ERR_INVALID_ARGS);

  const struct {
    uint32_t mode;
    zx_rights_t extra;
  } modes[] = {
      {0, 0},
      {ZX_STREAM_MODE_READ, ZX_RIGHT_READ},
      {ZX_STREAM_MODE_WRITE, ZX_RIGHT_WRITE},
      {ZX_STREAM_MODE_READ | ZX_STREAM_MODE_WRITE, ZX_RIGHT_READ | ZX_RIGHT_WRITE},
      {ZX_STREAM_MODE_APPEND, 0},
      {ZX_STREAM_MODE_READ | ZX_STREAM_MODE_APPEND, ZX_RIGHT_READ},
      {ZX_STREAM_MODE_WRITE | ZX_STREAM_MODE_APPEND, ZX_RIGHT_WRITE},
      {ZX_STREAM_CREATE_MASK, ZX_RIGHT_READ | ZX_RIGHT_WRITE},
  };
  for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
    s = new_stream(modes[i].mode, vmo, 0);
    EXPECT_EQ(rights_of(s), ZX_DEFAULT_STREAM_RIGHTS | modes[i].extra, "mode %u", modes[i].mode);
    zx_info_handle_basic_t info = {};
    ASSERT_OK(zx_object_get_info(s, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
    EXPECT_EQ(info.type, ZX_OBJ_TYPE_STREAM);
    EXPECT_EQ(stream_info(s).options, modes[i].mode);
    zx_handle_close(s);
  }

  // A VMO handle needs READ for MODE_READ and WRITE for MODE_WRITE.
  zx_handle_t ro, wo, none;
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ, &ro));
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_WRITE, &wo));
  ASSERT_OK(zx_handle_duplicate(vmo, 0, &none));
  s = new_stream(ZX_STREAM_MODE_READ, ro, 0);
  EXPECT_EQ(rights_of(s), ZX_DEFAULT_STREAM_RIGHTS | ZX_RIGHT_READ);
  zx_handle_close(s);
  EXPECT_EQ(zx_stream_create(ZX_STREAM_MODE_WRITE, ro, 0, &s), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(zx_stream_create(ZX_STREAM_MODE_READ | ZX_STREAM_MODE_WRITE, ro, 0, &s),
            ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(zx_stream_create(ZX_STREAM_MODE_READ, wo, 0, &s), ZX_ERR_ACCESS_DENIED);
  s = new_stream(ZX_STREAM_MODE_WRITE, wo, 0);
  EXPECT_EQ(rights_of(s), ZX_DEFAULT_STREAM_RIGHTS | ZX_RIGHT_WRITE);
  zx_handle_close(s);
  s = new_stream(0, none, 0);
  EXPECT_EQ(rights_of(s), ZX_DEFAULT_STREAM_RIGHTS);
  zx_handle_close(s);
  EXPECT_EQ(zx_stream_create(ZX_STREAM_MODE_READ, none, 0, &s), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(zx_stream_create(ZX_STREAM_MODE_WRITE, none, 0, &s), ZX_ERR_ACCESS_DENIED);
  // A bad out pointer leaves no handle behind.
  EXPECT_EQ(zx_stream_create(0, vmo, 0, (zx_handle_t*)8), ZX_ERR_INVALID_ARGS);
  zx_handle_close(ro);
  zx_handle_close(wo);
  zx_handle_close(none);
  zx_handle_close(vmo);
}

TEST(StreamTest, SeekFromEachOrigin) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  uint64_t size = 42;
  ASSERT_OK(zx_object_set_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &size, sizeof(size)));
  zx_off_t at = 77;
  zx_handle_t s = new_stream(0, vmo, 0);
  EXPECT_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, 0, &at), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(s);
  s = new_stream(ZX_STREAM_MODE_READ, vmo, 9);
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_CURRENT, 0, &at));
  EXPECT_EQ(at, 9u);
  zx_handle_close(s);
  s = new_stream(ZX_STREAM_MODE_WRITE, vmo, 1234);
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_CURRENT, 0, &at));
  EXPECT_EQ(at, 1234u);
  zx_handle_close(s);

  s = new_stream(ZX_STREAM_MODE_READ | ZX_STREAM_MODE_WRITE, vmo, 0);
  EXPECT_EQ(zx_stream_seek(s, 7, 1, &at), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, -1, &at), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, 20, &at));
  EXPECT_EQ(at, 20u);
  EXPECT_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_CURRENT, -21, &at), ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_CURRENT, -20, &at));
  EXPECT_EQ(at, 0u);
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_CURRENT, INT64_MAX, &at));
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_CURRENT, 100, &at));
  EXPECT_EQ(at, (zx_off_t)INT64_MAX + 100);
  EXPECT_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_CURRENT, INT64_MAX, &at),
            ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(stream_info(s).seek, (zx_off_t)INT64_MAX + 100);
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_END, 0, &at));
  EXPECT_EQ(at, 42u);
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_END, -42, &at));
  EXPECT_EQ(at, 0u);
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_END, 8, &at));
  EXPECT_EQ(at, 50u);
  EXPECT_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_END, -43, &at), ZX_ERR_INVALID_ARGS);
  size = UINT64_MAX;
  ASSERT_OK(zx_object_set_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &size, sizeof(size)));
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_END, -5, &at));
  EXPECT_EQ(at, UINT64_MAX - 5);
  EXPECT_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_END, 1, &at), ZX_ERR_INVALID_ARGS);
  // A NULL out pointer is fine; a bad one is INVALID_ARGS after the move.
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, 3, NULL));
  EXPECT_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, 4, (zx_off_t*)8), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(stream_info(s).seek, 4u);
  // Seeking is a stream call: a VMO handle is the wrong type.
  EXPECT_EQ(zx_stream_seek(vmo, ZX_STREAM_SEEK_ORIGIN_START, 0, &at), ZX_ERR_WRONG_TYPE);
  zx_handle_close(s);
  zx_handle_close(vmo);
}

TEST(StreamTest, ReadvFollowsTheSeekOffsetAndContentSize) {
  zx_handle_t vmo = letters_vmo(PAGE, 0);
  char buf[16] = {};
  zx_iovec_t vec = {buf, sizeof(buf)};
  size_t actual = 99;
  zx_handle_t s = new_stream(0, vmo, 0);
  EXPECT_EQ(zx_stream_readv(s, 0, &vec, 1, &actual), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(s);

  s = new_stream(ZX_STREAM_MODE_READ, vmo, 0);
  vec.capacity = 5;
  ASSERT_OK(zx_stream_readv(s, 0, &vec, 1, &actual));
  EXPECT_EQ(actual, 5u);
  EXPECT_STREQ(buf, "abcde");
  memset(buf, 0, sizeof(buf));
  EXPECT_EQ(zx_stream_readv(s, 1, &vec, 1, &actual), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_stream_readv(s, 0, NULL, 1, &actual), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_stream_readv(s, 0, NULL, 0, &actual), ZX_ERR_INVALID_ARGS);
  vec.capacity = 2;
  ASSERT_OK(zx_stream_readv(s, 0, &vec, 1, NULL));
  EXPECT_STREQ(buf, "fg");
  memset(buf, 0, sizeof(buf));
  // A buffer at NULL: NOT_FOUND, and the seek offset stays.
  zx_iovec_t null_buf = {NULL, 4};
  EXPECT_EQ(zx_stream_readv(s, 0, &null_buf, 1, &actual), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(stream_info(s).seek, 7u);
  // Capacities adding up past SIZE_MAX.
  zx_iovec_t huge[5];
  for (int i = 0; i < 5; i++) huge[i] = (zx_iovec_t){buf, INT64_MAX};
  EXPECT_EQ(zx_stream_readv(s, 0, huge, 5, &actual), ZX_ERR_INVALID_ARGS);
  // An unreadable iovec array.
  EXPECT_EQ(zx_stream_readv(s, 0, (zx_iovec_t*)8, 1, &actual), ZX_ERR_INVALID_ARGS);
  // No entries at all: zero bytes.
  actual = 99;
  ASSERT_OK(zx_stream_readv(s, 0, &vec, 0, &actual));
  EXPECT_EQ(actual, 0u);
  vec.capacity = sizeof(buf);
  ASSERT_OK(zx_stream_readv(s, 0, &vec, 1, &actual));
  EXPECT_EQ(actual, 16u);
  ASSERT_OK(zx_stream_readv(s, 0, &vec, 1, &actual));
  EXPECT_EQ(actual, 3u);
  ASSERT_OK(zx_stream_readv(s, 0, &vec, 1, &actual));
  EXPECT_EQ(actual, 0u, "at the content end");

  // A smaller content size stops reads there; what lay past it is zero.
  ASSERT_OK(zx_vmo_set_stream_size(vmo, 6));
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, 0, NULL));
  memset(buf, 0, sizeof(buf));
  vec.capacity = 12;
  ASSERT_OK(zx_stream_readv(s, 0, &vec, 1, &actual));
  EXPECT_EQ(actual, 6u);
  EXPECT_STREQ(buf, "abcdef");
  ASSERT_OK(zx_vmo_set_stream_size(vmo, 26));
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, 0, NULL));
  zx_iovec_t ones[7];
  memset(buf, '!', sizeof(buf));
  for (int i = 0; i < 7; i++) ones[i] = (zx_iovec_t){&buf[i], 1};
  ASSERT_OK(zx_stream_readv(s, 0, ones, 7, &actual));
  EXPECT_EQ(actual, 7u);
  EXPECT_BYTES_EQ(buf, "abcdef\0!", 8);
  zx_handle_close(s);
  zx_handle_close(vmo);
}

TEST(StreamTest, ReadvAtLeavesTheSeekOffset) {
  zx_handle_t vmo = letters_vmo(PAGE, 0);
  zx_handle_t s = new_stream(ZX_STREAM_MODE_READ, vmo, 0);
  char buf[16] = {};
  zx_iovec_t vec = {buf, 7};
  size_t actual = 0;
  ASSERT_OK(zx_stream_readv_at(s, 0, 24, &vec, 1, &actual));
  EXPECT_EQ(actual, 2u);
  EXPECT_STREQ(buf, "yz");
  EXPECT_EQ(stream_info(s).seek, 0u);
  ASSERT_OK(zx_stream_readv_at(s, 0, 36, &vec, 1, &actual));
  EXPECT_EQ(actual, 0u);
  ASSERT_OK(zx_stream_readv_at(s, 0, UINT64_MAX - 3, &vec, 1, &actual));
  EXPECT_EQ(actual, 0u);
  EXPECT_EQ(zx_stream_readv_at(s, 2, 0, &vec, 1, &actual), ZX_ERR_INVALID_ARGS);
  zx_handle_close(s);
  zx_handle_close(vmo);
}

TEST(StreamTest, WritevOverwritesAndGrowsTheContent) {
  zx_handle_t vmo = letters_vmo(PAGE, 0);
  char digits[17] = "0123456789ABCDEF";
  zx_iovec_t vec = {digits, 7};
  size_t actual = 0;
  static char page[4096];
  zx_handle_t s = new_stream(0, vmo, 0);
  EXPECT_EQ(zx_stream_writev(s, 0, &vec, 1, &actual), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(s);

  s = new_stream(ZX_STREAM_MODE_WRITE, vmo, 0);
  ASSERT_OK(zx_stream_writev(s, 0, &vec, 1, &actual));
  EXPECT_EQ(actual, 7u);
  first_page(vmo, page);
  EXPECT_STREQ(page, "0123456hijklmnopqrstuvwxyz");
  EXPECT_EQ(content_size(vmo), 26u);
  EXPECT_EQ(zx_stream_writev(s, 2, &vec, 1, &actual), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_stream_writev(s, 0, NULL, 0, &actual), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_stream_writev_at(s, ZX_STREAM_APPEND, 0, &vec, 1, &actual), ZX_ERR_INVALID_ARGS);
  // Buffers are taken in array order.
  zx_iovec_t rev[7];
  for (int i = 0; i < 7; i++) rev[6 - i] = (zx_iovec_t){&digits[i], 1};
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, 0, NULL));
  ASSERT_OK(zx_stream_writev(s, 0, rev, 7, &actual));
  EXPECT_EQ(actual, 7u);
  first_page(vmo, page);
  EXPECT_STREQ(page, "6543210hijklmnopqrstuvwxyz");
  zx_iovec_t null_buf = {NULL, 7};
  EXPECT_EQ(zx_stream_writev(s, 0, &null_buf, 1, &actual), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(stream_info(s).seek, 7u);

  // Past the content end the content grows to what was written...
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, 24, NULL));
  vec.capacity = 10;
  ASSERT_OK(zx_stream_writev(s, 0, &vec, 1, &actual));
  EXPECT_EQ(content_size(vmo), 34u);
  // ...up to the end of a VMO that may not grow: a short write, then
  // NO_SPACE with nothing changed.
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, PAGE - 4, NULL));
  actual = 0;
  ASSERT_OK(zx_stream_writev(s, 0, &vec, 1, &actual));
  EXPECT_EQ(actual, 4u);
  EXPECT_EQ(content_size(vmo), PAGE);
  char tail[5] = {};
  ASSERT_OK(zx_vmo_read(vmo, tail, PAGE - 4, 4));
  EXPECT_STREQ(tail, "0123");
  actual = 99;
  EXPECT_EQ(zx_stream_writev(s, 0, &vec, 1, &actual), ZX_ERR_NO_SPACE);
  EXPECT_EQ(actual, 99u, "actual is written only on success");
  EXPECT_EQ(content_size(vmo), PAGE);
  zx_handle_close(s);
  zx_handle_close(vmo);
}

TEST(StreamTest, WritesGrowAResizableVmo) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, ZX_VMO_RESIZABLE, &vmo));
  ASSERT_OK(zx_vmo_set_stream_size(vmo, 0));
  zx_handle_t s = new_stream(ZX_STREAM_MODE_WRITE, vmo, 0);
  char digits[] = "0123456789";
  zx_iovec_t vec = {digits, 10};
  size_t actual = 0;
  while (content_size(vmo) + 10 <= PAGE) {
    ASSERT_OK(zx_stream_writev(s, 0, &vec, 1, &actual));
    ASSERT_EQ(actual, 10u);
  }
  ASSERT_OK(zx_stream_writev(s, 0, &vec, 1, &actual));
  EXPECT_EQ(actual, 10u);
  uint64_t size = 0;
  ASSERT_OK(zx_vmo_get_size(vmo, &size));
  EXPECT_EQ(size, 2 * PAGE);
  EXPECT_EQ(content_size(vmo), (PAGE / 10 + 1) * 10);
  vec.capacity = SIZE_MAX;
  EXPECT_EQ(zx_stream_writev(s, 0, &vec, 1, &actual), ZX_ERR_FILE_BIG);
  EXPECT_EQ(zx_stream_writev_at(s, 0, 5000, &vec, 1, &actual), ZX_ERR_FILE_BIG);
  ASSERT_OK(zx_vmo_get_size(vmo, &size));
  EXPECT_EQ(size, 2 * PAGE);
  // The target rounds past UINT64_MAX: OUT_OF_RANGE, sizes untouched.
  vec.capacity = 4;
  EXPECT_EQ(zx_stream_writev_at(s, 0, UINT64_MAX - 7, &vec, 1, &actual), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmo_get_size(vmo, &size));
  EXPECT_EQ(size, 2 * PAGE);
  EXPECT_EQ(content_size(vmo), (PAGE / 10 + 1) * 10);
  ASSERT_OK(zx_vmo_set_size(vmo, 3 * PAGE));
  EXPECT_EQ(content_size(vmo), 3 * PAGE);
  zx_handle_close(s);
  zx_handle_close(vmo);
}

TEST(StreamTest, OnlyAResizeRightLetsAStreamGrowItsVmo) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, ZX_VMO_RESIZABLE, &vmo));
  zx_rights_t r = rights_of(vmo);
  ASSERT_EQ(r & ZX_RIGHT_RESIZE, ZX_RIGHT_RESIZE);
  zx_handle_t fixed;
  ASSERT_OK(zx_handle_duplicate(vmo, r & ~ZX_RIGHT_RESIZE, &fixed));
  zx_handle_t grows = new_stream(ZX_STREAM_MODE_WRITE, vmo, PAGE - 1);
  zx_handle_t stays = new_stream(ZX_STREAM_MODE_WRITE, fixed, PAGE - 1);
  // The VMO handle may go: the stream keeps the VMO.
  zx_handle_close(fixed);
  char msg[] = "012345678";
  zx_iovec_t vec = {msg, sizeof(msg)};
  size_t actual = 0;
  ASSERT_OK(zx_stream_writev(stays, 0, &vec, 1, &actual));
  EXPECT_EQ(actual, 1u);
  EXPECT_EQ(zx_stream_writev(stays, 0, &vec, 1, &actual), ZX_ERR_NO_SPACE);
  uint64_t size;
  ASSERT_OK(zx_vmo_get_size(vmo, &size));
  EXPECT_EQ(size, PAGE);
  ASSERT_OK(zx_stream_writev(grows, 0, &vec, 1, &actual));
  EXPECT_EQ(actual, sizeof(msg));
  ASSERT_OK(zx_vmo_get_size(vmo, &size));
  EXPECT_EQ(size, 2 * PAGE);
  char back[sizeof(msg)] = {};
  ASSERT_OK(zx_vmo_read(vmo, back, PAGE - 1, sizeof(back)));
  EXPECT_STREQ(back, msg);
  zx_handle_close(grows);
  zx_handle_close(stays);
  zx_handle_close(vmo);
}

TEST(StreamTest, WritevAtLeavesTheSeekAndFillsGapsWithZeros) {
  const size_t pages = 6;
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(pages * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_set_stream_size(vmo, 0));
  static char x[4096];
  memset(x, 'x', PAGE);
  for (size_t i = 0; i < pages; i++) ASSERT_OK(zx_vmo_write(vmo, x, i * PAGE, PAGE));
  zx_handle_t s = new_stream(ZX_STREAM_MODE_WRITE, vmo, 0);
  char four[] = "0123";
  zx_iovec_t vec = {four, 4};
  size_t actual = 0;
  ASSERT_OK(zx_stream_writev_at(s, 0, 2 * PAGE - 2, &vec, 1, &actual));
  EXPECT_EQ(actual, 4u);
  EXPECT_EQ(stream_info(s).seek, 0u);
  static char got[3 * 4096];
  ASSERT_OK(zx_vmo_read(vmo, got, 0, 3 * PAGE));
  for (size_t i = 0; i < 2 * PAGE - 2; i++) ASSERT_EQ(got[i], 0, "byte %zu", i);
  EXPECT_BYTES_EQ(got + 2 * PAGE - 2, "0123xx", 6);
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, 5 * PAGE - 2, NULL));
  ASSERT_OK(zx_stream_writev(s, 0, &vec, 1, &actual));
  ASSERT_OK(zx_vmo_read(vmo, got, 2 * PAGE, 3 * PAGE));
  EXPECT_BYTES_EQ(got, "23\0\0", 4);
  for (size_t i = 2; i < 3 * PAGE - 2; i++) ASSERT_EQ(got[i], 0, "byte %zu", i);
  EXPECT_BYTES_EQ(got + 3 * PAGE - 2, "01", 2);
  ASSERT_OK(zx_vmo_read(vmo, got, 5 * PAGE, 4));
  EXPECT_BYTES_EQ(got, "23xx", 4);
  EXPECT_EQ(content_size(vmo), 5 * PAGE + 2);
  // A failed write past the content end grows nothing.
  zx_iovec_t bad = {NULL, 42};
  EXPECT_EQ(zx_stream_writev_at(s, 0, 5 * PAGE + 100, &bad, 1, &actual), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(content_size(vmo), 5 * PAGE + 2);
  EXPECT_EQ(zx_stream_writev_at(s, 0, 6 * PAGE, &vec, 1, &actual), ZX_ERR_NO_SPACE);
  zx_handle_close(s);
  zx_handle_close(vmo);
}

TEST(StreamTest, ReadIntoTheIovecArrayItself) {
  zx_handle_t vmo = letters_vmo(PAGE, 0);
  zx_handle_t s = new_stream(ZX_STREAM_MODE_READ, vmo, 0);
  zx_iovec_t vecs[7];
  for (int i = 0; i < 7; i++) vecs[i] = (zx_iovec_t){vecs, sizeof(vecs)};
  size_t actual = 0;
  ASSERT_OK(zx_stream_readv(s, 0, vecs, 7, &actual));
  EXPECT_EQ(actual, 26u);
  EXPECT_BYTES_EQ(vecs, kLetters, 26);
  zx_handle_close(s);
  zx_handle_close(vmo);
}

static void check_append(bool by_mode) {
  zx_handle_t vmo = letters_vmo(PAGE, 0);
  uint32_t mode = ZX_STREAM_MODE_WRITE | (by_mode ? ZX_STREAM_MODE_APPEND : 0);
  zx_handle_t s = new_stream(mode, vmo, 0);
  uint32_t opts = by_mode ? 0 : ZX_STREAM_APPEND;
  zx_info_stream_t info = stream_info(s);
  EXPECT_EQ(info.options, mode);
  EXPECT_EQ(info.seek, 0u);
  EXPECT_EQ(info.content_size, 26u);
  char digits[] = "0123456789ABCDEF";
  zx_iovec_t vec = {digits, 7};
  size_t actual = 0;
  ASSERT_OK(zx_stream_writev(s, opts, &vec, 1, &actual));
  EXPECT_EQ(actual, 7u);
  static char page[4096];
  first_page(vmo, page);
  EXPECT_STREQ(page, "abcdefghijklmnopqrstuvwxyz0123456");
  info = stream_info(s);
  EXPECT_EQ(info.seek, 33u);
  EXPECT_EQ(info.content_size, 33u);
  vec.capacity = 16;
  while (content_size(vmo) + 16 < PAGE) {
    ASSERT_OK(zx_stream_writev(s, opts, &vec, 1, &actual));
    ASSERT_EQ(actual, 16u);
  }
  size_t left = PAGE - content_size(vmo);
  ASSERT_OK(zx_stream_writev(s, opts, &vec, 1, &actual));
  EXPECT_EQ(actual, left);
  EXPECT_EQ(zx_stream_writev(s, opts, &vec, 1, &actual), ZX_ERR_NO_SPACE);
  vec.capacity = SIZE_MAX;
  EXPECT_EQ(zx_stream_writev(s, opts, &vec, 1, NULL), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(stream_info(s).seek, PAGE);
  zx_handle_close(s);
  zx_handle_close(vmo);
}

TEST(StreamTest, AppendOptionWritesAtTheContentEnd) { check_append(false); }

TEST(StreamTest, AppendModeWritesAtTheContentEnd) { check_append(true); }

TEST(StreamTest, AppendModeProperty) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_set_stream_size(vmo, 0));
  zx_handle_t s = new_stream(ZX_STREAM_MODE_WRITE, vmo, 0);
  char digits[] = "0123456789ABCDEF";
  zx_iovec_t vec = {digits, 16};
  ASSERT_OK(zx_stream_writev(s, 0, &vec, 1, NULL));
  uint8_t append = 9;
  ASSERT_OK(zx_object_get_property(s, ZX_PROP_STREAM_MODE_APPEND, &append, 1));
  EXPECT_EQ(append, 0u);
  EXPECT_EQ(zx_object_get_property(s, ZX_PROP_STREAM_MODE_APPEND, &append, 0),
            ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(zx_object_get_property(vmo, ZX_PROP_STREAM_MODE_APPEND, &append, 1),
            ZX_ERR_WRONG_TYPE);
  append = 2;  // any non-zero value turns it on
  ASSERT_OK(zx_object_set_property(s, ZX_PROP_STREAM_MODE_APPEND, &append, 1));
  ASSERT_OK(zx_object_get_property(s, ZX_PROP_STREAM_MODE_APPEND, &append, 1));
  EXPECT_EQ(append, 1u);
  EXPECT_TRUE(stream_info(s).options & ZX_STREAM_MODE_APPEND);
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, 10, NULL));
  ASSERT_OK(zx_stream_writev(s, 0, &vec, 1, NULL));
  char got[33] = {};
  ASSERT_OK(zx_vmo_read(vmo, got, 0, 32));
  EXPECT_STREQ(got, "0123456789ABCDEF0123456789ABCDEF");
  append = 0;
  ASSERT_OK(zx_object_set_property(s, ZX_PROP_STREAM_MODE_APPEND, &append, 1));
  EXPECT_EQ(stream_info(s).seek, 32u);
  EXPECT_FALSE(stream_info(s).options & ZX_STREAM_MODE_APPEND);
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, 10, NULL));
  ASSERT_OK(zx_stream_writev(s, 0, &vec, 1, NULL));
  ASSERT_OK(zx_vmo_read(vmo, got, 0, 32));
  EXPECT_STREQ(got, "01234567890123456789ABCDEFABCDEF");
  // Without SET_PROPERTY the mode cannot change.
  zx_handle_t ro;
  ASSERT_OK(zx_handle_duplicate(s, rights_of(s) & ~ZX_RIGHT_SET_PROPERTY, &ro));
  EXPECT_EQ(zx_object_set_property(ro, ZX_PROP_STREAM_MODE_APPEND, &append, 1),
            ZX_ERR_ACCESS_DENIED);
  zx_handle_close(ro);
  zx_handle_close(s);
  zx_handle_close(vmo);
}

#define STACK_SIZE (64u * 1024u)

struct appender {
  zx_handle_t vmo;
  const uint8_t* bytes;
  volatile int result;  // 0 once every append succeeded
};

// A thread's entry: appends its 64 bytes one at a time through a stream of
// its own, then exits.
static void append_bytes(uintptr_t arg, uintptr_t unused) {
  (void)unused;
  struct appender* a = (struct appender*)arg;
  zx_handle_t s = ZX_HANDLE_INVALID;
  int result = 0;
  if (zx_stream_create(ZX_STREAM_MODE_WRITE | ZX_STREAM_MODE_APPEND, a->vmo, 0, &s) != ZX_OK) {
    result = 1;
  }
  for (int i = 0; i < 64 && result == 0; i++) {
    zx_iovec_t vec = {(void*)&a->bytes[i], 1};
    if (zx_stream_writev(s, 0, &vec, 1, NULL) != ZX_OK) result = 2;
  }
  zx_handle_close(s);
  a->result = result;
  zx_thread_exit();
}

static zx_handle_t start_appender(struct appender* a) {
  zx_handle_t vmo, thread;
  uintptr_t stack = 0;
  EXPECT_OK(zx_vmo_create(STACK_SIZE, 0, &vmo));
  EXPECT_OK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                        STACK_SIZE, &stack));
  zx_handle_close(vmo);
  EXPECT_OK(zx_thread_create(zx_process_self(), "appender", 8, 0, &thread));
  // As if a call had pushed a return address: the ABI's alignment at entry.
  EXPECT_OK(zx_thread_start(thread, (uintptr_t)append_bytes, stack + STACK_SIZE - 8, (uintptr_t)a,
                            0));
  return thread;
}

TEST(StreamTest, AppendsFromSeveralThreadsNeverOverwriteEachOther) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_set_stream_size(vmo, 0));
  static uint8_t bytes[256];
  for (int i = 0; i < 256; i++) bytes[i] = (uint8_t)i;
  static struct appender args[4];
  zx_handle_t threads[4];
  for (int t = 0; t < 4; t++) {
    args[t].vmo = vmo;
    args[t].bytes = &bytes[t * 64];
    args[t].result = -1;
    threads[t] = start_appender(&args[t]);
  }
  for (int t = 0; t < 4; t++) {
    ASSERT_OK(zx_object_wait_one(threads[t], ZX_THREAD_TERMINATED,
                                 zx_deadline_after(ZX_SEC(30)), NULL));
    EXPECT_EQ(args[t].result, 0, "thread %d", t);
    zx_handle_close(threads[t]);
  }
  EXPECT_EQ(content_size(vmo), 256u);
  uint8_t got[256];
  ASSERT_OK(zx_vmo_read(vmo, got, 0, sizeof(got)));
  int seen[256] = {0};
  for (int i = 0; i < 256; i++) seen[got[i]]++;
  for (int i = 0; i < 256; i++) EXPECT_EQ(seen[i], 1, "byte %d", i);
  zx_handle_close(vmo);
}

TEST(StreamTest, AFaultPartWayReportsTheBytesBeforeIt) {
  zx_handle_t vmar;
  uintptr_t buf = map_with_hole(2, &vmar);
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_set_stream_size(vmo, 0));
  zx_handle_t s = new_stream(ZX_STREAM_MODE_READ | ZX_STREAM_MODE_WRITE, vmo, 0);
  // Three pages from the mapping's last page: one page can be read.
  memset((void*)(buf + PAGE), 'q', PAGE);
  zx_iovec_t vec = {(void*)(buf + PAGE), 3 * PAGE};
  size_t actual = 0;
  ASSERT_OK(zx_stream_writev(s, 0, &vec, 1, &actual));
  EXPECT_EQ(actual, PAGE);
  EXPECT_EQ(content_size(vmo), PAGE);
  EXPECT_EQ(stream_info(s).seek, PAGE);
  // A first entry that faults: nothing moves, later entries are not used.
  char ok[8] = "okokokok";
  zx_iovec_t two[2] = {{(void*)(buf + 2 * PAGE), 8}, {ok, 8}};
  EXPECT_EQ(zx_stream_writev(s, 0, two, 2, &actual), ZX_ERR_NOT_FOUND);
  EXPECT_EQ(content_size(vmo), PAGE);
  EXPECT_EQ(stream_info(s).seek, PAGE);
  // A read whose second entry faults still reports the first.
  zx_iovec_t back[2] = {{(void*)buf, 16}, {(void*)(buf + 2 * PAGE), 16}};
  ASSERT_OK(zx_stream_readv_at(s, 0, 0, back, 2, &actual));
  EXPECT_EQ(actual, 16u);
  EXPECT_BYTES_EQ((void*)buf, "qqqqqqqqqqqqqqqq", 16);
  // Reading into read-only memory: ACCESS_DENIED.
  ASSERT_OK(zx_vmar_protect(vmar, ZX_VM_PERM_READ, buf, PAGE));
  zx_iovec_t ro = {(void*)buf, 4};
  EXPECT_EQ(zx_stream_readv_at(s, 0, 0, &ro, 1, &actual), ZX_ERR_ACCESS_DENIED);
  // Writing from it is fine.
  ASSERT_OK(zx_stream_writev_at(s, 0, 0, &ro, 1, &actual));
  EXPECT_EQ(actual, 4u);
  // The iovec array itself in the hole: INVALID_ARGS.
  EXPECT_EQ(zx_stream_writev(s, 0, (zx_iovec_t*)(buf + 2 * PAGE), 1, &actual),
            ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_stream_readv(s, 0, (zx_iovec_t*)(buf + 2 * PAGE - 8), 1, &actual),
            ZX_ERR_INVALID_ARGS);
  zx_handle_close(s);
  zx_handle_close(vmo);
  ASSERT_OK(zx_vmar_destroy(vmar));
  zx_handle_close(vmar);
}

TEST(StreamTest, InfoAndPropertiesNeedTheirRights) {
  zx_handle_t vmo = letters_vmo(PAGE, 0);
  zx_handle_t s = new_stream(ZX_STREAM_MODE_READ, vmo, 3);
  zx_info_stream_t info;
  size_t actual = 0, avail = 0;
  EXPECT_EQ(zx_object_get_info(s, ZX_INFO_STREAM, &info, sizeof(info) - 1, &actual, &avail),
            ZX_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(avail, 1u);
  ASSERT_OK(zx_object_get_info(s, ZX_INFO_STREAM, &info, sizeof(info), &actual, &avail));
  EXPECT_EQ(actual, 1u);
  EXPECT_EQ(info.options, ZX_STREAM_MODE_READ);
  EXPECT_EQ(info.seek, 3u);
  EXPECT_EQ(info.content_size, 26u);
  EXPECT_EQ(zx_object_get_info(vmo, ZX_INFO_STREAM, &info, sizeof(info), NULL, NULL),
            ZX_ERR_WRONG_TYPE);
  zx_handle_t blind;
  ASSERT_OK(zx_handle_duplicate(s, ZX_RIGHT_READ, &blind));
  EXPECT_EQ(zx_object_get_info(blind, ZX_INFO_STREAM, &info, sizeof(info), NULL, NULL),
            ZX_ERR_ACCESS_DENIED);
  // A READ-only stream handle still seeks.
  ASSERT_OK(zx_stream_seek(blind, ZX_STREAM_SEEK_ORIGIN_END, 0, NULL));
  zx_handle_close(blind);
  zx_handle_close(s);
  zx_handle_close(vmo);
}

// ---- VMO stream sizes --------------------------------------------------------

TEST(VmoStreamSize, RulesAndTheVmoSize) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(4 * PAGE + 42, ZX_VMO_RESIZABLE, &vmo));
  uint64_t size = 0;
  EXPECT_EQ(content_size(vmo), 4 * PAGE + 42);
  ASSERT_OK(zx_vmo_get_size(vmo, &size));
  EXPECT_EQ(size, 5 * PAGE);
  ASSERT_OK(zx_vmo_set_stream_size(vmo, PAGE - 1));
  EXPECT_EQ(content_size(vmo), PAGE - 1);
  ASSERT_OK(zx_vmo_get_size(vmo, &size));
  EXPECT_EQ(size, 5 * PAGE, "the VMO keeps its size");
  ASSERT_OK(zx_vmo_set_stream_size(vmo, 5 * PAGE));
  EXPECT_EQ(zx_vmo_set_stream_size(vmo, 5 * PAGE + 1), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(content_size(vmo), 5 * PAGE);
  ASSERT_OK(zx_vmo_set_size(vmo, 2 * PAGE));
  EXPECT_EQ(content_size(vmo), 2 * PAGE);
  ASSERT_OK(zx_vmo_set_size(vmo, 10 * PAGE));
  EXPECT_EQ(content_size(vmo), 10 * PAGE);
  // Rights: WRITE to set, none to get; a bad out pointer is INVALID_ARGS.
  zx_handle_t ro;
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ, &ro));
  EXPECT_EQ(zx_vmo_set_stream_size(ro, 1), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(ro);
  ASSERT_OK(zx_handle_duplicate(vmo, 0, &ro));
  ASSERT_OK(zx_vmo_get_stream_size(ro, &size));
  EXPECT_EQ(size, 10 * PAGE);
  zx_handle_close(ro);
  EXPECT_EQ(zx_vmo_get_stream_size(vmo, (uint64_t*)8), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_vmo_get_stream_size(ZX_HANDLE_INVALID, &size), ZX_ERR_BAD_HANDLE);
  zx_handle_t ev;
  ASSERT_OK(zx_event_create(0, &ev));
  EXPECT_EQ(zx_vmo_set_stream_size(ev, 0), ZX_ERR_WRONG_TYPE);
  zx_handle_close(ev);
  zx_handle_close(vmo);

  // An unbounded VMO: the stream size is the size asked for.
  ASSERT_OK(zx_vmo_create(42, ZX_VMO_UNBOUNDED, &vmo));
  EXPECT_EQ(content_size(vmo), 42u);
  ASSERT_OK(zx_vmo_set_stream_size(vmo, 85));
  EXPECT_EQ(content_size(vmo), 85u);
  zx_handle_close(vmo);
}

TEST(VmoStreamSize, ChangingItZeroesFromTheSmallerSize) {
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(3 * PAGE, 0, &vmo));
  static uint8_t buf[3 * 4096];
  memset(buf, 9, 3 * PAGE);
  ASSERT_OK(zx_vmo_write(vmo, buf, 0, 3 * PAGE));
  ASSERT_OK(zx_vmo_set_stream_size(vmo, PAGE + 10));
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, 3 * PAGE));
  for (size_t i = 0; i < 3 * PAGE; i++) ASSERT_EQ(buf[i], i < PAGE + 10 ? 9 : 0, "byte %zu", i);
  // Bytes written past the stream end are gone when it grows over them.
  uint8_t five[16];
  memset(five, 5, sizeof(five));
  ASSERT_OK(zx_vmo_write(vmo, five, 2 * PAGE, sizeof(five)));
  ASSERT_OK(zx_vmo_set_stream_size(vmo, 3 * PAGE));
  ASSERT_OK(zx_vmo_read(vmo, buf, 0, 3 * PAGE));
  for (size_t i = 0; i < 3 * PAGE; i++) ASSERT_EQ(buf[i], i < PAGE + 10 ? 9 : 0, "byte %zu", i);
  // Setting the size it already has changes nothing.
  ASSERT_OK(zx_vmo_write(vmo, five, PAGE, sizeof(five)));
  ASSERT_OK(zx_vmo_set_stream_size(vmo, 3 * PAGE));
  ASSERT_OK(zx_vmo_read(vmo, buf, PAGE, 1));
  EXPECT_EQ(buf[0], 5);
  zx_handle_close(vmo);
}

TEST(VmoStreamSize, ContentSizePropertyNeedsWrite) {
  zx_handle_t vmo, ro;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_READ | ZX_RIGHTS_PROPERTY, &ro));
  uint64_t size = 5;
  EXPECT_EQ(zx_object_set_property(ro, ZX_PROP_VMO_CONTENT_SIZE, &size, sizeof(size)),
            ZX_ERR_ACCESS_DENIED);
  ASSERT_OK(zx_object_get_property(ro, ZX_PROP_VMO_CONTENT_SIZE, &size, sizeof(size)));
  EXPECT_EQ(size, PAGE);
  // The property may exceed the VMO's size; zx_vmo_set_stream_size may not.
  size = 8 * PAGE;
  ASSERT_OK(zx_object_set_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &size, sizeof(size)));
  EXPECT_EQ(content_size(vmo), 8 * PAGE);
  EXPECT_EQ(zx_vmo_set_stream_size(vmo, 7 * PAGE), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmo_set_stream_size(vmo, 8 * PAGE));
  zx_handle_close(ro);
  zx_handle_close(vmo);
}

TEST(VmoStreamSize, FaultsBeyondTheStreamSize) {
  zx_handle_t vmar, vmo;
  uintptr_t base, addr;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(),
                             ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                             6 * PAGE, &vmar, &base));
  ASSERT_OK(zx_vmo_create(3 * PAGE, ZX_VMO_UNBOUNDED, &vmo));
  const uint32_t perms = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC;
  EXPECT_EQ(zx_vmar_map(vmar, perms | ZX_VM_FAULT_BEYOND_STREAM_SIZE, 0, vmo, 0, 4 * PAGE, &addr),
            ZX_ERR_INVALID_ARGS);
  ASSERT_OK(zx_vmar_map(vmar, perms | ZX_VM_FAULT_BEYOND_STREAM_SIZE | ZX_VM_ALLOW_FAULTS, 0, vmo,
                        0, 4 * PAGE, &addr));
  EXPECT_OK(probe_for_read((void*)addr));
  EXPECT_OK(probe_for_write((void*)(addr + 2 * PAGE)));
  EXPECT_EQ(probe_for_read((void*)(addr + 3 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(probe_for_write((void*)(addr + 3 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  // Shrinking the stream takes the page past it away.
  ASSERT_OK(zx_vmo_set_stream_size(vmo, 2 * PAGE));
  EXPECT_EQ(probe_for_read((void*)(addr + 2 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  // A stream write that grows it gives the page back, zeroed.
  zx_handle_t s = new_stream(ZX_STREAM_MODE_WRITE, vmo, 0);
  char one = 'z';
  zx_iovec_t vec = {&one, 1};
  ASSERT_OK(zx_stream_writev_at(s, 0, 3 * PAGE - 1, &vec, 1, NULL));
  EXPECT_OK(probe_for_read((void*)(addr + 2 * PAGE)));
  EXPECT_EQ(((volatile char*)addr)[2 * PAGE], 0);
  EXPECT_EQ(((volatile char*)addr)[3 * PAGE - 1], 'z');
  EXPECT_EQ(probe_for_read((void*)(addr + 3 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  // The range ops refuse a range past the stream size.
  EXPECT_EQ(zx_vmar_op_range(vmar, ZX_VMAR_OP_COMMIT, addr, 4 * PAGE, NULL, 0),
            ZX_ERR_OUT_OF_RANGE);
  EXPECT_OK(zx_vmar_op_range(vmar, ZX_VMAR_OP_COMMIT, addr, 3 * PAGE, NULL, 0));
  zx_handle_close(s);
  zx_handle_close(vmo);
  ASSERT_OK(zx_vmar_destroy(vmar));
  zx_handle_close(vmar);
}

TEST(VmoStreamSize, RangeOpsStopAtTheStreamSize) {
  zx_handle_t vmar, vmo;
  uintptr_t base, addr;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(),
                             ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                             6 * PAGE, &vmar, &base));
  ASSERT_OK(zx_vmo_create(2 * PAGE, ZX_VMO_UNBOUNDED, &vmo));
  static uint8_t data[4 * 4096];
  memset(data, 0x5a, sizeof(data));
  ASSERT_OK(zx_vmo_write(vmo, data, 0, 4 * PAGE));
  ASSERT_OK(zx_vmar_map(vmar,
                        ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC | ZX_VM_MAP_RANGE |
                            ZX_VM_FAULT_BEYOND_STREAM_SIZE | ZX_VM_ALLOW_FAULTS,
                        0, vmo, 0, 6 * PAGE, &addr));
  // MAP_RANGE mapped nothing past the stream end.
  EXPECT_OK(probe_for_read((void*)(addr + PAGE)));
  EXPECT_EQ(probe_for_read((void*)(addr + 2 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  const uint32_t ops[] = {ZX_VMAR_OP_PREFETCH, ZX_VMAR_OP_COMMIT, ZX_VMAR_OP_DECOMMIT};
  for (int i = 0; i < 3; i++) {
    EXPECT_EQ(zx_vmar_op_range(vmar, ops[i], addr, 3 * PAGE, NULL, 0), ZX_ERR_OUT_OF_RANGE,
              "op %u", ops[i]);
  }
  // Refused whole: the first two pages still hold their data.
  ASSERT_OK(zx_vmo_read(vmo, data, 0, 4 * PAGE));
  for (size_t i = 0; i < 4 * PAGE; i++) ASSERT_EQ(data[i], 0x5a, "byte %zu", i);
  for (int i = 0; i < 3; i++) {
    EXPECT_OK(zx_vmar_op_range(vmar, ops[i], addr, 2 * PAGE, NULL, 0), "op %u", ops[i]);
  }
  // The decommit zeroed the stream's pages and left the ones past it.
  ASSERT_OK(zx_vmo_read(vmo, data, 0, 4 * PAGE));
  for (size_t i = 0; i < 4 * PAGE; i++) {
    ASSERT_EQ(data[i], i < 2 * PAGE ? 0 : 0x5a, "byte %zu", i);
  }
  EXPECT_EQ(zx_vmar_op_range(vmar, ZX_VMAR_OP_COMMIT, addr + PAGE, 2 * PAGE, NULL, 0),
            ZX_ERR_OUT_OF_RANGE);
  zx_handle_close(vmo);
  ASSERT_OK(zx_vmar_destroy(vmar));
  zx_handle_close(vmar);
}

TEST(VmoStreamSize, FaultsBeyondAReducedStreamSize) {
  zx_handle_t vmar, vmo;
  uintptr_t base, addr;
  ASSERT_OK(zx_vmar_allocate(zx_vmar_root_self(),
                             ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                             6 * PAGE, &vmar, &base));
  ASSERT_OK(zx_vmo_create(5 * PAGE, ZX_VMO_UNBOUNDED, &vmo));
  ASSERT_OK(zx_vmar_map(vmar,
                        ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC |
                            ZX_VM_FAULT_BEYOND_STREAM_SIZE | ZX_VM_ALLOW_FAULTS,
                        0, vmo, 0, 6 * PAGE, &addr));
  volatile uint8_t* p = (volatile uint8_t*)addr;
  for (size_t i = 0; i < 5; i++) p[i * PAGE + PAGE / 2] = (uint8_t)(i + 1);
  uint8_t b = 0;
  ASSERT_OK(zx_vmo_read(vmo, &b, 4 * PAGE + PAGE / 2, 1));
  EXPECT_EQ(b, 5);
  EXPECT_EQ(probe_for_write((void*)(addr + 5 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  ASSERT_OK(zx_vmo_set_stream_size(vmo, 4 * PAGE));
  EXPECT_EQ(probe_for_read((void*)(addr + 4 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  // Inside a page: the page stays, the bytes past the stream end are zero.
  ASSERT_OK(zx_vmo_set_stream_size(vmo, 3 * PAGE + PAGE / 4));
  EXPECT_OK(probe_for_read((void*)(addr + 3 * PAGE)));
  EXPECT_EQ(p[3 * PAGE + PAGE / 2], 0);
  EXPECT_EQ(p[2 * PAGE + PAGE / 2], 3);
  // The content-size property shrinks the same way.
  uint64_t size = 2 * PAGE;
  ASSERT_OK(zx_object_set_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &size, sizeof(size)));
  EXPECT_EQ(probe_for_read((void*)(addr + 2 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(probe_for_read((void*)(addr + 3 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_OK(probe_for_read((void*)(addr + PAGE)));
  EXPECT_EQ(p[PAGE + PAGE / 2], 2);
  zx_handle_close(vmo);

  // A bounded VMO whose stream ends before its size faults the same way.
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  ASSERT_OK(zx_vmo_set_stream_size(vmo, 2 * PAGE));
  ASSERT_OK(zx_vmar_map(vmar,
                        ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC_OVERWRITE |
                            ZX_VM_FAULT_BEYOND_STREAM_SIZE | ZX_VM_ALLOW_FAULTS,
                        0, vmo, 0, 4 * PAGE, &addr));
  EXPECT_OK(probe_for_write((void*)(addr + PAGE)));
  EXPECT_EQ(probe_for_read((void*)(addr + 2 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(probe_for_write((void*)(addr + 3 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  zx_handle_close(vmo);
  ASSERT_OK(zx_vmar_destroy(vmar));
  zx_handle_close(vmar);
}

// A reference (ZX_VMO_CHILD_REFERENCE) spans its whole parent and shares
// its pages and its stream size: a change through either is seen through
// both, and a shrink takes the pages past the end away from the mappings
// of both.
TEST(VmoStreamSize, ReferenceSharesPagesAndStreamSize) {
  zx_handle_t vmo, ref, slice, child, rsz;
  uint64_t size, stream;
  ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  // The range must be empty; only RESIZABLE may come along, and only for a
  // resizable parent; no reference of a slice.
  EXPECT_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_REFERENCE, 0, PAGE, &ref), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_REFERENCE, PAGE, 0, &ref), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_REFERENCE | ZX_VMO_CHILD_SNAPSHOT, 0, 0, &ref),
            ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_REFERENCE | ZX_VMO_CHILD_RESIZABLE, 0, 0, &ref),
            ZX_ERR_NOT_SUPPORTED);
  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SLICE, 0, PAGE, &slice));
  EXPECT_EQ(zx_vmo_create_child(slice, ZX_VMO_CHILD_REFERENCE, 0, 0, &child), ZX_ERR_NOT_SUPPORTED);
  zx_handle_close(slice);

  ASSERT_OK(zx_vmo_create_child(vmo, ZX_VMO_CHILD_REFERENCE, 0, 0, &ref));
  ASSERT_OK(zx_vmo_get_size(ref, &size));
  EXPECT_EQ(size, 4 * PAGE);
  ASSERT_OK(zx_vmo_get_stream_size(ref, &stream));
  EXPECT_EQ(stream, 4 * PAGE);
  // Pages: a write through one is read through the other.
  const uint32_t v = 0xfeed;
  uint32_t back = 0;
  ASSERT_OK(zx_vmo_write(ref, &v, 3 * PAGE, sizeof(v)));
  ASSERT_OK(zx_vmo_read(vmo, &back, 3 * PAGE, sizeof(back)));
  EXPECT_EQ(back, v);
  // The stream size, set through either.
  ASSERT_OK(zx_vmo_set_stream_size(ref, 2 * PAGE));
  ASSERT_OK(zx_vmo_get_stream_size(vmo, &stream));
  EXPECT_EQ(stream, 2 * PAGE);
  ASSERT_OK(zx_vmo_set_stream_size(vmo, 3 * PAGE));
  ASSERT_OK(zx_vmo_get_stream_size(ref, &stream));
  EXPECT_EQ(stream, 3 * PAGE);
  // The shrink through the reference zeroed the parent's page.
  ASSERT_OK(zx_vmo_read(vmo, &back, 3 * PAGE, sizeof(back)));
  EXPECT_EQ(back, 0u);
  // A stream on the reference seeks from the shared end.
  zx_handle_t s = new_stream(ZX_STREAM_MODE_READ, ref, 0);
  zx_off_t pos;
  ASSERT_OK(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_END, 0, &pos));
  EXPECT_EQ(pos, 3 * PAGE);
  zx_handle_close(s);
  // A shrink through the parent faults the reference's mapping past it.
  uintptr_t addr;
  ASSERT_OK(zx_vmar_map(zx_vmar_root_self(),
                        ZX_VM_PERM_READ | ZX_VM_FAULT_BEYOND_STREAM_SIZE | ZX_VM_ALLOW_FAULTS, 0, ref,
                        0, 4 * PAGE, &addr));
  EXPECT_OK(probe_for_read((void*)(addr + 2 * PAGE)));
  ASSERT_OK(zx_vmo_set_stream_size(vmo, PAGE));
  EXPECT_EQ(probe_for_read((void*)(addr + 2 * PAGE)), ZX_ERR_OUT_OF_RANGE);
  EXPECT_OK(probe_for_read((void*)addr));
  ASSERT_OK(zx_vmar_unmap(zx_vmar_root_self(), addr, 4 * PAGE));
  zx_handle_close(ref);
  // A resizable parent's reference is not supported here (README).
  ASSERT_OK(zx_vmo_create(PAGE, ZX_VMO_RESIZABLE, &rsz));
  EXPECT_EQ(zx_vmo_create_child(rsz, ZX_VMO_CHILD_REFERENCE, 0, 0, &ref), ZX_ERR_NOT_SUPPORTED);
  zx_handle_close(rsz);
  zx_handle_close(vmo);
}
