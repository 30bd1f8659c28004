//! The certificate decoder's state, as a reducer (Yew's `function_todomvc` pattern): what the
//! user gave us (pasted text, files) and the report decoded from it.
//!
//! Decoding happens inside the reducer, synchronously: it is pure, bounded by the core's input
//! limits, and takes milliseconds for a real chain. Which cards are expanded is kept here too, so
//! a large bundle renders summaries only until the user opens one.

use std::collections::BTreeSet;
use std::rc::Rc;

use netlens_x509::{DecodeReport, Decoder};
use yew::Reducible;

use crate::clock;
use crate::files::LoadedFile;

/// State of one decoder instance.
#[derive(Clone, Debug, Default)]
pub struct DecoderState {
    /// Pasted text.
    pub text: String,
    /// Loaded files, in the order they were added.
    pub files: Vec<LoadedFile>,
    /// The report for `text` and `files`, `None` while there is no input.
    pub report: Option<Rc<DecodeReport>>,
    /// The report's certificates, shared with the cards that render them.
    pub certificates: Vec<std::sync::Arc<netlens_x509::CertificateDetails>>,
    /// Indexes of the certificates whose details are shown.
    pub expanded: BTreeSet<usize>,
}

/// What can happen to a decoder.
#[derive(Clone, Debug)]
pub enum DecoderAction {
    /// The pasted text changed.
    SetText(String),
    /// Files were dropped or picked.
    AddFiles(Vec<LoadedFile>),
    /// A file was removed from the batch.
    RemoveFile(usize),
    /// Everything was cleared.
    Clear,
    /// A certificate's details were opened or closed.
    Toggle(usize),
    /// Open every certificate.
    ExpandAll,
    /// Close every certificate.
    CollapseAll,
}

/// Certificates shown expanded right after decoding: a normal chain opens fully, a bundle of
/// hundreds opens only its first certificate.
const AUTO_EXPAND: usize = 3;

impl DecoderState {
    /// A state decoding `text`.
    pub fn with_text(text: &str) -> Self {
        let mut state = Self {
            text: text.to_owned(),
            ..Self::default()
        };
        state.decode();
        state
    }

    fn decode(&mut self) {
        let has_text = !self.text.trim().is_empty();
        if !has_text && self.files.is_empty() {
            self.report = None;
            self.certificates.clear();
            self.expanded.clear();
            return;
        }
        let mut decoder = Decoder::new(clock::now_unix());
        if has_text {
            decoder.add(self.text.as_bytes(), None);
        }
        for file in &self.files {
            match &file.bytes {
                Some(bytes) => decoder.add(bytes, Some(&file.name)),
                None => decoder.add_too_large(file.size, Some(&file.name)),
            }
        }
        let report = decoder.finish();
        let n = report.certificates.len();
        self.expanded = if n <= AUTO_EXPAND {
            (0..n).collect()
        } else {
            BTreeSet::from([0])
        };
        self.certificates = report
            .certificates
            .iter()
            .cloned()
            .map(std::sync::Arc::new)
            .collect();
        self.report = Some(Rc::new(report));
    }
}

impl Reducible for DecoderState {
    type Action = DecoderAction;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            DecoderAction::SetText(text) => {
                if text == self.text {
                    return self;
                }
                next.text = text;
                next.decode();
            }
            DecoderAction::AddFiles(files) => {
                next.files.extend(files);
                next.decode();
            }
            DecoderAction::RemoveFile(i) => {
                if i < next.files.len() {
                    next.files.remove(i);
                    next.decode();
                }
            }
            DecoderAction::Clear => next = DecoderState::default(),
            DecoderAction::Toggle(i) => {
                if !next.expanded.remove(&i) {
                    next.expanded.insert(i);
                }
            }
            DecoderAction::ExpandAll => {
                let n = next.report.as_ref().map_or(0, |r| r.certificates.len());
                next.expanded = (0..n).collect();
            }
            DecoderAction::CollapseAll => next.expanded.clear(),
        }
        Rc::new(next)
    }
}
