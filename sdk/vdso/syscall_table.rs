//! Parser of `syscalls.list`, the one syscall table (its header comment
//! describes the format). Shared by the build scripts that generate code
//! from the table (`linux-loader/build.rs`: the vDSO; `zircon-syscall/
//! build.rs`: numbers, decode, trace table, header text), which include this
//! file with `#[path]`, so the format is parsed in exactly one place.

use std::fmt::Write as _;

/// Which way a pointer parameter's data moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// The call reads through it (`const T*`).
    In,
    /// The call writes through it (`T*`).
    Out,
    /// The call reads and writes through it (`T*`).
    InOut,
}

/// A parameter's type in the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamType {
    /// A `zx_handle_t` the call looks up.
    Handle,
    /// A scalar C type.
    Scalar(String),
    /// A pointer to one `ctype`, or to `count` of them (`count` names
    /// another parameter).
    Ptr {
        dir: Dir,
        ctype: String,
        count: Option<String>,
    },
}

/// One parameter: name and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub ty: ParamType,
}

/// One syscall of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Syscall {
    pub num: u32,
    pub name: String,
    /// Answered inside the vDSO.
    pub vdso: bool,
    /// Never returns.
    pub noreturn: bool,
    /// May block.
    pub blocking: bool,
    /// `__CONST` in C.
    pub is_const: bool,
    /// Exported and declared, but not implemented: the dispatcher answers
    /// `ZX_ERR_NOT_SUPPORTED` without a handler.
    pub unsupported: bool,
    /// Declared in `<zircon/syscalls-next.h>` (Fuchsia's `@next` calls, those
    /// of its "next" vDSO) instead of `<zircon/syscalls.h>`.
    pub next: bool,
    /// Declared in `<zircon/testonly-syscalls.h>` (Fuchsia's `[testonly]`
    /// calls, which its test builds export) instead of `<zircon/syscalls.h>`.
    pub testonly: bool,
    pub params: Vec<Param>,
    /// The C return type.
    pub ret: String,
}

/// A line of the table that matters: a section heading or a syscall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Section(String),
    Call(Syscall),
}

/// Returns the Rust type a scalar C type decodes to, or `None` if the table
/// does not know it.
pub fn rust_scalar(ctype: &str) -> Option<&'static str> {
    Some(match ctype {
        "zx_handle_t"
        | "uint32_t"
        | "zx_rights_t"
        | "zx_signals_t"
        | "zx_vm_option_t"
        | "zx_obj_type_t"
        | "zx_clock_t"
        | "zx_iob_allocate_id_options_t"
        | "zx_stream_seek_origin_t" => "u32",
        "uint16_t" => "u16",
        "uint8_t" => "u8",
        "int16_t" => "i16",
        "int8_t" => "i8",
        "int32_t" | "zx_futex_t" | "zx_status_t" => "i32",
        "uint64_t" | "zx_koid_t" | "zx_off_t" | "zx_iob_write_options_t" => "u64",
        "int64_t"
        | "zx_time_t"
        | "zx_instant_mono_t"
        | "zx_instant_boot_t"
        | "zx_duration_t"
        | "zx_duration_mono_t"
        | "zx_ticks_t"
        | "zx_instant_mono_ticks_t"
        | "zx_instant_boot_ticks_t" => "i64",
        "size_t" | "uintptr_t" | "zx_vaddr_t" | "zx_paddr_t" => "usize",
        _ => return None,
    })
}

/// Returns the Rust element type of a pointer to `ctype`: the scalar's type,
/// or `u8` for `void`, `char` and structs (bytes the handler decodes).
pub fn rust_pointee(ctype: &str) -> &'static str {
    rust_scalar(ctype).unwrap_or("u8")
}

impl Syscall {
    /// Returns the C parameter list, e.g. `(zx_handle_t handle, size_t len)`.
    pub fn c_params(&self) -> String {
        if self.params.is_empty() {
            return "(void)".into();
        }
        let ps: Vec<String> = self
            .params
            .iter()
            .map(|p| match &p.ty {
                ParamType::Handle => format!("zx_handle_t {}", p.name),
                ParamType::Scalar(t) => format!("{t} {}", p.name),
                ParamType::Ptr {
                    dir: Dir::In,
                    ctype,
                    ..
                } => {
                    format!("const {ctype}* {}", p.name)
                }
                ParamType::Ptr { ctype, .. } => format!("{ctype}* {}", p.name),
            })
            .collect();
        format!("({})", ps.join(", "))
    }
}

/// Parses the table; the error names the line.
pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let mut out = Vec::new();
    let mut nums = std::collections::HashSet::new();
    let mut names = std::collections::HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        let err = |m: &str| format!("syscalls.list:{}: {m}: {line}", i + 1);
        if let Some(h) = line.strip_prefix("## ") {
            out.push(Entry::Section(h.to_string()));
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (head, rest) = line
            .split_once('(')
            .ok_or_else(|| err("no parameter list"))?;
        let (params, ret) = rest
            .rsplit_once(") -> ")
            .ok_or_else(|| err("no `) -> TYPE`"))?;
        let mut words = head.split_whitespace();
        let num: u32 = words
            .next()
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| err("bad number"))?;
        let name = words.next().ok_or_else(|| err("no name"))?.to_string();
        let mut call = Syscall {
            num,
            name,
            vdso: false,
            noreturn: false,
            blocking: false,
            is_const: false,
            unsupported: false,
            next: false,
            testonly: false,
            params: Vec::new(),
            ret: ret.trim().to_string(),
        };
        for attr in words {
            match attr {
                "vdso" => call.vdso = true,
                "noreturn" => call.noreturn = true,
                "blocking" => call.blocking = true,
                "const" => call.is_const = true,
                "unsupported" => call.unsupported = true,
                "next" => call.next = true,
                "testonly" => call.testonly = true,
                other => return Err(err(&format!("unknown attribute `{other}`"))),
            }
        }
        for p in params.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (pname, ty) = p
                .split_once(':')
                .ok_or_else(|| err("parameter without `:`"))?;
            let ty = ty.trim();
            let ty = match ty.split_once(' ') {
                None if ty == "handle" => ParamType::Handle,
                None => {
                    rust_scalar(ty).ok_or_else(|| err(&format!("unknown scalar type `{ty}`")))?;
                    ParamType::Scalar(ty.to_string())
                }
                Some((dir, pointee)) => {
                    let dir = match dir {
                        "in" => Dir::In,
                        "out" => Dir::Out,
                        "inout" => Dir::InOut,
                        d => return Err(err(&format!("unknown direction `{d}`"))),
                    };
                    let (ctype, count) = match pointee.split_once('[') {
                        Some((c, n)) => {
                            let n = n.strip_suffix(']').ok_or_else(|| err("unclosed `[`"))?;
                            (c.to_string(), Some(n.to_string()))
                        }
                        None => (pointee.to_string(), None),
                    };
                    ParamType::Ptr { dir, ctype, count }
                }
            };
            call.params.push(Param {
                name: pname.trim().to_string(),
                ty,
            });
        }
        for p in &call.params {
            if let ParamType::Ptr { count: Some(c), .. } = &p.ty {
                if !call.params.iter().any(|q| &q.name == c) {
                    return Err(err(&format!("count `{c}` is not a parameter")));
                }
            }
        }
        if call.noreturn && call.ret != "void" {
            return Err(err("a noreturn call returns void"));
        }
        // A struct return (`zx_string_view_t`, two registers) is only
        // answered inside the vDSO: the dispatcher returns one register.
        let vdso_struct = call.vdso && call.ret == "zx_string_view_t";
        if !call.noreturn
            && call.ret != "zx_status_t"
            && call.ret != "void"
            && rust_scalar(&call.ret).is_none()
            && !vdso_struct
        {
            return Err(err("unknown return type"));
        }
        if call.unsupported && (call.vdso || call.noreturn || call.ret != "zx_status_t") {
            return Err(err(
                "an unsupported call returns zx_status_t from the dispatcher",
            ));
        }
        if call.next && call.testonly {
            return Err(err("a call is `next` or `testonly`, not both"));
        }
        if call.params.len() > 8 {
            return Err(err("more than 8 parameters"));
        }
        if !nums.insert(call.num) || !names.insert(call.name.clone()) {
            return Err(err("number or name used twice"));
        }
        out.push(Entry::Call(call));
    }
    Ok(out)
}

/// Returns the syscalls of the table, in table order.
pub fn calls(entries: &[Entry]) -> impl Iterator<Item = &Syscall> {
    entries.iter().filter_map(|e| match e {
        Entry::Call(c) => Some(c),
        Entry::Section(_) => None,
    })
}

/// Wraps a C parameter list at 100 columns, as clang-format would: four
/// spaces before `(`, five before each continuation line.
fn wrap_params(params: &str) -> String {
    let mut out = String::from("    ");
    let mut line_len = 4;
    let parts: Vec<&str> = params.split(", ").collect();
    for (i, part) in parts.iter().enumerate() {
        let piece = if i + 1 < parts.len() {
            format!("{part},")
        } else {
            part.to_string()
        };
        // The last piece is followed by the closing `)`.
        let extra = usize::from(i + 1 == parts.len());
        if i > 0 {
            if line_len + 1 + piece.len() + extra > 100 {
                out.push_str("\n     ");
                line_len = 5;
            } else {
                out.push(' ');
                line_len += 1;
            }
        }
        out.push_str(&piece);
        line_len += piece.len();
    }
    out
}

/// Which header declares a syscall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    /// `<zircon/syscalls.h>`
    Main,
    /// `<zircon/syscalls-next.h>` (the `next` calls)
    Next,
    /// `<zircon/testonly-syscalls.h>` (the `testonly` calls)
    TestOnly,
}

impl Syscall {
    /// The header that declares this call.
    pub fn header(&self) -> Header {
        match (self.next, self.testonly) {
            (true, _) => Header::Next,
            (_, true) => Header::TestOnly,
            _ => Header::Main,
        }
    }
}

/// Returns the C declarations of the syscalls `header` declares, as the
/// header carries them between its `clang-format off`/`on` markers. A
/// section heading is written only above a section that has calls in the
/// header.
pub fn c_declarations(entries: &[Entry], header: Header) -> String {
    let mut s = String::new();
    let mut heading = None;
    for e in entries {
        match e {
            Entry::Section(h) => heading = Some(h),
            Entry::Call(c) if c.header() == header => {
                if let Some(h) = heading.take() {
                    if !s.is_empty() {
                        s.push('\n');
                    }
                    writeln!(s, "// {h}").unwrap();
                }
                let attrs = match (c.noreturn, c.is_const) {
                    (true, _) => "__NO_RETURN",
                    (false, true) => "__CONST",
                    (false, false) => "/* no attributes */",
                };
                writeln!(s, "_ZX_SYSCALL_DECL({}, {}, {attrs},", c.name, c.ret).unwrap();
                s.push_str(&wrap_params(&c.c_params()));
                s.push_str(")\n");
            }
            Entry::Call(_) => {}
        }
    }
    s
}
