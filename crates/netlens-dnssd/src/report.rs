//! What the checks return: the TXT record report ([`check_txt`]) with its byte view, and
//! [`InputError`] for input that cannot be read at all.

use serde::Serialize;

use crate::finding::{Counts, Finding};
use crate::formats::{self, Format};
use crate::output::{self, ServiceContext};
use crate::txt::{self, TxtRecord};

/// Input that cannot be read, with its place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl InputError {
    /// An error at `line`, `column`.
    pub fn at(line: usize, column: usize, message: impl Into<String>) -> Self {
        InputError {
            line,
            column,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for InputError {}

/// One TXT string, laid out for display (the byte view and the key table).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StringView {
    /// 0-based index.
    pub index: usize,
    /// Offset of its length byte in the wire data.
    pub offset: usize,
    /// Its length in bytes (may exceed 255 for a string that cannot be encoded).
    pub length: usize,
    /// `empty`, `no_key`, `flag` or `pair`.
    pub kind: &'static str,
    /// The key, for display.
    pub key: Option<String>,
    /// The value, for display (`\xHH` for bytes that are not text).
    pub value: Option<String>,
    /// Whether the value is UTF-8 text.
    pub value_is_text: bool,
    /// The string's bytes in hex.
    pub hex: String,
    /// Whether an RFC-following receiver uses this string (not ignored, not a later duplicate).
    pub used: bool,
}

/// A checked TXT record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TxtReport {
    /// The format read.
    pub format: Option<Format>,
    /// Whether the format was detected.
    pub detected: bool,
    /// What the paste format cannot show or what was left aside.
    pub notes: Vec<String>,
    /// The service the paste names, when it does.
    pub service: Option<formats::ServiceInfo>,
    /// The strings.
    pub strings: Vec<StringView>,
    /// Size of the encoded record.
    pub wire_length: usize,
    /// Every finding.
    pub findings: Vec<Finding>,
    /// Counts by severity.
    pub counts: Counts,
    /// What the forms to copy changed from the input.
    pub corrections: Vec<String>,
    /// The forms to copy (absent when the record cannot be encoded).
    pub forms: Option<output::TxtForms>,
    /// The input could not be read.
    pub error: Option<InputError>,
}

/// Parses and checks a pasted TXT record; `format` `None` detects it.
pub fn check_txt(input: &str, format: Option<Format>, context: &ServiceContext) -> TxtReport {
    match formats::parse(input, format) {
        Ok(parsed) => {
            let context = context.filled_from(parsed.service.as_ref(), parsed.format);
            let mut report = txt_report(&parsed.record, &context);
            report.format = Some(parsed.format);
            report.detected = parsed.detected;
            report.notes = parsed.notes;
            report.service = parsed.service;
            report
        }
        Err(error) => TxtReport {
            format,
            detected: format.is_none(),
            notes: Vec::new(),
            service: None,
            strings: Vec::new(),
            wire_length: 0,
            findings: Vec::new(),
            counts: Counts::default(),
            corrections: Vec::new(),
            forms: None,
            error: Some(error),
        },
    }
}

/// Checks a TXT record model.
pub fn txt_report(record: &TxtRecord, context: &ServiceContext) -> TxtReport {
    let findings = txt::check(record);
    let used = record.used_flags();
    let mut offset = 0;
    let strings = record
        .strings
        .iter()
        .enumerate()
        .map(|(index, s)| {
            let (kind, key, value) = match s.entry() {
                txt::Entry::Empty => ("empty", None, None),
                txt::Entry::NoKey { value } => ("no_key", None, Some(value)),
                txt::Entry::Flag { key } => ("flag", Some(key), None),
                txt::Entry::Pair { key, value } => ("pair", Some(key), Some(value)),
            };
            let view = StringView {
                index,
                offset,
                length: s.0.len(),
                kind,
                key: key.map(txt::display_bytes),
                value: value.map(txt::display_bytes),
                value_is_text: value.is_none_or(|v| std::str::from_utf8(v).is_ok()),
                hex: output::hex_spaced(&s.0),
                used: used.get(index).copied().unwrap_or(false),
            };
            offset += 1 + s.0.len();
            view
        })
        .collect();
    let (fixed, corrections) = output::corrected(record);
    TxtReport {
        format: None,
        detected: false,
        notes: Vec::new(),
        service: None,
        strings,
        wire_length: record.wire_length(),
        counts: Counts::of(&findings),
        findings,
        corrections,
        forms: output::forms(&fixed, context),
        error: None,
    }
}
