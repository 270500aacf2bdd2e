//! The syscall table as data: every call's number, name, parameters and
//! attributes, generated from `sdk/vdso/syscalls.list` by `build.rs`. The
//! syscall tracer ([`crate::trace`]) formats arguments from it; a test
//! checks `<zircon/syscalls.h>` declares exactly what it says.

/// Which way a pointer parameter's data moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// The call reads through it.
    In,
    /// The call writes through it.
    Out,
    /// The call reads and writes through it.
    InOut,
}

/// What a parameter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A handle the call looks up.
    Handle,
    /// A scalar (its C type says which).
    Scalar,
    /// A pointer to one value, or to as many as parameter `count` says.
    Pointer {
        /// Read, written or both.
        dir: Dir,
        /// Index of the parameter holding the element count, if an array.
        count: Option<usize>,
    },
}

/// One parameter of a syscall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamInfo {
    /// Its name in Fuchsia's declaration.
    pub name: &'static str,
    /// Its C type (the pointee's, for pointers).
    pub ctype: &'static str,
    /// What it is.
    pub kind: ParamKind,
}

/// One syscall of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyscallInfo {
    /// This project's number for it.
    pub num: u32,
    /// Its name without `zx_`.
    pub name: &'static str,
    /// Its parameters, in order.
    pub params: &'static [ParamInfo],
    /// Its C return type.
    pub ret: &'static str,
    /// Answered inside the vDSO (never reaches the dispatcher).
    pub vdso: bool,
    /// May block.
    pub blocking: bool,
    /// Never returns.
    pub noreturn: bool,
}

include!(concat!(env!("OUT_DIR"), "/table.rs"));

/// Returns the description of syscall `num`.
pub fn info(num: u32) -> Option<&'static SyscallInfo> {
    SYSCALLS.iter().find(|c| c.num == num)
}

/// Returns the name of syscall `num`.
pub fn name_of(num: u32) -> Option<&'static str> {
    info(num).map(|c| c.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prototypes between `<zircon/syscalls.h>`'s `clang-format`
    /// markers are exactly those the table generates. With `ZX_BLESS=1` the
    /// header is rewritten instead.
    #[test]
    fn header_matches_table() {
        let generated = include_str!(concat!(env!("OUT_DIR"), "/c_declarations.h"));
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../sdk/include/zircon/syscalls.h"
        );
        let header = std::fs::read_to_string(path).unwrap();
        let (start, end) = ("// clang-format off\n\n", "\n// clang-format on");
        let a = header.find(start).expect("start marker") + start.len();
        let b = header.find(end).expect("end marker");
        if &header[a..b] == generated {
            return;
        }
        if std::env::var_os("ZX_BLESS").is_some() {
            let new = format!("{}{generated}{}", &header[..a], &header[b..]);
            std::fs::write(path, new).unwrap();
            return;
        }
        panic!(
            "sdk/include/zircon/syscalls.h does not match sdk/vdso/syscalls.list; \
             run `ZX_BLESS=1 cargo test -p zircon-syscall header` to regenerate it.\n\
             Expected:\n{generated}"
        );
    }

    #[test]
    fn table_is_consistent() {
        for c in SYSCALLS {
            assert_eq!(info(c.num).map(|i| i.name), Some(c.name));
            for p in c.params {
                if let ParamKind::Pointer { count: Some(i), .. } = p.kind {
                    assert_eq!(c.params[i].kind, ParamKind::Scalar, "{}", c.name);
                }
            }
        }
        let map = info(crate::numbers::VMAR_MAP).unwrap();
        assert_eq!(map.params.len(), 7);
        assert_eq!(map.params[3].kind, ParamKind::Handle);
        assert!(info(crate::numbers::PORT_WAIT).unwrap().blocking);
        assert!(info(crate::numbers::PROCESS_EXIT).unwrap().noreturn);
        assert_eq!(info(0), None);
    }
}
