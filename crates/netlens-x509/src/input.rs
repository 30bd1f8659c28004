//! Finding certificates in what a user pasted or dropped.
//!
//! Users paste whatever they have: `openssl s_client -showcerts` output with certificates between
//! log lines, a PEM file, a `.cer` that is really DER, a base64 blob copied from a JSON field or a
//! Kubernetes secret, a `.p7b` bundle exported from Windows or a Mac. This module turns any of
//! those into a list of DER certificates, each with the [`Location`] it came from, plus a list of
//! [`InputProblem`]s for everything it could not use.
//!
//! Recognised, in this order:
//! 1. binary input (not text): one or more concatenated DER structures, each a certificate or a
//!    PKCS#7 / CMS `SignedData` bundle;
//! 2. text with PEM blocks anywhere in it (surrounding text is ignored): `CERTIFICATE`,
//!    `X509 CERTIFICATE`, `TRUSTED CERTIFICATE`, `PKCS7`, `PKCS #7 SIGNED DATA`, `CMS`. Private
//!    keys, CSRs, public keys and CRLs are recognised and skipped with a message. Bodies may carry
//!    RFC 1421 headers, CRLF line ends, indentation and JSON `\n` escapes;
//! 3. text without PEM armor: the whole text as base64 (standard or URL-safe alphabet) or as hex
//!    (optionally with `:` separators), when it decodes to DER.
//!
//! Beside certificates: CRLs, OCSP responses (DER, base64, `OCSP RESPONSE` PEM), SCT lists (the
//! TLS encoding, OpenSSL's `SERVERINFO FOR EXTENSION 18` PEM, and the SCTs `openssl s_client -ct`
//! prints), kept as [`FoundStaple`]s for chain analysis; PKCS#12 files are recognised and said to
//! need their password.

use base64::Engine as _;

use crate::der_scan::{self, Tlv};
use crate::limits::{MAX_INPUT_BYTES, MAX_REPORTED_PROBLEMS};
use crate::pkcs7;
use crate::problem::{InputProblem, Location, ProblemKind};

/// How a certificate was packaged in the input.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Container {
    /// A PEM block with this label.
    Pem {
        /// The PEM label, e.g. `CERTIFICATE`.
        label: String,
    },
    /// Raw DER bytes.
    Der,
    /// Base64 without PEM armor.
    Base64,
    /// Hex digits.
    Hex,
    /// Inside a PKCS#7 / CMS SignedData bundle, itself packaged as `outer`.
    Pkcs7 {
        /// How the bundle itself was packaged.
        outer: Box<Container>,
    },
}

impl Container {
    /// A short human description, e.g. "PEM", "DER", "PKCS#7 (PEM)".
    pub fn describe(&self) -> String {
        match self {
            Container::Pem { label } if label == "CERTIFICATE" => "PEM".to_owned(),
            Container::Pem { label } => format!("PEM ({label})"),
            Container::Der => "DER".to_owned(),
            Container::Base64 => "base64".to_owned(),
            Container::Hex => "hex".to_owned(),
            Container::Pkcs7 { outer } => format!("PKCS#7 bundle ({})", outer.describe()),
        }
    }
}

/// A certificate's DER bytes as found in the input, not yet decoded.
#[derive(Clone, Debug)]
pub struct FoundCertificate {
    /// The exact DER bytes of the certificate.
    pub der: Vec<u8>,
    /// Where it was found.
    pub location: Location,
    /// How it was packaged.
    pub container: Container,
}

/// A CRL's DER bytes as found in the input. The decoder skips CRLs; chain analysis uses them to
/// check revocation offline.
#[derive(Clone, Debug)]
pub struct FoundCrl {
    /// The exact DER bytes of the CertificateList.
    pub der: Vec<u8>,
    /// Where it was found.
    pub location: Location,
}

/// What a [`FoundStaple`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StapleKind {
    /// An OCSP response (DER).
    OcspResponse,
    /// A TLS-encoded SignedCertificateTimestampList; `tls_extension` when the input said it was
    /// the server's `signed_certificate_timestamp` extension (OpenSSL's `SERVERINFO FOR
    /// EXTENSION 18`), otherwise its delivery is not known.
    SctList {
        /// Read from a TLS extension block.
        tls_extension: bool,
    },
}

impl StapleKind {
    /// What it is, in words ("an OCSP response").
    pub fn describe(self) -> &'static str {
        match self {
            StapleKind::OcspResponse => "an OCSP response",
            StapleKind::SctList { .. } => "an SCT list",
        }
    }
}

/// What a server sends beside its certificates, as found in the input: an OCSP response or an
/// SCT list. The decoder skips them; chain analysis judges them with the chain.
#[derive(Clone, Debug)]
pub struct FoundStaple {
    /// The bytes (DER for an OCSP response, TLS encoding for an SCT list).
    pub bytes: Vec<u8>,
    /// What they are.
    pub kind: StapleKind,
    /// Where they were found.
    pub location: Location,
}

/// Most CRLs (and, apart, most OCSP responses and SCT lists) kept from one input (real
/// revocation checks need one per issuing CA).
const MAX_CRLS: usize = 64;

/// The result of scanning one input.
///
/// Bounded whatever the input: at most `budget` certificates are kept (one more sets
/// [`Scan::over_budget`] and stops the scan) and at most [`MAX_REPORTED_PROBLEMS`] problems (the
/// rest are only counted), so 5 MiB of tiny bogus elements cannot allocate millions of records.
#[derive(Debug)]
pub struct Scan {
    certificates: Vec<FoundCertificate>,
    crls: Vec<FoundCrl>,
    staples: Vec<FoundStaple>,
    problems: Vec<InputProblem>,
    omitted_problems: usize,
    over_budget: bool,
    budget: usize,
}

impl Scan {
    fn new(budget: usize) -> Self {
        Self {
            certificates: Vec::new(),
            crls: Vec::new(),
            staples: Vec::new(),
            problems: Vec::new(),
            omitted_problems: 0,
            over_budget: false,
            budget,
        }
    }

    pub(crate) fn problem(&mut self, problem: InputProblem) {
        if self.problems.len() < MAX_REPORTED_PROBLEMS {
            self.problems.push(problem);
        } else {
            self.omitted_problems += 1;
        }
    }

    pub(crate) fn certificate(&mut self, certificate: FoundCertificate) {
        if self.certificates.len() < self.budget {
            self.certificates.push(certificate);
        } else {
            self.over_budget = true;
        }
    }

    pub(crate) fn crl(&mut self, crl: FoundCrl) {
        if self.crls.len() < MAX_CRLS {
            self.crls.push(crl);
        } else {
            self.omitted_problems += 1;
        }
    }

    pub(crate) fn staple(&mut self, staple: FoundStaple) {
        if self.staples.len() < MAX_CRLS {
            self.staples.push(staple);
        } else {
            self.omitted_problems += 1;
        }
    }

    /// OCSP responses and SCT lists found, in input order (at most 64).
    pub fn staples(&self) -> &[FoundStaple] {
        &self.staples
    }

    /// Takes the OCSP responses and SCT lists out of the scan.
    pub fn take_staples(&mut self) -> Vec<FoundStaple> {
        std::mem::take(&mut self.staples)
    }

    /// CRLs found, in input order (at most 64).
    pub fn crls(&self) -> &[FoundCrl] {
        &self.crls
    }

    /// Certificates found, in input order.
    pub fn certificates(&self) -> &[FoundCertificate] {
        &self.certificates
    }

    /// Problems found, in input order (at most [`MAX_REPORTED_PROBLEMS`]).
    pub fn problems(&self) -> &[InputProblem] {
        &self.problems
    }

    /// Problems found beyond [`MAX_REPORTED_PROBLEMS`], counted but not kept.
    pub fn omitted_problems(&self) -> usize {
        self.omitted_problems
    }

    /// More certificates than the budget were found; scanning stopped there.
    pub fn over_budget(&self) -> bool {
        self.over_budget
    }

    /// The certificates, CRLs and problems, by value.
    pub fn into_parts(self) -> (Vec<FoundCertificate>, Vec<FoundCrl>, Vec<InputProblem>) {
        (self.certificates, self.crls, self.problems)
    }

    /// Scanning can stop: the budget is exceeded and the input will be refused anyway.
    fn done(&self) -> bool {
        self.over_budget
    }
}

/// Scans one input (a paste or a file's bytes) for certificates, with the whole
/// [`crate::limits::MAX_CERTIFICATES`] budget.
///
/// `source` names the file, or is `None` for pasted text. Never panics, whatever the bytes.
pub fn scan(input: &[u8], source: Option<&str>) -> Scan {
    scan_with_budget(input, source, crate::limits::MAX_CERTIFICATES)
}

/// [`scan`], keeping at most `budget` certificates (what is left of a batch's budget).
pub fn scan_with_budget(input: &[u8], source: Option<&str>, budget: usize) -> Scan {
    let mut scan = Scan::new(budget);
    let base = Location {
        source: source.map(str::to_owned),
        ..Location::default()
    };
    if input.len() > MAX_INPUT_BYTES {
        scan.problem(InputProblem::whole(ProblemKind::TooLarge {
            size: input.len(),
            limit: MAX_INPUT_BYTES,
        }));
        return scan;
    }
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    if input.iter().all(|b| b.is_ascii_whitespace()) {
        scan.problem(InputProblem::at(ProblemKind::Empty, base.clone()));
        return scan;
    }
    if is_binary(input) {
        if !sct_list(input, &base, &mut scan) {
            scan_der_stream(input, &base, &Container::Der, &mut scan);
        }
    } else {
        // SCTs as `openssl s_client -ct` prints them, beside the certificates it prints.
        let printed = if memchr::memmem::find(input, b"Signed Certificate Timestamp:").is_some() {
            crate::sct_text::scan(&String::from_utf8_lossy(input))
        } else {
            Vec::new()
        };
        if !printed.is_empty() {
            scan.staple(FoundStaple {
                bytes: crate::sct::encode_list(&printed),
                kind: StapleKind::SctList {
                    tls_extension: false,
                },
                location: base.clone(),
            });
        }
        if !scan_pem(input, &base, &mut scan) && printed.is_empty() {
            scan_unarmored_text(input, &base, &mut scan);
        }
    }
    scan
}

/// Binary means: not something a person would paste. DER certificates always contain bytes
/// below 0x09 (lengths, tags), which text never does.
fn is_binary(input: &[u8]) -> bool {
    input
        .iter()
        .take(4096)
        .any(|&b| b < 0x09 || (0x0E..0x20).contains(&b))
}

/// Scans concatenated DER structures; each top-level element is one block.
fn scan_der_stream(data: &[u8], base: &Location, container: &Container, scan: &mut Scan) {
    // Padding or a trailing newline after the last element is not an element. Found once, so
    // the loop stays linear even for megabytes of zeros.
    let end = data
        .iter()
        .rposition(|&b| b != 0 && !b.is_ascii_whitespace())
        .map_or(0, |last| last + 1);
    let mut offset = 0;
    let mut block = 0;
    while offset < end && !scan.done() {
        block += 1;
        let location = Location {
            block: Some(block),
            byte_offset: base.byte_offset + offset,
            ..base.clone()
        };
        match der_scan::read_tlv(data, offset) {
            Ok(tlv) => {
                classify_element(&tlv, location, container, scan);
                offset = tlv.end();
            }
            Err(detail) => {
                // The element's own offset is the place; the scanner error is about its header.
                scan.problem(InputProblem::at(
                    ProblemKind::MalformedDer { detail },
                    location,
                ));
                return;
            }
        }
    }
}

/// Decides whether one DER element is a certificate or a PKCS#7 bundle.
fn classify_element(tlv: &Tlv<'_>, location: Location, container: &Container, scan: &mut Scan) {
    if der_scan::looks_like_crl(tlv) {
        scan.crl(FoundCrl {
            der: tlv.raw.to_vec(),
            location,
        });
    } else if der_scan::looks_like_certificate(tlv) {
        scan.certificate(FoundCertificate {
            der: tlv.raw.to_vec(),
            location,
            container: container.clone(),
        });
    } else if der_scan::looks_like_content_info(tlv) {
        pkcs7_bundle(tlv, &location, container, scan);
    } else if der_scan::looks_like_pkcs12(tlv) {
        scan.problem(InputProblem::at(ProblemKind::Pkcs12NeedsPassword, location));
    } else if crate::ocsp::looks_like_response(tlv) {
        scan.staple(FoundStaple {
            bytes: tlv.raw.to_vec(),
            kind: StapleKind::OcspResponse,
            location,
        });
    } else {
        scan.problem(InputProblem::at(ProblemKind::UnknownStructure, location));
    }
}

/// Scans one PEM block's DER: exactly one element expected (a trusted certificate may carry
/// OpenSSL's auxiliary trust data after it, which is ignored).
fn scan_pem_der(der: &[u8], label: &str, location: Location, scan: &mut Scan) {
    let container = Container::Pem {
        label: label.to_owned(),
    };
    match der_scan::read_tlv(der, 0) {
        Ok(tlv) => {
            let rest = der.len() - tlv.end();
            classify_element(&tlv, location.clone(), &container, scan);
            if rest > 0 && label != "TRUSTED CERTIFICATE" {
                scan.problem(InputProblem::at(
                    ProblemKind::TrailingData { len: rest },
                    Location {
                        der_offset: Some(tlv.end()),
                        ..location
                    },
                ));
            }
        }
        Err(detail) => scan.problem(InputProblem::at(
            ProblemKind::MalformedDer { detail },
            Location {
                der_offset: Some(detail.offset()),
                ..location
            },
        )),
    }
}

/// What to do with a PEM block, by label.
enum LabelKind {
    Certificate,
    Crl,
    Ocsp,
    ServerInfo { v2: bool },
    Bundle,
    PrivateKey,
    Other(&'static str),
    Unknown,
}

fn label_kind(label: &str) -> LabelKind {
    match label {
        "CERTIFICATE" | "X509 CERTIFICATE" | "X.509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
            LabelKind::Certificate
        }
        "PKCS7" | "PKCS #7 SIGNED DATA" | "CMS" => LabelKind::Bundle,
        l if l.ends_with("PRIVATE KEY") => LabelKind::PrivateKey,
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
            LabelKind::Other("a certificate signing request (CSR)")
        }
        "PUBLIC KEY" | "RSA PUBLIC KEY" => LabelKind::Other("a bare public key"),
        "X509 CRL" => LabelKind::Crl,
        "OCSP RESPONSE" => LabelKind::Ocsp,
        l if l.starts_with("SERVERINFO FOR ") => LabelKind::ServerInfo { v2: false },
        l if l.starts_with("SERVERINFOV2 FOR ") => LabelKind::ServerInfo { v2: true },
        "EC PARAMETERS" | "DH PARAMETERS" | "DSA PARAMETERS" => LabelKind::Other("key parameters"),
        "OPENSSH PUBLIC KEY" | "SSH2 PUBLIC KEY" => LabelKind::Other("an SSH key"),
        _ => LabelKind::Unknown,
    }
}

const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END ";
const DASHES: &[u8] = b"-----";
/// Longest PEM label considered (the longest real one, "ENCRYPTED PRIVATE KEY", is 21).
const MAX_LABEL: usize = 64;

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    // memmem rather than a window-by-window compare: PEM scanning is most of the time spent
    // before parsing, and the naive search compares at every byte of every body.
    memchr::memmem::find(haystack.get(from..)?, needle).map(|p| p + from)
}

/// Counts lines incrementally: offsets are visited in increasing order, so the total work is
/// linear in the input size even with hundreds of blocks.
struct LineCounter<'a> {
    data: &'a [u8],
    offset: usize,
    line: usize,
}

impl LineCounter<'_> {
    fn line_at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.data.len());
        if offset >= self.offset {
            self.line += self.data[self.offset..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
        } else {
            self.line = 1 + self.data[..offset].iter().filter(|&&b| b == b'\n').count();
        }
        self.offset = offset;
        self.line
    }
}

/// Reads a PEM label starting at `from` (just after `-----BEGIN ` or `-----END `): printable
/// ASCII up to the closing dashes, on one line. Returns the label and the offset after the dashes.
fn read_label(data: &[u8], from: usize) -> Option<(String, usize)> {
    let window = &data[..data.len().min(from + MAX_LABEL + DASHES.len())];
    let close = find(window, DASHES, from)?;
    let raw = data.get(from..close)?;
    if raw.len() > MAX_LABEL || raw.iter().any(|&b| !(0x20..0x7F).contains(&b)) {
        return None;
    }
    let label = String::from_utf8_lossy(raw).trim().to_owned();
    Some((label, close + DASHES.len()))
}

/// Scans text for PEM blocks. Returns false when there is no BEGIN line at all.
fn scan_pem(data: &[u8], base: &Location, scan: &mut Scan) -> bool {
    let mut lines = LineCounter {
        data,
        offset: 0,
        line: 1,
    };
    let mut pos = 0;
    let mut block = 0;
    while let Some(begin) = find(data, BEGIN, pos) {
        if scan.done() {
            break;
        }
        let Some((label, body_start)) = read_label(data, begin + BEGIN.len()) else {
            pos = begin + BEGIN.len();
            continue;
        };
        block += 1;
        let location = Location {
            block: Some(block),
            line: Some(lines.line_at(begin)),
            byte_offset: base.byte_offset + begin,
            ..base.clone()
        };
        // The END line must come before the next BEGIN line; searching only up to there keeps
        // the scan linear even for thousands of unterminated blocks.
        let next_begin = find(data, BEGIN, body_start);
        let end = find(&data[..next_begin.unwrap_or(data.len())], END, body_start);
        let Some(end) = end else {
            scan.problem(InputProblem::at(
                ProblemKind::PemUnterminated { label },
                location,
            ));
            pos = next_begin.unwrap_or(data.len());
            continue;
        };
        let (end_label, after) =
            read_label(data, end + END.len()).unwrap_or_else(|| (String::new(), end + END.len()));
        pos = after;
        if end_label != label {
            scan.problem(InputProblem::at(
                ProblemKind::PemMismatchedEnd {
                    begin: label,
                    end: end_label,
                },
                location,
            ));
            continue;
        }
        match label_kind(&label) {
            LabelKind::PrivateKey => scan.problem(InputProblem::at(
                ProblemKind::PrivateKeyIgnored { label },
                location,
            )),
            LabelKind::Other(what) => scan.problem(InputProblem::at(
                ProblemKind::NotACertificate { label, what },
                location,
            )),
            LabelKind::Unknown => scan.problem(InputProblem::at(
                ProblemKind::UnsupportedPemLabel { label },
                location,
            )),
            LabelKind::ServerInfo { v2 } => match pem_body(data, body_start, end, base.byte_offset)
            {
                Ok(body) => match crate::sct::from_serverinfo(&body, v2) {
                    Some(list) => scan.staple(FoundStaple {
                        bytes: list.to_vec(),
                        kind: StapleKind::SctList {
                            tls_extension: true,
                        },
                        location,
                    }),
                    None => scan.problem(InputProblem::at(
                        ProblemKind::NotACertificate {
                            label,
                            what: "TLS server information without an SCT list (extension 18)",
                        },
                        location,
                    )),
                },
                Err(kind) => scan.problem(InputProblem::at(kind, location)),
            },
            LabelKind::Certificate | LabelKind::Bundle | LabelKind::Crl | LabelKind::Ocsp => {
                match pem_body(data, body_start, end, base.byte_offset) {
                    Ok(der) if der.is_empty() => {
                        scan.problem(InputProblem::at(ProblemKind::PemEmpty { label }, location));
                    }
                    Ok(der) => scan_pem_der(&der, &label, location, scan),
                    Err(kind) => scan.problem(InputProblem::at(kind, location)),
                }
            }
        }
    }
    block > 0
}

/// Extracts and decodes a PEM body. Skips RFC 1421 header lines (`Name: value`), whitespace and
/// the JSON escapes `\n`, `\r`, `\t` (PEM copied out of a JSON string).
fn pem_body(
    data: &[u8],
    start: usize,
    end: usize,
    base_offset: usize,
) -> Result<Vec<u8>, ProblemKind> {
    let body = &data[start..end];
    let mut b64 = Vec::with_capacity(body.len());
    let mut i = 0;
    let mut line_start = true;
    while i < body.len() {
        let b = body[i];
        if line_start && line_is_header(&body[i..]) {
            while i < body.len() && body[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        line_start = false;
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'=' => b64.push(b),
            b'\n' => line_start = true,
            b' ' | b'\t' | b'\r' | 0x0B | 0x0C => {}
            b'\\' if matches!(body.get(i + 1), Some(b'n' | b'r' | b't')) => {
                line_start = body[i + 1] == b'n';
                i += 1;
            }
            _ => {
                let character = decode_char_at(body, i);
                return Err(ProblemKind::PemInvalidCharacter {
                    character,
                    at: base_offset + start + i,
                });
            }
        }
        i += 1;
    }
    decode_base64(&b64)
}

/// An RFC 1421 encapsulated header line such as `Proc-Type: 4,ENCRYPTED`: a token then a colon.
fn line_is_header(line: &[u8]) -> bool {
    // Called at every body line: no allocation. A base64 line never contains a colon, so the
    // token check runs only on real header lines.
    let line = line.split(|&b| b == b'\n').next().unwrap_or_default();
    let start = line
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(line.len());
    let trimmed = &line[start..];
    match memchr::memchr(b':', trimmed) {
        Some(colon) => {
            colon > 0
                && trimmed[..colon]
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        None => false,
    }
}

fn decode_char_at(data: &[u8], i: usize) -> char {
    let end = (i + 4).min(data.len());
    match std::str::from_utf8(&data[i..end]) {
        Ok(s) => s.chars().next().unwrap_or('\u{FFFD}'),
        Err(e) if e.valid_up_to() > 0 => std::str::from_utf8(&data[i..i + e.valid_up_to()])
            .ok()
            .and_then(|s| s.chars().next())
            .unwrap_or('\u{FFFD}'),
        Err(_) => char::from(data[i]),
    }
}

fn lenient_engine(alphabet: &base64::alphabet::Alphabet) -> base64::engine::GeneralPurpose {
    base64::engine::GeneralPurpose::new(
        alphabet,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    )
}

fn decode_base64(b64: &[u8]) -> Result<Vec<u8>, ProblemKind> {
    lenient_engine(&base64::alphabet::STANDARD)
        .decode(b64)
        .map_err(|e| ProblemKind::Base64Invalid {
            detail: e.to_string(),
        })
}

/// Text without PEM armor: bare base64 (either alphabet) or hex, when it decodes to DER.
fn scan_unarmored_text(data: &[u8], base: &Location, scan: &mut Scan) {
    let compact: Vec<u8> = data
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let is_hex = compact.iter().all(|b| b.is_ascii_hexdigit() || *b == b':');
    if is_hex {
        let digits: Vec<u8> = compact.iter().copied().filter(|&b| b != b':').collect();
        if let Some(der) = decode_hex(&digits).filter(|d| d.first() == Some(&0x30)) {
            scan_der_stream(&der, base, &Container::Hex, scan);
            return;
        }
    }
    let is_base64 = compact
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'='));
    if is_base64 {
        let url_safe = compact.iter().any(|b| matches!(b, b'-' | b'_'));
        let alphabet = if url_safe {
            &base64::alphabet::URL_SAFE
        } else {
            &base64::alphabet::STANDARD
        };
        if let Ok(der) = lenient_engine(alphabet).decode(&compact) {
            if der.first() == Some(&0x30) {
                scan_der_stream(&der, base, &Container::Base64, scan);
                return;
            }
            if sct_list(&der, base, scan) {
                return;
            }
        }
    }
    if let Some(end) = find(data, END, 0) {
        let label = read_label(data, end + END.len()).map_or_else(String::new, |(l, _)| l);
        let location = Location {
            line: Some(1 + data[..end].iter().filter(|&&b| b == b'\n').count()),
            byte_offset: base.byte_offset + end,
            ..base.clone()
        };
        scan.problem(InputProblem::at(
            ProblemKind::PemMissingBegin { label },
            location,
        ));
        return;
    }
    scan.problem(InputProblem::at(
        ProblemKind::NothingRecognised,
        base.clone(),
    ));
}

/// A whole input that is a TLS-encoded SCT list (its 2-byte length covers the rest exactly,
/// which DER never starts with): kept as a staple of unknown delivery.
fn sct_list(bytes: &[u8], base: &Location, scan: &mut Scan) -> bool {
    let whole =
        bytes.len() >= 2 && usize::from(bytes[0]) << 8 | usize::from(bytes[1]) == bytes.len() - 2;
    if !whole || crate::sct::parse_list(bytes).is_err() {
        return false;
    }
    scan.staple(FoundStaple {
        bytes: bytes.to_vec(),
        kind: StapleKind::SctList {
            tls_extension: false,
        },
        location: base.clone(),
    });
    true
}

fn decode_hex(digits: &[u8]) -> Option<Vec<u8>> {
    if !digits.len().is_multiple_of(2) || digits.is_empty() {
        return None;
    }
    digits
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}

/// Adds the certificates of the PKCS#7 `ContentInfo` in `tlv` to `scan`.
fn pkcs7_bundle(tlv: &Tlv<'_>, location: &Location, outer: &Container, scan: &mut Scan) {
    match pkcs7::certificates(tlv) {
        Ok(certs) if certs.is_empty() => {
            scan.problem(InputProblem::at(ProblemKind::EmptyPkcs7, location.clone()));
        }
        Ok(certs) => {
            let container = Container::Pkcs7 {
                outer: Box::new(outer.clone()),
            };
            for (i, cert) in certs.into_iter().enumerate() {
                let location = Location {
                    bundle_index: Some(i + 1),
                    ..location.clone()
                };
                if der_scan::looks_like_certificate(&cert) {
                    scan.certificate(FoundCertificate {
                        der: cert.raw.to_vec(),
                        location,
                        container: container.clone(),
                    });
                } else {
                    scan.problem(InputProblem::at(
                        ProblemKind::InvalidPkcs7 {
                            detail: "an entry of the certificates field is not an X.509 \
                                     certificate (attribute certificates are not supported)"
                                .to_owned(),
                        },
                        Location {
                            der_offset: Some(cert.offset),
                            ..location
                        },
                    ));
                }
            }
        }
        Err((detail, der_offset)) => scan.problem(InputProblem::at(
            ProblemKind::InvalidPkcs7 { detail },
            Location {
                der_offset,
                ..location.clone()
            },
        )),
    }
}
