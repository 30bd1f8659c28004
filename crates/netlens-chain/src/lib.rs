//! # netlens-chain: will clients trust this certificate chain, and if not, why?
//!
//! Offline certificate-chain analysis for TLS servers, pure Rust, the same in the browser and the
//! CLI. Give it the chain a server sends (any format the decoder reads, in any order), optionally
//! a host name, a validation time, your own trust anchors, CRLs and Apple's CT log list; get back
//! verdicts for Apple platforms and for a strict standard TLS client, every finding with its rule
//! id, the certificate it concerns, the source of the requirement and a fix, the chain as sent
//! beside the chain as built, and the corrected chain to deploy.
//!
//! How it works:
//! 1. [`model`]: every certificate is parsed once ([`netlens_x509`] does the reading).
//! 2. [`path`]: candidate paths from the leaf to a trust anchor ([`store`]), each link's signature
//!    verified once ([`crypto`], RustCrypto).
//! 3. [`validate`], [`apple`], [`crl`]: every candidate path is checked against the catalog
//!    ([`catalog`]); the path shown is the one with the fewest errors, the others are alternatives.
//! 4. Chain-level findings (order, extras, duplicates, anchors) and the verdicts complete the
//!    [`Analysis`].
//!
//! ```
//! let mut analyzer = netlens_chain::Analyzer::new(netlens_chain::Options::at(1_780_272_000));
//! analyzer.add_chain(b"not a certificate", None);
//! let analysis = analyzer.analyze();
//! assert_eq!(analysis.verdicts["apple"], "fail");
//! assert!(analysis.findings.iter().any(|f| f.rule == "chain.parse-error"));
//! ```

pub mod apple;
pub mod catalog;
pub mod constraints;
pub mod crl;
pub mod crypto;
pub mod ct;
pub mod finding;
pub mod model;
pub mod names;
pub mod path;
pub mod report;
pub mod store;
pub mod validate;

use std::collections::{BTreeMap, HashSet};

use netlens_x509::{FoundCertificate, FoundCrl, InputProblem, Severity as InputSeverity, limits};

pub use catalog::{Profile, RULES, Rule, Severity};
pub use finding::Finding;
pub use report::Analysis;

use crate::model::ChainCert;
use crate::names::Host;
use crate::path::Path;
use crate::store::TrustStore;
use crate::validate::Context;

/// What the leaf certificate is used for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Purpose {
    /// A TLS server (the default).
    #[default]
    ServerAuth,
    /// A TLS client.
    ClientAuth,
}

/// A name a client certificate must carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectedName {
    /// A DNS name or IP address.
    Host(Host),
    /// An email address.
    Email(String),
}

impl std::fmt::Display for ExpectedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpectedName::Host(h) => write!(f, "{h}"),
            ExpectedName::Email(e) => write!(f, "email:{e}"),
        }
    }
}

/// Analysis options.
#[derive(Clone, Debug)]
pub struct Options {
    /// The moment validity is judged at (Unix seconds).
    pub at: i64,
    /// Host name or IP address the client connects to.
    pub host: Option<Host>,
    /// Trust Mozilla's root program (the `webpki-roots` crate).
    pub builtin_roots: bool,
    /// What the leaf is used for.
    pub purpose: Purpose,
    /// Names a client certificate must carry ([`Purpose::ClientAuth`]).
    pub client_names: Vec<ExpectedName>,
    /// Most logical intermediates allowed (x509-limbo's `max_chain_depth`).
    pub max_intermediates: Option<usize>,
    /// Key usages the leaf must allow when it has a key usage extension.
    pub required_key_usage: Vec<String>,
    /// Which certificate is the leaf (index as sent); chosen automatically when `None`.
    pub leaf: Option<usize>,
    /// The user's anchors are public roots (e.g. exported from macOS System Roots), so Apple's
    /// rules for preinstalled roots apply to chains ending at them.
    pub anchors_are_public: bool,
}

impl Options {
    /// Defaults (server authentication, Mozilla's roots) at the moment `at`.
    pub fn at(at: i64) -> Options {
        Options {
            at,
            host: None,
            builtin_roots: true,
            purpose: Purpose::ServerAuth,
            client_names: Vec::new(),
            max_intermediates: None,
            required_key_usage: Vec::new(),
            leaf: None,
            anchors_are_public: false,
        }
    }
}

/// Collects inputs, then analyzes.
pub struct Analyzer {
    options: Options,
    chain: Vec<FoundCertificate>,
    anchors: Vec<FoundCertificate>,
    crls: Vec<FoundCrl>,
    problems: Vec<(InputProblem, bool)>,
    log_list: Option<ct::LogList>,
    log_list_error: Option<String>,
}

impl Analyzer {
    /// An analyzer with `options`.
    pub fn new(options: Options) -> Self {
        Analyzer {
            options,
            chain: Vec::new(),
            anchors: Vec::new(),
            crls: Vec::new(),
            problems: Vec::new(),
            log_list: None,
            log_list_error: None,
        }
    }

    /// Adds chain input (pasted text or a file's bytes): certificates and CRLs in any format.
    pub fn add_chain(&mut self, input: &[u8], source: Option<&str>) {
        let budget = limits::MAX_CERTIFICATES.saturating_sub(self.chain.len());
        let scan = netlens_x509::input::scan_with_budget(input, source, budget);
        if scan.over_budget() {
            self.problems.push((
                InputProblem::whole(netlens_x509::ProblemKind::TooManyCertificates {
                    limit: limits::MAX_CERTIFICATES,
                }),
                false,
            ));
        }
        let (certs, crls, problems) = scan.into_parts();
        self.chain.extend(certs);
        self.crls.extend(crls);
        self.problems
            .extend(problems.into_iter().map(|p| (p, false)));
    }

    /// Adds trust-anchor input: root (or intermediate) certificates the clients trust.
    pub fn add_anchors(&mut self, input: &[u8], source: Option<&str>) {
        let budget = limits::MAX_CERTIFICATES.saturating_sub(self.anchors.len());
        let scan = netlens_x509::input::scan_with_budget(input, source, budget);
        let (certs, _crls, problems) = scan.into_parts();
        self.anchors.extend(certs);
        self.problems
            .extend(problems.into_iter().map(|p| (p, true)));
    }

    /// Records an input refused before reading because it is over the size limit (a UI checks a
    /// dropped file's size before loading it). `anchors` tells which input it was meant for.
    pub fn add_too_large(&mut self, size: usize, source: Option<&str>, anchors: bool) {
        self.problems.push((
            InputProblem::at(
                netlens_x509::ProblemKind::TooLarge {
                    size,
                    limit: limits::MAX_INPUT_BYTES,
                },
                netlens_x509::Location {
                    source: source.map(str::to_owned),
                    ..netlens_x509::Location::default()
                },
            ),
            anchors,
        ));
    }

    /// Loads Apple's CT log list (`log_list.json`).
    pub fn set_ct_log_list(&mut self, json: &[u8]) -> Result<(), String> {
        match ct::LogList::parse(json) {
            Ok(list) => {
                self.log_list = Some(list);
                self.log_list_error = None;
                Ok(())
            }
            Err(e) => {
                self.log_list_error = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Runs the analysis, verifying signatures with RustCrypto.
    pub fn analyze(self) -> Analysis {
        self.prepare().finish(&crypto::RustCrypto)
    }

    /// Parses everything and builds the trust store: the first half of an analysis. The browser
    /// shell uses [`Prepared::plan`] to verify signatures with WebCrypto before
    /// [`Prepared::finish`].
    pub fn prepare(self) -> Prepared {
        prepare(self)
    }
}

/// An analysis with its inputs parsed, waiting for signature verification.
pub struct Prepared {
    options: Options,
    global: Vec<Finding>,
    sent: Vec<ChainCert>,
    certs: Vec<ChainCert>,
    anchor_certs: Vec<ChainCert>,
    crls: Vec<crl::Crl>,
    store: TrustStore,
    log_list: Option<ct::LogList>,
}

impl Prepared {
    /// Every signature check the analysis may need (bounded), for a verifier to run ahead.
    pub fn plan(&self) -> Vec<crypto::VerifyRequest> {
        let mut requests = path::plan(&self.certs, &self.store);
        requests.extend(crl::plan(&self.crls, &self.certs, &self.store));
        requests
    }

    /// Builds paths, validates them and assembles the report, verifying with `verifier`.
    pub fn finish(self, verifier: &dyn crypto::Verifier) -> Analysis {
        finish(self, verifier)
    }
}

/// Orders findings: errors first, then by certificate, then by rule.
fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(
                a.certificate
                    .unwrap_or(usize::MAX)
                    .cmp(&b.certificate.unwrap_or(usize::MAX)),
            )
            .then(a.rule.cmp(b.rule))
    });
}

/// Picks the leaf: the first certificate sent, unless it issued another one of the set while
/// some certificate issued none (then the first of those, preferring non-CAs).
fn choose_leaf(certs: &[ChainCert], options: &Options) -> usize {
    if let Some(wanted) = options.leaf
        && let Some(i) = certs.iter().position(|c| c.index == wanted)
    {
        return i;
    }
    let issues_another = |i: usize| {
        certs
            .iter()
            .enumerate()
            .any(|(j, c)| j != i && c.issuer_key == certs[i].subject_key && !c.self_issued())
    };
    if !issues_another(0) {
        return 0;
    }
    let mut candidates: Vec<usize> = (0..certs.len()).filter(|&i| !issues_another(i)).collect();
    candidates.sort_by_key(|&i| (certs[i].is_ca(), certs[i].index));
    candidates.first().copied().unwrap_or(0)
}

struct Evaluated {
    path: Path,
    findings: Vec<Finding>,
    ct: Option<ct::CtReport>,
    errors: usize,
}

fn prepare(input: Analyzer) -> Prepared {
    let Analyzer {
        options,
        chain,
        anchors,
        crls,
        problems,
        log_list,
        log_list_error,
    } = input;
    let now = options.at;
    let mut global: Vec<Finding> = Vec::new();

    for (problem, anchor_input) in &problems {
        if problem.severity() == InputSeverity::Error {
            let prefix = if *anchor_input {
                "trust anchor input: "
            } else {
                ""
            };
            global.push(Finding::new(
                "chain.parse-error",
                None,
                format!("{prefix}{problem}"),
            ));
        }
    }
    if let Some(e) = &log_list_error {
        global.push(Finding::new("chain.parse-error", None, format!("CT log list: {e}")).warning());
    }

    // Parse; keep the first copy of each certificate for path building.
    let mut sent: Vec<ChainCert> = Vec::new();
    for (i, found) in chain.iter().enumerate() {
        match ChainCert::parse(found, i, now) {
            Ok(c) => sent.push(c),
            Err(e) => global.push(Finding::new(
                "chain.parse-error",
                Some(i),
                format!(
                    "{}: not a valid X.509 certificate: {}{}",
                    found.location,
                    e.detail,
                    e.der_offset
                        .map(|o| format!(" (at DER offset {o})"))
                        .unwrap_or_default()
                ),
            )),
        }
    }
    let mut certs: Vec<ChainCert> = Vec::new();
    for c in &sent {
        match certs.iter().find(|d| d.fingerprint == c.fingerprint) {
            Some(first) => global.push(Finding::new(
                "chain.duplicate-certificate",
                Some(c.index),
                format!("{} is a second copy of {}.", c.label(), first.label()),
            )),
            None => certs.push(c.clone()),
        }
    }
    let mut anchor_certs = Vec::new();
    for (i, found) in anchors.iter().enumerate() {
        match ChainCert::parse(found, i, now) {
            Ok(c) => anchor_certs.push(c),
            Err(e) => global.push(Finding::new(
                "chain.parse-error",
                None,
                format!("trust anchor input, {}: {}", found.location, e.detail),
            )),
        }
    }
    let mut parsed_crls = Vec::new();
    for found in &crls {
        match crl::Crl::parse(found) {
            Ok(c) => parsed_crls.push(c),
            Err(e) => global.push(Finding::new(
                "chain.crl-invalid",
                None,
                format!("The CRL at {} cannot be read: {e}.", found.location),
            )),
        }
    }
    let store = TrustStore::new(
        options.builtin_roots,
        &anchor_certs,
        options.anchors_are_public,
    );
    Prepared {
        options,
        global,
        sent,
        certs,
        anchor_certs,
        crls: parsed_crls,
        store,
        log_list,
    }
}

fn finish(prepared: Prepared, verifier: &dyn crypto::Verifier) -> Analysis {
    let Prepared {
        options,
        mut global,
        sent,
        certs,
        anchor_certs,
        crls: parsed_crls,
        store,
        log_list,
    } = prepared;
    let now = options.at;
    // The report when no path exists: the findings so far, nothing built.
    let without_path = |findings: Vec<Finding>| {
        report::assemble(report::Parts {
            options: &options,
            sent: &sent,
            certs: &certs,
            store: &store,
            best: None,
            others: Vec::new(),
            findings,
            ct: None,
            log_list: log_list.as_ref(),
        })
    };
    if certs.is_empty() {
        if !global.iter().any(|f| f.rule == "chain.parse-error") {
            global.push(Finding::new(
                "chain.parse-error",
                None,
                "No certificate was given.",
            ));
        }
        return without_path(global);
    }

    let leaf = choose_leaf(&certs, &options);
    let search = path::Builder::new(&certs, &store, verifier, now).build(leaf);
    let exhausted = search.exhausted;
    let paths = search.paths;
    let ctx = Context {
        certs: &certs,
        anchor_certs: &anchor_certs,
        store: &store,
        options: &options,
    };
    let mut evaluated: Vec<Evaluated> = paths
        .into_iter()
        .map(|p| {
            let mut findings = validate::validate(&ctx, &p);
            let apple = apple::check(&ctx, &p, log_list.as_ref());
            findings.extend(apple.findings);
            findings.extend(crl::check(&ctx, &p, &parsed_crls, verifier));
            let errors = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            Evaluated {
                path: p,
                findings,
                ct: apple.ct,
                errors,
            }
        })
        .collect();
    // Best: fewest errors, then trusted, then shorter, then found first.
    evaluated.sort_by_key(|e| (e.errors, !e.path.end.is_trusted(), e.path.certs.len()));
    let mut evaluated = evaluated.into_iter();
    let Some(best) = evaluated.next() else {
        global.push(Finding::new(
            "chain.missing-intermediate",
            Some(certs[leaf].index),
            "No path could be built.",
        ));
        return without_path(global);
    };
    let others: Vec<(Path, usize)> = evaluated.map(|e| (e.path, e.errors)).collect();

    let mut findings = global;
    if exhausted && !best.path.end.is_trusted() {
        findings.push(Finding::new(
            "chain.search-limit",
            Some(certs[leaf].index),
            format!(
                "The certificates allow too many candidate paths: the search stopped (at {} signature checks \
                 or {} certificates visited) without reaching a trusted root.",
                path::MAX_VERIFICATIONS,
                path::MAX_SEARCH_STEPS
            ),
        ));
    }
    findings.extend(best.findings);
    findings.extend(chain_level(&certs, &store, &best.path, &options));
    dedupe(&mut findings);
    sort_findings(&mut findings);
    report::assemble(report::Parts {
        options: &options,
        sent: &sent,
        certs: &certs,
        store: &store,
        best: Some(best.path),
        others,
        findings,
        ct: best.ct,
        log_list: log_list.as_ref(),
    })
}

/// Identical findings (same rule, certificate and message) reported by overlapping checks.
fn dedupe(findings: &mut Vec<Finding>) {
    let mut seen = HashSet::new();
    findings.retain(|f| seen.insert((f.rule, f.certificate, f.anchor.clone(), f.message.clone())));
}

/// Findings about the chain as a whole: order, extras, anchors included, revocation pointers.
fn chain_level(
    certs: &[ChainCert],
    store: &TrustStore,
    best: &Path,
    options: &Options,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let on_path: Vec<usize> = best.certs.iter().map(|&i| certs[i].index).collect();
    let anchor = best.end.anchor();

    // Order: the certificates of the path must come first, leaf first, each followed by its issuer.
    let sent_order: Vec<usize> = {
        let mut v: Vec<usize> = certs.iter().map(|c| c.index).collect();
        v.sort_unstable();
        v
    };
    let path_in_sent_order: Vec<usize> = sent_order
        .iter()
        .copied()
        .filter(|i| on_path.contains(i))
        .collect();
    if path_in_sent_order != on_path || sent_order.first() != on_path.first() {
        let expected: Vec<String> = on_path.iter().map(|i| format!("#{}", i + 1)).collect();
        out.push(
            Finding::new(
                "chain.wrong-order",
                on_path.first().copied(),
                format!(
                    "The certificates are sent as {}; a TLS 1.2 server must send the path in order: {}.",
                    sent_order.iter().map(|i| format!("#{}", i + 1)).collect::<Vec<_>>().join(", "),
                    expected.join(", ")
                ),
            )
            .fix(
                "Concatenate leaf first, then each issuer: `cat leaf.pem intermediate.pem > fullchain.pem` \
                 (or use the fixed chain below).",
            ),
        );
    }

    for c in certs {
        if on_path.contains(&c.index) {
            continue;
        }
        match store.same_as(c) {
            Some(a) => {
                let used = anchor == Some(a);
                out.push(Finding::new(
                    "chain.contains-anchor",
                    Some(c.index),
                    if used {
                        format!(
                            "{} is the trusted root the chain ends at; sending it is unnecessary.",
                            c.label()
                        )
                    } else {
                        format!(
                            "{} is a trusted root that the chosen path does not use.",
                            c.label()
                        )
                    },
                ));
            }
            None => out.push(Finding::new(
                "chain.extra-certificate",
                Some(c.index),
                format!(
                    "{} is not on the path from the leaf to the root{}.",
                    c.label(),
                    if c.is_ca() {
                        " (a cross-signed or unrelated CA?)"
                    } else {
                        ""
                    }
                ),
            )),
        }
    }

    // Revocation pointers, as information.
    let mut pointers = Vec::new();
    for &i in &best.certs {
        let c = &certs[i];
        let ocsp = c
            .details
            .authority_info_access
            .as_ref()
            .map(|a| a.ocsp.clone())
            .unwrap_or_default();
        let crl = c.details.crl_distribution_points.clone();
        if !ocsp.is_empty() || !crl.is_empty() {
            let mut parts = Vec::new();
            if !ocsp.is_empty() {
                parts.push(format!("OCSP {}", ocsp.join(", ")));
            }
            if !crl.is_empty() {
                parts.push(format!("CRL {}", crl.join(", ")));
            }
            pointers.push(format!("{}: {}", c.label(), parts.join("; ")));
        }
        if c.details.must_staple {
            pointers.push(format!(
                "{} requires OCSP stapling (Must-Staple): the server must staple a fresh OCSP response.",
                c.label()
            ));
        }
    }
    if !pointers.is_empty() {
        out.push(Finding::new(
            "info.revocation-pointers",
            None,
            format!("Revocation can be checked at: {}.", pointers.join(" · ")),
        ));
    }
    if options.purpose == Purpose::ServerAuth {
        out.push(Finding::new(
            "ats.server-configuration",
            None,
            "The certificate half of App Transport Security is checked above. ATS also needs the server to \
             negotiate TLS 1.2 or later with an ECDHE (forward-secret) AES suite; certificates cannot show that.",
        ));
        if options.host.is_none() {
            out.push(Finding::new(
                "info.no-hostname",
                None,
                "No host name was given: the certificate's names were not matched against the host clients connect to.",
            ));
        }
    }
    out
}

/// Per-profile verdicts from findings: a profile fails when any error finding decides it.
pub fn verdicts(findings: &[Finding]) -> BTreeMap<String, String> {
    Profile::ALL
        .iter()
        .map(|p| {
            let pass = !findings.iter().any(|f| f.fails(*p));
            (
                p.id().to_owned(),
                if pass { "pass" } else { "fail" }.to_owned(),
            )
        })
        .collect()
}
