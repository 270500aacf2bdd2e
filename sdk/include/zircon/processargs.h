// The processargs bootstrap message (<zircon/processargs.h>).
#ifndef ZIRCON_PROCESSARGS_H_
#define ZIRCON_PROCESSARGS_H_

#include <stdint.h>
#include <zircon/compiler.h>

__BEGIN_CDECLS

#define ZX_PROCARGS_PROTOCOL ((uint32_t)0x4150585du)
#define ZX_PROCARGS_VERSION ((uint32_t)0x0001000u)

typedef struct zx_proc_args {
  uint32_t protocol;
  uint32_t version;
  uint32_t handle_info_off;
  uint32_t args_off;
  uint32_t args_num;
  uint32_t environ_off;
  uint32_t environ_num;
  uint32_t names_off;
  uint32_t names_num;
} zx_proc_args_t;

#define ZX_PROCARGS_BUFFER_SIZE ((uint32_t)8192u)

#define PA_HND(type, arg) (((type)&0xFF) | (((arg)&0xFFFF) << 16))
#define PA_HND_TYPE(n) ((n)&0xFF)
#define PA_HND_ARG(n) (((n) >> 16) & 0xFFFF)

#define PA_PROC_SELF 0x01u
#define PA_THREAD_SELF 0x02u
#define PA_JOB_DEFAULT 0x03u
#define PA_VMAR_ROOT 0x04u
#define PA_VMAR_LOADED 0x05u
#define PA_LDSVC_LOADER 0x10u
#define PA_VMO_VDSO 0x11u
#define PA_VMO_STACK 0x13u
#define PA_VMO_EXECUTABLE 0x14u
#define PA_VMO_BOOTDATA 0x1Au
#define PA_VMO_BOOTFS 0x1Bu
#define PA_VMO_KERNEL_FILE 0x1Cu
#define PA_NS_DIR 0x20u
#define PA_FD 0x30u
#define PA_FD_USE_FOR_STDIO 0x8000u
#define PA_LIFECYCLE 0x3Au
#define PA_DIRECTORY_REQUEST 0x3Bu
#define PA_RESOURCE 0x3Fu
#define PA_CLOCK_UTC 0x40u
#define PA_USER0 0xF0u
#define PA_USER1 0xF1u
#define PA_USER2 0xF2u

__END_CDECLS

#endif  // ZIRCON_PROCESSARGS_H_
