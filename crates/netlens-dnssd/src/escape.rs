//! DNS names in presentation form: splitting into labels, and escaping labels the way each tool
//! prints them.
//!
//! A service instance label may contain any byte, dots included (RFC 6763 §4.3), so a name
//! written as text needs escapes: `\.` for a dot inside a label, `\\` for a backslash and
//! `\DDD` (three decimal digits) for any byte (RFC 1035 §5.1). Tools agree on reading those
//! escapes and disagree on which bytes they escape when printing, so each has its own writer
//! here; the paste parsers rely on the reader.

use std::fmt::Write as _;

/// A name that cannot be read, with the byte offset of the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscapeError {
    /// Byte offset in the text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for EscapeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for EscapeError {}

/// The labels of a name written in presentation form, unescaped.
///
/// A trailing dot is optional. Empty labels (`a..b`, or a leading dot) are kept as empty
/// vectors so that the caller can report where they are.
pub fn split_labels(text: &str) -> Result<Vec<Vec<u8>>, EscapeError> {
    let bytes = text.as_bytes();
    let mut labels = Vec::new();
    let mut label = Vec::new();
    let mut i = 0;
    // "a.b." ends with a separator: no empty label after it. "a.b" keeps its last label.
    let mut ended_with_separator = true;
    while i < bytes.len() {
        ended_with_separator = false;
        match bytes[i] {
            b'\\' => {
                let (byte, used) = read_escape(bytes, i)?;
                label.push(byte);
                i += used;
            }
            b'.' => {
                labels.push(std::mem::take(&mut label));
                ended_with_separator = true;
                i += 1;
            }
            b => {
                label.push(b);
                i += 1;
            }
        }
    }
    if !ended_with_separator {
        labels.push(label);
    }
    Ok(labels)
}

/// Reads the escape starting at `bytes[at] == b'\\'`: `\DDD` or `\X`. Returns the byte and the
/// number of input bytes used.
pub fn read_escape(bytes: &[u8], at: usize) -> Result<(u8, usize), EscapeError> {
    let Some(&next) = bytes.get(at + 1) else {
        return Err(EscapeError {
            offset: at,
            message: "a backslash ends the text; write `\\\\` for a backslash".into(),
        });
    };
    if next.is_ascii_digit() {
        let digits = bytes.get(at + 1..at + 4).unwrap_or(&[]);
        if digits.len() < 3 || !digits.iter().all(u8::is_ascii_digit) {
            return Err(EscapeError {
                offset: at,
                message:
                    "`\\` followed by a digit must be a three-digit decimal escape such as `\\032`"
                        .into(),
            });
        }
        let value = digits
            .iter()
            .fold(0u32, |v, d| v * 10 + u32::from(d - b'0'));
        let Ok(byte) = u8::try_from(value) else {
            return Err(EscapeError {
                offset: at,
                message: format!("`\\{value}` is not a byte (the largest is `\\255`)"),
            });
        };
        return Ok((byte, 4));
    }
    Ok((next, 2))
}

/// Characters mDNSResponder prints with a backslash in front (ConvertDomainLabelToCString).
fn dnssd_escapes(b: u8) -> bool {
    b == b'.' || b == b'\\'
}

/// A label as `dns-sd` and Apple's APIs print it: `.` and `\` backslashed, bytes up to and
/// including space as `\DDD`, everything else (UTF-8 included) as is.
pub fn escape_label_dnssd(label: &[u8]) -> String {
    escape_with(label, |b| {
        if dnssd_escapes(b) {
            Escape::Backslash
        } else if b <= b' ' {
            Escape::Decimal
        } else {
            Escape::None
        }
    })
}

/// A label as Avahi prints it (avahi_escape_label): `.` and `\` backslashed, letters, digits,
/// `-` and `_` as is, every other byte (space and UTF-8 included) as `\DDD`.
pub fn escape_label_avahi(label: &[u8]) -> String {
    escape_with(label, |b| {
        if dnssd_escapes(b) {
            Escape::Backslash
        } else if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            Escape::None
        } else {
            Escape::Decimal
        }
    })
}

/// A label as BIND's `dig` prints it: `"().;\@$` backslashed, bytes outside `!`..`~` as
/// `\DDD`.
pub fn escape_label_bind(label: &[u8]) -> String {
    escape_with(label, |b| {
        if b"\"().;\\@$".contains(&b) {
            Escape::Backslash
        } else if !(0x21..0x7f).contains(&b) {
            Escape::Decimal
        } else {
            Escape::None
        }
    })
}

enum Escape {
    None,
    Backslash,
    Decimal,
}

/// Escapes `label` byte by byte as `how` says. Bytes that are not part of valid UTF-8 are
/// always written as `\DDD`, so the result is text whatever the label holds.
fn escape_with(label: &[u8], how: impl Fn(u8) -> Escape) -> String {
    let mut out = String::with_capacity(label.len());
    for chunk in label.utf8_chunks() {
        for ch in chunk.valid().chars() {
            if ch.is_ascii() {
                let b = ch as u8;
                match how(b) {
                    Escape::None => out.push(ch),
                    Escape::Backslash => {
                        out.push('\\');
                        out.push(ch);
                    }
                    Escape::Decimal => push_decimal(&mut out, b),
                }
            } else {
                let mut buf = [0u8; 4];
                let encoded = ch.encode_utf8(&mut buf).as_bytes();
                if encoded.iter().all(|&b| matches!(how(b), Escape::None)) {
                    out.push(ch);
                } else {
                    for &b in encoded {
                        push_decimal(&mut out, b);
                    }
                }
            }
        }
        for &b in chunk.invalid() {
            push_decimal(&mut out, b);
        }
    }
    out
}

fn push_decimal(out: &mut String, b: u8) {
    let _ = write!(out, "\\{b:03}");
}

/// The 1-based column of byte offset `offset` in `line`, counted in characters.
pub fn column_of(line: &str, offset: usize) -> usize {
    let offset = offset.min(line.len());
    let mut end = offset;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    line[..end].chars().count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_escaped_names_into_labels() {
        let labels = split_labels(
            r"Dr\.\032Smith\\Dr\.\032Johnson._ftp._tcp.4th\.\032Floor.Building\0322.apple.com.",
        )
        .unwrap();
        assert_eq!(labels[0], b"Dr. Smith\\Dr. Johnson");
        assert_eq!(labels[1], b"_ftp");
        assert_eq!(labels[3], b"4th. Floor");
        assert_eq!(labels[4], b"Building 2");
        assert_eq!(labels.len(), 7);
        assert_eq!(
            split_labels("a.b").unwrap(),
            vec![b"a".to_vec(), b"b".to_vec()]
        );
        assert_eq!(split_labels("a..b").unwrap().len(), 3);
        assert_eq!(split_labels(r"a\.").unwrap(), vec![b"a.".to_vec()]);
    }

    #[test]
    fn bad_escapes_name_their_offset() {
        assert_eq!(split_labels(r"ab\").unwrap_err().offset, 2);
        assert_eq!(split_labels(r"a\256").unwrap_err().offset, 1);
        assert_eq!(split_labels(r"a\1b").unwrap_err().offset, 1);
    }

    #[test]
    fn each_tool_escapes_as_it_prints() {
        let label = "My Café.1\\x".as_bytes();
        assert_eq!(escape_label_dnssd(label), r"My\032Café\.1\\x");
        assert_eq!(escape_label_avahi(label), r"My\032Caf\195\169\.1\\x");
        assert_eq!(escape_label_bind(label), r"My\032Caf\195\169\.1\\x");
        assert_eq!(escape_label_dnssd(&[0xff, b'a']), r"\255a");
        for label in [label, &[0, 1, 0xff, b'.'][..]] {
            for escaped in [
                escape_label_dnssd(label),
                escape_label_avahi(label),
                escape_label_bind(label),
            ] {
                assert_eq!(
                    split_labels(&escaped).unwrap(),
                    vec![label.to_vec()],
                    "{escaped}"
                );
            }
        }
    }
}
