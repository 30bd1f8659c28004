//! The certificate decoder's state, as a reducer (Yew's `function_todomvc` pattern): what the
//! user gave us (pasted text, files) and the report decoded from it.
//!
//! Decoding happens inside the reducer, synchronously: it is pure (the moment a certificate's
//! validity is judged at comes in with the action, read by the component), bounded by the
//! core's input limits, and takes milliseconds for a real chain. Which cards are expanded is kept here too, so
//! a large bundle renders summaries only until the user opens one.

use std::collections::BTreeSet;
use std::rc::Rc;

use netlens_x509::{DecodeReport, Decoder};
use yew::Reducible;

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
    /// PKCS#12 files: locked until their password is typed, then their certificates decoded.
    pub pkcs12: super::pkcs12::Pkcs12Files,
}

/// What can happen to a decoder. Those that decode carry `now`, the moment (Unix seconds)
/// validity is judged at.
#[derive(Clone, Debug)]
pub enum DecoderAction {
    /// The pasted text changed.
    SetText {
        /// The whole text now.
        text: String,
        /// Unix seconds.
        now: i64,
    },
    /// Files were dropped or picked.
    AddFiles {
        /// The new files, read.
        files: Vec<LoadedFile>,
        /// Unix seconds.
        now: i64,
    },
    /// A file was removed from the batch.
    RemoveFile {
        /// Its place in the batch.
        index: usize,
        /// Unix seconds.
        now: i64,
    },
    /// The PKCS#12 module's answer for a locked file.
    Pkcs12Opened {
        /// The file's name.
        name: String,
        /// Its certificates and summary, or why it could not be opened.
        result: Result<Rc<crate::pkcs12::Opened>, String>,
        /// Unix seconds.
        now: i64,
    },
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
    /// A state decoding `text` as of `now` (Unix seconds).
    pub fn with_text(text: &str, now: i64) -> Self {
        let mut state = Self {
            text: text.to_owned(),
            ..Self::default()
        };
        state.decode(now);
        state
    }

    fn decode(&mut self, now: i64) {
        let has_text = !self.text.trim().is_empty();
        if !has_text && self.files.is_empty() {
            self.report = None;
            self.certificates.clear();
            self.expanded.clear();
            return;
        }
        let mut decoder = Decoder::new(now);
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
            DecoderAction::SetText { text, now } => {
                if text == self.text {
                    return self;
                }
                next.text = text;
                next.decode(now);
            }
            DecoderAction::AddFiles { files, now } => {
                let others = next.pkcs12.take(files);
                next.files.extend(others);
                next.decode(now);
            }
            DecoderAction::Pkcs12Opened { name, result, now } => {
                if let Some(certificates) = next.pkcs12.opened(&name, result) {
                    next.files.push(certificates);
                    next.decode(now);
                }
            }
            DecoderAction::RemoveFile { index, now } => {
                if index < next.files.len() {
                    let removed = next.files.remove(index);
                    next.pkcs12.removed(&removed);
                    next.decode(now);
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    const CHAIN: &str = include_str!("../../../netlens-testkit/fixtures/demo-chain.pem");
    const AT: i64 = 1_780_272_000;

    fn reduce(state: DecoderState, action: DecoderAction) -> Rc<DecoderState> {
        Rc::new(state).reduce(action)
    }

    #[test]
    fn a_pkcs12_file_is_decoded_once_opened() {
        let (file, open) = crate::state::pkcs12::demo_file("pw");
        let dropped = reduce(
            DecoderState::default(),
            DecoderAction::AddFiles {
                files: vec![file],
                now: AT,
            },
        );
        assert!(
            dropped.report.is_none(),
            "nothing to decode while it is locked"
        );
        let opened = dropped.reduce(DecoderAction::Pkcs12Opened {
            name: "id.p12".into(),
            result: open("pw"),
            now: AT,
        });
        assert_eq!(opened.report.as_ref().unwrap().certificates.len(), 2);
        assert_eq!(opened.pkcs12.opened.len(), 1);
        let removed = opened.reduce(DecoderAction::RemoveFile { index: 0, now: AT });
        assert!(removed.pkcs12.opened.is_empty());
    }

    #[test]
    fn text_decodes_at_the_moment_the_action_carries() {
        let state = DecoderState::with_text(CHAIN, AT);
        let report = state.report.as_ref().unwrap();
        assert!(report.certificates.len() >= 2);
        let leaf = &state.certificates[0];
        // The same text judged a day after the leaf expired: the moment came with the action.
        let later = leaf.validity.not_after_unix + 86_400;
        let state = reduce(
            DecoderState::default(),
            DecoderAction::SetText {
                text: CHAIN.to_owned(),
                now: later,
            },
        );
        assert!(state.certificates[0].validity.days_until_expiry < 0);
        assert_ne!(state.certificates[0].validity.status, leaf.validity.status);
    }

    #[test]
    fn unchanged_text_keeps_the_state_and_clear_empties_it() {
        let state = Rc::new(DecoderState::with_text(CHAIN, AT));
        let same = state.clone().reduce(DecoderAction::SetText {
            text: CHAIN.to_owned(),
            now: AT + 1,
        });
        assert!(Rc::ptr_eq(&state, &same), "no new decode for the same text");
        let cleared = same.reduce(DecoderAction::Clear);
        assert!(cleared.report.is_none() && cleared.certificates.is_empty());
        // Blank text is no input at all.
        let blank = reduce(
            DecoderState::default(),
            DecoderAction::SetText {
                text: " \n".to_owned(),
                now: AT,
            },
        );
        assert!(blank.report.is_none());
    }

    #[test]
    fn files_add_and_remove_and_an_oversized_one_is_reported_not_read() {
        let file = |name: &str, bytes: Option<&str>| LoadedFile {
            name: name.to_owned(),
            size: bytes.map_or(100 << 20, str::len),
            bytes: bytes.map(|b| Rc::new(b.as_bytes().to_vec())),
        };
        let state = reduce(
            DecoderState::default(),
            DecoderAction::AddFiles {
                files: vec![file("chain.pem", Some(CHAIN)), file("huge.bin", None)],
                now: AT,
            },
        );
        let with_both = state.certificates.len();
        assert!(with_both >= 2);
        assert!(
            !state.report.as_ref().unwrap().problems.is_empty(),
            "the oversized file is a problem"
        );
        let state = state.reduce(DecoderAction::RemoveFile { index: 0, now: AT });
        assert!(state.certificates.is_empty());
        // An index past the end changes nothing.
        let same = state
            .clone()
            .reduce(DecoderAction::RemoveFile { index: 5, now: AT });
        assert_eq!(same.files.len(), 1);
    }

    #[test]
    fn a_small_chain_opens_fully_and_toggles_and_a_bundle_opens_its_first() {
        let state = Rc::new(DecoderState::with_text(CHAIN, AT));
        let n = state.certificates.len();
        assert!(n <= AUTO_EXPAND);
        assert_eq!(state.expanded.len(), n);
        let state = state.reduce(DecoderAction::Toggle(0));
        assert!(!state.expanded.contains(&0));
        let state = state.reduce(DecoderAction::CollapseAll);
        assert!(state.expanded.is_empty());
        let state = state.reduce(DecoderAction::ExpandAll);
        assert_eq!(state.expanded.len(), n);
        let bundle = CHAIN.repeat(3);
        let state = DecoderState::with_text(&bundle, AT);
        assert!(state.certificates.len() > AUTO_EXPAND);
        assert_eq!(state.expanded, BTreeSet::from([0]));
    }
}
