//! A guest launches child processes from an ELF image with the SDK's
//! `zx_sdk_launch` (the guest-side loader).

mod common;

use std::fmt::Write as _;

#[test]
fn guest_launches_children_from_elf() {
    let child = common::build("linux-loader/tests/guests/args.c", &[]);
    let bytes = std::fs::read(&child).unwrap();
    let dir = std::env::temp_dir().join(format!("zx-launch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut header = String::from("static const unsigned char child_elf[] = {");
    for b in &bytes {
        write!(header, "{b},").unwrap();
    }
    header.push_str("};\n");
    std::fs::write(dir.join("child_elf.h"), header).unwrap();
    let include = format!("-I{}", dir.display());
    let parent = common::build("linux-loader/tests/guests/launch_test.c", &[&include]);
    let out = common::run(&parent, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.lines().any(|l| l == "3 passed, 0 failed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("argv[3]=three"),
        "the child printed its arguments: {stdout}"
    );
}
