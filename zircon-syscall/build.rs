//! Generates the syscall numbers from the one syscall table,
//! `sdk/vdso/syscalls.list` (DESIGN.md decision 9).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let list = Path::new("../sdk/vdso/syscalls.list");
    println!("cargo:rerun-if-changed={}", list.display());
    let text = std::fs::read_to_string(list).expect("read syscalls.list");
    let mut consts = String::new();
    let mut table = String::from("/// Every syscall: (number, name, enters the emulator).\npub const SYSCALLS: &[(u32, &str, bool)] = &[\n");
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut f = line.split_whitespace();
        let (num, name, kind) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
        writeln!(
            consts,
            "/// `zx_{name}`\npub const {}: u32 = {num};",
            name.to_uppercase()
        )
        .unwrap();
        writeln!(table, "    ({num}, \"{name}\", {}),", kind != "vdso").unwrap();
    }
    table.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("numbers.rs");
    std::fs::write(out, consts + &table).unwrap();
}
