//! Service types: `_name._tcp`, with an optional domain and subtypes in either spelling.
//!
//! Accepted input (case-insensitive, trailing dot optional):
//! - `_ipp._tcp`, `_ipp._tcp.local.`, `_ipp._tcp.example.com`
//! - `_printer._sub._http._tcp` (RFC 6763 §7.1, the form Avahi and python-zeroconf take)
//! - `_http._tcp,_printer,_color` (Apple's comma form, dns_sd.h DNSServiceRegister)
//!
//! Everything else is still read as far as it goes, so that a mistake gets a precise finding
//! (a missing underscore, `_sctp`, an instance name pasted into the type field) rather than a
//! bare "invalid".

use serde::Serialize;

use crate::InputError;
use crate::catalog::{RuleId, Severity};
use crate::escape::{self, EscapeError};
use crate::finding::{Finding, Subject};
use crate::iana;

/// The longest service name RFC 6335 §5.1 allows.
pub const MAX_SERVICE_NAME: usize = 15;
/// The longest DNS label (RFC 1035 §2.3.4).
pub const MAX_LABEL: usize = 63;
/// Longest input read as a service type.
pub const MAX_TYPE_INPUT: usize = 4096;

/// The transport label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    /// `_tcp`.
    Tcp,
    /// `_udp` (every protocol other than TCP).
    Udp,
}

impl Transport {
    /// The label: `_tcp` or `_udp`.
    pub fn label(self) -> &'static str {
        match self {
            Transport::Tcp => "_tcp",
            Transport::Udp => "_udp",
        }
    }

    fn from_label(label: &[u8]) -> Option<Transport> {
        if label.eq_ignore_ascii_case(b"_tcp") {
            Some(Transport::Tcp)
        } else if label.eq_ignore_ascii_case(b"_udp") {
            Some(Transport::Udp)
        } else {
            None
        }
    }
}

/// How subtypes were written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubtypeSyntax {
    /// `_printer._sub._http._tcp`.
    Sub,
    /// `_http._tcp,_printer`.
    Comma,
}

/// A service type as read from the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceType {
    /// The application protocol name without its underscore, as written.
    pub name: String,
    /// The transport, when it is `_tcp` or `_udp`.
    pub transport: Option<Transport>,
    /// The domain in presentation form with a trailing dot, when one was given.
    pub domain: Option<String>,
    /// The subtypes, unescaped, in input order.
    #[serde(serialize_with = "serialize_labels")]
    pub subtypes: Vec<Vec<u8>>,
    /// How the subtypes were written, when there are any.
    pub subtype_syntax: Option<SubtypeSyntax>,
}

fn serialize_labels<S: serde::Serializer>(labels: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(labels.iter().map(|l| escape::escape_label_dnssd(l)))
}

/// The correct spellings of a valid service type, for each place that takes one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TypeForms {
    /// `_http._tcp`: Network.framework, dns_sd.h, NSNetService, Avahi, Android, Info.plist.
    pub normalized: String,
    /// `_http._tcp.local.`: python-zeroconf and mdns-sd (the domain given, or `local.`).
    pub with_domain: String,
    /// Apple's comma form with the subtypes: `_http._tcp,_printer` (when there are subtypes).
    pub apple_subtypes: Option<String>,
    /// The subtype browse names: `_printer._sub._http._tcp` (Avahi `<subtype>`, python-zeroconf).
    pub subtype_names: Vec<String>,
}

/// A checked service type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TypeReport {
    /// The input, trimmed.
    pub input: String,
    /// What was read, unless the input could not be read at all.
    pub parsed: Option<ServiceType>,
    /// Every finding.
    pub findings: Vec<Finding>,
    /// The forms to copy, when the type is valid.
    pub forms: Option<TypeForms>,
    /// The IANA registration of the name, when it has one.
    pub registration: Option<iana::Registration>,
    /// The input could not be read.
    pub error: Option<InputError>,
}

/// Checks a service type (see the module documentation for the accepted forms).
pub fn check_type(input: &str) -> TypeReport {
    let input = input.trim();
    let mut report = TypeReport {
        input: input.to_owned(),
        parsed: None,
        findings: Vec::new(),
        forms: None,
        registration: None,
        error: None,
    };
    if input.is_empty() {
        report.error = Some(InputError::at(1, 1, "no service type given"));
        return report;
    }
    if input.len() > MAX_TYPE_INPUT {
        report.error = Some(InputError::at(
            1,
            1,
            format!(
                "the input is {} bytes; a service type is at most 255",
                input.len()
            ),
        ));
        return report;
    }
    match read_type(input, &mut report.findings) {
        Ok(parsed) => {
            report.registration = iana::lookup(&parsed.name);
            if report.registration.is_none() && service_name_is_valid(parsed.name.as_bytes()) {
                report.findings.push(Finding::new(
                    RuleId::ServiceUnregistered,
                    Subject::ServiceName,
                    format!("`{}` is not in the IANA Service Name registry (netlens' copy: {}). Many common Bonjour types are not registered either.", parsed.name, iana::SOURCE_SUMMARY),
                ));
            }
            if !report
                .findings
                .iter()
                .any(|f| f.severity == Severity::Error)
            {
                report.forms = parsed.transport.map(|t| forms(&parsed, t));
            }
            report.parsed = Some(parsed);
        }
        Err(e) => {
            report.error = Some(InputError::at(
                1,
                escape::column_of(input, e.offset),
                e.message,
            ))
        }
    }
    report
}

pub(crate) fn read_type(
    input: &str,
    findings: &mut Vec<Finding>,
) -> Result<ServiceType, EscapeError> {
    let (main, comma_subtypes) = split_commas(input)?;
    let mut subtypes = Vec::new();
    let mut subtype_syntax = None;
    for (index, (raw, offset)) in comma_subtypes.iter().enumerate() {
        subtype_syntax = Some(SubtypeSyntax::Comma);
        let labels = escape::split_labels(raw).map_err(|e| EscapeError {
            offset: e.offset + offset,
            message: e.message,
        })?;
        if labels.len() > 1 {
            findings.push(
                Finding::new(
                    RuleId::SubtypeInvalid,
                    Subject::Subtype { index },
                    format!("Subtype `{raw}` contains an unescaped dot; in the comma form a subtype is a single label."),
                )
                .fix(format!("Escape the dot (`{}`) or choose a subtype without one.", raw.replace('.', "\\."))),
            );
        }
        subtypes.push(labels.concat());
    }
    let mut labels = escape::split_labels(main)?;
    if let Some(sub) = labels.iter().position(|l| l.eq_ignore_ascii_case(b"_sub")) {
        subtype_syntax = Some(SubtypeSyntax::Sub);
        let before: Vec<Vec<u8>> = labels.drain(..=sub).take(sub).collect();
        match before.len() {
            0 => findings.push(Finding::new(
                RuleId::SubtypeInvalid,
                Subject::Subtype {
                    index: subtypes.len(),
                },
                "`_sub` has no subtype before it: write `_printer._sub._http._tcp`.",
            )),
            1 => {}
            n => findings.push(
                Finding::new(
                    RuleId::SubtypeInvalid,
                    Subject::Subtype {
                        index: subtypes.len(),
                    },
                    format!("{n} labels stand before `_sub`; a subtype is one label."),
                )
                .fix("Use one label, or escape the dots inside the subtype as `\\.`."),
            ),
        }
        subtypes.extend(before.into_iter().last());
    }
    for (index, subtype) in subtypes.iter().enumerate() {
        check_subtype(index, subtype, findings);
    }
    if subtype_syntax == Some(SubtypeSyntax::Comma) {
        findings.push(Finding::new(
            RuleId::SubtypeCommaForm,
            Subject::Subtype { index: 0 },
            "Subtypes are written in Apple's comma form, which only Apple's APIs (and Android) take.",
        ));
    }

    // An instance name pasted into the type field: `My Printer._ipp._tcp.local.`
    if labels.len() >= 3
        && !labels[0].starts_with(b"_")
        && labels[1].starts_with(b"_")
        && Transport::from_label(&labels[2]).is_some()
    {
        findings.push(Finding::new(
            RuleId::ServiceLooksLikeInstance,
            Subject::ServiceType,
            format!(
                "`{}` looks like an instance name in front of the type `{}.{}`.",
                String::from_utf8_lossy(&labels[0]),
                String::from_utf8_lossy(&labels[1]),
                String::from_utf8_lossy(&labels[2]),
            ),
        ));
        labels.remove(0);
    }
    for label in &labels {
        if label.is_empty() {
            findings.push(Finding::new(
                RuleId::NameEmptyLabel,
                Subject::ServiceType,
                format!("`{input}` has an empty label (two dots in a row, or a leading dot)."),
            ));
            labels.retain(|l| !l.is_empty());
            break;
        }
    }
    let mut labels = labels.into_iter();
    let service_label = labels.next().unwrap_or_default();
    let transport_label = labels.next();
    let domain: Vec<Vec<u8>> = labels.collect();

    let name_bytes = service_label.strip_prefix(b"_").unwrap_or(&service_label);
    let transport = check_labels(&service_label, transport_label.as_deref(), findings);
    if transport.is_some() {
        let upper = service_label
            .iter()
            .chain(transport_label.iter().flatten())
            .any(u8::is_ascii_uppercase);
        if upper {
            findings.push(
                Finding::new(
                    RuleId::ServiceUppercase,
                    Subject::ServiceType,
                    "The service type has uppercase letters. DNS ignores case, but Multipeer Connectivity and mdns-sd do not.",
                )
                .fix(format!(
                    "Write `{}._{}`.",
                    String::from_utf8_lossy(&service_label).to_ascii_lowercase(),
                    transport.map_or("tcp", |t| &t.label()[1..])
                )),
            );
        }
    }

    let domain = if domain.is_empty() {
        None
    } else {
        for label in &domain {
            if label.len() > MAX_LABEL {
                findings.push(Finding::new(
                    RuleId::NameLabelTooLong,
                    Subject::Domain,
                    format!("A domain label is {} bytes; the limit is 63.", label.len()),
                ));
            }
        }
        let text: String = domain
            .iter()
            .map(|l| escape::escape_label_dnssd(l) + ".")
            .collect();
        findings.push(Finding::new(
            RuleId::ServiceHasDomain,
            Subject::Domain,
            format!("The type includes the domain `{text}`. Apple's APIs, Avahi and Android take the type without it."),
        ));
        Some(text)
    };

    Ok(ServiceType {
        name: String::from_utf8_lossy(name_bytes).into_owned(),
        transport,
        domain,
        subtypes,
        subtype_syntax,
    })
}

/// A part of the input and its byte offset.
type Part<'a> = (&'a str, usize);

/// Splits Apple's comma form at unescaped commas. Returns the main part and each subtype with
/// its byte offset in the input.
fn split_commas(input: &str) -> Result<(&str, Vec<Part<'_>>), EscapeError> {
    let bytes = input.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += escape::read_escape(bytes, i)?.1,
            b',' => {
                parts.push((&input[start..i], start));
                start = i + 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    parts.push((&input[start..], start));
    let mut parts = parts.into_iter();
    let main = parts.next().map_or("", |(p, _)| p);
    Ok((main, parts.collect()))
}

/// The two labels of a service type: the service name (a leading underscore, then RFC 6335
/// §5.1, checked by [`check_service_name`]) and the transport, which it returns when usable.
pub(crate) fn check_labels(
    service_label: &[u8],
    transport_label: Option<&[u8]>,
    findings: &mut Vec<Finding>,
) -> Option<Transport> {
    let name_bytes = service_label.strip_prefix(b"_").unwrap_or(service_label);
    if !service_label.starts_with(b"_") {
        findings.push(
            Finding::new(
                RuleId::ServiceMissingUnderscore,
                Subject::ServiceName,
                format!(
                    "The service name `{}` has no leading underscore.",
                    String::from_utf8_lossy(service_label)
                ),
            )
            .fix(format!(
                "Write `_{}`.",
                String::from_utf8_lossy(service_label)
            )),
        );
    }
    findings.extend(check_service_name(name_bytes, Subject::ServiceName));
    let Some(label) = transport_label else {
        findings.push(
            Finding::new(
                RuleId::ServiceBadTransport,
                Subject::Transport,
                "There is no transport label: a service type is two labels, `_name._tcp` or `_name._udp`.",
            )
            .fix(format!("Write `_{}._tcp` (or `._udp`).", String::from_utf8_lossy(name_bytes))),
        );
        return None;
    };
    if let Some(t) = Transport::from_label(label) {
        return Some(t);
    }
    let text = String::from_utf8_lossy(label);
    let bare = text.trim_start_matches('_').to_ascii_lowercase();
    if !label.starts_with(b"_") && (bare == "tcp" || bare == "udp") {
        findings.push(
            Finding::new(
                RuleId::ServiceMissingUnderscore,
                Subject::Transport,
                format!("The transport `{text}` has no leading underscore."),
            )
            .fix(format!("Write `_{bare}`.")),
        );
        return Transport::from_label(format!("_{bare}").as_bytes());
    }
    let why = match bare.as_str() {
        "sctp" | "quic" | "dccp" | "rtmfp" => format!(
            "DNS-SD has only `_tcp` and `_udp`: RFC 6763 §7 says every protocol other than TCP, {} included, uses `_udp`.",
            bare.to_ascii_uppercase()
        ),
        "local" => "The second label must be the transport; `local` is the domain.".to_owned(),
        _ => "The second label must be `_tcp` or `_udp`.".to_owned(),
    };
    findings.push(Finding::new(
        RuleId::ServiceBadTransport,
        Subject::Transport,
        format!("The transport label is `{text}`. {why}"),
    ));
    None
}

/// Whether `name` (without underscore) follows RFC 6335 §5.1.
pub fn service_name_is_valid(name: &[u8]) -> bool {
    (1..=MAX_SERVICE_NAME).contains(&name.len())
        && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && name.iter().any(u8::is_ascii_alphabetic)
        && !name.starts_with(b"-")
        && !name.ends_with(b"-")
        && !name.windows(2).any(|w| w == b"--")
}

/// The RFC 6335 §5.1 checks of a service name (without its underscore).
pub fn check_service_name(name: &[u8], subject: Subject) -> Vec<Finding> {
    let mut findings = Vec::new();
    let text = String::from_utf8_lossy(name);
    if name.is_empty() {
        findings.push(Finding::new(
            RuleId::ServiceNameEmpty,
            subject,
            "The service name is empty: there is nothing between the underscore and the dot.",
        ));
        return findings;
    }
    let chars = text.chars().count();
    if chars > MAX_SERVICE_NAME {
        let severity_note = if name.len() <= MAX_LABEL {
            "mDNSResponder and Avahi accept it in `local.`, python-zeroconf (strict), mdns-sd and every non-local domain do not."
        } else {
            "It is longer than a DNS label (63 bytes): nothing accepts it."
        };
        findings.push(Finding::new(
            RuleId::ServiceNameTooLong,
            subject,
            format!("`{text}` is {chars} characters; the limit is 15. {severity_note}"),
        ));
    }
    // Each offending character once, in code point order (kept sorted as they are found).
    let bad: Vec<char> = {
        let mut bad: Vec<char> = Vec::new();
        for c in text
            .chars()
            .filter(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            if let Err(at) = bad.binary_search(&c) {
                bad.insert(at, c);
            }
        }
        bad
    };
    if !bad.is_empty() {
        let list: Vec<String> = bad.iter().map(|c| format!("{c:?}")).collect();
        let suggestion: String = text
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect::<String>();
        let suggestion = collapse_hyphens(&suggestion);
        let mut f = Finding::new(
            RuleId::ServiceNameInvalidChar,
            subject,
            format!(
                "`{text}` contains {}; only letters, digits and hyphens are allowed.",
                list.join(", ")
            ),
        );
        if !suggestion.is_empty() {
            f = f.fix(format!(
                "Use `{suggestion}`: only ASCII letters, digits and hyphens."
            ));
        }
        findings.push(f);
    }
    if !name.iter().any(u8::is_ascii_alphabetic) {
        findings.push(Finding::new(
            RuleId::ServiceNameNoLetter,
            subject,
            format!("`{text}` has no letter, so it could be mistaken for a port number."),
        ));
    }
    let mut hyphen_problems = Vec::new();
    if name.starts_with(b"-") {
        hyphen_problems.push("begins with a hyphen");
    }
    if name.ends_with(b"-") && name.len() > 1 || name == b"-" {
        hyphen_problems.push("ends with a hyphen");
    }
    if name.windows(2).any(|w| w == b"--") {
        hyphen_problems.push("has two hyphens in a row");
    }
    if !hyphen_problems.is_empty() {
        let fixed = collapse_hyphens(&text);
        let mut f = Finding::new(
            RuleId::ServiceNameBadHyphen,
            subject,
            format!("`{text}` {}.", hyphen_problems.join(" and ")),
        );
        if !fixed.is_empty() && fixed != text {
            f = f.fix(format!("Write `{fixed}`."));
        }
        findings.push(f);
    }
    findings
}

fn collapse_hyphens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    out.trim_matches('-').to_owned()
}

pub(crate) fn check_subtype(index: usize, subtype: &[u8], findings: &mut Vec<Finding>) {
    let subject = Subject::Subtype { index };
    if subtype.is_empty() {
        findings.push(Finding::new(
            RuleId::SubtypeInvalid,
            subject,
            "A subtype is empty (`,,`, a trailing comma, or `._sub.` with nothing before it).",
        ));
        return;
    }
    if subtype.len() > MAX_LABEL {
        findings.push(Finding::new(
            RuleId::SubtypeInvalid,
            subject,
            format!(
                "The subtype is {} bytes; a label is at most 63.",
                subtype.len()
            ),
        ));
    }
    if !subtype.starts_with(b"_") {
        let text = escape::escape_label_dnssd(subtype);
        findings.push(
            Finding::new(
                RuleId::SubtypeNoUnderscore,
                subject,
                format!("Subtype `{text}` has no leading underscore: legal, but Avahi and Android refuse it."),
            )
            .fix(format!("Write `_{text}` (browsers must then use the same spelling).")),
        );
    }
}

fn forms(parsed: &ServiceType, transport: Transport) -> TypeForms {
    let normalized = format!(
        "_{}.{}",
        parsed.name.to_ascii_lowercase(),
        transport.label()
    );
    let domain = parsed.domain.clone().unwrap_or_else(|| "local.".to_owned());
    let comma_escape = |s: &[u8]| escape::escape_label_dnssd(s).replace(',', "\\,");
    TypeForms {
        with_domain: format!("{normalized}.{domain}"),
        apple_subtypes: (!parsed.subtypes.is_empty()).then(|| {
            let mut s = normalized.clone();
            for sub in &parsed.subtypes {
                s.push(',');
                s.push_str(&comma_escape(sub));
            }
            s
        }),
        subtype_names: parsed
            .subtypes
            .iter()
            .map(|sub| format!("{}._sub.{normalized}", escape::escape_label_dnssd(sub)))
            .collect(),
        normalized,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(input: &str) -> Vec<RuleId> {
        check_type(input).findings.iter().map(|f| f.rule).collect()
    }

    #[test]
    fn valid_types_in_every_spelling() {
        for input in [
            "_ipp._tcp",
            "_ipp._tcp.",
            "_IPP._TCP",
            "_x._udp",
            "_12345-67890-abc._udp",
        ] {
            let r = check_type(input);
            assert!(
                r.findings.iter().all(|f| f.severity != Severity::Error),
                "{input}: {:?}",
                r.findings
            );
        }
        let r = check_type("_printer._sub._http._tcp.local.");
        let forms = r.forms.unwrap();
        assert_eq!(forms.normalized, "_http._tcp");
        assert_eq!(forms.with_domain, "_http._tcp.local.");
        assert_eq!(forms.apple_subtypes.as_deref(), Some("_http._tcp,_printer"));
        assert_eq!(forms.subtype_names, vec!["_printer._sub._http._tcp"]);
        let r = check_type("_http._tcp,_printer,_color");
        assert_eq!(
            r.parsed.unwrap().subtypes,
            vec![b"_printer".to_vec(), b"_color".to_vec()]
        );
    }

    #[test]
    fn each_rfc_6335_rule() {
        assert!(rules("http._tcp").contains(&RuleId::ServiceMissingUnderscore));
        assert!(rules("_abcdefghijklmnop._tcp").contains(&RuleId::ServiceNameTooLong));
        assert!(!rules("_abcdefghijklmno._tcp").contains(&RuleId::ServiceNameTooLong));
        assert!(rules("_one_two._tcp").contains(&RuleId::ServiceNameInvalidChar));
        assert!(rules("_22._udp").contains(&RuleId::ServiceNameNoLetter));
        assert!(rules("_x--x._tcp").contains(&RuleId::ServiceNameBadHyphen));
        assert!(rules("_-x._tcp").contains(&RuleId::ServiceNameBadHyphen));
        assert!(rules("_x-._tcp").contains(&RuleId::ServiceNameBadHyphen));
        assert!(!rules("_x-y._tcp").contains(&RuleId::ServiceNameBadHyphen));
        assert!(rules("_http._sctp").contains(&RuleId::ServiceBadTransport));
        assert!(rules("_http").contains(&RuleId::ServiceBadTransport));
        assert!(rules("_http.tcp").contains(&RuleId::ServiceMissingUnderscore));
        assert!(rules("_HTTP._tcp").contains(&RuleId::ServiceUppercase));
        assert!(rules("My Printer._ipp._tcp.local.").contains(&RuleId::ServiceLooksLikeInstance));
        assert!(rules("_ipp._tcp.local.").contains(&RuleId::ServiceHasDomain));
        assert!(rules("baz._sub._bar._udp").contains(&RuleId::SubtypeNoUnderscore));
        assert!(rules("_http._tcp,,_x").contains(&RuleId::SubtypeInvalid));
        assert!(rules("_http._tcp,a.b").contains(&RuleId::SubtypeInvalid));
        assert!(!rules(r"_http._tcp,a\.b").contains(&RuleId::SubtypeInvalid));
    }

    #[test]
    fn unreadable_escapes_are_input_errors_with_a_column() {
        let r = check_type(r"_ht\tp._tcp,\999");
        let e = r.error.unwrap();
        assert_eq!(e.column, 13);
    }
}
