//! Guests built with `sdk/zx-c++` on the SDK's C library (musl ported to
//! Zircon) and the host's libstdc++: an oracle test (the same C++ program
//! built natively and as a guest prints the same bytes and exits the same
//! way), POSIX and C11 threads, and the rule that no guest image holds a
//! raw `syscall` instruction.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds `src` (relative to the repository root) with `sdk/zx-c++`.
fn build_cxx(src: &str, extra: &[&str]) -> PathBuf {
    common::build_with("sdk/zx-c++", src, extra)
}

/// Writes `code` to a file named `name` and builds it with `sdk/zx-c++`.
fn build_snippet(name: &str, code: &str, extra: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zx-cxx-snippets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join(name);
    std::fs::write(&src, code).unwrap();
    build_cxx(src.to_str().unwrap(), extra)
}

/// Whether the disassembly of `elf` contains a `syscall` or `sysenter`
/// instruction (calls to the C function `syscall` do not count).
fn has_raw_syscall(elf: &Path) -> bool {
    let out = Command::new("objdump")
        .arg("-d")
        .arg(elf)
        .output()
        .expect("run objdump");
    String::from_utf8_lossy(&out.stdout).lines().any(|l| {
        let insn = l.split('\t').nth(2).unwrap_or("").trim();
        insn == "syscall" || insn == "sysenter"
    })
}

#[test]
fn cxx_program_prints_what_it_prints_natively() {
    let src = "linux-loader/tests/guests/cxx/oracle.cc";
    let guest = build_cxx(src, &["-fexceptions", "-frtti"]);
    let native = guest.with_extension("native");
    let ok = Command::new("g++")
        .args(["-std=c++20", "-O2", "-pthread", "-o"])
        .arg(&native)
        .arg(common::root().join(src))
        .status()
        .expect("run g++")
        .success();
    assert!(ok, "the native build failed");
    let want = Command::new(&native).arg("an argument").output().unwrap();
    let got = common::run(&guest, &["an argument"]);
    assert_eq!(
        String::from_utf8_lossy(&got.stdout),
        String::from_utf8_lossy(&want.stdout),
        "guest stderr: {}",
        String::from_utf8_lossy(&got.stderr)
    );
    assert_eq!(got.status.code(), want.status.code());
    assert_eq!(got.status.code(), Some(7));
    assert!(
        !has_raw_syscall(&guest),
        "the guest image has a raw syscall instruction"
    );
}

#[test]
fn posix_and_c11_threads_work() {
    let guest = build_cxx("linux-loader/tests/guests/cxx/threads.c", &[]);
    let out = common::run(&guest, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("threads: PASS"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(!has_raw_syscall(&guest));
}

#[test]
fn a_call_to_an_undeclared_function_is_a_compile_error() {
    let dir = std::env::temp_dir().join(format!("zx-cxx-undeclared-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("undeclared.c");
    std::fs::write(
        &src,
        "int main(void) { return not_declared_anywhere(1); }\n",
    )
    .unwrap();
    let out = Command::new("bash")
        .arg(common::root().join("sdk/zx-c++"))
        .arg("-o")
        .arg(dir.join("undeclared.elf"))
        .arg(&src)
        .env("ZX_VDSO", concat!(env!("OUT_DIR"), "/libzircon.so"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("implicit-function-declaration"));
}

#[test]
fn c_library_services_work() {
    let guest = build_cxx("linux-loader/tests/guests/cxx/libc_misc.c", &[]);
    let out = Command::new(env!("CARGO_BIN_EXE_linux-loader"))
        .args(["--env", "FOO=bar"])
        .arg(&guest)
        .output()
        .expect("run linux-loader");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("libc: PASS"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.ends_with("libc: atexit ran\n"), "{stdout}");
    assert_eq!(out.status.code(), Some(0));
}

/// `abort()` crashes as Fuchsia's does (a trap): unhandled, the process is
/// killed with one line, stdio unflushed; a death test catches it.
#[test]
fn abort_crashes_the_guest_as_on_fuchsia() {
    let elf = build_snippet(
        "abort.cc",
        "#include <cstdlib>\n#include <cstdio>\nint main() { std::puts(\"before\"); std::abort(); }\n",
        &[],
    );
    let out = common::run(&elf, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "before\n");
    assert_ne!(out.status.code(), Some(0));
    assert!(
        out.status.code().is_some(),
        "the runner itself died: {:?}",
        out.status
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("undefined instruction"), "{stderr}");
    assert!(
        stderr.contains("process killed (ZX_TASK_RETCODE_EXCEPTION_KILL)"),
        "{stderr}"
    );

    let elf = build_snippet(
        "abort_death.cc",
        "#include <cstdlib>\n#include <zxtest/zxtest.h>\n\
         TEST(Abort, IsADeath) { ASSERT_DEATH([] { std::abort(); }); }\n",
        &[],
    );
    let out = common::run(&elf, &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("[       OK ] Abort.IsADeath ("), "{text}");
}

#[test]
fn a_double_free_kills_the_guest_with_one_line() {
    let elf = build_snippet(
        "double_free.c",
        "#include <stdlib.h>\n#include <stdio.h>\nint main(void) { void* volatile p = malloc(32); \
         free(p); free(p); puts(\"survived\"); return 0; }\n",
        &["-O0"],
    );
    let out = common::run(&elf, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("survived"));
    assert_ne!(out.status.code(), Some(0));
    assert!(
        out.status.code().is_some(),
        "the runner itself died: {:?}",
        out.status
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("process killed"), "{stderr}");
}

#[test]
fn lib_zx_and_zxtest_fixtures() {
    let guest = build_cxx(
        "linux-loader/tests/guests/cxx/zx_test.cc",
        &["-Wall", "-Werror"],
    );
    let out = common::run(&guest, &[]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "output:\n{text}");
    for name in [
        "PageVmo.SizeIsOnePage",
        "PageVmo.ReadBackAndMap",
        "PageVmo.DuplicateReplaceBorrow",
        "ZxTypes.EventSignalsAndWaits",
        "ZxTypes.EventpairPeer",
        "ZxTypes.SocketStreamAndDisposition",
        "ZxTypes.FifoElements",
        "ZxTypes.ChannelCarriesBytesAndHandles",
        "ZxTypes.PortQueueAndWaitAsync",
        "ZxTypes.TasksAndTime",
        "ZxTypes.StreamOverAVmo",
        "ZxTypes.NoFatalFailure",
    ] {
        assert!(
            text.contains(&format!("[       OK ] {name} (")),
            "{name} did not pass:\n{text}"
        );
    }
    // Suite setup once; the last suite's teardown at exit, after the summary.
    assert!(
        text.ends_with(
            "12 passed, 0 failed\nsuite setups 1, teardowns 0\nPageVmo suite torn down\n"
        ),
        "output:\n{text}"
    );

    // A fatal failure in SetUp: the body is skipped, TearDown runs, and the
    // report shows both C++ operands (enum class values) and the message.
    let out = common::run(&guest, &["fail"]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "output:\n{text}");
    assert!(
        text.contains(
            ": Failure: ASSERT_EQ(Color::kRed, Color::kBlue)\n  Color::kRed: 1 (0x1)\n  \
             Color::kBlue: 2 (0x2)\n  colors 7\n[  FAILED  ] FailingFixture.SetUpFails ("
        ),
        "output:\n{text}"
    );
    assert!(
        text.ends_with("0 passed, 1 failed\nbody ran 0, teardown ran 1\n"),
        "output:\n{text}"
    );
}

#[test]
fn lib_zx_result_timer_counter_and_zircon_threads() {
    let guest = build_cxx(
        "linux-loader/tests/guests/cxx/zx_more_test.cc",
        &["-Wall", "-Werror"],
    );
    let out = common::run(&guest, &[]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "output:\n{text}");
    assert!(text.ends_with("10 passed, 0 failed\n"), "output:\n{text}");
}

/// `CLOCK_REALTIME`, `time()` and `gettimeofday()` read the UTC clock the
/// runner hands every process (`PA_CLOCK_UTC`): the host's time of day;
/// `zx_utc_reference_swap` checks a new clock by reading it.
#[test]
fn realtime_reads_the_utc_clock() {
    let elf = build_snippet(
        "utc.c",
        r#"#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <zircon/syscalls.h>
#include <zircon/utc.h>
int main(void) {
  struct timespec rt, mono;
  struct timeval tv;
  clock_gettime(CLOCK_REALTIME, &rt);
  clock_gettime(CLOCK_MONOTONIC, &mono);
  gettimeofday(&tv, NULL);
  time_t t = time(NULL);
  zx_time_t utc = 0;
  zx_status_t read = zx_clock_read(zx_utc_reference_get(), &utc);
  zx_handle_t prev = 7;
  zx_status_t bad = zx_utc_reference_swap(0x12345, &prev);
  printf("%lld %lld %lld %lld %d %lld %d %u\n", (long long)rt.tv_sec, (long long)tv.tv_sec,
         (long long)t, (long long)(utc / 1000000000), read, (long long)mono.tv_sec, bad, prev);
  zx_handle_t old;
  zx_status_t off = zx_utc_reference_swap(ZX_HANDLE_INVALID, &old);
  clock_gettime(CLOCK_REALTIME, &rt);
  printf("%d %d %lld\n", off, old != ZX_HANDLE_INVALID, (long long)rt.tv_sec);
  return 0;
}
"#,
        &[],
    );
    let out = common::run(&elf, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let lines: Vec<Vec<i64>> = stdout
        .lines()
        .map(|l| l.split(' ').map(|w| w.parse().unwrap()).collect())
        .collect();
    let host = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let first = &lines[0];
    for &secs in &first[0..4] {
        assert!((host - secs).abs() <= 60, "{stdout} vs host {host}");
    }
    assert_eq!(first[4], 0, "zx_clock_read on the UTC reference: {stdout}");
    assert!(first[5] < 3600, "monotonic counts from the start: {stdout}");
    assert_eq!(first[6], -11, "a bad handle is ZX_ERR_BAD_HANDLE: {stdout}");
    assert_eq!(
        first[7], 0,
        "and no previous handle is handed out: {stdout}"
    );
    // Without a UTC clock, real time counts from boot.
    assert_eq!(&lines[1][0..2], &[0, 1], "{stdout}");
    assert!(lines[1][2] < 3600, "{stdout}");
}

/// TEST_P and INSTANTIATE_TEST_SUITE_P (values, ranges, Bool, Combine,
/// name generators) and the runner's gtest flags.
#[test]
fn zxtest_parameterized_tests_and_flags() {
    let guest = build_cxx(
        "linux-loader/tests/guests/cxx/zxtest_param_test.cc",
        &["-Wall", "-Werror"],
    );
    let run = |args: &[&str]| {
        let out = common::run(&guest, args);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let (code, text) = run(&[]);
    assert_eq!(code, Some(0), "{text}");
    for name in [
        "Few/Doubling.IsEven/0",
        "Few/Doubling.Accumulates/2",
        "Stepped/Doubling.IsEven/1",
        "Every/Grid.Unpacks/SquareEmpty",
        "Every/Grid.Unpacks/CircleFilled",
        "Runner.ReportsItsSeed",
    ] {
        assert!(
            text.contains(&format!("[       OK ] {name} (")),
            "{name}:\n{text}"
        );
    }
    assert!(!text.contains("DISABLED_"), "{text}");
    assert!(text.ends_with("15 passed, 0 failed\n"), "{text}");

    let (code, text) = run(&["--gtest_list_tests", "--gtest_filter=Few/*:Runner.*"]);
    assert_eq!(code, Some(0));
    // Plain cases first, then the parameterized ones (as gtest registers them).
    assert_eq!(
        text,
        "Runner.\n  ReportsItsSeed\nFew/Doubling.\n  IsEven/0\n  IsEven/1\n  IsEven/2\n  \
         Accumulates/0\n  Accumulates/1\n  Accumulates/2\n"
    );

    let (_, text) = run(&["--gtest_repeat=3", "--gtest_filter=Runner.*"]);
    assert_eq!(
        text.matches("[       OK ] Runner.ReportsItsSeed").count(),
        3
    );
    assert!(text.ends_with("3 passed, 0 failed\n"), "{text}");

    let (_, a) = run(&["--gtest_shuffle", "--gtest_random_seed=77"]);
    let (_, b) = run(&["--gtest_shuffle", "--gtest_random_seed=77"]);
    let order = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.starts_with("[ RUN      ]"))
            .map(String::from)
            .collect()
    };
    assert_eq!(order(&a), order(&b), "the same seed, the same order");
    assert!(a.contains("seed=77\n"), "{a}");
    assert!(a.ends_with("15 passed, 0 failed\n"), "{a}");

    let (code, text) = run(&[
        "--gtest_also_run_disabled_tests",
        "--gtest_filter=DISABLED_*",
    ]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("[  FAILED  ] DISABLED_Later.Fails ("),
        "{text}"
    );

    // Breaking on the failure stops the run there (a trap: no summary).
    let (code, text) = run(&[
        "--gtest_also_run_disabled_tests",
        "--gtest_break_on_failure",
    ]);
    assert_ne!(code, Some(0));
    assert_ne!(code, Some(1), "{text}");
    assert!(!text.contains("passed, "), "{text}");
}

#[test]
fn sdk_libraries_for_fuchsia_core_tests() {
    let c_side = common::root().join("linux-loader/tests/guests/cxx/sdk_libs_c.c");
    let guest = build_cxx(
        "linux-loader/tests/guests/cxx/sdk_libs_test.cc",
        &[
            "-Wall",
            "-Werror",
            "-fno-omit-frame-pointer",
            c_side.to_str().unwrap(),
        ],
    );
    let out = common::run(&guest, &[]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(0),
        "output:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in [
        "FblArray.MakeArrayValueInitialisesAndIndexes",
        "FblArray.OwnershipMovesAndFrees",
        "FblArray.SwapAndConstConversion",
        "FblList.PushInsertIterateBothWays",
        "FblList.EraseAndPop",
        "FblList.FindReplaceSpliceSplitSwap",
        "FblList.UniquePtrListOwnsItsElements",
        "FblList.SizedList",
        "FblList.OneObjectInTwoTaggedLists",
        "FblList.RemoveFromContainerWithoutTheList",
        "FblRefPtr.CountsAndDeletesAtZero",
        "FblList.RefPtrListHoldsAReference",
        "SyncCompletion.CApiFromC",
        "SyncCompletion.DeadlinePasses",
        "SyncCompletion.SignalWakesEveryWaiter",
        "SyncCompletion.SignalRequeueMovesWaitersToTheTarget",
        "TestExceptions.StartTwiceIsAlreadyBound",
        "TestExceptions.CatchAndExitCThread",
        "TestExceptions.CatchAndExitPThread",
        "TestExceptions.FaultingEntryThreadExitsThroughZxThreadExit",
        "TestExceptions.OtherThreadsExceptionsWaitTheirTurn",
        "TestExceptions.UnexpectedExceptionMakesStopCanceled",
        "TestExceptions.TaskGoneIsPeerClosed",
        "Inspector.CrashedThreadRegistersAndBacktrace",
        "Inspector.PrintMemory",
        "Elfldltl.InitialStackPointer",
        "HwregAsm.HeaderText",
        "Arm64DebugFields.SetAndGet",
        "ExplicitMemory.CopiesAndFills",
        "KernelAspace.UserRangeHoldsTheRootVmarAndKernelIsUnreachable",
        "MaybeStandalone.NoResourcesNoBootOptions",
        "BootOptions.DefaultsAndOptionalValues",
        "Stdcompat.SpanIsStdSpan",
        "Threads.CreateWithName",
        "ThreadAnnotations.CompileAway",
        "Skip.ZCountsAfterSkips",
    ] {
        assert!(
            text.contains(&format!("[       OK ] {name} (")),
            "{name} did not pass:\n{text}"
        );
    }
    // hwreg::AsmHeader::Main wrote its header to stdout ("-").
    assert!(
        text.contains("#ifndef _X_H_\n#define _X_H_ 1\n"),
        "output:\n{text}"
    );
    // ZXTEST_SKIP: reported, counted apart, its message printed once.
    assert!(
        text.contains(": Skipped\n  not here: 42\n[  SKIPPED ] Skip.Plain ("),
        "output:\n{text}"
    );
    assert!(
        text.contains("[  SKIPPED ] SkipInSetUp.BodyDoesNotRun ("),
        "output:\n{text}"
    );
    assert!(
        text.ends_with("2 skipped\n36 passed, 0 failed\n"),
        "output:\n{text}"
    );
}

#[test]
fn zxtest_death_tests() {
    let guest = build_cxx(
        "linux-loader/tests/guests/cxx/death_test.cc",
        &["-Wall", "-Werror"],
    );
    let out = common::run(&guest, &[]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "output:\n{text}");
    for name in [
        "Death.ATrapIsADeath",
        "Death.AFaultIsADeath",
        "Death.TheStatementSeesTheTestsState",
        "Death.TheTestGoesOnAfterADeath",
    ] {
        assert!(
            text.contains(&format!("[       OK ] {name} (")),
            "{name} did not pass:\n{text}"
        );
    }
    // Handled deaths are not fatal exceptions of the process: no report.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("no handler"), "{stderr}");

    let out = common::run(&guest, &["fail"]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "output:\n{text}");
    assert!(
        text.contains("Failure: EXPECT_DEATH([] {})\n  Exception was never raised.\n  returns\n"),
        "output:\n{text}"
    );
    assert!(
        text.contains("  Unexpected exception was raised.\n  traps\n"),
        "output:\n{text}"
    );
    assert!(
        text.contains("[  FAILED  ] Death.Mismatches ("),
        "output:\n{text}"
    );
}

/// fzl's VMO mappers, lib/sync's mutex and condition, fbl::StringBuffer,
/// unique_fd, Mutex, AutoLock and NullLock, zircon-internal's macros and
/// thread annotations, standalone-test (the runner's root and system
/// resources) and the hypervisor ABI types.
#[test]
fn more_sdk_libraries_for_fuchsia_core_tests() {
    let c_side = common::root().join("linux-loader/tests/guests/cxx/sdk_libs2_c.c");
    let guest = build_cxx(
        "linux-loader/tests/guests/cxx/sdk_libs2_test.cc",
        &["-Wall", "-Werror", c_side.to_str().unwrap()],
    );
    let out = common::run(&guest, &[]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(0),
        "output:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in [
        "FzlVmoMapper.CreateAndMapWritesThroughAndUnmaps",
        "FzlVmoMapper.MapOffsetWholeVmoAndMove",
        "FzlVmoMapper.ManagerVmarHoldsTheMapping",
        "FzlOwnedVmoMapper.KeepsTheVmoNamedAndResets",
        "SyncMutex.ExcludesAndTries",
        "SyncMutex.WordHoldsTheOwner",
        "SyncMutex.RelockingTrapsInsteadOfDeadlocking",
        "LibsyncMutex.LockableAndGet",
        "SyncMutex.FromC",
        "SyncCondition.SignalBroadcastAndTimeout",
        "SyncCondition.TimedWaitSeesSignal",
        "FblStringBuffer.AppendPrintfResizeClear",
        "FblUniqueFd.OwnsResetsReleases",
        "FblMutex.AutoLockExcludesAndReleases",
        "ZirconInternal.MacrosAndAnnotations",
        "StandaloneTest.ResourcesFromStartupHandles",
        "Hypervisor.AbiLayoutsAndNotSupported",
    ] {
        assert!(
            text.contains(&format!("[       OK ] {name} (")),
            "{name} did not pass:\n{text}"
        );
    }
    assert!(text.contains("standalone log line\n"), "output:\n{text}");
    assert!(text.ends_with("17 passed, 0 failed\n"), "output:\n{text}");
}

/// The finer points of Fuchsia's fzl, fbl, zircon-internal and
/// standalone-test APIs: VmoMapper::size() as asked and Map()'s range check,
/// a compact VmarManager by default, fbl::Mutex as a C11 mutex (cnd_wait,
/// AutoLock<mtx_t>), unique_fd's and StringBuffer's extra members,
/// STRINGIFY/SOURCE_TAG, GetOptions, standalone::TestMain as main, and
/// zxtest's ASSERT_DEATH / ASSERT_NO_DEATH, ZX_SYS_COUNT being no syscall,
/// lib/stdcompat's bit.h, and zx::clock objects.
#[test]
fn fuchsia_api_details_of_the_sdk_libraries() {
    let guest = build_cxx(
        "linux-loader/tests/guests/cxx/sdk_libs3_test.cc",
        &["-Wall", "-Werror"],
    );
    let out = common::run(&guest, &[]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "output:\n{text}");
    for name in [
        "FzlApi.SizeIsAsAskedMappingIsWholePages",
        "FzlApi.MapChecksTheRangeAgainstTheVmo",
        "FzlApi.VmarManagerIsCompactByDefault",
        "FzlApi.OwnedMapperNamesAndMapsWithOffset",
        "FblApi.MutexIsAC11MutexForCndWait",
        "FblApi.UniqueFdAndStringBufferExtras",
        "ZirconInternalApi.StringifyAndSourceTag",
        "StandaloneApi.OptionsAreLeftAlone",
        "ZxtestDeath.TrapsAndBadAccessesDieReturnsDoNot",
        "SyscallNumbers.CountIsNoSyscall",
        "StdcompatApi.BitIsTheStandardOne",
        "ZxClockApi.CreateUpdateReadDetails",
    ] {
        assert!(
            text.contains(&format!("[       OK ] {name} (")),
            "{name} did not pass:\n{text}"
        );
    }
    assert!(text.ends_with("\n12 passed, 0 failed\n"), "output:\n{text}");
}

/// The test-only calls of `<zircon/testonly-syscalls.h>` (argument passing,
/// the wrapper's checks, leaked out-handles as policy exceptions, narrow
/// arguments with junk high bits).
#[test]
fn testonly_syscalls() {
    let guest = build_cxx(
        "linux-loader/tests/guests/cxx/testonly_syscalls_test.cc",
        &["-Wall", "-Werror"],
    );
    let out = common::run(&guest, &[]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(0),
        "output:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in [
        "TestOnlySyscalls.ArgumentsOneToEightArrive",
        "TestOnlySyscalls.WrapperChecksArgumentsAndResult",
        "TestOnlySyscalls.HandleCreateHandsOutAnEvent",
        "TestOnlySyscalls.AFailedCallLeaksItsHandleAsAPolicyException",
        "TestOnlySyscalls.NarrowArgumentsIgnoreTheirHighBits",
    ] {
        assert!(
            text.contains(&format!("[       OK ] {name} (")),
            "{name} did not pass:\n{text}"
        );
    }
}
