// Guest SDK: <lib/zx/job.h> -- zx::job (written for this project to Fuchsia's
// public lib/zx API).
#ifndef LIB_ZX_JOB_H_
#define LIB_ZX_JOB_H_

#include <lib/zx/handle.h>
#include <lib/zx/object.h>
#include <lib/zx/task.h>
#include <zircon/process.h>
namespace zx {

class job final : public task<job> {
 public:
  static constexpr zx_obj_type_t TYPE = ZX_OBJ_TYPE_JOB;

  constexpr job() = default;
  explicit job(zx_handle_t value) : task(value) {}
  explicit job(handle&& h) : task(h.release()) {}
  job(job&& other) : task(other.release()) {}
  job& operator=(job&& other) {
    reset(other.release());
    return *this;
  }

  static zx_status_t create(const job& parent, uint32_t options, job* result) {
    zx_handle_t h = ZX_HANDLE_INVALID;
    zx_status_t status = zx_job_create(parent.get(), options, &h);
    result->reset(h);
    return status;
  }
  zx_status_t set_policy(uint32_t options, uint32_t topic, const void* policy,
                         uint32_t count) const {
    return zx_job_set_policy(get(), options, topic, policy, count);
  }

  // Kills this job if `process` ends (with a nonzero return code only, if
  // `options` is ZX_JOB_CRITICAL_PROCESS_RETCODE_NONZERO).
  template <typename Process>
  zx_status_t set_critical(uint32_t options, const Process& process) const {
    return zx_job_set_critical(get(), options, process.get());
  }

  static unowned<job> default_job() { return unowned<job>(zx_job_default()); }
};

using unowned_job = unowned<job>;

}  // namespace zx

#endif  // LIB_ZX_JOB_H_
