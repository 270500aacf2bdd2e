// The Fuchsia API details of the SDK's fzl, fbl and standalone-test
// libraries that Fuchsia code relies on beyond the basics sdk_libs2_test.cc
// covers: fzl's size and range rules, fbl::Mutex as a C11 mutex (with
// cnd_wait and AutoLock<mtx_t>), unique_fd's and StringBuffer's extra
// members, zircon-internal's STRINGIFY / SOURCE_TAG, and standalone-test's
// GetOptions and TestMain (this program's main), zxtest's ASSERT_DEATH /
// ASSERT_NO_DEATH, <lib/syscalls/zx-syscall-numbers.h>,
// <lib/stdcompat/bit.h> and zx::clock.  Run by
// linux-loader/tests/cxx.rs, which checks every case.
#include <lib/fzl/owned-vmo-mapper.h>
#include <lib/fzl/vmar-manager.h>
#include <lib/fzl/vmo-mapper.h>
#include <lib/standalone-test/standalone.h>
#include <lib/stdcompat/bit.h>
#include <lib/sync/mutex.h>
#include <lib/syscalls/zx-syscall-numbers.h>
#include <lib/zircon-internal/macros.h>
#include <lib/zx/clock.h>
#include <lib/zx/vmar.h>
#include <lib/zx/vmo.h>
#include <string.h>
#include <threads.h>
#include <zircon/assert.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zircon/utc.h>

#include <string_view>

#include <fbl/auto_lock.h>
#include <fbl/mutex.h>
#include <fbl/null_lock.h>
#include <fbl/string_buffer.h>
#include <fbl/unique_fd.h>
#include <zxtest/zxtest.h>

namespace {

// Bytes the VMAR region holding |addr| spans (ZX_INFO_PROCESS_MAPS), or 0.
size_t MappingBytesAt(uintptr_t addr) {
  zx_info_maps_t maps[512];
  size_t actual = 0, avail = 0;
  if (zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_MAPS, maps, sizeof(maps), &actual,
                         &avail) != ZX_OK) {
    return 0;
  }
  for (size_t i = 0; i < actual; i++) {
    if (maps[i].type == ZX_INFO_MAPS_TYPE_MAPPING && maps[i].base == addr) {
      return maps[i].size;
    }
  }
  return 0;
}

TEST(FzlApi, SizeIsAsAskedMappingIsWholePages) {
  const size_t page = zx_system_get_page_size();
  fzl::VmoMapper m;
  ASSERT_OK(m.CreateAndMap(page + 10));
  EXPECT_EQ(m.size(), page + 10);
  uintptr_t base = reinterpret_cast<uintptr_t>(m.start());
  EXPECT_EQ(MappingBytesAt(base), 2 * page);
  // The whole second page is there to touch.
  static_cast<volatile char*>(m.start())[2 * page - 1] = 1;
  m.Unmap();
  EXPECT_EQ(MappingBytesAt(base), 0u);  // both pages went
}

TEST(FzlApi, MapChecksTheRangeAgainstTheVmo) {
  const size_t page = zx_system_get_page_size();
  zx::vmo vmo;
  ASSERT_OK(zx::vmo::create(2 * page, 0, &vmo));
  fzl::VmoMapper m;
  EXPECT_STATUS(m.Map(vmo, 0, 3 * page), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(m.Map(vmo, page, 2 * page), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(m.Map(vmo, 3 * page), ZX_ERR_OUT_OF_RANGE);
  EXPECT_STATUS(m.Map(vmo, page, UINT64_MAX), ZX_ERR_OUT_OF_RANGE);  // offset + size wraps
  EXPECT_STATUS(m.Map(zx::vmo()), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(m.start(), nullptr);
  ASSERT_OK(m.Map(vmo, page, page));
  EXPECT_EQ(m.size(), page);
}

TEST(FzlApi, VmarManagerIsCompactByDefault) {
  const size_t page = zx_system_get_page_size();
  fbl::RefPtr<fzl::VmarManager> mgr = fzl::VmarManager::Create(1024 * page);
  ASSERT_TRUE(mgr);
  // Two mappings in a compact region sit side by side (placed at random in
  // a 1024-page region, they would hardly ever touch).
  fzl::VmoMapper a, b;
  ASSERT_OK(a.CreateAndMap(page, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, mgr));
  ASSERT_OK(b.CreateAndMap(page, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, mgr));
  uintptr_t pa = reinterpret_cast<uintptr_t>(a.start());
  uintptr_t pb = reinterpret_cast<uintptr_t>(b.start());
  EXPECT_EQ(pa > pb ? pa - pb : pb - pa, page);
}

TEST(FzlApi, OwnedMapperNamesAndMapsWithOffset) {
  const size_t page = zx_system_get_page_size();
  fzl::OwnedVmoMapper m;
  ASSERT_OK(m.CreateAndMap(page, nullptr));  // a null name is allowed
  char name[ZX_MAX_NAME_LEN] = "x";
  ASSERT_OK(m.vmo().get_property(ZX_PROP_NAME, name, sizeof(name)));
  EXPECT_STREQ(name, "");

  zx::vmo vmo;
  ASSERT_OK(zx::vmo::create(3 * page, 0, &vmo));
  ASSERT_OK(vmo.write("at two", 2 * page, 7));
  fzl::OwnedVmoMapper n;
  ASSERT_OK(n.Map(std::move(vmo), 2 * page, 0, ZX_VM_PERM_READ));
  EXPECT_EQ(n.size(), page);
  EXPECT_STREQ(static_cast<const char*>(n.start()), "at two");
  EXPECT_TRUE(n.vmo().is_valid());
}

struct Queue {
  fbl::Mutex lock;
  cnd_t cond;
  int items = 0;
};

int Produce(void* arg) {
  auto* q = static_cast<Queue*>(arg);
  for (int i = 0; i < 3; i++) {
    fbl::AutoLock guard(&q->lock);
    q->items++;
    cnd_signal(&q->cond);
  }
  return 0;
}

TEST(FblApi, MutexIsAC11MutexForCndWait) {
  Queue q;
  ASSERT_EQ(cnd_init(&q.cond), thrd_success);
  thrd_t t;
  ASSERT_EQ(thrd_create(&t, Produce, &q), thrd_success);
  int taken = 0;
  while (taken < 3) {
    fbl::AutoLock guard(q.lock.GetInternal());  // AutoLock<mtx_t> on the same lock
    while (q.items == 0) {
      ASSERT_EQ(cnd_wait(&q.cond, q.lock.GetInternal()), thrd_success);
    }
    taken += q.items;
    q.items = 0;
  }
  ASSERT_EQ(thrd_join(t, nullptr), thrd_success);
  EXPECT_EQ(taken, 3);
  cnd_destroy(&q.cond);

  // MTX_INIT is mtx_init(mtx_plain)'s bytes.
  static mtx_t by_macro = MTX_INIT;
  mtx_t by_call;
  memset(&by_call, 0xae, sizeof(by_call));
  ASSERT_EQ(mtx_init(&by_call, mtx_plain), thrd_success);
  EXPECT_BYTES_EQ(&by_macro, &by_call, sizeof(mtx_t));
  mtx_destroy(&by_call);

  // A global-style Mutex is constant-initialised.
  static constinit fbl::Mutex global;
  EXPECT_TRUE(global.TryAcquire());
  EXPECT_FALSE(global.TryAcquire());
  global.Release();
  fbl::NullLock none;
  fbl::AutoLock nothing(&none);
  nothing.release();
}

TEST(FblApi, UniqueFdAndStringBufferExtras) {
  fbl::unique_fd empty;
  EXPECT_EQ(empty.reset(), -1);  // nothing held
  fbl::unique_fd fd;
  *fd.reset_and_get_address() = 77;
  EXPECT_TRUE(fd == 77);
  EXPECT_FALSE(fd != 77);
  EXPECT_EQ(fd.get(), 77);
  EXPECT_EQ(fd.release(), 77);  // not a real descriptor: never closed
  EXPECT_TRUE(fd == fbl::unique_fd::InvalidValue());

  static constexpr fbl::StringBuffer<4> one('z');
  EXPECT_EQ(one.size(), 1u);
  EXPECT_STREQ(one.c_str(), "z");
  fbl::StringBuffer<5> b;
  b.Append("abc");
  b.Set("hello, world");  // cut off at the capacity
  EXPECT_EQ(std::string_view(b), "hello");
  b.Set("hi");
  EXPECT_EQ(std::string_view(b), "hi");
  EXPECT_EQ(b.capacity(), 5u);
}

TEST(StdcompatApi, BitIsTheStandardOne) {
  static_assert(cpp20::bit_cast<uint32_t>(int32_t{-2}) == 0xfffffffeu);
  static_assert(cpp20::has_single_bit(64u) && !cpp20::has_single_bit(65u));
  static_assert(cpp20::bit_ceil(65u) == 128u && cpp20::bit_floor(65u) == 64u);
  static_assert(cpp20::bit_width(255u) == 8 && cpp20::popcount(0xf0f0u) == 8);
  static_assert(cpp20::countl_zero(uint8_t{1}) == 7 && cpp20::countr_zero(8u) == 3);
  static_assert(cpp20::rotl(uint8_t{0x81}, 1) == 0x03 && cpp20::rotr(uint8_t{0x81}, 1) == 0xc0);
  static_assert(cpp20::endian::native == cpp20::endian::little);
  // At run time too (the value is not known to the compiler here).
  volatile uint32_t v = 0x00010000;
  EXPECT_EQ(cpp20::countr_zero(static_cast<uint32_t>(v)), 16);
  EXPECT_EQ(cpp20::countl_one(~static_cast<uint32_t>(v)), 15);
}

TEST(ZirconInternalApi, StringifyAndSourceTag) {
  static_assert(std::string_view(STRINGIFY(KB)) == "(1024UL)");
  // Both on one line: the tag names the line it is written on.
  std::string_view tag = SOURCE_TAG, line = ":" STRINGIFY(__LINE__);
  EXPECT_TRUE(tag.ends_with(line));
  EXPECT_GT(tag.size(), line.size());
  EXPECT_NE(tag.find("sdk_libs3_test.cc"), std::string_view::npos);
}

TEST(StandaloneApi, OptionsAreLeftAlone) {
  standalone::Option a{"kernel.foo="};
  standalone::Option b{"kernel.bar=", "preset"};
  standalone::GetOptions({a, b});
  EXPECT_TRUE(a.option.empty());
  EXPECT_EQ(b.option, "preset");
  EXPECT_EQ(a.prefix, "kernel.foo=");
  // The older names are the same handles.
  EXPECT_EQ(standalone::GetMmioRootResource()->get(), standalone::GetMmioResource()->get());
  EXPECT_EQ(standalone::GetSystemRootResource()->get(), standalone::GetSystemResource()->get());
  EXPECT_TRUE(standalone::GetSystemRootResource()->is_valid());  // the runner grants it
}

int g_touched = 0;

TEST(ZxtestDeath, TrapsAndBadAccessesDieReturnsDoNot) {
  ASSERT_DEATH([]() { __builtin_trap(); });
  ASSERT_DEATH([]() {
    volatile uintptr_t bad = 8;
    *reinterpret_cast<volatile int*>(bad) = 1;
  }, "a store to the null page");
  ASSERT_NO_DEATH([]() { g_touched = 7; });
  EXPECT_EQ(g_touched, 7);  // it ran, in this process
  // The verdicts the macros check, directly (a failing macro would fail
  // this test).
  using zxtest::internal::DeathResult;
  using zxtest::internal::RunDeathStatement;
  EXPECT_TRUE(RunDeathStatement([]() {}) == DeathResult::kSuccess);
  EXPECT_TRUE(RunDeathStatement([]() { __builtin_trap(); }) == DeathResult::kException);
  // Fuchsia's assertions crash the thread rather than the process.
  ASSERT_DEATH([]() { ZX_ASSERT(g_touched == 0); });
  ASSERT_DEATH([]() { ZX_PANIC("on purpose %d", 1); });
  ASSERT_DEATH([]() {
    sync_mutex_t never_locked;
    sync_mutex_assert_held(&never_locked);
  });
  ASSERT_DEATH([]() {
    static fbl::Mutex m;
    m.AssertHeld();
  });
  ASSERT_NO_DEATH([]() {
    sync_mutex_t held;
    sync_mutex_lock(&held);
    sync_mutex_assert_held(&held);
    sync_mutex_unlock(&held);
  });
  // A death leaves the thread machinery sound: many in a row.
  for (int i = 0; i < 10; i++) {
    ASSERT_DEATH([]() { __builtin_trap(); });
  }
}

// A raw `syscall` instruction with |number| in rax (as Fuchsia's
// bad-syscall test issues them).
long RawSyscall(long number) {
  long result;
  __asm__ volatile("syscall" : "=a"(result) : "a"(number) : "rcx", "r11", "memory");
  return result;
}

TEST(SyscallNumbers, CountIsNoSyscall) {
  static_assert(ZX_SYS_handle_close > 0 && ZX_SYS_handle_close < ZX_SYS_COUNT);
  static_assert(ZX_SYS_vmo_create < ZX_SYS_COUNT && ZX_SYS_channel_call_etc < ZX_SYS_COUNT);
  // No such call: the emulator raises a bad-syscall policy exception.
  ASSERT_DEATH(([]() { RawSyscall(ZX_SYS_COUNT); }));
  ASSERT_DEATH(([]() { RawSyscall(0xff00ff0000000010l); }));
}

TEST(ZxClockApi, CreateUpdateReadDetails) {
  zx::clock c;
  ASSERT_OK(zx::clock::create(ZX_CLOCK_OPT_MONOTONIC, nullptr, &c));
  zx_info_handle_basic_t info;
  ASSERT_OK(c.get_info(ZX_INFO_HANDLE_BASIC, &info, sizeof(info), nullptr, nullptr));
  EXPECT_EQ(info.type, ZX_OBJ_TYPE_CLOCK);
  // Started at 5 s: it reads 5 s plus what has passed since.
  zx::time before = zx::clock::get_monotonic();
  ASSERT_OK(c.update(zx::clock::update_args().set_value(zx::time(ZX_SEC(5)))));
  zx_time_t now = 0;
  ASSERT_OK(c.read(&now));
  EXPECT_GE(now, ZX_SEC(5));
  EXPECT_LE(now, ZX_SEC(5) + (zx::clock::get_monotonic() - before).get());
  // The update's error bound shows in the details.
  ASSERT_OK(c.update(zx::clock::update_args().set_error_bound(1234)));
  zx_clock_details_v1_t details;
  ASSERT_OK(c.get_details(&details));
  EXPECT_EQ(details.error_bound, 1234u);
  EXPECT_EQ(details.options & ZX_CLOCK_OPT_MONOTONIC, ZX_CLOCK_OPT_MONOTONIC);
  // A backstop: the clock cannot be set before it.
  zx_clock_create_args_v1_t args = {.backstop_time = ZX_SEC(100)};
  zx::clock b;
  ASSERT_OK(zx::clock::create(0, &args, &b));
  EXPECT_STATUS(b.update(zx::clock::update_args().set_value(zx::time(ZX_SEC(1)))),
                ZX_ERR_INVALID_ARGS);
  // The process's UTC clock, unowned.
  zx::unowned_clock utc(zx_utc_reference_get());
  EXPECT_EQ(utc->get_handle(), zx_utc_reference_get());
  EXPECT_GE(zx::clock::get_boot().get(), 0);
}

}  // namespace

// standalone-test's own main for zxtest programs.
int main() { return standalone::TestMain(); }
