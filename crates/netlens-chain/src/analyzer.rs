//! The analysis pipeline: [`Analyzer`] collects the input, [`Analyzer::prepare`] parses it and
//! builds candidate paths, [`Prepared::finish`] validates every path (rules in
//! [`crate::rules`]), lets each store choose its path ([`crate::trust`]) and assembles the
//! [`crate::Analysis`].

use std::collections::{BTreeMap, HashMap};

use netlens_x509::{FoundCertificate, FoundCrl, InputProblem, Severity as InputSeverity, limits};

use crate::Options;
use crate::catalog::{Profile, Severity};
use crate::finding::Finding;
use crate::report::Analysis;
use crate::{apple, crl, crypto, ct, path, report, rules, trust};
use netlens_roots::StoreId;

use crate::catalog::RuleId;
use crate::model::ChainCert;
use crate::path::{Path, PathEnd};
use crate::rules::Context;
use crate::store::TrustStore;

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
    findings.extend(rules::chain::chain_level(
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
