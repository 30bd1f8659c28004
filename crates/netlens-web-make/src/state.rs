//! The test certificate maker's state: the form, and what the last run made.
//!
//! Every change of the form is checked at once by the core (`netlens_make::Plan::new`), so a
//! name clients cannot use is refused as it is typed; nothing is made until the user asks.
//! [`MakeAction::Make`] bumps [`MakeState::generation`]; the component runs the maker (keys and
//! signatures by WebCrypto, checks by the chain analysis) and hands the result back with
//! [`MakeAction::Made`] and that generation. A result for an older run is dropped.

use std::rc::Rc;

use netlens_make::{Fixture, KeyType, Made, Pkcs12Format, Placement, Plan, Profile, Request};
use yew::Reducible;

/// The form and the last result.
#[derive(Clone)]
pub struct MakeState {
    /// Names clients reach the server by, as typed (commas, spaces or lines between).
    pub names: String,
    /// The server's and clients' key type.
    pub key_type: KeyType,
    /// The CA's key type.
    pub ca_key_type: KeyType,
    /// Server and client validity, in days.
    pub days: u32,
    /// CA validity, in days.
    pub ca_days: u32,
    /// The CA's name (empty: the default).
    pub ca_name: String,
    /// Where the name constraints go.
    pub constraints: Placement,
    /// Client identities, one per line.
    pub clients: String,
    /// Fixtures asked for.
    pub fixtures: Vec<Fixture>,
    /// The validity profile.
    pub profile: Profile,
    /// The PKCS#12 encryption.
    pub pkcs12: Pkcs12Format,
    /// The PKCS#12 password as typed (empty: netlens makes one up).
    pub password: String,
    /// Issue from a CA the user pastes instead of making one.
    pub use_existing: bool,
    /// The pasted CA certificate(s).
    pub ca_certificate: String,
    /// The pasted CA key (kept in memory only, for the run; never shown again, never stored).
    pub ca_key: String,
    /// What checking the form said: notes, or why it cannot be made.
    pub check: Result<Vec<String>, String>,
    /// Bumped by every request to make.
    pub generation: u64,
    /// The generation [`MakeState::result`] (or [`MakeState::error`]) is for.
    pub made: u64,
    /// The last run's result.
    pub result: Option<Rc<Made>>,
    /// Why the last run made nothing.
    pub error: Option<String>,
    /// The form changed since the result was made.
    pub stale: bool,
}

impl Default for MakeState {
    fn default() -> Self {
        let request = Request::default();
        let mut state = MakeState {
            names: String::new(),
            key_type: request.key_type,
            ca_key_type: request.ca_key_type,
            days: request.days,
            ca_days: request.ca_days,
            ca_name: String::new(),
            constraints: request.constraints,
            clients: String::new(),
            fixtures: Vec::new(),
            profile: request.profile,
            pkcs12: request.pkcs12,
            password: String::new(),
            use_existing: false,
            ca_certificate: String::new(),
            ca_key: String::new(),
            check: Ok(Vec::new()),
            generation: 0,
            made: 0,
            result: None,
            error: None,
            stale: false,
        };
        state.recheck();
        state
    }
}

impl PartialEq for MakeState {
    fn eq(&self, other: &Self) -> bool {
        // Rendering follows the form and the result, which change with these.
        self.generation == other.generation
            && self.made == other.made
            && self.stale == other.stale
            && self.check == other.check
            && self.request() == other.request()
            && self.password == other.password
            && self.use_existing == other.use_existing
            && self.ca_certificate == other.ca_certificate
            && self.ca_key == other.ca_key
    }
}

/// A change to the form, or a run's result.
pub enum MakeAction {
    /// The names field.
    SetNames(String),
    /// The key type.
    SetKeyType(KeyType),
    /// The CA's key type.
    SetCaKeyType(KeyType),
    /// The validity, in days (as typed; not a number leaves it).
    SetDays(String),
    /// The CA validity, in days.
    SetCaDays(String),
    /// The CA's name.
    SetCaName(String),
    /// Where the constraints go.
    SetConstraints(Placement),
    /// The client identities field.
    SetClients(String),
    /// A fixture on or off.
    SetFixture(Fixture, bool),
    /// The validity profile.
    SetProfile(Profile),
    /// The PKCS#12 encryption.
    SetPkcs12(Pkcs12Format),
    /// The PKCS#12 password.
    SetPassword(String),
    /// Issue from a pasted CA, or make one.
    SetUseExisting(bool),
    /// The pasted CA certificate(s).
    SetCaCertificate(String),
    /// The pasted CA key.
    SetCaKey(String),
    /// Make the certificates.
    Make,
    /// A run finished: its generation and what it made, or why not.
    Made(u64, Result<Rc<Made>, String>),
}

impl MakeState {
    /// The state with the names field preset (an element's `names` attribute).
    pub fn new(names: &str) -> Self {
        let mut state = MakeState {
            names: names.to_owned(),
            ..MakeState::default()
        };
        state.recheck();
        state
    }

    /// The request the form describes.
    pub fn request(&self) -> Request {
        Request {
            names: netlens_make::names::split(&self.names),
            key_type: self.key_type,
            ca_key_type: self.ca_key_type,
            days: self.days,
            ca_days: self.ca_days,
            ca_name: (!self.ca_name.trim().is_empty()).then(|| self.ca_name.clone()),
            constraints: self.constraints,
            clients: self
                .clients
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            fixtures: self.fixtures.clone(),
            profile: self.profile,
            pkcs12: self.pkcs12,
        }
    }

    /// A run is under way.
    pub fn running(&self) -> bool {
        self.generation != self.made
    }

    /// Whether the form can be made (nothing to say against it).
    pub fn ready(&self) -> bool {
        let has_ca = !self.use_existing
            || (!self.ca_certificate.trim().is_empty() && !self.ca_key.trim().is_empty());
        self.check.is_ok() && has_ca && !self.running()
    }

    /// Checks the form as the core will: a new CA's plan at no particular moment (a pasted CA
    /// is checked when made, against its own dates).
    fn recheck(&mut self) {
        let request = self.request();
        let empty = request.names.is_empty() && request.clients.is_empty();
        self.check = if empty {
            Ok(Vec::new())
        } else {
            let mut r = request;
            if self.use_existing {
                // The CA's own type and dates decide; check the rest.
                r.ca_key_type = KeyType::P256;
                r.ca_days = netlens_make::request::MAX_CA_DAYS;
            }
            Plan::new(r, 0, None)
                .map(|plan| plan.notes)
                .map_err(|e| e.to_string())
        };
        if self.result.is_some() {
            self.stale = true;
        }
    }
}

fn days(text: &str, current: u32) -> u32 {
    text.trim().parse::<u32>().unwrap_or(current)
}

impl Reducible for MakeState {
    type Action = MakeAction;

    fn reduce(self: Rc<Self>, action: MakeAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            MakeAction::SetNames(t) => s.names = t,
            MakeAction::SetKeyType(k) => s.key_type = k,
            MakeAction::SetCaKeyType(k) => s.ca_key_type = k,
            MakeAction::SetDays(t) => s.days = days(&t, s.days),
            MakeAction::SetCaDays(t) => s.ca_days = days(&t, s.ca_days),
            MakeAction::SetCaName(t) => s.ca_name = t,
            MakeAction::SetConstraints(p) => s.constraints = p,
            MakeAction::SetClients(t) => s.clients = t,
            MakeAction::SetFixture(f, on) => {
                s.fixtures.retain(|x| *x != f);
                if on {
                    s.fixtures.push(f);
                    s.fixtures.sort();
                }
            }
            MakeAction::SetProfile(p) => s.profile = p,
            MakeAction::SetPkcs12(p) => s.pkcs12 = p,
            MakeAction::SetPassword(p) => {
                s.password = p;
                return Rc::new(s);
            }
            MakeAction::SetUseExisting(on) => s.use_existing = on,
            MakeAction::SetCaCertificate(t) => s.ca_certificate = t,
            MakeAction::SetCaKey(t) => s.ca_key = t,
            MakeAction::Make => {
                if !s.ready() {
                    return self;
                }
                s.generation += 1;
                s.error = None;
                return Rc::new(s);
            }
            MakeAction::Made(generation, result) => {
                if generation != s.generation {
                    return self;
                }
                s.made = generation;
                match result {
                    Ok(made) => {
                        s.result = Some(made);
                        s.error = None;
                        s.stale = false;
                    }
                    Err(e) => s.error = Some(e),
                }
                return Rc::new(s);
            }
        }
        s.recheck();
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reduce(state: MakeState, action: MakeAction) -> MakeState {
        (*Rc::new(state).reduce(action)).clone()
    }

    #[test]
    fn names_are_checked_as_typed() {
        let s = reduce(
            MakeState::default(),
            MakeAction::SetNames("printer.local.".into()),
        );
        let notes = s.check.as_ref().unwrap();
        assert!(notes[0].contains("TN2326"), "{notes:?}");
        assert!(s.ready());
        let s = reduce(s, MakeAction::SetNames("Printer._ipp._tcp.local.".into()));
        assert!(
            s.check
                .as_ref()
                .unwrap_err()
                .contains("service instance name")
        );
        assert!(!s.ready());
        let s = reduce(s, MakeAction::SetNames("a.test".into()));
        let s = reduce(s, MakeAction::SetDays("900".into()));
        let rule = netlens_chain::catalog::RuleId::AppleValidityOver825Days;
        assert!(s.check.as_ref().unwrap_err().contains(rule.as_str()));
        let s = reduce(s, MakeAction::SetProfile(Profile::Any));
        assert!(s.check.is_ok());
        let s = reduce(s, MakeAction::SetDays("nine".into()));
        assert_eq!(s.days, 900);
    }

    #[test]
    fn a_run_follows_its_generation() {
        let s = reduce(MakeState::new("a.test"), MakeAction::Make);
        assert!(s.running());
        assert!(!s.ready(), "no second run while one is under way");
        let g = s.generation;
        let old = reduce(s.clone(), MakeAction::Made(g - 1, Err("old".into())));
        assert!(old.error.is_none() && old.running());
        let s = reduce(s, MakeAction::Made(g, Err("no WebCrypto".into())));
        assert!(!s.running());
        assert_eq!(s.error.as_deref(), Some("no WebCrypto"));
    }

    #[test]
    fn fixtures_and_existing_ca_fields() {
        let s = reduce(
            MakeState::new("a.test"),
            MakeAction::SetFixture(Fixture::Sha1Signed, true),
        );
        let s = reduce(s, MakeAction::SetFixture(Fixture::Expired, true));
        assert_eq!(
            s.request().fixtures,
            vec![Fixture::Expired, Fixture::Sha1Signed]
        );
        let s = reduce(s, MakeAction::SetFixture(Fixture::Expired, false));
        assert_eq!(s.request().fixtures, vec![Fixture::Sha1Signed]);
        let s = reduce(s, MakeAction::SetUseExisting(true));
        assert!(!s.ready(), "a pasted CA needs its certificate and key");
        let s = reduce(
            s,
            MakeAction::SetCaCertificate("-----BEGIN CERTIFICATE-----".into()),
        );
        let s = reduce(
            s,
            MakeAction::SetCaKey("-----BEGIN PRIVATE KEY-----".into()),
        );
        assert!(s.ready());
    }

    #[test]
    fn clients_are_one_per_line() {
        let s = reduce(
            MakeState::default(),
            MakeAction::SetClients("Alice Smith\n\n build-bot \n".into()),
        );
        assert_eq!(s.request().clients, vec!["Alice Smith", "build-bot"]);
        assert!(s.ready());
    }
}
