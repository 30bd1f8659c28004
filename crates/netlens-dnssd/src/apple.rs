//! Apple's local network privacy (TN3179): `NSBonjourServices`, Multipeer Connectivity, and the
//! error codes people meet when they get it wrong.
//!
//! Since iOS 14 (and macOS 15), mDNSResponder checks every browse and registration of an app
//! against the app's `NSBonjourServices` list: each entry is compared with the service type as a
//! DNS name (ASCII case ignored, trailing dot optional, label count must match), so
//! `_x._tcp.local.` never matches `_x._tcp`. A missing type fails with -65555 (NoAuth).

use serde::Serialize;

use crate::catalog::{RuleId, Severity};
use crate::finding::{Finding, Subject};
use crate::service::{self, check_service_name};

/// A checked `NSBonjourServices` list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlistReport {
    /// The entries read from the input.
    pub entries: Vec<String>,
    /// Every finding.
    pub findings: Vec<Finding>,
    /// The Info.plist fragment to copy: the valid entries, the types in use and both
    /// Multipeer entries, with NSLocalNetworkUsageDescription.
    pub fragment: String,
    /// The entries of the fragment.
    pub fixed_entries: Vec<String>,
    /// Why the pasted property list could not be read, as a sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Reads NSBonjourServices entries from a pasted Info.plist (XML or binary, whole or a
/// fragment, read by `netlens-plist`, the reader the ATS linter uses too), or from a list of
/// types separated by lines, commas or spaces. A property list that cannot be read gives no
/// entries and the reader's sentence.
pub fn read_entries(input: &str) -> Result<Vec<String>, EntriesError> {
    let trimmed = input.trim_start();
    if !(trimmed.starts_with('<') || trimmed.starts_with("bplist")) {
        return Ok(input
            .split(|c: char| c == ',' || c.is_whitespace() || c == '"')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect());
    }
    entries_of(netlens_plist::parse_str(input).map_err(EntriesError::Plist)?)
}

/// [`read_entries`] for a file's bytes: a binary plist (`bplist00`, a built app's Info.plist)
/// too.
pub fn read_entries_bytes(input: &[u8]) -> Result<Vec<String>, EntriesError> {
    if input.starts_with(b"bplist") {
        return entries_of(netlens_plist::parse(input).map_err(EntriesError::Plist)?);
    }
    read_entries(&crate::formats::text_from_bytes(input))
}

/// The NSBonjourServices strings of a property list (or of an array given alone).
fn entries_of(doc: netlens_plist::Document) -> Result<Vec<String>, EntriesError> {
    let list = match &doc.root {
        netlens_plist::Value::Dict(dict) => {
            dict.get("NSBonjourServices").ok_or(EntriesError::NoKey)?
        }
        other => other,
    };
    let items = list.as_array().ok_or(EntriesError::NotArray(list.kind()))?;
    Ok(items
        .iter()
        .filter_map(|v| v.as_str().map(|s| s.trim().to_owned()))
        .collect())
}

/// Why no NSBonjourServices entries could be read from a pasted property list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntriesError {
    /// The property list itself cannot be read.
    Plist(netlens_plist::Error),
    /// A dictionary without the key.
    NoKey,
    /// The key's value is not an array (its kind, as `Value::kind` says it).
    NotArray(&'static str),
}

impl core::fmt::Display for EntriesError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            EntriesError::Plist(e) => e.fmt(f),
            EntriesError::NoKey => write!(
                f,
                "The property list has no NSBonjourServices key: paste the Info.plist, or the key with its array."
            ),
            EntriesError::NotArray(kind) => write!(
                f,
                "NSBonjourServices is {kind}; it must be an array of strings (`<array><string>_name._tcp</string></array>`)."
            ),
        }
    }
}

impl std::error::Error for EntriesError {}

/// Compares two service types as mDNSResponder's trust check does.
fn same_type(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

/// Checks `plist` (a file's bytes or pasted text: see [`read_entries_bytes`]) against the service types an app uses and, when it
/// uses Multipeer Connectivity, its MC service type (`my-game`, no underscore).
pub fn check_plist(
    plist: &[u8],
    used_types: &[String],
    multipeer: Option<&str>,
    usage: &str,
) -> PlistReport {
    let (entries, problem) = match read_entries_bytes(plist) {
        Ok(entries) => (entries, None),
        Err(problem) => (Vec::new(), Some(problem.to_string())),
    };
    let mut findings = Vec::new();
    let mut fixed: Vec<String> = Vec::new();
    let add = |fixed: &mut Vec<String>, t: String| {
        if !fixed.iter().any(|f| same_type(f, &t)) {
            fixed.push(t);
        }
    };
    for (index, entry) in entries.iter().enumerate() {
        let subject = Subject::PlistEntry { index };
        let report = service::check_type(entry);
        let parsed = report.parsed.as_ref();
        if let Some(domain) = parsed.and_then(|p| p.domain.as_ref()) {
            let without = parsed
                .and_then(|p| p.transport.map(|t| format!("_{}.{}", p.name, t.label())))
                .unwrap_or_default();
            findings.push(
                Finding::new(
                    RuleId::ApplePlistEntryHasDomain,
                    subject,
                    format!("`{entry}` includes the domain `{domain}`, so it never matches the type the app browses for."),
                )
                .fix(format!("Write `{without}`.")),
            );
            if !without.is_empty()
                && report
                    .findings
                    .iter()
                    .all(|f| f.severity != Severity::Error)
            {
                add(&mut fixed, without.to_ascii_lowercase());
            }
            continue;
        }
        let errors: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        if let Some(first) = errors.first() {
            findings.push(
                Finding::new(
                    RuleId::ApplePlistEntryInvalid,
                    subject,
                    format!(
                        "`{entry}` is not a valid service type: {} ({}).",
                        first.message, first.rule
                    ),
                )
                .fix(first.fix.clone()),
            );
            continue;
        }
        if let Some(forms) = report.forms {
            add(&mut fixed, forms.normalized);
        }
    }
    for used in used_types {
        let report = service::check_type(used);
        let Some(forms) = report.forms else { continue };
        if !entries.iter().any(|e| same_type(e, &forms.normalized)) {
            findings.push(
                Finding::new(
                    RuleId::ApplePlistMissingType,
                    Subject::ServiceType,
                    format!("The app uses `{}`, which NSBonjourServices does not list: browsing and registering it fail with -65555 (NoAuth).", forms.normalized),
                )
                .fix(format!("Add `<string>{}</string>` to NSBonjourServices.", forms.normalized)),
            );
        }
        add(&mut fixed, forms.normalized);
    }
    if let Some(mc) = multipeer.map(str::trim).filter(|m| !m.is_empty()) {
        let mut problems: Vec<String> = check_service_name(mc.as_bytes(), Subject::Multipeer)
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.message)
            .collect();
        if mc.bytes().any(|b| b.is_ascii_uppercase()) {
            problems.push(format!(
                "`{mc}` has uppercase letters; Multipeer Connectivity takes lowercase only."
            ));
        }
        if mc.starts_with('_') || mc.contains('.') {
            problems.push(format!("`{mc}` is written like a Bonjour type; the MC service type is the bare name (`my-game`)."));
        }
        if !problems.is_empty() {
            findings.push(Finding::new(
                RuleId::AppleMultipeerInvalid,
                Subject::Multipeer,
                problems.join(" "),
            ));
        } else {
            let both = [format!("_{mc}._tcp"), format!("_{mc}._udp")];
            let missing: Vec<&String> = both
                .iter()
                .filter(|t| !entries.iter().any(|e| same_type(e, t)))
                .collect();
            if !missing.is_empty() {
                findings.push(
                    Finding::new(
                        RuleId::AppleMultipeerNeedsBoth,
                        Subject::Multipeer,
                        format!(
                            "Multipeer Connectivity with service type `{mc}` uses `{}` and `{}`; NSBonjourServices lacks {}.",
                            both[0],
                            both[1],
                            missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(" and ")
                        ),
                    )
                    .fix(format!("List both `{}` and `{}`.", both[0], both[1])),
                );
            }
            for t in both {
                add(&mut fixed, t);
            }
        }
    }
    findings.push(Finding::new(
        RuleId::AppleUsageDescription,
        Subject::ServiceType,
        "Info.plist also needs NSLocalNetworkUsageDescription: iOS shows it in the local network permission prompt.",
    ));
    PlistReport {
        fragment: plist_fragment(&fixed, usage),
        entries,
        findings,
        fixed_entries: fixed,
        problem,
    }
}

/// The Info.plist XML for `types` with a usage description.
pub fn plist_fragment(types: &[String], usage: &str) -> String {
    let usage = if usage.trim().is_empty() {
        "Finds and connects to devices on your local network."
    } else {
        usage.trim()
    };
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut xml = format!(
        "<key>NSLocalNetworkUsageDescription</key>\n<string>{}</string>\n<key>NSBonjourServices</key>\n<array>\n",
        escape(usage)
    );
    for t in types {
        xml.push_str(&format!("\t<string>{}</string>\n", escape(t)));
    }
    xml.push_str("</array>\n");
    xml
}

/// A DNS-SD or NSNetService error code, explained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorCode {
    /// The number.
    pub code: i32,
    /// Its name in the SDK.
    pub name: &'static str,
    /// What it means and the usual causes.
    pub meaning: &'static str,
    /// What to do.
    pub fix: &'static str,
}

/// The error codes users paste, from dns_sd.h and NSNetServices.h.
pub static ERROR_CODES: &[ErrorCode] = &[
    ErrorCode {
        code: -65537,
        name: "kDNSServiceErr_Unknown",
        meaning: "An unexpected failure inside mDNSResponder.",
        fix: "Retry; check the system log for mDNSResponder messages.",
    },
    ErrorCode {
        code: -65538,
        name: "kDNSServiceErr_NoSuchName",
        meaning: "The name does not exist (resolving or querying a name nobody answers).",
        fix: "Check the instance name and type; the service may have gone away.",
    },
    ErrorCode {
        code: -65539,
        name: "kDNSServiceErr_NoMemory",
        meaning: "mDNSResponder ran out of memory.",
        fix: "Retry; look for a leak of DNSServiceRefs.",
    },
    ErrorCode {
        code: -65540,
        name: "kDNSServiceErr_BadParam",
        meaning: "A parameter is invalid: most often the service type (missing underscore, not `_tcp`/`_udp`, a domain inside the type, more than 15 characters outside `local.`), an instance name over 63 bytes with NoAutoRename, or several subtypes when browsing.",
        fix: "Check the service type and instance name with netlens: every violation is listed with its fix.",
    },
    ErrorCode {
        code: -65541,
        name: "kDNSServiceErr_BadReference",
        meaning: "The DNSServiceRef was already deallocated or is invalid.",
        fix: "Do not use a DNSServiceRef after DNSServiceRefDeallocate.",
    },
    ErrorCode {
        code: -65542,
        name: "kDNSServiceErr_BadState",
        meaning: "The operation is not valid in the current state.",
        fix: "Check the order of calls.",
    },
    ErrorCode {
        code: -65543,
        name: "kDNSServiceErr_BadFlags",
        meaning: "An invalid combination of flags.",
        fix: "Check the flags argument against dns_sd.h.",
    },
    ErrorCode {
        code: -65544,
        name: "kDNSServiceErr_Unsupported",
        meaning: "The operation is not supported.",
        fix: "Use a different API or platform feature.",
    },
    ErrorCode {
        code: -65545,
        name: "kDNSServiceErr_NotInitialized",
        meaning: "The reference is not initialized.",
        fix: "Create the DNSServiceRef before using it.",
    },
    ErrorCode {
        code: -65547,
        name: "kDNSServiceErr_AlreadyRegistered",
        meaning: "The record or service is already registered.",
        fix: "Register once, or deregister first.",
    },
    ErrorCode {
        code: -65548,
        name: "kDNSServiceErr_NameConflict",
        meaning: "Another device already uses this name (and automatic renaming was off).",
        fix: "Let the system rename (omit kDNSServiceFlagsNoAutoRename) or choose another name.",
    },
    ErrorCode {
        code: -65549,
        name: "kDNSServiceErr_Invalid",
        meaning: "Invalid data, typically from the TXT API: an empty key, a key with `=`, control or non-ASCII characters, or a key=value string over 254 bytes (TXTRecordSetValue).",
        fix: "Check the TXT record with netlens: keys are printable ASCII without `=`, each string at most 254 bytes for Apple's API.",
    },
    ErrorCode {
        code: -65550,
        name: "kDNSServiceErr_Firewall",
        meaning: "A firewall blocks the operation.",
        fix: "Allow mDNS (UDP 5353) through the firewall.",
    },
    ErrorCode {
        code: -65551,
        name: "kDNSServiceErr_Incompatible",
        meaning: "The client library and the daemon versions do not match.",
        fix: "Update the Bonjour SDK or the system.",
    },
    ErrorCode {
        code: -65552,
        name: "kDNSServiceErr_BadInterfaceIndex",
        meaning: "The interface index does not exist.",
        fix: "Use kDNSServiceInterfaceIndexAny or a current index.",
    },
    ErrorCode {
        code: -65553,
        name: "kDNSServiceErr_Refused",
        meaning: "The server refused the request.",
        fix: "Check the unicast DNS server's configuration.",
    },
    ErrorCode {
        code: -65554,
        name: "kDNSServiceErr_NoSuchRecord",
        meaning: "The name exists but has no record of the requested type.",
        fix: "Query another record type, or publish the record.",
    },
    ErrorCode {
        code: -65555,
        name: "kDNSServiceErr_NoAuth",
        meaning: "Local network privacy refused the operation: the service type is not in the app's NSBonjourServices (or the list is missing), the entry is written with `.local.`, or the app is an App Clip. Enforced for apps built with the iOS 14 / macOS 11 SDK or later.",
        fix: "Add the exact type (`_name._tcp`) to NSBonjourServices and add NSLocalNetworkUsageDescription; netlens' Info.plist check generates both.",
    },
    ErrorCode {
        code: -65556,
        name: "kDNSServiceErr_NoSuchKey",
        meaning: "The TXT record has no such key.",
        fix: "Check the key (lookups ignore case).",
    },
    ErrorCode {
        code: -65557,
        name: "kDNSServiceErr_NATTraversal",
        meaning: "NAT traversal failed.",
        fix: "Check the router's NAT-PMP / PCP support.",
    },
    ErrorCode {
        code: -65558,
        name: "kDNSServiceErr_DoubleNAT",
        meaning: "More than one NAT gateway between this device and the Internet.",
        fix: "Remove one NAT layer (bridge mode).",
    },
    ErrorCode {
        code: -65559,
        name: "kDNSServiceErr_BadTime",
        meaning: "A time-related check failed (for example a signature's time).",
        fix: "Check the clock.",
    },
    ErrorCode {
        code: -65563,
        name: "kDNSServiceErr_ServiceNotRunning",
        meaning: "The mDNSResponder daemon is not running (or the connection to it broke).",
        fix: "Restart the daemon; on Windows, install or start the Bonjour service.",
    },
    ErrorCode {
        code: -65564,
        name: "kDNSServiceErr_NATPortMappingUnsupported",
        meaning: "The NAT gateway does not support port mapping.",
        fix: "Enable NAT-PMP / PCP on the router.",
    },
    ErrorCode {
        code: -65565,
        name: "kDNSServiceErr_NATPortMappingDisabled",
        meaning: "Port mapping is disabled on the NAT gateway.",
        fix: "Enable NAT-PMP / PCP on the router.",
    },
    ErrorCode {
        code: -65566,
        name: "kDNSServiceErr_NoRouter",
        meaning: "No router is configured; there is no route to the Internet.",
        fix: "Check the network configuration.",
    },
    ErrorCode {
        code: -65568,
        name: "kDNSServiceErr_Timeout",
        meaning: "The operation timed out.",
        fix: "The service may be gone; retry or extend the timeout.",
    },
    ErrorCode {
        code: -65569,
        name: "kDNSServiceErr_DefunctConnection",
        meaning: "The connection to mDNSResponder was lost (the daemon restarted).",
        fix: "Deallocate the DNSServiceRef and start the operation again.",
    },
    ErrorCode {
        code: -65570,
        name: "kDNSServiceErr_PolicyDenied",
        meaning: "The user denied (or has not yet granted) local network access for this app.",
        fix: "Explain why in NSLocalNetworkUsageDescription and ask the user to allow it in Settings › Privacy & Security › Local Network.",
    },
    ErrorCode {
        code: -65571,
        name: "kDNSServiceErr_NotPermitted",
        meaning: "The operation is not permitted.",
        fix: "Check entitlements and sandbox rules.",
    },
    ErrorCode {
        code: -72008,
        name: "NSNetServicesMissingRequiredConfigurationError",
        meaning: "NSNetService / NSNetServiceBrowser: NSBonjourServices or NSLocalNetworkUsageDescription is missing from Info.plist.",
        fix: "Add both keys to Info.plist (netlens generates the fragment).",
    },
];

/// The explanation of `code` (negative, as printed by `dns-sd` or NWError).
pub fn explain_error(code: i64) -> Option<&'static ErrorCode> {
    ERROR_CODES.iter().find(|e| i64::from(e.code) == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(r: &PlistReport) -> Vec<RuleId> {
        r.findings.iter().map(|f| f.rule).collect()
    }

    #[test]
    fn entries_from_a_plist_or_a_list() {
        let plist = "<key>NSBonjourServices</key>\n<array>\n\t<string>_ipp._tcp</string>\n\t<string>_x._udp.</string>\n</array>\n<key>Other</key><array><string>no</string></array>";
        assert_eq!(read_entries(plist).unwrap(), vec!["_ipp._tcp", "_x._udp."]);
        assert_eq!(
            read_entries("_a._tcp, _b._udp\n_c._tcp").unwrap(),
            vec!["_a._tcp", "_b._udp", "_c._tcp"]
        );
        let whole = "<?xml version=\"1.0\"?>\n<!-- edited -->\n<plist version=\"1.0\"><dict><key>NSBonjourServices</key><array><string>_a&amp;b._tcp</string></array></dict></plist>";
        assert_eq!(read_entries(whole).unwrap(), vec!["_a&b._tcp"]);
        let problem = read_entries("<key>NSBonjourServices</key><array><string>_a._tcp")
            .unwrap_err()
            .to_string();
        assert!(problem.contains("ends inside"), "{problem}");
        let problem = read_entries("<key>NSBonjourServices</key><string>_a._tcp</string>")
            .unwrap_err()
            .to_string();
        assert!(
            problem.contains("is a string; it must be an array"),
            "{problem}"
        );
        let report = check_plist(b"<dict><key>X</key><true/></dict>", &[], None, "");
        assert!(report.problem.unwrap().contains("no NSBonjourServices key"));
    }

    #[test]
    fn a_binary_info_plist() {
        // plistlib.dumps({"NSBonjourServices": ["_ipp._tcp", "_x._udp"]}, fmt=FMT_BINARY)
        const BPLIST: &[u8] = &[
            0x62, 0x70, 0x6c, 0x69, 0x73, 0x74, 0x30, 0x30, 0xd1, 0x01, 0x02, 0x5f, 0x10, 0x11,
            0x4e, 0x53, 0x42, 0x6f, 0x6e, 0x6a, 0x6f, 0x75, 0x72, 0x53, 0x65, 0x72, 0x76, 0x69,
            0x63, 0x65, 0x73, 0xa2, 0x03, 0x04, 0x59, 0x5f, 0x69, 0x70, 0x70, 0x2e, 0x5f, 0x74,
            0x63, 0x70, 0x57, 0x5f, 0x78, 0x2e, 0x5f, 0x75, 0x64, 0x70, 0x08, 0x0b, 0x1f, 0x22,
            0x2c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x34,
        ];
        assert_eq!(
            read_entries_bytes(BPLIST).unwrap(),
            vec!["_ipp._tcp", "_x._udp"]
        );
        let r = check_plist(&BPLIST[..40], &[], None, "");
        assert!(r.problem.unwrap().contains("binary property list"));
    }

    #[test]
    fn missing_types_domains_and_multipeer() {
        let r = check_plist(
            b"_IPP._tcp.\n_x._tcp.local.\nhttp._tcp",
            &["_ipp._tcp".into(), "_http._tcp".into()],
            Some("my-game"),
            "",
        );
        let rules = rules(&r);
        assert!(rules.contains(&RuleId::ApplePlistEntryHasDomain));
        assert!(rules.contains(&RuleId::ApplePlistEntryInvalid));
        assert!(
            rules.contains(&RuleId::ApplePlistMissingType),
            "_http._tcp is missing"
        );
        assert_eq!(
            r.findings
                .iter()
                .filter(|f| f.rule == RuleId::ApplePlistMissingType)
                .count(),
            1,
            "_IPP._tcp. matches _ipp._tcp"
        );
        assert!(rules.contains(&RuleId::AppleMultipeerNeedsBoth));
        assert_eq!(
            r.fixed_entries,
            vec![
                "_ipp._tcp",
                "_x._tcp",
                "_http._tcp",
                "_my-game._tcp",
                "_my-game._udp"
            ]
        );
        assert!(r.fragment.contains("<string>_my-game._udp</string>"));
        let r = check_plist(b"_my-game._tcp _my-game._udp", &[], Some("My_Game"), "");
        assert!(super::tests::rules(&r).contains(&RuleId::AppleMultipeerInvalid));
    }

    #[test]
    fn error_codes() {
        assert_eq!(explain_error(-65555).unwrap().name, "kDNSServiceErr_NoAuth");
        assert!(explain_error(-72008).is_some());
        assert!(explain_error(1).is_none());
    }
}
