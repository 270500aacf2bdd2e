// The SDK's Fuchsia-style libraries (fbl::Array, fbl::DoublyLinkedList,
// sync_completion, inspector, test-exceptions, elfldltl, hwreg::AsmHeader,
// kernel_aspace, boot-options, maybe-standalone, explicit-memory,
// stdcompat, thrd_create_with_name), as a zx-c++ guest built with
// sdk_libs_c.c and -fno-omit-frame-pointer. Run by
// linux-loader/tests/cxx.rs, which checks that every case passes.
#include <arch/kernel_aspace.h>
#include <explicit-memory/bytes.h>
#include <inspector/inspector.h>
#include <lib/boot-options/boot-options.h>
#include <lib/elfldltl/machine.h>
#include <lib/maybe-standalone-test/maybe-standalone.h>
#include <lib/stdcompat/span.h>
#include <lib/sync/completion.h>
#include <lib/test-exceptions/exception-catcher.h>
#include <lib/test-exceptions/exception-handling.h>
#include <lib/zx/process.h>
#include <lib/zx/thread.h>
#include <lib/zx/vmar.h>
#include <lib/zx/vmo.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <zircon/compiler.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/debug.h>
#include <zircon/syscalls/object.h>
#include <zircon/threads.h>
#include <zxtest/zxtest.h>

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fbl/array.h>
#include <fbl/intrusive_double_list.h>
#include <fbl/ref_counted.h>
#include <fbl/ref_ptr.h>
#include <hwreg/asm.h>

extern "C" int c_sync_completion_checks(void);
extern "C" int c_explicit_memory_checks(void);
extern "C" int c_arm64_debug_checks(void);

namespace {

// ---------------------------------------------------------------- fbl::Array

int g_live_counted = 0;
struct Counted {
  Counted() { g_live_counted++; }
  ~Counted() { g_live_counted--; }
  int value = 7;
};

TEST(FblArray, MakeArrayValueInitialisesAndIndexes) {
  fbl::Array<int> a = fbl::MakeArray<int>(5);
  ASSERT_EQ(a.size(), 5u);
  EXPECT_FALSE(a.empty());
  EXPECT_TRUE(static_cast<bool>(a));
  for (size_t i = 0; i < a.size(); i++) {
    EXPECT_EQ(a[i], 0);
    a[i] = static_cast<int>(i * 3);
  }
  int sum = 0;
  for (int v : a) sum += v;
  EXPECT_EQ(sum, 0 + 3 + 6 + 9 + 12);
  EXPECT_EQ(a.data(), a.get());
  EXPECT_EQ(a.end() - a.begin(), 5);

  fbl::AllocChecker ac;
  fbl::Array<uint8_t> b = fbl::MakeArray<uint8_t>(&ac, 64);
  ASSERT_TRUE(ac.check());
  EXPECT_EQ(b.size(), 64u);
}

TEST(FblArray, OwnershipMovesAndFrees) {
  {
    fbl::Array<Counted> a(new Counted[3], 3);
    EXPECT_EQ(g_live_counted, 3);
    fbl::Array<Counted> b(std::move(a));
    EXPECT_EQ(a.size(), 0u);
    EXPECT_NULL(a.get());
    EXPECT_EQ(b.size(), 3u);
    EXPECT_EQ(b[2].value, 7);

    fbl::Array<Counted> c;
    EXPECT_TRUE(c.empty());
    c = std::move(b);
    EXPECT_EQ(c.size(), 3u);
    EXPECT_EQ(g_live_counted, 3);

    // reset() frees what was held.
    c.reset(new Counted[2], 2);
    EXPECT_EQ(g_live_counted, 2);
    c.reset();
    EXPECT_EQ(g_live_counted, 0);
    EXPECT_FALSE(static_cast<bool>(c));

    fbl::Array<Counted> d(new Counted[4], 4);
    Counted* raw = d.release();
    EXPECT_TRUE(d.empty());
    EXPECT_EQ(g_live_counted, 4);
    delete[] raw;
  }
  EXPECT_EQ(g_live_counted, 0);
}

TEST(FblArray, SwapAndConstConversion) {
  fbl::Array<int> a = fbl::MakeArray<int>(2);
  fbl::Array<int> b = fbl::MakeArray<int>(5);
  int* pa = a.get();
  a.swap(b);
  EXPECT_EQ(a.size(), 5u);
  EXPECT_EQ(b.size(), 2u);
  EXPECT_EQ(b.get(), pa);

  fbl::Array<const int> c(std::move(b));
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(c.get(), pa);
  static_assert(std::is_same_v<decltype(c[0]), const int&>);
  static_assert(!std::is_constructible_v<fbl::Array<int>, fbl::Array<const int>&&>);
  static_assert(!std::is_copy_constructible_v<fbl::Array<int>>);
}

// ------------------------------------------------------- fbl::DoublyLinkedList

struct Node : public fbl::DoublyLinkedListable<Node*> {
  explicit Node(int v) : value(v) {}
  int value;
};

template <typename List>
std::vector<int> Values(const List& list) {
  std::vector<int> out;
  for (const auto& n : list) out.push_back(n.value);
  return out;
}

template <typename List>
std::vector<int> ValuesBackwards(List& list) {
  std::vector<int> out;
  auto it = list.end();
  while (it != list.begin()) {
    --it;
    out.push_back(it->value);
  }
  return out;
}

TEST(FblList, PushInsertIterateBothWays) {
  Node n1(1), n2(2), n3(3), n4(4), n5(5);
  fbl::DoublyLinkedList<Node*> list;
  EXPECT_TRUE(list.is_empty());
  EXPECT_EQ(list.size_slow(), 0u);
  EXPECT_TRUE(list.begin() == list.end());

  list.push_back(&n2);
  list.push_front(&n1);
  list.push_back(&n4);
  EXPECT_TRUE(n1.InContainer());
  EXPECT_FALSE(n3.InContainer());

  // insert() goes before the iterator, insert_after() after it.
  auto it = list.make_iterator(n4);
  auto at3 = list.insert(it, &n3);
  EXPECT_EQ(at3->value, 3);
  list.insert_after(list.make_iterator(n4), &n5);

  EXPECT_EQ(Values(list), (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(ValuesBackwards(list), (std::vector<int>{5, 4, 3, 2, 1}));
  EXPECT_EQ(list.size_slow(), 5u);
  EXPECT_EQ(list.front().value, 1);
  EXPECT_EQ(list.back().value, 5);
  // --end() is the last element; --begin() is end().
  EXPECT_EQ((--list.end())->value, 5);
  EXPECT_TRUE(--list.begin() == list.end());
  EXPECT_FALSE(list.end().IsValid());
  EXPECT_EQ(list.begin().CopyPointer(), &n1);

  // Iterators satisfy the standard library's bidirectional iterator.
  static_assert(std::bidirectional_iterator<fbl::DoublyLinkedList<Node*>::iterator>);
  EXPECT_EQ(std::distance(list.begin(), list.end()), 5);
  list.clear();
  EXPECT_TRUE(list.is_empty());
  EXPECT_FALSE(n3.InContainer());
}

TEST(FblList, EraseAndPop) {
  Node n1(1), n2(2), n3(3), n4(4);
  fbl::DoublyLinkedList<Node*> list;
  EXPECT_NULL(list.pop_front());
  EXPECT_NULL(list.pop_back());
  for (Node* n : {&n1, &n2, &n3, &n4}) list.push_back(n);

  EXPECT_EQ(list.erase(n3), &n3);
  EXPECT_FALSE(n3.InContainer());
  EXPECT_EQ(Values(list), (std::vector<int>{1, 2, 4}));
  EXPECT_EQ(list.erase(list.begin()), &n1);
  EXPECT_NULL(list.erase(list.end()));
  EXPECT_EQ(list.erase_next(list.begin()), &n4);
  EXPECT_NULL(list.erase_next(list.begin()));
  EXPECT_EQ(Values(list), (std::vector<int>{2}));
  list.push_front(&n1);
  EXPECT_EQ(list.pop_back(), &n2);
  EXPECT_EQ(list.pop_front(), &n1);
  EXPECT_TRUE(list.is_empty());

  // Erasing while walking with a range-for is fine when we stop at once.
  for (Node* n : {&n1, &n2, &n3}) list.push_back(n);
  for (auto& n : list) {
    if (n.value == 2) {
      list.erase(n);
      break;
    }
  }
  EXPECT_EQ(Values(list), (std::vector<int>{1, 3}));
  list.clear();
}

TEST(FblList, FindReplaceSpliceSplitSwap) {
  Node n[8] = {Node(0), Node(1), Node(2), Node(3), Node(4), Node(5), Node(6), Node(7)};
  fbl::DoublyLinkedList<Node*> a, b;
  for (int i = 0; i < 4; i++) a.push_back(&n[i]);
  for (int i = 4; i < 7; i++) b.push_back(&n[i]);

  auto found = a.find_if([](const Node& x) { return x.value == 2; });
  ASSERT_TRUE(found.IsValid());
  EXPECT_EQ(found->value, 2);
  EXPECT_FALSE(a.find_if([](const Node& x) { return x.value == 9; }).IsValid());

  // replace puts n[7] where n[2] was.
  EXPECT_EQ(a.replace(n[2], &n[7]), &n[2]);
  EXPECT_FALSE(n[2].InContainer());
  EXPECT_EQ(Values(a), (std::vector<int>{0, 1, 7, 3}));
  EXPECT_EQ(a.replace_if([](const Node& x) { return x.value == 7; }, &n[2]), &n[7]);
  // No match: the move form hands the pointer back, the copy form gives null.
  EXPECT_EQ(a.replace_if([](const Node& x) { return x.value == 9; }, &n[7]), &n[7]);
  Node* const seven = &n[7];
  EXPECT_NULL(a.replace_if([](const Node& x) { return x.value == 9; }, seven));
  EXPECT_EQ(a.erase_if([](const Node& x) { return x.value == 1; }), &n[1]);
  EXPECT_NULL(a.erase_if([](const Node& x) { return x.value == 1; }));
  a.insert(a.make_iterator(n[2]), &n[1]);
  EXPECT_EQ(Values(a), (std::vector<int>{0, 1, 2, 3}));

  // splice b before a's n[2].
  a.splice(a.make_iterator(n[2]), b);
  EXPECT_TRUE(b.is_empty());
  EXPECT_EQ(Values(a), (std::vector<int>{0, 1, 4, 5, 6, 2, 3}));
  EXPECT_EQ(ValuesBackwards(a), (std::vector<int>{3, 2, 6, 5, 4, 1, 0}));

  // split after n[6]: a keeps 0 1 4 5 6, the rest is a new list.
  fbl::DoublyLinkedList<Node*> rest = a.split_after(n[6]);
  EXPECT_EQ(Values(a), (std::vector<int>{0, 1, 4, 5, 6}));
  EXPECT_EQ(Values(rest), (std::vector<int>{2, 3}));
  EXPECT_EQ(ValuesBackwards(rest), (std::vector<int>{3, 2}));
  EXPECT_TRUE(a.split_after(n[6]).is_empty());

  // swap and move keep both lists walkable from either end (the end nodes
  // point back at the list object they are now in).
  a.swap(rest);
  EXPECT_EQ(Values(a), (std::vector<int>{2, 3}));
  EXPECT_EQ(ValuesBackwards(rest), (std::vector<int>{6, 5, 4, 1, 0}));
  fbl::DoublyLinkedList<Node*> moved(std::move(rest));
  EXPECT_TRUE(rest.is_empty());
  EXPECT_EQ(ValuesBackwards(moved), (std::vector<int>{6, 5, 4, 1, 0}));
  moved.push_back(&n[7]);
  EXPECT_EQ(moved.back().value, 7);
  EXPECT_EQ(moved.erase(n[0]), &n[0]);
  EXPECT_EQ(moved.front().value, 1);
  a.clear();
  moved.clear();
}

int g_live_owned = 0;
struct Owned : public fbl::DoublyLinkedListable<std::unique_ptr<Owned>> {
  explicit Owned(int v) : value(v) { g_live_owned++; }
  ~Owned() { g_live_owned--; }
  int value;
};

TEST(FblList, UniquePtrListOwnsItsElements) {
  {
    fbl::DoublyLinkedList<std::unique_ptr<Owned>> list;
    for (int i = 0; i < 4; i++) list.push_back(std::make_unique<Owned>(i));
    EXPECT_EQ(g_live_owned, 4);
    std::unique_ptr<Owned> first = list.pop_front();
    ASSERT_TRUE(first != nullptr);
    EXPECT_EQ(first->value, 0);
    EXPECT_FALSE(first->InContainer());
    first.reset();
    EXPECT_EQ(g_live_owned, 3);
    Owned& mid = *list.make_iterator(list.front());
    std::unique_ptr<Owned> taken = list.erase(mid);
    EXPECT_EQ(taken->value, 1);
    EXPECT_EQ(Values(list), (std::vector<int>{2, 3}));
    list.push_front(std::move(taken));
    EXPECT_EQ(Values(list), (std::vector<int>{1, 2, 3}));
    fbl::DoublyLinkedList<std::unique_ptr<Owned>> other;
    other = std::move(list);
    EXPECT_TRUE(list.is_empty());
    EXPECT_EQ(g_live_owned, 3);
  }
  // The list's destructor freed what it still held.
  EXPECT_EQ(g_live_owned, 0);
}

TEST(FblList, SizedList) {
  Node n1(1), n2(2), n3(3);
  fbl::SizedDoublyLinkedList<Node*> list;
  EXPECT_EQ(list.size(), 0u);
  list.push_back(&n1);
  list.push_back(&n2);
  list.insert(list.begin(), &n3);
  EXPECT_EQ(list.size(), 3u);
  list.erase(n2);
  EXPECT_EQ(list.size(), 2u);
  fbl::SizedDoublyLinkedList<Node*> other;
  other.push_back(&n2);
  list.splice(list.end(), other);
  EXPECT_EQ(list.size(), 3u);
  EXPECT_EQ(other.size(), 0u);
  EXPECT_EQ(Values(list), (std::vector<int>{3, 1, 2}));
  list.clear();
  EXPECT_EQ(list.size(), 0u);
}

struct TagA {};
struct TagB {};
struct TwoLists : public fbl::ContainableBaseClasses<fbl::TaggedDoublyLinkedListable<TwoLists*, TagA>,
                                                     fbl::TaggedDoublyLinkedListable<TwoLists*, TagB>> {
  explicit TwoLists(int v) : value(v) {}
  int value;
};

TEST(FblList, OneObjectInTwoTaggedLists) {
  TwoLists x(1), y(2), z(3);
  fbl::TaggedDoublyLinkedList<TwoLists*, TagA> a;
  fbl::TaggedDoublyLinkedList<TwoLists*, TagB> b;
  a.push_back(&x);
  a.push_back(&y);
  a.push_back(&z);
  b.push_front(&x);
  b.push_front(&z);
  EXPECT_EQ(Values(a), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(Values(b), (std::vector<int>{3, 1}));
  a.erase(x);
  EXPECT_EQ(Values(a), (std::vector<int>{2, 3}));
  EXPECT_EQ(Values(b), (std::vector<int>{3, 1}));
  a.clear();
  b.clear();
}

struct Removable
    : public fbl::DoublyLinkedListable<Removable*, fbl::NodeOptions::AllowRemoveFromContainer> {
  explicit Removable(int v) : value(v) {}
  int value;
};

TEST(FblList, RemoveFromContainerWithoutTheList) {
  Removable r1(1), r2(2), r3(3);
  fbl::DoublyLinkedList<Removable*> list;
  list.push_back(&r1);
  list.push_back(&r2);
  list.push_back(&r3);
  EXPECT_EQ(r2.RemoveFromContainer(), &r2);
  EXPECT_EQ(Values(list), (std::vector<int>{1, 3}));
  EXPECT_EQ(r3.RemoveFromContainer(), &r3);  // the tail
  EXPECT_EQ(r1.RemoveFromContainer(), &r1);  // the head, and the last one
  EXPECT_TRUE(list.is_empty());
  list.push_back(&r2);
  EXPECT_EQ(list.back().value, 2);
  list.clear();
}

int g_live_shared = 0;
struct SharedBase : public fbl::RefCounted<SharedBase> {
  SharedBase() { g_live_shared++; }
  virtual ~SharedBase() { g_live_shared--; }
  virtual int Kind() const { return 1; }
};
struct SharedDerived : public SharedBase {
  explicit SharedDerived(int v) : value(v) {}
  int Kind() const override { return 2; }
  int value;
};

TEST(FblRefPtr, CountsAndDeletesAtZero) {
  {
    fbl::RefPtr<SharedDerived> a = fbl::MakeRefCounted<SharedDerived>(9);
    EXPECT_EQ(g_live_shared, 1);
    EXPECT_EQ(a->ref_count_debug(), 1);
    fbl::RefPtr<SharedDerived> b = a;
    EXPECT_EQ(a->ref_count_debug(), 2);
    EXPECT_TRUE(a == b);
    fbl::RefPtr<SharedBase> base = b;  // upcast: SharedBase has a virtual destructor
    EXPECT_EQ(base->Kind(), 2);
    EXPECT_EQ(a->ref_count_debug(), 3);
    fbl::RefPtr<SharedBase> moved = std::move(base);
    EXPECT_TRUE(base == nullptr);
    EXPECT_EQ(a->ref_count_debug(), 3);
    auto down = fbl::RefPtr<SharedDerived>::Downcast(moved);
    EXPECT_EQ(down->value, 9);
    EXPECT_EQ(a->ref_count_debug(), 4);

    SharedDerived* raw = fbl::ExportToRawPtr(&b);
    EXPECT_TRUE(b == nullptr);
    EXPECT_EQ(raw->ref_count_debug(), 4);
    fbl::RefPtr<SharedDerived> back = fbl::ImportFromRawPtr(raw);
    EXPECT_EQ(raw->ref_count_debug(), 4);
    fbl::RefPtr<SharedDerived> again(raw);  // RefPtr(T*) adds a reference
    EXPECT_EQ(raw->ref_count_debug(), 5);
    a.reset();
    down.reset();
    moved.reset();
    again = nullptr;
    EXPECT_EQ(g_live_shared, 1);
    EXPECT_EQ(back->ref_count_debug(), 1);
  }
  EXPECT_EQ(g_live_shared, 0);
  fbl::RefPtr<SharedBase> adopted = fbl::AdoptRef(new SharedBase);
  EXPECT_EQ(adopted->Kind(), 1);
  adopted.reset();
  EXPECT_EQ(g_live_shared, 0);
}

struct Shared : public fbl::RefCounted<Shared>,
                public fbl::DoublyLinkedListable<fbl::RefPtr<Shared>> {
  explicit Shared(int v) : value(v) { g_live_shared++; }
  ~Shared() { g_live_shared--; }
  int value;
};

TEST(FblList, RefPtrListHoldsAReference) {
  fbl::RefPtr<Shared> one = fbl::MakeRefCounted<Shared>(1);
  {
    fbl::DoublyLinkedList<fbl::RefPtr<Shared>> list;
    list.push_back(one);  // a copy: one more reference
    list.push_back(fbl::MakeRefCounted<Shared>(2));
    EXPECT_EQ(one->ref_count_debug(), 2);
    EXPECT_EQ(g_live_shared, 2);
    EXPECT_EQ(Values(list), (std::vector<int>{1, 2}));
    EXPECT_TRUE(list.begin().CopyPointer() == one);
    EXPECT_EQ(one->ref_count_debug(), 2);
    fbl::RefPtr<Shared> two = list.pop_back();
    EXPECT_EQ(two->value, 2);
    EXPECT_EQ(two->ref_count_debug(), 1);
  }
  // The list let go of its reference to |one|; |two| died with its RefPtr.
  EXPECT_EQ(one->ref_count_debug(), 1);
  EXPECT_EQ(g_live_shared, 1);
  one.reset();
  EXPECT_EQ(g_live_shared, 0);
}

// ------------------------------------------------------------ sync_completion

TEST(SyncCompletion, CApiFromC) {
  EXPECT_EQ(c_sync_completion_checks(), 0);
}

TEST(SyncCompletion, DeadlinePasses) {
  sync_completion_t c;
  zx_time_t before = zx_clock_get_monotonic();
  EXPECT_STATUS(sync_completion_wait(&c, ZX_MSEC(30)), ZX_ERR_TIMED_OUT);
  EXPECT_GE(zx_clock_get_monotonic() - before, ZX_MSEC(30));
  EXPECT_STATUS(sync_completion_wait_deadline(&c, zx_clock_get_monotonic() - 1),
                ZX_ERR_TIMED_OUT);
  sync_completion_signal(&c);
  EXPECT_OK(sync_completion_wait_deadline(&c, 0));  // past deadline, but signaled
}

TEST(SyncCompletion, SignalWakesEveryWaiter) {
  sync_completion_t c;
  std::atomic<int> woken{0};
  auto waiter = [](void* arg) -> int {
    auto* args = static_cast<std::pair<sync_completion_t*, std::atomic<int>*>*>(arg);
    if (sync_completion_wait(args->first, ZX_TIME_INFINITE) != ZX_OK) return 1;
    args->second->fetch_add(1);
    return 0;
  };
  std::pair<sync_completion_t*, std::atomic<int>*> args{&c, &woken};
  thrd_t t[3];
  for (auto& th : t) ASSERT_EQ(thrd_create(&th, waiter, &args), thrd_success);
  zx_nanosleep(zx_deadline_after(ZX_MSEC(30)));
  EXPECT_EQ(woken.load(), 0);
  sync_completion_signal(&c);
  for (auto& th : t) {
    int rc = -1;
    ASSERT_EQ(thrd_join(th, &rc), thrd_success);
    EXPECT_EQ(rc, 0);
  }
  EXPECT_EQ(woken.load(), 3);
}

TEST(SyncCompletion, SignalRequeueMovesWaitersToTheTarget) {
  struct Args {
    sync_completion_t c;
    std::atomic<int> done{0};
  } args;
  auto waiter = [](void* arg) -> int {
    auto* a = static_cast<Args*>(arg);
    zx_status_t s = sync_completion_wait(&a->c, ZX_TIME_INFINITE);
    a->done.store(s == ZX_OK ? 1 : 2);
    return 0;
  };
  thrd_t t;
  ASSERT_EQ(thrd_create(&t, waiter, &args), thrd_success);
  // Wait until the waiter is blocked in the completion's futex.
  zx_handle_t th = thrd_get_zx_handle(t);
  for (;;) {
    zx_info_thread_t info;
    ASSERT_OK(zx_object_get_info(th, ZX_INFO_THREAD, &info, sizeof(info), nullptr, nullptr));
    if (info.state == ZX_THREAD_STATE_BLOCKED_FUTEX) break;
    zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
  }
  zx_futex_t target = 0;
  sync_completion_signal_requeue(&args.c, &target, ZX_HANDLE_INVALID);
  EXPECT_TRUE(sync_completion_signaled(&args.c));
  // Still asleep: it now waits on |target|.
  zx_nanosleep(zx_deadline_after(ZX_MSEC(30)));
  EXPECT_EQ(args.done.load(), 0);
  ASSERT_OK(zx_futex_wake(&target, UINT32_MAX));
  ASSERT_EQ(thrd_join(t, nullptr), thrd_success);
  EXPECT_EQ(args.done.load(), 1);
}

// ------------------------------------------ test-exceptions and inspector

volatile uintptr_t g_bad_address = 8;
volatile int g_after_inner = 0;

[[gnu::noinline]] void CrashInner() { *reinterpret_cast<volatile int*>(g_bad_address) = 1; }
[[gnu::noinline]] void CrashOuter() {
  CrashInner();
  g_after_inner = g_after_inner + 1;  // not a tail call
}

int CrashThrd(void*) {
  CrashOuter();
  return 5;
}

void* CrashPthread(void*) {
  CrashOuter();
  return nullptr;
}

TEST(TestExceptions, StartTwiceIsAlreadyBound) {
  test_exceptions::ExceptionCatcher catcher;
  ASSERT_OK(catcher.Start(*zx::process::self()));
  EXPECT_STATUS(catcher.Start(*zx::process::self()), ZX_ERR_ALREADY_BOUND);
  EXPECT_OK(catcher.Stop());
  EXPECT_STATUS(catcher.ExpectException().status_value(), ZX_ERR_BAD_STATE);
  // Stopped, it can start again.
  EXPECT_OK(catcher.Start(*zx::process::self()));
}

TEST(TestExceptions, CatchAndExitCThread) {
  test_exceptions::ExceptionCatcher catcher(*zx::process::self());
  thrd_t t;
  ASSERT_EQ(thrd_create(&t, CrashThrd, nullptr), thrd_success);
  zx::unowned_thread thread(thrd_get_zx_handle(t));
  auto result = catcher.ExpectException(*thread);
  ASSERT_OK(result.status_value());
  zx_info_handle_basic_t basic;
  ASSERT_OK(result.value().get_info(ZX_INFO_HANDLE_BASIC, &basic, sizeof(basic), nullptr, nullptr));
  EXPECT_EQ(basic.type, ZX_OBJ_TYPE_EXCEPTION);
  ASSERT_OK(test_exceptions::ExitExceptionCThread(std::move(result.value())));
  // thrd_exit(0) ran: the thread is joinable with result 0, not 5.
  int rc = -1;
  ASSERT_EQ(thrd_join(t, &rc), thrd_success);
  EXPECT_EQ(rc, 0);
  EXPECT_OK(catcher.Stop());
}

TEST(TestExceptions, CatchAndExitPThread) {
  test_exceptions::ExceptionCatcher catcher(*zx::process::self());
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, nullptr, CrashPthread, nullptr), 0);
  auto result = catcher.ExpectException();
  ASSERT_OK(result.status_value());
  ASSERT_OK(test_exceptions::ExitExceptionPThread(std::move(result.value())));
  void* ret = reinterpret_cast<void*>(1);
  ASSERT_EQ(pthread_join(t, &ret), 0);
  EXPECT_NULL(ret);
}

TEST(TestExceptions, FaultingEntryThreadExitsThroughZxThreadExit) {
  zx::thread thread;
  static const char kName[] = "bad-pc";
  ASSERT_OK(zx::thread::create(*zx::process::self(), kName, sizeof(kName) - 1, 0, &thread));
  test_exceptions::ExceptionCatcher catcher(*zx::process::self());
  // Entry in a data page (not executable): the first instruction fetch
  // faults. (The emulator's zx_thread_start wants entry and stack inside the
  // root VMAR, so unlike Fuchsia's core test this cannot use entry 0.)
  static uint64_t stack[512];
  ASSERT_OK(thread.start(reinterpret_cast<uintptr_t>(&g_bad_address),
                         reinterpret_cast<uintptr_t>(&stack[512]), 0, 0));
  auto result = catcher.ExpectException(*zx::process::self());
  ASSERT_OK(result.status_value());
  ASSERT_OK(test_exceptions::ExitExceptionZxThread(std::move(result.value())));
  zx_info_thread_t info;
  ASSERT_OK(thread.get_info(ZX_INFO_THREAD, &info, sizeof(info), nullptr, nullptr));
  EXPECT_EQ(info.state, ZX_THREAD_STATE_DEAD);
}

TEST(TestExceptions, OtherThreadsExceptionsWaitTheirTurn) {
  test_exceptions::ExceptionCatcher catcher(*zx::process::self());
  thrd_t first, second;
  ASSERT_EQ(thrd_create(&first, CrashThrd, nullptr), thrd_success);
  // Let |first| crash (its exception is then queued) before |second| starts.
  zx::unowned_thread first_thread(thrd_get_zx_handle(first));
  for (;;) {
    zx_info_thread_t info;
    ASSERT_OK(first_thread->get_info(ZX_INFO_THREAD, &info, sizeof(info), nullptr, nullptr));
    if (info.state == ZX_THREAD_STATE_BLOCKED_EXCEPTION) break;
    zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
  }
  ASSERT_EQ(thrd_create(&second, CrashThrd, nullptr), thrd_success);
  zx::unowned_thread second_thread(thrd_get_zx_handle(second));

  // Asking for |second| takes its exception; |first|'s is kept.
  auto r2 = catcher.ExpectException(*second_thread);
  ASSERT_OK(r2.status_value());
  ASSERT_OK(test_exceptions::ExitExceptionCThread(std::move(r2.value())));
  ASSERT_EQ(thrd_join(second, nullptr), thrd_success);
  auto r1 = catcher.ExpectException(*first_thread);
  ASSERT_OK(r1.status_value());
  ASSERT_OK(test_exceptions::ExitExceptionCThread(std::move(r1.value())));
  ASSERT_EQ(thrd_join(first, nullptr), thrd_success);
  EXPECT_OK(catcher.Stop());
}

TEST(TestExceptions, UnexpectedExceptionMakesStopCanceled) {
  // The crashing thread is a child process's, so that when the catcher lets
  // the exception go on, only that process dies.
  zx::process process;
  zx::vmar vmar;
  static const char kName[] = "crasher";
  ASSERT_OK(zx::process::create(*zx::job::default_job(), kName, sizeof(kName) - 1, 0, &process,
                                &vmar));
  zx::thread thread;
  ASSERT_OK(zx::thread::create(process, kName, sizeof(kName) - 1, 0, &thread));
  test_exceptions::ExceptionCatcher catcher;
  ASSERT_OK(catcher.Start(process));
  // Entry on a page of its empty address space: the first fetch faults.
  zx_info_vmar_t vmar_info;
  ASSERT_OK(vmar.get_info(ZX_INFO_VMAR, &vmar_info, sizeof(vmar_info), nullptr, nullptr));
  ASSERT_OK(process.start(thread, vmar_info.base + 0x10000, vmar_info.base + 0x20000, zx::handle(),
                          0));
  // The thread is held in the exception, so the process lives on.
  EXPECT_STATUS(process.wait_one(ZX_PROCESS_TERMINATED, zx::deadline_after(zx::msec(50)), nullptr),
                ZX_ERR_TIMED_OUT);
  EXPECT_STATUS(catcher.Stop(), ZX_ERR_CANCELED);
  // Closing the channel passed the exception on; nobody else handles it.
  ASSERT_OK(process.wait_one(ZX_PROCESS_TERMINATED, zx::time::infinite(), nullptr));
}

TEST(TestExceptions, TaskGoneIsPeerClosed) {
  // The thread lives until its handle is duplicated (an exiting joinable
  // thread closes its own handle, as on Fuchsia).
  thrd_t t;
  sync_completion_t duplicated;
  ASSERT_EQ(thrd_create(
                &t,
                [](void* arg) -> int {
                  sync_completion_wait(static_cast<sync_completion_t*>(arg), ZX_TIME_INFINITE);
                  return 0;
                },
                &duplicated),
            thrd_success);
  zx::thread dup;
  ASSERT_OK(zx::unowned_thread(thrd_get_zx_handle(t))->duplicate(ZX_RIGHT_SAME_RIGHTS, &dup));
  test_exceptions::ExceptionCatcher catcher;
  zx_status_t started = catcher.Start(dup);
  sync_completion_signal(&duplicated);
  ASSERT_EQ(thrd_join(t, nullptr), thrd_success);
  if (started == ZX_OK) {
    EXPECT_STATUS(catcher.ExpectException().status_value(), ZX_ERR_PEER_CLOSED);
    EXPECT_OK(catcher.Stop());
  } else {
    // The thread was already gone: Zircon refuses a channel on a dead one.
    EXPECT_STATUS(started, ZX_ERR_BAD_STATE);
  }
}

std::string Capture(const std::function<void(FILE*)>& fn) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  ZX_ASSERT(f != nullptr);
  fn(f);
  fclose(f);
  std::string out(buf, len);
  free(buf);
  return out;
}

// As inspector_print_memory writes an address.
std::string HexAddr(uint64_t v) {
  char b[32];
  snprintf(b, sizeof(b), "%#018lx", static_cast<unsigned long>(v));
  return b;
}

std::string Hex(uint64_t v) {
  char b[32];
  snprintf(b, sizeof(b), "%#lx", static_cast<unsigned long>(v));
  return b;
}

TEST(Inspector, CrashedThreadRegistersAndBacktrace) {
  test_exceptions::ExceptionCatcher catcher(*zx::process::self());
  thrd_t t;
  ASSERT_EQ(thrd_create(&t, CrashThrd, nullptr), thrd_success);
  zx::unowned_thread thread(thrd_get_zx_handle(t));
  auto result = catcher.ExpectException(*thread);
  ASSERT_OK(result.status_value());

  zx_thread_state_general_regs_t regs;
  ASSERT_OK(inspector_read_general_regs(thread->get(), &regs));
  uintptr_t inner = reinterpret_cast<uintptr_t>(&CrashInner);
  uintptr_t outer = reinterpret_cast<uintptr_t>(&CrashOuter);
  EXPECT_GE(regs.rip, inner);
  EXPECT_LT(regs.rip, inner + 64);

  zx_exception_report_t report;
  ASSERT_OK(thread->get_info(ZX_INFO_THREAD_EXCEPTION_REPORT, &report, sizeof(report), nullptr,
                             nullptr));
  EXPECT_EQ(report.header.type, ZX_EXCP_FATAL_PAGE_FAULT);
  std::string text = Capture([&](FILE* f) {
    inspector_print_general_regs(f, &regs, &report.context.arch.u.x86_64);
  });
  EXPECT_NE(text.find("RIP: " + std::string(18 - Hex(regs.rip).size(), ' ') + Hex(regs.rip)),
            std::string::npos, "%s", text.c_str());
  EXPECT_NE(text.find("CR2: " + std::string(18 - Hex(8).size(), ' ') + Hex(8)), std::string::npos,
            "%s", text.c_str());
  EXPECT_NE(text.find("RSP: "), std::string::npos);

  // Frame 0 is the faulting pc; frame 1 returns into CrashOuter.
  text = Capture([&](FILE* f) { inspector_print_backtrace_markup(f, zx_process_self(), thread->get()); });
  EXPECT_NE(text.find("{{{bt:0:" + Hex(regs.rip) + ":pc}}}\n"), std::string::npos, "%s",
            text.c_str());
  size_t at = text.find("{{{bt:1:0x");
  ASSERT_NE(at, std::string::npos, "%s", text.c_str());
  uintptr_t ra = strtoul(text.c_str() + at + strlen("{{{bt:1:"), nullptr, 16);
  EXPECT_GT(ra, outer);
  EXPECT_LT(ra, outer + 64);

  text = Capture([&](FILE* f) { inspector_print_debug_info(f, zx_process_self(), thread->get()); });
  EXPECT_EQ(text.find("<== exception 0x108: process "), 0u, "%s", text.c_str());
  EXPECT_NE(text.find("{{{reset}}}\n{{{module:0:"), std::string::npos, "%s", text.c_str());
  EXPECT_NE(text.find(":load:0:rx:"), std::string::npos, "%s", text.c_str());
  EXPECT_NE(text.find("bottom of user stack:\n" + HexAddr(regs.rsp)), std::string::npos, "%s",
            text.c_str());

  ASSERT_OK(test_exceptions::ExitExceptionCThread(std::move(result.value())));
  ASSERT_EQ(thrd_join(t, nullptr), thrd_success);

  // A thread that is not stopped has no registers to read.
  EXPECT_STATUS(inspector_read_general_regs(zx_thread_self(), &regs), ZX_ERR_BAD_STATE);
}

TEST(Inspector, PrintMemory) {
  alignas(16) static const uint8_t bytes[20] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6,
                                                7,    8,    9,    10,   11, 12, 13, 14, 15, 16};
  uintptr_t addr = reinterpret_cast<uintptr_t>(bytes);
  std::string text = Capture(
      [&](FILE* f) { inspector_print_memory(f, zx_process_self(), addr, sizeof(bytes), Hex8); });
  char want[128];
  snprintf(want, sizeof(want),
           "%#018lx: de ad be ef 01 02 03 04 05 06 07 08 09 0a 0b 0c\n%#018lx: 0d 0e 0f 10\n",
           static_cast<unsigned long>(addr), static_cast<unsigned long>(addr + 16));
  EXPECT_STR_EQ(text.c_str(), want);
  text = Capture([&](FILE* f) { inspector_print_memory(f, zx_process_self(), addr, 8, Hex32); });
  snprintf(want, sizeof(want), "%#018lx: efbeadde 04030201\n", static_cast<unsigned long>(addr));
  EXPECT_STR_EQ(text.c_str(), want);
  text = Capture([&](FILE* f) { inspector_print_memory(f, zx_process_self(), 16, 4, Hex8); });
  EXPECT_NE(text.find("not readable"), std::string::npos, "%s", text.c_str());
}

// ------------------------------------------------------------------ elfldltl

int g_thread_ran = 0;
uintptr_t g_thread_sp = 0;
[[noreturn]] void BareThreadEntry(uintptr_t, uintptr_t) {
  g_thread_sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  __atomic_store_n(&g_thread_ran, 1, __ATOMIC_SEQ_CST);
  zx_futex_wake(&g_thread_ran, 1);
  zx_thread_exit();
}

TEST(Elfldltl, InitialStackPointer) {
  using elfldltl::AbiTraits;
  using elfldltl::ElfMachine;
  static_assert(AbiTraits<>::kStackAlignment<uintptr_t> == 16);
  static_assert(AbiTraits<ElfMachine::kX86_64>::InitialStackPointer<uint64_t>(0x1000, 0x1000) ==
                0x1ff8);
  static_assert(AbiTraits<ElfMachine::kX86_64>::InitialStackPointer<uint64_t>(0x1000, 0x1009) ==
                0x1ff8);
  static_assert(AbiTraits<ElfMachine::kAarch64>::InitialStackPointer<uint64_t>(0x1000, 0x1009) ==
                0x2000);
  static_assert(AbiTraits<ElfMachine::kArm>::InitialStackPointer<uint32_t>(0x1000, 0x100c) ==
                0x2008);
  static_assert(static_cast<uint16_t>(ElfMachine::kNative) == 62);

  // A bare Zircon thread started on that SP runs C code correctly.
  constexpr size_t kStack = 16384;
  auto stack = std::make_unique<uint8_t[]>(kStack);
  uintptr_t base = reinterpret_cast<uintptr_t>(stack.get());
  uintptr_t sp = AbiTraits<>::InitialStackPointer(base, kStack);
  EXPECT_EQ(sp % 16, 8u);
  zx::thread thread;
  static const char kName[] = "bare";
  ASSERT_OK(zx::thread::create(*zx::process::self(), kName, sizeof(kName) - 1, 0, &thread));
  ASSERT_OK(thread.start(reinterpret_cast<uintptr_t>(&BareThreadEntry), sp, 0, 0));
  while (__atomic_load_n(&g_thread_ran, __ATOMIC_SEQ_CST) == 0) {
    zx_futex_wait(&g_thread_ran, 0, ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
  }
  ASSERT_OK(thread.wait_one(ZX_THREAD_TERMINATED, zx::time::infinite(), nullptr));
  // The entry's frame (saved rbp) sits just below the return-address slot.
  EXPECT_EQ(g_thread_sp, sp - 8);
}

// --------------------------------------------------------------------- hwreg

TEST(HwregAsm, HeaderText) {
  struct Sample {
    uint64_t a;
    uint32_t b;
    uint32_t c;
  };
  hwreg::AsmHeader h;
  h.Line({"#if ", "defined(__x86_64__)"})
      .Macro("SAMPLE_A", offsetof(Sample, a))
      .Macro("SAMPLE_C", offsetof(Sample, c))
      .Macro("SAMPLE_X(n)", "(SAMPLE_A + (n))")
      .Macro("BIG", uint64_t{0xfedcba9876543210})
      .Line({"#endif"});
  EXPECT_STR_EQ(h.Output("lib/sample-asm.h").c_str(),
                "// This file is generated.  DO NOT EDIT!\n\n"
                "#ifndef _LIB_SAMPLE_ASM_H_\n"
                "#define _LIB_SAMPLE_ASM_H_ 1\n\n"
                "#if defined(__x86_64__)\n"
                "#define SAMPLE_A 0\n"
                "#define SAMPLE_C 0xc\n"
                "#define SAMPLE_X(n) (SAMPLE_A + (n))\n"
                "#define BIG 0xfedcba9876543210\n"
                "#endif\n"
                "\n#endif  // _LIB_SAMPLE_ASM_H_\n");
  char prog[] = "gen", out[] = "-", name[] = "x.h";
  char* argv_ok[] = {prog, out, name, nullptr};
  EXPECT_EQ(h.Main(3, argv_ok), 0);
  char* argv_bad[] = {prog, out, nullptr};
  EXPECT_EQ(h.Main(2, argv_bad), 1);
  // Guests have no files: writing one fails with the C library's error.
  char file[] = "/tmp/x.h";
  char* argv_file[] = {prog, file, name, nullptr};
  EXPECT_EQ(h.Main(3, argv_file), 1);
}

// ------------------------------------------------------- arm64, explicit-memory

TEST(Arm64DebugFields, SetAndGet) { EXPECT_EQ(c_arm64_debug_checks(), 0); }

TEST(ExplicitMemory, CopiesAndFills) {
  EXPECT_EQ(c_explicit_memory_checks(), 0);
  int x = 3;
  int* p = static_cast<int*>(mandatory_memset(&x, 0, sizeof(x)));
  EXPECT_EQ(p, &x);
  EXPECT_EQ(x, 0);
}

// ------------------------------------------------ kernel_aspace, boot options

TEST(KernelAspace, UserRangeHoldsTheRootVmarAndKernelIsUnreachable) {
  zx_info_vmar_t info;
  ASSERT_OK(zx::vmar::root_self()->get_info(ZX_INFO_VMAR, &info, sizeof(info), nullptr, nullptr));
  EXPECT_GE(info.base, USER_ASPACE_BASE);
  EXPECT_LE(info.base + info.len, USER_ASPACE_BASE + USER_ASPACE_SIZE);
  EXPECT_GT(KERNEL_ASPACE_BASE, USER_ASPACE_BASE + USER_ASPACE_SIZE);

  zx::vmo vmo;
  ASSERT_OK(zx::vmo::create(zx_system_get_page_size(), 0, &vmo));
  EXPECT_STATUS(vmo.read(reinterpret_cast<void*>(KERNEL_ASPACE_BASE), 0, 16), ZX_ERR_NOT_FOUND);
  EXPECT_STATUS(vmo.write(reinterpret_cast<void*>(KERNEL_ASPACE_BASE), 0, 16), ZX_ERR_NOT_FOUND);
}

TEST(MaybeStandalone, NoResourcesNoBootOptions) {
  EXPECT_FALSE(maybe_standalone::GetRootResource()->is_valid());
  EXPECT_FALSE(maybe_standalone::GetMmioResource()->is_valid());
  EXPECT_FALSE(maybe_standalone::GetIrqResource()->is_valid());
  EXPECT_FALSE(maybe_standalone::GetIoportResource()->is_valid());
  zx::unowned_resource system = maybe_standalone::GetSystemResource();
  EXPECT_FALSE(system->is_valid());
  zx::result<zx::resource> r =
      maybe_standalone::GetSystemResourceWithBase(system, ZX_RSRC_SYSTEM_IOMMU_BASE);
  // Whatever zx_resource_create says of the invalid handle.
  zx_handle_t h = ZX_HANDLE_INVALID;
  zx_status_t direct =
      zx_resource_create(ZX_HANDLE_INVALID, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_IOMMU_BASE, 1,
                         nullptr, 0, &h);
  ASSERT_NE(direct, ZX_OK);
  EXPECT_TRUE(r.is_error());
  EXPECT_STATUS(r.status_value(), direct);
  EXPECT_NULL(maybe_standalone::GetBootOptions());
}

TEST(BootOptions, DefaultsAndOptionalValues) {
  BootOptions options;
  EXPECT_FALSE(options.test_ram_reserve);
  EXPECT_FALSE(options.test_ram_reserve.to_std().has_value());
  RamReservation ram{.paddr = uint64_t{0x100000}, .size = 0x4000};
  options.test_ram_reserve = ram;
  ASSERT_TRUE(options.test_ram_reserve);
  RamReservation back = options.test_ram_reserve.to_std().value();
  EXPECT_TRUE(back.paddr);
  EXPECT_EQ(*back.paddr.to_std(), 0x100000u);
  EXPECT_EQ(back.size, 0x4000u);
  EXPECT_TRUE(back == ram);
}

// ------------------------------------------------- stdcompat, threads, __TA_*

TEST(Stdcompat, SpanIsStdSpan) {
  static_assert(std::is_same_v<cpp20::span<int>, std::span<int>>);
  static_assert(cpp20::dynamic_extent == std::dynamic_extent);
  std::array<int, 4> values{1, 2, 3, 4};
  cpp20::span<const int> s(values);
  EXPECT_EQ(s.size(), 4u);
  EXPECT_EQ(s.subspan(1, 2)[1], 3);
  EXPECT_EQ(cpp20::as_bytes(s).size(), 16u);
}

TEST(Threads, CreateWithName) {
  sync_completion_t go;
  thrd_t t;
  ASSERT_EQ(thrd_create_with_name(
                &t,
                [](void* arg) -> int {
                  return sync_completion_wait(static_cast<sync_completion_t*>(arg),
                                              ZX_TIME_INFINITE) == ZX_OK
                             ? 0
                             : 1;
                },
                &go, "named-thread"),
            thrd_success);
  char name[ZX_MAX_NAME_LEN] = {};
  ASSERT_OK(zx_object_get_property(thrd_get_zx_handle(t), ZX_PROP_NAME, name, sizeof(name)));
  EXPECT_STR_EQ(name, "named-thread");
  sync_completion_signal(&go);
  int rc = -1;
  ASSERT_EQ(thrd_join(t, &rc), thrd_success);
  EXPECT_EQ(rc, 0);

  // A name longer than ZX_MAX_NAME_LEN - 1 is cut to that. (The thread
  // waits: an exiting joinable thread closes its own handle, as on Fuchsia.)
  std::string long_name(60, 'n');
  sync_completion_t read;
  ASSERT_EQ(thrd_create_with_name(
                &t,
                [](void* arg) -> int {
                  sync_completion_wait(static_cast<sync_completion_t*>(arg), ZX_TIME_INFINITE);
                  return 0;
                },
                &read, long_name.c_str()),
            thrd_success);
  memset(name, 0, sizeof(name));
  ASSERT_OK(zx_object_get_property(thrd_get_zx_handle(t), ZX_PROP_NAME, name, sizeof(name)));
  EXPECT_EQ(strlen(name), ZX_MAX_NAME_LEN - 1);
  sync_completion_signal(&read);
  ASSERT_EQ(thrd_join(t, nullptr), thrd_success);
}

struct __TA_CAPABILITY("mutex") AnnotatedLock {
  void Acquire() __TA_ACQUIRE() {}
  void Release() __TA_RELEASE() {}
};

struct Annotated {
  AnnotatedLock lock;
  int guarded __TA_GUARDED(lock) = 0;
  void Bump() __TA_REQUIRES(lock) { guarded++; }
};

TEST(ThreadAnnotations, CompileAway) {
  Annotated a;
  a.lock.Acquire();
  a.Bump();
  a.lock.Release();
  EXPECT_EQ(a.guarded, 1);
}

// ------------------------------------------------------------- ZXTEST_SKIP

int g_skip_body_ran = 0;
int g_skip_teardown_ran = 0;

TEST(Skip, Plain) {
  ZXTEST_SKIP("not here: %d", 42);
  ADD_FAILURE("ran on after ZXTEST_SKIP");
}

class SkipInSetUp : public zxtest::Test {
 protected:
  void SetUp() override { ZXTEST_SKIP(); }
  void TearDown() override { g_skip_teardown_ran++; }
};

TEST_F(SkipInSetUp, BodyDoesNotRun) { g_skip_body_ran++; }

TEST(Skip, ZCountsAfterSkips) {
  EXPECT_EQ(g_skip_body_ran, 0);
  EXPECT_EQ(g_skip_teardown_ran, 1);
}

}  // namespace
