// Guest SDK: <lib/fzl/vmar-manager.h> -- fzl::VmarManager, a reference-counted
// sub-VMAR that fzl::VmoMapper can map into instead of the root VMAR.
// Written for this project to Fuchsia's public fzl API.  Header-only.
//
//   auto mgr = fzl::VmarManager::Create(1 << 20);   // a 1 MiB region
//   mapper.CreateAndMap(4096, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, mgr);
#ifndef LIB_FZL_VMAR_MANAGER_H_
#define LIB_FZL_VMAR_MANAGER_H_

#include <lib/zx/vmar.h>
#include <zircon/process.h>
#include <zircon/types.h>

#include <utility>

#include <fbl/macros.h>
#include <fbl/ref_counted.h>
#include <fbl/ref_ptr.h>

namespace fzl {

class VmarManager : public fbl::RefCounted<VmarManager> {
 public:
  DISALLOW_COPY_ASSIGN_AND_MOVE(VmarManager);

  // Allocates a |size|-byte sub-region of |parent|'s region (of the root VMAR
  // when |parent| is null) with |options| (ZX_VM_CAN_MAP_* and placement
  // flags; by default a compact, readable and writable region).  nullptr if |size| is 0 or the allocation fails.
  static fbl::RefPtr<VmarManager> Create(size_t size, fbl::RefPtr<VmarManager> parent = nullptr,
                                         zx_vm_option_t options = ZX_VM_COMPACT |
                                                                  ZX_VM_CAN_MAP_READ |
                                                                  ZX_VM_CAN_MAP_WRITE) {
    if (size == 0 || (parent && !parent->vmar().is_valid())) {
      return nullptr;
    }
    zx_handle_t parent_vmar = parent ? parent->vmar().get() : zx_vmar_root_self();
    zx_handle_t child = ZX_HANDLE_INVALID;
    uintptr_t addr = 0;
    if (zx_vmar_allocate(parent_vmar, options, 0, size, &child, &addr) != ZX_OK) {
      return nullptr;
    }
    fbl::RefPtr<VmarManager> mgr = fbl::AdoptRef(new VmarManager());
    mgr->vmar_.reset(child);
    mgr->start_ = reinterpret_cast<void*>(addr);
    mgr->size_ = size;
    mgr->parent_ = std::move(parent);
    return mgr;
  }

  const zx::vmar& vmar() const { return vmar_; }
  void* start() const { return start_; }
  uint64_t size() const { return size_; }
  const fbl::RefPtr<VmarManager>& parent() const { return parent_; }

 private:
  friend class fbl::RefPtr<VmarManager>;
  VmarManager() = default;
  ~VmarManager() {
    if (vmar_.is_valid()) {
      vmar_.destroy();
    }
  }

  zx::vmar vmar_;
  void* start_ = nullptr;
  uint64_t size_ = 0;
  fbl::RefPtr<VmarManager> parent_;
};

}  // namespace fzl

#endif  // LIB_FZL_VMAR_MANAGER_H_
