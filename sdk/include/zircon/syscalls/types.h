// Guest SDK: <zircon/syscalls/types.h> -- incomplete declarations of the
// structs that syscall prototypes take by pointer, so that <zircon/syscalls.h>
// can declare those calls without pulling in every header that defines them
// (Fuchsia's header of the same name plays the same role).
#ifndef ZIRCON_SYSCALLS_TYPES_H_
#define ZIRCON_SYSCALLS_TYPES_H_

#include <zircon/compiler.h>

__BEGIN_CDECLS

typedef struct zx_port_packet zx_port_packet_t;                  // <zircon/syscalls/port.h>
typedef struct zx_pci_bar zx_pci_bar_t;                          // <zircon/syscalls/pci.h>
typedef struct zx_pcie_device_info zx_pcie_device_info_t;        // <zircon/syscalls/pci.h>
typedef struct zx_pci_init_arg zx_pci_init_arg_t;                // <zircon/syscalls/pci.h>
typedef struct zx_system_powerctl_arg zx_system_powerctl_arg_t;  // <zircon/syscalls/system.h>
typedef struct zx_profile_info zx_profile_info_t;                // <zircon/syscalls/profile.h>
typedef struct zx_smc_parameters zx_smc_parameters_t;            // <zircon/syscalls/smc.h>
typedef struct zx_smc_result zx_smc_result_t;                    // <zircon/syscalls/smc.h>
typedef struct zx_exception_context zx_exception_context_t;      // <zircon/syscalls/exception.h>

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_TYPES_H_
