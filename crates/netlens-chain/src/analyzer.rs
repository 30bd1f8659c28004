//! The analysis pipeline: [`Analyzer`] collects the input, [`Analyzer::prepare`] parses it,
//! [`Prepared::finish`] builds candidate paths, runs the rules on each ([`crate::rules::run`]),
//! lets each store choose its path and assembles the [`crate::Analysis`]. It makes no finding
//! itself: every finding comes from a check in [`crate::rules::REGISTRY`].

use std::collections::HashMap;

use netlens_roots::StoreId;
use netlens_x509::{FoundCertificate, FoundCrl, FoundStaple, InputProblem, StapleKind, limits};

use crate::Options;
use crate::catalog::{Profile, RuleId, Severity};
use crate::finding::Finding;
use crate::model::ChainCert;
use crate::path::Path;
use crate::report::Analysis;
use crate::rules::{Context, InputFacts, Sent, StoreChoice, Unparsed, run};
use crate::store::TrustStore;
use crate::{crl, crypto, ct, ocsp, path, report, trust};

/// Collects inputs, then analyzes.
pub struct Analyzer {
    options: Options,
    chain: Vec<FoundCertificate>,
    anchors: Vec<FoundCertificate>,
    crls: Vec<FoundCrl>,
    staples: Vec<FoundStaple>,
    examined: Vec<ct::SourceExamined>,
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
            staples: Vec::new(),
            examined: Vec::new(),
            problems: Vec::new(),
            log_list: None,
            log_list_error: None,
        }
    }

    /// Adds chain input (pasted text or a file's bytes): certificates, CRLs, OCSP responses and
    /// SCT lists in any format.
    pub fn add_chain(&mut self, input: &[u8], source: Option<&str>) {
        let budget = limits::MAX_CERTIFICATES.saturating_sub(self.chain.len());
        let mut scan = netlens_x509::input::scan_with_budget(input, source, budget);
        self.staples.extend(scan.take_staples());
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

    /// Adds what a live connection received beside the certificates: the stapled OCSP response
    /// and the SCT list of the TLS extension (`found_in` names the connection), and which of
    /// those two the connection looked for, so that a missing SCT is never claimed where nobody
    /// looked.
    pub fn add_handshake(
        &mut self,
        ocsp_response: Option<&[u8]>,
        sct_list: Option<&[u8]>,
        examined: Vec<ct::SourceExamined>,
        found_in: &str,
    ) {
        let location = netlens_x509::Location {
            source: Some(found_in.to_owned()),
            ..netlens_x509::Location::default()
        };
        if let Some(der) = ocsp_response {
            self.staples.push(FoundStaple {
                bytes: der.to_vec(),
                kind: StapleKind::OcspResponse,
                location: location.clone(),
            });
        }
        if let Some(list) = sct_list {
            self.staples.push(FoundStaple {
                bytes: list.to_vec(),
                kind: StapleKind::SctList {
                    tls_extension: true,
                },
                location,
            });
        }
        self.examined = examined;
    }

    /// Loads Apple's CT log list (`log_list.json`), in place of the compiled-in one.
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
    staples: Vec<ocsp::Staple>,
    delivered: ct::Delivered,
    store: TrustStore,
    log_list: Option<ct::LogList>,
}

impl Prepared {
    /// Every signature check the analysis may need (bounded), for a verifier to run ahead.
    pub fn plan(&self) -> Vec<crypto::VerifyRequest> {
        let mut requests = path::plan(&self.certs, &self.store);
        requests.extend(crl::plan(&self.crls, &self.certs, &self.store));
        requests.extend(ct::plan(
            &self.certs,
            &self.store,
            &self.delivered,
            self.log_list.as_ref(),
        ));
        requests.extend(ocsp::plan(
            &self.staples,
            &self.certs,
            &self.store,
            self.options.at,
        ));
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
        staples,
        examined,
        problems,
        log_list,
        log_list_error,
    } = input;
    let now = options.at;
    let log_list = log_list.or_else(|| {
        options
            .builtin_ct_log_list
            .then(ct::LogList::builtin)
            .flatten()
    });
    let mut facts = InputFacts {
        problems,
        log_list_error,
        ..InputFacts::default()
    };
    let unparsed =
        |i: usize, found: &FoundCertificate, e: netlens_x509::details::DecodeError| Unparsed {
            index: i,
            location: found.location.to_string(),
            detail: e.detail,
            der_offset: e.der_offset,
        };

    // Parse; keep the first copy of each certificate for path building.
    let mut sent: Vec<ChainCert> = Vec::new();
    for (i, found) in chain.iter().enumerate() {
        match ChainCert::parse(found, i, now) {
            Ok(c) => sent.push(c),
            Err(e) => facts.unparsed.push(unparsed(i, found, e)),
        }
    }
    let mut certs: Vec<ChainCert> = Vec::new();
    for c in &sent {
        match certs.iter().find(|d| d.fingerprint == c.fingerprint) {
            Some(first) => facts.duplicates.push((c.index, first.label(), c.label())),
            None => certs.push(c.clone()),
        }
    }
    facts.certificates = certs.len();
    let mut anchor_certs = Vec::new();
    for (i, found) in anchors.iter().enumerate() {
        match ChainCert::parse(found, i, now) {
            Ok(c) => anchor_certs.push(c),
            Err(e) => facts.unparsed_anchors.push(unparsed(i, found, e)),
        }
    }
    let mut parsed_crls = Vec::new();
    for found in &crls {
        match crl::Crl::parse(found) {
            Ok(c) => parsed_crls.push(c),
            Err(e) => facts.unreadable_crls.push((found.location.to_string(), e)),
        }
    }
    // OCSP responses, and SCT lists from every source but the certificate itself.
    let mut delivered = ct::Delivered {
        scts: Vec::new(),
        examined,
    };
    let mut parsed_staples = Vec::new();
    for found in staples {
        let found_in = found.location.to_string();
        match found.kind {
            StapleKind::OcspResponse => {
                let staple = ocsp::Staple::read(&found.bytes, found_in.clone());
                if let Ok(netlens_x509::ocsp::OcspResponse {
                    basic: Some(basic), ..
                }) = &staple.parsed
                {
                    for list in basic.responses.iter().filter_map(|r| r.sct_list.as_deref()) {
                        for sct in netlens_x509::sct::parse_list(list).unwrap_or_default() {
                            delivered
                                .scts
                                .push((ct::SctSource::Ocsp, sct, found_in.clone()));
                        }
                    }
                }
                parsed_staples.push(staple);
            }
            StapleKind::SctList { tls_extension } => {
                match netlens_x509::sct::parse_list(&found.bytes) {
                    Ok(scts) => {
                        let source = if tls_extension {
                            ct::SctSource::TlsExtension
                        } else {
                            ct::SctSource::Supplied
                        };
                        delivered
                            .scts
                            .extend(scts.into_iter().map(|s| (source, s, found_in.clone())));
                    }
                    Err(e) => facts.unreadable_sct_lists.push((found_in, e.to_string())),
                }
            }
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
        global: run::input(&facts),
        sent,
        certs,
        anchor_certs,
        crls: parsed_crls,
        staples: parsed_staples,
        delivered,
        store,
        log_list,
    }
}

fn finish(prepared: Prepared, verifier: &dyn crypto::Verifier) -> Analysis {
    let Prepared {
        options,
        global,
        sent,
        certs,
        anchor_certs,
        crls: parsed_crls,
        staples,
        delivered,
        store,
        log_list,
    } = prepared;
    let now = options.at;
    // The report when no path exists: the findings so far, nothing built.
    let without_path = |mut findings: Vec<Finding>, reason: &str| {
        sort_findings(&mut findings);
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
        crls: &parsed_crls,
        staples: &staples,
        delivered: &delivered,
        verifier,
    };
    let evaluated: Vec<Evaluated> = search
        .paths
        .into_iter()
        .map(|p| {
            let (findings, ct) = run::path(&ctx, &p, log_list.as_ref());
            let errors = error_count(&findings);
            Evaluated {
                path: p,
                findings,
                ct,
                errors,
            }
        })
        .collect();
    if evaluated.is_empty() {
        let mut findings = global;
        findings.extend(run::no_path(&ctx, leaf));
        return without_path(
            findings,
            "No path could be built from the certificates given.",
        );
    }

    let chosen = choose(&ctx, &evaluated);
    let of = |s: StoreId| &chosen[s as usize];
    let apple_choice = of(StoreId::Apple);
    let strict_choice = of(options.strict_store);
    let primary = apple_choice.path;

    let mut findings = global;
    findings.extend(verdict_findings(
        &evaluated,
        apple_choice,
        strict_choice,
        options.strict_store,
    ));

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
    let choices: Vec<StoreChoice<'_>> = chosen
        .iter()
        .map(|c| StoreChoice {
            store: c.store,
            path: &evaluated[c.path].path,
            trusted: c.assessment.trusted,
        })
        .collect();
    findings.extend(run::sent(&Sent {
        ctx: &ctx,
        leaf,
        exhausted,
        primary: &evaluated[primary].path,
        deploy: &deploy_paths,
        chosen: &choices,
    }));
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
    // What each OCSP response says about the leaf of the path shown.
    let issuer_spki = match best.path.certs.get(1) {
        Some(&next) => Some(certs[next].spki.as_slice()),
        None => best
            .path
            .end
            .anchor()
            .and_then(|a| store.get(a))
            .map(|a| a.spki.as_slice()),
    };
    let ocsp_views: Vec<ocsp::OcspView> = match (best.path.certs.first(), issuer_spki) {
        (Some(&leaf), Some(spki)) => staples
            .iter()
            .map(|s| ocsp::evaluate(s, &certs[leaf], spki, verifier, now))
            .collect(),
        _ => Vec::new(),
    };
    let mut others: Vec<(Path, usize)> =
        evaluated.into_iter().map(|e| (e.path, e.errors)).collect();
    others.sort_by_key(|(p, errors)| (*errors, !p.end.is_trusted(), p.certs.len()));
    let mut analysis = report::assemble(report::Parts {
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
    });
    analysis.ocsp = ocsp_views;
    analysis
}

/// Each store settles on its path: one ending at a root it trusts if there is one, then the
/// fewest errors, then one reaching some anchor, then the shortest, then the first found.
fn choose(ctx: &Context<'_>, evaluated: &[Evaluated]) -> Vec<Chosen> {
    StoreId::ALL
        .into_iter()
        .map(|store_id| {
            let assessed: Vec<trust::Assessment> = evaluated
                .iter()
                .map(|e| run::store(ctx, &e.path, store_id))
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
        .collect()
}

/// The findings of the paths the verdicts' stores chose, each deciding the verdicts of the
/// stores that chose its path: the apple verdict follows Apple's store, rfc5280 `strict_store`.
fn verdict_findings(
    evaluated: &[Evaluated],
    apple_choice: &Chosen,
    strict_choice: &Chosen,
    strict_store: StoreId,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let primary = apple_choice.path;
    let decided = |list: &[Finding], profiles: &[Profile]| -> Vec<Finding> {
        list.iter().map(|f| f.clone().deciding(profiles)).collect()
    };
    if strict_choice.path == primary {
        let apple_profiles: &[Profile] = if strict_store == StoreId::Apple {
            &[Profile::Apple, Profile::Rfc5280]
        } else {
            &[Profile::Apple]
        };
        findings.extend(evaluated[primary].findings.iter().cloned());
        findings.extend(decided(&apple_choice.assessment.findings, apple_profiles));
        if strict_store != StoreId::Apple {
            findings.extend(decided(
                &strict_choice.assessment.findings,
                &[Profile::Rfc5280],
            ));
        }
        return findings;
    }
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
    findings
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
