//! Instance names and full service instance names (`Instance._type._tcp.local.`).
//!
//! The instance is one DNS label of arbitrary UTF-8 text (RFC 6763 §4.1.1): up to 63 bytes, no
//! ASCII control characters, dots and spaces allowed. Written inside a full name it needs
//! escapes, and every tool writes them differently, so the forms to copy cover each one.

use crate::nfc::to_nfc;
use serde::Serialize;

use crate::InputError;
use crate::catalog::{RuleId, Severity};
use crate::escape;
use crate::finding::{Finding, Subject};
use crate::service::{self, MAX_LABEL};

/// The longest name on the wire, length bytes and final zero included (RFC 1035 §2.3.4).
pub const MAX_NAME_WIRE: usize = 255;
/// Longest input read as a name.
pub const MAX_NAME_INPUT: usize = 4096;

/// An instance name written for each tool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InstanceForms {
    /// The name itself, as an API takes it (DNSServiceRegister, NWListener.Service, Avahi,
    /// python-zeroconf's `name` before the type).
    pub text: String,
    /// Escaped as `dns-sd` and Apple print it inside a full name: `My\032Printer`.
    pub dns_sd: String,
    /// Escaped as Avahi prints it: `Caf\195\169`.
    pub avahi: String,
    /// Escaped as `dig` prints it.
    pub dig: String,
    /// Quoted for a POSIX shell command line (`dns-sd -R`).
    pub shell: String,
}

/// A checked instance name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InstanceReport {
    /// The input as given.
    pub input: String,
    /// Size in UTF-8 bytes.
    pub bytes: usize,
    /// Every finding.
    pub findings: Vec<Finding>,
    /// The name in every tool's syntax.
    pub forms: InstanceForms,
    /// A version cut to 63 bytes on a character boundary, when the name is too long (what
    /// mDNSResponder registers).
    pub truncated: Option<String>,
    /// The NFC form, when the name is not in NFC.
    pub nfc: Option<String>,
}

/// Checks an instance name given as plain text (no escapes).
pub fn check_instance(input: &str) -> InstanceReport {
    let mut findings = Vec::new();
    check_instance_label(input.as_bytes(), &mut findings);
    instance_report(input, findings)
}

fn instance_report(input: &str, findings: Vec<Finding>) -> InstanceReport {
    let bytes = input.as_bytes();
    InstanceReport {
        input: input.to_owned(),
        bytes: bytes.len(),
        forms: instance_forms(bytes),
        truncated: (bytes.len() > MAX_LABEL).then(|| truncate_utf8(input, MAX_LABEL).to_owned()),
        nfc: match to_nfc(input) {
            std::borrow::Cow::Owned(nfc) => Some(nfc),
            std::borrow::Cow::Borrowed(_) => None,
        },
        findings,
    }
}

/// The instance label written for each tool.
pub fn instance_forms(label: &[u8]) -> InstanceForms {
    InstanceForms {
        text: String::from_utf8_lossy(label).into_owned(),
        dns_sd: escape::escape_label_dnssd(label),
        avahi: escape::escape_label_avahi(label),
        dig: escape::escape_label_bind(label),
        shell: shell_quote(&String::from_utf8_lossy(label)),
    }
}

/// `text` in single quotes for a POSIX shell (`'` written as `'\''`).
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
pub fn truncate_utf8(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The RFC 6763 §4.1.1 checks of one instance label.
pub fn check_instance_label(label: &[u8], findings: &mut Vec<Finding>) {
    let subject = Subject::Instance;
    if label.is_empty() {
        findings.push(Finding::new(
            RuleId::InstanceEmpty,
            subject,
            "The instance name is empty.",
        ));
        return;
    }
    if label.len() > MAX_LABEL {
        let chars = String::from_utf8_lossy(label).chars().count();
        let mut f = Finding::new(
            RuleId::InstanceTooLong,
            subject,
            format!(
                "The instance name is {} bytes of UTF-8 ({chars} characters); a DNS label holds at most 63 bytes.",
                label.len()
            ),
        );
        if let Ok(text) = std::str::from_utf8(label) {
            f = f.fix(format!(
                "Shorten it to at most 63 bytes. Cut on a character boundary, it would be `{}` (what mDNSResponder registers).",
                truncate_utf8(text, MAX_LABEL)
            ));
        }
        findings.push(f);
    }
    // Each control byte once, in byte order (a table rather than a sort: no sort code in the
    // web module for this).
    let controls: Vec<String> = {
        let mut seen = [false; 0x80];
        for &b in label.iter().filter(|b| **b < 0x20 || **b == 0x7f) {
            seen[usize::from(b)] = true;
        }
        (0..0x80u8)
            .filter(|b| seen[usize::from(*b)])
            .map(control_name)
            .collect()
    };
    if !controls.is_empty() {
        findings.push(Finding::new(
            RuleId::InstanceControlChar,
            subject,
            format!("The instance name contains {}.", controls.join(", ")),
        ));
    }
    let Ok(text) = std::str::from_utf8(label) else {
        let at = label.utf8_chunks().next().map_or(0, |c| c.valid().len());
        findings.push(Finding::new(
            RuleId::InstanceInvalidUtf8,
            subject,
            format!(
                "The instance name is not valid UTF-8 (byte {} is 0x{:02X}).",
                at + 1,
                label.get(at).copied().unwrap_or(0)
            ),
        ));
        return;
    };
    let c1: Vec<String> = text
        .chars()
        .filter(|c| ('\u{80}'..='\u{9f}').contains(c))
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect();
    if !c1.is_empty() {
        findings.push(Finding::new(
            RuleId::InstanceC1Control,
            subject,
            format!(
                "The instance name contains C1 control characters ({}).",
                c1.join(", ")
            ),
        ));
    }
    if let std::borrow::Cow::Owned(nfc) = to_nfc(text) {
        findings.push(
            Finding::new(
                RuleId::InstanceNotNfc,
                subject,
                format!(
                    "The instance name is not in NFC: it is {} bytes, its NFC form `{nfc}` is {} bytes. The two look the same but are different DNS names.",
                    text.len(),
                    nfc.len()
                ),
            )
            .fix(format!("Use the NFC form `{nfc}` (in Swift: `name.precomposedStringWithCanonicalMapping`).")),
        );
    }
    if let Some(token) = hex_identifier(text) {
        findings.push(Finding::new(
            RuleId::InstanceHexIdentifier,
            subject,
            format!("`{token}` in the name looks like a MAC address or serial number."),
        ));
    }
}

fn control_name(b: u8) -> String {
    match b {
        b'\n' => "a line feed (0x0A)".into(),
        b'\r' => "a carriage return (0x0D)".into(),
        b'\t' => "a tab (0x09)".into(),
        0 => "a NUL byte (0x00)".into(),
        0x7f => "DEL (0x7F)".into(),
        b => format!("control character 0x{b:02X}"),
    }
}

/// A MAC address (`aa:bb:cc:dd:ee:ff` or with `-`), or a run of at least 10 hex digits that
/// mixes digits and letters, as in default names made from a MAC or serial number
/// (`ESP-A4CF12B3C4D5`).
fn hex_identifier(text: &str) -> Option<&str> {
    for token in text.split(|c: char| !(c.is_ascii_hexdigit() || c == ':' || c == '-')) {
        let parts: Vec<&str> = token.split([':', '-']).collect();
        if parts.len() == 6 && parts.iter().all(|p| p.len() == 2) {
            return Some(token);
        }
        for run in parts {
            if run.len() >= 10
                && run.chars().any(|c| c.is_ascii_digit())
                && run.chars().any(|c| c.is_ascii_alphabetic())
            {
                return Some(run);
            }
        }
    }
    None
}

/// A full name, split into its parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NameParts {
    /// The instance, unescaped (absent for a type or subtype browse name).
    pub instance: Option<String>,
    /// The subtype, escaped (for `_printer._sub._http._tcp.local.`).
    pub subtype: Option<String>,
    /// The service type `_name._tcp`.
    pub service_type: String,
    /// The domain with a trailing dot (`local.` when none was given).
    pub domain: String,
}

/// The full name written for each tool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NameForms {
    /// `dns-sd` / DNSServiceConstructFullName form: `My\032Printer._ipp._tcp.local.`
    pub dns_sd: String,
    /// Avahi's escaping.
    pub avahi: String,
    /// `dig` (BIND) presentation form.
    pub dig: String,
}

/// A checked full name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NameReport {
    /// The input, trimmed.
    pub input: String,
    /// The parts, when the name could be read.
    pub parts: Option<NameParts>,
    /// Size on the wire in bytes (length bytes and final zero included).
    pub wire_length: usize,
    /// Whether `local.` was assumed because no domain was given.
    pub assumed_local: bool,
    /// Every finding.
    pub findings: Vec<Finding>,
    /// The name in every tool's syntax.
    pub forms: Option<NameForms>,
    /// The input could not be read.
    pub error: Option<InputError>,
}

/// Checks a full service instance name in presentation form (`\.`, `\\`, `\DDD` escapes).
pub fn check_name(input: &str) -> NameReport {
    let input = input.trim();
    let mut report = NameReport {
        input: input.to_owned(),
        parts: None,
        wire_length: 0,
        assumed_local: false,
        findings: Vec::new(),
        forms: None,
        error: None,
    };
    if input.is_empty() {
        report.error = Some(InputError::at(1, 1, "no name given"));
        return report;
    }
    if input.len() > MAX_NAME_INPUT {
        report.error = Some(InputError::at(
            1,
            1,
            format!(
                "the input is {} bytes; a name is at most 255 on the wire",
                input.len()
            ),
        ));
        return report;
    }
    let mut labels = match escape::split_labels(input) {
        Ok(labels) => labels,
        Err(e) => {
            report.error = Some(InputError::at(
                1,
                escape::column_of(input, e.offset),
                e.message,
            ));
            return report;
        }
    };
    if labels.iter().any(Vec::is_empty) {
        report.findings.push(Finding::new(
            RuleId::NameEmptyLabel,
            Subject::Name,
            "The name has an empty label (two dots in a row, or a leading dot).",
        ));
        labels.retain(|l| !l.is_empty());
    }
    let transport_at = (1..labels.len()).rev().find(|&i| {
        (labels[i].eq_ignore_ascii_case(b"_tcp") || labels[i].eq_ignore_ascii_case(b"_udp"))
            && labels[i - 1].starts_with(b"_")
    });
    let Some(t) = transport_at else {
        report.error = Some(InputError::at(
            1,
            1,
            "no service type found: a full name looks like `Instance._type._tcp.local.` (escape dots inside the instance as `\\.`)",
        ));
        return report;
    };
    let mut before: Vec<Vec<u8>> = labels[..t - 1].to_vec();
    let service_labels = &labels[t - 1..=t];
    let mut domain: Vec<Vec<u8>> = labels[t + 1..].to_vec();
    let mut subtype = None;
    if before.len() >= 2 && before[before.len() - 1].eq_ignore_ascii_case(b"_sub") {
        before.pop();
        subtype = before.pop();
    }
    let instance = match before.len() {
        0 => None,
        1 => before.pop(),
        n => {
            let joined = before.join(&b'.');
            let escaped = escape::escape_label_dnssd(&joined);
            report.findings.push(
                Finding::new(
                    RuleId::NameUnescapedDot,
                    Subject::Instance,
                    format!(
                        "The instance part is {n} labels: `{}`. If the instance is `{}`, its dots must be escaped.",
                        before.iter().map(|l| escape::escape_label_dnssd(l)).collect::<Vec<_>>().join("` `"),
                        String::from_utf8_lossy(&joined)
                    ),
                )
                .fix(format!("Write the instance as `{escaped}` in the full name.")),
            );
            Some(joined)
        }
    };
    if let Some(instance) = &instance {
        check_instance_label(instance, &mut report.findings);
    }
    // The type (and subtype) checks run once, on the comma form of what the name holds; the
    // comma form and the domain are this name's own spelling, not findings about the type.
    let mut type_text = format!(
        "{}.{}",
        escape::escape_label_dnssd(&service_labels[0]),
        escape::escape_label_dnssd(&service_labels[1])
    );
    if let Some(subtype) = &subtype {
        type_text.push(',');
        type_text.push_str(&escape::escape_label_dnssd(subtype).replace(',', "\\,"));
    }
    report.findings.extend(
        service::check_type(&type_text)
            .findings
            .into_iter()
            .filter(|f| f.rule != RuleId::ServiceHasDomain && f.rule != RuleId::SubtypeCommaForm),
    );
    for label in &domain {
        if label.len() > MAX_LABEL {
            report.findings.push(Finding::new(
                RuleId::NameLabelTooLong,
                Subject::Domain,
                format!(
                    "The domain label `{}` is {} bytes; the limit is 63.",
                    escape::escape_label_dnssd(label),
                    label.len()
                ),
            ));
        }
    }
    if domain.is_empty() {
        report.assumed_local = true;
        domain.push(b"local".to_vec());
    }
    let all: Vec<&[u8]> = instance
        .iter()
        .map(Vec::as_slice)
        .chain(
            subtype
                .iter()
                .flat_map(|s| [s.as_slice(), b"_sub".as_slice()]),
        )
        .chain(service_labels.iter().map(Vec::as_slice))
        .chain(domain.iter().map(Vec::as_slice))
        .collect();
    report.wire_length = all.iter().map(|l| 1 + l.len()).sum::<usize>() + 1;
    if report.wire_length > MAX_NAME_WIRE {
        report.findings.push(Finding::new(
            RuleId::NameTooLong,
            Subject::Name,
            format!(
                "The name is {} bytes on the wire{}; the limit is 255.",
                report.wire_length,
                if report.assumed_local {
                    " (with `local.`)"
                } else {
                    ""
                }
            ),
        ));
    }
    let join =
        |escape: fn(&[u8]) -> String| -> String { all.iter().map(|l| escape(l) + ".").collect() };
    if !report
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error)
    {
        report.forms = Some(NameForms {
            dns_sd: join(escape::escape_label_dnssd),
            avahi: join(escape::escape_label_avahi),
            dig: join(escape::escape_label_bind),
        });
    }
    report.parts = Some(NameParts {
        instance: instance.map(|i| String::from_utf8_lossy(&i).into_owned()),
        subtype: subtype.map(|s| escape::escape_label_dnssd(&s)),
        service_type: type_text,
        domain: domain
            .iter()
            .map(|l| escape::escape_label_dnssd(l) + ".")
            .collect(),
    });
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(findings: &[Finding]) -> Vec<RuleId> {
        findings.iter().map(|f| f.rule).collect()
    }

    #[test]
    fn instance_rules_fire_and_near_misses_do_not() {
        assert!(rules(&check_instance("").findings).contains(&RuleId::InstanceEmpty));
        let long = "é".repeat(32); // 64 bytes, 32 characters
        let r = check_instance(&long);
        assert!(rules(&r.findings).contains(&RuleId::InstanceTooLong));
        assert_eq!(r.truncated.as_deref(), Some("é".repeat(31).as_str()));
        assert!(check_instance(&"a".repeat(63)).findings.is_empty());
        assert!(rules(&check_instance("a\nb").findings).contains(&RuleId::InstanceControlChar));
        assert!(rules(&check_instance("a\u{85}b").findings).contains(&RuleId::InstanceC1Control));
        assert!(rules(&check_instance("Cafe\u{301}").findings).contains(&RuleId::InstanceNotNfc));
        assert!(
            check_instance("Café Printer. 2nd floor")
                .findings
                .is_empty()
        );
        assert!(
            rules(&check_instance("Printer 00:1A:2B:3C:4D:5E").findings)
                .contains(&RuleId::InstanceHexIdentifier)
        );
        assert!(
            rules(&check_instance("Printer 3c22fb1a9d0e").findings)
                .contains(&RuleId::InstanceHexIdentifier)
        );
        assert!(check_instance("Printer 2024").findings.is_empty());
    }

    #[test]
    fn full_names_are_split_and_escaped() {
        let r = check_name(r"My\032Printer\.2._ipp._tcp.local.");
        let parts = r.parts.unwrap();
        assert_eq!(parts.instance.as_deref(), Some("My Printer.2"));
        assert_eq!(parts.service_type, "_ipp._tcp");
        assert_eq!(
            r.forms.unwrap().dns_sd,
            r"My\032Printer\.2._ipp._tcp.local."
        );
        assert_eq!(r.wire_length, 1 + 12 + 1 + 4 + 1 + 4 + 1 + 5 + 1);
        let r = check_name("My.Printer._ipp._tcp.local.");
        assert!(rules(&r.findings).contains(&RuleId::NameUnescapedDot));
        let r = check_name("_printer._sub._http._tcp.local.");
        assert_eq!(r.parts.unwrap().subtype.as_deref(), Some("_printer"));
        let long = format!(
            "{}._http._tcp.{}.local.",
            "a".repeat(63),
            ["b".repeat(63), "c".repeat(63), "d".repeat(50)].join(".")
        );
        assert!(rules(&check_name(&long).findings).contains(&RuleId::NameTooLong));
        assert!(check_name("Printer._ipp").error.is_some());
    }
}
