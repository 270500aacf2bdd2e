//! The guest SDK's own checks (`sdk/tests/check.sh`): every syscall of the
//! table is declared, the headers compile as C and C++, and sample programs
//! link into loadable PIEs and run under this runner.

use std::process::Command;

#[test]
fn sdk_check_script_passes() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let out = Command::new("bash")
        .arg(root.join("sdk/tests/check.sh"))
        .env("ZX_VDSO", concat!(env!("OUT_DIR"), "/libzircon.so"))
        .env("LINUX_LOADER", env!("CARGO_BIN_EXE_linux-loader"))
        .output()
        .expect("run sdk/tests/check.sh");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && text.contains("sdk check: OK"),
        "{text}"
    );
}
