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

/// Keeps a generated section of a committed file (say a README table) in step with the code, as
/// rust-analyzer's `ensure_file_contents` does: when the text between `start` and `end` is not
/// `expected`, the file is rewritten with it and the test fails, so a local run repairs the file
/// (commit it) and CI, on a clean clone, stays red until the repair is committed.
#[allow(dead_code)] // not every test file checks a generated section
pub fn ensure_section(relative: &str, start: &str, end: &str, expected: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative);
    let text = std::fs::read_to_string(&path).unwrap();
    let (before, rest) = text
        .split_once(start)
        .unwrap_or_else(|| panic!("{relative} has no `{}` marker", start.trim()));
    let (section, after) = rest
        .split_once(end)
        .unwrap_or_else(|| panic!("{relative} has no `{}` marker", end.trim()));
    if section == expected {
        return;
    }
    std::fs::write(&path, format!("{before}{start}{expected}{end}{after}")).unwrap();
    panic!(
        "{relative} was stale between `{}` and `{}`: it has been rewritten; review and commit it",
        start.trim(),
        end.trim()
    );
}
