//! The chain analysis tool's state: the chain, the options, the trust anchors, and the analysis
//! the core made of them. Every change re-runs the analysis (milliseconds for a real chain).

use std::rc::Rc;

use netlens_chain::{Analysis, Analyzer, Options};
use netlens_x509::CertificateDetails;
use yew::Reducible;

use crate::clock;
use crate::files::LoadedFile;

/// Inputs and result of one chain analyzer.
#[derive(Clone, Debug, Default)]
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
    /// Trust Mozilla's roots.
    pub builtin_roots: bool,
    /// The user's anchors are public roots.
    pub anchors_public: bool,
    /// Apple's CT log list, with its file name.
    pub log_list: Option<(String, Rc<Vec<u8>>)>,
    /// Why the log list was not loaded.
    pub log_list_error: Option<String>,
    /// The analysis, once there is a chain.
    pub analysis: Option<Rc<Analysis>>,
    /// The analysis' certificates, shared with the cards that show them.
    pub certificates: Vec<Rc<CertificateDetails>>,
    /// The certificate whose details are open (index as sent).
    pub selected: Option<usize>,
}

impl ChainState {
    /// A fresh state, trusting the built-in roots, with optional initial chain text, host and
    /// validation moment.
    pub fn new(chain_text: &str, host: &str, at: Option<i64>) -> Self {
        let mut state = ChainState {
            chain_text: chain_text.to_owned(),
            host: host.to_owned(),
            at,
            builtin_roots: true,
            ..ChainState::default()
        };
        state.analyze();
        state
    }

    fn has_chain(&self) -> bool {
        !self.chain_text.trim().is_empty() || !self.chain_files.is_empty()
    }

    fn analyze(&mut self) {
        self.host_error = None;
        if !self.has_chain() {
            self.analysis = None;
            self.certificates.clear();
            self.selected = None;
            return;
        }
        let mut options = Options::at(self.at.unwrap_or_else(clock::now_unix));
        options.builtin_roots = self.builtin_roots;
        options.anchors_are_public = self.anchors_public;
        if !self.host.trim().is_empty() {
            match netlens_chain::names::parse_host(&self.host) {
                Ok(h) => options.host = Some(h),
                Err(e) => self.host_error = Some(e),
            }
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
        self.log_list_error = None;
        if let Some((name, json)) = &self.log_list
            && let Err(e) = analyzer.set_ct_log_list(json)
        {
            self.log_list_error = Some(format!("{name}: {e}"));
        }
        let analysis = analyzer.analyze();
        self.certificates = analysis.certificates.iter().cloned().map(Rc::new).collect();
        if self.selected.is_some_and(|i| i >= self.certificates.len()) {
            self.selected = None;
        }
        self.analysis = Some(Rc::new(analysis));
    }
}

/// What can happen to a chain analyzer.
#[derive(Clone, Debug)]
pub enum ChainAction {
    /// The pasted chain changed.
    SetChainText(String),
    /// Chain files were dropped or picked.
    AddChainFiles(Vec<LoadedFile>),
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
    /// Treat the user's anchors as public roots or not.
    SetAnchorsPublic(bool),
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
}

impl Reducible for ChainState {
    type Action = ChainAction;

    fn reduce(self: Rc<Self>, action: ChainAction) -> Rc<Self> {
        let mut next = (*self).clone();
        let mut reanalyze = true;
        match action {
            ChainAction::SetChainText(t) => {
                if t == self.chain_text {
                    return self;
                }
                next.chain_text = t;
            }
            ChainAction::AddChainFiles(f) => next.chain_files.extend(f),
            ChainAction::RemoveChainFile(i) => {
                if i < next.chain_files.len() {
                    next.chain_files.remove(i);
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
            ChainAction::SetAnchorsPublic(b) => next.anchors_public = b,
            ChainAction::SetLogList(l) => next.log_list = l,
            ChainAction::Select(i) => {
                next.selected = if self.selected == i { None } else { i };
                reanalyze = false;
            }
            ChainAction::Example {
                chain,
                anchors,
                host,
            } => {
                next.chain_text = chain;
                next.chain_files.clear();
                next.anchor_text = anchors;
                next.anchor_files.clear();
                next.host = host;
            }
            ChainAction::Clear => {
                next.chain_text.clear();
                next.chain_files.clear();
                next.anchor_text.clear();
                next.anchor_files.clear();
                next.host.clear();
                next.selected = None;
            }
        }
        if reanalyze {
            next.analyze();
        }
        Rc::new(next)
    }
}
