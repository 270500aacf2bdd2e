// Shared address spaces: zx_process_create with ZX_PROCESS_SHARED and
// zx_process_create_shared. Processes of a group share one address space
// (the root VMAR is the same), each new one has a private restricted region
// of its own; code runs in the shared space; the space outlives any one
// process of the group and goes with the last. Also the call's checks.
#include <mini-process/mini-process.h>
#include <stdint.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls-next.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zxtest/zxtest.h>

#define PAGE 4096u

static zx_koid_t koid_of(zx_handle_t h) {
  zx_info_handle_basic_t b;
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, NULL) != ZX_OK) return 0;
  return b.koid;
}

TEST(SharedProcess, TheGroupSharesOneAddressSpace) {
  zx_handle_t proto, shared_vmar, p2, restricted;
  ASSERT_OK(zx_process_create(zx_job_default(), "proto", 5, ZX_PROCESS_SHARED, &proto, &shared_vmar));
  ASSERT_OK(zx_process_create_shared(proto, 0, "second", 6, &p2, &restricted));
  zx_info_vmar_t sv, rv;
  ASSERT_OK(zx_object_get_info(shared_vmar, ZX_INFO_VMAR, &sv, sizeof(sv), NULL, NULL));
  ASSERT_OK(zx_object_get_info(restricted, ZX_INFO_VMAR, &rv, sizeof(rv), NULL, NULL));
  EXPECT_NE(sv.base, rv.base, "the restricted region is a space of its own");
  // Same job, related to it.
  zx_info_handle_basic_t b1, b2;
  ASSERT_OK(zx_object_get_info(proto, ZX_INFO_HANDLE_BASIC, &b1, sizeof(b1), NULL, NULL));
  ASSERT_OK(zx_object_get_info(p2, ZX_INFO_HANDLE_BASIC, &b2, sizeof(b2), NULL, NULL));
  EXPECT_EQ(b1.related_koid, b2.related_koid);
  // A page mapped through the shared VMAR is the second process's too.
  zx_handle_t vmo;
  ASSERT_OK(zx_vmo_create(PAGE, 0, &vmo));
  uintptr_t addr = 0;
  ASSERT_OK(zx_vmar_map(shared_vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, PAGE, &addr));
  ASSERT_OK(zx_vmo_write(vmo, "shared", 0, 6));
  char buf[8] = {0};
  size_t actual = 0;
  ASSERT_OK(zx_process_read_memory(p2, addr, buf, 6, &actual));
  EXPECT_EQ(actual, 6u);
  EXPECT_EQ(memcmp(buf, "shared", 6), 0);
  // The restricted region can be mapped into.
  uintptr_t raddr = 0;
  ASSERT_OK(zx_vmar_map(restricted, ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &raddr));
  EXPECT_GE(raddr, rv.base);
  zx_handle_close(vmo);
  // Code runs in the shared space: a mini process of the second process,
  // loaded through the shared VMAR, answers.
  zx_handle_t t, ctl;
  ASSERT_OK(zx_thread_create(p2, "t", 1, 0, &t));
  ASSERT_OK(start_mini_process_etc(p2, t, shared_vmar, ZX_HANDLE_INVALID, true, &ctl));
  EXPECT_OK(mini_process_cmd(ctl, MINIP_CMD_ECHO_MSG, NULL));
  // The prototype's death leaves the space to the others.
  ASSERT_OK(zx_task_kill(proto));
  ASSERT_OK(zx_object_wait_one(proto, ZX_TASK_TERMINATED, ZX_TIME_INFINITE, NULL));
  ASSERT_OK(zx_process_read_memory(p2, addr, buf, 6, &actual));
  EXPECT_OK(mini_process_cmd(ctl, MINIP_CMD_ECHO_MSG, NULL));
  // A third member can still join through the second.
  zx_handle_t p3, r3;
  ASSERT_OK(zx_process_create_shared(p2, 0, "third", 5, &p3, &r3));
  EXPECT_NE(koid_of(p3), 0u);
  zx_handle_close(r3);
  zx_handle_close(p3);
  // With the last member gone, so is the group.
  ASSERT_OK(zx_task_kill(p2));
  ASSERT_OK(zx_object_wait_one(p2, ZX_TASK_TERMINATED, ZX_TIME_INFINITE, NULL));
  EXPECT_EQ(zx_process_create_shared(proto, 0, "late", 4, &p3, &r3), ZX_ERR_BAD_STATE);
  EXPECT_EQ(zx_process_read_memory(p2, addr, buf, 6, &actual), ZX_ERR_BAD_STATE);
  zx_handle_close(ctl);
  zx_handle_close(t);
  zx_handle_close(restricted);
  zx_handle_close(p2);
  zx_handle_close(shared_vmar);
  zx_handle_close(proto);
}

TEST(SharedProcess, Checks) {
  zx_handle_t plain, vmar, p, r, ev;
  ASSERT_OK(zx_process_create(zx_job_default(), "plain", 5, 0, &plain, &vmar));
  EXPECT_EQ(zx_process_create_shared(plain, 0, "x", 1, &p, &r), ZX_ERR_INVALID_ARGS);
  zx_handle_t proto, svmar;
  ASSERT_OK(zx_process_create(zx_job_default(), "proto", 5, ZX_PROCESS_SHARED, &proto, &svmar));
  EXPECT_EQ(zx_process_create_shared(proto, 1, "x", 1, &p, &r), ZX_ERR_INVALID_ARGS);
  EXPECT_EQ(zx_process_create_shared(ZX_HANDLE_INVALID, 0, "x", 1, &p, &r), ZX_ERR_BAD_HANDLE);
  ASSERT_OK(zx_event_create(0, &ev));
  EXPECT_EQ(zx_process_create_shared(ev, 0, "x", 1, &p, &r), ZX_ERR_WRONG_TYPE);
  zx_handle_t weak;
  ASSERT_OK(zx_handle_duplicate(proto, ZX_RIGHT_INSPECT, &weak));
  EXPECT_EQ(zx_process_create_shared(weak, 0, "x", 1, &p, &r), ZX_ERR_ACCESS_DENIED);
  EXPECT_EQ(zx_process_create(zx_job_default(), "x", 1, 2, &p, &r), ZX_ERR_INVALID_ARGS);
  zx_handle_close(weak);
  zx_handle_close(ev);
  zx_handle_close(svmar);
  zx_handle_close(proto);
  zx_handle_close(vmar);
  zx_handle_close(plain);
}
