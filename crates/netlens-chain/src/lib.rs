//! # netlens-chain: will clients trust this certificate chain, and if not, why?
//!
//! Offline certificate-chain analysis for TLS servers, pure Rust, the same in the browser and the
//! CLI. Give it the chain a server sends (any format the decoder reads, in any order), optionally
//! a host name, a validation time, your own trust anchors, CRLs and Apple's CT log list; get back
//! verdicts for Apple platforms and for a strict standard TLS client, a trust matrix saying which
//! root stores (Apple's, Mozilla's, Chrome's) trust the chain and why not, every finding with its
//! rule id, the certificate it concerns, the source of the requirement and a fix, the chain as
//! sent beside the chain as built, and the corrected chain to deploy.
//!
//! How it works:
//! 1. [`model`]: every certificate is parsed once ([`netlens_x509`] does the reading).
//! 2. [`path`]: candidate paths from the leaf to a trust anchor of any store ([`store`], the
//!    union of [`netlens_roots`]' stores and the user's anchors), each link's signature verified
//!    once ([`crypto`], RustCrypto).
//! 3. [`validate`], [`apple`], [`crl`]: every candidate path is checked against the catalog
//!    ([`catalog`]).
//! 4. [`trust`]: each store settles on its path (one ending at a root it trusts if there is one,
//!    then the fewest errors) and says why it does not trust it. The `apple` verdict follows
//!    Apple's store, `rfc5280` Mozilla's (or [`Options::strict_store`]); the path shown is
//!    Apple's, the others are alternatives.
//! 5. Chain-level findings (order, extras, duplicates, anchors), the verdicts and the trust matrix
//!    complete the [`Analysis`].
//!
//! ```
//! let mut analyzer = netlens_chain::Analyzer::new(netlens_chain::Options::at(1_780_272_000));
//! analyzer.add_chain(b"not a certificate", None);
//! let analysis = analyzer.analyze();
//! assert_eq!(analysis.verdicts["apple"], "fail");
//! assert!(analysis.findings.iter().any(|f| f.rule == netlens_chain::catalog::RuleId::ChainParseError));
//! ```

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
pub mod rules;
pub mod store;

pub use rules::{apple, trust};

use std::collections::{BTreeMap, HashMap};

use netlens_x509::{FoundCertificate, FoundCrl, InputProblem, Severity as InputSeverity, limits};

pub use catalog::{Profile, RULES, Rule, Severity};
pub use finding::Finding;
pub use netlens_roots::{StoreId, TrustData};
pub use report::Analysis;

use crate::catalog::RuleId;
use crate::model::ChainCert;
use crate::names::Host;
use crate::path::{Path, PathEnd};
use crate::rules::Context;
use crate::store::TrustStore;

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
    /// Trust the compiled-in root stores (off: only the user's anchors).
    pub builtin_roots: bool,
    /// The root stores to evaluate against: the compiled-in ones, or (in tests) stores of test
    /// roots.
    pub trust_data: TrustData,
    /// The store the `rfc5280` verdict anchors on (`apple` always uses Apple's).
    pub strict_store: StoreId,
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
    /// What a live connection negotiated (`netlens chain --connect`), so that the iOS 18.4 key
    /// usage rule judges the key exchange actually used rather than the ones possible.
    pub negotiated: Option<Negotiated>,
}

/// The protocol version and cipher suite a server negotiated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Negotiated {
    /// `TLSv1.3`, `TLSv1.2`.
    pub protocol_version: String,
    /// The cipher suite's IANA name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`; rustls writes TLS
    /// 1.3's as `TLS13_AES_128_GCM_SHA256`).
    pub cipher_suite: String,
}

impl Negotiated {
    /// Whether the server's key signs the key exchange (ECDHE, DHE, and every TLS 1.3 suite),
    /// which needs `digitalSignature`; otherwise the key exchange is static RSA, which needs
    /// `keyEncipherment`.
    pub fn signed_key_exchange(&self) -> bool {
        self.protocol_version == "TLSv1.3"
            || self.cipher_suite.starts_with("TLS13_")
            || self.cipher_suite.contains("DHE_")
    }
}

impl Options {
    /// Defaults (server authentication, the compiled-in stores, `rfc5280` on Mozilla's) at the
    /// moment `at`.
    pub fn at(at: i64) -> Options {
        Options {
            at,
            host: None,
            builtin_roots: true,
            trust_data: TrustData::builtin(),
            strict_store: StoreId::Mozilla,
            purpose: Purpose::ServerAuth,
            client_names: Vec::new(),
            max_intermediates: None,
            required_key_usage: Vec::new(),
            leaf: None,
            anchors_are_public: false,
            negotiated: None,
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
    pub fn set_ct_log_list(&mut self, json: &[u8]) -> Result<(), ct::LogListError> {
        match ct::LogList::parse(json) {
            Ok(list) => {
                self.log_list = Some(list);
                self.log_list_error = None;
                Ok(())
            }
            Err(e) => {
                self.log_list_error = Some(e.to_string());
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

/// An analysis with its inputs parsed, waiting for signature verification. Cloned by the browser
/// to finish again when a truncated path search asked for checks beyond the plan.
#[derive(Clone)]
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
            .then(a.rule.as_str().cmp(b.rule.as_str()))
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
                RuleId::ChainParseError,
                None,
                format!("{prefix}{problem}"),
            ));
        }
    }
    if let Some(e) = &log_list_error {
        global.push(
            Finding::new(RuleId::ChainParseError, None, format!("CT log list: {e}")).warning(),
        );
    }

    // Parse; keep the first copy of each certificate for path building.
    let mut sent: Vec<ChainCert> = Vec::new();
    for (i, found) in chain.iter().enumerate() {
        match ChainCert::parse(found, i, now) {
            Ok(c) => sent.push(c),
            Err(e) => global.push(Finding::new(
                RuleId::ChainParseError,
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
                RuleId::ChainDuplicateCertificate,
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
                RuleId::ChainParseError,
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
                RuleId::ChainCrlInvalid,
                None,
                format!("The CRL at {} cannot be read: {e}.", found.location),
            )),
        }
    }
    let store = TrustStore::new(
        &options.trust_data,
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
    let without_path = |findings: Vec<Finding>, reason: &str| {
        report::assemble(report::Parts {
            options: &options,
            sent: &sent,
            certs: &certs,
            store: &store,
            primary: None,
            others: Vec::new(),
            deploy: Vec::new(),
            trust: StoreId::ALL
                .into_iter()
                .map(|s| report::untrusted_entry(s, reason))
                .collect(),
            findings,
            ct: None,
            log_list: log_list.as_ref(),
        })
    };
    if certs.is_empty() {
        if !global.iter().any(|f| f.rule == RuleId::ChainParseError) {
            global.push(Finding::new(
                RuleId::ChainParseError,
                None,
                "No certificate was given.",
            ));
        }
        return without_path(global, "No certificate was given.");
    }

    let leaf = choose_leaf(&certs, &options);
    let search = path::Builder::new(&certs, &store, verifier, now).build(leaf);
    let exhausted = search.exhausted;
    let ctx = Context {
        certs: &certs,
        anchor_certs: &anchor_certs,
        store: &store,
        options: &options,
    };
    let evaluated: Vec<Evaluated> = search
        .paths
        .into_iter()
        .map(|p| {
            let mut findings = rules::validate(&ctx, &p);
            let apple = apple::check(&ctx, &p, log_list.as_ref());
            findings.extend(apple.findings);
            findings.extend(crl::check(&ctx, &p, &parsed_crls, verifier));
            let errors = error_count(&findings);
            Evaluated {
                path: p,
                findings,
                ct: apple.ct,
                errors,
            }
        })
        .collect();
    if evaluated.is_empty() {
        global.push(Finding::new(
            RuleId::ChainMissingIntermediate,
            Some(certs[leaf].index),
            "No path could be built.",
        ));
        return without_path(
            global,
            "No path could be built from the certificates given.",
        );
    }

    // Each store settles on its path: one ending at a root it trusts if there is one, then the
    // fewest errors, then one reaching some anchor, then the shortest, then the first found.
    let chosen: Vec<Chosen> = StoreId::ALL
        .into_iter()
        .map(|store_id| {
            let assessed: Vec<trust::Assessment> = evaluated
                .iter()
                .map(|e| trust::assess(&ctx, &e.path, store_id))
                .collect();
            let best = (0..evaluated.len())
                .min_by_key(|&i| {
                    let e = &evaluated[i];
                    (
                        !assessed[i].trusted,
                        e.errors + error_count(&assessed[i].findings),
                        !e.path.end.is_trusted(),
                        e.path.certs.len(),
                        i,
                    )
                })
                .unwrap_or(0);
            Chosen {
                store: store_id,
                path: best,
                assessment: assessed
                    .into_iter()
                    .nth(best)
                    .unwrap_or_else(|| trust::Assessment {
                        trusted: false,
                        findings: Vec::new(),
                        reason: String::new(),
                    }),
            }
        })
        .collect();
    let of = |s: StoreId| &chosen[s as usize];
    let profiles_of = |s: StoreId| -> Vec<Profile> {
        let mut v = Vec::new();
        if s == StoreId::Apple {
            v.push(Profile::Apple);
        }
        if s == options.strict_store {
            v.push(Profile::Rfc5280);
        }
        v
    };
    let apple_choice = of(StoreId::Apple);
    let strict_choice = of(options.strict_store);
    let primary = apple_choice.path;

    let mut findings = global;
    if exhausted && !evaluated[primary].path.end.is_trusted() {
        findings.push(Finding::new(
            RuleId::ChainSearchLimit,
            Some(certs[leaf].index),
            format!(
                "The certificates allow too many candidate paths: the search stopped (at {} signature checks \
                 or {} certificates visited) without reaching a trusted root.",
                path::MAX_VERIFICATIONS,
                path::MAX_SEARCH_STEPS
            ),
        ));
    }
    let decided = |list: &[Finding], profiles: &[Profile]| -> Vec<Finding> {
        list.iter().map(|f| f.clone().deciding(profiles)).collect()
    };
    if strict_choice.path == primary {
        findings.extend(evaluated[primary].findings.iter().cloned());
        findings.extend(decided(
            &apple_choice.assessment.findings,
            &profiles_of(StoreId::Apple),
        ));
        if options.strict_store != StoreId::Apple {
            findings.extend(decided(
                &strict_choice.assessment.findings,
                &[Profile::Rfc5280],
            ));
        }
    } else {
        // The strict client settles on another path: each verdict keeps the errors of its own.
        for f in &evaluated[primary].findings {
            let mut f = f.clone();
            if f.severity == Severity::Error && !f.decides.is_empty() {
                f.decides.retain(|p| *p == Profile::Apple);
                if f.decides.is_empty() {
                    continue;
                }
            }
            findings.push(f);
        }
        findings.extend(decided(
            &apple_choice.assessment.findings,
            &[Profile::Apple],
        ));
        for f in &evaluated[strict_choice.path].findings {
            if f.fails(Profile::Rfc5280) {
                findings.push(f.clone().deciding(&[Profile::Rfc5280]));
            }
        }
        findings.extend(decided(
            &strict_choice.assessment.findings,
            &[Profile::Rfc5280],
        ));
    }

    // The paths to serve: every store's trusted path, Apple's first.
    let mut deploy: Vec<usize> = Vec::new();
    for s in [StoreId::Apple, options.strict_store]
        .into_iter()
        .chain(StoreId::ALL)
    {
        let c = of(s);
        if c.assessment.trusted && !deploy.contains(&c.path) {
            deploy.push(c.path);
        }
    }
    let deploy_paths: Vec<&Path> = deploy.iter().map(|&i| &evaluated[i].path).collect();
    findings.extend(chain_level(
        &certs,
        &store,
        &evaluated[primary].path,
        &deploy_paths,
        &options,
    ));
    if let Some(note) = paths_differ(&certs, &store, &chosen, &evaluated) {
        findings.push(note);
    }
    merge_duplicates(&mut findings);
    sort_findings(&mut findings);

    let trust_entries: Vec<report::TrustEntry> = chosen
        .iter()
        .map(|c| {
            let e = &evaluated[c.path];
            report::trust_entry(c.store, &c.assessment, &e.path, &certs, &store, e.errors)
        })
        .collect();
    let deploy_owned: Vec<Path> = deploy_paths.into_iter().cloned().collect();
    let mut evaluated = evaluated;
    let best = evaluated.swap_remove(primary);
    let mut others: Vec<(Path, usize)> =
        evaluated.into_iter().map(|e| (e.path, e.errors)).collect();
    others.sort_by_key(|(p, errors)| (*errors, !p.end.is_trusted(), p.certs.len()));
    report::assemble(report::Parts {
        options: &options,
        sent: &sent,
        certs: &certs,
        store: &store,
        primary: Some(best.path),
        others,
        deploy: deploy_owned,
        trust: trust_entries,
        findings,
        ct: best.ct,
        log_list: log_list.as_ref(),
    })
}

/// A store's choice of path.
struct Chosen {
    store: StoreId,
    /// Index into the evaluated paths.
    path: usize,
    assessment: trust::Assessment,
}

fn error_count(findings: &[Finding]) -> usize {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count()
}

/// "#1 → #2 → ISRG Root X1".
fn path_words(path: &Path, certs: &[ChainCert], store: &TrustStore) -> String {
    let mut parts: Vec<String> = path
        .certs
        .iter()
        .map(|&i| format!("#{}", certs[i].index + 1))
        .collect();
    if let PathEnd::Anchor(a) = path.end
        && let Some(anchor) = store.get(a)
    {
        parts.push(anchor.label.clone());
    }
    parts.join(" → ")
}

/// When stores that trust the chain settle on different paths, the served chain must hold the
/// certificates of each: say so, with the paths.
fn paths_differ(
    certs: &[ChainCert],
    store: &TrustStore,
    chosen: &[Chosen],
    evaluated: &[Evaluated],
) -> Option<Finding> {
    let trusted: Vec<&Chosen> = chosen.iter().filter(|c| c.assessment.trusted).collect();
    let first = trusted.first()?;
    if trusted
        .iter()
        .all(|c| evaluated[c.path].path.certs == evaluated[first.path].path.certs)
    {
        return None;
    }
    let described: Vec<String> = trusted
        .iter()
        .map(|c| {
            format!(
                "{}: {}",
                c.store.info().name,
                path_words(&evaluated[c.path].path, certs, store)
            )
        })
        .collect();
    let mut all: Vec<usize> = Vec::new();
    for c in &trusted {
        for &i in &evaluated[c.path].path.certs {
            if !all.contains(&certs[i].index) && store.same_as(&certs[i]).is_none() {
                all.push(certs[i].index);
            }
        }
    }
    Some(
        Finding::new(
            RuleId::TrustStorePathsDiffer,
            None,
            format!(
                "The stores that trust this chain build different paths ({}).",
                described.join("; ")
            ),
        )
        .fix(format!(
            "Serve {} (leaf first) so each client can build its own path; the chain to deploy below does.",
            all.iter()
                .map(|i| format!("#{}", i + 1))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    )
}

/// What makes two findings the same: rule, certificate, anchor, message.
type FindingKey = (RuleId, Option<usize>, Option<String>, String);

/// Identical findings (same rule, certificate, anchor and message) reported by overlapping
/// checks, or by two stores' paths, are one finding failing every verdict either fails.
fn merge_duplicates(findings: &mut Vec<Finding>) {
    let mut first: HashMap<FindingKey, usize> = HashMap::new();
    let mut keep = vec![true; findings.len()];
    for i in 0..findings.len() {
        let f = &findings[i];
        let key = (f.rule, f.certificate, f.anchor.clone(), f.message.clone());
        match first.get(&key) {
            Some(&j) => {
                let extra = findings[i].decides.clone();
                for p in extra {
                    if !findings[j].decides.contains(&p) {
                        findings[j].decides.push(p);
                    }
                }
                findings[j].decides.sort();
                keep[i] = false;
            }
            None => {
                first.insert(key, i);
            }
        }
    }
    let mut keep = keep.into_iter();
    findings.retain(|_| keep.next().unwrap_or(true));
}

/// Findings about the chain as a whole: order, extras, anchors included, revocation pointers.
/// `deploy` holds every store's trusted path: a certificate on any of them is not extra.
fn chain_level(
    certs: &[ChainCert],
    store: &TrustStore,
    best: &Path,
    deploy: &[&Path],
    options: &Options,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let on_path: Vec<usize> = best.certs.iter().map(|&i| certs[i].index).collect();
    let on_any_path: Vec<usize> = deploy
        .iter()
        .flat_map(|p| p.certs.iter().map(|&i| certs[i].index))
        .chain(on_path.iter().copied())
        .collect();
    let used_anchors: Vec<usize> = deploy
        .iter()
        .filter_map(|p| p.end.anchor())
        .chain(best.end.anchor())
        .collect();

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
                RuleId::ChainWrongOrder,
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
        if on_any_path.contains(&c.index) {
            continue;
        }
        match store.same_as(c) {
            Some(a) => {
                let used = used_anchors.contains(&a);
                out.push(Finding::new(
                    RuleId::ChainContainsAnchor,
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
                RuleId::ChainExtraCertificate,
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
            RuleId::InfoRevocationPointers,
            None,
            format!("Revocation can be checked at: {}.", pointers.join(" · ")),
        ));
    }
    if options.purpose == Purpose::ServerAuth {
        out.push(Finding::new(
            RuleId::AtsServerConfiguration,
            None,
            match &options.negotiated {
                // A live connection shows one handshake, not every one ATS might make.
                Some(n) => format!(
                    "The certificate half of App Transport Security is checked above. This connection negotiated {}, {}; \
                     ATS needs TLS 1.2 or later with an ECDHE (forward-secret) AES suite, and `netlens ats` tests each \
                     configuration it may use.",
                    n.protocol_version, n.cipher_suite
                ),
                None => "The certificate half of App Transport Security is checked above. ATS also needs the server to \
                     negotiate TLS 1.2 or later with an ECDHE (forward-secret) AES suite; certificates cannot show that."
                    .to_owned(),
            },
        ));
        if options.host.is_none() {
            out.push(Finding::new(
                RuleId::InfoNoHostname,
                None,
                "No host name was given: the certificate's names were not matched against the host clients connect to.",
            ));
        }
    }
    out
}

/// Per-profile verdicts from findings: a profile fails when any error finding decides it.
pub fn verdicts(findings: &[Finding]) -> BTreeMap<String, report::Verdict> {
    Profile::ALL
        .iter()
        .map(|p| {
            let verdict = if findings.iter().any(|f| f.fails(*p)) {
                report::Verdict::Fail
            } else {
                report::Verdict::Pass
            };
            (p.id().to_owned(), verdict)
        })
        .collect()
}
