//! Reading files and stdin, and the `--at` option, shared by the commands.

use std::io::Read as _;
use std::path::Path;

use netlens_x509::{limits, time};

/// Reads at most one byte more than the input limit, so oversized input is refused by the core
/// with its usual message instead of being loaded whole into memory.
fn read_bounded(reader: impl std::io::Read) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    reader
        .take(limits::MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut buf)?;
    Ok(buf)
}

/// Reads a file, or stdin for `-`. Returns the bytes and the source name (`None` for stdin).
pub fn read_input(path: &Path) -> std::io::Result<(Vec<u8>, Option<String>)> {
    if path.as_os_str() == "-" {
        Ok((read_bounded(std::io::stdin().lock())?, None))
    } else {
        let bytes = std::fs::File::open(path).and_then(read_bounded)?;
        Ok((bytes, Some(path.display().to_string())))
    }
}

/// The moment to judge validity at: `--at` (RFC 3339, a date, or Unix seconds) or now. Prints
/// the error and returns `None` when `--at` is not a time.
pub fn resolve_time(at: Option<&str>) -> Option<i64> {
    match at {
        Some(text) => {
            let parsed = time::parse_moment(text);
            if parsed.is_none() {
                eprintln!(
                    "netlens: --at {text:?} is not a time; use RFC 3339 (2026-06-01T00:00:00Z), a date (2026-06-01) or Unix seconds"
                );
            }
            parsed
        }
        None => Some(now()),
    }
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
