//! `zx_object_get_info` (properties and children: `property.rs`).
//!
//! Info records are encoded field by field at Fuchsia's x86-64 offsets (see
//! `<zircon/syscalls/object.h>`), never by transmuting Rust structs.

use std::sync::Arc;

use kernel_hal::{MMUFlags, PAGE_SIZE};
use zircon_object::handle::HandleValue;
use zircon_object::ipc::Socket;
use zircon_object::object::KernelObject;
use zircon_object::task::exception_abi;
use zircon_object::task::{Job, Process, Thread};
use zircon_object::vm::vmo::info_flags;
use zircon_object::vm::{MapsEntry, Stream, VmAddressRegion, VmObject};
use zircon_object::{Rights, ZxError, ZxResult};

use crate::user::{write_bytes, UserOutPtr};
use crate::Syscall;

/// `ZX_INFO_*` topics.
mod topic {
    pub const HANDLE_VALID: u32 = 1;
    pub const HANDLE_BASIC: u32 = 2;
    pub const PROCESS: u32 = 0x1000_0003;
    pub const VMAR: u32 = 7;
    pub const PROCESS_MAPS_V1: u32 = 0xD;
    pub const PROCESS_MAPS_V2: u32 = 0x1000_000D;
    pub const PROCESS_MAPS: u32 = 0x2000_000D;
    pub const VMO_V1: u32 = 0x17;
    pub const VMO_V2: u32 = 0x1000_0017;
    pub const VMO_V3: u32 = 0x2000_0017;
    pub const VMO: u32 = 0x3000_0017;
    pub const HANDLE_COUNT: u32 = 19;
    pub const PROCESS_THREADS: u32 = 4;
    pub const THREAD: u32 = 10;
    pub const THREAD_EXCEPTION_REPORT_V1: u32 = 11;
    pub const THREAD_EXCEPTION_REPORT: u32 = 0x1000_000B;
    pub const JOB_CHILDREN: u32 = 8;
    pub const JOB_PROCESSES: u32 = 9;
    pub const JOB: u32 = 24;
    pub const TIMER: u32 = 25;
    pub const PROCESS_HANDLE_STATS: u32 = 21;
    pub const THREAD_STATS: u32 = 15;
    pub const TASK_RUNTIME_V1: u32 = 30;
    pub const TASK_RUNTIME: u32 = 0x1000_001E;
    pub const HANDLE_TABLE: u32 = 27;
    pub const STREAM: u32 = 26;
    pub const RESOURCE: u32 = 18;
    pub const TASK_STATS_V1: u32 = 0xC;
    pub const TASK_STATS: u32 = 0x1000_000C;
    pub const PROCESS_VMOS_V1: u32 = 0xE;
    pub const PROCESS_VMOS_V2: u32 = 0x1000_000E;
    pub const PROCESS_VMOS_V3: u32 = 0x2000_000E;
    pub const PROCESS_VMOS: u32 = 0x3000_000E;
    pub const CPU_STATS: u32 = 16;
    pub const KMEM_STATS_V1: u32 = 0x11;
    pub const KMEM_STATS: u32 = 0x1000_0011;
    pub const SOCKET: u32 = 22;
}

/// `ZX_INFO_INVALID_CPU`
const INVALID_CPU: u32 = 0xFFFF_FFFF;

/// A little-endian record builder.
struct Rec(Vec<u8>);

impl Rec {
    fn new(size: usize) -> Self {
        Rec(vec![0; size])
    }
    fn u32(mut self, off: usize, v: u32) -> Self {
        self.0[off..off + 4].copy_from_slice(&v.to_le_bytes());
        self
    }
    fn u64(mut self, off: usize, v: u64) -> Self {
        self.0[off..off + 8].copy_from_slice(&v.to_le_bytes());
        self
    }
    fn bytes(mut self, off: usize, b: &[u8]) -> Self {
        self.0[off..off + b.len()].copy_from_slice(b);
        self
    }
}

fn name32(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    let n = s.len().min(31);
    out[..n].copy_from_slice(&s.as_bytes()[..n]);
    out
}

fn mmu_bits(f: MMUFlags) -> u32 {
    // ZX_VM_PERM_* bits equal the MMU flag bits.
    f.bits()
}

impl Syscall<'_> {
    /// `zx_object_get_info`.
    pub fn object_get_info(
        &self,
        h: HandleValue,
        topic: u32,
        buf: UserOutPtr<u8>,
        buf_size: usize,
        actual: UserOutPtr<usize>,
        avail: UserOutPtr<usize>,
    ) -> ZxResult {
        let buf = buf.addr();
        // Asking whether a handle is valid is no ZX_POL_BAD_HANDLE matter.
        let handle = if topic == topic::HANDLE_VALID {
            self.process.handles().get_quiet(h)?.to_ref()
        } else {
            self.process.handles().get(h)?.to_ref()
        };
        let single = |rec: Rec| -> ZxResult {
            if buf_size < rec.0.len() {
                actual.write_if_not_null(self.aspace(), 0)?;
                avail.write_if_not_null(self.aspace(), 1)?;
                return Err(ZxError::BUFFER_TOO_SMALL);
            }
            write_bytes(self.aspace(), buf, &rec.0)?;
            actual.write_if_not_null(self.aspace(), 1)?;
            avail.write_if_not_null(self.aspace(), 1)
        };
        let need = |r: Rights| {
            if handle.rights.contains(r) {
                Ok(())
            } else {
                Err(ZxError::ACCESS_DENIED)
            }
        };
        match topic {
            topic::HANDLE_VALID => Ok(()),
            topic::HANDLE_BASIC => {
                let o = &handle.object;
                single(
                    Rec::new(32)
                        .u64(0, o.koid())
                        .u32(8, handle.rights.bits())
                        .u32(12, o.obj_type() as u32)
                        .u64(16, o.related_koid()),
                )
            }
            topic::HANDLE_COUNT => {
                need(Rights::INSPECT)?;
                single(Rec::new(4).u32(0, handle.object.base().handle_count()))
            }
            topic::PROCESS => {
                let p = downcast::<Process>(&handle.object)?;
                need(Rights::INSPECT)?;
                let st = p.state();
                // ZX_INFO_PROCESS_FLAG_DEBUGGER_ATTACHED
                let debugger = if p.debug_exceptionate().has_live_channel() {
                    4
                } else {
                    0
                };
                single(
                    Rec::new(24)
                        .u64(0, st.return_code as u64)
                        .u64(8, st.start_time as u64)
                        .u32(16, st.flags | debugger),
                )
            }
            topic::THREAD => {
                let t = downcast::<Thread>(&handle.object)?;
                need(Rights::INSPECT)?;
                // state, wait_exception_channel_type (none), affinity: every CPU.
                let cpus = crate::misc::num_cpus().min(64);
                let mask = if cpus == 64 {
                    u64::MAX
                } else {
                    (1u64 << cpus) - 1
                };
                single(
                    Rec::new(72)
                        .u32(0, t.info_state().as_raw())
                        .u32(4, t.wait_exception_channel_type().as_raw())
                        .u64(8, mask),
                )
            }
            topic::THREAD_EXCEPTION_REPORT | topic::THREAD_EXCEPTION_REPORT_V1 => {
                let t = downcast::<Thread>(&handle.object)?;
                need(Rights::INSPECT)?;
                let size = if topic == topic::THREAD_EXCEPTION_REPORT {
                    exception_abi::REPORT_SIZE
                } else {
                    exception_abi::REPORT_V1_SIZE
                };
                let report = t.exception_report()?;
                single(Rec(exception_abi::encode_report(&report, size)))
            }
            topic::JOB => {
                let j = downcast::<Job>(&handle.object)?;
                need(Rights::INSPECT)?;
                let i = j.info();
                single(Rec::new(16).u64(0, i.return_code as u64).bytes(
                    8,
                    &[
                        i.exited as u8,
                        i.kill_on_oom as u8,
                        i.debugger_attached as u8,
                    ],
                ))
            }
            topic::TIMER => {
                let t = downcast::<zircon_object::time::Timer>(&handle.object)?;
                need(Rights::INSPECT)?;
                let i = t.info();
                single(
                    Rec::new(24)
                        .u32(0, i.options)
                        .u32(4, i.clock_id)
                        .u64(8, i.deadline as u64)
                        .u64(16, i.slack as u64),
                )
            }
            topic::THREAD_STATS => {
                let t = downcast::<Thread>(&handle.object)?;
                need(Rights::INSPECT)?;
                // A thread that has exited has no statistics (Zircon).
                if t.is_dead() {
                    return Err(ZxError::BAD_STATE);
                }
                let (reading, _) = t.runtime();
                single(
                    Rec::new(16)
                        .u64(0, reading.runtime.cpu as u64)
                        .u32(8, reading.last_cpu.unwrap_or(INVALID_CPU)),
                )
            }
            topic::TASK_RUNTIME | topic::TASK_RUNTIME_V1 => {
                let o = &handle.object;
                let runtime = if let Some(t) = o.clone().downcast_arc::<Thread>() {
                    need(Rights::INSPECT)?;
                    t.runtime().0.runtime
                } else if let Some(p) = o.clone().downcast_arc::<Process>() {
                    need(Rights::INSPECT)?;
                    p.runtime()
                } else if let Some(j) = o.clone().downcast_arc::<Job>() {
                    need(Rights::INSPECT)?;
                    j.runtime()
                } else {
                    return Err(ZxError::WRONG_TYPE);
                };
                // v1: cpu_time, queue_time; v2 adds page_fault_time and
                // lock_contention_time, which the emulator does not
                // measure apart from CPU time (0).
                let size = if topic == topic::TASK_RUNTIME { 32 } else { 16 };
                single(
                    Rec::new(size)
                        .u64(0, runtime.cpu as u64)
                        .u64(8, runtime.queue as u64),
                )
            }
            topic::PROCESS_HANDLE_STATS => {
                let p = downcast::<Process>(&handle.object)?;
                need(Rights::INSPECT)?;
                // zx_info_process_handle_stats_t: one count per object
                // type, ZX_OBJ_TYPE_UPPER_BOUND (64) of them.
                let mut counts = [0u32; 64];
                for (_, h) in p.handles().iter() {
                    if let Some(c) = counts.get_mut(h.object.obj_type() as usize) {
                        *c += 1;
                    }
                }
                let raw: Vec<u8> = counts.iter().flat_map(|c| c.to_le_bytes()).collect();
                single(Rec::new(raw.len()).bytes(0, &raw))
            }
            topic::HANDLE_TABLE => {
                let p = downcast::<Process>(&handle.object)?;
                need(Rights::INSPECT)?;
                let records = handle_table_records(&p);
                let fit = (buf_size / HANDLE_EXTENDED_SIZE).min(records.len());
                let raw: Vec<u8> = records[..fit].iter().flatten().copied().collect();
                write_bytes(self.aspace(), buf, &raw)?;
                actual.write_if_not_null(self.aspace(), fit)?;
                // As for the other arrays: as many as fit, and OK.
                avail.write_if_not_null(self.aspace(), records.len())
            }
            topic::TASK_STATS | topic::TASK_STATS_V1 => {
                let p = downcast::<Process>(&handle.object)?;
                need(Rights::INSPECT)?;
                let mut rec = crate::info_memory::task_stats(&p);
                if topic == topic::TASK_STATS_V1 {
                    rec.truncate(crate::info_memory::TASK_STATS_V1_SIZE);
                }
                single(Rec(rec))
            }
            topic::PROCESS_VMOS
            | topic::PROCESS_VMOS_V3
            | topic::PROCESS_VMOS_V2
            | topic::PROCESS_VMOS_V1 => {
                let p = downcast::<Process>(&handle.object)?;
                need(Rights::INSPECT)?;
                // Each version is a prefix of the latest record.
                let entry_size = match topic {
                    topic::PROCESS_VMOS => 176,
                    topic::PROCESS_VMOS_V3 => 128,
                    topic::PROCESS_VMOS_V2 => 120,
                    _ => 104,
                };
                let recs = crate::info_memory::process_vmos(&p);
                self.write_array(buf, buf_size, entry_size, &recs, actual, avail)
            }
            topic::KMEM_STATS | topic::KMEM_STATS_V1 | topic::CPU_STATS => {
                // The system resource of ZX_RSRC_SYSTEM_INFO_BASE (or the
                // root), as Zircon's validate_ranged_resource checks it.
                use zircon_object::system::resource::{KIND_SYSTEM, SYSTEM_INFO_BASE};
                let r = downcast::<zircon_object::system::Resource>(&handle.object)?;
                r.validate_ranged(KIND_SYSTEM, SYSTEM_INFO_BASE, 1)?;
                let hal = self.process.root_vmar().aspace().hal().clone();
                match topic {
                    topic::CPU_STATS => {
                        let recs = crate::info_memory::cpu_stats(&*hal);
                        let size = crate::info_memory::CPU_STATS_SIZE;
                        self.write_array(buf, buf_size, size, &recs, actual, avail)
                    }
                    t => single(Rec(crate::info_memory::kmem_stats(
                        &*hal,
                        t == topic::KMEM_STATS_V1,
                    ))),
                }
            }
            topic::RESOURCE => {
                let r = downcast::<zircon_object::system::Resource>(&handle.object)?;
                need(Rights::INSPECT)?;
                let i = r.info();
                single(
                    Rec::new(56)
                        .u32(0, i.kind)
                        .u32(4, i.flags)
                        .u64(8, i.base)
                        .u64(16, i.size)
                        .bytes(24, &i.name),
                )
            }
            topic::PROCESS_THREADS | topic::JOB_CHILDREN | topic::JOB_PROCESSES => {
                let koids = match topic {
                    topic::PROCESS_THREADS => {
                        let p = downcast::<Process>(&handle.object)?;
                        need(Rights::ENUMERATE)?;
                        p.thread_koids()
                    }
                    topic::JOB_CHILDREN => {
                        let j = downcast::<Job>(&handle.object)?;
                        need(Rights::ENUMERATE)?;
                        j.child_koids()
                    }
                    _ => {
                        let j = downcast::<Job>(&handle.object)?;
                        need(Rights::ENUMERATE)?;
                        j.process_koids()
                    }
                };
                let fit = (buf_size / 8).min(koids.len());
                let raw: Vec<u8> = koids[..fit].iter().flat_map(|k| k.to_le_bytes()).collect();
                write_bytes(self.aspace(), buf, &raw)?;
                actual.write_if_not_null(self.aspace(), fit)?;
                avail.write_if_not_null(self.aspace(), koids.len())
            }
            topic::STREAM => {
                let s = downcast::<Stream>(&handle.object)?;
                need(Rights::INSPECT)?;
                let i = s.info();
                // zx_info_stream_t: options, padding, seek, content_size.
                single(
                    Rec::new(24)
                        .u32(0, i.options)
                        .u64(8, i.seek)
                        .u64(16, i.content_size),
                )
            }
            topic::SOCKET => {
                let s = downcast::<Socket>(&handle.object)?;
                need(Rights::INSPECT)?;
                let i = s.info();
                single(
                    Rec::new(48)
                        .u32(0, i.options)
                        .u64(8, i.rx_buf_max as u64)
                        .u64(16, i.rx_buf_size as u64)
                        .u64(24, i.rx_buf_available as u64)
                        .u64(32, i.tx_buf_max as u64)
                        .u64(40, i.tx_buf_size as u64),
                )
            }
            topic::VMAR => {
                let v = downcast::<VmAddressRegion>(&handle.object)?;
                need(Rights::INSPECT)?;
                let (base, len) = v.info();
                single(Rec::new(16).u64(0, base as u64).u64(8, len as u64))
            }
            topic::VMO | topic::VMO_V3 | topic::VMO_V2 | topic::VMO_V1 => {
                let v = downcast::<VmObject>(&handle.object)?;
                // Each version is a prefix of the latest record.
                let size = match topic {
                    topic::VMO => 176,
                    topic::VMO_V3 => 128,
                    topic::VMO_V2 => 120,
                    _ => 104,
                };
                let i = v.info();
                // Nothing is kept compressed, so populated = committed.
                let mut rec = Rec::new(176)
                    .u64(0, i.koid)
                    .bytes(8, &i.name)
                    .u64(40, i.size_bytes)
                    .u64(48, i.parent_koid)
                    .u64(56, i.num_children)
                    .u64(64, i.num_mappings)
                    .u64(72, 1)
                    .u32(80, i.flags | info_flags::VIA_HANDLE)
                    .u64(88, i.committed_bytes)
                    .u32(96, handle.rights.bits())
                    .u32(100, i.cache_policy)
                    .u64(104, i.metadata_bytes)
                    .u64(112, 0)
                    .u64(120, i.committed_bytes)
                    .u64(128, i.committed_private_bytes)
                    .u64(136, i.committed_private_bytes)
                    .u64(144, i.committed_scaled_bytes)
                    .u64(152, i.committed_scaled_bytes)
                    .u64(160, i.committed_fractional_scaled_bytes)
                    .u64(168, i.committed_fractional_scaled_bytes);
                rec.0.truncate(size);
                single(rec)
            }
            topic::PROCESS_MAPS | topic::PROCESS_MAPS_V2 | topic::PROCESS_MAPS_V1 => {
                let p = downcast::<Process>(&handle.object)?;
                need(Rights::INSPECT)?;
                // zx_info_maps_t: the latest record counts bytes (and how
                // they are shared), v2 committed and populated pages, v1
                // committed pages; the header is the same.
                let entry_size = match topic {
                    topic::PROCESS_MAPS => 152,
                    topic::PROCESS_MAPS_V2 => 104,
                    _ => 96,
                };
                let (base, size) = p.root_vmar().aspace().window();
                let mut recs = vec![Rec::new(entry_size)
                    .bytes(0, &name32(&format!("proc:{}", p.koid())))
                    .u64(32, base as u64)
                    .u64(40, size as u64)
                    .u32(56, 1)];
                for e in p.root_vmar().maps(1) {
                    recs.push(match e {
                        MapsEntry::Vmar {
                            name,
                            base,
                            size,
                            depth,
                        } => Rec::new(entry_size)
                            .bytes(0, &name32(&name))
                            .u64(32, base as u64)
                            .u64(40, size as u64)
                            .u64(48, depth as u64)
                            .u32(56, 2),
                        MapsEntry::Mapping {
                            name,
                            base,
                            size,
                            depth,
                            flags,
                            vmo_koid,
                            vmo_offset,
                            committed: c,
                        } => {
                            let rec = Rec::new(entry_size)
                                .bytes(0, &name)
                                .u64(32, base as u64)
                                .u64(40, size as u64)
                                .u64(48, depth as u64)
                                .u32(56, 3)
                                .u32(64, mmu_bits(flags))
                                .u64(72, vmo_koid)
                                .u64(80, vmo_offset as u64);
                            let pages = c.committed / PAGE_SIZE as u64;
                            // Nothing is compressed: populated = committed.
                            match topic {
                                topic::PROCESS_MAPS => rec
                                    .u64(88, c.committed)
                                    .u64(96, c.committed)
                                    .u64(104, c.private)
                                    .u64(112, c.private)
                                    .u64(120, c.scaled_integral())
                                    .u64(128, c.scaled_integral())
                                    .u64(136, c.scaled_fraction())
                                    .u64(144, c.scaled_fraction()),
                                topic::PROCESS_MAPS_V2 => rec.u64(88, pages).u64(96, pages),
                                _ => rec.u64(88, pages),
                            }
                        }
                    });
                }
                let fit = (buf_size / entry_size).min(recs.len());
                let mut out = Vec::with_capacity(fit * entry_size);
                for r in &recs[..fit] {
                    out.extend_from_slice(&r.0);
                }
                write_bytes(self.aspace(), buf, &out)?;
                actual.write_if_not_null(self.aspace(), fit)?;
                avail.write_if_not_null(self.aspace(), recs.len())
            }
            _ => Err(ZxError::NOT_SUPPORTED),
        }
    }

    /// Writes as many of `recs` (each cut to `entry_size`) as `buf_size`
    /// holds, then the count written and the count there are: the array
    /// topics' `actual`/`avail` (success even when not all fit).
    fn write_array(
        &self,
        buf: usize,
        buf_size: usize,
        entry_size: usize,
        recs: &[Vec<u8>],
        actual: UserOutPtr<usize>,
        avail: UserOutPtr<usize>,
    ) -> ZxResult {
        let fit = (buf_size / entry_size).min(recs.len());
        let raw: Vec<u8> = recs[..fit]
            .iter()
            .flat_map(|r| r[..entry_size].iter().copied())
            .collect();
        write_bytes(self.aspace(), buf, &raw)?;
        actual.write_if_not_null(self.aspace(), fit)?;
        avail.write_if_not_null(self.aspace(), recs.len())
    }
}

/// `sizeof(zx_info_handle_extended_t)`
const HANDLE_EXTENDED_SIZE: usize = 40;

/// `ZX_INFO_HANDLE_TABLE`: a `zx_info_handle_extended_t` for every handle
/// of `p`. `peer_owner_koid` is the koid of another process holding a
/// handle to the object this one is related to (a channel's other end, a
/// job's parent...), found by looking through every process of the job
/// tree; 0 if none does.
fn handle_table_records(p: &Arc<Process>) -> Vec<[u8; HANDLE_EXTENDED_SIZE]> {
    // Snapshot first: other processes' tables are locked one at a time,
    // never while this one is.
    let mine: Vec<(u32, Rights, Arc<dyn KernelObject>)> = p
        .handles()
        .iter()
        .map(|(v, h)| (v, h.rights, h.object.clone()))
        .collect();
    let mut root = p.job().clone();
    while let Some(up) = root.parent().cloned() {
        root = up;
    }
    let others: Vec<Arc<Process>> = root
        .all_processes()
        .into_iter()
        .filter(|q| !Arc::ptr_eq(q, p))
        .collect();
    let holder_of = |koid: u64| -> u64 {
        if koid == 0 {
            return 0;
        }
        others
            .iter()
            .find(|q| q.handles().iter().any(|(_, h)| h.object.koid() == koid))
            .map_or(0, |q| q.koid())
    };
    mine.into_iter()
        .map(|(value, rights, o)| {
            let related = o.related_koid();
            let rec = Rec::new(HANDLE_EXTENDED_SIZE)
                .u32(0, o.obj_type() as u32)
                .u32(4, value)
                .u32(8, rights.bits())
                .u64(16, o.koid())
                .u64(24, related)
                .u64(32, holder_of(related));
            rec.0.try_into().expect("40 bytes")
        })
        .collect()
}

pub(crate) fn downcast<T: KernelObject>(o: &Arc<dyn KernelObject>) -> ZxResult<Arc<T>> {
    o.clone().downcast_arc::<T>().ok_or(ZxError::WRONG_TYPE)
}
