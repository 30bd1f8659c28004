//! Paste parsers: TXT records as people have them.
//!
//! Each parser undoes exactly the escaping the tool that printed the text applies (the tools
//! differ, see each function), and every error names the line and column. [`detect`] picks
//! the format from the text when the user does not say.

mod quoted;
mod tools;
mod zeroconf;

use base64::Engine as _;
use serde::Serialize;

use crate::InputError;
use crate::txt::{TxtRecord, TxtString};

/// Largest paste read (a TXT record is at most 64 KiB; tool output around it is small).
pub const MAX_INPUT: usize = 1 << 20;

/// A paste format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// One string per line: `key=value`, `key` (no value), `key=` (empty value).
    Kv,
    /// TXT RDATA as hex: `09 74 78 …`, `0x09,0x74`, `\x09…`, or `dns-sd -Q` output.
    Hex,
    /// TXT RDATA as base64 (standard or URL-safe, padding optional).
    Base64,
    /// `dns-sd -L` output.
    DnsSd,
    /// `dns-sd -Z` output.
    DnsSdZone,
    /// `avahi-browse -r` output.
    Avahi,
    /// `avahi-browse -rp` / `-rpk` output.
    AvahiParsable,
    /// `dig` output or zone-file presentation (RFC 1035 §5.1).
    Dig,
    /// python-zeroconf's `ServiceInfo(...)` repr, `info.properties`, `info.decoded_properties`
    /// or `info.text`.
    Zeroconf,
}

impl Format {
    /// Every format, in the order of the CLI's `--format` list.
    pub const ALL: [Format; 9] = [
        Format::Kv,
        Format::Hex,
        Format::Base64,
        Format::DnsSd,
        Format::DnsSdZone,
        Format::Avahi,
        Format::AvahiParsable,
        Format::Dig,
        Format::Zeroconf,
    ];

    /// The id used by the CLI and the JS API.
    pub fn id(self) -> &'static str {
        match self {
            Format::Kv => "kv",
            Format::Hex => "hex",
            Format::Base64 => "base64",
            Format::DnsSd => "dns-sd",
            Format::DnsSdZone => "dns-sd-zone",
            Format::Avahi => "avahi",
            Format::AvahiParsable => "avahi-rp",
            Format::Dig => "dig",
            Format::Zeroconf => "zeroconf",
        }
    }

    /// The format with this id.
    pub fn from_id(id: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.id() == id)
    }

    /// What it is, for people.
    pub fn label(self) -> &'static str {
        match self {
            Format::Kv => "key=value lines",
            Format::Hex => "hex wire bytes (dns-sd -Q)",
            Format::Base64 => "base64 wire bytes",
            Format::DnsSd => "dns-sd -L output",
            Format::DnsSdZone => "dns-sd -Z output",
            Format::Avahi => "avahi-browse -r output",
            Format::AvahiParsable => "avahi-browse -rp / -rpk output",
            Format::Dig => "dig / zone file",
            Format::Zeroconf => "python-zeroconf ServiceInfo, properties or text",
        }
    }
}

/// The service a paste names besides its TXT record, when it does.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ServiceInfo {
    /// Instance name, unescaped.
    pub instance: Option<String>,
    /// Service type (or Avahi's description of it, without `-k`).
    pub service_type: Option<String>,
    /// Domain.
    pub domain: Option<String>,
    /// Target host.
    pub host: Option<String>,
    /// Port.
    pub port: Option<u16>,
}

impl ServiceInfo {
    fn is_empty(&self) -> bool {
        *self == ServiceInfo::default()
    }
}

/// A parsed paste.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// The format read.
    pub format: Format,
    /// Whether the format was detected rather than given.
    pub detected: bool,
    /// The TXT record.
    pub record: TxtRecord,
    /// The service around it, when the paste names one.
    pub service: Option<ServiceInfo>,
    /// What the paste cannot show or what was left aside (lossy tool output, several records).
    pub notes: Vec<String>,
}

/// First code point of the range that carries raw bytes through [`text_from_bytes`].
const RAW_BYTE_BASE: u32 = 0x10_FF00;

/// A paste as the parsers read it, from bytes that may not be UTF-8: `dns-sd -L` and `-Z` print
/// bytes ≥ 0x80 of a TXT string as they are, so piped output (`dns-sd -L … | netlens dnssd
/// txt -`) can hold any byte. Each byte that is not part of valid UTF-8 becomes the code point
/// U+10FF00 + byte (private use, plane 16), and [`parse`], seeing such code points in its
/// input, turns them back into those bytes in the strings it reads, so nothing is replaced or
/// lost. (Text with no such code point, everything a browser pastes, is read as it is.)
pub fn text_from_bytes(input: &[u8]) -> String {
    let mut text = String::with_capacity(input.len());
    for chunk in input.utf8_chunks() {
        text.push_str(chunk.valid());
        for &b in chunk.invalid() {
            text.push(char::from_u32(RAW_BYTE_BASE + u32::from(b)).unwrap_or('\u{fffd}'));
        }
    }
    text
}

/// Whether `input` came through [`text_from_bytes`] with bytes that were not UTF-8.
fn has_raw_bytes(input: &str) -> bool {
    input
        .chars()
        .any(|c| (RAW_BYTE_BASE + 0x80..=RAW_BYTE_BASE + 0xFF).contains(&u32::from(c)))
}

/// Undoes [`text_from_bytes`] in a string's bytes: the UTF-8 of U+10FF80..U+10FFFF (`F4 8F BE/BF
/// 80..BF`) is the byte it stands for.
fn raw_bytes_back(bytes: &mut Vec<u8>) {
    if !bytes.windows(2).any(|w| w == [0xF4, 0x8F]) {
        return;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i..] {
            [0xF4, 0x8F, third @ (0xBE | 0xBF), fourth @ 0x80..=0xBF, ..] => {
                out.push(((third - 0xBC) << 6) | (fourth & 0x3F));
                i += 4;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    *bytes = out;
}

/// Parses `input` as `format`, or as the detected format when `format` is `None`.
pub fn parse(input: &str, format: Option<Format>) -> Result<Parsed, InputError> {
    if input.len() > MAX_INPUT {
        return Err(InputError::at(
            1,
            1,
            format!(
                "the input is {} bytes; netlens reads at most {} (1 MiB)",
                input.len(),
                MAX_INPUT
            ),
        ));
    }
    let (format, detected) = match format {
        Some(f) => (f, false),
        None => (detect(input), true),
    };
    let mut out = Output::default();
    match format {
        Format::Kv => parse_kv(input, &mut out)?,
        Format::Hex => parse_hex(input, &mut out)?,
        Format::Base64 => parse_base64(input, &mut out)?,
        Format::DnsSd => tools::parse_dns_sd(input, &mut out)?,
        Format::DnsSdZone => tools::parse_dns_sd_zone(input, &mut out)?,
        Format::Avahi => tools::parse_avahi(input, &mut out)?,
        Format::AvahiParsable => tools::parse_avahi_parsable(input, &mut out)?,
        Format::Dig => tools::parse_dig(input, &mut out)?,
        Format::Zeroconf => zeroconf::parse_zeroconf(input, &mut out)?,
    }
    if has_raw_bytes(input) {
        for string in &mut out.strings {
            raw_bytes_back(&mut string.0);
        }
    }
    let wire_length: usize = out.strings.iter().map(|s| 1 + s.0.len()).sum();
    if wire_length > crate::txt::MAX_RDATA {
        return Err(InputError::at(
            1,
            1,
            format!(
                "the record is {wire_length} bytes; TXT data is at most 65535 bytes (and an mDNS packet at most 9000)"
            ),
        ));
    }
    Ok(Parsed {
        format,
        detected,
        record: TxtRecord {
            strings: out.strings,
        },
        service: (!out.service.is_empty()).then_some(out.service),
        notes: out.notes,
    })
}

/// What a parser fills in.
#[derive(Default)]
struct Output {
    strings: Vec<TxtString>,
    service: ServiceInfo,
    notes: Vec<String>,
}

impl Output {
    /// Notes that the transcript holds `count` results of which the parser reads the first
    /// (`what` names them and says why there are several).
    fn note_first_of(&mut self, count: usize, what: &str) {
        if count > 1 {
            self.notes
                .push(format!("{count} {what}; the first is shown."));
        }
    }
}

/// An error at byte `offset` of `input`.
fn error_at(input: &str, offset: usize, message: impl Into<String>) -> InputError {
    let offset = offset.min(input.len());
    let before = &input.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let line_text = &input[line_start..];
    InputError::at(
        line,
        crate::escape::column_of(line_text, offset - line_start),
        message,
    )
}

/// The lines of `input` with their byte offsets, without line endings.
fn lines_with_offsets(input: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    input.split('\n').map(move |line| {
        let start = offset;
        offset += line.len() + 1;
        (start, line.strip_suffix('\r').unwrap_or(line))
    })
}

/// Picks the format of a paste from its content.
pub fn detect(input: &str) -> Format {
    let trimmed = input.trim();
    if zeroconf::looks_like(trimmed) {
        return Format::Zeroconf;
    }
    if trimmed.contains(" can be reached at ") {
        return Format::DnsSd;
    }
    // dns-sd -Q rows also say TXT and IN: their hex rdata decides first.
    if trimmed.contains(" bytes: ") || trimmed.starts_with("bytes:") {
        return Format::Hex;
    }
    // dns-sd -B: the dns-sd parser says it lists no TXT records and what to run instead.
    if trimmed.contains(" A/R ") && trimmed.contains("Instance Name") {
        return Format::DnsSd;
    }
    let lines: Vec<&str> = trimmed.lines().map(str::trim_end).collect();
    if lines.iter().any(|l| {
        let b = l.as_bytes();
        b.len() > 2
            && matches!(b[0], b'=' | b'+' | b'-')
            && b[1] == b';'
            && l.matches(';').count() >= 5
    }) {
        return Format::AvahiParsable;
    }
    if lines.iter().any(|l| l.trim_start().starts_with("txt = [")) {
        return Format::Avahi;
    }
    for line in &lines {
        let tokens: Vec<&str> = line.split_whitespace().take(6).collect();
        if let Some(at) = tokens.iter().position(|t| *t == "TXT") {
            if tokens[..at]
                .iter()
                .any(|t| *t == "IN" || t.chars().all(|c| c.is_ascii_digit()))
            {
                return Format::Dig;
            }
            if at == 1 {
                return Format::DnsSdZone;
            }
        }
    }
    if trimmed.starts_with('"') {
        return Format::Dig;
    }
    let decodes = |input: &str, f: fn(&str, &mut Output) -> Result<(), InputError>| {
        let mut out = Output::default();
        f(input, &mut out).is_ok()
    };
    let hexish = trimmed
        .chars()
        .all(|c| c.is_ascii_hexdigit() || c.is_whitespace() || ":,x\\".contains(c));
    // Space-separated byte pairs are hex even when they do not decode: the user then sees
    // which length byte is wrong instead of a key named `05 61`.
    let byte_pairs = trimmed.split_whitespace().count() >= 2
        && trimmed
            .split_whitespace()
            .all(|t| t.len() == 2 && t.chars().all(|c| c.is_ascii_hexdigit()));
    if !trimmed.is_empty() && hexish && (byte_pairs || decodes(trimmed, parse_hex)) {
        return Format::Hex;
    }
    let base64ish = !trimmed.is_empty()
        && !trimmed.contains(char::is_whitespace)
        && trimmed
            .trim_end_matches('=')
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+/-_".contains(c));
    if base64ish && trimmed.len() >= 4 && decodes(trimmed, parse_base64) {
        return Format::Base64;
    }
    Format::Kv
}

/// One string per line, taken byte for byte (no escapes, no trimming: spaces in keys are
/// significant and reported). Blank lines are skipped; no lines at all is the empty record.
fn parse_kv(input: &str, out: &mut Output) -> Result<(), InputError> {
    let mut wire_length = 0;
    for (offset, line) in lines_with_offsets(input) {
        if line.trim().is_empty() {
            continue;
        }
        wire_length += 1 + line.len();
        if wire_length > crate::txt::MAX_RDATA {
            return Err(error_at(
                input,
                offset,
                "the record passes 65535 bytes at this line: TXT data is at most 65535 bytes (and an mDNS packet at most 9000)",
            ));
        }
        out.strings.push(TxtString(line.as_bytes().to_vec()));
    }
    if out.strings.is_empty() {
        out.strings.push(TxtString::default());
        out.notes.push(
            "No strings given: the record is empty and is sent as the single byte 00.".into(),
        );
    }
    Ok(())
}

/// Hex RDATA. Takes `dns-sd -Q` lines (`19 bytes: 09 74 …`), `0x`/`\x` prefixes, and spaces,
/// colons or commas between bytes.
fn parse_hex(input: &str, out: &mut Output) -> Result<(), InputError> {
    let q_lines: Vec<(usize, &str)> = lines_with_offsets(input)
        .filter_map(|(offset, line)| {
            line.find("bytes:")
                .map(|at| (offset + at + 6, &line[at + 6..]))
        })
        .collect();
    let regions: Vec<(usize, &str)> = if q_lines.is_empty() {
        vec![(0, input)]
    } else {
        out.note_first_of(q_lines.len(), "dns-sd -Q answers");
        q_lines.into_iter().take(1).collect()
    };
    let mut bytes = Vec::new();
    let mut positions = Vec::new();
    for (base, text) in regions {
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c.is_ascii_whitespace() || c == b':' || c == b',' {
                i += 1;
            } else if (c == b'0' || c == b'\\') && matches!(b.get(i + 1), Some(b'x' | b'X')) {
                i += 2;
            } else if c.is_ascii_hexdigit() {
                let Some(&d) = b.get(i + 1).filter(|d| d.is_ascii_hexdigit()) else {
                    return Err(match text[i + 1..].chars().next() {
                        Some(ch) if !ch.is_whitespace() && !":,".contains(ch) => {
                            error_at(input, base + i + 1, format!("{ch:?} is not a hex digit"))
                        }
                        _ => error_at(
                            input,
                            base + i,
                            "a hex byte needs two digits; this one has one",
                        ),
                    });
                };
                bytes.push(hex_value(c) << 4 | hex_value(d));
                positions.push(base + i);
                i += 2;
            } else {
                let ch = text[i..].chars().next().unwrap_or('?');
                return Err(error_at(
                    input,
                    base + i,
                    format!("{ch:?} is not a hex digit"),
                ));
            }
        }
    }
    if bytes.is_empty() && !input.trim().is_empty() && !input.contains("bytes:") {
        return Err(error_at(input, 0, "no hex bytes found"));
    }
    let record = TxtRecord::from_wire(&bytes).map_err(|e| {
        error_at(
            input,
            positions.get(e.offset).copied().unwrap_or(0),
            e.message,
        )
    })?;
    out.strings = record.strings;
    Ok(())
}

fn hex_value(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

/// Base64 RDATA, standard or URL-safe alphabet, padding optional, whitespace ignored.
fn parse_base64(input: &str, out: &mut Output) -> Result<(), InputError> {
    let mut compact = String::with_capacity(input.len());
    let mut positions = Vec::with_capacity(input.len());
    for (i, c) in input.char_indices() {
        if !c.is_whitespace() {
            compact.push(c);
            positions.push(i);
        }
    }
    if compact.is_empty() {
        return Err(error_at(input, 0, "no base64 data found"));
    }
    let url_safe = compact.contains(['-', '_']);
    let unpadded = compact.trim_end_matches('=');
    let engine = if url_safe {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
    } else {
        base64::engine::general_purpose::STANDARD_NO_PAD
    };
    let bytes = engine.decode(unpadded).map_err(|e| {
        let (offset, message) = match e {
            base64::DecodeError::InvalidByte(at, byte) => (at, format!("{:?} is not a base64 character", char::from(byte))),
            base64::DecodeError::InvalidLastSymbol { offset: at, .. } => (at, "the last base64 character has bits set that must be zero".into()),
            base64::DecodeError::InvalidLength(len) => (len.saturating_sub(1), "the base64 text has a length no encoder produces (one character too many or too few)".into()),
            base64::DecodeError::InvalidPadding => (unpadded.len(), "bad base64 padding".into()),
        };
        error_at(input, positions.get(offset).copied().unwrap_or(0), message)
    })?;
    let record = TxtRecord::from_wire(&bytes).map_err(|e| {
        error_at(
            input,
            positions.get(e.offset * 4 / 3).copied().unwrap_or(0),
            format!("decoded base64: {}", e.message),
        )
    })?;
    out.strings = record.strings;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(p: &Parsed) -> Vec<&[u8]> {
        p.record.strings.iter().map(|s| s.0.as_slice()).collect()
    }

    #[test]
    fn kv_lines_are_taken_byte_for_byte() {
        let p = parse("txtvers=1\r\nflag\n\nempty=\nk = v\n", Some(Format::Kv)).unwrap();
        assert_eq!(
            strings(&p),
            vec![&b"txtvers=1"[..], b"flag", b"empty=", b"k = v"]
        );
    }

    #[test]
    fn hex_in_every_spelling() {
        for input in [
            "09 74 78 74 76 65 72 73 3D 31",
            "0974787476657273 3d31",
            "0x09,0x74,0x78,0x74,0x76,0x65,0x72,0x73,0x3d,0x31",
            "\\x09\\x74\\x78\\x74\\x76\\x65\\x72\\x73\\x3d\\x31",
            "10:01:03.001  Add  2  4  My\\032Printer._ipp._tcp.local. TXT    IN     10 bytes: 09 74 78 74 76 65 72 73 3D 31",
        ] {
            let p = parse(input, None).unwrap();
            assert_eq!(p.format, Format::Hex, "{input}");
            assert_eq!(strings(&p), vec![&b"txtvers=1"[..]], "{input}");
        }
        let e = parse("09 74 7g", Some(Format::Hex)).unwrap_err();
        assert_eq!((e.line, e.column), (1, 8));
        let e = parse("01 61\n05 61", Some(Format::Hex)).unwrap_err();
        assert_eq!((e.line, e.column), (2, 1), "{e:?}");
    }

    #[test]
    fn base64_both_alphabets() {
        let p = parse("CXR4dHZlcnM9MQ==", None).unwrap();
        assert_eq!(p.format, Format::Base64);
        assert_eq!(strings(&p), vec![&b"txtvers=1"[..]]);
        let e = parse("CXR4d*HZlcnM9MQ==", Some(Format::Base64)).unwrap_err();
        assert_eq!(e.column, 6);
    }

    #[test]
    fn raw_bytes_survive_a_paste_that_is_not_utf8() {
        let input = b"Lookup x\n10:00:00.000  x._x._tcp.local. can be reached at h.local.:1 (interface 2)\n bin=\x00\xff\x80 note=Caf\xc3\xa9\n";
        let text = text_from_bytes(input);
        let p = parse(&text, None).unwrap();
        assert_eq!(p.format, Format::DnsSd);
        assert_eq!(
            strings(&p),
            vec![&b"bin=\x00\xff\x80"[..], "note=Café".as_bytes()]
        );
        assert_eq!(text_from_bytes("plain ✓".as_bytes()), "plain ✓");
        // Bytes that spell such a code point in a record read as bytes stay as they are.
        let hex = parse("05 F4 8F BE 80 00", Some(Format::Hex)).unwrap();
        assert_eq!(strings(&hex), vec![&b"\xF4\x8F\xBE\x80\x00"[..]]);
    }

    #[test]
    fn plain_words_are_key_value_lines() {
        assert_eq!(detect("abba"), Format::Kv);
        assert_eq!(detect("key"), Format::Kv);
        assert_eq!(detect("path=/\nflag"), Format::Kv);
    }
}
