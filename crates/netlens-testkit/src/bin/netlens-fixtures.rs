//! Writes the test fixtures (`crates/netlens-testkit/fixtures/`), or checks them with `--check`.
//!
//! The fixtures are the demo chain in the forms users paste or drop (PEM chain, DER leaf, PKCS#7
//! bundle). They are derived deterministically from seeds, so regenerating them gives identical
//! bytes; `--check` (and the `fixtures_are_current` test) fails when they drift.

use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let dir = netlens_testkit::fixtures_dir();
    let files = match netlens_testkit::fixture_files() {
        Ok(files) => files,
        Err(e) => {
            eprintln!("netlens-fixtures: cannot build the demo chain: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stale = 0;
    for (name, bytes) in files {
        let path = dir.join(name);
        if check {
            if std::fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
                eprintln!("stale: {}", path.display());
                stale += 1;
            }
        } else if let Err(e) =
            std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, bytes))
        {
            eprintln!("netlens-fixtures: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        } else {
            println!("wrote {}", path.display());
        }
    }
    if stale > 0 {
        eprintln!("run `cargo run -p netlens-testkit --bin netlens-fixtures` to regenerate");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
