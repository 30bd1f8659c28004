//! The DNS-SD tool's state: the fields as typed, changed only through [`DnssdAction`]s. What
//! the cores make of them (the reports) is derived in the component with `use_memo`, so the
//! state stays plain text and this module stays testable natively.

use std::rc::Rc;

use netlens_dnssd::service::TypeReport;
use netlens_dnssd::{Format, ServiceContext};
use yew::Reducible;

/// The port the generated commands use until the user types one.
pub const DEFAULT_PORT: u16 = 8080;

/// The fields of the DNS-SD tool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnssdState {
    /// Service type, as typed.
    pub service_type: String,
    /// Instance name, as typed.
    pub instance: String,
    /// TXT record, as typed or pasted.
    pub txt: String,
    /// The TXT format picked; `None`: detect it.
    pub format: Option<Format>,
    /// Port for the generated commands, as typed.
    pub port: String,
    /// NSBonjourServices (an Info.plist or one type per line).
    pub plist: String,
    /// Multipeer Connectivity service type.
    pub multipeer: String,
    /// An error code to explain, as typed.
    pub error_code: String,
}

/// A text field of the tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// [`DnssdState::service_type`].
    ServiceType,
    /// [`DnssdState::instance`].
    Instance,
    /// [`DnssdState::txt`].
    Txt,
    /// [`DnssdState::port`].
    Port,
    /// [`DnssdState::plist`].
    Plist,
    /// [`DnssdState::multipeer`].
    Multipeer,
    /// [`DnssdState::error_code`].
    ErrorCode,
}

/// What the user did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnssdAction {
    /// Typed in a field.
    Set(Field, String),
    /// Picked a TXT format (`None`: detect).
    SetFormat(Option<Format>),
    /// Loaded an example: type, instance and TXT record, with the format detected.
    Example {
        /// Service type.
        service_type: &'static str,
        /// Instance name.
        instance: &'static str,
        /// TXT record.
        txt: &'static str,
    },
}

impl DnssdState {
    /// The state a tool starts in, with the fields its host page set.
    pub fn new(service_type: &str, instance: &str, txt: &str) -> Self {
        DnssdState {
            service_type: service_type.to_owned(),
            instance: instance.to_owned(),
            txt: txt.to_owned(),
            format: None,
            port: DEFAULT_PORT.to_string(),
            plist: String::new(),
            multipeer: String::new(),
            error_code: String::new(),
        }
    }

    /// The state after `action`.
    pub fn reduce(mut self, action: DnssdAction) -> Self {
        match action {
            DnssdAction::Set(field, text) => *self.field_mut(field) = text,
            DnssdAction::SetFormat(format) => self.format = format,
            DnssdAction::Example {
                service_type,
                instance,
                txt,
            } => {
                self.service_type = service_type.to_owned();
                self.instance = instance.to_owned();
                self.txt = txt.to_owned();
                self.format = None;
            }
        }
        self
    }

    fn field_mut(&mut self, field: Field) -> &mut String {
        match field {
            Field::ServiceType => &mut self.service_type,
            Field::Instance => &mut self.instance,
            Field::Txt => &mut self.txt,
            Field::Port => &mut self.port,
            Field::Plist => &mut self.plist,
            Field::Multipeer => &mut self.multipeer,
            Field::ErrorCode => &mut self.error_code,
        }
    }

    /// The port typed, or [`DEFAULT_PORT`] when it is not a port number.
    pub fn port_number(&self) -> u16 {
        self.port.trim().parse().unwrap_or(DEFAULT_PORT)
    }

    /// The error code typed, as the negative number DNS-SD APIs return (people often drop the
    /// sign); `None` when it is not a number.
    pub fn error_code_number(&self) -> Option<i64> {
        let code = self.error_code.trim().parse::<i64>().ok()?;
        Some(if code > 0 { -code } else { code })
    }

    /// The service a TXT record is checked for and its commands generated with: the typed
    /// instance and type, with placeholders for what is missing (fields left at their
    /// placeholders take the service a paste names; see `check_txt`).
    pub fn service_context(&self, type_report: Option<&TypeReport>) -> ServiceContext {
        ServiceContext {
            instance: if self.instance.is_empty() {
                "My Service".into()
            } else {
                self.instance.clone()
            },
            service_type: type_report
                .and_then(|r| r.forms.as_ref())
                .map_or_else(|| "_example._tcp".to_owned(), |f| f.normalized.clone()),
            subtypes: type_report
                .and_then(|r| r.parsed.as_ref())
                .map(|p| {
                    p.subtypes
                        .iter()
                        .map(|s| netlens_dnssd::escape::escape_label_dnssd(s))
                        .collect()
                })
                .unwrap_or_default(),
            port: self.port_number(),
            ..ServiceContext::default()
        }
    }
}

impl Reducible for DnssdState {
    type Action = DnssdAction;

    fn reduce(self: Rc<Self>, action: DnssdAction) -> Rc<Self> {
        Rc::new((*self).clone().reduce(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_changes_only_its_field() {
        let start = DnssdState::new("_ipp._tcp", "Printer", "a=1");
        let s = start
            .clone()
            .reduce(DnssdAction::Set(Field::Plist, "_ipp._tcp".into()));
        assert_eq!(s.plist, "_ipp._tcp");
        assert_eq!(
            DnssdState {
                plist: String::new(),
                ..s
            },
            start
        );
        for field in [
            Field::ServiceType,
            Field::Instance,
            Field::Txt,
            Field::Port,
            Field::Multipeer,
            Field::ErrorCode,
        ] {
            let mut s = start.clone().reduce(DnssdAction::Set(field, "x".into()));
            assert_eq!(s.field_mut(field), "x", "{field:?}");
        }
    }

    #[test]
    fn an_example_replaces_the_service_and_detects_the_format_again() {
        let s = DnssdState::new("", "", "")
            .reduce(DnssdAction::SetFormat(Some(Format::Hex)))
            .reduce(DnssdAction::Set(Field::Port, "631".into()))
            .reduce(DnssdAction::Example {
                service_type: "_ipp._tcp",
                instance: "Office Printer",
                txt: "txtvers=1",
            });
        assert_eq!(
            (s.service_type.as_str(), s.instance.as_str(), s.txt.as_str()),
            ("_ipp._tcp", "Office Printer", "txtvers=1")
        );
        assert_eq!(s.format, None);
        assert_eq!(s.port, "631", "an example keeps the port typed");
    }

    #[test]
    fn port_and_error_code_are_read_leniently() {
        let mut s = DnssdState::new("", "", "");
        assert_eq!(s.port_number(), DEFAULT_PORT);
        s.port = " 631 ".into();
        assert_eq!(s.port_number(), 631);
        s.port = "70000".into();
        assert_eq!(s.port_number(), DEFAULT_PORT);
        assert_eq!(s.error_code_number(), None);
        s.error_code = "65555".into();
        assert_eq!(s.error_code_number(), Some(-65555));
        s.error_code = "-65540".into();
        assert_eq!(s.error_code_number(), Some(-65540));
    }

    #[test]
    fn the_service_context_uses_placeholders_for_what_is_missing() {
        let empty = DnssdState::new("", "", "").service_context(None);
        assert_eq!(empty.instance, "My Service");
        assert_eq!(empty.service_type, "_example._tcp");
        assert_eq!(empty.port, DEFAULT_PORT);
        let typed = DnssdState::new("_printer._sub._http._tcp", "Lobby", "");
        let report = netlens_dnssd::check_type(&typed.service_type);
        let context = typed.service_context(Some(&report));
        assert_eq!(context.instance, "Lobby");
        assert_eq!(context.service_type, "_http._tcp");
        assert_eq!(context.subtypes, vec!["_printer".to_owned()]);
    }
}
