// Guest SDK: <lib/fzl/owned-vmo-mapper.h> -- fzl::OwnedVmoMapper, a
// fzl::VmoMapper that also holds the VMO it maps.  Written for this project
// to Fuchsia's public fzl API.  Header-only.
#ifndef LIB_FZL_OWNED_VMO_MAPPER_H_
#define LIB_FZL_OWNED_VMO_MAPPER_H_

#include <lib/fzl/vmar-manager.h>
#include <lib/fzl/vmo-mapper.h>
#include <lib/zx/vmo.h>
#include <string.h>

#include <utility>

#include <fbl/macros.h>
#include <fbl/ref_ptr.h>

namespace fzl {

class OwnedVmoMapper : protected VmoMapper {
 public:
  OwnedVmoMapper() = default;
  ~OwnedVmoMapper() { Reset(); }
  DISALLOW_COPY_AND_ASSIGN_ALLOW_MOVE(OwnedVmoMapper);

  OwnedVmoMapper(OwnedVmoMapper&& other) { MoveFromOther(&other); }
  OwnedVmoMapper& operator=(OwnedVmoMapper&& other) {
    if (this != &other) {
      Reset();
      MoveFromOther(&other);
    }
    return *this;
  }

  // Creates a VMO of |size| bytes named |name| and maps it, as
  // VmoMapper::CreateAndMap does; this mapper keeps the VMO.
  zx_status_t CreateAndMap(uint64_t size, const char* name,
                           zx_vm_option_t map_options = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
                           fbl::RefPtr<VmarManager> vmar_manager = nullptr,
                           uint32_t cache_policy = 0, uint32_t vmo_options = 0) {
    zx::vmo vmo;
    zx_status_t status = VmoMapper::CreateAndMap(size, map_options, std::move(vmar_manager), &vmo,
                                                 ZX_RIGHT_SAME_RIGHTS, cache_policy, vmo_options);
    if (status != ZX_OK) {
      return status;
    }
    // Best effort, as Fuchsia's: a null |name| sets the empty name.
    vmo.set_property(ZX_PROP_NAME, name, name != nullptr ? strlen(name) : 0);
    vmo_ = std::move(vmo);
    return ZX_OK;
  }

  // Maps |vmo| as VmoMapper::Map does (|size| 0: from |offset| to the end)
  // and takes it over (on failure it is closed).
  zx_status_t Map(zx::vmo vmo, uint64_t offset, uint64_t size, zx_vm_option_t map_options,
                  fbl::RefPtr<VmarManager> vmar_manager = nullptr) {
    zx_status_t status = VmoMapper::Map(vmo, offset, size, map_options, std::move(vmar_manager));
    if (status != ZX_OK) {
      return status;
    }
    vmo_ = std::move(vmo);
    return ZX_OK;
  }

  // Unmaps and closes the VMO.
  void Reset() {
    vmo_.reset();
    VmoMapper::Unmap();
  }

  // Unmaps and hands the VMO back.
  zx::vmo Release() {
    VmoMapper::Unmap();
    return std::move(vmo_);
  }

  const zx::vmo& vmo() const { return vmo_; }

  using VmoMapper::manager;
  using VmoMapper::size;
  using VmoMapper::start;

 protected:
  void MoveFromOther(OwnedVmoMapper* other) {
    vmo_ = std::move(other->vmo_);
    VmoMapper::MoveFromOther(other);
  }

 private:
  zx::vmo vmo_;
};

}  // namespace fzl

#endif  // LIB_FZL_OWNED_VMO_MAPPER_H_
