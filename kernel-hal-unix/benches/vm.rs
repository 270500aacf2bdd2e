//! Guest memory through `zircon-object` on the real HAL, measured against
//! native Linux in the same run (DESIGN.md decisions 3 and 4).
//!
//! `cargo bench -p kernel-hal-unix --bench vm` runs the full sizes (cargo
//! passes `--bench`). Run any other way (`cargo test --benches`, or with
//! `VM_BENCH_QUICK=1`) it runs small sizes and finishes in about a second,
//! so the bench is also a smoke test.
//!
//! Sections:
//! 1. map + touch every page (one `u64` store per page) + unmap of a fresh
//!    VMO, against `memfd_create` + `ftruncate` + `mmap(MAP_SHARED)` + the
//!    same stores + `munmap` + `close`; best of N, interleaved. Also the
//!    SIGSEGVs taken per touched page.
//! 2. host `mmap`/`mprotect` calls per guest operation
//!    (`PageTable::host_ops` deltas): one per 2 MiB run, not per page.
//! 3. map, unmap and fault costs in a VMAR holding 10 vs 10,000 mappings:
//!    lookups are tree walks, so the 10,000 case should cost at most a
//!    small multiple of the 10 case.
//!
//! Every VMO here lives on a private `UnixHal` (its own frame file), so
//! nothing else in the process shares its memory.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kernel_hal::{HalRef, PageFaultAccess, PAGE_SIZE as P};
use kernel_hal_unix::{guest_load_u8, guest_store_u64, resolved_fault_count, UnixHal};
use zircon_object::vm::{VmAddressRegion, VmObject, VmOptions};
use zircon_object::ZxError;

const R: u32 = VmOptions::PERM_READ.bits();
const RW: u32 = VmOptions::PERM_READ.bits() | VmOptions::PERM_WRITE.bits();
const SPECIFIC: u32 = VmOptions::SPECIFIC.bits();
const MAP_RANGE: u32 = VmOptions::MAP_RANGE.bits();
const CHUNK: usize = 2 << 20;
const MIB: usize = 1 << 20;

/// Sizes for one run of the bench.
struct Config {
    /// Bytes mapped and touched in sections 1 and 2.
    size: usize,
    /// Runs of section 1 (best of).
    runs: usize,
    /// The VMAR populations compared in section 3.
    populations: [usize; 3],
    /// Timed operations per population in section 3.
    ops: usize,
}

impl Config {
    fn from_args() -> (Config, bool) {
        let bench = std::env::args().any(|a| a == "--bench");
        let quick = !bench || std::env::var_os("VM_BENCH_QUICK").is_some();
        let cfg = if quick {
            Config {
                size: 16 * MIB,
                runs: 2,
                populations: [10, 100, 1_000],
                ops: 200,
            }
        } else {
            Config {
                size: 256 * MIB,
                runs: 9,
                populations: [10, 1_000, 10_000],
                ops: 2_000,
            }
        };
        (cfg, quick)
    }
}

/// A private HAL and a root VMAR on it.
struct Env {
    hal: HalRef,
    root: Arc<VmAddressRegion>,
}

impl Env {
    fn new() -> Env {
        let hal: HalRef = UnixHal::new().expect("create a HAL");
        let root = VmAddressRegion::new_root(hal.clone()).expect("create a root VMAR");
        Env { hal, root }
    }

    fn vmo(&self, size: usize) -> Arc<VmObject> {
        VmObject::create(self.hal.clone(), size as u64, 0).expect("create a VMO")
    }

    fn map(&self, opts: u32, offset: usize, vmo: &Arc<VmObject>, len: usize) -> usize {
        self.root
            .map(
                self.root.default_rights(),
                opts,
                offset,
                vmo,
                vmo.default_rights(),
                0,
                len,
            )
            .expect("map")
    }

    fn unmap(&self, va: usize, len: usize) {
        self.root
            .unmap(self.root.default_rights(), va, len)
            .expect("unmap");
    }

    fn host_ops(&self) -> u64 {
        self.root.aspace().page_table().host_ops()
    }
}

/// Stores one `u64` into every page of `[va, va + size)`.
///
/// # Safety
///
/// The range must be mapped writable (or fault in writable through the
/// HAL's resolver) and hold no memory Rust code relies on.
unsafe fn touch_pages(va: usize, size: usize) {
    for off in (0..size).step_by(P) {
        // SAFETY: guaranteed by the caller.
        unsafe { guest_store_u64(va + off, off as u64) };
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// One emulated run: VMO create, map, touch, unmap, VMO drop. Returns the
/// time and the faults resolved.
fn emulated_once(env: &Env, size: usize) -> (Duration, u64) {
    let faults = resolved_fault_count();
    let t = Instant::now();
    let vmo = env.vmo(size);
    let va = env.map(RW, 0, &vmo, size);
    // SAFETY: `[va, va + size)` is a fresh read-write mapping in our window;
    // the resolver maps its chunks on first touch.
    unsafe { touch_pages(va, size) };
    env.unmap(va, size);
    drop(vmo);
    (t.elapsed(), resolved_fault_count() - faults)
}

/// One native run: memfd, ftruncate, mmap shared, touch, munmap, close.
fn native_once(size: usize) -> Duration {
    let t = Instant::now();
    // SAFETY: plain system calls on a descriptor and mapping we create and
    // own; the mapping is touched only inside its bounds and nothing else
    // references it.
    unsafe {
        let fd = libc::memfd_create(c"vm-bench".as_ptr(), libc::MFD_CLOEXEC);
        assert!(fd >= 0, "memfd_create");
        assert_eq!(libc::ftruncate(fd, size as libc::off_t), 0, "ftruncate");
        let p = libc::mmap(
            std::ptr::null_mut(),
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
            fd,
            0,
        );
        assert_ne!(p, libc::MAP_FAILED, "mmap");
        touch_pages(p as usize, size);
        assert_eq!(libc::munmap(p, size), 0, "munmap");
        libc::close(fd);
    }
    t.elapsed()
}

fn section_touch(cfg: &Config) {
    let env = Env::new();
    let size = cfg.size;
    let pages = size / P;
    // Warm up both paths (page cache, allocator, code).
    emulated_once(&env, size);
    native_once(size);
    let mut emu = Duration::MAX;
    let mut native = Duration::MAX;
    let mut faults = 0;
    for _ in 0..cfg.runs {
        let (d, f) = emulated_once(&env, size);
        emu = emu.min(d);
        faults = f;
        native = native.min(native_once(size));
    }
    let ratio = emu.as_secs_f64() / native.as_secs_f64();
    println!(
        "map+touch+unmap {}MiB: emulated {:.1} ms, native {:.1} ms, ratio {:.2}x \
         (target <= 1.1x) [best of {}] {}",
        size / MIB,
        ms(emu),
        ms(native),
        ratio,
        cfg.runs,
        verdict(ratio <= 1.1)
    );
    println!(
        "  per page: emulated {:.0} ns, native {:.0} ns",
        emu.as_secs_f64() * 1e9 / pages as f64,
        native.as_secs_f64() * 1e9 / pages as f64
    );
    println!(
        "SIGSEGVs per touched page: {faults} faults / {pages} pages = {:.5} \
         (one per 2 MiB chunk = {:.5}) {}",
        faults as f64 / pages as f64,
        1.0 / (CHUNK / P) as f64,
        verdict(faults as usize <= size.div_ceil(CHUNK))
    );
}

fn section_host_ops(cfg: &Config) {
    let env = Env::new();
    let size = cfg.size;
    let (runs, pages) = (size.div_ceil(CHUNK), size / P);
    let per = |what: &str, calls: u64| {
        println!(
            "  {what:<40} {calls:>6} host calls ({:.2} per 2 MiB run, {:.5} per page; {runs} runs, {pages} pages)",
            calls as f64 / runs as f64,
            calls as f64 / pages as f64,
        );
    };
    println!(
        "host mmap/mprotect calls per guest operation on {}MiB:",
        size / MIB
    );

    // MAP_RANGE of a committed VMO.
    let vmo = env.vmo(size);
    vmo.commit(0, size as u64).expect("commit");
    let ops = env.host_ops();
    let va = env.map(RW | MAP_RANGE, 0, &vmo, size);
    per("map MAP_RANGE (committed VMO)", env.host_ops() - ops);
    let faults = resolved_fault_count();
    // SAFETY: a live read-write mapping of `size` bytes.
    unsafe { touch_pages(va, size) };
    println!(
        "  {:<40} {:>6} SIGSEGVs",
        "touch after MAP_RANGE",
        resolved_fault_count() - faults
    );
    let ops = env.host_ops();
    env.unmap(va, size);
    per("unmap", env.host_ops() - ops);
    drop(vmo);

    // Lazy map, then first touches.
    let vmo = env.vmo(size);
    let ops = env.host_ops();
    let va = env.map(RW, 0, &vmo, size);
    per("map (lazy)", env.host_ops() - ops);
    let ops = env.host_ops();
    // SAFETY: a live read-write mapping of `size` bytes.
    unsafe { touch_pages(va, size) };
    per("fault-driven touch of every page", env.host_ops() - ops);

    let root = &env.root;
    let rr = root.default_rights();
    let ops = env.host_ops();
    root.protect(rr, R, va, size).expect("protect");
    per("protect whole mapping to R", env.host_ops() - ops);
    let ops = env.host_ops();
    root.protect(rr, RW, va + size / 4, size / 2)
        .expect("protect");
    per("protect middle half to RW", env.host_ops() - ops);
    let ops = env.host_ops();
    root.protect(rr, RW, va, size).expect("protect");
    per("protect whole mapping back to RW", env.host_ops() - ops);
    let ops = env.host_ops();
    env.unmap(va, size);
    per("unmap", env.host_ops() - ops);
}

/// Costs per operation in a VMAR holding `n` one-page mappings.
struct Scaling {
    map: Duration,
    unmap: Duration,
    map_unmap_hot: Duration,
    lookup_random: Duration,
    lookup_hot: Duration,
    fault: Duration,
}

fn measure_population(n: usize, ops: usize) -> Scaling {
    let env = Env::new();
    let base = env.root.addr();
    // `n` read-only one-page mappings of their own VMOs, placed at random.
    let maps: Vec<(usize, Arc<VmObject>)> = (0..n)
        .map(|_| {
            let vmo = env.vmo(P);
            (env.map(R, 0, &vmo, P), vmo)
        })
        .collect();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut pick = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as usize
    };

    // Map and unmap one more mapping (random placement).
    let probe = env.vmo(P);
    let (mut map, mut unmap) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..ops {
        let t = Instant::now();
        let va = env.map(R, 0, &probe, P);
        let t2 = Instant::now();
        env.unmap(va, P);
        unmap += t2.elapsed();
        map += t2 - t;
    }

    // The same at one fixed free address, over and over: the tree walks
    // with a hot cache, i.e. the algorithm without the cache misses.
    let spot = env.map(R, 0, &probe, P);
    env.unmap(spot, P);
    let t = Instant::now();
    for _ in 0..ops {
        let va = env.map(R | SPECIFIC, spot - base, &probe, P);
        env.unmap(va, P);
    }
    let map_unmap_hot = t.elapsed();

    // The resolver's lookup alone: a write fault on a read-only mapping
    // walks the tree and is refused without any host call. Random
    // mappings (cache misses grow with the tree) and one hot address
    // (the tree walk alone).
    let aspace = env.root.aspace();
    let lookup = |va: usize| {
        let r = aspace.handle_page_fault(black_box(va), PageFaultAccess::Write);
        assert_eq!(r, Err(ZxError::ACCESS_DENIED));
    };
    let targets: Vec<usize> = (0..ops).map(|_| maps[pick()].0).collect();
    let t = Instant::now();
    for &va in &targets {
        lookup(va);
    }
    let lookup_random = t.elapsed();
    let hot = maps[n / 2].0;
    let t = Instant::now();
    for _ in 0..ops {
        lookup(hot);
    }
    let lookup_hot = t.elapsed();

    // A real first-touch fault: SIGSEGV, lookup, mmap. The mapping is made
    // anew in place before each (untimed), so every touch faults.
    let mut fault = Duration::ZERO;
    for _ in 0..ops {
        let (va, ref vmo) = maps[pick()];
        env.unmap(va, P);
        let again = env.map(R | SPECIFIC, va - base, vmo, P);
        assert_eq!(again, va);
        let t = Instant::now();
        // SAFETY: a live readable mapping in our window, just remapped, so
        // the load faults and the resolver maps it.
        black_box(unsafe { guest_load_u8(va) });
        fault += t.elapsed();
    }
    aspace.check_consistency();
    let per = |d: Duration| d / ops as u32;
    Scaling {
        map: per(map),
        unmap: per(unmap),
        map_unmap_hot: per(map_unmap_hot),
        lookup_random: per(lookup_random),
        lookup_hot: per(lookup_hot),
        fault: per(fault),
    }
}

fn section_scaling(cfg: &Config) {
    let [small, mid, large] = cfg.populations;
    // Warm up.
    measure_population(small, cfg.ops / 4 + 1);
    let m: Vec<Scaling> = cfg
        .populations
        .iter()
        .map(|&n| measure_population(n, cfg.ops))
        .collect();
    println!(
        "VMAR with {small} / {mid} / {large} mappings (time per op, {} ops each). Target: \
         logarithmic growth, i.e. {large} at most a small multiple of {small}. Verdict on the \
         last step ({mid} -> {large}, 10x more mappings): <= 2x log-like, <= 5x sub-linear, \
         else linear. Random rows include cache misses of a bigger tree; hot rows repeat one \
         address, so they show the tree walks alone:",
        cfg.ops
    );
    let row = |what: &str, f: fn(&Scaling) -> Duration| {
        let (a, b, c) = (f(&m[0]), f(&m[1]), f(&m[2]));
        let ratio = c.as_secs_f64() / a.as_secs_f64();
        let step = c.as_secs_f64() / b.as_secs_f64();
        println!(
            "  {what:<34} {small}: {:>6.2} us, {mid}: {:>6.2} us, {large}: {:>6.2} us; \
             {large}/{small} {ratio:.2}x, {large}/{mid} {step:.2}x {}",
            us(a),
            us(b),
            us(c),
            growth(step)
        );
    };
    row("map (random placement)", |s| s.map);
    row("unmap", |s| s.unmap);
    row("map+unmap, one address (hot)", |s| s.map_unmap_hot);
    row("fault lookup, random mapping", |s| s.lookup_random);
    row("fault lookup, same mapping (hot)", |s| s.lookup_hot);
    row("fault (SIGSEGV + lookup + mmap)", |s| s.fault);
}

fn growth(step: f64) -> &'static str {
    if step <= 2.0 {
        "log-like"
    } else if step <= 5.0 {
        "sub-linear"
    } else {
        "LINEAR?"
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "OVER TARGET"
    }
}

fn main() {
    let (cfg, quick) = Config::from_args();
    if quick {
        println!(
            "(quick mode: small sizes; `cargo bench -p kernel-hal-unix --bench vm` for the real numbers)"
        );
    }
    let t = Instant::now();
    section_touch(&cfg);
    section_host_ops(&cfg);
    section_scaling(&cfg);
    println!("(bench took {:.1} s)", t.elapsed().as_secs_f64());
}
