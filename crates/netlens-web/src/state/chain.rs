//! The chain analysis tool's state: the chain, the options, the trust anchors, and the analysis
//! the core made of them.
//!
//! Every change of input bumps [`ChainState::generation`]; the component then runs the analysis
//! off the reducer, with the browser's WebCrypto verifying the signatures it can (several times
//! faster than pure Rust in wasm, see `signatures`), and hands the report back with
//! [`ChainAction::Analyzed`] and the generation it was made for. A report for an older
//! generation (the user typed on meanwhile) is dropped, so what is shown always matches the
//! inputs, and the previous report stays on screen until the new one arrives.

use std::rc::Rc;

use netlens_chain::{Analysis, Analyzer, Options, StoreId};
use yew::Reducible;

use crate::files::LoadedFile;

/// Inputs and result of one chain analyzer.
#[derive(Clone, Debug)]
pub struct ChainState {
    /// Pasted chain text.
    pub chain_text: String,
    /// Chain files.
    pub chain_files: Vec<LoadedFile>,
    /// Pasted trust anchors.
    pub anchor_text: String,
    /// Trust-anchor files.
    pub anchor_files: Vec<LoadedFile>,
    /// The host as typed.
    pub host: String,
    /// Why the host was not understood, if so.
    pub host_error: Option<String>,
    /// Validation moment (Unix seconds); `None` means now.
    pub at: Option<i64>,
    /// Trust the compiled-in root stores.
    pub builtin_roots: bool,
    /// The store the `rfc5280` verdict anchors on.
    pub strict_store: StoreId,
    /// The user's anchors are public roots.
    pub anchors_public: bool,
    /// What the leaf is for: a TLS server (default) or a TLS client.
    pub purpose: netlens_chain::Purpose,
    /// Apple's CT log list, with its file name.
    pub log_list: Option<(String, Rc<Vec<u8>>)>,
    /// Why the log list was not loaded.
    pub log_list_error: Option<String>,
    /// Bumped by every change of input: the analysis to run next.
    pub generation: u64,
    /// The generation [`ChainState::analysis`] was made for.
    pub analyzed: u64,
    /// The latest analysis, once there is a chain. Its certificates are shared (`Arc`) with the
    /// cards that show them.
    pub analysis: Option<Rc<Analysis>>,
    /// Why the built-in trust stores could not be loaded for the latest inputs (then no report
    /// is made: without them every store would seem to distrust the chain).
    pub stores_error: Option<String>,
    /// The certificate whose details are open (index as sent).
    pub selected: Option<usize>,
    /// PKCS#12 files: locked until their password is typed, then opened (their certificates
    /// are among [`ChainState::chain_files`]).
    pub pkcs12: super::pkcs12::Pkcs12Files,
}

impl Default for ChainState {
    fn default() -> Self {
        ChainState {
            chain_text: String::new(),
            chain_files: Vec::new(),
            anchor_text: String::new(),
            anchor_files: Vec::new(),
            host: String::new(),
            host_error: None,
            at: None,
            builtin_roots: true,
            strict_store: StoreId::Mozilla,
            anchors_public: false,
            purpose: netlens_chain::Purpose::ServerAuth,
            log_list: None,
            log_list_error: None,
            generation: 0,
            analyzed: 0,
            analysis: None,
            stores_error: None,
            selected: None,
            pkcs12: super::pkcs12::Pkcs12Files::default(),
        }
    }
}

impl ChainState {
    /// A fresh state, trusting the built-in roots, with optional initial chain text, host and
    /// validation moment. When there is a chain, its analysis is due.
    pub fn new(chain_text: &str, host: &str, at: Option<i64>) -> Self {
        let mut state = ChainState {
            chain_text: chain_text.to_owned(),
            host: host.to_owned(),
            at,
            ..ChainState::default()
        };
        state.inputs_changed();
        state
    }

    fn has_chain(&self) -> bool {
        !self.chain_text.trim().is_empty() || !self.chain_files.is_empty()
    }

    /// An analysis is due (its inputs changed since the last report arrived).
    pub fn pending(&self) -> bool {
        self.has_chain() && self.analyzed != self.generation
    }

    fn inputs_changed(&mut self) {
        self.generation += 1;
        self.host_error = if self.host.trim().is_empty() {
            None
        } else {
            netlens_chain::names::parse_host(&self.host)
                .err()
                .map(|e| e.to_string())
        };
        self.log_list_error = self.log_list.as_ref().and_then(|(name, json)| {
            netlens_chain::ct::LogList::parse(json)
                .err()
                .map(|e| format!("{name}: {e}"))
        });
        if !self.has_chain() {
            self.analysis = None;
            self.selected = None;
            self.analyzed = self.generation;
        }
    }

    /// The analyzer for the current inputs (`now` stands in for an unset validation moment), or
    /// `None` when there is no chain.
    pub fn analyzer(&self, now: i64) -> Option<Analyzer> {
        if !self.has_chain() {
            return None;
        }
        let mut options = Options::at(self.at.unwrap_or(now));
        options.builtin_roots = self.builtin_roots;
        options.strict_store = self.strict_store;
        options.anchors_are_public = self.anchors_public;
        options.purpose = self.purpose;
        if self.host_error.is_none()
            && !self.host.trim().is_empty()
            && let Ok(h) = netlens_chain::names::parse_host(&self.host)
        {
            options.host = Some(h);
        }
        let mut analyzer = Analyzer::new(options);
        if !self.chain_text.trim().is_empty() {
            analyzer.add_chain(self.chain_text.as_bytes(), None);
        }
        for f in &self.chain_files {
            match &f.bytes {
                Some(bytes) => analyzer.add_chain(bytes, Some(&f.name)),
                None => analyzer.add_too_large(f.size, Some(&f.name), false),
            }
        }
        if !self.anchor_text.trim().is_empty() {
            analyzer.add_anchors(self.anchor_text.as_bytes(), Some("pasted anchors"));
        }
        for f in &self.anchor_files {
            match &f.bytes {
                Some(bytes) => analyzer.add_anchors(bytes, Some(&f.name)),
                None => analyzer.add_too_large(f.size, Some(&f.name), true),
            }
        }
        if let Some((_, json)) = &self.log_list {
            // A list that does not parse is reported beside its file chip (`log_list_error`).
            let _ = analyzer.set_ct_log_list(json);
        }
        Some(analyzer)
    }
}

/// What can happen to a chain analyzer.
#[derive(Clone, Debug)]
pub enum ChainAction {
    /// The pasted chain changed.
    SetChainText(String),
    /// Chain files were dropped or picked (PKCS#12 files wait for their password).
    AddChainFiles(Vec<LoadedFile>),
    /// The PKCS#12 module's answer for the locked file with this name.
    Pkcs12Opened(String, Result<Rc<crate::pkcs12::Opened>, String>),
    /// A chain file was removed.
    RemoveChainFile(usize),
    /// The pasted anchors changed.
    SetAnchorText(String),
    /// Anchor files were added.
    AddAnchorFiles(Vec<LoadedFile>),
    /// An anchor file was removed.
    RemoveAnchorFile(usize),
    /// The host changed.
    SetHost(String),
    /// The validation moment changed (`None`: now).
    SetAt(Option<i64>),
    /// Trust the built-in roots or not.
    SetBuiltinRoots(bool),
    /// The store the strict verdict anchors on.
    SetStrictStore(StoreId),
    /// Treat the user's anchors as public roots or not.
    SetAnchorsPublic(bool),
    /// Judge the leaf as a server or a client certificate.
    SetPurpose(netlens_chain::Purpose),
    /// A CT log list was loaded (name, JSON) or removed.
    SetLogList(Option<(String, Rc<Vec<u8>>)>),
    /// Show a certificate's details (or none).
    Select(Option<usize>),
    /// Load an example: chain text, anchor text, host.
    Example {
        /// The chain.
        chain: String,
        /// The anchors.
        anchors: String,
        /// The host.
        host: String,
    },
    /// Start over (keeps the options).
    Clear,
    /// The analysis of a generation arrived.
    Analyzed(u64, Rc<Analysis>),
    /// The built-in trust stores could not be loaded for a generation: why, in a sentence.
    StoresUnavailable(u64, String),
}

impl Reducible for ChainState {
    type Action = ChainAction;

    fn reduce(self: Rc<Self>, action: ChainAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            ChainAction::SetChainText(t) => {
                if t == self.chain_text {
                    return self;
                }
                next.chain_text = t;
            }
            ChainAction::AddChainFiles(files) => {
                let others = next.pkcs12.take(files);
                next.chain_files.extend(others);
            }
            ChainAction::Pkcs12Opened(name, result) => match next.pkcs12.opened(&name, result) {
                Some(certificates) => next.chain_files.push(certificates),
                None => return Rc::new(next),
            },
            ChainAction::RemoveChainFile(i) => {
                if i < next.chain_files.len() {
                    let removed = next.chain_files.remove(i);
                    next.pkcs12.removed(&removed);
                }
            }
            ChainAction::SetAnchorText(t) => next.anchor_text = t,
            ChainAction::AddAnchorFiles(f) => next.anchor_files.extend(f),
            ChainAction::RemoveAnchorFile(i) => {
                if i < next.anchor_files.len() {
                    next.anchor_files.remove(i);
                }
            }
            ChainAction::SetHost(h) => next.host = h,
            ChainAction::SetAt(at) => next.at = at,
            ChainAction::SetBuiltinRoots(b) => next.builtin_roots = b,
            ChainAction::SetStrictStore(s) => next.strict_store = s,
            ChainAction::SetAnchorsPublic(b) => next.anchors_public = b,
            ChainAction::SetPurpose(p) => next.purpose = p,
            ChainAction::SetLogList(l) => next.log_list = l,
            ChainAction::Select(i) => {
                next.selected = if self.selected == i { None } else { i };
                return Rc::new(next);
            }
            ChainAction::Example {
                chain,
                anchors,
                host,
            } => {
                next.chain_text = chain;
                next.chain_files.clear();
                next.pkcs12.clear();
                next.anchor_text = anchors;
                next.anchor_files.clear();
                next.host = host;
            }
            ChainAction::Clear => {
                next.chain_text.clear();
                next.chain_files.clear();
                next.pkcs12.clear();
                next.anchor_text.clear();
                next.anchor_files.clear();
                next.host.clear();
                next.selected = None;
            }
            ChainAction::Analyzed(generation, analysis) => {
                if generation != self.generation || !self.has_chain() {
                    return self; // made for inputs that have changed since
                }
                next.analyzed = generation;
                if next
                    .selected
                    .is_some_and(|i| i >= analysis.certificates.len())
                {
                    next.selected = None;
                }
                next.analysis = Some(analysis);
                next.stores_error = None;
                return Rc::new(next);
            }
            ChainAction::StoresUnavailable(generation, why) => {
                if generation != self.generation || !self.has_chain() {
                    return self;
                }
                next.analyzed = generation;
                next.stores_error = Some(why);
                return Rc::new(next);
            }
        }
        next.inputs_changed();
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    const CHAIN: &str = include_str!("../../../netlens-testkit/fixtures/demo-chain.pem");
    const AT: i64 = 1_780_272_000;

    fn analyzed(state: &Rc<ChainState>) -> Rc<ChainState> {
        let analysis = state.analyzer(AT).unwrap().analyze();
        state
            .clone()
            .reduce(ChainAction::Analyzed(state.generation, Rc::new(analysis)))
    }

    #[test]
    fn a_change_of_input_makes_an_analysis_due_and_its_report_lands() {
        let state = Rc::new(ChainState::new(CHAIN, "www.netlens.test", Some(AT)));
        assert!(state.pending());
        assert!(state.analysis.is_none());
        let state = analyzed(&state);
        assert!(!state.pending());
        let analysis = state.analysis.as_ref().unwrap();
        assert_eq!(analysis.host.as_deref(), Some("www.netlens.test"));
        assert_eq!(analysis.certificates.len(), 3);

        // Selecting a certificate is not an input: nothing to analyze.
        let selected = state.clone().reduce(ChainAction::Select(Some(1)));
        assert!(!selected.pending());
        assert_eq!(selected.selected, Some(1));
    }

    #[test]
    fn the_purpose_is_an_input_and_reaches_the_analysis() {
        let state = analyzed(&Rc::new(ChainState::new(
            CHAIN,
            "www.netlens.test",
            Some(AT),
        )));
        let client = state.reduce(ChainAction::SetPurpose(netlens_chain::Purpose::ClientAuth));
        assert!(client.pending());
        let client = analyzed(&client);
        // The demo leaf is a server certificate: as a client one it lacks clientAuth.
        let analysis = client.analysis.as_ref().unwrap();
        assert!(
            analysis
                .findings
                .iter()
                .any(|f| f.rule == netlens_chain::catalog::RuleId::TlsMissingClientauthEku),
            "{:?}",
            analysis.findings
        );
    }

    #[test]
    fn a_pkcs12_file_waits_for_its_password_then_its_certificates_are_analyzed() {
        let state = Rc::new(ChainState::new("", "www.netlens.test", Some(AT)));
        let (file, open) = crate::state::pkcs12::demo_file("right");
        let dropped = state.reduce(ChainAction::AddChainFiles(vec![file]));
        assert_eq!(dropped.pkcs12.locked.len(), 1);
        assert!(
            dropped.chain_files.is_empty(),
            "locked files are not analyzed"
        );

        let wrong = dropped.reduce(ChainAction::Pkcs12Opened(
            "id.p12".into(),
            open("wrong").map_err(|_| "The password does not open it.".to_owned()),
        ));
        assert_eq!(wrong.pkcs12.locked.len(), 1);
        let (name, why) = wrong.pkcs12.error.clone().unwrap();
        assert_eq!(name, "id.p12");
        assert!(why.starts_with("The password does not open it"), "{why}");

        let opened = wrong.reduce(ChainAction::Pkcs12Opened("id.p12".into(), open("right")));
        assert!(opened.pkcs12.locked.is_empty() && opened.pkcs12.error.is_none());
        assert_eq!(opened.chain_files[0].name, "id.p12 (PKCS#12)");
        let (_, summary) = &opened.pkcs12.opened[0];
        assert_eq!(summary.contents.len(), 2);
        assert_eq!(summary.apple_import.verdict, "imports");
        assert!(opened.pending());
        let analysis = analyzed(&opened).analysis.clone().unwrap();
        assert_eq!(analysis.certificates.len(), 2);
    }

    #[test]
    fn stores_that_did_not_load_are_said_until_a_report_lands() {
        let state = Rc::new(ChainState::new(CHAIN, "", Some(AT)));
        let failed = state.clone().reduce(ChainAction::StoresUnavailable(
            state.generation,
            "The trust stores could not be loaded.".into(),
        ));
        assert!(
            !failed.pending(),
            "no retry loop: the next input change tries again"
        );
        assert!(failed.analysis.is_none());
        assert!(failed.stores_error.is_some());
        // An older generation's failure is dropped like its report would be.
        let typed = failed.reduce(ChainAction::SetHost("www.netlens.test".into()));
        let stale = typed.clone().reduce(ChainAction::StoresUnavailable(
            state.generation,
            "old".into(),
        ));
        assert!(stale.pending());
        let landed = analyzed(&typed);
        assert!(landed.stores_error.is_none());
        assert!(landed.analysis.is_some());
    }

    #[test]
    fn a_report_for_older_inputs_is_dropped() {
        let state = Rc::new(ChainState::new(CHAIN, "", Some(AT)));
        let stale_generation = state.generation;
        let stale = Rc::new(state.analyzer(AT).unwrap().analyze());
        let state = state.reduce(ChainAction::SetHost("www.netlens.test".into()));
        let after = state
            .clone()
            .reduce(ChainAction::Analyzed(stale_generation, stale));
        assert!(after.analysis.is_none(), "the stale report was applied");
        assert!(after.pending());
        let after = analyzed(&after);
        assert_eq!(
            after.analysis.as_ref().unwrap().host.as_deref(),
            Some("www.netlens.test")
        );
    }

    #[test]
    fn options_reach_the_analyzer_and_errors_are_reported_at_once() {
        let state = Rc::new(ChainState::new(CHAIN, "not a host!", Some(AT)));
        assert!(state.host_error.is_some());
        let state = state
            .reduce(ChainAction::SetStrictStore(StoreId::Chrome))
            .reduce(ChainAction::SetLogList(Some((
                "log_list.json".into(),
                Rc::new(b"{".to_vec()),
            ))));
        assert!(
            state
                .log_list_error
                .as_deref()
                .unwrap()
                .starts_with("log_list.json: ")
        );
        let state = analyzed(&state);
        let a = state.analysis.as_ref().unwrap();
        assert!(a.host.is_none(), "an invalid host is not analyzed");
        assert!(a.verdict_details[1].store.contains("Chrome Root Store"));

        // Clearing removes the report at once; there is nothing to analyze.
        let cleared = state.reduce(ChainAction::Clear);
        assert!(cleared.analysis.is_none());
        assert!(!cleared.pending());
    }
}
