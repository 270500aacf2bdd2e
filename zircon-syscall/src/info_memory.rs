//! The memory and CPU topics of `zx_object_get_info`: `ZX_INFO_TASK_STATS`,
//! `ZX_INFO_PROCESS_VMOS`, `ZX_INFO_KMEM_STATS` and `ZX_INFO_CPU_STATS`,
//! as records in Fuchsia's layouts (each older version is a prefix of the
//! newer one, except where noted).

use std::sync::Arc;

use kernel_hal::Hal;
use zircon_object::task::Process;
use zircon_object::vm::vmo::{info_flags, ATTRIBUTION_SCALE_BITS};
use zircon_object::vm::VmObject;
use zircon_object::Rights;

/// `sizeof(zx_info_task_stats_t)` (with the fractional scaled bytes) and
/// `sizeof(zx_info_task_stats_v1_t)`.
pub(crate) const TASK_STATS_SIZE: usize = 40;
pub(crate) const TASK_STATS_V1_SIZE: usize = 32;
/// `sizeof(zx_info_kmem_stats_t)` and `sizeof(zx_info_kmem_stats_v1_t)`.
pub(crate) const KMEM_STATS_SIZE: usize = 19 * 8;
pub(crate) const KMEM_STATS_V1_SIZE: usize = 9 * 8;
/// `sizeof(zx_info_cpu_stats_t)`.
pub(crate) const CPU_STATS_SIZE: usize = 8 + 2 * 8 + 15 * 8;
/// `ZX_INFO_CPU_STATS_FLAG_ONLINE`
const CPU_STATS_FLAG_ONLINE: u32 = 1;

fn put(rec: &mut [u8], at: usize, v: u64) {
    rec[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

/// `zx_info_task_stats_t` of `process`: the bytes its mappings span, and
/// their committed bytes split as Fuchsia defines it — private when only
/// this process maps the VMO and no copy-on-write relative shares the page,
/// shared otherwise; each shared byte scaled by the VMOs sharing it and
/// the processes mapping it.
pub(crate) fn task_stats(process: &Process) -> Vec<u8> {
    let (mut mapped, mut private, mut shared) = (0u64, 0u64, 0u64);
    let mut scaled: u128 = 0;
    for m in process.root_vmar().mapped_vmos() {
        mapped += m.size as u64;
        let a = m.vmo.attribution_of(m.vmo_offset, m.size);
        let spaces = m.vmo.share_count().max(1) as u128;
        if spaces == 1 {
            private += a.private;
            shared += a.committed - a.private;
            scaled += a.scaled - ((a.private as u128) << ATTRIBUTION_SCALE_BITS);
        } else {
            shared += a.committed;
            scaled += a.scaled / spaces;
        }
    }
    let mut rec = vec![0u8; TASK_STATS_SIZE];
    put(&mut rec, 0, mapped);
    put(&mut rec, 8, private);
    put(&mut rec, 16, shared);
    put(&mut rec, 24, (scaled >> ATTRIBUTION_SCALE_BITS) as u64);
    put(
        &mut rec,
        32,
        (scaled & ((1u128 << ATTRIBUTION_SCALE_BITS) - 1)) as u64,
    );
    rec
}

/// One `zx_info_vmo_t` (the latest, 176-byte layout) for `vmo`, reached
/// through a handle with `rights` or (`rights` = None) through a mapping.
pub(crate) fn vmo_record(vmo: &VmObject, rights: Option<Rights>) -> Vec<u8> {
    let i = vmo.info();
    let via = match rights {
        Some(_) => info_flags::VIA_HANDLE,
        None => info_flags::VIA_MAPPING,
    };
    let mut rec = vec![0u8; 176];
    put(&mut rec, 0, i.koid);
    rec[8..40].copy_from_slice(&i.name);
    put(&mut rec, 40, i.size_bytes);
    put(&mut rec, 48, i.parent_koid);
    put(&mut rec, 56, i.num_children);
    put(&mut rec, 64, i.num_mappings);
    put(&mut rec, 72, vmo.share_count().max(1) as u64);
    rec[80..84].copy_from_slice(&(i.flags | via).to_le_bytes());
    put(&mut rec, 88, i.committed_bytes);
    rec[96..100].copy_from_slice(&rights.map_or(0, |r| r.bits()).to_le_bytes());
    rec[100..104].copy_from_slice(&i.cache_policy.to_le_bytes());
    put(&mut rec, 104, i.metadata_bytes);
    // Nothing is kept compressed, so populated = committed.
    put(&mut rec, 120, i.committed_bytes);
    put(&mut rec, 128, i.committed_private_bytes);
    put(&mut rec, 136, i.committed_private_bytes);
    put(&mut rec, 144, i.committed_scaled_bytes);
    put(&mut rec, 152, i.committed_scaled_bytes);
    put(&mut rec, 160, i.committed_fractional_scaled_bytes);
    put(&mut rec, 168, i.committed_fractional_scaled_bytes);
    rec
}

/// `ZX_INFO_PROCESS_VMOS`: every VMO `process` holds a handle to (with
/// that handle's rights), then every VMO it maps (rights 0), as Zircon
/// lists them (a VMO appears once per handle and once per mapping).
pub(crate) fn process_vmos(process: &Process) -> Vec<Vec<u8>> {
    let held: Vec<(Arc<VmObject>, Rights)> = process
        .handles()
        .iter()
        .filter_map(|(_, h)| {
            h.object
                .clone()
                .downcast_arc::<VmObject>()
                .map(|v| (v, h.rights))
        })
        .collect();
    let mut out: Vec<Vec<u8>> = held.iter().map(|(v, r)| vmo_record(v, Some(*r))).collect();
    out.extend(
        process
            .root_vmar()
            .mapped_vmos()
            .iter()
            .map(|m| vmo_record(&m.vmo, None)),
    );
    out
}

/// `zx_info_kmem_stats_t` (or its v1 layout): the frame pool's honest
/// numbers — all guests may hold `total_bytes`, they hold `vmo_bytes`, the
/// rest is free, and of what discardable VMOs hold, how much is locked and
/// how much could be discarded; the kernel's own heap, page tables and IPC
/// buffers live in the host process and are not counted (0).
pub(crate) fn kmem_stats(hal: &dyn Hal, v1: bool) -> Vec<u8> {
    let total = hal.physmem_bytes();
    let used = hal.used_memory_bytes().min(total);
    if v1 {
        // total, free, wired, total_heap, free_heap, vmo, mmu, ipc, other
        let mut rec = vec![0u8; KMEM_STATS_V1_SIZE];
        put(&mut rec, 0, total);
        put(&mut rec, 8, total - used);
        put(&mut rec, 40, used);
        return rec;
    }
    // total, free, free_loaned, wired, total_heap, free_heap, vmo, mmu,
    // ipc, cache, slab, zram, other, reclaim total/newest/oldest/disabled,
    // discardable locked/unlocked
    let mut rec = vec![0u8; KMEM_STATS_SIZE];
    put(&mut rec, 0, total);
    put(&mut rec, 8, total - used);
    put(&mut rec, 48, used);
    let (locked, unlocked) = zircon_object::vm::vmo::discardable_bytes();
    put(&mut rec, 136, locked);
    put(&mut rec, 144, unlocked);
    rec
}

/// `zx_info_cpu_stats_t` records, one per host CPU: idle and busy time
/// and interrupt counts as the host keeps them; the scheduler counters
/// the host does not keep per CPU (reschedules, context switches,
/// preemptions, yields, syscalls, energy) are 0.
pub(crate) fn cpu_stats(hal: &dyn Hal) -> Vec<Vec<u8>> {
    hal.cpu_stats()
        .iter()
        .map(|c| {
            let mut rec = vec![0u8; CPU_STATS_SIZE];
            rec[0..4].copy_from_slice(&c.cpu_number.to_le_bytes());
            rec[4..8].copy_from_slice(&CPU_STATS_FLAG_ONLINE.to_le_bytes());
            put(&mut rec, 8, c.idle_ns as u64);
            put(&mut rec, 16, c.busy_ns as u64);
            // reschedules, context_switches, irq_preempts, preempts, yields
            // (24..64), then ints, timer_ints, timers, page_faults,
            // exceptions, syscalls, reschedule_ipis, generic_ipis.
            put(&mut rec, 64, c.ints);
            put(&mut rec, 72, c.timer_ints);
            put(&mut rec, 112, c.reschedule_ipis);
            put(&mut rec, 120, c.generic_ipis);
            rec
        })
        .collect()
}
