// Guest SDK: <lib/standalone-test/standalone.h> -- what Fuchsia's standalone
// (boot) tests get from the kernel: resources, boot VMOs, namespace
// directories, boot options and a log.  Written for this project to
// Fuchsia's public standalone-test API.  Header-only.
//
// Here the resources are the startup handles the runner gives its first
// process: the root resource (PA_HND(PA_RESOURCE, 0)) and the system
// resource (PA_HND(PA_SYSTEM_RESOURCE, 0)); the MMIO, IRQ, I/O-port and SMC
// ones are taken the same way if a launcher passed them.  Each Get*Resource()
// takes its handle with zx_take_startup_handle on first use and keeps it for
// the life of the process (so later zx_take_startup_handle calls for it get
// nothing), and returns an unowned handle to it -- an invalid one
// (ZX_HANDLE_INVALID) if the process was not given that resource, where
// Fuchsia's library would abort.  There are no boot VMOs or namespace
// directories (GetVmo/GetNsDir return invalid handles), and the boot options
// are the kernel defaults (<lib/boot-options/boot-options.h>); there is no
// kernel command line for GetOptions() to read.
#ifndef LIB_STANDALONE_TEST_STANDALONE_H_
#define LIB_STANDALONE_TEST_STANDALONE_H_

#include <lib/boot-options/boot-options.h>
#include <lib/zx/channel.h>
#include <lib/zx/resource.h>
#include <lib/zx/result.h>
#include <lib/zx/vmo.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/resource.h>

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

// The SDK's zxtest runner (<zxtest/zxtest.h>), for TestMain().
extern "C" int zxtest_run_all_tests(int argc, char** argv);

namespace standalone {

// A kernel command-line option a test asks for: |prefix| (e.g.
// "kernel.foo=") selects it, and GetOptions() stores the whole matching word
// in |option|.
struct Option {
  std::string_view prefix;
  std::string option = {};
};

namespace internal {

// The startup handle |info| names, taken once and kept.
inline zx_handle_t StartupResource(uint32_t info) {
  struct Slot {
    uint32_t info;
    zx_handle_t handle;
    bool taken;
  };
  static Slot slots[] = {
      {PA_HND(PA_RESOURCE, 0), ZX_HANDLE_INVALID, false},
      {PA_HND(PA_SYSTEM_RESOURCE, 0), ZX_HANDLE_INVALID, false},
      {PA_HND(PA_MMIO_RESOURCE, 0), ZX_HANDLE_INVALID, false},
      {PA_HND(PA_IRQ_RESOURCE, 0), ZX_HANDLE_INVALID, false},
      {PA_HND(PA_IOPORT_RESOURCE, 0), ZX_HANDLE_INVALID, false},
      {PA_HND(PA_SMC_RESOURCE, 0), ZX_HANDLE_INVALID, false},
  };
  for (Slot& slot : slots) {
    if (slot.info == info) {
      if (!slot.taken) {
        slot.handle = zx_take_startup_handle(info);
        slot.taken = true;
      }
      return slot.handle;
    }
  }
  return ZX_HANDLE_INVALID;
}

}  // namespace internal

inline zx::unowned_resource GetRootResource() {
  return zx::unowned_resource(internal::StartupResource(PA_HND(PA_RESOURCE, 0)));
}
inline zx::unowned_resource GetSystemResource() {
  return zx::unowned_resource(internal::StartupResource(PA_HND(PA_SYSTEM_RESOURCE, 0)));
}
inline zx::unowned_resource GetMmioResource() {
  return zx::unowned_resource(internal::StartupResource(PA_HND(PA_MMIO_RESOURCE, 0)));
}
inline zx::unowned_resource GetIrqResource() {
  return zx::unowned_resource(internal::StartupResource(PA_HND(PA_IRQ_RESOURCE, 0)));
}
inline zx::unowned_resource GetIoportResource() {
  return zx::unowned_resource(internal::StartupResource(PA_HND(PA_IOPORT_RESOURCE, 0)));
}
inline zx::unowned_resource GetSmcResource() {
  return zx::unowned_resource(internal::StartupResource(PA_HND(PA_SMC_RESOURCE, 0)));
}

// The names an earlier standalone-test gave the MMIO and system resources
// (Fuchsia's older core tests, e.g. resource.cc, still call them).
inline zx::unowned_resource GetMmioRootResource() { return GetMmioResource(); }
inline zx::unowned_resource GetSystemRootResource() { return GetSystemResource(); }

// A new resource of kind ZX_RSRC_KIND_SYSTEM for |base| (a
// ZX_RSRC_SYSTEM_*_BASE), made from |system_resource|, or
// zx_resource_create's error (ZX_ERR_BAD_HANDLE when there is none).
inline zx::result<zx::resource> GetSystemResourceWithBase(zx::unowned_resource& system_resource,
                                                          uint64_t base) {
  zx_handle_t out = ZX_HANDLE_INVALID;
  zx_status_t status = zx_resource_create(system_resource->get(), ZX_RSRC_KIND_SYSTEM, base, 1,
                                          nullptr, 0, &out);
  if (status != ZX_OK) {
    return zx::error(status);
  }
  return zx::ok(zx::resource(out));
}

// A boot VMO by name: none exist here.
inline zx::unowned_vmo GetVmo(std::string_view name) {
  (void)name;
  return zx::unowned_vmo();
}

// A namespace directory by name: none exist here.
inline zx::unowned_channel GetNsDir(std::string_view name) {
  (void)name;
  return zx::unowned_channel();
}

// The kernel's boot options: every one at its default.
inline const BootOptions& GetBootOptions() {
  static const BootOptions options;
  return options;
}

// Fills in each of |opts| from the kernel command line.  There is none
// here, so every |option| is left as it was (empty unless preset).
inline void GetOptions(std::initializer_list<std::reference_wrapper<Option>> opts) {
  (void)opts;
}

// Writes |str| to the kernel log (here: the runner's output).
inline void LogWrite(std::string_view str) { zx_debug_write(str.data(), str.size()); }

// A main() for zxtest tests: runs them all (no command-line flags) and
// returns the exit status, 0 if none failed.
inline int TestMain() { return zxtest_run_all_tests(0, nullptr); }

}  // namespace standalone

#endif  // LIB_STANDALONE_TEST_STANDALONE_H_
