//! Generates the dispatcher's side of the one syscall table,
//! `sdk/vdso/syscalls.list` (docs/DESIGN.md decision 9):
//! * `numbers.rs`: a constant per syscall number;
//! * `decode.rs`: `Syscall::run`, which decodes each call's raw arguments
//!   into the types its handler takes (handles, scalars, user pointers;
//!   arguments 7 and 8 from the guest stack) and turns the handler's result
//!   into an [`Outcome`];
//! * `table.rs`: the static description of every call that the syscall
//!   tracer formats arguments from;
//! * `c_declarations.h`, `c_next_declarations.h`,
//!   `c_testonly_declarations.h`: the prototypes `<zircon/syscalls.h>`,
//!   `<zircon/syscalls-next.h>` and `<zircon/testonly-syscalls.h>` must carry
//!   (checked by a test).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[path = "../sdk/vdso/syscall_table.rs"]
mod syscall_table;

use syscall_table::{Dir, Header, ParamType, Syscall};

fn main() {
    let list = Path::new("../sdk/vdso/syscalls.list");
    println!("cargo:rerun-if-changed={}", list.display());
    println!("cargo:rerun-if-changed=../sdk/vdso/syscall_table.rs");
    let text = std::fs::read_to_string(list).expect("read syscalls.list");
    let entries = syscall_table::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    let calls: Vec<&Syscall> = syscall_table::calls(&entries).collect();
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("numbers.rs"), numbers(&calls)).unwrap();
    std::fs::write(out.join("decode.rs"), decode(&calls)).unwrap();
    std::fs::write(out.join("table.rs"), table(&calls)).unwrap();
    for (file, header) in [
        ("c_declarations.h", Header::Main),
        ("c_next_declarations.h", Header::Next),
        ("c_testonly_declarations.h", Header::TestOnly),
    ] {
        std::fs::write(
            out.join(file),
            syscall_table::c_declarations(&entries, header),
        )
        .unwrap();
    }
}

fn numbers(calls: &[&Syscall]) -> String {
    let mut s = String::new();
    for c in calls {
        writeln!(
            s,
            "/// `zx_{}`\npub const {}: u32 = {};",
            c.name,
            c.name.to_uppercase(),
            c.num
        )
        .unwrap();
    }
    s
}

/// Returns the expression that turns raw argument `i` into the handler's
/// parameter type.
fn decode_arg(ty: &ParamType, i: usize) -> String {
    let raw = format!("a[{i}]");
    match ty {
        ParamType::Handle => format!("{raw} as u32"),
        ParamType::Scalar(t) => format!("{raw} as {}", syscall_table::rust_scalar(t).unwrap()),
        ParamType::Ptr { dir, ctype, .. } => {
            let ptr = match dir {
                Dir::In => "UserInPtr",
                Dir::Out => "UserOutPtr",
                Dir::InOut => "UserInOutPtr",
            };
            format!(
                "{ptr}::<{}>::new({raw} as usize)",
                syscall_table::rust_pointee(ctype)
            )
        }
    }
}

fn decode(calls: &[&Syscall]) -> String {
    let mut s = String::from(
        "impl Syscall<'_> {\n\
         /// Decodes the arguments of syscall `num` and runs its handler.\n\
         /// `regs` are the six register arguments; arguments 7 and 8 are\n\
         /// read from the guest stack at `guest_rsp` (which points at the\n\
         /// return address) for the calls that have them.\n\
         #[expect(clippy::unnecessary_cast, reason = \"generated casts are uniform\")]\n\
         pub(crate) fn run(&self, num: u32, regs: [u64; 6], guest_rsp: usize) -> Outcome {\n\
         match num {\n",
    );
    for c in calls.iter().filter(|c| !c.vdso) {
        if c.unsupported {
            // No handler: the call is answered here, still through the
            // dispatcher (so the tracer shows it).
            writeln!(
                s,
                "numbers::{} => Outcome::Return(ZxError::NOT_SUPPORTED.into_raw() as u64),",
                c.name.to_uppercase()
            )
            .unwrap();
            continue;
        }
        let args: Vec<String> = c
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| decode_arg(&p.ty, i))
            .collect();
        let load = if c.params.len() > 6 {
            "let a = match self.with_stack_args(regs, guest_rsp) { Ok(a) => a, Err(e) => return Outcome::Return(e.into_raw() as u64) };"
        } else if c.params.is_empty() {
            ""
        } else {
            "let a = regs;"
        };
        let call = format!("self.{}({})", c.name, args.join(", "));
        let finish = if c.noreturn {
            call
        } else if c.ret == "zx_status_t" {
            format!("Outcome::from_status({call})")
        } else if c.ret == "void" {
            format!("{{ {call}; Outcome::Return(0) }}")
        } else {
            format!("Outcome::Return({call} as u64)")
        };
        writeln!(
            s,
            "numbers::{} => {{ {load} {finish} }}",
            c.name.to_uppercase()
        )
        .unwrap();
    }
    s.push_str("_ => Outcome::Return(ZxError::BAD_SYSCALL.into_raw() as u64),\n}\n}\n}\n");
    s
}

fn table(calls: &[&Syscall]) -> String {
    let mut s = String::from("/// Every syscall of the table, in table order.\npub static SYSCALLS: &[SyscallInfo] = &[\n");
    for c in calls {
        let mut params = String::new();
        for p in &c.params {
            let (kind, ctype) = match &p.ty {
                ParamType::Handle => ("ParamKind::Handle".to_string(), "zx_handle_t".to_string()),
                ParamType::Scalar(t) => ("ParamKind::Scalar".to_string(), t.clone()),
                ParamType::Ptr { dir, ctype, count } => {
                    let count = match count {
                        Some(n) => {
                            let i = c.params.iter().position(|q| &q.name == n).unwrap();
                            format!("Some({i})")
                        }
                        None => "None".into(),
                    };
                    let dir = match dir {
                        Dir::In => "Dir::In",
                        Dir::Out => "Dir::Out",
                        Dir::InOut => "Dir::InOut",
                    };
                    (
                        format!("ParamKind::Pointer {{ dir: {dir}, count: {count} }}"),
                        ctype.clone(),
                    )
                }
            };
            write!(
                params,
                "ParamInfo {{ name: {:?}, ctype: {ctype:?}, kind: {kind} }}, ",
                p.name
            )
            .unwrap();
        }
        writeln!(
            s,
            "    SyscallInfo {{ num: {}, name: {:?}, params: &[{params}], ret: {:?}, vdso: {}, blocking: {}, noreturn: {}, unsupported: {}, testonly: {} }},",
            c.num, c.name, c.ret, c.vdso, c.blocking, c.noreturn, c.unsupported, c.testonly
        )
        .unwrap();
    }
    s.push_str("];\n");
    s
}
