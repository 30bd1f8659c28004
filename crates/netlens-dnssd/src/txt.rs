//! TXT records: the model, the wire format and the RFC 6763 §6 checks.
//!
//! The model is the list of strings exactly as they are (or would be) on the wire, so nothing
//! a paste contains is lost: a value may be binary, a key may repeat, a string may be empty or
//! start with `=`. Interpretation is a view on top ([`TxtString::entry`], [`TxtRecord::get`])
//! that keeps the four key states RFC 6763 §6.4 distinguishes: absent, `key` (no value),
//! `key=` (empty value) and `key=value`.

use crate::catalog::{RuleId, Severity};
use crate::finding::{Finding, Subject};

/// Longest string a length byte can describe.
pub const MAX_STRING: usize = 255;
/// Longest string Apple's TXTRecordSetValue builds.
pub const APPLE_MAX_STRING: usize = 254;
/// Longest key RFC 6763 §6.4 recommends.
pub const RECOMMENDED_KEY: usize = 9;
/// Largest TXT data netlens reads (the RDLENGTH limit).
pub const MAX_RDATA: usize = 65535;
/// Most strings a record may hold here (a 64 KiB record of empty strings).
pub const MAX_STRINGS: usize = MAX_RDATA;
/// RFC 6762 §17: an mDNS packet is at most 9000 bytes; dns-sd caps TXT data at 8900.
pub const MDNS_TXT_LIMIT: usize = 8900;
/// RFC 6763 §6.2 size tiers.
pub const SIZE_TYPICAL: usize = 200;
/// Fits a 512-byte DNS message.
pub const SIZE_SINGLE_MESSAGE: usize = 400;
/// Fits a 1500-byte Ethernet packet.
pub const SIZE_ETHERNET: usize = 1300;

/// One string of a TXT record, as bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TxtString(pub Vec<u8>);

/// What one string means (RFC 6763 §6.3, §6.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry<'a> {
    /// A zero-length string.
    Empty,
    /// A string starting with `=`: it has no key and receivers ignore it.
    NoKey {
        /// Everything after the `=`.
        value: &'a [u8],
    },
    /// `key`: present, no value (a boolean attribute).
    Flag {
        /// The key.
        key: &'a [u8],
    },
    /// `key=` or `key=value` (the value may be empty).
    Pair {
        /// The key (before the first `=`).
        key: &'a [u8],
        /// The value (after the first `=`, further `=` included).
        value: &'a [u8],
    },
}

impl TxtString {
    /// What the string means.
    pub fn entry(&self) -> Entry<'_> {
        let s = self.0.as_slice();
        match s.iter().position(|&b| b == b'=') {
            _ if s.is_empty() => Entry::Empty,
            Some(0) => Entry::NoKey { value: &s[1..] },
            Some(i) => Entry::Pair {
                key: &s[..i],
                value: &s[i + 1..],
            },
            None => Entry::Flag { key: s },
        }
    }

    /// The key, when the string has one.
    pub fn key(&self) -> Option<&[u8]> {
        match self.entry() {
            Entry::Flag { key } | Entry::Pair { key, .. } => Some(key),
            Entry::Empty | Entry::NoKey { .. } => None,
        }
    }
}

/// The state of a key in a record (RFC 6763 §6.4, dns_sd.h TXTRecordContainsKey /
/// TXTRecordGetValuePtr, nw_txt_record_find_key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState<'a> {
    /// Not in the record.
    Absent,
    /// `key`.
    NoValue,
    /// `key=`.
    EmptyValue,
    /// `key=value`.
    Value(&'a [u8]),
}

/// A TXT record: its strings in wire order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TxtRecord {
    /// The strings.
    pub strings: Vec<TxtString>,
}

/// Wire data that does not decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError {
    /// Byte offset of the length byte that overruns.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for WireError {}

impl TxtRecord {
    /// A record of these strings.
    pub fn from_strings<I, S>(strings: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Vec<u8>>,
    {
        TxtRecord {
            strings: strings.into_iter().map(|s| TxtString(s.into())).collect(),
        }
    }

    /// Decodes TXT RDATA. Zero bytes decode to a record with no strings (which the checks
    /// report as `txt.empty-record`).
    pub fn from_wire(data: &[u8]) -> Result<Self, WireError> {
        if data.len() > MAX_RDATA {
            return Err(WireError {
                offset: MAX_RDATA,
                message: format!(
                    "{} bytes of TXT data; RDATA is at most 65535 bytes",
                    data.len()
                ),
            });
        }
        let mut strings = Vec::new();
        let mut at = 0;
        while at < data.len() {
            let len = usize::from(data[at]);
            let end = at + 1 + len;
            if end > data.len() {
                return Err(WireError {
                    offset: at,
                    message: format!(
                        "the length byte at offset {at} says {len} bytes follow, but only {} do",
                        data.len() - at - 1
                    ),
                });
            }
            strings.push(TxtString(data[at + 1..end].to_vec()));
            at = end;
        }
        Ok(TxtRecord { strings })
    }

    /// The RDATA to send. A record without strings encodes as the single byte 00 (RFC 6763
    /// §6.1). Fails when a string is longer than 255 bytes (it cannot be encoded).
    pub fn to_wire(&self) -> Result<Vec<u8>, WireError> {
        if self.strings.is_empty() {
            return Ok(vec![0]);
        }
        let mut out = Vec::with_capacity(self.wire_length());
        for (i, s) in self.strings.iter().enumerate() {
            let Ok(len) = u8::try_from(s.0.len()) else {
                return Err(WireError {
                    offset: out.len(),
                    message: format!(
                        "string {} is {} bytes; a TXT string is at most 255",
                        i + 1,
                        s.0.len()
                    ),
                });
            };
            out.push(len);
            out.extend_from_slice(&s.0);
        }
        if out.len() > MAX_RDATA {
            return Err(WireError {
                offset: MAX_RDATA,
                message: format!(
                    "{} bytes of TXT data; RDATA is at most 65535 bytes",
                    out.len()
                ),
            });
        }
        Ok(out)
    }

    /// Size of the encoded RDATA (as if every string fit its length byte).
    pub fn wire_length(&self) -> usize {
        if self.strings.is_empty() {
            1
        } else {
            self.strings.iter().map(|s| 1 + s.0.len()).sum()
        }
    }

    /// The state of `key` as an RFC-following client sees it: the first string with that key,
    /// ignoring ASCII case; strings without a key are skipped.
    pub fn get(&self, key: &str) -> KeyState<'_> {
        for s in &self.strings {
            match s.entry() {
                Entry::Flag { key: k } if k.eq_ignore_ascii_case(key.as_bytes()) => {
                    return KeyState::NoValue;
                }
                Entry::Pair { key: k, value } if k.eq_ignore_ascii_case(key.as_bytes()) => {
                    return if value.is_empty() {
                        KeyState::EmptyValue
                    } else {
                        KeyState::Value(value)
                    };
                }
                _ => {}
            }
        }
        KeyState::Absent
    }

    /// For each string, whether an RFC-following client uses it: the first of each key
    /// (ignoring case) does; empty strings, strings starting with `=` and later duplicates do
    /// not. Linear time, so a record of 65,535 strings stays fast.
    pub fn used_flags(&self) -> Vec<bool> {
        let mut seen = std::collections::HashSet::new();
        self.strings
            .iter()
            .map(|s| {
                s.key()
                    .is_some_and(|key| seen.insert(key.to_ascii_lowercase()))
            })
            .collect()
    }

    /// Indices of the strings an RFC-following client uses (see [`TxtRecord::used_flags`]).
    pub fn effective(&self) -> Vec<usize> {
        self.used_flags()
            .into_iter()
            .enumerate()
            .filter_map(|(i, used)| used.then_some(i))
            .collect()
    }
}

/// Runs every RFC 6763 §6 check on `record`.
pub fn check(record: &TxtRecord) -> Vec<Finding> {
    let mut findings = Vec::new();
    if record.strings.is_empty() {
        findings.push(Finding::new(
            RuleId::TxtEmptyRecord,
            Subject::TxtRecord,
            "The TXT record has no strings: its data is zero bytes long.",
        ));
        return findings;
    }
    let only_empty = record.strings.len() == 1 && record.strings[0].0.is_empty();
    let mut first_key_at: std::collections::HashMap<Vec<u8>, usize> =
        std::collections::HashMap::new();
    for (index, s) in record.strings.iter().enumerate() {
        let subject = Subject::TxtString { index };
        let len = s.0.len();
        if len > MAX_STRING {
            findings.push(Finding::new(
                RuleId::TxtStringTooLong,
                subject,
                format!("{} is {len} bytes; a TXT string holds at most 255 (key, `=` and value together).", describe(s)),
            ));
        } else if len == MAX_STRING {
            findings.push(Finding::new(
                RuleId::TxtStringAppleLimit,
                subject,
                format!("{} is exactly 255 bytes: legal, but Apple's TXTRecordSetValue builds at most 254.", describe(s)),
            ));
        }
        match s.entry() {
            Entry::Empty => {
                if !only_empty {
                    findings.push(Finding::new(
                        RuleId::TxtEmptyString,
                        subject,
                        format!("String {} is empty. mdns-sd stops reading at an empty string, so every key after it is lost there.", index + 1),
                    ));
                }
            }
            Entry::NoKey { value: [] } => findings.push(Finding::new(
                RuleId::TxtEmptyKey,
                subject,
                format!("String {} is just `=`: no key and no value.", index + 1),
            )),
            Entry::NoKey { value } => findings.push(
                Finding::new(
                    RuleId::TxtStringStartsWithEquals,
                    subject,
                    format!(
                        "String {} (`={}`) starts with `=`, so it has no key: receivers must ignore it and its value is lost.",
                        index + 1,
                        display_bytes(value)
                    ),
                ),
            ),
            Entry::Flag { key } | Entry::Pair { key, .. } => {
                check_key(index, key, &mut findings);
                let lower = key.to_ascii_lowercase();
                if let Some(first) = first_key_at.get(&lower) {
                    let first_key = record.strings[*first].key().unwrap_or_default();
                    findings.push(Finding::new(
                        RuleId::TxtDuplicateKey,
                        subject,
                        format!(
                            "Key `{}` already appeared in string {} (as `{}`). RFC clients use the first and ignore this one; Avahi uses the last; python-zeroconf and Android keep both when the case differs.",
                            display_bytes(key),
                            first + 1,
                            display_bytes(first_key)
                        ),
                    ));
                } else {
                    first_key_at.insert(lower, index);
                }
            }
        }
        if let Entry::Pair { value, .. } = s.entry()
            && std::str::from_utf8(value).is_err()
        {
            findings.push(Finding::new(
                RuleId::TxtValueBinary,
                subject,
                format!(
                    "The value of `{}` is binary ({} bytes, not UTF-8).",
                    display_bytes(s.key().unwrap_or_default()),
                    value.len()
                ),
            ));
        }
    }
    if let Some(at) = record
        .strings
        .iter()
        .position(|s| s.key().is_some_and(|k| k.eq_ignore_ascii_case(b"txtvers")))
        && at != 0
    {
        findings.push(Finding::new(
            RuleId::TxtTxtversNotFirst,
            Subject::TxtString { index: at },
            format!(
                "`txtvers` is string {}; RFC 6763 §6.7 recommends it first.",
                at + 1
            ),
        ));
    }
    let size = record.wire_length();
    if size > MAX_RDATA || size > MDNS_TXT_LIMIT {
        findings.push(Finding::new(
            RuleId::TxtRecordTooLarge,
            Subject::TxtRecord,
            format!("The TXT record is {size} bytes; an mDNS packet holds at most 9000 bytes and dns-sd caps TXT data at 8900."),
        ));
    } else if size > SIZE_ETHERNET {
        findings.push(Finding::new(
            RuleId::TxtRecordOver1300,
            Subject::TxtRecord,
            format!("The TXT record is {size} bytes: above 1300 it no longer fits one Ethernet packet with the other records, and Android refuses it."),
        ));
    } else if size > SIZE_TYPICAL {
        let (severity, tier) = if size > SIZE_SINGLE_MESSAGE {
            (
                Severity::Warning,
                "above 400 bytes, so it no longer fits a 512-byte DNS message with the other records",
            )
        } else {
            (Severity::Info, "above the typical 200 bytes")
        };
        findings.push(
            Finding::new(
                RuleId::TxtRecordLarge,
                Subject::TxtRecord,
                format!("The TXT record is {size} bytes, {tier}."),
            )
            .severity(severity),
        );
    }
    findings
}

pub(crate) fn check_key(index: usize, key: &[u8], findings: &mut Vec<Finding>) {
    let subject = Subject::TxtString { index };
    let bad: Vec<String> = key
        .iter()
        .filter(|b| !(0x20..=0x7e).contains(*b))
        .map(|b| format!("0x{b:02X}"))
        .collect();
    if !bad.is_empty() {
        findings.push(Finding::new(
            RuleId::TxtKeyInvalidChar,
            subject,
            format!(
                "Key `{}` contains bytes outside printable ASCII ({}).",
                display_bytes(key),
                bad.join(", ")
            ),
        ));
    }
    if key.first() == Some(&b' ') || key.last() == Some(&b' ') {
        let trimmed = String::from_utf8_lossy(key).trim_matches(' ').to_owned();
        findings.push(
            Finding::new(
                RuleId::TxtKeySpace,
                subject,
                format!("Key `{}` begins or ends with a space; receivers looking up `{trimmed}` will not find it.", display_bytes(key)),
            )
            .fix(format!("Write the key as `{trimmed}`, with no spaces around `=`.")),
        );
    }
    if key.len() > RECOMMENDED_KEY {
        findings.push(Finding::new(
            RuleId::TxtKeyTooLong,
            subject,
            format!(
                "Key `{}` is {} characters; RFC 6763 recommends at most 9.",
                display_bytes(key),
                key.len()
            ),
        ));
    }
}

fn describe(s: &TxtString) -> String {
    match s.key() {
        Some(key) => format!("The string for key `{}`", display_bytes(key)),
        None => "A string".into(),
    }
}

/// Bytes for a message: UTF-8 text as is (control characters escaped), other bytes as `\xHH`.
pub fn display_bytes(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                out.push_str(&format!("\\x{:02X}", u32::from(c)));
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_four_key_states() {
        let r = TxtRecord::from_strings(["flag", "empty=", "k=v=w"]);
        assert_eq!(r.get("FLAG"), KeyState::NoValue);
        assert_eq!(r.get("empty"), KeyState::EmptyValue);
        assert_eq!(r.get("k"), KeyState::Value(b"v=w"));
        assert_eq!(r.get("missing"), KeyState::Absent);
    }

    #[test]
    fn wire_round_trip_and_errors() {
        let r = TxtRecord::from_strings(["txtvers=1", "", "path=/"]);
        let wire = r.to_wire().unwrap();
        assert_eq!(wire, b"\x09txtvers=1\x00\x06path=/");
        assert_eq!(TxtRecord::from_wire(&wire).unwrap(), r);
        assert_eq!(TxtRecord::default().to_wire().unwrap(), vec![0]);
        assert!(TxtRecord::from_wire(&[]).unwrap().strings.is_empty());
        assert_eq!(TxtRecord::from_wire(b"\x05abc").unwrap_err().offset, 0);
        assert!(
            TxtRecord::from_strings([vec![b'a'; 256]])
                .to_wire()
                .is_err()
        );
    }

    #[test]
    fn duplicates_are_found_ignoring_case_and_the_first_wins() {
        let r = TxtRecord::from_strings(["path", "PATH=/x", "path=/y"]);
        assert_eq!(r.get("path"), KeyState::NoValue);
        assert_eq!(r.effective(), vec![0]);
        let findings = check(&r);
        assert_eq!(
            findings
                .iter()
                .filter(|f| f.rule == RuleId::TxtDuplicateKey)
                .count(),
            2
        );
    }
}
