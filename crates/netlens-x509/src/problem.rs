//! Input problems: what went wrong while reading an input, and where.
//!
//! A problem never aborts a whole batch unless the input as a whole is refused (too large, too
//! many certificates). Everything else is reported per block, so a paste with one corrupted
//! certificate among three still shows the other two. Each problem names its place the way a user
//! can find it again: the file, the block number, the line and the byte offset in what they
//! pasted, and for DER errors the offset inside the decoded certificate.

use core::fmt;

use serde::Serialize;

use crate::der_scan::ScanError;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Something was skipped on purpose and the user should know (e.g. a private key).
    Notice,
    /// Something could be read only in part, or was ignored.
    Warning,
    /// Something could not be read at all.
    Error,
}

/// Where in the input a problem (or a certificate) was found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Location {
    /// File name, or `None` for pasted text.
    pub source: Option<String>,
    /// 1-based number of the block (PEM block or top-level DER element) within the source.
    pub block: Option<usize>,
    /// 1-based line where the block starts, for text input.
    pub line: Option<usize>,
    /// Byte offset within the source where the block starts (for base64 or hex input without
    /// PEM armor: within the decoded bytes).
    pub byte_offset: usize,
    /// 1-based position of a certificate inside a PKCS#7 bundle.
    pub bundle_index: Option<usize>,
    /// Byte offset of the error inside the block's decoded DER bytes.
    pub der_offset: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(source) = &self.source {
            parts.push(format!("file {source}"));
        }
        if let Some(block) = self.block {
            parts.push(format!("block {block}"));
        }
        if let Some(index) = self.bundle_index {
            parts.push(format!("certificate {index} of the PKCS#7 bundle"));
        }
        let mut place = parts.join(", ");
        let mut detail = Vec::new();
        if let Some(line) = self.line {
            detail.push(format!("line {line}"));
        }
        detail.push(format!("byte {}", self.byte_offset));
        if place.is_empty() {
            place = detail.join(", ");
        } else {
            place = format!("{place} ({})", detail.join(", "));
        }
        if let Some(der) = self.der_offset {
            place.push_str(&format!(", at DER offset {der}"));
        }
        f.write_str(&place)
    }
}

/// What went wrong. The variant name, in kebab case, is the stable `code` in JSON output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The input is larger than [`crate::limits::MAX_INPUT_BYTES`]; nothing was decoded.
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The batch holds more than [`crate::limits::MAX_CERTIFICATES`] certificates.
    TooManyCertificates {
        /// The limit.
        limit: usize,
    },
    /// The input is empty or only whitespace.
    Empty,
    /// No PEM block, DER structure or bare base64 certificate was recognised.
    NothingRecognised,
    /// A `-----BEGIN …-----` line has no matching `-----END …-----` line.
    PemUnterminated {
        /// The label of the BEGIN line.
        label: String,
    },
    /// An `-----END …-----` line without any BEGIN line before it.
    PemMissingBegin {
        /// The label of the END line.
        label: String,
    },
    /// The END line names a different label than the BEGIN line.
    PemMismatchedEnd {
        /// Label on the BEGIN line.
        begin: String,
        /// Label on the END line.
        end: String,
    },
    /// A character that is not base64 inside a PEM block body.
    PemInvalidCharacter {
        /// The offending character.
        character: char,
        /// Its byte offset in the source.
        at: usize,
    },
    /// Base64 that does not decode (bad length or padding).
    Base64Invalid {
        /// Decoder message.
        detail: String,
    },
    /// A PEM block whose body is empty.
    PemEmpty {
        /// The block's label.
        label: String,
    },
    /// A PEM label netlens does not read (and which is not a known non-certificate type).
    UnsupportedPemLabel {
        /// The label.
        label: String,
    },
    /// A well-known PEM type that is not a certificate (CSR, public key, CRL…); skipped.
    NotACertificate {
        /// The label.
        label: String,
        /// What it is, in words.
        what: &'static str,
    },
    /// A certificate revocation list: the decoder skips it (chain analysis uses it).
    CrlSkipped,
    /// A PKCS#12 file: its certificates are encrypted, and opening it needs its password.
    Pkcs12NeedsPassword,
    /// An OCSP response or an SCT list: the decoder skips it (chain analysis uses it).
    StapleSkipped {
        /// What it is, in words.
        what: &'static str,
    },
    /// A private key block; skipped without decoding.
    PrivateKeyIgnored {
        /// The label.
        label: String,
    },
    /// The bytes are not well-formed DER.
    MalformedDer {
        /// What the scanner found.
        detail: ScanError,
    },
    /// Well-formed DER that is not a valid X.509 certificate.
    InvalidCertificate {
        /// The decoder's explanation.
        detail: String,
    },
    /// A DER element that is neither a certificate nor a PKCS#7 bundle.
    UnknownStructure,
    /// A PKCS#7 / CMS structure that is not a certs-only SignedData we can read.
    InvalidPkcs7 {
        /// What is wrong.
        detail: String,
    },
    /// A PKCS#7 bundle with no certificates in it.
    EmptyPkcs7,
    /// Bytes left after the last DER element.
    TrailingData {
        /// Number of bytes left over.
        len: usize,
    },
    /// More problems than [`crate::limits::MAX_REPORTED_PROBLEMS`]; the rest are counted here.
    ProblemsOmitted {
        /// How many were not listed.
        count: usize,
    },
}

impl ProblemKind {
    /// The stable machine-readable code for this kind of problem.
    pub fn code(&self) -> &'static str {
        match self {
            ProblemKind::TooLarge { .. } => "too-large",
            ProblemKind::TooManyCertificates { .. } => "too-many-certificates",
            ProblemKind::Empty => "empty",
            ProblemKind::NothingRecognised => "nothing-recognised",
            ProblemKind::PemUnterminated { .. } => "pem-unterminated",
            ProblemKind::PemMissingBegin { .. } => "pem-missing-begin",
            ProblemKind::PemMismatchedEnd { .. } => "pem-mismatched-end",
            ProblemKind::PemInvalidCharacter { .. } => "pem-invalid-character",
            ProblemKind::Base64Invalid { .. } => "base64-invalid",
            ProblemKind::PemEmpty { .. } => "pem-empty",
            ProblemKind::UnsupportedPemLabel { .. } => "unsupported-pem-label",
            ProblemKind::NotACertificate { .. } => "not-a-certificate",
            ProblemKind::CrlSkipped => "crl-skipped",
            ProblemKind::StapleSkipped { .. } => "staple-skipped",
            ProblemKind::Pkcs12NeedsPassword => "pkcs12-needs-password",
            ProblemKind::PrivateKeyIgnored { .. } => "private-key-ignored",
            ProblemKind::MalformedDer { .. } => "malformed-der",
            ProblemKind::InvalidCertificate { .. } => "invalid-certificate",
            ProblemKind::UnknownStructure => "unknown-structure",
            ProblemKind::InvalidPkcs7 { .. } => "invalid-pkcs7",
            ProblemKind::EmptyPkcs7 => "empty-pkcs7",
            ProblemKind::TrailingData { .. } => "trailing-data",
            ProblemKind::ProblemsOmitted { .. } => "problems-omitted",
        }
    }

    /// How bad this kind of problem is.
    pub fn severity(&self) -> Severity {
        match self {
            ProblemKind::PrivateKeyIgnored { .. }
            | ProblemKind::ProblemsOmitted { .. }
            | ProblemKind::CrlSkipped
            | ProblemKind::StapleSkipped { .. } => Severity::Notice,
            ProblemKind::NotACertificate { .. } | ProblemKind::EmptyPkcs7 => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

fn mib(bytes: usize) -> String {
    let tenths = bytes.saturating_mul(10) / (1024 * 1024);
    format!("{}.{} MiB", tenths / 10, tenths % 10)
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::TooLarge { size, limit } => write!(
                f,
                "input refused: it is {} ({size} bytes) and the limit is {} per paste or file",
                mib(*size),
                mib(*limit)
            ),
            ProblemKind::TooManyCertificates { limit } => write!(
                f,
                "input refused: it holds more than {limit} certificates, the limit for one decode"
            ),
            ProblemKind::Empty => f.write_str("the input is empty"),
            ProblemKind::NothingRecognised => f.write_str(
                "no certificate found: expected PEM (-----BEGIN CERTIFICATE-----), DER, \
                 base64 without armor, hex, or a PKCS#7 bundle (.p7b)",
            ),
            ProblemKind::PemUnterminated { label } => write!(
                f,
                "\"-----BEGIN {label}-----\" has no matching \"-----END {label}-----\" line; \
                 the block may have been cut off when copying"
            ),
            ProblemKind::PemMissingBegin { label } => write!(
                f,
                "found \"-----END {label}-----\" but no \"-----BEGIN {label}-----\" line; \
                 copy the whole block including its first line"
            ),
            ProblemKind::PemMismatchedEnd { begin, end } => write!(
                f,
                "\"-----BEGIN {begin}-----\" is closed by \"-----END {end}-----\"; the labels must match"
            ),
            ProblemKind::PemInvalidCharacter { character, at } => write!(
                f,
                "character {} at byte {at} is not base64; a PEM body holds only A-Z a-z 0-9 + / =",
                describe_char(*character)
            ),
            ProblemKind::Base64Invalid { detail } => {
                write!(f, "the base64 does not decode: {detail}")
            }
            ProblemKind::PemEmpty { label } => {
                write!(
                    f,
                    "the {label} block has no content between its BEGIN and END lines"
                )
            }
            ProblemKind::UnsupportedPemLabel { label } => write!(
                f,
                "\"{label}\" blocks are not certificates; netlens reads CERTIFICATE, \
                 TRUSTED CERTIFICATE, PKCS7 and CMS blocks"
            ),
            ProblemKind::NotACertificate { label, what } => {
                write!(
                    f,
                    "skipped a {label} block: it is {what}, not a certificate"
                )
            }
            ProblemKind::CrlSkipped => f.write_str(
                "skipped a certificate revocation list (CRL): the decoder shows certificates; \
                 chain analysis uses CRLs to check revocation offline",
            ),
            ProblemKind::Pkcs12NeedsPassword => f.write_str(
                "this is a PKCS#12 file (an identity: certificates and a key, encrypted): open it with its \
                 password (the page's password field, or `netlens chain FILE.p12 --password-file F`)",
            ),
            ProblemKind::StapleSkipped { what } => write!(
                f,
                "skipped {what}: the decoder shows certificates; chain analysis reads OCSP \
                 responses and SCT lists with the chain they belong to"
            ),
            ProblemKind::PrivateKeyIgnored { label } => write!(
                f,
                "skipped a {label} block without decoding it. It is a private key: nothing left \
                 this device, but avoid pasting private keys into any tool"
            ),
            ProblemKind::MalformedDer { detail } => write!(f, "not valid DER: {detail}"),
            ProblemKind::InvalidCertificate { detail } => {
                write!(f, "not a valid X.509 certificate: {detail}")
            }
            ProblemKind::UnknownStructure => f.write_str(
                "this DER structure is neither an X.509 certificate nor a PKCS#7 bundle",
            ),
            ProblemKind::InvalidPkcs7 { detail } => write!(f, "unreadable PKCS#7 bundle: {detail}"),
            ProblemKind::EmptyPkcs7 => f.write_str("the PKCS#7 bundle contains no certificates"),
            ProblemKind::TrailingData { len } => write!(
                f,
                "{len} unexpected bytes after the last DER structure (corrupted or concatenated with something else?)"
            ),
            ProblemKind::ProblemsOmitted { count } => {
                write!(f, "{count} more problems were found and not listed")
            }
        }
    }
}

fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("'{c}' (U+{:04X})", u32::from(c))
    }
}

/// One problem found while reading input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputProblem {
    /// What went wrong.
    pub kind: ProblemKind,
    /// Where, when it concerns one place.
    pub location: Option<Location>,
}

impl InputProblem {
    /// A problem at a place.
    pub fn at(kind: ProblemKind, location: Location) -> Self {
        Self {
            kind,
            location: Some(location),
        }
    }

    /// A problem about the input as a whole.
    pub fn whole(kind: ProblemKind) -> Self {
        Self {
            kind,
            location: None,
        }
    }

    /// The stable code (see [`ProblemKind::code`]).
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The severity (see [`ProblemKind::severity`]).
    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }

    /// The message without the location.
    pub fn message(&self) -> String {
        self.kind.to_string()
    }
}

impl fmt::Display for InputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(location) => write!(f, "{location}: {}", self.kind),
            None => write!(f, "{}", self.kind),
        }
    }
}

impl Serialize for InputProblem {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("InputProblem", 4)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("severity", &self.severity())?;
        s.serialize_field("message", &self.message())?;
        s.serialize_field("location", &self.location)?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_reads_like_a_place() {
        let loc = Location {
            source: Some("chain.pem".into()),
            block: Some(2),
            line: Some(14),
            byte_offset: 812,
            bundle_index: None,
            der_offset: Some(40),
        };
        assert_eq!(
            loc.to_string(),
            "file chain.pem, block 2 (line 14, byte 812), at DER offset 40"
        );
        assert_eq!(Location::default().to_string(), "byte 0");
    }

    #[test]
    fn too_large_message_names_both_sizes() {
        let msg = ProblemKind::TooLarge {
            size: 6 * 1024 * 1024,
            limit: 5 * 1024 * 1024,
        }
        .to_string();
        assert!(msg.contains("6.0 MiB"), "{msg}");
        assert!(msg.contains("5.0 MiB"), "{msg}");
    }
}
