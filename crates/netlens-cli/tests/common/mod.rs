//! Helpers shared by the CLI tests: run the binary as a user does, find the fixtures.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

/// Runs `netlens args…` with `stdin` piped in; waits for it.
pub fn netlens(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_netlens"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    // Written from a thread: the CLI may stop reading early (oversized input), which must not
    // fail the test with a broken pipe.
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

/// The path of a committed fixture.
#[allow(dead_code)] // not every test file uses fixtures
pub fn fixture(name: &str) -> String {
    netlens_testkit::fixtures_dir()
        .join(name)
        .display()
        .to_string()
}

#[allow(dead_code)] // only the live-server tests use it
pub mod servers;
