//! The probe's settings form as a reducer: what the user typed, where the endpoint came from,
//! what was wrong with the settings' sources, and whether the hosted settings file has been read.
//!
//! Settings come in layers (built-in default < `netlens.config.json` < element attribute < URL
//! parameter < the form, [`netlens_probe::layers`]). The URL and the attributes are known when
//! the tool mounts; the file arrives later. Two rules make that safe:
//! - the file fills the form only until the user edits it (a late file never overwrites what was
//!   typed), and
//! - Start waits until the file was read or found absent ([`SettingsState::loaded`]), so a run
//!   never uses settings about to change.
//!
//! The form is kept as typed (strings): it is resolved through the same parsing as every other
//! source, so "what the form says" and "what Start would use" can never disagree.

use std::rc::Rc;

use netlens_probe::layers::{self, Layer, Resolved, Source};
use netlens_probe::quality::run::RunConfig;
use netlens_probe::{MessageMode, ProbeConfig};
use yew::Reducible;

/// The form's fields, as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    /// ws:// or wss:// URL.
    pub endpoint: String,
    /// Milliseconds between probes.
    pub interval: String,
    /// Binary probe size in bytes.
    pub payload: String,
    /// Fixed reply timeout in ms (empty: adaptive).
    pub timeout: String,
    /// WebSocket subprotocol (empty: none).
    pub subprotocol: String,
    /// Request/response mode instead of echo.
    pub request_mode: bool,
    /// Request/response mode: the request template.
    pub request: String,
    /// Request/response mode: the reply field carrying `{seq}`.
    pub match_field: String,
    /// A fresh connection for every probe.
    pub fresh: bool,
    /// Probes to send (empty: until stopped).
    pub count: String,
    /// Working conditions: load the path and measure responsiveness, as networkQuality does,
    /// instead of idle round trips.
    pub working_conditions: bool,
    /// Working conditions: the longest loaded phase, seconds.
    pub phase_s: String,
}

impl Form {
    /// The form filled from resolved settings.
    pub fn from_config(c: &ProbeConfig) -> Form {
        let (request_mode, request, match_field) = match &c.mode {
            MessageMode::Echo => (false, String::new(), String::new()),
            MessageMode::RequestResponse {
                template,
                match_field,
            } => (true, template.clone(), match_field.clone()),
        };
        Form {
            endpoint: c.endpoint.clone(),
            interval: c.interval_ms.to_string(),
            payload: c.payload_bytes.to_string(),
            timeout: c.timeout_ms.map(|t| t.to_string()).unwrap_or_default(),
            subprotocol: c.subprotocol.clone().unwrap_or_default(),
            request_mode,
            request,
            match_field,
            fresh: c.fresh_connection,
            count: c.count.map(|n| n.to_string()).unwrap_or_default(),
            working_conditions: false,
            phase_s: DEFAULT_PHASE_S.to_owned(),
        }
    }

    /// The working-conditions run the form describes, or why it cannot start.
    pub fn run_config(&self) -> Result<RunConfig, String> {
        let phase_s: f64 = self
            .phase_s
            .trim()
            .parse()
            .ok()
            .filter(|s: &f64| (2.0..=60.0).contains(s))
            .ok_or_else(|| {
                format!(
                    "phase length `{}`: a number of seconds from 2 to 60",
                    self.phase_s.trim()
                )
            })?;
        Ok(RunConfig {
            phase_limit_ms: phase_s * 1000.0,
            handshake_round_trips: RunConfig::round_trips_for(&self.endpoint),
            ..RunConfig::default()
        })
    }

    /// The settings the form describes, through the same parsing as every other source.
    pub fn resolve(&self) -> Resolved {
        let mut values = vec![
            ("endpoint", self.endpoint.clone()),
            ("interval_ms", self.interval.clone()),
            ("payload_bytes", self.payload.clone()),
            ("timeout_ms", self.timeout.clone()),
            ("subprotocol", self.subprotocol.clone()),
            ("fresh_connection", self.fresh.to_string()),
            ("count", self.count.clone()),
        ];
        if self.request_mode {
            values.push(("request", self.request.clone()));
            values.push(("match_field", self.match_field.clone()));
        }
        layers::resolve(&[Layer::from_pairs(Source::Form, values)])
    }
}

/// The default longest loaded phase, seconds.
pub const DEFAULT_PHASE_S: &str = "10";

/// A text field of the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// [`Form::endpoint`].
    Endpoint,
    /// [`Form::interval`].
    Interval,
    /// [`Form::payload`].
    Payload,
    /// [`Form::timeout`].
    Timeout,
    /// [`Form::subprotocol`].
    Subprotocol,
    /// [`Form::request`].
    Request,
    /// [`Form::match_field`].
    MatchField,
    /// [`Form::count`].
    Count,
    /// [`Form::phase_s`].
    PhaseSeconds,
}

/// A checkbox of the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flag {
    /// [`Form::fresh`].
    FreshConnection,
    /// [`Form::request_mode`].
    RequestMode,
    /// [`Form::working_conditions`].
    WorkingConditions,
}

/// The settings form's state.
#[derive(Clone, Debug, PartialEq)]
pub struct SettingsState {
    /// The form as the user edits it.
    pub form: Form,
    /// The user has edited the form (a late settings file no longer fills it).
    pub touched: bool,
    /// Where the endpoint came from (said next to it).
    pub endpoint_source: Source,
    /// What was wrong with the settings' sources (shown once, above the form).
    pub problems: Vec<String>,
    /// `netlens.config.json` has been read or found absent: Start may use the form.
    pub loaded: bool,
}

impl SettingsState {
    /// The form filled from the layers known when the tool mounts (URL, attributes).
    pub fn new(initial: &Resolved) -> SettingsState {
        SettingsState {
            form: Form::from_config(&initial.config),
            touched: false,
            endpoint_source: initial.endpoint_source,
            problems: initial.problems.clone(),
            loaded: false,
        }
    }
}

/// What can happen to the settings form.
#[derive(Debug)]
pub enum SettingsAction {
    /// The user typed into a text field.
    Edit(Field, String),
    /// The user ticked or cleared a checkbox.
    Toggle(Flag, bool),
    /// The hosted settings file was read (or found absent), and every layer resolved again.
    FileRead {
        /// All layers, the file's included.
        resolved: Resolved,
        /// Why the file could not be used, if it could not.
        file_problem: Option<String>,
    },
}

impl Reducible for SettingsState {
    type Action = SettingsAction;

    fn reduce(self: Rc<Self>, action: SettingsAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            SettingsAction::Edit(field, value) => {
                let f = &mut next.form;
                let slot = match field {
                    Field::Endpoint => &mut f.endpoint,
                    Field::Interval => &mut f.interval,
                    Field::Payload => &mut f.payload,
                    Field::Timeout => &mut f.timeout,
                    Field::Subprotocol => &mut f.subprotocol,
                    Field::Request => &mut f.request,
                    Field::MatchField => &mut f.match_field,
                    Field::Count => &mut f.count,
                    Field::PhaseSeconds => &mut f.phase_s,
                };
                *slot = value;
                next.touched = true;
            }
            SettingsAction::Toggle(flag, on) => {
                match flag {
                    Flag::FreshConnection => next.form.fresh = on,
                    Flag::RequestMode => next.form.request_mode = on,
                    Flag::WorkingConditions => next.form.working_conditions = on,
                }
                next.touched = true;
            }
            SettingsAction::FileRead {
                resolved,
                file_problem,
            } => {
                if !next.touched {
                    let working_conditions = next.form.working_conditions;
                    next.form = Form::from_config(&resolved.config);
                    next.form.working_conditions = working_conditions;
                }
                next.endpoint_source = resolved.endpoint_source;
                next.problems = resolved.problems;
                next.problems.extend(file_problem);
                next.loaded = true;
            }
        }
        if next == *self {
            return self;
        }
        Rc::new(next)
    }
}

/// The form's settings checked: what the page shows about them and what Start would use.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedForm {
    /// The settings Start would use.
    pub resolved: Resolved,
    /// Why Start is disabled.
    pub invalid: Option<String>,
    /// An https:// page cannot reach the endpoint.
    pub mixed: Option<String>,
}

impl CheckedForm {
    /// Checks `form` for a page served over https:// (`page_secure`) or not.
    pub fn new(form: &Form, page_secure: bool) -> CheckedForm {
        let resolved = form.resolve();
        let invalid = resolved
            .problems
            .first()
            .map(|p| p.replace(" from the form", ""))
            .or_else(|| resolved.config.validate().err().map(|e| e.to_string()))
            .or_else(|| {
                form.working_conditions
                    .then(|| form.run_config().err())
                    .flatten()
            });
        let mixed = mixed_content_warning(&resolved.config.endpoint, page_secure);
        CheckedForm {
            resolved,
            invalid,
            mixed,
        }
    }
}

/// An `https://` page cannot open `ws://` to anything but this machine (mixed content).
pub fn mixed_content_warning(endpoint: &str, page_secure: bool) -> Option<String> {
    // Only a parsed endpoint is worth a warning; validation reports the others.
    let Ok(parsed) = netlens_probe::config::parse_endpoint(endpoint) else {
        return None;
    };
    let local =
        parsed.host == "localhost" || parsed.host == "::1" || parsed.host.starts_with("127.");
    (page_secure && !parsed.secure && !local).then(|| {
        "this page is https:// and browsers block ws:// connections from it (mixed content): use wss://"
            .to_owned()
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;

    fn initial(pairs: &[(&str, &str)]) -> Rc<SettingsState> {
        let resolved = layers::resolve(&[Layer::from_pairs(
            Source::UrlParameter,
            pairs.iter().copied(),
        )]);
        Rc::new(SettingsState::new(&resolved))
    }

    fn file_read(text: &str) -> SettingsAction {
        let layer = Layer::from_config_file(text).unwrap();
        SettingsAction::FileRead {
            resolved: layers::resolve(&[layer]),
            file_problem: None,
        }
    }

    #[test]
    fn the_form_starts_from_the_url_and_waits_for_the_file() {
        let state = initial(&[
            ("endpoint", "ws://127.0.0.1:9000/echo"),
            ("interval_ms", "50"),
        ]);
        assert_eq!(state.form.endpoint, "ws://127.0.0.1:9000/echo");
        assert_eq!(state.form.interval, "50");
        assert_eq!(state.endpoint_source, Source::UrlParameter);
        assert!(!state.loaded && !state.touched);
    }

    #[test]
    fn the_file_fills_an_untouched_form_but_never_overwrites_an_edit() {
        let file = r#"{"probe":{"endpoint":"wss://echo.example.com/ws","interval_ms":250}}"#;
        let untouched = initial(&[]).reduce(file_read(file));
        assert_eq!(untouched.form.endpoint, "wss://echo.example.com/ws");
        assert_eq!(untouched.form.interval, "250");
        assert_eq!(untouched.endpoint_source, Source::ConfigFile);
        assert!(untouched.loaded);

        let edited = initial(&[])
            .reduce(SettingsAction::Edit(
                Field::Endpoint,
                "ws://127.0.0.1:1/x".into(),
            ))
            .reduce(file_read(file));
        assert_eq!(edited.form.endpoint, "ws://127.0.0.1:1/x");
        assert_eq!(edited.form.interval, "100", "the default, not the file's");
        assert!(edited.loaded && edited.touched);
    }

    #[test]
    fn edits_and_toggles_reach_the_resolved_settings() {
        let state = initial(&[])
            .reduce(SettingsAction::Edit(
                Field::Endpoint,
                "ws://127.0.0.1:9/e".into(),
            ))
            .reduce(SettingsAction::Edit(Field::Count, "7".into()))
            .reduce(SettingsAction::Toggle(Flag::FreshConnection, true))
            .reduce(SettingsAction::Toggle(Flag::RequestMode, true))
            .reduce(SettingsAction::Edit(
                Field::Request,
                r#"{"op":"ping","id":{seq}}"#.into(),
            ))
            .reduce(SettingsAction::Edit(Field::MatchField, "id".into()));
        let checked = CheckedForm::new(&state.form, false);
        assert_eq!(checked.invalid, None);
        let config = &checked.resolved.config;
        assert_eq!(config.count, Some(7));
        assert!(config.fresh_connection);
        assert!(matches!(config.mode, MessageMode::RequestResponse { .. }));
        // Request mode off: its fields are kept but not used.
        let echo = state.reduce(SettingsAction::Toggle(Flag::RequestMode, false));
        assert_eq!(echo.form.match_field, "id");
        let config = CheckedForm::new(&echo.form, false).resolved.config;
        assert_eq!(config.mode, MessageMode::Echo);
    }

    #[test]
    fn a_bad_value_disables_start_with_a_sentence() {
        let state = initial(&[]).reduce(SettingsAction::Edit(Field::Interval, "fast".into()));
        let invalid = CheckedForm::new(&state.form, false).invalid.unwrap();
        assert!(invalid.contains("interval_ms"), "{invalid}");
        assert!(!invalid.contains("from the form"), "{invalid}");
    }

    #[test]
    fn a_bad_file_is_said_and_the_form_stays_usable() {
        let state = initial(&[]).reduce(SettingsAction::FileRead {
            resolved: layers::resolve(&[]),
            file_problem: Some("netlens.config.json is not JSON".into()),
        });
        assert!(state.loaded);
        assert_eq!(state.problems, ["netlens.config.json is not JSON"]);
        assert_eq!(CheckedForm::new(&state.form, false).invalid, None);
    }

    #[test]
    fn an_https_page_is_warned_about_ws_to_another_host_only() {
        let far = "ws://echo.example.com/ws";
        assert!(mixed_content_warning(far, true).unwrap().contains("wss://"));
        assert_eq!(mixed_content_warning(far, false), None);
        assert_eq!(
            mixed_content_warning("ws://127.0.0.1:9000/echo", true),
            None
        );
        assert_eq!(
            mixed_content_warning("wss://echo.example.com/ws", true),
            None
        );
    }

    #[test]
    fn an_action_that_changes_nothing_keeps_the_state() {
        let state = initial(&[]);
        let same = state
            .clone()
            .reduce(SettingsAction::Toggle(Flag::FreshConnection, false));
        // Nothing changed but `touched`: a new state (the file must no longer fill the form).
        assert!(same.touched);
        let again = same
            .clone()
            .reduce(SettingsAction::Toggle(Flag::FreshConnection, false));
        assert!(Rc::ptr_eq(&same, &again));
    }

    #[test]
    fn working_conditions_take_a_phase_length_and_keep_through_the_file() {
        let state = initial(&[("endpoint", "wss://echo.example.com/ws")])
            .reduce(SettingsAction::Toggle(Flag::WorkingConditions, true));
        let config = state.form.run_config().unwrap();
        assert_eq!(config.phase_limit_ms, 10_000.0);
        assert_eq!(config.handshake_round_trips, 3.0);
        let bad = state.reduce(SettingsAction::Edit(Field::PhaseSeconds, "1".into()));
        let invalid = CheckedForm::new(&bad.form, false).invalid.unwrap();
        assert!(invalid.contains("from 2 to 60"), "{invalid}");
        // A mode asked for by the element survives the hosted file filling an untouched form.
        let mut asked = (*initial(&[])).clone();
        asked.form.working_conditions = true;
        let filled = Rc::new(asked).reduce(file_read(r#"{"probe":{"interval_ms":250}}"#));
        assert!(filled.form.working_conditions);
        assert_eq!(filled.form.interval, "250");
    }
}
