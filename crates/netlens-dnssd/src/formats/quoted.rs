//! RFC 1035 §5.1 character-strings: `"quoted"` or bare, with `\X` and `\DDD` escapes.
//!
//! `dig`, zone files, `dns-sd -Z` and Avahi all print TXT strings this way; they differ only in
//! which bytes they escape (dig: `\DDD` for non-printables; `dns-sd -Z`: only `\"` and `\\`,
//! other bytes raw, newlines included; Avahi: `\DDD` below 32 and from 127). Reading the
//! escapes is the same for all of them.

use super::error_at;
use crate::InputError;
use crate::escape;

/// What the reader accepts.
#[derive(Clone, Copy)]
pub(super) struct Options {
    /// Bare (unquoted) strings, as zone files allow.
    pub unquoted: bool,
    /// `;` starts a comment (zone files, dig).
    pub comments: bool,
    /// `(` … `)` continue the data over several lines (zone files).
    pub parens: bool,
}

/// The strings read and the byte offset where reading stopped (the end of the line).
pub(super) struct Strings {
    pub strings: Vec<Vec<u8>>,
    pub end: usize,
}

/// Reads character-strings from `start` to the end of the line (or of the parenthesised group).
pub(super) fn read(input: &str, start: usize, options: Options) -> Result<Strings, InputError> {
    let b = input.as_bytes();
    let mut strings = Vec::new();
    let mut depth = 0usize;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\n' if depth == 0 => break,
            b'\n' => i += 1,
            b';' if options.comments => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' if options.parens => {
                depth += 1;
                i += 1;
            }
            b')' if options.parens => {
                if depth == 0 {
                    return Err(error_at(input, i, "this `)` closes nothing"));
                }
                depth -= 1;
                i += 1;
            }
            b'"' => {
                let open = i;
                let mut s = Vec::new();
                i += 1;
                loop {
                    match b.get(i) {
                        None => {
                            return Err(error_at(
                                input,
                                open,
                                "this quoted string is never closed",
                            ));
                        }
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(b'\\') => {
                            let (byte, used) = escape::read_escape(b, i)
                                .map_err(|e| error_at(input, e.offset, e.message))?;
                            s.push(byte);
                            i += used;
                        }
                        Some(&c) => {
                            s.push(c);
                            i += 1;
                        }
                    }
                }
                strings.push(s);
            }
            _ if options.unquoted => {
                let mut s = Vec::new();
                // Stop only at what the arms above handle, so every pass consumes a byte.
                let stops = |c: u8| {
                    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'"')
                        || options.comments && c == b';'
                        || options.parens && (c == b'(' || c == b')')
                };
                while i < b.len() && !stops(b[i]) {
                    if b[i] == b'\\' {
                        let (byte, used) = escape::read_escape(b, i)
                            .map_err(|e| error_at(input, e.offset, e.message))?;
                        s.push(byte);
                        i += used;
                    } else {
                        s.push(b[i]);
                        i += 1;
                    }
                }
                strings.push(s);
            }
            _ => {
                let ch = input[i..].chars().next().unwrap_or('?');
                return Err(error_at(
                    input,
                    i,
                    format!("expected a quoted string, found {ch:?}"),
                ));
            }
        }
    }
    if depth > 0 {
        return Err(error_at(input, i, "a `(` is never closed"));
    }
    Ok(Strings { strings, end: i })
}
