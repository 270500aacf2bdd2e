// zx_sdk_launch: a guest starts a child process from an ELF image (built by
// sdk/zx-cc and embedded by the test as child_elf[]), passing arguments.
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zx-sdk/launch.h>
#include <zxtest/zxtest.h>

#include "child_elf.h"

TEST(Launch, ChildRunsWithArgumentsAndReturnsItsCode) {
  const char* argv[] = {"child", "one", "two", "three"};
  zx_handle_t proc;
  ASSERT_OK(zx_sdk_launch(zx_job_default(), "child", child_elf, sizeof(child_elf), 4, argv, &proc));
  ASSERT_OK(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_SEC(20)), NULL));
  zx_info_process_t info;
  ASSERT_OK(zx_object_get_info(proc, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL));
  ASSERT_EQ(info.return_code, 4, "the child returns its argc");
  zx_handle_close(proc);
}

TEST(Launch, ManyChildren) {
  for (int i = 0; i < 20; i++) {
    const char* argv[] = {"child"};
    zx_handle_t proc;
    ASSERT_OK(zx_sdk_launch(zx_job_default(), "child", child_elf, sizeof(child_elf), 1, argv, &proc));
    ASSERT_OK(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_SEC(20)), NULL));
    zx_info_process_t info;
    ASSERT_OK(zx_object_get_info(proc, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL));
    ASSERT_EQ(info.return_code, 1);
    zx_handle_close(proc);
  }
}

TEST(Launch, RejectsNonElf) {
  static const unsigned char junk[64] = "not an elf";
  const char* argv[] = {"x"};
  zx_handle_t proc;
  ASSERT_EQ(zx_sdk_launch(zx_job_default(), "x", junk, sizeof(junk), 1, argv, &proc), ZX_ERR_INVALID_ARGS);
}
