// More of the SDK's Fuchsia-style libraries, as a zx-c++ guest: fzl's VMO
// mappers, lib/sync's mutex (C and libsync::Mutex) and condition,
// fbl::StringBuffer / unique_fd / Mutex / AutoLock / NullLock,
// zircon-internal's thread annotations and macros, standalone-test, and the hypervisor ABI types (built with
// sdk_libs2_c.c, their C side).  Run by
// linux-loader/tests/cxx.rs, which checks that every case passes.
#include <lib/fzl/owned-vmo-mapper.h>
#include <lib/fzl/vmar-manager.h>
#include <lib/fzl/vmo-mapper.h>
#include <lib/standalone-test/standalone.h>
#include <lib/sync/condition.h>
#include <lib/sync/cpp/mutex.h>
#include <lib/sync/mutex.h>
#include <lib/test-exceptions/exception-catcher.h>
#include <lib/test-exceptions/exception-handling.h>
#include <lib/zx/process.h>
#include <lib/zx/thread.h>
#include <lib/zircon-internal/macros.h>
#include <lib/zircon-internal/thread_annotations.h>
#include <lib/zx/vmar.h>
#include <lib/zx/vmo.h>
#include <stddef.h>
#include <string.h>
#include <threads.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/threads.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/hypervisor.h>
#include <zircon/syscalls/exception.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>

#include <mutex>
#include <string_view>

#include <fbl/auto_lock.h>
#include <fbl/mutex.h>
#include <fbl/null_lock.h>
#include <fbl/string_buffer.h>
#include <fbl/unique_fd.h>
#include <zxtest/zxtest.h>

extern "C" int sdk_libs2_c_sync(void);

namespace {

// How many mappings this process has (ZX_INFO_PROCESS_MAPS entries).
size_t MappingCount() {
  size_t actual = 0, avail = 0;
  zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_MAPS, nullptr, 0, &actual, &avail);
  return avail;
}

TEST(FzlVmoMapper, CreateAndMapWritesThroughAndUnmaps) {
  const size_t page = zx_system_get_page_size();
  fzl::VmoMapper mapper;
  EXPECT_EQ(mapper.start(), nullptr);
  EXPECT_EQ(mapper.size(), 0u);
  zx::vmo vmo;
  ASSERT_OK(mapper.CreateAndMap(page + 1, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, nullptr, &vmo,
                                ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_GET_PROPERTY |
                                    ZX_RIGHT_MAP | ZX_RIGHT_TRANSFER | ZX_RIGHT_DUPLICATE));
  ASSERT_NE(mapper.start(), nullptr);
  EXPECT_EQ(mapper.size(), page + 1);  // as asked; the mapping is two whole pages
  EXPECT_FALSE(mapper.manager());
  memcpy(static_cast<char*>(mapper.start()) + page, "mapped", 7);
  char buf[7] = {};
  ASSERT_OK(vmo.read(buf, page, sizeof(buf)));
  EXPECT_STREQ(buf, "mapped");
  zx_info_handle_basic_t info;
  ASSERT_OK(vmo.get_info(ZX_INFO_HANDLE_BASIC, &info, sizeof(info), nullptr, nullptr));
  EXPECT_EQ(info.rights & ZX_RIGHT_EXECUTE, 0u);
  EXPECT_NE(info.rights & ZX_RIGHT_MAP, 0u);
  // A second map on a busy mapper is refused.
  EXPECT_STATUS(mapper.CreateAndMap(page), ZX_ERR_BAD_STATE);
  EXPECT_STATUS(mapper.Map(vmo), ZX_ERR_BAD_STATE);

  uintptr_t addr = reinterpret_cast<uintptr_t>(mapper.start());
  mapper.Unmap();
  EXPECT_EQ(mapper.start(), nullptr);
  EXPECT_EQ(mapper.size(), 0u);
  // The range is free again: mapping exactly there works.
  zx_info_vmar_t root;
  ASSERT_OK(zx::vmar::root_self()->get_info(ZX_INFO_VMAR, &root, sizeof(root), nullptr, nullptr));
  uintptr_t again = 0;
  ASSERT_OK(zx::vmar::root_self()->map(ZX_VM_PERM_READ | ZX_VM_SPECIFIC, addr - root.base, vmo, 0,
                                       page, &again));
  EXPECT_EQ(again, addr);
  ASSERT_OK(zx::vmar::root_self()->unmap(again, page));
  EXPECT_STATUS(mapper.CreateAndMap(0), ZX_ERR_INVALID_ARGS);
}

TEST(FzlVmoMapper, MapOffsetWholeVmoAndMove) {
  const size_t page = zx_system_get_page_size();
  zx::vmo vmo;
  ASSERT_OK(zx::vmo::create(4 * page, 0, &vmo));
  ASSERT_OK(vmo.write("third", 2 * page, 6));
  size_t before = MappingCount();
  {
    fzl::VmoMapper a;
    ASSERT_OK(a.Map(vmo, 2 * page));  // size 0: to the end
    EXPECT_EQ(a.size(), 2 * page);
    EXPECT_STREQ(static_cast<const char*>(a.start()), "third");
    EXPECT_STATUS(a.Map(vmo, 0, page), ZX_ERR_BAD_STATE);
    fzl::VmoMapper b(std::move(a));
    EXPECT_EQ(a.start(), nullptr);
    EXPECT_EQ(b.size(), 2 * page);
    fzl::VmoMapper c;
    ASSERT_OK(c.Map(vmo, 0, page, ZX_VM_PERM_READ));
    EXPECT_EQ(MappingCount(), before + 2);
    c = std::move(b);  // c's own mapping goes
    EXPECT_EQ(MappingCount(), before + 1);
    EXPECT_STREQ(static_cast<const char*>(c.start()), "third");
    fzl::VmoMapper d;
    EXPECT_STATUS(d.Map(vmo, 4 * page), ZX_ERR_INVALID_ARGS);
  }
  EXPECT_EQ(MappingCount(), before);
}

TEST(FzlVmoMapper, ManagerVmarHoldsTheMapping) {
  const size_t page = zx_system_get_page_size();
  fbl::RefPtr<fzl::VmarManager> mgr = fzl::VmarManager::Create(8 * page);
  ASSERT_TRUE(mgr);
  EXPECT_EQ(mgr->size(), 8 * page);
  EXPECT_TRUE(mgr->vmar().is_valid());
  EXPECT_FALSE(mgr->parent());
  fbl::RefPtr<fzl::VmarManager> child = fzl::VmarManager::Create(4 * page, mgr);
  ASSERT_TRUE(child);
  EXPECT_EQ(child->parent().get(), mgr.get());
  uintptr_t lo = reinterpret_cast<uintptr_t>(mgr->start());
  uintptr_t clo = reinterpret_cast<uintptr_t>(child->start());
  EXPECT_GE(clo, lo);
  EXPECT_LE(clo + 4 * page, lo + 8 * page);
  EXPECT_FALSE(fzl::VmarManager::Create(0));

  fzl::VmoMapper mapper;
  ASSERT_OK(mapper.CreateAndMap(2 * page, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, child));
  EXPECT_EQ(mapper.manager().get(), child.get());
  uintptr_t at = reinterpret_cast<uintptr_t>(mapper.start());
  EXPECT_GE(at, clo);
  EXPECT_LE(at + 2 * page, clo + 4 * page);
  static_cast<volatile char*>(mapper.start())[0] = 1;
  // Too big for the region.
  fzl::VmoMapper big;
  EXPECT_NOT_OK(big.CreateAndMap(16 * page, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, child));
  mapper.Unmap();
  EXPECT_FALSE(mapper.manager());
}

TEST(FzlOwnedVmoMapper, KeepsTheVmoNamedAndResets) {
  const size_t page = zx_system_get_page_size();
  fzl::OwnedVmoMapper m;
  ASSERT_OK(m.CreateAndMap(page, "owned-vmo"));
  ASSERT_TRUE(m.vmo().is_valid());
  EXPECT_EQ(m.size(), page);
  char name[ZX_MAX_NAME_LEN] = {};
  ASSERT_OK(m.vmo().get_property(ZX_PROP_NAME, name, sizeof(name)));
  EXPECT_STREQ(name, "owned-vmo");
  strcpy(static_cast<char*>(m.start()), "via map");
  char buf[8] = {};
  ASSERT_OK(m.vmo().read(buf, 0, sizeof(buf)));
  EXPECT_STREQ(buf, "via map");

  fzl::OwnedVmoMapper moved(std::move(m));
  EXPECT_FALSE(m.vmo().is_valid());
  EXPECT_EQ(m.start(), nullptr);
  EXPECT_TRUE(moved.vmo().is_valid());
  zx::vmo back = moved.Release();
  EXPECT_TRUE(back.is_valid());
  EXPECT_EQ(moved.start(), nullptr);

  fzl::OwnedVmoMapper n;
  ASSERT_OK(n.Map(std::move(back), 0, page, ZX_VM_PERM_READ));
  EXPECT_STREQ(static_cast<const char*>(n.start()), "via map");
  n.Reset();
  EXPECT_FALSE(n.vmo().is_valid());
  EXPECT_EQ(n.size(), 0u);
}

struct Counter {
  sync_mutex_t mutex;
  sync_condition_t cond;
  int value TA_GUARDED(mutex) = 0;
  int ready = 0;
};

int AddMany(void* arg) {
  auto* c = static_cast<Counter*>(arg);
  for (int i = 0; i < 20000; i++) {
    sync_mutex_lock(&c->mutex);
    c->value = c->value + 1;
    sync_mutex_unlock(&c->mutex);
  }
  return 0;
}

// Fuchsia's sizes.
static_assert(sizeof(sync_mutex_t) == 4);
static_assert(sizeof(sync_condition_t) == 24);

// 1 if a 20 ms timed lock of |arg| times out after at least 20 ms.
int TimedLockFromOtherThread(void* arg) {
  auto* m = static_cast<sync_mutex_t*>(arg);
  zx_instant_mono_t start = zx_clock_get_monotonic();
  zx_status_t s = sync_mutex_timedlock(m, zx_deadline_after(ZX_MSEC(20)));
  if (s == ZX_OK) {
    sync_mutex_unlock(m);
  }
  return s == ZX_ERR_TIMED_OUT && zx_clock_get_monotonic() - start >= ZX_MSEC(20);
}

TEST(SyncMutex, ExcludesAndTries) {
  Counter c;
  thrd_t t[3];
  for (auto& th : t) {
    ASSERT_EQ(thrd_create(&th, AddMany, &c), thrd_success);
  }
  AddMany(&c);
  for (auto& th : t) {
    ASSERT_EQ(thrd_join(th, nullptr), thrd_success);
  }
  EXPECT_EQ(c.value, 80000);

  sync_mutex_t m;
  EXPECT_OK(sync_mutex_trylock(&m));
  sync_mutex_assert_held(&m);
  EXPECT_STATUS(sync_mutex_trylock(&m), ZX_ERR_BAD_STATE);
  // Held here: another thread's timed lock gives up at its deadline.
  thrd_t other;
  ASSERT_EQ(thrd_create(&other, TimedLockFromOtherThread, &m), thrd_success);
  int timed_out = -1;
  ASSERT_EQ(thrd_join(other, &timed_out), thrd_success);
  EXPECT_EQ(timed_out, 1);
  sync_mutex_unlock(&m);
  EXPECT_OK(sync_mutex_timedlock(&m, zx_deadline_after(ZX_MSEC(20))));
  sync_mutex_unlock(&m);
  sync_mutex_unlock(&m);  // already unlocked: nothing happens
  EXPECT_OK(sync_mutex_trylock(&m));
  sync_mutex_unlock(&m);
}

int WaitForValue(void* arg) {
  auto* c = static_cast<Counter*>(arg);
  sync_mutex_lock(&c->mutex);
  c->ready++;
  sync_condition_broadcast(&c->cond);
  while (c->value == 0) {
    sync_condition_wait(&c->cond, &c->mutex);
  }
  c->value++;
  sync_mutex_unlock(&c->mutex);
  return 0;
}

TEST(SyncCondition, SignalBroadcastAndTimeout) {
  Counter c;
  thrd_t t[3];
  for (auto& th : t) {
    ASSERT_EQ(thrd_create(&th, WaitForValue, &c), thrd_success);
  }
  sync_mutex_lock(&c.mutex);
  while (c.ready < 3) {
    sync_condition_wait(&c.cond, &c.mutex);
  }
  c.value = 1;
  sync_condition_broadcast(&c.cond);
  sync_mutex_unlock(&c.mutex);
  for (auto& th : t) {
    ASSERT_EQ(thrd_join(th, nullptr), thrd_success);
  }
  EXPECT_EQ(c.value, 4);

  // No signal: the wait times out, with the mutex held again.
  sync_mutex_lock(&c.mutex);
  zx_instant_mono_t start = zx_clock_get_monotonic();
  EXPECT_STATUS(sync_condition_timedwait(&c.cond, &c.mutex, zx_deadline_after(ZX_MSEC(20))),
                ZX_ERR_TIMED_OUT);
  EXPECT_GE(zx_clock_get_monotonic() - start, ZX_MSEC(20));
  EXPECT_STATUS(sync_mutex_trylock(&c.mutex), ZX_ERR_BAD_STATE);
  sync_mutex_unlock(&c.mutex);
  sync_condition_signal(&c.cond);  // nobody waiting: nothing happens
}

int TryFromOtherThread(void* arg) {
  auto* m = static_cast<sync_mutex_t*>(arg);
  zx_status_t s = sync_mutex_trylock(m);
  if (s == ZX_OK) {
    sync_mutex_unlock(m);
  }
  return s == ZX_OK ? 1 : 0;
}

TEST(SyncMutex, WordHoldsTheOwner) {
  sync_mutex_t m;
  sync_mutex_lock(&m);
  sync_mutex_assert_held(&m);
  // The owner's handle (a waiter would clear bit 1).
  EXPECT_EQ(static_cast<zx_handle_t>(m.futex) | ZX_HANDLE_FIXED_BITS_MASK, zx_thread_self());
  thrd_t t;
  ASSERT_EQ(thrd_create(&t, TryFromOtherThread, &m), thrd_success);
  int got = -1;
  ASSERT_EQ(thrd_join(t, &got), thrd_success);
  EXPECT_EQ(got, 0);
  sync_mutex_unlock(&m);
  EXPECT_EQ(m.futex, 0);
  ASSERT_EQ(thrd_create(&t, TryFromOtherThread, &m), thrd_success);
  ASSERT_EQ(thrd_join(t, &got), thrd_success);
  EXPECT_EQ(got, 1);
}

int RelockOwnMutex(void*) {
  sync_mutex_t m;
  sync_mutex_lock(&m);
  sync_mutex_lock(&m);  // traps
  return 5;
}

TEST(SyncMutex, RelockingTrapsInsteadOfDeadlocking) {
  test_exceptions::ExceptionCatcher catcher(*zx::process::self());
  thrd_t t;
  ASSERT_EQ(thrd_create(&t, RelockOwnMutex, nullptr), thrd_success);
  zx::unowned_thread thread(thrd_get_zx_handle(t));
  auto result = catcher.ExpectException(*thread);
  ASSERT_OK(result.status_value());
  zx_exception_report_t report;
  ASSERT_OK(thread->get_info(ZX_INFO_THREAD_EXCEPTION_REPORT, &report, sizeof(report), nullptr,
                             nullptr));
  EXPECT_EQ(report.header.type, ZX_EXCP_UNDEFINED_INSTRUCTION);
  ASSERT_OK(test_exceptions::ExitExceptionCThread(std::move(result.value())));
  int rc = -1;
  ASSERT_EQ(thrd_join(t, &rc), thrd_success);
  EXPECT_EQ(rc, 0);
  EXPECT_OK(catcher.Stop());
}

TEST(LibsyncMutex, LockableAndGet) {
  libsync::Mutex mutex;
  {
    std::lock_guard guard(mutex);
    EXPECT_FALSE(mutex.try_lock());
    sync_mutex_assert_held(mutex.get());
  }
  EXPECT_TRUE(mutex.try_lock());
  mutex.unlock();
  sync_mutex_lock(mutex.get());
  EXPECT_FALSE(mutex.try_lock());
  sync_mutex_unlock(mutex.get());
  EXPECT_TRUE(mutex.try_lock());
  mutex.unlock();
}

TEST(SyncMutex, FromC) { EXPECT_EQ(sdk_libs2_c_sync(), 0); }

struct Signaled {
  sync_mutex_t mutex;
  sync_condition_t cond;
  bool flag = false;
};

int SignalLater(void* arg) {
  auto* s = static_cast<Signaled*>(arg);
  zx_nanosleep(zx_deadline_after(ZX_MSEC(5)));
  sync_mutex_lock(&s->mutex);
  s->flag = true;
  sync_condition_signal(&s->cond);
  sync_mutex_unlock(&s->mutex);
  return 0;
}

TEST(SyncCondition, TimedWaitSeesSignal) {
  Signaled s;
  thrd_t t;
  ASSERT_EQ(thrd_create(&t, SignalLater, &s), thrd_success);
  sync_mutex_lock(&s.mutex);
  zx_status_t status = ZX_OK;
  while (!s.flag && status == ZX_OK) {
    status = sync_condition_timedwait(&s.cond, &s.mutex, zx_deadline_after(ZX_SEC(10)));
  }
  EXPECT_OK(status);
  EXPECT_TRUE(s.flag);
  sync_mutex_unlock(&s.mutex);
  ASSERT_EQ(thrd_join(t, nullptr), thrd_success);
}

TEST(FblStringBuffer, AppendPrintfResizeClear) {
  fbl::StringBuffer<16> b;
  EXPECT_EQ(b.capacity(), 16u);
  EXPECT_TRUE(b.empty());
  EXPECT_STREQ(b.c_str(), "");
  b.Append("ab").Append('c').Append(std::string_view("def", 2)).Append("xyz", 1);
  EXPECT_STREQ(b.c_str(), "abcdex");
  EXPECT_EQ(b.size(), 6u);
  EXPECT_EQ(b.length(), 6u);
  EXPECT_EQ(b[2], 'c');
  b[0] = 'A';
  EXPECT_EQ(b.data()[0], 'A');
  b.AppendPrintf("-%d-%s", 42, "hi");
  EXPECT_STREQ(b.c_str(), "Abcdex-42-hi");
  b.AppendPrintf("%s", "0123456789");  // cut off at 16
  EXPECT_EQ(b.length(), 16u);
  EXPECT_STREQ(b.c_str(), "Abcdex-42-hi0123");
  b.Append("more");
  EXPECT_EQ(b.length(), 16u);
  b.Resize(3);
  EXPECT_TRUE(b == std::string_view("Abc"));
  b.Resize(5, '!');
  EXPECT_STREQ(b.c_str(), "Abc!!");
  b.RemovePrefix(1);
  EXPECT_STREQ(b.c_str(), "bc!!");
  size_t n = 0;
  for (char ch : b) {
    n += ch != 0;
  }
  EXPECT_EQ(n, 4u);
  fbl::StringBuffer<16> copy = b;
  b.Clear();
  EXPECT_EQ(b.length(), 0u);
  EXPECT_STREQ(b.c_str(), "");
  EXPECT_STREQ(copy.c_str(), "bc!!");
  std::string_view sv = copy;
  EXPECT_EQ(sv.size(), 4u);
}

TEST(FblUniqueFd, OwnsResetsReleases) {
  fbl::unique_fd none;
  EXPECT_FALSE(none);
  EXPECT_FALSE(none.is_valid());
  EXPECT_EQ(none.get(), -1);
  fbl::unique_fd fd(1234);
  EXPECT_TRUE(fd);
  EXPECT_EQ(fd.get(), 1234);
  fbl::unique_fd other(std::move(fd));
  EXPECT_FALSE(fd.is_valid());
  EXPECT_EQ(other.get(), 1234);
  EXPECT_EQ(other.release(), 1234);
  EXPECT_FALSE(other.is_valid());
  other.reset(4321);
  fd.swap(other);
  EXPECT_EQ(fd.get(), 4321);
  EXPECT_EQ(other.get(), -1);
  EXPECT_EQ(fd.release(), 4321);  // never a real descriptor: not closed
}

class Account {
 public:
  void Add(int n) TA_EXCL(lock_) {
    fbl::AutoLock guard(&lock_);
    balance_ += n;
  }
  int Get() TA_EXCL(lock_) {
    std::lock_guard<fbl::Mutex> guard(lock_);
    return balance_;
  }
  fbl::Mutex& lock() TA_RET_CAP(lock_) { return lock_; }

 private:
  fbl::Mutex lock_;
  int balance_ TA_GUARDED(lock_) = 0;
};

int Deposit(void* arg) {
  auto* a = static_cast<Account*>(arg);
  for (int i = 0; i < 10000; i++) {
    a->Add(1);
  }
  return 0;
}

TEST(FblMutex, AutoLockExcludesAndReleases) {
  Account a;
  thrd_t t[2];
  for (auto& th : t) {
    ASSERT_EQ(thrd_create(&th, Deposit, &a), thrd_success);
  }
  Deposit(&a);
  for (auto& th : t) {
    ASSERT_EQ(thrd_join(th, nullptr), thrd_success);
  }
  EXPECT_EQ(a.Get(), 30000);

  fbl::Mutex& m = a.lock();
  {
    fbl::AutoLock guard(&m);
    EXPECT_FALSE(m.TryAcquire());
    m.AssertHeld();
    guard.release();
    EXPECT_TRUE(m.TryAcquire());
    m.Release();
    guard.release();  // twice: nothing more
  }
  EXPECT_TRUE(m.try_lock());
  EXPECT_EQ(mtx_trylock(m.GetInternal()), thrd_busy);  // Fuchsia's fbl::Mutex is an mtx_t
  m.unlock();
  {
    fbl::AutoLock guard(m.GetInternal());  // AutoLock<mtx_t>
    EXPECT_FALSE(m.TryAcquire());
  }
  EXPECT_TRUE(m.TryAcquire());
  m.Release();

  fbl::NullLock null;
  {
    fbl::AutoLock guard(&null);
    null.Acquire();
    null.Release();
  }
}

TEST(ZirconInternal, MacrosAndAnnotations) {
  int arr[7];
  static_assert(countof(arr) == 7);
  static_assert(KB == 1024UL && MB == 1024UL * 1024 && GB == 1024UL * 1024 * 1024);
  (void)arr;
}

TEST(StandaloneTest, ResourcesFromStartupHandles) {
  zx::unowned_resource root = standalone::GetRootResource();
  zx::unowned_resource system = standalone::GetSystemResource();
  ASSERT_TRUE(root->is_valid());
  ASSERT_TRUE(system->is_valid());
  // Kept: asking again gives the same handles, and the startup handles are gone.
  EXPECT_EQ(standalone::GetRootResource()->get(), root->get());
  EXPECT_EQ(standalone::GetSystemResource()->get(), system->get());
  EXPECT_EQ(zx_take_startup_handle(PA_HND(PA_RESOURCE, 0)), ZX_HANDLE_INVALID);
  zx_info_resource_t info;
  ASSERT_OK(system->get_info(ZX_INFO_RESOURCE, &info, sizeof(info), nullptr, nullptr));
  EXPECT_EQ(info.kind, ZX_RSRC_KIND_SYSTEM);
  zx::result<zx::resource> dbg =
      standalone::GetSystemResourceWithBase(system, ZX_RSRC_SYSTEM_DEBUG_BASE);
  ASSERT_TRUE(dbg.is_ok());
  EXPECT_TRUE(dbg->is_valid());
  // Not granted here.
  EXPECT_FALSE(standalone::GetMmioResource()->is_valid());
  EXPECT_FALSE(standalone::GetIrqResource()->is_valid());
  EXPECT_FALSE(standalone::GetIoportResource()->is_valid());
  EXPECT_FALSE(standalone::GetSmcResource()->is_valid());
  zx::unowned_resource none;
  EXPECT_STATUS(standalone::GetSystemResourceWithBase(none, 0).status_value(),
                ZX_ERR_BAD_HANDLE);
  EXPECT_FALSE(standalone::GetVmo("zbi")->is_valid());
  EXPECT_FALSE(standalone::GetNsDir("svc")->is_valid());
  EXPECT_FALSE(standalone::GetBootOptions().always_use_next_vdso);
  EXPECT_FALSE(standalone::GetBootOptions().test_ram_reserve);
  standalone::LogWrite("standalone log line\n");
}

TEST(Hypervisor, AbiLayoutsAndNotSupported) {
  static_assert(ZX_GUEST_TRAP_BELL == 0 && ZX_GUEST_TRAP_MEM == 1 && ZX_GUEST_TRAP_IO == 2);
  static_assert(ZX_VCPU_STATE == 0 && ZX_VCPU_IO == 1);
  static_assert(sizeof(zx_vcpu_state_t) == 17 * 8);
  static_assert(offsetof(zx_vcpu_state_t, rflags) == 16 * 8);
  static_assert(sizeof(zx_vcpu_io_t) == 8);
  static_assert(offsetof(zx_vcpu_io_t, u32) == 4 && offsetof(zx_vcpu_io_t, data) == 4);
  // The guest exit packets fit the port packet's 32-byte payload.
  static_assert(sizeof(zx_packet_guest_bell_t) == 32 && sizeof(zx_packet_guest_mem_t) == 32);
  static_assert(sizeof(zx_packet_guest_io_t) == 32 && sizeof(zx_packet_guest_vcpu_t) == 32);
  static_assert(sizeof(zx_packet_interrupt_t) == 32 && sizeof(zx_port_packet_t) == 48);
  static_assert(offsetof(zx_packet_guest_io_t, u32) == 4);
  static_assert(offsetof(zx_packet_guest_mem_t, instruction_size) == 24);
  static_assert(offsetof(zx_packet_guest_vcpu_t, startup.entry) == 16);
  static_assert(ZX_PKT_IS_GUEST_IO(ZX_PKT_TYPE_GUEST_IO) && ZX_PKT_IS_INTERRUPT(0x07u));
  static_assert(ZX_PKT_GUEST_VCPU_INTERRUPT == 0 && ZX_PKT_GUEST_VCPU_STARTUP == 1);
  zx_vcpu_io_t io = {};
  io.access_size = 2;
  io.u16 = 0xbeef;
  EXPECT_EQ(io.data[0], 0xef);
  zx_handle_t guest = ZX_HANDLE_INVALID, vmar = ZX_HANDLE_INVALID;
  EXPECT_NOT_OK(zx_guest_create(standalone::GetRootResource()->get(), 0, &guest, &vmar));
  zx_vcpu_state_t state = {};
  EXPECT_NOT_OK(zx_vcpu_read_state(ZX_HANDLE_INVALID, ZX_VCPU_STATE, &state, sizeof(state)));
}

}  // namespace
