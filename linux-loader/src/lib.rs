//! Loads Zircon guest programs into processes of the LibOS and runs them.
//!
//! [`Loader`] builds a process the way Fuchsia's process launcher does:
//! the guest ELF's segments are copied into VMOs and mapped with each
//! segment's permissions into a VMAR of their own; the vDSO
//! (`libzircon.so`, built from `sdk/vdso/syscalls.list`) is mapped read-only
//! and executable; the guest's imports of `zx_*` are bound to the vDSO; a
//! stack is mapped; and a bootstrap channel carries Fuchsia's processargs
//! message (handles, arguments). The first thread starts at the ELF entry
//! with `rdi` = the bootstrap channel handle and `rsi` = the vDSO base.
#![deny(unsafe_code)]
#![warn(missing_docs)]

use std::sync::Arc;

use goblin::elf::{program_header as ph, Elf};
use kernel_hal::{page_round_down, page_round_up, HalRef};
use zircon_object::handle::Handle;
use zircon_object::ipc::channel::{Message, DEFAULT_CHANNEL_RIGHTS};
use zircon_object::ipc::Channel;
use zircon_object::object::KernelObject;
use zircon_object::system::resource::{DEFAULT_RESOURCE_RIGHTS, KIND_SYSTEM};
use zircon_object::system::Resource;
use zircon_object::task::{Job, Process, Thread};
use zircon_object::time::{Clock, HostTime};
use zircon_object::vm::vmar::{MapRequest, MappingKind};
use zircon_object::vm::{VmAddressRegion, VmObject, VmOptions};
use zircon_object::{Rights, ZxError};

pub mod host_threads;
pub mod processargs;
pub mod runner;
pub mod testrun;
pub mod trace;

/// The vDSO image built by `build.rs`.
pub static VDSO_IMAGE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libzircon.so"));

/// The bundled demo guest run when the runner gets no arguments.
pub static DEMO_GUEST: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/demo.elf"));

/// Size of the initial thread's stack.
pub const STACK_SIZE: usize = 1 << 20;

/// Why loading failed.
#[derive(Debug)]
pub enum LoadError {
    /// The file is not an ELF the loader understands.
    BadElf(String),
    /// The ELF's headers or tables point outside the file or overflow.
    Malformed(String),
    /// An import names no symbol of the vDSO (the name, escaped).
    UndefinedSymbol(String),
    /// An import's name is not in the string table.
    UnnamedSymbol(usize),
    /// The file is a Linux program (what it asks for, escaped).
    LinuxProgram(String),
    /// Arguments and environment do not fit in the bootstrap message.
    ArgsTooLong {
        /// The processargs message's size.
        bytes: usize,
    },
    /// The process's address-space window could not be reserved.
    NoWindow(ZxError),
    /// The emulator's frame file (the guests' memory) could not be made.
    NoFrameFile(kernel_hal::HalError),
    /// A kernel object operation failed.
    Zx(ZxError),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::BadElf(s) => write!(f, "not a loadable x86-64 ELF: {s}"),
            LoadError::Malformed(s) => write!(f, "truncated or malformed ELF: {s}"),
            LoadError::UndefinedSymbol(s) => write!(
                f,
                "undefined symbol: {s} (the vDSO has no such call; see sdk/vdso/syscalls.list)"
            ),
            LoadError::UnnamedSymbol(i) => write!(
                f,
                "truncated or malformed ELF: imported symbol #{i} has no name in the dynamic string table"
            ),
            LoadError::LinuxProgram(s) => write!(
                f,
                "this is a Linux program ({s}), not a Zircon one: build guests with sdk/zx-cc"
            ),
            LoadError::ArgsTooLong { bytes } => write!(
                f,
                "arguments and environment take {bytes} bytes, over the {} bytes of the bootstrap \
                 channel message (ZX_CHANNEL_MAX_MSG_BYTES, the same limit as on Fuchsia): \
                 pass fewer or shorter ones, or less environment (--clear-env)",
                zircon_object::ipc::channel::MAX_MSG_BYTES
            ),
            LoadError::NoWindow(e) => {
                write!(
                    f,
                    "cannot reserve the process's 1 TiB address-space window ({}): ",
                    e.name()
                )?;
                match proc_limit("Max address space").map(|b| b / 1024) {
                    Some(limit) => write!(
                        f,
                        "the address-space limit is {limit} KiB (ulimit -v); every guest process \
                         needs a 1 TiB window of address space (reserved, not used): \
                         run with `ulimit -v unlimited`"
                    ),
                    None => write!(
                        f,
                        "the host's address space is exhausted (at most 126 guest processes \
                         at once, one 1 TiB window each)"
                    ),
                }
            }
            LoadError::NoFrameFile(e) => {
                let size = kernel_hal_unix::frame_file_size();
                write!(
                    f,
                    "cannot create the guests' {} MiB frame file (their memory; --memory sets its size): ",
                    size >> 20
                )?;
                match (e, proc_limit("Max file size")) {
                    (kernel_hal::HalError::Host(EFBIG), Some(limit)) => write!(
                        f,
                        "the file-size limit is {} KiB (ulimit -f): run with `ulimit -f unlimited` \
                         or a smaller --memory",
                        limit / 1024
                    ),
                    (e, _) => write!(f, "{e:?}"),
                }
            }
            LoadError::Zx(e) => write!(f, "{e}"),
        }
    }
}

/// `EFBIG`: a file would grow past the file-size limit.
const EFBIG: i32 = 27;

/// A soft resource limit in bytes from `/proc/self/limits` (`what` is
/// the row's name, e.g. `Max address space`), if one is set.
fn proc_limit(what: &str) -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with(what))?;
    let soft = line[what.len()..].split_whitespace().next()?;
    soft.parse::<u64>().ok()
}

/// Escapes bytes from an ELF for a message: printable ASCII as is,
/// everything else as `\xNN`, at most 64 bytes shown.
pub fn escape(bytes: &[u8]) -> String {
    let mut s: String = bytes
        .iter()
        .take(64)
        .flat_map(|&b| std::ascii::escape_default(b))
        .map(char::from)
        .collect();
    if bytes.len() > 64 {
        s.push_str("...");
    }
    s
}

impl std::error::Error for LoadError {}

impl From<ZxError> for LoadError {
    fn from(e: ZxError) -> Self {
        LoadError::Zx(e)
    }
}

impl From<goblin::error::Error> for LoadError {
    fn from(e: goblin::error::Error) -> Self {
        use goblin::error::Error as G;
        match e {
            G::BadMagic(m) => LoadError::BadElf(format!("not an ELF file (magic {m:#x})")),
            // scroll's words ("type is too big (8) for 0") mean a read past
            // the end of the file or of a table.
            G::Scroll(e) => LoadError::Malformed(format!(
                "a header or table lies past the end of the file ({})",
                escape(e.to_string().as_bytes())
            )),
            G::Malformed(m) => LoadError::Malformed(escape(m.as_bytes())),
            G::BufferTooShort(n, what) => {
                LoadError::Malformed(format!("the file is too short for {n} {what}"))
            }
            e => LoadError::Malformed(escape(e.to_string().as_bytes())),
        }
    }
}

/// A malformed-ELF error for a computation that overflowed.
fn overflow(what: &str) -> LoadError {
    LoadError::Malformed(format!("{what} overflows the address space"))
}

/// One loaded segment: where it lives and the VMO behind it.
struct Segment {
    vaddr: usize,
    len: usize,
    vmo: Arc<VmObject>,
}

/// An image mapped into a process.
pub struct LoadedImage {
    /// Load bias: runtime address = link address + bias.
    pub bias: usize,
    /// The VMAR holding the image.
    pub vmar: Arc<VmAddressRegion>,
    segments: Vec<Segment>,
}

impl std::fmt::Debug for LoadedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedImage")
            .field("bias", &self.bias)
            .finish_non_exhaustive()
    }
}

impl LoadedImage {
    /// Writes `bytes` at link-time address `vaddr` of the image.
    fn write(&self, vaddr: usize, bytes: &[u8]) -> Result<(), LoadError> {
        let outside =
            || LoadError::Malformed(format!("relocation at {vaddr:#x} outside the segments"));
        let end = vaddr.checked_add(bytes.len()).ok_or_else(outside)?;
        let seg = self
            .segments
            .iter()
            .find(|s| vaddr >= s.vaddr && s.vaddr.checked_add(s.len).is_some_and(|e| end <= e))
            .ok_or_else(outside)?;
        seg.vmo
            .write((vaddr - page_round_down(seg.vaddr)) as u64, bytes)?;
        Ok(())
    }
}

/// Maps every `PT_LOAD` of `elf` (from `data`) into a new sub-VMAR of
/// `root`. Segments are copied into VMOs named after `name`. With
/// `vdso`, writes are dropped and the code segment is marked as the vDSO's.
fn map_image(
    hal: &HalRef,
    root: &Arc<VmAddressRegion>,
    elf: &Elf<'_>,
    data: &[u8],
    name: &str,
    vdso: bool,
) -> Result<LoadedImage, LoadError> {
    let loads: Vec<_> = elf
        .program_headers
        .iter()
        .filter(|p| p.p_type == ph::PT_LOAD)
        .collect();
    if loads.is_empty() {
        return Err(LoadError::BadElf("no PT_LOAD segments".into()));
    }
    let seg_end = |p: &ph::ProgramHeader| {
        p.p_vaddr
            .checked_add(p.p_memsz)
            .and_then(|e| usize::try_from(e).ok())
            .and_then(page_round_up)
            .ok_or_else(|| overflow("a segment's end (p_vaddr + p_memsz)"))
    };
    let lo = page_round_down(loads.iter().map(|p| p.p_vaddr as usize).min().unwrap_or(0));
    let mut hi = 0;
    for p in &loads {
        hi = hi.max(seg_end(p)?);
    }
    if hi <= lo {
        return Err(LoadError::Malformed(
            "PT_LOAD segments span no memory".into(),
        ));
    }
    let fixed = elf.header.e_type == goblin::elf::header::ET_EXEC;
    let rr = root.default_rights();
    let can = VmOptions::CAN_MAP_READ
        | VmOptions::CAN_MAP_WRITE
        | VmOptions::CAN_MAP_EXECUTE
        | VmOptions::CAN_MAP_SPECIFIC;
    let vmar = if fixed {
        if lo < root.addr() || hi > root.addr() + root.size() {
            return Err(LoadError::BadElf(format!(
                "fixed-address executable at {lo:#x}..{hi:#x} lies outside the process window {:#x}+{:#x}; link it as PIE (sdk/zx-cc does)",
                root.addr(),
                root.size()
            )));
        }
        root.allocate(
            rr,
            (can | VmOptions::SPECIFIC).bits(),
            lo - root.addr(),
            hi - lo,
        )?
    } else {
        root.allocate(rr, can.bits(), 0, hi - lo)?
    };
    let bias = vmar.addr().wrapping_sub(lo);
    let vr = vmar.default_rights();
    let mut segments = Vec::new();
    let image = data;
    for p in loads {
        let start = page_round_down(p.p_vaddr as usize);
        let end = seg_end(p)?;
        if p.p_filesz > p.p_memsz {
            return Err(LoadError::Malformed(
                "a segment's file size is larger than its memory size".into(),
            ));
        }
        let vmo = VmObject::create(hal.clone(), (end - start) as u64, 0)?;
        vmo.set_name(format!("{name}:{}", segments.len()).as_bytes());
        let outside = || {
            LoadError::Malformed(format!(
                "a segment's bytes (p_offset {:#x} + p_filesz {:#x}) lie outside the {}-byte file",
                p.p_offset,
                p.p_filesz,
                image.len()
            ))
        };
        let off = usize::try_from(p.p_offset).map_err(|_| outside())?;
        let file_end = usize::try_from(p.p_filesz)
            .ok()
            .and_then(|n| off.checked_add(n))
            .ok_or_else(outside)?;
        let file = image.get(off..file_end).ok_or_else(outside)?;
        vmo.write((p.p_vaddr as usize - start) as u64, file)?;
        let mut opts = VmOptions::SPECIFIC | VmOptions::PERM_READ;
        if p.is_write() && !vdso {
            opts |= VmOptions::PERM_WRITE;
        }
        if p.is_executable() {
            opts |= VmOptions::PERM_EXECUTE;
        }
        let rights = Rights::DEFAULT_VMO | Rights::EXECUTE;
        let (offset, len) = (start - lo, end - start);
        let mut req = MapRequest::parse(vr, opts.bits(), offset, &vmo, rights, 0, len)?;
        if vdso && p.is_executable() {
            req.kind = MappingKind::VdsoCode;
        }
        vmar.map_request(&vmo, &req)?;
        segments.push(Segment {
            vaddr: p.p_vaddr as usize,
            len: p.p_memsz as usize,
            vmo,
        });
    }
    Ok(LoadedImage {
        bias,
        vmar,
        segments,
    })
}

/// Returns the address of `name` in the vDSO's dynamic symbol table.
fn vdso_symbol(elf: &Elf<'_>, name: &str) -> Option<usize> {
    elf.dynsyms
        .iter()
        .find(|s| s.st_value != 0 && elf.dynstrtab.get_at(s.st_name) == Some(name))
        .map(|s| s.st_value as usize)
}

/// How many handles a new process's processargs message carries.
const STARTUP_HANDLES: usize = 9;

/// The rights of the UTC clock handle a process starts with: it may read
/// and wait on the clock, not set it (as Fuchsia's components get it).
const UTC_CLOCK_RIGHTS: Rights = Rights::BASIC.union(Rights::READ);

/// A started clock object reading the host's UTC time (`PA_CLOCK_UTC`):
/// what `CLOCK_REALTIME` and `zx_utc_reference_get()` read in the guest.
/// It follows the monotonic timeline from the host's real time now; a
/// later change of the host's clock is not followed (as on Fuchsia, only
/// the clock's maintainer moves it).
fn utc_clock() -> Result<Arc<Clock>, LoadError> {
    use zircon_object::time::clock::{ClockUpdate, UpdateVersion, UPDATE_SYNTHETIC_VALUE_VALID};
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let utc_now = i64::try_from(since_epoch.as_nanos()).unwrap_or(i64::MAX);
    let clock = Clock::create(0, 0, Arc::new(HostTime)).map_err(LoadError::Zx)?;
    clock
        .update(&ClockUpdate {
            version: UpdateVersion::V1,
            options: UPDATE_SYNTHETIC_VALUE_VALID,
            rate_adjust: 0,
            synthetic_value: utc_now,
            reference_value: 0,
            error_bound: 0,
        })
        .map_err(LoadError::Zx)?;
    Ok(clock)
}

/// Builds processes from ELF images.
pub struct Loader {
    hal: HalRef,
    entry_address: usize,
}

impl std::fmt::Debug for Loader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loader").finish_non_exhaustive()
    }
}

/// A process ready to start.
#[derive(Debug)]
pub struct Prepared {
    /// The process.
    pub process: Arc<Process>,
    /// Its first thread, not started yet.
    pub thread: Arc<Thread>,
    /// Entry point.
    pub entry: usize,
    /// Initial stack pointer.
    pub stack_top: usize,
    /// Bootstrap channel handle value in the process (for `rdi`).
    pub bootstrap: u32,
    /// vDSO base address (for `rsi`).
    pub vdso_base: usize,
}

impl Loader {
    /// Creates a loader whose vDSO enters the emulator at `entry_address`.
    pub fn new(hal: HalRef, entry_address: usize) -> Self {
        Loader { hal, entry_address }
    }

    /// Creates a process named `name` in `job` from the ELF `image`, with
    /// arguments `args` (args[0] is the program name) in its processargs.
    pub fn prepare<A: AsRef<[u8]>, E: AsRef<[u8]>>(
        &self,
        job: &Arc<Job>,
        name: &str,
        image: &[u8],
        args: &[A],
        environ: &[E],
    ) -> Result<Prepared, LoadError> {
        let elf = Elf::parse(image)?;
        if elf.header.e_machine != goblin::elf::header::EM_X86_64 || !elf.is_64 {
            return Err(LoadError::BadElf("not an x86-64 ELF64 file".into()));
        }
        if let Some(why) = linux_program(&elf) {
            return Err(LoadError::LinuxProgram(why));
        }
        // Refused before anything is created: the message would not fit
        // in the bootstrap channel.
        let data = processargs::encode(args, environ, &[0; STARTUP_HANDLES]);
        if data.len() > zircon_object::ipc::channel::MAX_MSG_BYTES {
            return Err(LoadError::ArgsTooLong { bytes: data.len() });
        }
        let process = Process::create(self.hal.clone(), job, name).map_err(|e| match e {
            ZxError::NO_MEMORY => LoadError::NoWindow(e),
            e => LoadError::Zx(e),
        })?;
        let root = process.root_vmar().clone();

        // The vDSO: its entry slot holds the emulator's syscall entry.
        let vdso_elf = Elf::parse(VDSO_IMAGE)?;
        let slot = vdso_symbol(&vdso_elf, "__zx_syscall_entry")
            .ok_or_else(|| LoadError::BadElf("vDSO lacks __zx_syscall_entry".into()))?;
        // Patch the entry slot once, through the file offset of its
        // segment; the mapped vDSO and the PA_VMO_VDSO copy are the same.
        let mut vdso_image = VDSO_IMAGE.to_vec();
        let slot_segment = vdso_elf.program_headers.iter().find(|p| {
            p.p_type == ph::PT_LOAD
                && (p.p_vaddr as usize) <= slot
                && slot < (p.p_vaddr + p.p_filesz) as usize
        });
        let p = slot_segment
            .ok_or_else(|| LoadError::BadElf("vDSO entry slot outside its segments".into()))?;
        let off = p.p_offset as usize + (slot - p.p_vaddr as usize);
        vdso_image
            .get_mut(off..off + 8)
            .ok_or_else(|| LoadError::BadElf("vDSO entry slot outside its file".into()))?
            .copy_from_slice(&(self.entry_address as u64).to_le_bytes());
        let vdso = map_image(&self.hal, &root, &vdso_elf, &vdso_image, "vdso", true)?;
        let vdso_base = vdso.bias;
        process.set_vdso_base(vdso_base);

        let loaded = map_image(&self.hal, &root, &elf, image, "elf", false)?;
        self.relocate(&elf, &loaded, &vdso_elf, vdso_base)?;

        // The stack.
        let stack = VmObject::create(self.hal.clone(), STACK_SIZE as u64, 0)?;
        stack.set_name(b"stack: main");
        let rr = root.default_rights();
        let rw = (VmOptions::PERM_READ | VmOptions::PERM_WRITE).bits();
        let stack_base = root.map(rr, rw, 0, &stack, Rights::DEFAULT_VMO, 0, STACK_SIZE)?;

        // Bootstrap channel and processargs.
        let job_rights = Rights::DEFAULT_JOB;
        let vdso_vmo = VmObject::create(self.hal.clone(), vdso_image.len() as u64, 0)?;
        vdso_vmo.write(0, &vdso_image)?;
        vdso_vmo.set_name(b"vdso/full");
        let thread = Thread::create(&process, b"initial-thread")?;
        let handles: Vec<(u32, Handle)> = vec![
            (
                processargs::PA_PROC_SELF,
                Handle::new(process.clone(), Rights::DEFAULT_PROCESS),
            ),
            (
                processargs::PA_THREAD_SELF,
                Handle::new(thread.clone(), Rights::DEFAULT_THREAD),
            ),
            (
                processargs::PA_JOB_DEFAULT,
                Handle::new(job.clone(), job_rights),
            ),
            (processargs::PA_VMAR_ROOT, Handle::new(root.clone(), rr)),
            (
                processargs::PA_VMAR_LOADED,
                Handle::new(loaded.vmar.clone(), loaded.vmar.default_rights()),
            ),
            (
                processargs::PA_VMO_VDSO,
                Handle::new(
                    vdso_vmo,
                    Rights::DEFAULT_VMO.difference(Rights::WRITE) | Rights::EXECUTE,
                ),
            ),
            (
                processargs::PA_CLOCK_UTC,
                Handle::new(utc_clock()?, UTC_CLOCK_RIGHTS),
            ),
            // The resources, as Fuchsia's userboot receives them (DESIGN.md
            // "The first process's resources").
            (
                processargs::PA_RESOURCE,
                Handle::new(Resource::root(), DEFAULT_RESOURCE_RIGHTS),
            ),
            (
                processargs::PA_SYSTEM_RESOURCE,
                Handle::new(
                    Resource::ranged_root(KIND_SYSTEM).expect("SYSTEM has a ranged root"),
                    DEFAULT_RESOURCE_RIGHTS,
                ),
            ),
        ];
        let (ours, theirs) = Channel::create();
        let (infos, hs): (Vec<u32>, Vec<Handle>) = handles.into_iter().unzip();
        let data = processargs::encode(args, environ, &infos);
        debug_assert_eq!(infos.len(), STARTUP_HANDLES, "the size checked above");
        ours.write(Message { data, handles: hs })
            .map_err(|(e, _)| LoadError::Zx(e))?;
        drop(ours);
        let bootstrap = process.add_handle(theirs as Arc<dyn KernelObject>, DEFAULT_CHANNEL_RIGHTS);

        Ok(Prepared {
            entry: loaded.bias.wrapping_add(elf.entry as usize),
            stack_top: (stack_base + STACK_SIZE) & !15,
            bootstrap,
            vdso_base,
            process,
            thread,
        })
    }

    /// Applies the guest's dynamic relocations, binding imports to the vDSO.
    fn relocate(
        &self,
        elf: &Elf<'_>,
        img: &LoadedImage,
        vdso: &Elf<'_>,
        vdso_base: usize,
    ) -> Result<(), LoadError> {
        use goblin::elf::reloc::*;
        let relocs = elf
            .dynrelas
            .iter()
            .chain(elf.pltrelocs.iter())
            .chain(elf.dynrels.iter());
        for r in relocs {
            let addend = r.r_addend.unwrap_or(0);
            let sym_value = || -> Result<usize, LoadError> {
                let sym = elf
                    .dynsyms
                    .get(r.r_sym)
                    .ok_or_else(|| LoadError::BadElf("bad symbol index".into()))?;
                if sym.st_shndx != 0 {
                    return Ok(img.bias.wrapping_add(sym.st_value as usize));
                }
                let name = match elf.dynstrtab.get_at(sym.st_name) {
                    Some(n) if !n.is_empty() => n,
                    _ => return Err(LoadError::UnnamedSymbol(r.r_sym)),
                };
                match vdso_symbol(vdso, name) {
                    Some(v) => Ok(vdso_base + v),
                    // An unresolved weak reference is null, as ld.so makes it.
                    None if sym.st_bind() == goblin::elf::sym::STB_WEAK => Ok(0),
                    None => Err(LoadError::UndefinedSymbol(escape(name.as_bytes()))),
                }
            };
            let value = match r.r_type {
                R_X86_64_NONE => continue,
                R_X86_64_RELATIVE => img.bias.wrapping_add(addend as usize),
                R_X86_64_64 => sym_value()?.wrapping_add(addend as usize),
                R_X86_64_GLOB_DAT | R_X86_64_JUMP_SLOT => sym_value()?,
                t => {
                    return Err(LoadError::BadElf(format!(
                    "unsupported relocation type {t} (only RELATIVE, 64, GLOB_DAT and JUMP_SLOT)"
                )))
                }
            };
            img.write(r.r_offset as usize, &(value as u64).to_le_bytes())?;
        }
        Ok(())
    }
}

/// Why `elf` looks like a Linux program, if it does: it asks for a Linux
/// dynamic linker or needs glibc or musl.
fn linux_program(elf: &Elf<'_>) -> Option<String> {
    if let Some(interp) = elf.interpreter {
        if interp.contains("ld-linux") || interp.contains("ld-musl") {
            return Some(format!("its interpreter is {}", escape(interp.as_bytes())));
        }
    }
    elf.libraries
        .iter()
        .find(|l| l.starts_with("libc.so.6") || l.starts_with("libc.musl"))
        .map(|l| format!("it needs {}", escape(l.as_bytes())))
}
