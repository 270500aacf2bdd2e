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
    /// Exported and declared but not implemented: the dispatcher answers
    /// `ZX_ERR_NOT_SUPPORTED` (no handler runs).
    pub unsupported: bool,
    /// One of Fuchsia's test-only calls (`<zircon/testonly-syscalls.h>`),
    /// not of its public list.
    pub testonly: bool,
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

    /// Checks that the prototypes between `header`'s `clang-format` markers
    /// are exactly `generated`; with `ZX_BLESS=1` rewrites them instead.
    fn check_header(header: &str, generated: &str) {
        let path = format!(
            "{}/../sdk/include/zircon/{header}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let (start, end) = ("// clang-format off\n\n", "\n// clang-format on");
        let a = text.find(start).expect("start marker") + start.len();
        // The end marker's newline may be the start marker's last one (an
        // empty block).
        let b = text[a - 1..].find(end).expect("end marker") + a - 1;
        if text.get(a..b).unwrap_or("") == generated {
            return;
        }
        if std::env::var_os("ZX_BLESS").is_some() {
            let new = format!("{}{generated}{}", &text[..a], &text[b..]);
            std::fs::write(&path, new).unwrap();
            return;
        }
        panic!(
            "sdk/include/zircon/{header} does not match sdk/vdso/syscalls.list; \
             run `ZX_BLESS=1 cargo test -p zircon-syscall header` to regenerate it.\n\
             Expected:\n{generated}"
        );
    }

    /// `<zircon/syscalls.h>` declares exactly the table's calls that are
    /// neither `next` nor `testonly`, `<zircon/syscalls-next.h>` exactly the
    /// `next` ones, `<zircon/testonly-syscalls.h>` the `testonly` ones.
    #[test]
    fn header_matches_table() {
        check_header(
            "syscalls.h",
            include_str!(concat!(env!("OUT_DIR"), "/c_declarations.h")),
        );
        check_header(
            "syscalls-next.h",
            include_str!(concat!(env!("OUT_DIR"), "/c_next_declarations.h")),
        );
        check_header(
            "testonly-syscalls.h",
            include_str!(concat!(env!("OUT_DIR"), "/c_testonly_declarations.h")),
        );
    }

    /// Calls of Fuchsia's list that other branches are implementing right now
    /// (issue 12) and that are not in the table yet. This list only shrinks:
    /// as each branch lands, its calls join the table and leave this list.
    const RESERVED: &[&str] = &[];

    /// Every public call of Fuchsia's (`docs/fuchsia-syscalls.txt`) is in
    /// the table or reserved, and the table has no call Fuchsia lacks (its
    /// test-only calls aside), so the table cannot drift from Fuchsia's
    /// list unnoticed.
    #[test]
    fn fuchsia_list_and_table_agree() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/fuchsia-syscalls.txt");
        let text = std::fs::read_to_string(path).unwrap();
        let fuchsia: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        let mut sorted = fuchsia.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, fuchsia, "the list is sorted, each name once");
        let in_table = |n: &str| SYSCALLS.iter().any(|c| c.name == n);
        let missing: Vec<&&str> = fuchsia
            .iter()
            .filter(|n| !in_table(n) && !RESERVED.contains(n))
            .collect();
        assert!(missing.is_empty(), "not in syscalls.list: {missing:?}");
        let extra: Vec<&str> = SYSCALLS
            .iter()
            .filter(|c| !c.testonly)
            .map(|c| c.name)
            .filter(|n| !fuchsia.contains(n))
            .collect();
        assert!(extra.is_empty(), "not Fuchsia calls: {extra:?}");
        for r in RESERVED {
            assert!(fuchsia.contains(r), "{r} is not a Fuchsia call");
            assert!(!in_table(r), "{r} landed: take it off RESERVED");
        }
    }

    #[test]
    fn unsupported_calls_are_flagged() {
        let bti = info(crate::numbers::BTI_CREATE).unwrap();
        assert!(bti.unsupported && !bti.vdso);
        assert_eq!(bti.ret, "zx_status_t");
        assert!(!info(crate::numbers::VMO_CREATE).unwrap().unsupported);
        let supported = SYSCALLS.iter().filter(|c| !c.unsupported).count();
        let unsupported = SYSCALLS.len() - supported;
        assert!(
            supported >= 65 && unsupported >= 1,
            "{supported} {unsupported}"
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
