//! `UnixPageTable`: host mappings match the contract, checked with the
//! kernel's own view (`process_vm_readv/writev` probes) and the frame file.

use kernel_hal::{Hal, HalError, MMUFlags, PageTable, PhysMem, PAGE_SIZE as P};
use kernel_hal_unix::{
    global_hal, guest_load_u64, guest_load_u8, guest_store_u64, guest_store_u8, host_probe_read,
    host_probe_write, UnixHal, WINDOW_BASE, WINDOW_SIZE,
};

fn rw() -> MMUFlags {
    MMUFlags::READ | MMUFlags::WRITE
}

#[test]
fn window_is_reserved_and_inaccessible() {
    let hal = global_hal();
    let pt = hal.new_unix_page_table().unwrap();
    let (base, size) = pt.window();
    assert_eq!(size, WINDOW_SIZE);
    assert_eq!((base - WINDOW_BASE) % WINDOW_SIZE, 0);
    for addr in [base, base + 12345 * P, base + size - 1] {
        assert!(!host_probe_read(addr));
        assert!(!host_probe_write(addr));
    }
}

#[test]
fn mapped_memory_is_the_frame_file() {
    let hal = global_hal();
    let phys = hal.unix_phys();
    let pt = hal.new_unix_page_table().unwrap();
    let (base, _) = pt.window();
    let pa = phys.alloc_frames(4).unwrap();
    let va = base + 100 * P;
    pt.map(va, pa, 4 * P, rw()).unwrap();
    assert!(host_probe_read(va) && host_probe_write(va + 4 * P - 1));

    // SAFETY: `va..va + 4P` is mapped read-write in our window.
    unsafe {
        guest_store_u8(va + 3, 0x5a);
        guest_store_u64(va + 2 * P + 8, 0x1122_3344_5566_7788);
    }
    let mut b = [0u8; 1];
    phys.read(pa + 3, &mut b).unwrap();
    assert_eq!(b[0], 0x5a);
    let mut w = [0u8; 8];
    phys.read(pa + 2 * P + 8, &mut w).unwrap();
    assert_eq!(u64::from_le_bytes(w), 0x1122_3344_5566_7788);

    // And the other way round.
    phys.write(pa + 3 * P, &42u64.to_le_bytes()).unwrap();
    // SAFETY: mapped read-write.
    assert_eq!(unsafe { guest_load_u64(va + 3 * P) }, 42);

    // Zeroing the frames reads as zero through the mapping.
    phys.zero(pa, 4 * P).unwrap();
    // SAFETY: mapped read-write.
    assert_eq!(unsafe { guest_load_u8(va + 3) }, 0);

    drop(pt);
    phys.free_frames(pa, 4);
}

#[test]
fn query_reports_page_frames_and_flags() {
    let hal = global_hal();
    let phys = hal.unix_phys();
    let pt = hal.new_unix_page_table().unwrap();
    let (base, _) = pt.window();
    let pa = phys.alloc_frames(8).unwrap();
    pt.map(base, pa, 8 * P, MMUFlags::READ).unwrap();
    assert_eq!(pt.query(base), Some((pa, MMUFlags::READ)));
    assert_eq!(pt.query(base + 5 * P), Some((pa + 5 * P, MMUFlags::READ)));
    assert_eq!(pt.query(base + 8 * P), None);
    assert_eq!(pt.query(base - P), None);
    pt.protect(base + 2 * P, 2 * P, rw()).unwrap();
    assert_eq!(pt.query(base + 3 * P), Some((pa + 3 * P, rw())));
    assert_eq!(pt.query(base + 4 * P), Some((pa + 4 * P, MMUFlags::READ)));
    assert_eq!(pt.mapped_runs(), 3);
    pt.unmap(base + 2 * P, 2 * P).unwrap();
    assert_eq!(pt.query(base + 2 * P), None);
    assert_eq!(pt.mapped_bytes(), 6 * P);
    // Empty flags: still mapped (query sees it), but inaccessible.
    pt.map(base + 2 * P, pa + 2 * P, P, MMUFlags::empty())
        .unwrap();
    assert_eq!(
        pt.query(base + 2 * P),
        Some((pa + 2 * P, MMUFlags::empty()))
    );
    assert!(!host_probe_read(base + 2 * P));
    drop(pt);
    phys.free_frames(pa, 8);
}

#[test]
fn protect_and_unmap_change_host_access() {
    let hal = global_hal();
    let phys = hal.unix_phys();
    let pt = hal.new_unix_page_table().unwrap();
    let (base, _) = pt.window();
    let va = base + (1 << 30);
    let pa = phys.alloc_frames(2).unwrap();
    pt.map(va, pa, 2 * P, rw()).unwrap();
    assert!(host_probe_read(va) && host_probe_write(va));
    pt.protect(va, 2 * P, MMUFlags::READ).unwrap();
    assert!(host_probe_read(va + P));
    assert!(!host_probe_write(va + P));
    pt.protect(va, P, MMUFlags::empty()).unwrap();
    assert!(!host_probe_read(va));
    assert!(host_probe_read(va + P));
    pt.unmap(va, 2 * P).unwrap();
    for a in [va, va + P] {
        assert!(!host_probe_read(a) && !host_probe_write(a));
    }
    // Unmapping what is not mapped is fine.
    pt.unmap(va, 2 * P).unwrap();
    drop(pt);
    phys.free_frames(pa, 2);
}

#[test]
fn one_host_op_per_call_whatever_the_length() {
    let hal = global_hal();
    let phys = hal.unix_phys();
    let pt = hal.new_unix_page_table().unwrap();
    let (base, _) = pt.window();
    let n = 1 << 18; // 1 GiB of frames, never touched.
    let pa = phys.alloc_frames(n).unwrap();
    assert_eq!(pt.host_ops(), 0);
    pt.map(base, pa, n * P, rw()).unwrap();
    assert_eq!(pt.host_ops(), 1);
    pt.protect(base, n * P, MMUFlags::READ).unwrap();
    assert_eq!(pt.host_ops(), 2);
    pt.unmap(base, n * P).unwrap();
    assert_eq!(pt.host_ops(), 3);
    // Protecting nothing but holes costs nothing.
    pt.protect(base, P, MMUFlags::READ).unwrap();
    assert_eq!(pt.host_ops(), 3);
    drop(pt);
    phys.free_frames(pa, n);
}

#[test]
fn invalid_arguments_are_refused() {
    let hal = global_hal();
    let phys = hal.unix_phys();
    let pt = hal.new_unix_page_table().unwrap();
    let (base, size) = pt.window();
    let pa = phys.alloc_frames(2).unwrap();
    let bad = [
        (base - P, P),               // below the window
        (base + size - P, 2 * P),    // crosses its end
        (base + size, P),            // past it
        (base + 1, P),               // unaligned address
        (base, P + 1),               // unaligned length
        (base, 0),                   // empty
        (usize::MAX - P + 1, 2 * P), // wraps
    ];
    for (va, len) in bad {
        assert_eq!(
            pt.map(va, pa, len, rw()),
            Err(HalError::InvalidArgs),
            "{va:#x}+{len:#x}"
        );
        assert_eq!(pt.unmap(va, len), Err(HalError::InvalidArgs));
        assert_eq!(pt.protect(va, len, rw()), Err(HalError::InvalidArgs));
    }
    assert_eq!(pt.map(base, pa + 1, P, rw()), Err(HalError::InvalidArgs));
    assert_eq!(
        pt.map(base, phys.size() - P, 2 * P, rw()),
        Err(HalError::InvalidArgs),
        "frames past the end of the frame file"
    );
    // Protect changes only mapped pages; holes stay the reservation.
    pt.map(base + P, pa, P, rw()).unwrap();
    pt.protect(base, P, rw()).unwrap();
    pt.protect(base, 3 * P, MMUFlags::READ).unwrap();
    assert!(!host_probe_read(base), "the reservation stays inaccessible");
    assert!(
        !host_probe_read(base + 2 * P),
        "the reservation stays inaccessible"
    );
    assert!(host_probe_read(base + P) && !host_probe_write(base + P));
    assert_eq!(pt.query(base + P), Some((pa, MMUFlags::READ)));
    assert_eq!(
        pt.host_ops(),
        2,
        "one map, one mprotect for the one mapped piece"
    );
    drop(pt);
    phys.free_frames(pa, 2);
}

#[test]
fn map_replaces_what_was_there() {
    let hal = global_hal();
    let phys = hal.unix_phys();
    let pt = hal.new_unix_page_table().unwrap();
    let (base, _) = pt.window();
    let a = phys.alloc_frames(4).unwrap();
    let b = phys.alloc_frames(1).unwrap();
    phys.write(a + P, b"aaaa").unwrap();
    phys.write(b, b"bbbb").unwrap();
    pt.map(base, a, 4 * P, MMUFlags::READ).unwrap();
    // SAFETY: mapped readable.
    assert_eq!(unsafe { guest_load_u8(base + P) }, b'a');
    pt.map(base + P, b, P, MMUFlags::READ).unwrap();
    // SAFETY: mapped readable.
    assert_eq!(unsafe { guest_load_u8(base + P) }, b'b');
    assert_eq!(pt.query(base + P), Some((b, MMUFlags::READ)));
    assert_eq!(pt.query(base + 2 * P), Some((a + 2 * P, MMUFlags::READ)));
    drop(pt);
    phys.free_frames(a, 4);
    phys.free_frames(b, 1);
}

#[test]
fn windows_are_recycled() {
    // A private HAL, so no other test takes the recycled window.
    let hal = UnixHal::new().unwrap();
    assert_eq!(hal.live_windows(), 0);
    let pt1 = hal.new_page_table().unwrap();
    let pt2 = hal.new_page_table().unwrap();
    assert_eq!(hal.live_windows(), 2);
    let (b1, _) = pt1.window();
    let (b2, _) = pt2.window();
    assert_ne!(b1, b2);
    let pa = hal.phys().alloc_frames(1).unwrap();
    pt1.map(b1, pa, P, rw()).unwrap();
    drop(pt1);
    assert_eq!(hal.live_windows(), 1);
    assert!(!host_probe_read(b1), "dropping a table unmaps its window");
    let pt3 = hal.new_page_table().unwrap();
    assert_eq!(pt3.window().0, b1, "the freed window is reused");
    assert_eq!(pt3.query(b1), None, "and starts empty");
    drop(pt2);
    drop(pt3);
    assert_eq!(hal.live_windows(), 0);
    hal.phys().free_frames(pa, 1);
}

#[test]
fn many_tables_come_and_go() {
    let hal = UnixHal::new().unwrap();
    for _ in 0..2000 {
        let pt = hal.new_page_table().unwrap();
        let (base, _) = pt.window();
        let pa = hal.phys().alloc_frames(1).unwrap();
        pt.map(base, pa, P, rw()).unwrap();
        drop(pt);
        hal.phys().free_frames(pa, 1);
    }
    assert_eq!(hal.live_windows(), 0);
    assert_eq!(hal.unix_phys().allocated_frames(), 0);
}

#[test]
fn concurrent_tables_on_the_global_hal() {
    let threads: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                let hal = global_hal();
                let pt = hal.new_unix_page_table().unwrap();
                let (base, _) = pt.window();
                let pa = hal.unix_phys().alloc_frames(16).unwrap();
                for i in 0..16 {
                    pt.map(base + i * 2 * P, pa + i * P, P, rw()).unwrap();
                    // SAFETY: just mapped read-write.
                    unsafe { guest_store_u8(base + i * 2 * P, t as u8) };
                }
                for i in 0..16 {
                    let mut b = [0u8];
                    hal.unix_phys().read(pa + i * P, &mut b).unwrap();
                    assert_eq!(b[0], t as u8);
                }
                drop(pt);
                hal.unix_phys().free_frames(pa, 16);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

/// The known difference of DESIGN.md decision 4: Linux commits a page on the
/// first read of a hole through a shared mapping; the accounting says so.
#[test]
fn reading_a_hole_through_a_mapping_commits_a_page() {
    let hal = UnixHal::new().unwrap();
    let pt = hal.new_unix_page_table().unwrap();
    let (base, _) = pt.window();
    let pa = hal.phys().alloc_frames(4).unwrap();
    pt.map(base, pa, 4 * P, MMUFlags::READ).unwrap();
    assert_eq!(
        hal.unix_phys().host_allocated_bytes(),
        0,
        "mapping commits nothing"
    );
    // SAFETY: mapped readable.
    assert_eq!(unsafe { guest_load_u8(base + 2 * P) }, 0);
    assert_eq!(hal.phys().committed_bytes(pa, 4 * P), P);
    hal.phys().zero(pa, 4 * P).unwrap();
    assert_eq!(hal.unix_phys().host_allocated_bytes(), 0);
    drop(pt);
    hal.phys().free_frames(pa, 4);
}
