//! The Linux HAL: the real implementation of the `kernel-hal` contracts.
//!
//! This is the only crate of the workspace allowed to use `unsafe`. It maps
//! the machine the Zircon kernel objects expect onto one Linux process
//! (DESIGN.md decisions 1–4 and 6):
//!
//! * [`FramePool`] (`phys.rs`) — physical memory is one sparse memfd, the
//!   *frame file*; a physical address is an offset into it. Frames are
//!   handed out in contiguous runs; freeing and zeroing punch holes so host
//!   memory really goes back.
//! * [`UnixPageTable`] (`page_table.rs`) — a page table owns a 1 TiB window
//!   of the host address space, reserved `PROT_NONE`; guest address = host
//!   address. Mapping a run of frames is one `mmap` of the frame file,
//!   whatever its length; the run bookkeeping lives in `runs.rs`.
//! * the fault handler (`fault.rs`, installed by `signals.rs`, deciding in
//!   `resolver.rs`) — a guest's fault in its window goes to the window's
//!   [`kernel_hal::FaultResolver`] and the guest resumes if it resolves it;
//!   other faults and traps become guest exceptions (`sigframe.rs`).
//! * the context switch (`context.rs`, the state block in `thread_block.rs`,
//!   assembly in `entry.S`/`trampoline.S`/`exit.S`, kicks in `kick.rs`) —
//!   [`run_guest`] enters guest code;
//!   the syscall trampoline ([`syscall_entry_address`]) brings a vDSO call
//!   back to the host's [`SyscallHandler`] and returns to the guest.
//! * user copies (`user_copy.rs`, assembly in `user_copy.S`) — copies
//!   between host buffers and guest memory whose faults return early
//!   through a fixup instead of crashing (DESIGN.md decision 5).
//! * `sys.rs` — one thin shell per system call; everything else is safe
//!   code on top of it.
//!
//! [`UnixHal`] ties them together and implements [`kernel_hal::Hal`]. Most
//! users want one frame file per process: [`global_hal`].
//!
//! # Safety argument, in one place
//!
//! Host mappings are only ever created, replaced or changed inside windows
//! this crate holds (`MAP_FIXED_NOREPLACE` reservations), and no Rust
//! reference ever points into a window: guest memory is touched by guest
//! code, by the raw `guest_*` accessors (unsafe, for tests and benchmarks),
//! and by the kernel (`pread`/`pwrite` on the frame file, probes, and
//! user copies through the mappings: `try_read_user`/`try_write_user`
//! without a lock, `read_mapped`/`write_mapped` under the table's `runs`
//! lock, all through the fault-protected assembly routine of
//! `user_copy.rs`, whose faults end the copy instead of the process). So
//! replacing a mapping cannot invalidate memory Rust code relies on, and a
//! copy racing it behaves like a guest access racing it.
//!
//! Locks: each page table's `runs`, the window pool, the frame allocator and
//! the fault-registry slots. All are leaves: none is held while another is
//! taken or while calling out (into a resolver, say), so there is no lock
//! order to get wrong. `runs` is held across the one host call that changes
//! the mapping, so host state and bookkeeping change together.
#![forbid(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

use std::sync::{Arc, OnceLock};

use kernel_hal::{Hal, HalResult, PageTable, PhysMem};

mod altstack;
mod context;
mod fault;
mod guest;
mod guest_mem;
mod kick;
mod page_table;
mod phys;
mod resolver;
mod runs;
mod sigframe;
mod signals;
mod sys;

pub use sys::{
    die_with_parent, open_thread_sched_stats, read_thread_sched_times_ns, set_host_thread_name,
    thread_cpu_time_ns, thread_last_cpu, thread_sched_times_ns,
};
mod thread_block;
mod user_copy;

pub use altstack::ensure_alt_stack;
pub use context::{
    begin_guest_thread, guest_fs, in_guest_mode, prepare_guest_thread, request_exit, resume_guest,
    run_guest, set_guest_fs, set_syscall_handler, syscall_entry_address, syscall_regs, GuestExit,
    SyscallHandler, KILLED_EXIT_VALUE,
};
pub use guest::{enter_guest, resume_after_exception, EnterError};
pub use guest_mem::{
    guest_load_u64, guest_load_u8, guest_store_u64, guest_store_u8, host_probe_read,
    host_probe_write,
};
pub use kick::kick;
pub use page_table::{UnixPageTable, MAX_WINDOWS, WINDOW_BASE, WINDOW_SHIFT, WINDOW_SIZE};
pub use phys::{frame_file_size, parse_size, FramePool, FRAME_FILE_SIZE, GUEST_MEMORY_ENV};
pub use resolver::{resolved_fault_count, set_fault_observer, UnresolvedFault};
pub use sigframe::{saved_fpu_state, set_saved_fpu_state};
pub use signals::install_fault_handlers;
pub use thread_block::bind_thread_window;

use page_table::WindowPool;

/// The Linux HAL: a frame file plus the windows its page tables live in.
#[derive(Debug)]
pub struct UnixHal {
    /// Physical memory.
    phys: FramePool,
    /// Windows held by this HAL; shared with its page tables, which give
    /// their window back when they drop.
    windows: Arc<WindowPool>,
}

impl UnixHal {
    /// Creates a HAL with a fresh frame file of [`frame_file_size`] bytes
    /// (which caps the memory guests can use), installs the fault handler
    /// (once per process) and gives the calling thread an alternate signal
    /// stack.
    pub fn new() -> HalResult<Arc<UnixHal>> {
        install_fault_handlers()?;
        ensure_alt_stack();
        Ok(Arc::new(UnixHal {
            phys: FramePool::new(frame_file_size())?,
            windows: Arc::new(WindowPool::default()),
        }))
    }

    /// Returns the concrete physical memory, for tests and statistics.
    pub fn unix_phys(&self) -> &FramePool {
        &self.phys
    }

    /// Returns the number of windows (page tables) currently alive.
    pub fn live_windows(&self) -> usize {
        self.windows.live()
    }

    /// Creates a page table owning a fresh window, as a concrete type.
    /// Also gives the calling thread an alternate signal stack.
    pub fn new_unix_page_table(&self) -> HalResult<UnixPageTable> {
        ensure_alt_stack();
        UnixPageTable::new(&self.windows, self.phys.shared_fd(), self.phys.size())
    }
}

impl Hal for UnixHal {
    fn phys(&self) -> &dyn PhysMem {
        &self.phys
    }

    fn new_page_table(&self) -> HalResult<Box<dyn PageTable>> {
        Ok(Box::new(self.new_unix_page_table()?))
    }

    fn physmem_bytes(&self) -> u64 {
        self.phys.size() as u64
    }

    fn used_memory_bytes(&self) -> u64 {
        self.phys.host_allocated_bytes()
    }

    fn dcache_line_size(&self) -> u32 {
        sys::dcache_line_size()
    }

    fn cpu_stats(&self) -> Vec<kernel_hal::CpuStats> {
        sys::cpu_stats()
    }
}

/// Returns the process-wide HAL, creating it on first use, and gives the
/// calling thread an alternate signal stack ([`ensure_alt_stack`]).
///
/// # Panics
///
/// Panics if the HAL cannot be created (no memfd, no signal handler): the
/// emulator cannot run at all then.
pub fn global_hal() -> Arc<UnixHal> {
    try_global_hal().unwrap_or_else(|e| panic!("kernel-hal-unix: cannot create the HAL: {e:?}"))
}

/// [`global_hal`], or why it cannot be created (the frame file does not
/// fit under `ulimit -f`: `Host(EFBIG)`; no memfd; no signal handler). A
/// later call tries again.
pub fn try_global_hal() -> HalResult<Arc<UnixHal>> {
    static GLOBAL: OnceLock<Arc<UnixHal>> = OnceLock::new();
    static CREATING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ensure_alt_stack();
    if let Some(hal) = GLOBAL.get() {
        return Ok(hal.clone());
    }
    let _one = CREATING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(hal) = GLOBAL.get() {
        return Ok(hal.clone());
    }
    let hal = UnixHal::new()?;
    Ok(GLOBAL.get_or_init(|| hal).clone())
}
