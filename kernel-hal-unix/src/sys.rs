//! Thin shells around the Linux system calls this crate uses.
//!
//! Every function here does exactly one system call (plus `EINTR` retries)
//! and turns the C convention (`-1` and `errno`) into `Result<_, Errno>`.
//! Calls that cannot break Rust's memory model (file I/O into a borrowed
//! buffer, `MAP_FIXED_NOREPLACE`, `process_vm_readv`) are safe functions;
//! calls that replace or change host mappings at a caller-chosen address
//! (`mmap(MAP_FIXED)`, `mprotect`, `munmap`) are `unsafe fn`s whose
//! `# Safety` section says what the caller must own. The callers — the
//! frame pool, the page table and the fault handler — hold the policy; this
//! module holds none.

use std::ffi::CStr;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use libc::{c_int, c_void};

/// A Linux error number.
pub(crate) type Errno = i32;

/// Returns the calling thread's `errno`.
pub(crate) fn errno() -> Errno {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// Runs `f` until it does not fail with `EINTR`; maps `-1` to `Err(errno)`.
fn retry<T: PartialEq + From<i8> + Copy>(mut f: impl FnMut() -> T) -> Result<T, Errno> {
    loop {
        let r = f();
        if r != T::from(-1) {
            return Ok(r);
        }
        let e = errno();
        if e != libc::EINTR {
            return Err(e);
        }
    }
}

/// Creates an anonymous memory file (`memfd_create(2)`).
pub(crate) fn memfd_create(name: &CStr, flags: libc::c_uint) -> Result<OwnedFd, Errno> {
    // SAFETY: `name` is a valid NUL-terminated string for the whole call.
    let fd = retry(|| unsafe { libc::memfd_create(name.as_ptr(), flags) })?;
    // SAFETY: `fd` was just returned by the kernel and is owned by no one
    // else; the `OwnedFd` becomes its only owner.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Sets the size of the file (`ftruncate(2)`).
pub(crate) fn ftruncate(fd: BorrowedFd<'_>, len: u64) -> Result<(), Errno> {
    let len = i64::try_from(len).map_err(|_| libc::EINVAL)?;
    // SAFETY: plain system call on a live descriptor; no memory is passed.
    retry(|| unsafe { libc::ftruncate(fd.as_raw_fd(), len) }).map(drop)
}

/// Asks Linux to SIGKILL this process when the thread that started it
/// exits (`PR_SET_PDEATHSIG`); false if refused or if that parent is
/// already gone (re-parented: `getppid` is no longer `parent`).
pub fn die_with_parent(parent: u32) -> bool {
    // SAFETY: prctl with PR_SET_PDEATHSIG takes a signal number and no
    // memory; getppid has no preconditions.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) == 0
            && libc::getppid() as u32 == parent
    }
}

/// The soft limit on file sizes (`RLIMIT_FSIZE`, `ulimit -f`) in bytes, if
/// one is set. Growing a file past it raises SIGXFSZ, which kills.
pub(crate) fn file_size_limit() -> Option<u64> {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the struct we pass.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_FSIZE, &mut r) } == 0;
    (ok && r.rlim_cur != libc::RLIM_INFINITY).then_some(r.rlim_cur)
}

/// Reads at most `buf.len()` bytes at `off` (`pread(2)`); returns the count.
pub(crate) fn pread(fd: BorrowedFd<'_>, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
    let off = i64::try_from(off).map_err(|_| libc::EINVAL)?;
    // SAFETY: `buf` is a valid, exclusively borrowed buffer of `buf.len()`
    // bytes for the duration of the call.
    let n = retry(|| unsafe {
        libc::pread(
            fd.as_raw_fd(),
            buf.as_mut_ptr().cast::<c_void>(),
            buf.len(),
            off,
        )
    })?;
    Ok(n as usize)
}

/// Writes at most `buf.len()` bytes at `off` (`pwrite(2)`); returns the count.
pub(crate) fn pwrite(fd: BorrowedFd<'_>, buf: &[u8], off: u64) -> Result<usize, Errno> {
    let off = i64::try_from(off).map_err(|_| libc::EINVAL)?;
    // SAFETY: `buf` is a valid buffer of `buf.len()` bytes for the duration
    // of the call; the kernel only reads it.
    let n = retry(|| unsafe {
        libc::pwrite(
            fd.as_raw_fd(),
            buf.as_ptr().cast::<c_void>(),
            buf.len(),
            off,
        )
    })?;
    Ok(n as usize)
}

/// Deallocates `[off, off + len)` of the file, keeping its size
/// (`fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)`): whole blocks
/// go back to the host, partial blocks are zeroed in place.
pub(crate) fn punch_hole(fd: BorrowedFd<'_>, off: u64, len: u64) -> Result<(), Errno> {
    let off = i64::try_from(off).map_err(|_| libc::EINVAL)?;
    let len = i64::try_from(len).map_err(|_| libc::EINVAL)?;
    // SAFETY: plain system call on a live descriptor; no memory is passed.
    retry(|| unsafe {
        libc::fallocate(
            fd.as_raw_fd(),
            libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE,
            off,
            len,
        )
    })
    .map(drop)
}

/// `MADV_POPULATE_WRITE` (Linux 5.14).
const MADV_POPULATE_WRITE: c_int = 23;

/// Gives every page of `[off, off + len)` of the file memory without
/// changing any byte: maps the range privately for the kernel, asks Linux to
/// populate it as if written (`MADV_POPULATE_WRITE`), and unmaps it. Unlike
/// `fallocate`, this leaves pages that `SEEK_DATA` reports as data, and
/// unlike writing zeros it cannot lose a guest's concurrent store.
pub(crate) fn populate_range(fd: BorrowedFd<'_>, off: u64, len: usize) -> Result<(), Errno> {
    let off = i64::try_from(off).map_err(|_| libc::EINVAL)?;
    // SAFETY: without MAP_FIXED the kernel picks an unused range, so no
    // existing mapping is affected; the mapping is private to this call.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_NORESERVE,
            fd.as_raw_fd(),
            off,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(errno());
    }
    // SAFETY: `p..p+len` is the mapping made above; madvise reads no memory
    // of ours and populating does not change the file's contents.
    let r = retry(|| unsafe { libc::madvise(p, len, MADV_POPULATE_WRITE) });
    // SAFETY: the mapping was made above and nothing else knows about it.
    let _ = retry(|| unsafe { libc::munmap(p, len) });
    r.map(drop)
}

/// `lseek(fd, off, whence)` for `SEEK_DATA`/`SEEK_HOLE`; `Ok(None)` when the
/// kernel says `ENXIO` (no data at or after `off`).
fn seek(fd: BorrowedFd<'_>, off: u64, whence: c_int) -> Result<Option<u64>, Errno> {
    let off = i64::try_from(off).map_err(|_| libc::EINVAL)?;
    // SAFETY: plain system call on a live descriptor; no memory is passed.
    match retry(|| unsafe { libc::lseek(fd.as_raw_fd(), off, whence) }) {
        Ok(r) => Ok(Some(r as u64)),
        Err(libc::ENXIO) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Returns the start of the first data extent at or after `off`.
pub(crate) fn seek_data(fd: BorrowedFd<'_>, off: u64) -> Result<Option<u64>, Errno> {
    seek(fd, off, libc::SEEK_DATA)
}

/// Returns the start of the first hole at or after `off` (the file size
/// counts as a hole).
pub(crate) fn seek_hole(fd: BorrowedFd<'_>, off: u64) -> Result<Option<u64>, Errno> {
    seek(fd, off, libc::SEEK_HOLE)
}

/// Copies up to `len` bytes inside one file, in the kernel
/// (`copy_file_range(2)`); returns the count.
pub(crate) fn copy_file_range(
    fd: BorrowedFd<'_>,
    src: u64,
    dst: u64,
    len: usize,
) -> Result<usize, Errno> {
    let mut off_in = i64::try_from(src).map_err(|_| libc::EINVAL)?;
    let mut off_out = i64::try_from(dst).map_err(|_| libc::EINVAL)?;
    let raw = fd.as_raw_fd();
    // SAFETY: the two offset pointers point to live locals for the whole
    // call; the data moves between file offsets, not through our memory.
    let n =
        retry(|| unsafe { libc::copy_file_range(raw, &mut off_in, raw, &mut off_out, len, 0) })?;
    Ok(n as usize)
}

/// Returns `st_blocks` of the file (512-byte units the host really holds).
pub(crate) fn fstat_blocks(fd: BorrowedFd<'_>) -> Result<u64, Errno> {
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `st` is a writable buffer of the right type and size.
    retry(|| unsafe { libc::fstat(fd.as_raw_fd(), st.as_mut_ptr()) })?;
    // SAFETY: `fstat` succeeded, so it initialised `st`.
    let st = unsafe { st.assume_init() };
    Ok(st.st_blocks as u64)
}

const RESERVE_FLAGS: c_int = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE;

/// Reserves `[addr, addr + len)` as inaccessible address space, failing
/// with `EEXIST` if anything is mapped there already
/// (`mmap(PROT_NONE, MAP_FIXED_NOREPLACE)`). On kernels that treat the flag
/// as a mere hint, a reservation placed elsewhere is undone and reported as
/// `EEXIST` too.
pub(crate) fn reserve_noreplace(addr: usize, len: usize) -> Result<(), Errno> {
    // SAFETY: MAP_FIXED_NOREPLACE never replaces an existing mapping, so
    // this cannot invalidate memory anyone uses; it only creates a new
    // inaccessible mapping that we own.
    let p = unsafe {
        libc::mmap(
            addr as *mut c_void,
            len,
            libc::PROT_NONE,
            RESERVE_FLAGS | libc::MAP_FIXED_NOREPLACE,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(errno());
    }
    if p as usize != addr {
        // SAFETY: `[p, p + len)` is the mapping the kernel just created for
        // us at an address of its choosing; nobody else knows of it.
        unsafe { libc::munmap(p, len) };
        return Err(libc::EEXIST);
    }
    Ok(())
}

/// Replaces `[addr, addr + len)` with an inaccessible reservation
/// (`mmap(PROT_NONE, MAP_FIXED)`), discarding what was mapped there.
///
/// # Safety
///
/// The caller must own the whole range (it lies in a window it reserved),
/// and no Rust reference may point into it.
pub(crate) unsafe fn reserve_fixed(addr: usize, len: usize) -> Result<(), Errno> {
    // SAFETY: the caller owns the range and holds no references into it.
    let p = unsafe {
        libc::mmap(
            addr as *mut c_void,
            len,
            libc::PROT_NONE,
            RESERVE_FLAGS | libc::MAP_FIXED,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        Err(errno())
    } else {
        Ok(())
    }
}

/// Maps `[addr, addr + len)` to `fd` at `off` with `prot`, shared
/// (`mmap(MAP_SHARED | MAP_FIXED)`), replacing what was mapped there.
///
/// # Safety
///
/// The caller must own the whole range (it lies in a window it reserved),
/// and no Rust reference may point into it.
pub(crate) unsafe fn map_shared_fixed(
    addr: usize,
    len: usize,
    prot: c_int,
    fd: BorrowedFd<'_>,
    off: u64,
) -> Result<(), Errno> {
    let off = i64::try_from(off).map_err(|_| libc::EINVAL)?;
    // SAFETY: the caller owns the range and holds no references into it.
    let p = unsafe {
        libc::mmap(
            addr as *mut c_void,
            len,
            prot,
            libc::MAP_SHARED | libc::MAP_FIXED,
            fd.as_raw_fd(),
            off,
        )
    };
    if p == libc::MAP_FAILED {
        Err(errno())
    } else {
        Ok(())
    }
}

/// Changes the protection of `[addr, addr + len)` (`mprotect(2)`).
///
/// # Safety
///
/// The caller must own the whole range, and no Rust reference may point
/// into it (revoking access under a live reference would fault in safe code).
pub(crate) unsafe fn mprotect(addr: usize, len: usize, prot: c_int) -> Result<(), Errno> {
    // SAFETY: the caller owns the range and holds no references into it.
    retry(|| unsafe { libc::mprotect(addr as *mut c_void, len, prot) }).map(drop)
}

/// Unmaps `[addr, addr + len)` (`munmap(2)`).
///
/// # Safety
///
/// The caller must own the whole range and nothing may use it afterwards.
pub(crate) unsafe fn munmap(addr: usize, len: usize) -> Result<(), Errno> {
    // SAFETY: the caller owns the range and nothing uses it any more.
    retry(|| unsafe { libc::munmap(addr as *mut c_void, len) }).map(drop)
}

/// Maps `len` fresh private read-write bytes anywhere; returns the address.
pub(crate) fn map_anonymous(len: usize) -> Result<usize, Errno> {
    // SAFETY: without MAP_FIXED the kernel picks an unused range, so no
    // existing mapping is affected.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        Err(errno())
    } else {
        Ok(p as usize)
    }
}

/// Reads one byte of our own address space through the kernel
/// (`process_vm_readv` on our own pid): `None` if the host would fault.
/// Never raises a signal; may commit the page, as any read would.
pub(crate) fn probe_read_byte(addr: usize) -> Option<u8> {
    let mut byte = 0u8;
    let local = libc::iovec {
        iov_base: (&mut byte as *mut u8).cast::<c_void>(),
        iov_len: 1,
    };
    let remote = libc::iovec {
        iov_base: addr as *mut c_void,
        iov_len: 1,
    };
    // SAFETY: `local` describes a live, exclusively borrowed byte; the
    // kernel validates `remote` and reports EFAULT instead of faulting.
    let n = unsafe { libc::process_vm_readv(libc::getpid(), &local, 1, &remote, 1, 0) };
    (n == 1).then_some(byte)
}

/// Writes one byte of our own address space through the kernel
/// (`process_vm_writev` on our own pid); `false` if the host would fault.
///
/// # Safety
///
/// The byte at `addr` must not be memory Rust code relies on (the caller
/// restricts this to guest windows), as for any raw pointer write.
pub(crate) unsafe fn probe_write_byte(addr: usize, value: u8) -> bool {
    let local = libc::iovec {
        iov_base: (&value as *const u8).cast_mut().cast::<c_void>(),
        iov_len: 1,
    };
    let remote = libc::iovec {
        iov_base: addr as *mut c_void,
        iov_len: 1,
    };
    // SAFETY: `local` describes a live byte the kernel only reads; the
    // caller vouches for `remote`, which the kernel validates (EFAULT
    // instead of a fault).
    let n = unsafe { libc::process_vm_writev(libc::getpid(), &local, 1, &remote, 1, 0) };
    n == 1
}

/// Writes `msg` to standard error with one `write(2)`; async-signal-safe.
pub(crate) fn write_stderr(msg: &[u8]) {
    // SAFETY: `msg` is a valid buffer for the duration of the call.
    unsafe {
        libc::write(
            libc::STDERR_FILENO,
            msg.as_ptr().cast::<c_void>(),
            msg.len(),
        )
    };
}

/// Returns the level-1 data cache line size in bytes: what the C library
/// reports (`sysconf(_SC_LEVEL1_DCACHE_LINESIZE)`, read from the CPU's
/// cache descriptors), else what sysfs reports for CPU 0's first cache,
/// else 64, the line size of every x86-64 CPU made so far.
pub(crate) fn dcache_line_size() -> u32 {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_LEVEL1_DCACHE_LINESIZE) };
    let from_sysfs = || {
        std::fs::read_to_string("/sys/devices/system/cpu/cpu0/cache/index0/coherency_line_size")
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
    };
    u32::try_from(n)
        .ok()
        .filter(|n| n.is_power_of_two())
        .or_else(from_sysfs)
        .filter(|n| n.is_power_of_two())
        .unwrap_or(64)
}

/// The CPU time host thread `tid` of this process has used, in
/// nanoseconds (Linux's per-thread CPU clock, named from the tid as the
/// kernel's `MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED)` does); `None` once
/// the thread is gone.
pub fn thread_cpu_time_ns(tid: i32) -> Option<i64> {
    /// `CPUCLOCK_PERTHREAD_MASK | CPUCLOCK_SCHED`
    const PER_THREAD_SCHED: libc::clockid_t = 4 | 2;
    let clock = (!tid << 3) | PER_THREAD_SCHED;
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given; an id
    // naming no live thread of ours makes it fail with EINVAL.
    let r = unsafe { libc::clock_gettime(clock, &mut ts) };
    (r == 0).then(|| {
        ts.tv_sec
            .saturating_mul(1_000_000_000)
            .saturating_add(ts.tv_nsec)
    })
}

/// The time host thread `tid` of this process has spent on a CPU and
/// waiting for one, in nanoseconds (`/proc/self/task/TID/schedstat`), if
/// the kernel keeps scheduler statistics.
pub fn thread_sched_times_ns(tid: i32) -> Option<(i64, i64)> {
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat")).ok()?;
    let mut words = stat.split_whitespace().map(|w| w.parse::<i64>().ok());
    Some((words.next()??, words.next()??))
}

/// Host thread `tid`'s scheduler statistics file, kept open so that each
/// reading is one `pread` (opening a procfs file costs tens of
/// microseconds); `None` if the kernel keeps no such statistics.
pub fn open_thread_sched_stats(tid: i32) -> Option<std::fs::File> {
    std::fs::File::open(format!("/proc/self/task/{tid}/schedstat")).ok()
}

/// Like [`thread_sched_times_ns`], from a file [`open_thread_sched_stats`]
/// opened (any thread may read it).
pub fn read_thread_sched_times_ns(file: &std::fs::File) -> Option<(i64, i64)> {
    use std::os::unix::fs::FileExt;
    let mut buf = [0u8; 128];
    let n = file.read_at(&mut buf, 0).ok()?;
    let stat = std::str::from_utf8(&buf[..n]).ok()?;
    let mut words = stat.split_whitespace().map(|w| w.parse::<i64>().ok());
    Some((words.next()??, words.next()??))
}

/// Names the calling host thread (`PR_SET_NAME`; the kernel keeps the
/// first 15 bytes), as `ps -L` and debuggers show it.
pub fn set_host_thread_name(name: &str) {
    let mut buf = [0u8; 16];
    let n = name.len().min(15);
    buf[..n].copy_from_slice(&name.as_bytes()[..n]);
    // SAFETY: PR_SET_NAME reads a NUL-terminated string of at most 16
    // bytes from the pointer; `buf` is 16 bytes and ends with a NUL.
    unsafe { libc::prctl(libc::PR_SET_NAME, buf.as_ptr() as libc::c_ulong) };
}

/// The CPU host thread `tid` of this process last ran on (field 39 of
/// `/proc/self/task/TID/stat`), if it can be read.
pub fn thread_last_cpu(tid: i32) -> Option<u32> {
    // The calling thread itself (a thread's last reading, as it ends): the
    // CPU it runs on now, without a procfs file (opening one costs tens of
    // microseconds).
    // SAFETY: gettid takes no arguments and cannot fail.
    if unsafe { libc::syscall(libc::SYS_gettid) } as i32 == tid {
        // SAFETY: sched_getcpu takes no arguments.
        let cpu = unsafe { libc::sched_getcpu() };
        return u32::try_from(cpu).ok();
    }
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    // The command name (field 2) is parenthesised and may hold spaces.
    let after = &stat[stat.rfind(')')? + 2..];
    after.split(' ').nth(36)?.parse().ok()
}

/// Each CPU's statistics from `/proc/stat` (idle and busy time, in clock
/// ticks of `sysconf(_SC_CLK_TCK)`) and `/proc/interrupts` (the local timer,
/// rescheduling and function-call interrupt rows, and the sum of the
/// others); one record per CPU the kernel lists, or one per available CPU
/// with zeros if `/proc` cannot be read.
pub(crate) fn cpu_stats() -> Vec<kernel_hal::CpuStats> {
    // SAFETY: sysconf only reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as i64;
    let ns = |ticks: i64| ticks.saturating_mul(1_000_000_000 / hz);
    let mut out: Vec<kernel_hal::CpuStats> = Vec::new();
    if let Ok(stat) = std::fs::read_to_string("/proc/stat") {
        for line in stat.lines() {
            let mut words = line.split_whitespace();
            let Some(cpu) = words.next().and_then(|w| w.strip_prefix("cpu")) else {
                continue;
            };
            let Ok(cpu_number) = cpu.parse::<u32>() else {
                continue; // the "cpu" total line
            };
            // user nice system idle iowait irq softirq steal
            let t: Vec<i64> = words.take(8).map(|w| w.parse().unwrap_or(0)).collect();
            let get = |i: usize| t.get(i).copied().unwrap_or(0);
            out.push(kernel_hal::CpuStats {
                cpu_number,
                idle_ns: ns(get(3) + get(4)),
                busy_ns: ns(get(0) + get(1) + get(2) + get(5) + get(6) + get(7)),
                ..Default::default()
            });
        }
    }
    if out.is_empty() {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
        out = (0..n)
            .map(|cpu_number| kernel_hal::CpuStats {
                cpu_number,
                ..Default::default()
            })
            .collect();
    }
    if let Ok(irqs) = std::fs::read_to_string("/proc/interrupts") {
        for line in irqs.lines().skip(1) {
            let Some((name, rest)) = line.split_once(':') else {
                continue;
            };
            let counts: Vec<u64> = rest
                .split_whitespace()
                .take(out.len())
                .map_while(|w| w.parse().ok())
                .collect();
            for (s, &n) in out.iter_mut().zip(&counts) {
                match name.trim() {
                    "LOC" => s.timer_ints += n,
                    "RES" => s.reschedule_ipis += n,
                    "CAL" | "TLB" => s.generic_ipis += n,
                    _ => s.ints += n,
                }
            }
        }
    }
    out
}
