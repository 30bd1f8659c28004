//! # netlens-x509: reading certificates from whatever users paste
//!
//! The pure core of netlens' certificate tools. No wasm, no DOM, no clock, no network: the web
//! app, the CLI and the tests all call the same functions and get the same answers.
//!
//! - [`input`] finds certificates in pasted text or file bytes: PEM anywhere in surrounding
//!   text, DER, base64 or hex without armor, PKCS#7 bundles. Every certificate keeps the
//!   [`Location`] it came from; everything unusable becomes an [`InputProblem`] naming the
//!   block, line and byte offset.
//! - [`details`] decodes each certificate into [`CertificateDetails`], the stable JSON contract
//!   shared by `netlens decode --json` and the JS `decodeCertificates()` API.
//! - [`limits`] bounds the work: inputs over 5 MiB or batches over 500 certificates are refused
//!   with a message, never truncated silently.
//!
//! Untrusted input never panics: the DER scanner is bounds-checked, the x509 decoder returns
//! errors, and the fuzz-style tests feed truncated and mutated certificates through everything.
//!
//! ```
//! let report = netlens_x509::decode(b"not a certificate", None, 0);
//! assert!(report.certificates.is_empty());
//! assert_eq!(report.problems[0].code(), "nothing-recognised");
//! ```

pub mod der_scan;
pub mod details;
pub mod dn;
pub mod extensions;
pub mod hex;
pub mod input;
pub mod keys;
pub mod limits;
pub mod ocsp;
pub mod oids;
mod pkcs7;
pub mod problem;
pub mod sct;
pub mod sct_text;
pub mod time;

use serde::Serialize;

pub use details::{CertificateDetails, RawCertificate};
pub use input::{Container, FoundCertificate, FoundCrl, FoundStaple, StapleKind};
pub use problem::{InputProblem, Location, ProblemKind, Severity};

/// The limits in force, echoed in every report so a UI can quote them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// [`limits::MAX_INPUT_BYTES`].
    pub max_input_bytes: usize,
    /// [`limits::MAX_CERTIFICATES`].
    pub max_certificates: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: limits::MAX_INPUT_BYTES,
            max_certificates: limits::MAX_CERTIFICATES,
        }
    }
}

/// The result of decoding one or more inputs.
#[derive(Clone, Debug, Serialize)]
pub struct DecodeReport {
    /// The moment validity was judged against, RFC 3339 UTC.
    pub decoded_at: String,
    /// Decoded certificates in input order.
    pub certificates: Vec<CertificateDetails>,
    /// Problems in input order.
    pub problems: Vec<InputProblem>,
    /// The limits in force.
    pub limits: Limits,
}

impl DecodeReport {
    /// True when any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.problems
            .iter()
            .any(|p| p.severity() == Severity::Error)
    }

    /// The problems that refused the whole input (size or count limits), if any.
    pub fn refusal(&self) -> Option<&InputProblem> {
        self.problems.iter().find(|p| {
            matches!(
                p.kind,
                ProblemKind::TooLarge { .. } | ProblemKind::TooManyCertificates { .. }
            )
        })
    }
}

/// Decodes a batch of inputs (pasted text and files) against one certificate budget.
///
/// ```
/// let mut decoder = netlens_x509::Decoder::new(1_700_000_000);
/// decoder.add(b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", Some("empty.pem"));
/// let report = decoder.finish();
/// assert_eq!(report.problems[0].code(), "pem-empty");
/// ```
#[derive(Debug)]
pub struct Decoder {
    now: i64,
    certificates: Vec<CertificateDetails>,
    problems: Vec<InputProblem>,
    omitted_problems: usize,
    found: usize,
    refused: bool,
}

impl Decoder {
    /// A decoder judging validity at `now` (Unix seconds).
    pub fn new(now: i64) -> Self {
        Self {
            now,
            certificates: Vec::new(),
            problems: Vec::new(),
            omitted_problems: 0,
            found: 0,
            refused: false,
        }
    }

    /// Scans and decodes one input; `source` names the file (`None` for pasted text).
    pub fn add(&mut self, input: &[u8], source: Option<&str>) {
        if self.refused {
            return;
        }
        let budget = limits::MAX_CERTIFICATES - self.found;
        let scan = input::scan_with_budget(input, source, budget);
        self.found += scan.certificates().len();
        self.omitted_problems += scan.omitted_problems();
        if scan.over_budget() {
            self.refused = true;
            self.certificates.clear();
            self.problems = vec![InputProblem::whole(ProblemKind::TooManyCertificates {
                limit: limits::MAX_CERTIFICATES,
            })];
            return;
        }
        // Scan problems and decode failures are interleaved by position so the list reads in
        // input order.
        let mut scan = scan;
        let staples = scan.take_staples();
        let (certificates, crls, mut problems) = scan.into_parts();
        problems.extend(staples.into_iter().map(|staple| {
            InputProblem::at(
                ProblemKind::StapleSkipped {
                    what: staple.kind.describe(),
                },
                staple.location,
            )
        }));
        problems.extend(
            crls.into_iter()
                .map(|crl| InputProblem::at(ProblemKind::CrlSkipped, crl.location)),
        );
        for found in &certificates {
            match details::decode(found, self.certificates.len(), self.now) {
                Ok(details) => self.certificates.push(details),
                Err(e) => problems.push(InputProblem::at(
                    ProblemKind::InvalidCertificate { detail: e.detail },
                    Location {
                        der_offset: e.der_offset,
                        ..found.location.clone()
                    },
                )),
            }
        }
        problems.sort_by_key(|p| {
            p.location
                .as_ref()
                .map_or((0, 0), |l| (l.byte_offset, l.bundle_index.unwrap_or(0)))
        });
        self.problems.extend(problems);
    }

    /// Records an input that was refused before reading because it is over
    /// [`limits::MAX_INPUT_BYTES`] (a UI checks a dropped file's size before loading it).
    pub fn add_too_large(&mut self, size: usize, source: Option<&str>) {
        if self.refused {
            return;
        }
        self.problems.push(InputProblem::at(
            ProblemKind::TooLarge {
                size,
                limit: limits::MAX_INPUT_BYTES,
            },
            Location {
                source: source.map(str::to_owned),
                ..Location::default()
            },
        ));
    }

    /// Ends the batch.
    pub fn finish(mut self) -> DecodeReport {
        // A refused batch reports only the refusal.
        let mut omitted = if self.refused {
            0
        } else {
            self.omitted_problems
        };
        if self.problems.len() > limits::MAX_REPORTED_PROBLEMS {
            omitted += self.problems.len() - limits::MAX_REPORTED_PROBLEMS;
            self.problems.truncate(limits::MAX_REPORTED_PROBLEMS);
        }
        if omitted > 0 {
            self.problems
                .push(InputProblem::whole(ProblemKind::ProblemsOmitted {
                    count: omitted,
                }));
        }
        DecodeReport {
            decoded_at: time::rfc3339_from_unix(self.now),
            certificates: self.certificates,
            problems: self.problems,
            limits: Limits::default(),
        }
    }
}

/// Decodes a single input; see [`Decoder`] for batches.
pub fn decode(input: &[u8], source: Option<&str>, now: i64) -> DecodeReport {
    let mut decoder = Decoder::new(now);
    decoder.add(input, source);
    decoder.finish()
}
