//! The life of a VMAR on the real HAL, step by step:
//! `cargo run --release -p kernel-hal-unix --example vmar`.
//!
//! Guest address = host address: every pointer printed here is a real
//! address of this process, inside a window reserved for the guest
//! address space, and the host's page tables are what enforce each step.
//! `host_probe_*` asks the kernel what it would allow without faulting.

use std::sync::Arc;

use kernel_hal::{HalRef, PAGE_SIZE};
use kernel_hal_unix::{
    global_hal, guest_load_u8, guest_store_u8, host_probe_read, host_probe_write,
    resolved_fault_count,
};
use zircon_object::vm::{VmAddressRegion, VmObject, VmOptions};
use zircon_object::ZxResult;

const PERM_R: u32 = VmOptions::PERM_READ.bits();
const PERM_RW: u32 = VmOptions::PERM_READ.bits() | VmOptions::PERM_WRITE.bits();

fn probes(addr: usize) -> String {
    format!(
        "host_probe_read={} host_probe_write={}",
        host_probe_read(addr),
        host_probe_write(addr)
    )
}

fn vmo_info(vmo: &VmObject) -> String {
    let info = vmo.info();
    format!(
        "ZX_INFO_VMO koid={} size={} committed_bytes={} num_mappings={}",
        info.koid, info.size_bytes, info.committed_bytes, info.num_mappings
    )
}

fn main() -> ZxResult {
    // global_hal() also gives this thread the alternate signal stack the
    // fault handler runs on.
    let hal: HalRef = global_hal();

    let root = VmAddressRegion::new_root(hal.clone())?;
    let rr = root.default_rights();
    let (base, size) = root.info();
    println!(
        "1. root VMAR: window [{base:#x}, {:#x}), {} GiB, reserved PROT_NONE",
        base + size,
        size >> 30
    );

    let can_rw = (VmOptions::CAN_MAP_READ | VmOptions::CAN_MAP_WRITE).bits();
    let child = root.allocate(rr, can_rw, 0, 64 << 20)?;
    let cr = child.default_rights();
    println!(
        "2. child VMAR (zx_vmar_allocate, CAN_MAP_READ|WRITE): [{:#x}, {:#x})",
        child.addr(),
        child.addr() + child.size()
    );

    let vmo: Arc<VmObject> = VmObject::create(hal.clone(), 4 * PAGE_SIZE as u64, 0)?;
    vmo.set_name(b"example-vmo");
    println!("3. VMO {:?}: {}", vmo.name(), vmo_info(&vmo));

    let va = child.map(cr, PERM_RW, 0, &vmo, vmo.default_rights(), 0, 4 * PAGE_SIZE)?;
    println!(
        "4. mapped read-write at {va:#x}: {}; mapping is lazy, no host mapping before the first touch: {}",
        vmo_info(&vmo),
        probes(va)
    );

    let message = b"hello from guest memory";
    let faults = resolved_fault_count();
    for (i, &b) in message.iter().enumerate() {
        // SAFETY: `va..va + 4 pages` is a live read-write mapping in our
        // guest window; the first store faults and the resolver maps the
        // VMO's chunk, the rest run natively.
        unsafe { guest_store_u8(va + i, b) };
    }
    let mut back = vec![0u8; message.len()];
    vmo.read(0, &mut back)?;
    println!(
        "5. stored {:?} through the pointer ({} SIGSEGV resolved); zx_vmo_read gives {:?}",
        String::from_utf8_lossy(message),
        resolved_fault_count() - faults,
        String::from_utf8_lossy(&back)
    );
    println!("   {}; {}", vmo_info(&vmo), probes(va));

    child.protect(cr, PERM_R, va, 4 * PAGE_SIZE)?;
    // SAFETY: still mapped, readable.
    let first = unsafe { guest_load_u8(va) };
    println!(
        "6. zx_vmar_protect(READ): {}; loads still work (first byte {:?})",
        probes(va),
        first as char
    );

    child.unmap(cr, va, 4 * PAGE_SIZE)?;
    println!("7. zx_vmar_unmap: {}; {}", probes(va), vmo_info(&vmo));

    let va2 = child.map(cr, PERM_RW, 0, &vmo, vmo.default_rights(), 0, PAGE_SIZE)?;
    // SAFETY: a live read-write mapping.
    let again = unsafe { guest_load_u8(va2) };
    println!(
        "8. mapped again at {va2:#x}: first byte {:?}; the data lives in the VMO; {}",
        again as char,
        probes(va2)
    );

    child.destroy()?;
    println!("9. zx_vmar_destroy(child): {} at {va2:#x}", probes(va2));
    match child.map(cr, PERM_RW, 0, &vmo, vmo.default_rights(), 0, PAGE_SIZE) {
        Err(e) => println!("   mapping into the destroyed child fails: {e}"),
        Ok(a) => panic!("mapping into a destroyed VMAR succeeded at {a:#x}"),
    }
    println!("   {}", vmo_info(&vmo));
    Ok(())
}
