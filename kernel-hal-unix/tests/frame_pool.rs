//! `FramePool`: runs, holes, host accounting. Each test owns its frame file
//! so host-byte accounting is not disturbed by tests running in parallel.

use kernel_hal::{PhysMem, PAGE_SIZE as P};
use kernel_hal_unix::FramePool;

fn pool() -> FramePool {
    FramePool::new(1 << 32).expect("memfd")
}

#[test]
fn runs_are_contiguous_and_coalesce() {
    let pool = pool();
    let a = pool.alloc_frames(4).unwrap();
    let b = pool.alloc_frames(4).unwrap();
    let c = pool.alloc_frames(1).unwrap();
    assert_eq!(b, a + 4 * P);
    assert_eq!(pool.allocated_frames(), 9);
    pool.free_frames(a, 4);
    pool.free_frames(b, 4);
    assert_eq!(pool.allocated_frames(), 1);
    // The two freed runs coalesced into one that fits 8 frames.
    assert_eq!(pool.alloc_frames(8).unwrap(), a);
    pool.free_frames(a, 8);
    pool.free_frames(c, 1);
    assert_eq!(pool.allocated_frames(), 0);
    assert_eq!(pool.alloc_frames(0), Err(kernel_hal::HalError::InvalidArgs));
}

#[test]
fn exhaustion_reports_no_memory() {
    let pool = FramePool::new(16 * P).unwrap();
    let a = pool.alloc_frames(16).unwrap();
    assert_eq!(pool.alloc_frames(1), Err(kernel_hal::HalError::NoMemory));
    pool.free_frames(a, 16);
    assert!(pool.alloc_frames(16).is_ok());
}

#[test]
fn reading_a_hole_commits_nothing() {
    let pool = pool();
    let a = pool.alloc_frames(256).unwrap();
    let before = pool.host_allocated_bytes();
    let mut buf = vec![0xffu8; 256 * P];
    pool.read(a, &mut buf).unwrap();
    assert!(buf.iter().all(|&b| b == 0), "fresh frames read as zero");
    assert_eq!(pool.host_allocated_bytes(), before);
    assert_eq!(pool.committed_bytes(a, 256 * P), 0);
}

#[test]
fn write_then_read_any_alignment() {
    let pool = pool();
    let a = pool.alloc_frames(4).unwrap();
    let data: Vec<u8> = (0..2 * P + 100).map(|i| (i % 251) as u8).collect();
    pool.write(a + 1000, &data).unwrap();
    let mut back = vec![0u8; data.len()];
    pool.read(a + 1000, &mut back).unwrap();
    assert_eq!(back, data);
    // The write touched pages 0, 1 and 2 of the run.
    assert_eq!(pool.committed_bytes(a, 4 * P), 3 * P);
    assert_eq!(pool.host_allocated_bytes(), 3 * P as u64);
    // Out of the file entirely.
    assert_eq!(
        pool.read(usize::MAX - 3, &mut [0u8; 8]),
        Err(kernel_hal::HalError::InvalidArgs)
    );
}

#[test]
fn zero_punches_whole_pages_and_zeroes_partial_ones() {
    let pool = pool();
    let a = pool.alloc_frames(8).unwrap();
    pool.write(a, &vec![7u8; 8 * P]).unwrap();
    assert_eq!(pool.host_allocated_bytes(), 8 * P as u64);
    // From the middle of page 1 to the middle of page 5: pages 2..5 go back.
    pool.zero(a + P + 100, 4 * P).unwrap();
    assert_eq!(pool.host_allocated_bytes(), 5 * P as u64);
    assert_eq!(pool.committed_bytes(a, 8 * P), 5 * P);
    let mut buf = vec![0u8; 8 * P];
    pool.read(a, &mut buf).unwrap();
    for (i, &b) in buf.iter().enumerate() {
        let zeroed = (P + 100..5 * P + 100).contains(&i);
        assert_eq!(b, if zeroed { 0 } else { 7 }, "byte {i}");
    }
    // Zeroing part of a hole page leaves it a hole.
    pool.zero(a + 3 * P + 10, 20).unwrap();
    assert_eq!(pool.host_allocated_bytes(), 5 * P as u64);
    pool.zero(a, 8 * P).unwrap();
    assert_eq!(pool.host_allocated_bytes(), 0);
}

#[test]
fn copy_preserves_holes() {
    let pool = pool();
    let src = pool.alloc_frames(8).unwrap();
    let dst = pool.alloc_frames(8).unwrap();
    pool.write(src + P, &[1u8; P]).unwrap();
    pool.write(src + 5 * P + 17, b"five").unwrap();
    // Stale data in the destination must not survive where the source has
    // a hole.
    pool.write(dst + 3 * P, &[9u8; P]).unwrap();
    pool.copy(dst, src, 8 * P).unwrap();
    assert_eq!(pool.committed_bytes(dst, 8 * P), 2 * P);
    let (mut a, mut b) = (vec![0u8; 8 * P], vec![0u8; 8 * P]);
    pool.read(src, &mut a).unwrap();
    pool.read(dst, &mut b).unwrap();
    assert_eq!(a, b);
    assert_eq!(pool.host_allocated_bytes(), 4 * P as u64);
    // Overlapping or unaligned copies are refused.
    assert!(pool.copy(src + P, src, 2 * P).is_err());
    assert!(pool.copy(dst, src, 100).is_err());
}

#[test]
fn large_sparse_copy() {
    let pool = pool();
    let n = 4096; // 16 MiB runs, mostly holes.
    let src = pool.alloc_frames(n).unwrap();
    let dst = pool.alloc_frames(n).unwrap();
    for i in (0..n).step_by(511) {
        pool.write(src + i * P, &(i as u64).to_le_bytes()).unwrap();
    }
    pool.copy(dst, src, n * P).unwrap();
    assert_eq!(
        pool.committed_bytes(dst, n * P),
        pool.committed_bytes(src, n * P)
    );
    for i in (0..n).step_by(511) {
        let mut b = [0u8; 8];
        pool.read(dst + i * P, &mut b).unwrap();
        assert_eq!(u64::from_le_bytes(b), i as u64);
    }
}

#[test]
fn committed_bytes_counts_data_extents() {
    let pool = pool();
    let a = pool.alloc_frames(16).unwrap();
    for page in [0, 1, 2, 7, 15] {
        pool.write(a + page * P, &[1]).unwrap();
    }
    assert_eq!(pool.committed_bytes(a, 16 * P), 5 * P);
    assert_eq!(pool.committed_bytes(a + P, 2 * P), 2 * P);
    assert_eq!(pool.committed_bytes(a + 3 * P, 4 * P), 0);
    assert_eq!(pool.committed_bytes(a + 7 * P, 9 * P), 2 * P);
}

#[test]
fn free_returns_host_memory_and_fresh_runs_read_zero() {
    let pool = pool();
    let a = pool.alloc_frames(64).unwrap();
    pool.write(a, &vec![0xabu8; 64 * P]).unwrap();
    assert_eq!(pool.host_allocated_bytes(), 64 * P as u64);
    pool.free_frames(a, 64);
    assert_eq!(pool.host_allocated_bytes(), 0);
    let b = pool.alloc_frames(64).unwrap();
    assert_eq!(b, a, "first fit reuses the run");
    let mut buf = vec![1u8; 64 * P];
    pool.read(b, &mut buf).unwrap();
    assert!(buf.iter().all(|&x| x == 0));
}

#[test]
#[should_panic(expected = "double free")]
fn double_free_panics() {
    let pool = pool();
    let a = pool.alloc_frames(2).unwrap();
    pool.free_frames(a, 2);
    pool.free_frames(a, 2);
}

#[test]
#[should_panic(expected = "but the run there has 4")]
fn partial_free_panics() {
    let pool = pool();
    let a = pool.alloc_frames(4).unwrap();
    pool.free_frames(a, 2);
}

#[test]
fn pool_is_thread_safe() {
    let pool = std::sync::Arc::new(pool());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                for i in 0..200 {
                    let n = 1 + (i * 7 + t) % 13;
                    let a = pool.alloc_frames(n).unwrap();
                    pool.write(a, &[t as u8 + 1; 64]).unwrap();
                    let mut b = [0u8; 64];
                    pool.read(a, &mut b).unwrap();
                    assert_eq!(b, [t as u8 + 1; 64], "runs never overlap");
                    pool.free_frames(a, n);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(pool.allocated_frames(), 0);
    assert_eq!(pool.host_allocated_bytes(), 0);
}

#[test]
fn commit_fills_holes_and_keeps_data() {
    let pool = pool();
    let a = pool.alloc_frames(8).unwrap();
    pool.write(a + P + 7, b"keep").unwrap();
    assert_eq!(pool.committed_bytes(a, 8 * P), P);
    pool.commit(a, 4 * P).unwrap();
    assert_eq!(pool.committed_bytes(a, 8 * P), 4 * P);
    assert_eq!(pool.host_allocated_bytes(), 4 * P as u64);
    let mut buf = [0u8; 4];
    pool.read(a + P + 7, &mut buf).unwrap();
    assert_eq!(&buf, b"keep");
    assert_eq!(
        pool.commit(a + 1, P),
        Err(kernel_hal::HalError::InvalidArgs)
    );
    pool.free_frames(a, 8);
    assert_eq!(pool.host_allocated_bytes(), 0);
}
