// Guest SDK: <lib/fzl/vmo-mapper.h> -- fzl::VmoMapper, one mapping of a VMO
// that is unmapped when the mapper is destroyed (or Unmap()ped, or moved
// over).  Written for this project to Fuchsia's public fzl API.  Header-only.
//
// The mapping goes into the root VMAR, or into a fzl::VmarManager's region
// when one is given (the mapper keeps a reference to it).  The mapper does not
// own the VMO: CreateAndMap hands the new VMO out through |vmo_out| or closes
// its handle (the mapping keeps the memory alive); see fzl::OwnedVmoMapper
// for a mapper that keeps the VMO.
#ifndef LIB_FZL_VMO_MAPPER_H_
#define LIB_FZL_VMO_MAPPER_H_

#include <lib/fzl/vmar-manager.h>
#include <lib/zx/vmo.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/types.h>

#include <utility>

#include <fbl/macros.h>
#include <fbl/ref_ptr.h>

namespace fzl {

class VmoMapper {
 public:
  VmoMapper() = default;
  ~VmoMapper() { Unmap(); }
  DISALLOW_COPY_AND_ASSIGN_ALLOW_MOVE(VmoMapper);

  VmoMapper(VmoMapper&& other) { MoveFromOther(&other); }
  VmoMapper& operator=(VmoMapper&& other) {
    if (this != &other) {
      Unmap();
      MoveFromOther(&other);
    }
    return *this;
  }

  // Creates a VMO of at least |size| bytes with |vmo_options| (the VMO and
  // the mapping are whole pages; size() is |size| as given), sets
  // |cache_policy| on it if nonzero, and maps all of it with |map_flags|.  With |vmo_out| the VMO is returned there (its rights
  // cut down to |vmo_rights| unless ZX_RIGHT_SAME_RIGHTS); otherwise its
  // handle is closed.  ZX_ERR_BAD_STATE if this mapper already maps something.
  zx_status_t CreateAndMap(uint64_t size,
                           zx_vm_option_t map_flags = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
                           fbl::RefPtr<VmarManager> vmar_manager = nullptr,
                           zx::vmo* vmo_out = nullptr,
                           zx_rights_t vmo_rights = ZX_RIGHT_SAME_RIGHTS,
                           uint32_t cache_policy = 0, uint32_t vmo_options = 0) {
    if (size == 0) {
      return ZX_ERR_INVALID_ARGS;
    }
    zx_status_t status = CheckReadyToMap(vmar_manager);
    if (status != ZX_OK) {
      return status;
    }
    zx::vmo vmo;
    status = zx::vmo::create(size, vmo_options, &vmo);
    if (status != ZX_OK) {
      return status;
    }
    if (cache_policy != 0) {
      status = vmo.set_cache_policy(cache_policy);
      if (status != ZX_OK) {
        return status;
      }
    }
    status = InternalMap(vmo, 0, size, map_flags, std::move(vmar_manager));
    if (status != ZX_OK) {
      return status;
    }
    if (vmo_out != nullptr) {
      if (vmo_rights != ZX_RIGHT_SAME_RIGHTS) {
        status = vmo.replace(vmo_rights, &vmo);
        if (status != ZX_OK) {
          Unmap();
          return status;
        }
      }
      *vmo_out = std::move(vmo);
    }
    return ZX_OK;
  }

  // Maps |size| bytes of |vmo| from |offset| (with |size| 0: from |offset| to
  // the end of the VMO) with |map_flags|.  |offset| must be page-aligned.
  // ZX_ERR_INVALID_ARGS for an invalid |vmo|, ZX_ERR_BAD_STATE if this mapper
  // already maps something, ZX_ERR_OUT_OF_RANGE if the range runs past the
  // end of the VMO.
  zx_status_t Map(const zx::vmo& vmo, uint64_t offset = 0, uint64_t size = 0,
                  zx_vm_option_t map_flags = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
                  fbl::RefPtr<VmarManager> vmar_manager = nullptr) {
    if (!vmo.is_valid()) {
      return ZX_ERR_INVALID_ARGS;
    }
    zx_status_t status = CheckReadyToMap(vmar_manager);
    if (status != ZX_OK) {
      return status;
    }
    uint64_t vmo_size = 0;
    status = vmo.get_size(&vmo_size);
    if (status != ZX_OK) {
      return status;
    }
    uint64_t end = 0;
    if (__builtin_add_overflow(offset, size, &end) || end > vmo_size) {
      return ZX_ERR_OUT_OF_RANGE;
    }
    if (size == 0) {
      size = vmo_size - offset;
    }
    return InternalMap(vmo, offset, size, map_flags, std::move(vmar_manager));
  }

  // Removes the mapping (if any) and drops the VmarManager reference.
  void Unmap() {
    if (start_ != 0) {
      zx_handle_t vmar = vmar_manager_ ? vmar_manager_->vmar().get() : zx_vmar_root_self();
      zx_vmar_unmap(vmar, start_, MappedLength(size_));
      start_ = 0;
      size_ = 0;
    }
    vmar_manager_.reset();
  }

  void* start() const { return reinterpret_cast<void*>(start_); }
  // The size asked for (the mapping itself extends to the end of its page).
  uint64_t size() const { return size_; }
  const fbl::RefPtr<VmarManager>& manager() const { return vmar_manager_; }

 protected:
  zx_status_t CheckReadyToMap(const fbl::RefPtr<VmarManager>& vmar_manager) const {
    if (start_ != 0) {
      return ZX_ERR_BAD_STATE;
    }
    if (vmar_manager && !vmar_manager->vmar().is_valid()) {
      return ZX_ERR_INVALID_ARGS;
    }
    return ZX_OK;
  }

  // The bytes a mapping of |size| covers: whole pages.
  static uint64_t MappedLength(uint64_t size) {
    uint64_t page = zx_system_get_page_size();
    return (size + page - 1) & ~(page - 1);
  }

  zx_status_t InternalMap(const zx::vmo& vmo, uint64_t offset, uint64_t size,
                          zx_vm_option_t map_flags, fbl::RefPtr<VmarManager> vmar_manager) {
    uint64_t len = MappedLength(size);
    if (len < size) {
      return ZX_ERR_OUT_OF_RANGE;
    }
    zx_handle_t vmar = vmar_manager ? vmar_manager->vmar().get() : zx_vmar_root_self();
    uintptr_t addr = 0;
    zx_status_t status = zx_vmar_map(vmar, map_flags, 0, vmo.get(), offset, len, &addr);
    if (status != ZX_OK) {
      return status;
    }
    start_ = addr;
    size_ = size;
    vmar_manager_ = std::move(vmar_manager);
    return ZX_OK;
  }

  void MoveFromOther(VmoMapper* other) {
    vmar_manager_ = std::move(other->vmar_manager_);
    start_ = other->start_;
    size_ = other->size_;
    other->start_ = 0;
    other->size_ = 0;
  }

  fbl::RefPtr<VmarManager> vmar_manager_;
  uintptr_t start_ = 0;
  uint64_t size_ = 0;
};

}  // namespace fzl

#endif  // LIB_FZL_VMO_MAPPER_H_
