//! SCTs as `openssl s_client -ct` prints them ("Signed Certificate Timestamp:" blocks, OpenSSL's
//! `SCT_print`), read back into SCTs: every field a signature check needs is printed (the log
//! ID, the timestamp to the millisecond, the extensions and the signature in hex), so a pasted
//! s_client session is analysed like a live one.
//!
//! s_client prints every SCT of the handshake together, embedded ones included, without saying
//! how each came; the chain analysis counts one equal to an embedded SCT as embedded.

use crate::sct::Sct;

/// Most SCT blocks read from one text.
const MAX_BLOCKS: usize = crate::sct::MAX_SCTS;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The SCTs printed in `text`; blocks that do not read whole are left out.
pub fn scan(text: &str) -> Vec<Sct> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("Signed Certificate Timestamp:") {
        rest = &rest[at + "Signed Certificate Timestamp:".len()..];
        let end = rest
            .find("Signed Certificate Timestamp:")
            .unwrap_or(rest.len());
        if let Some(sct) = block(&rest[..end]) {
            out.push(sct);
        }
        if out.len() >= MAX_BLOCKS {
            break;
        }
    }
    out
}

/// The value of `name` in `block` (`Name : value`), with the indented lines that continue it.
fn field<'a>(block: &'a str, name: &str) -> Option<Vec<&'a str>> {
    let mut lines = block.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let Some(after) = trimmed.strip_prefix(name) else {
            continue;
        };
        let value = after.trim_start().strip_prefix(':')?.trim();
        let mut values = vec![value];
        for next in lines.by_ref() {
            let t = next.trim();
            // A continuation is hex bytes only (every line but the last ends with a colon); the
            // next field has a name and a colon.
            let hex = t
                .split(':')
                .filter(|b| !b.is_empty())
                .all(|b| b.len() == 2 && b.chars().all(|c| c.is_ascii_hexdigit()));
            if t.is_empty() || !hex {
                break;
            }
            values.push(t);
        }
        return Some(values);
    }
    None
}

fn hex_bytes(parts: &[&str]) -> Option<Vec<u8>> {
    parts
        .iter()
        .flat_map(|p| p.split(':'))
        .filter(|b| !b.is_empty())
        .map(|b| u8::from_str_radix(b, 16).ok())
        .collect()
}

/// "Dec  6 05:46:40.123 2025 GMT" → milliseconds since the epoch.
fn timestamp(text: &str) -> Option<u64> {
    let mut words = text.split_whitespace();
    let name = words.next()?;
    let month = MONTHS.iter().position(|m| *m == name)? + 1;
    let day: u32 = words.next()?.parse().ok()?;
    let time = words.next()?;
    let year: i32 = words.next()?.parse().ok()?;
    let (hms, millis) = time.split_once('.').unwrap_or((time, "0"));
    let millis: u64 = millis.parse().ok().filter(|m| *m < 1000)?;
    let seconds = crate::time::parse_moment(&format!("{year:04}-{month:02}-{day:02}T{hms}Z"))?;
    u64::try_from(seconds)
        .ok()?
        .checked_mul(1000)?
        .checked_add(millis)
}

fn block(text: &str) -> Option<Sct> {
    if !field(text, "Version")?.first()?.starts_with("v1") {
        return None;
    }
    let log_id: [u8; 32] = hex_bytes(&field(text, "Log ID")?)?.try_into().ok()?;
    let timestamp_ms = timestamp(field(text, "Timestamp")?.first()?)?;
    let extensions = field(text, "Extensions")?;
    let extensions = if extensions.first() == Some(&"none") {
        Vec::new()
    } else {
        hex_bytes(&extensions)?
    };
    let signature = field(text, "Signature")?;
    let (hash_algorithm, signature_algorithm) = match *signature.first()? {
        "ecdsa-with-SHA256" => (4, 3),
        "sha256WithRSAEncryption" => (4, 1),
        _ => return None,
    };
    Some(Sct {
        log_id,
        timestamp_ms,
        extensions,
        hash_algorithm,
        signature_algorithm,
        signature: hex_bytes(signature.get(1..)?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const S_CLIENT: &str = "SCTs present (1)
---
SCT validation status: not set
Signed Certificate Timestamp:
    Version   : v1 (0x0)
    Log ID    : 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:
                10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F
    Timestamp : Dec  6 05:46:40.123 2025 GMT
    Extensions: none
    Signature : ecdsa-with-SHA256
                30:06:02:01:01:02:
                01:01
---
SSL handshake has read 960 bytes and written 403 bytes
";

    #[test]
    fn s_client_output_reads_back_into_the_sct() {
        let scts = scan(S_CLIENT);
        assert_eq!(scts.len(), 1);
        let s = &scts[0];
        assert_eq!(s.log_id, core::array::from_fn(|i| i as u8));
        assert_eq!(s.timestamp_ms, 1_764_999_999_000 + 1_000 + 123);
        assert!(s.extensions.is_empty());
        assert_eq!((s.hash_algorithm, s.signature_algorithm), (4, 3));
        assert_eq!(
            s.signature,
            vec![0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]
        );
    }

    #[test]
    fn broken_blocks_are_left_out() {
        assert!(scan("Signed Certificate Timestamp:\n    Version   : v1 (0x0)\n").is_empty());
        assert!(scan(&S_CLIENT.replace("Dec  6", "Foo  6")).is_empty());
        assert!(scan(&S_CLIENT.replace("0A:0B:", "0A:")).is_empty());
        assert!(scan("no SCT here").is_empty());
    }
}
