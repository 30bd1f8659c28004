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
    let bytes = match input::read_input(path) {
        Ok((bytes, _)) => bytes,
        Err(e) => {
            eprintln!("netlens: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    // An XML or binary Info.plist, or a list of types (raw bytes ≥ 0x80 kept, not replaced).
    let report = apple::check_plist(&bytes, uses, multipeer, usage);
    if json {
        print_json(&report);
    } else {
        if let Some(problem) = &report.problem {
            outln!("{problem}");
        }
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
        let _ = write!(std::io::stdout().lock(), "{}", catalog::markdown());
    }
    ExitCode::SUCCESS
}

/// One service `netlens dnssd browse` found, checked.
#[derive(Serialize)]
struct BrowsedService {
    /// The instance name (its bytes as UTF-8, with U+FFFD where they are not).
    instance: String,
    service_type: String,
    host: Option<String>,
    port: Option<u16>,
    addresses: Vec<String>,
    /// Findings on the instance label (its bytes as sent).
    instance_findings: Vec<Finding>,
    /// The type's report.
    type_report: netlens_dnssd::service::TypeReport,
    /// The TXT record's report, when the service answered with one.
    txt: Option<netlens_dnssd::TxtReport>,
}

/// What a browse found, for `--json`.
#[derive(Serialize)]
struct BrowseReport {
    service_type: Option<String>,
    timeout_s: f64,
    services: Vec<BrowsedService>,
}

/// Sends the browse's questions (a one-shot querier from an ephemeral port: responders answer
/// it directly, RFC 6762 §6.7) and reads answers until `timeout`; bounded in time and in the
/// number of queries.
fn run_browse(
    browse: &mut netlens_dnssd::mdns::Browse,
    timeout: std::time::Duration,
    interface: Option<std::net::Ipv4Addr>,
) -> std::io::Result<()> {
    use socket2::{Domain, Protocol, Socket, Type};
    use std::net::{Ipv4Addr, SocketAddrV4};
    use std::time::{Duration, Instant};
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    socket.bind(&SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0).into())?;
    if let Some(address) = interface {
        socket.set_multicast_if_v4(&address)?;
    }
    socket.set_multicast_ttl_v4(255)?;
    socket.set_read_timeout(Some(Duration::from_millis(100)))?;
    let socket: std::net::UdpSocket = socket.into();
    let group = SocketAddrV4::new(Ipv4Addr::new(224, 0, 0, 251), 5353);
    let start = Instant::now();
    let mut next_query = start;
    let mut interval = Duration::from_millis(250);
    let mut buffer = vec![0u8; 9000];
    let mut id: u16 = 0x4e4c; // "NL"
    while start.elapsed() < timeout {
        if Instant::now() >= next_query {
            // Re-asked with growing intervals (250 ms, 500 ms, 1 s…), each time for what is
            // still missing, one question a message: a responder answers a one-shot querier
            // only within 512 bytes (Avahi sends nothing rather than a cut answer).
            for question in browse.queries() {
                id = id.wrapping_add(1);
                socket.send_to(&netlens_dnssd::mdns::query(id, &[question]), group)?;
            }
            next_query = Instant::now() + interval;
            interval = (interval * 2).min(Duration::from_secs(2));
        }
        match socket.recv_from(&mut buffer) {
            // A damaged or foreign datagram is skipped: one bad responder must not stop a browse.
            Ok((n, _)) => {
                let _ = browse.receive(&buffer[..n]);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// `netlens dnssd browse [TYPE]`.
pub fn browse(
    service_type: Option<&str>,
    timeout: f64,
    interface: Option<std::net::Ipv4Addr>,
    json: bool,
) -> ExitCode {
    if !(timeout > 0.0 && timeout <= 60.0) {
        eprintln!("netlens: --timeout is in seconds, more than 0 and at most 60");
        return ExitCode::from(2);
    }
    let mut browse = netlens_dnssd::mdns::Browse::new(service_type);
    if let Err(e) = run_browse(
        &mut browse,
        std::time::Duration::from_secs_f64(timeout),
        interface,
    ) {
        eprintln!("netlens: cannot browse mDNS: {e}");
        return ExitCode::from(2);
    }
    let services: Vec<BrowsedService> = browse
        .found()
        .into_iter()
        .map(|found| {
            let mut instance_findings = Vec::new();
            netlens_dnssd::name::check_instance_label(&found.instance, &mut instance_findings);
            let instance = String::from_utf8_lossy(&found.instance).into_owned();
            let txt = found.txt.as_ref().map(|rdata| {
                let context = ServiceContext {
                    instance: instance.clone(),
                    service_type: found.service_type.clone(),
                    port: found.port.unwrap_or(0),
                    host: found.host.clone().unwrap_or_default(),
                    ..ServiceContext::default()
                };
                match netlens_dnssd::TxtRecord::from_wire(rdata) {
                    Ok(record) => netlens_dnssd::txt_report(&record, &context),
                    // Read as hex, the report says which length byte runs past the data.
                    Err(_) => {
                        let hex: Vec<String> = rdata.iter().map(|b| format!("{b:02X}")).collect();
                        netlens_dnssd::check_txt(&hex.join(" "), Some(Format::Hex), &context)
                    }
                }
            });
            BrowsedService {
                type_report: netlens_dnssd::check_type(&found.service_type),
                instance,
                service_type: found.service_type,
                host: found.host,
                port: found.port,
                addresses: found.addresses,
                instance_findings,
                txt,
            }
        })
        .collect();
    let any_error = services.iter().any(|s| {
        s.instance_findings
            .iter()
            .chain(&s.type_report.findings)
            .chain(s.txt.iter().flat_map(|t| &t.findings))
            .any(|f| f.severity == Severity::Error)
    });
    if json {
        print_json(&BrowseReport {
            service_type: service_type.map(str::to_owned),
            timeout_s: timeout,
            services,
        });
    } else if services.is_empty() {
        outln!(
            "No {} answered within {timeout} s.",
            service_type.map_or("service".to_owned(), |t| format!("{t} service"))
        );
    } else {
        for s in &services {
            outln!(
                "\n{:?}  {}  {}:{}  {}",
                s.instance,
                s.service_type,
                s.host.as_deref().unwrap_or("?"),
                s.port.map_or("?".to_owned(), |p| p.to_string()),
                s.addresses.join(", ")
            );
            let mut all: Vec<Finding> = s.instance_findings.clone();
            all.extend(s.type_report.findings.iter().cloned());
            match &s.txt {
                Some(t) => {
                    outln!(
                        "  TXT: {} strings, {} bytes",
                        t.strings.len(),
                        t.wire_length
                    );
                    for v in &t.strings {
                        outln!("    {}", v.hex);
                    }
                    all.extend(t.findings.iter().cloned());
                }
                None => outln!("  TXT: no answer"),
            }
            print_findings(&all);
        }
    }
    if any_error {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
