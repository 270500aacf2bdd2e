//! Fuchsia's processargs message (`<zircon/processargs.h>`), the first
//! message on a new process's bootstrap channel.
//!
//! Layout: a 36-byte header `zx_proc_args_t` {protocol, version,
//! handle_info_off, args_off, args_num, environ_off, environ_num, names_off,
//! names_num}, then one `u32` handle-info word per handle carried, then the
//! NUL-terminated argument strings, then the environment strings.

/// `ZX_PROCARGS_PROTOCOL`
pub const PROTOCOL: u32 = 0x4150_585d;
/// `ZX_PROCARGS_VERSION`
pub const VERSION: u32 = 0x1000;
/// `PA_PROC_SELF`
pub const PA_PROC_SELF: u32 = 0x01;
/// `PA_THREAD_SELF`
pub const PA_THREAD_SELF: u32 = 0x02;
/// `PA_JOB_DEFAULT`
pub const PA_JOB_DEFAULT: u32 = 0x03;
/// `PA_VMAR_ROOT`
pub const PA_VMAR_ROOT: u32 = 0x04;
/// `PA_VMAR_LOADED`
pub const PA_VMAR_LOADED: u32 = 0x05;
/// `PA_VMO_VDSO`
pub const PA_VMO_VDSO: u32 = 0x11;
/// `PA_CLOCK_UTC`
pub const PA_CLOCK_UTC: u32 = 0x40;
/// `PA_RESOURCE`: the root resource.
pub const PA_RESOURCE: u32 = 0x3F;
/// `PA_SYSTEM_RESOURCE`: the ranged root of `ZX_RSRC_KIND_SYSTEM`.
pub const PA_SYSTEM_RESOURCE: u32 = 0x54;

/// `PA_HND(type, arg)`.
pub const fn pa_hnd(ty: u32, arg: u32) -> u32 {
    (ty & 0xFF) | ((arg & 0xFFFF) << 16)
}

const HEADER: usize = 36;

/// Encodes a processargs message for `args`, `environ` and handles tagged
/// with `handle_info`.
/// Strings are bytes, passed through as they are (arguments and
/// environment need not be UTF-8); the whole message must fit in a channel
/// message (`ZX_CHANNEL_MAX_MSG_BYTES`, 64 KiB), as on Fuchsia.
pub fn encode<A: AsRef<[u8]>, E: AsRef<[u8]>>(
    args: &[A],
    environ: &[E],
    handle_info: &[u32],
) -> Vec<u8> {
    let info_off = HEADER;
    let args_off = info_off + 4 * handle_info.len();
    let mut strings = Vec::new();
    for a in args {
        strings.extend_from_slice(a.as_ref());
        strings.push(0);
    }
    let environ_off = args_off + strings.len();
    for e in environ {
        strings.extend_from_slice(e.as_ref());
        strings.push(0);
    }
    let mut m = Vec::with_capacity(environ_off + strings.len());
    for v in [
        PROTOCOL,
        VERSION,
        info_off as u32,
        args_off as u32,
        args.len() as u32,
        environ_off as u32,
        environ.len() as u32,
        0,
        0,
    ] {
        m.extend_from_slice(&v.to_le_bytes());
    }
    for &h in handle_info {
        m.extend_from_slice(&h.to_le_bytes());
    }
    m.extend_from_slice(&strings);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout() {
        let m = encode(&["a", "bc"], &["X=1"], &[pa_hnd(PA_PROC_SELF, 0)]);
        assert_eq!(&m[0..4], &PROTOCOL.to_le_bytes());
        assert_eq!(u32::from_le_bytes(m[12..16].try_into().unwrap()), 40);
        assert_eq!(&m[40..45], b"a\0bc\0");
        assert_eq!(&m[45..49], b"X=1\0");
        assert_eq!(pa_hnd(PA_VMO_VDSO, 0x1234), 0x1234_0011);
    }
}
