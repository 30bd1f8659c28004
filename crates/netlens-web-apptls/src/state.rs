//! The App TLS page's state: what the reader typed, pasted or dropped in its three parts. The
//! reports are derived from it by the pure core (`netlens-apptls`) in the component; nothing
//! here reads the clock or the DOM, so the reducer is tested natively.

use std::rc::Rc;

use yew::Reducible;

/// The parts of the page, each shown alone in an element with `tool="error|ats|pins"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Explain an error code or log excerpt.
    Error,
    /// Lint the app's NSAppTransportSecurity dictionary.
    Ats,
    /// Pin sets: from a chain, and checked against it.
    Pins,
}

impl Part {
    /// Every part, in page order.
    pub const ALL: [Part; 3] = [Part::Error, Part::Ats, Part::Pins];

    /// The part an element's `tool` attribute names (`error`, `ats`, `pins`).
    pub fn from_attribute(value: &str) -> Option<Part> {
        match value.trim().to_ascii_lowercase().as_str() {
            "error" | "errors" => Some(Part::Error),
            "ats" | "info-plist" | "plist" => Some(Part::Ats),
            "pins" | "pin" | "pinning" => Some(Part::Pins),
            _ => None,
        }
    }
}

/// A text field of the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The error code or console excerpt.
    ErrorText,
    /// The pasted Info.plist (or dictionary).
    Plist,
    /// The host the ATS dictionary is read for.
    AtsHost,
    /// The chain to pin.
    Chain,
    /// The host the pins are for.
    PinsHost,
    /// A pin set to check.
    PinSet,
    /// The renewal chain.
    NextChain,
}

/// A dropped Info.plist (a binary one cannot be pasted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlistFile {
    /// Its name.
    pub name: String,
    /// Its bytes.
    pub bytes: Rc<Vec<u8>>,
}

/// The page's inputs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppTlsState {
    /// The error code or console excerpt.
    pub error_text: String,
    /// The pasted Info.plist.
    pub plist: String,
    /// A dropped Info.plist, read instead of the text while present.
    pub plist_file: Option<PlistFile>,
    /// The host the ATS dictionary is read for.
    pub ats_host: String,
    /// The chain to pin and check against.
    pub chain: String,
    /// The host the pins are for.
    pub pins_host: String,
    /// A pin set to check.
    pub pin_set: String,
    /// The renewal chain.
    pub next_chain: String,
}

/// What changes the state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppTlsAction {
    /// A field's new text. Typing into the Info.plist field drops a dropped file.
    Set(Field, String),
    /// An Info.plist file was dropped or picked.
    PlistFile(PlistFile),
    /// The example of a part.
    Example(Part),
}

/// The examples: real console output (from a public issue thread, as in the explainer's
/// corpus), an Info.plist with the usual mistakes, and pins in the forms people paste.
pub mod examples {
    /// Console output of a failed load (github.com/transistorsoft/cordova-background-geolocation-lt/issues/1435).
    pub const CONSOLE: &str = "ATS failed system trust\nConnection 6: system TLS Trust evaluation failed(-9802)\nConnection 6: TLS Trust encountered error 3:-9802\nConnection 6: encountered error(3:-9802)\nTask <1C1C4F6F-771B-4349-9122-0F42AFFC0021>.<1> HTTP load failed, 0/0 bytes (error code: -1200 [3:-9802])";
    /// netlens' demo chain (leaf, intermediate, root).
    pub const CHAIN: &str = include_str!("../../netlens-testkit/fixtures/demo-chain.pem");
    /// The host the demo chain names.
    pub const HOST: &str = "www.netlens.test";
    /// The pins an app might ship: the demo leaf's key (which a renewal replaces) and a
    /// backup that matches nothing.
    pub const PIN_SET: &str = "# the app's pins\nsha256/rRAsdGdkqfD/+qEYDrLfjActE6d0Pki4OdqpW/U+lUY=\nsha256/r/mIkG3eEpVdm+u/ko/cwxzOMo1bk4TyHIlByibiA5E=";
    /// An NSAppTransportSecurity dictionary with a misspelled key, a domain with a scheme,
    /// a string where a Boolean belongs, an invalid TLS version and TLS 1.0 allowed.
    pub const INFO_PLIST: &str = "<key>NSAppTransportSecurity</key>\n<dict>\n\t<key>NSAllowArbitraryLoads</key>\n\t<true/>\n\t<key>NSExceptionDomains</key>\n\t<dict>\n\t\t<key>https://api.example.com</key>\n\t\t<dict>\n\t\t\t<key>NSIncludesSubdomains</key>\n\t\t\t<string>YES</string>\n\t\t\t<key>NSExceptionMinimumTLSVersion</key>\n\t\t\t<string>1.2</string>\n\t\t</dict>\n\t\t<key>legacy.example.com</key>\n\t\t<dict>\n\t\t\t<key>NSExceptionMinimumTLSVersion</key>\n\t\t\t<string>TLSv1.0</string>\n\t\t</dict>\n\t</dict>\n</dict>";
}

impl Reducible for AppTlsState {
    type Action = AppTlsAction;

    fn reduce(self: Rc<Self>, action: AppTlsAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            AppTlsAction::Set(field, text) => {
                let slot = match field {
                    Field::ErrorText => &mut next.error_text,
                    Field::Plist => {
                        next.plist_file = None;
                        &mut next.plist
                    }
                    Field::AtsHost => &mut next.ats_host,
                    Field::Chain => &mut next.chain,
                    Field::PinsHost => &mut next.pins_host,
                    Field::PinSet => &mut next.pin_set,
                    Field::NextChain => &mut next.next_chain,
                };
                if *slot == text {
                    return self;
                }
                *slot = text;
            }
            AppTlsAction::PlistFile(file) => {
                // Text shown for a binary file would be noise: the file is read, the field says so.
                next.plist = String::new();
                next.plist_file = Some(file);
            }
            AppTlsAction::Example(Part::Error) => next.error_text = examples::CONSOLE.to_owned(),
            AppTlsAction::Example(Part::Ats) => {
                next.plist = examples::INFO_PLIST.to_owned();
                next.plist_file = None;
                next.ats_host = "api.example.com".to_owned();
            }
            AppTlsAction::Example(Part::Pins) => {
                next.chain = examples::CHAIN.to_owned();
                next.pins_host = examples::HOST.to_owned();
                next.pin_set = examples::PIN_SET.to_owned();
            }
        }
        Rc::new(next)
    }
}

impl AppTlsState {
    /// The Info.plist as bytes: the dropped file, else the text.
    pub fn plist_bytes(&self) -> &[u8] {
        match &self.plist_file {
            Some(file) => &file.bytes,
            None => self.plist.as_bytes(),
        }
    }

    /// Whether there is an Info.plist to lint.
    pub fn has_plist(&self) -> bool {
        self.plist_file.is_some() || !self.plist.trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reduce(state: AppTlsState, action: AppTlsAction) -> AppTlsState {
        (*Rc::new(state).reduce(action)).clone()
    }

    #[test]
    fn fields_and_files() {
        let s = reduce(
            AppTlsState::default(),
            AppTlsAction::Set(Field::Plist, "<dict/>".into()),
        );
        assert_eq!(s.plist_bytes(), b"<dict/>");
        let s = reduce(
            s,
            AppTlsAction::PlistFile(PlistFile {
                name: "Info.plist".into(),
                bytes: Rc::new(b"bplist00".to_vec()),
            }),
        );
        assert!(s.plist.is_empty() && s.has_plist());
        assert_eq!(s.plist_bytes(), b"bplist00");
        // Typing replaces the dropped file.
        let s = reduce(s, AppTlsAction::Set(Field::Plist, "<dict>".into()));
        assert_eq!(s.plist_file, None);
        let s = reduce(s, AppTlsAction::Set(Field::PinSet, "sha256/x".into()));
        assert_eq!(s.pin_set, "sha256/x");
    }

    #[test]
    fn unchanged_text_keeps_the_state() {
        let first = Rc::new(AppTlsState::default());
        let same = first
            .clone()
            .reduce(AppTlsAction::Set(Field::Chain, String::new()));
        assert!(Rc::ptr_eq(&first, &same));
    }

    #[test]
    fn examples_and_parts() {
        let s = reduce(AppTlsState::default(), AppTlsAction::Example(Part::Error));
        assert!(s.error_text.contains("ATS failed system trust"));
        let s = reduce(s, AppTlsAction::Example(Part::Ats));
        assert!(s.plist.contains("NSAllowArbitraryLoads") && s.ats_host == "api.example.com");
        let s = reduce(s, AppTlsAction::Example(Part::Pins));
        assert_eq!(s.pins_host, "www.netlens.test");
        assert_eq!(Part::from_attribute(" ATS "), Some(Part::Ats));
        assert_eq!(Part::from_attribute("pins"), Some(Part::Pins));
        assert_eq!(Part::from_attribute("chain"), None);
    }

    #[test]
    fn the_examples_say_what_the_page_promises() {
        let e = netlens_apptls::errors::explain(examples::CONSOLE);
        assert!(
            e.recognised
                .iter()
                .any(|r| r.name == "ATS failed system trust")
        );
        let report = netlens_apptls::ats::lint(examples::INFO_PLIST.as_bytes()).unwrap();
        let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
        for rule in [
            "app.ats-unknown-key",
            "app.ats-domain-not-a-name",
            "app.ats-not-boolean",
            "app.ats-minimum-tls-invalid",
            "app.ats-old-tls",
        ] {
            assert!(rules.contains(&rule), "{rule}: {rules:?}");
        }
        let check = netlens_apptls::pins::check(
            examples::PIN_SET,
            examples::CHAIN.as_bytes(),
            None,
            Some(examples::HOST),
            0,
        );
        assert!(
            check.connects,
            "the example's leaf pin matches the demo chain"
        );
        assert_eq!(check.pins[0].matches, vec![0]);
    }
}
