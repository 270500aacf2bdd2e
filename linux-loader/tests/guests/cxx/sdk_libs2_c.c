// The C side of sdk_libs2_test.cc: lib/sync's mutex and condition, and the
// hypervisor and port packet types, from C (SYNC_*_INIT, bool fields).
#include <lib/sync/condition.h>
#include <lib/sync/mutex.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/hypervisor.h>
#include <zircon/syscalls/port.h>

_Static_assert(sizeof(zx_packet_guest_io_t) == 32, "guest io packet");
_Static_assert(sizeof(zx_vcpu_state_t) == 136, "vcpu state");

static sync_mutex_t g_mutex = SYNC_MUTEX_INIT;
static sync_condition_t g_cond = SYNC_CONDITION_INIT;

// 0 if locking, trylock and a timed condition wait behave from C.
int sdk_libs2_c_sync(void) {
  sync_mutex_lock(&g_mutex);
  if (sync_mutex_trylock(&g_mutex) != ZX_ERR_BAD_STATE) return 1;
  if (sync_condition_timedwait(&g_cond, &g_mutex, zx_deadline_after(ZX_MSEC(1))) !=
      ZX_ERR_TIMED_OUT)
    return 2;
  sync_mutex_unlock(&g_mutex);
  if (sync_mutex_trylock(&g_mutex) != ZX_OK) return 3;
  sync_mutex_unlock(&g_mutex);
  zx_packet_guest_io_t io = {0};
  io.input = true;
  io.u16 = 7;
  return io.data[0] == 7 ? 0 : 4;
}
