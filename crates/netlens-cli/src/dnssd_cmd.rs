//! `netlens dnssd`: service types, instance names, full names, TXT records, Info.plist lists
//! and error codes, with the same core as the web app's DNS-SD page.
//!
//! Exit status: 0 when there is no error finding, 1 when there is one, 2 when the input cannot
//! be read.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use netlens_dnssd::catalog::{self, Severity};
use netlens_dnssd::{Finding, Format, InputError, ServiceContext, apple};
use serde::Serialize;

use crate::input;

/// `println!` that does not panic when stdout is closed early (`netlens … | head`).
macro_rules! outln {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

fn print_json(value: &impl Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(json) => outln!("{json}"),
        Err(e) => eprintln!("netlens: cannot write JSON: {e}"),
    }
}

fn exit_for(error: Option<&InputError>, findings: &[Finding]) -> ExitCode {
    if error.is_some() {
        ExitCode::from(2)
    } else if findings.iter().any(|f| f.severity == Severity::Error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_findings(findings: &[Finding]) {
    let mut out = std::io::stdout().lock();
    if findings.is_empty() {
        let _ = writeln!(out, "No findings.");
    }
    for f in findings {
        let _ = writeln!(
            out,
            "{:<7} {}  ({})",
            f.severity.name(),
            f.rule,
            f.subject.describe()
        );
        let _ = writeln!(out, "        {}", f.message);
        let _ = writeln!(out, "        source: {}", f.source);
        let _ = writeln!(out, "        fix: {}", f.fix);
        for note in f.implementations {
            let _ = writeln!(
                out,
                "        {} {}: {}",
                note.implementation.name(),
                note.behaviour.name(),
                note.detail
            );
        }
    }
}

fn print_error(what: &str, e: &InputError) {
    eprintln!("netlens: {what}: {e}");
}

/// `netlens dnssd type TYPE`.
pub fn service_type(text: &str, json: bool) -> ExitCode {
    let report = netlens_dnssd::check_type(text);
    if json {
        print_json(&report);
    } else if let Some(e) = &report.error {
        print_error("service type", e);
    } else {
        outln!("Service type {}", report.input);
        match &report.registration {
            Some(r) => outln!(
                "IANA: registered as `{}` ({}){}",
                r.name,
                if r.protocols.is_empty() {
                    "no port".to_owned()
                } else {
                    r.protocols.join(", ")
                },
                if r.description.is_empty() {
                    String::new()
                } else {
                    format!(": {}", r.description)
                }
            ),
            None => outln!("IANA: not registered"),
        }
        print_findings(&report.findings);
        if let Some(forms) = &report.forms {
            outln!("\nForms:");
            outln!(
                "  type (Apple, Avahi, Android, Info.plist)  {}",
                forms.normalized
            );
            outln!(
                "  with domain (python-zeroconf, mdns-sd)    {}",
                forms.with_domain
            );
            if let Some(apple) = &forms.apple_subtypes {
                outln!("  Apple subtypes                            {apple}");
            }
            for sub in &forms.subtype_names {
                outln!("  subtype name (Avahi <subtype>)            {sub}");
            }
        }
    }
    exit_for(report.error.as_ref(), &report.findings)
}

/// `netlens dnssd instance NAME`.
pub fn instance(text: &str, json: bool) -> ExitCode {
    let report = netlens_dnssd::check_instance(text);
    if json {
        print_json(&report);
    } else {
        outln!(
            "Instance name {:?}: {} bytes of UTF-8",
            report.input,
            report.bytes
        );
        print_findings(&report.findings);
        outln!("\nForms:");
        outln!("  dns-sd  {}", report.forms.dns_sd);
        outln!("  avahi   {}", report.forms.avahi);
        outln!("  dig     {}", report.forms.dig);
        outln!("  shell   {}", report.forms.shell);
    }
    exit_for(None, &report.findings)
}

/// `netlens dnssd name FULLNAME`.
pub fn name(text: &str, json: bool) -> ExitCode {
    let report = netlens_dnssd::check_name(text);
    if json {
        print_json(&report);
    } else if let Some(e) = &report.error {
        print_error("name", e);
    } else {
        if let Some(parts) = &report.parts {
            if let Some(instance) = &parts.instance {
                outln!("Instance  {instance:?}");
            }
            if let Some(subtype) = &parts.subtype {
                outln!("Subtype   {subtype}");
            }
            outln!("Type      {}", parts.service_type);
            outln!(
                "Domain    {}{}",
                parts.domain,
                if report.assumed_local {
                    " (assumed)"
                } else {
                    ""
                }
            );
        }
        outln!("Wire length {} bytes (limit 255)", report.wire_length);
        print_findings(&report.findings);
        if let Some(forms) = &report.forms {
            outln!(
                "\nForms:\n  dns-sd  {}\n  avahi   {}\n  dig     {}",
                forms.dns_sd,
                forms.avahi,
                forms.dig
            );
        }
    }
    exit_for(report.error.as_ref(), &report.findings)
}

/// `netlens dnssd txt FILE|-`.
pub fn txt(path: &Path, format: Option<&str>, context: ServiceContext, json: bool) -> ExitCode {
    let format = match format {
        None | Some("auto") => None,
        Some(id) => match Format::from_id(id) {
            Some(f) => Some(f),
            None => {
                let ids: Vec<&str> = Format::ALL.iter().map(|f| f.id()).collect();
                eprintln!(
                    "netlens: unknown format {id:?}; use auto or one of {}",
                    ids.join(", ")
                );
                return ExitCode::from(2);
            }
        },
    };
    let text = match input::read_input(path) {
        // Raw bytes (dns-sd -L and -Z print bytes ≥ 0x80 as they are) are kept, not replaced.
        Ok((bytes, _)) => netlens_dnssd::formats::text_from_bytes(&bytes),
        Err(e) => {
            eprintln!("netlens: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let report = netlens_dnssd::check_txt(&text, format, &context);
    if json {
        print_json(&report);
    } else if let Some(e) = &report.error {
        print_error(format.map_or("TXT", |f| f.label()), e);
    } else {
        if let Some(f) = report.format {
            outln!(
                "Read as {}{}",
                f.label(),
                if report.detected { " (detected)" } else { "" }
            );
        }
        for note in &report.notes {
            outln!("Note: {note}");
        }
        outln!(
            "{} strings, {} bytes on the wire",
            report.strings.len(),
            report.wire_length
        );
        for s in &report.strings {
            let shown = match (s.kind, &s.key, &s.value) {
                ("empty", _, _) => "(empty string)".to_owned(),
                ("flag", Some(k), _) => format!("{k}  (no value)"),
                ("pair", Some(k), Some(v)) if v.is_empty() => format!("{k}=  (empty value)"),
                ("pair", Some(k), Some(v)) => format!("{k}={v}"),
                (_, _, Some(v)) => format!("={v}  (no key: ignored)"),
                _ => String::new(),
            };
            outln!(
                "  {:>2}. [{:>3}] {shown}{}",
                s.index + 1,
                s.length,
                if s.used || s.kind == "empty" {
                    ""
                } else {
                    "  (ignored by receivers)"
                }
            );
        }
        print_findings(&report.findings);
        if let Some(forms) = &report.forms {
            for c in &report.corrections {
                outln!("Correction: {c}");
            }
            outln!(
                "\nhex     {}\nbase64  {}\nzone    {}\ndns-sd  {}",
                forms.hex,
                forms.base64,
                forms.zone,
                forms.dns_sd_register
            );
            outln!(
                "\n{}\n{}\n{}",
                forms.avahi_service,
                forms.swift,
                forms.python
            );
        }
    }
    exit_for(report.error.as_ref(), &report.findings)
}

/// `netlens dnssd plist FILE|- [--uses TYPE]... [--multipeer NAME]`.
pub fn plist(
    path: &Path,
    uses: &[String],
    multipeer: Option<&str>,
    usage: &str,
    json: bool,
) -> ExitCode {
    let text = match input::read_input(path) {
        // Raw bytes (dns-sd -L and -Z print bytes ≥ 0x80 as they are) are kept, not replaced.
        Ok((bytes, _)) => netlens_dnssd::formats::text_from_bytes(&bytes),
        Err(e) => {
            eprintln!("netlens: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let report = apple::check_plist(&text, uses, multipeer, usage);
    if json {
        print_json(&report);
    } else {
        outln!("NSBonjourServices: {}", report.entries.join(", "));
        print_findings(&report.findings);
        outln!("\nInfo.plist:\n{}", report.fragment);
    }
    exit_for(None, &report.findings)
}

/// `netlens dnssd error CODE`.
pub fn error(code: &str, json: bool) -> ExitCode {
    let Ok(number) = code.trim().parse::<i64>() else {
        eprintln!("netlens: {code:?} is not a number (e.g. -65555)");
        return ExitCode::from(2);
    };
    let number = if number > 0 { -number } else { number };
    match apple::explain_error(number) {
        Some(e) if json => {
            print_json(e);
            ExitCode::SUCCESS
        }
        Some(e) => {
            outln!("{} {}\n{}\nFix: {}", e.code, e.name, e.meaning, e.fix);
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("netlens: {number} is not a DNS-SD or NSNetService error code netlens knows");
            ExitCode::from(2)
        }
    }
}

/// `netlens dnssd rules`.
pub fn rules(json: bool) -> ExitCode {
    if json {
        print_json(&catalog::RULES);
    } else {
        let _ = write!(std::io::stdout().lock(), "{}", rules_markdown());
    }
    ExitCode::SUCCESS
}

/// The DNS-SD catalog as a Markdown table (also in the README; a test keeps it in step).
pub fn rules_markdown() -> String {
    let mut md = String::from("| Rule | Severity | What is wrong | Source |\n|---|---|---|---|\n");
    for r in catalog::RULES {
        md.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            r.id,
            r.severity.name(),
            r.title,
            r.source.replace('|', "\\|")
        ));
    }
    md
}
