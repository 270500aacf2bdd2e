// lib/zx and zxtest's C++ side (fixtures, suite setup, C++ operands), as a
// zx-c++ guest. Run by linux-loader/tests/cxx.rs, which checks the output.
#include <lib/fit/defer.h>
#include <lib/zx/channel.h>
#include <lib/zx/clock.h>
#include <lib/zx/event.h>
#include <lib/zx/eventpair.h>
#include <lib/zx/job.h>
#include <lib/zx/port.h>
#include <lib/zx/process.h>
#include <lib/zx/stream.h>
#include <lib/zx/thread.h>
#include <lib/zx/vmar.h>
#include <lib/zx/vmo.h>
#include <stdio.h>
#include <string.h>
#include <zircon/syscalls/object.h>
#include <zxtest/zxtest.h>

#include <utility>

namespace {

enum class Color : uint8_t { kRed = 1, kBlue = 2 };

int g_suite_setups = 0;
int g_suite_teardowns = 0;
int g_setups = 0;

class PageVmo : public zxtest::Test {
 public:
  static void SetUpTestSuite() { g_suite_setups++; }
  static void TearDownTestSuite() {
    g_suite_teardowns++;
    printf("PageVmo suite torn down\n");
  }

 protected:
  void SetUp() override {
    g_setups++;
    page_ = zx_system_get_page_size();
    ASSERT_OK(zx::vmo::create(page_, 0, &vmo_));
  }
  void TearDown() override { vmo_.reset(); }

  size_t page_ = 0;
  zx::vmo vmo_;
};

TEST_F(PageVmo, SizeIsOnePage) {
  uint64_t size = 0;
  ASSERT_OK(vmo_.get_size(&size));
  EXPECT_EQ(size, page_);  // uint64_t against size_t
  EXPECT_EQ(g_suite_setups, 1);
}

TEST_F(PageVmo, ReadBackAndMap) {
  const char msg[] = "lib/zx";
  ASSERT_OK(vmo_.write(msg, 0, sizeof(msg)));
  char back[sizeof(msg)] = {};
  ASSERT_OK(vmo_.read(back, 0, sizeof(back)));
  EXPECT_BYTES_EQ(back, msg, sizeof(msg));

  zx_vaddr_t addr = 0;
  ASSERT_OK(zx::vmar::root_self()->map(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo_, 0, page_,
                                       &addr));
  auto unmap = fit::defer([&] { EXPECT_OK(zx::vmar::root_self()->unmap(addr, page_)); });
  EXPECT_STREQ(reinterpret_cast<const char*>(addr), "lib/zx");
  EXPECT_EQ(g_suite_setups, 1, "suite setup runs once");
  EXPECT_EQ(g_setups, 2);
}

TEST_F(PageVmo, DuplicateReplaceBorrow) {
  zx::vmo dup;
  ASSERT_OK(vmo_.duplicate(ZX_RIGHT_SAME_RIGHTS, &dup));
  EXPECT_NE(dup.get(), vmo_.get());
  zx_info_handle_basic_t a = {}, b = {};
  ASSERT_OK(vmo_.get_info(ZX_INFO_HANDLE_BASIC, &a, sizeof(a), nullptr, nullptr));
  ASSERT_OK(dup.get_info(ZX_INFO_HANDLE_BASIC, &b, sizeof(b), nullptr, nullptr));
  EXPECT_EQ(a.koid, b.koid);
  EXPECT_EQ(a.type, ZX_OBJ_TYPE_VMO);

  zx::vmo reduced;
  ASSERT_OK(std::move(dup).replace(ZX_RIGHT_READ | ZX_RIGHT_GET_PROPERTY, &reduced));
  EXPECT_FALSE(dup.is_valid());
  char c = 0;
  EXPECT_STATUS(reduced.write(&c, 0, 1), ZX_ERR_ACCESS_DENIED);

  zx::unowned_vmo borrowed = vmo_.borrow();
  EXPECT_EQ(borrowed->get(), vmo_.get());
  uint64_t size = 0;
  EXPECT_OK(borrowed->get_size(&size));

  zx::vmo child;
  ASSERT_OK(vmo_.create_child(ZX_VMO_CHILD_SNAPSHOT, 0, page_, &child));
  EXPECT_TRUE(child);

  zx_handle_t raw = vmo_.release();
  EXPECT_FALSE(vmo_.is_valid());
  EXPECT_OK(zx_handle_close(raw));
}

TEST(ZxTypes, EventSignalsAndWaits) {
  zx::event ev;
  ASSERT_OK(zx::event::create(0, &ev));
  ASSERT_OK(ev.signal(0, ZX_USER_SIGNAL_0));
  zx_signals_t pending = 0;
  ASSERT_OK(ev.wait_one(ZX_USER_SIGNAL_0, zx::time::infinite(), &pending));
  EXPECT_EQ(pending & ZX_USER_SIGNAL_0, ZX_USER_SIGNAL_0);
  EXPECT_STATUS(ev.wait_one(ZX_USER_SIGNAL_1, zx::deadline_after(zx::msec(1)), &pending),
                ZX_ERR_TIMED_OUT);

  zx_wait_item_t items[1] = {{ev.get(), ZX_USER_SIGNAL_0, 0}};
  ASSERT_OK(zx::event::wait_many(items, 1, zx::time::infinite_past()));
  EXPECT_EQ(items[0].pending & ZX_USER_SIGNAL_0, ZX_USER_SIGNAL_0);
}

TEST(ZxTypes, EventpairPeer) {
  zx::eventpair a, b;
  ASSERT_OK(zx::eventpair::create(0, &a, &b));
  ASSERT_OK(a.signal_peer(0, ZX_USER_SIGNAL_2));
  zx_signals_t pending = 0;
  ASSERT_OK(b.wait_one(ZX_USER_SIGNAL_2, zx::time(0), &pending));
  a.reset();
  ASSERT_OK(b.wait_one(ZX_EVENTPAIR_PEER_CLOSED, zx::time::infinite(), &pending));
}

TEST(ZxTypes, ChannelCarriesBytesAndHandles) {
  zx::channel a, b;
  ASSERT_OK(zx::channel::create(0, &a, &b));
  zx::event ev;
  ASSERT_OK(zx::event::create(0, &ev));
  zx_handle_t h = ev.release();
  ASSERT_OK(a.write(0, "hi", 2, &h, 1));
  char buf[8];
  zx_handle_t got = ZX_HANDLE_INVALID;
  uint32_t nb = 0, nh = 0;
  ASSERT_OK(b.read(0, buf, &got, sizeof(buf), 1, &nb, &nh));
  EXPECT_EQ(nb, 2u);
  EXPECT_EQ(nh, 1u);
  zx::event received(got);
  EXPECT_OK(received.signal(0, ZX_USER_SIGNAL_0));
}

TEST(ZxTypes, PortQueueAndWaitAsync) {
  zx::port port;
  ASSERT_OK(zx::port::create(0, &port));
  zx_port_packet_t out = {};
  out.key = 7;
  out.type = ZX_PKT_TYPE_USER;
  ASSERT_OK(port.queue(&out));
  zx_port_packet_t in = {};
  ASSERT_OK(port.wait(zx::time::infinite(), &in));
  EXPECT_EQ(in.key, 7u);

  zx::event ev;
  ASSERT_OK(zx::event::create(0, &ev));
  ASSERT_OK(ev.wait_async(port, 9, ZX_USER_SIGNAL_0, 0));
  ASSERT_OK(ev.signal(0, ZX_USER_SIGNAL_0));
  ASSERT_OK(port.wait(zx::deadline_after(zx::sec(5)), &in));
  EXPECT_EQ(in.key, 9u);
  EXPECT_EQ(in.type, ZX_PKT_TYPE_SIGNAL_ONE);
}

TEST(ZxTypes, TasksAndTime) {
  zx_info_handle_basic_t info = {};
  ASSERT_OK(zx::process::self()->get_info(ZX_INFO_HANDLE_BASIC, &info, sizeof(info), nullptr,
                                          nullptr));
  EXPECT_EQ(info.type, ZX_OBJ_TYPE_PROCESS);
  ASSERT_OK(zx::thread::self()->get_info(ZX_INFO_HANDLE_BASIC, &info, sizeof(info), nullptr,
                                         nullptr));
  EXPECT_EQ(info.type, ZX_OBJ_TYPE_THREAD);

  zx::job child;
  ASSERT_OK(zx::job::create(*zx::job::default_job(), 0, &child));
  EXPECT_OK(child.kill());

  zx::time before = zx::clock::get_monotonic();
  ASSERT_OK(zx::nanosleep(zx::deadline_after(zx::usec(200))));
  zx::duration slept = zx::clock::get_monotonic() - before;
  EXPECT_GE(slept, zx::usec(200));
  EXPECT_EQ(zx::sec(2).to_msecs(), 2000);
  EXPECT_LT(zx::msec(1), zx::sec(1));
  EXPECT_EQ(Color::kBlue, Color::kBlue);
  EXPECT_NE(Color::kRed, Color::kBlue);
  const int* none = nullptr;
  EXPECT_EQ(none, nullptr);
}

TEST(ZxTypes, StreamOverAVmo) {
  zx::vmo vmo;
  ASSERT_OK(zx::vmo::create(zx_system_get_page_size(), 0, &vmo));
  ASSERT_OK(vmo.set_stream_size(0));
  zx::stream stream;
  ASSERT_OK(zx::stream::create(ZX_STREAM_MODE_READ | ZX_STREAM_MODE_WRITE, vmo, 0, &stream));
  char word[] = "stream";
  zx_iovec_t out = {word, 6};
  size_t actual = 0;
  ASSERT_OK(stream.writev(0, &out, 1, &actual));
  EXPECT_EQ(actual, 6u);
  uint64_t size = 0;
  ASSERT_OK(vmo.get_stream_size(&size));
  EXPECT_EQ(size, 6u);
  zx_off_t at = 99;
  ASSERT_OK(stream.seek(ZX_STREAM_SEEK_ORIGIN_END, -4, &at));
  EXPECT_EQ(at, 2u);
  char back[8] = {};
  zx_iovec_t in = {back, sizeof(back)};
  ASSERT_OK(stream.readv(0, &in, 1, &actual));
  EXPECT_EQ(actual, 4u);
  EXPECT_STREQ(back, "ream");
  ASSERT_OK(stream.readv_at(0, 0, &in, 1, &actual));
  EXPECT_EQ(actual, 6u);
  ASSERT_OK(stream.writev_at(0, 6, &out, 1, &actual));
  uint8_t append = 7;
  ASSERT_OK(stream.get_prop_mode_append(&append));
  EXPECT_EQ(append, 0u);
  ASSERT_OK(stream.set_prop_mode_append(1));
  ASSERT_OK(stream.get_prop_mode_append(&append));
  EXPECT_EQ(append, 1u);
}

void Helper(bool fail) { ASSERT_FALSE(fail); }

TEST(ZxTypes, NoFatalFailure) {
  ASSERT_NO_FATAL_FAILURE(Helper(false));
  ASSERT_NO_FAILURES(Helper(false));
}

// Run only with the argument "fail": a fatal failure in SetUp skips the
// body but not TearDown, and the report shows both C++ operands.
bool g_body_ran = false;
bool g_teardown_ran = false;

class FailingFixture : public zxtest::Test {
 protected:
  void SetUp() override { ASSERT_EQ(Color::kRed, Color::kBlue, "colors %d", 7); }
  void TearDown() override { g_teardown_ran = true; }
};

TEST_F(FailingFixture, SetUpFails) { g_body_ran = true; }

}  // namespace

int main(int argc, char** argv) {
  bool fail = argc > 1 && strcmp(argv[1], "fail") == 0;
  char filter[] = "--gtest_filter=-FailingFixture.*";
  char only[] = "--gtest_filter=FailingFixture.*";
  char* args[] = {argv[0], fail ? only : filter, nullptr};
  int rc = RUN_ALL_TESTS(2, args);
  if (fail) {
    printf("body ran %d, teardown ran %d\n", g_body_ran, g_teardown_ran);
  } else {
    printf("suite setups %d, teardowns %d\n", g_suite_setups, g_suite_teardowns);
  }
  return rc;
}
