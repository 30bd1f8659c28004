//! `netlens ats HOST[:PORT]`: will App Transport Security connect, and if not, the least
//! Info.plist exceptions that would, as `nscurl --ats-diagnostics` answers on a Mac.
//!
//! Two halves. The server half: the hellos of every ATS configuration and of every version,
//! one connection each (`netlens_tls::ats`). The certificate half: the chain the server sends
//! (from a rustls handshake, or, when rustls cannot speak the server's version or suites, from
//! the Certificate message a TLS 1.0–1.2 server sends in the clear), analyzed as
//! `netlens chain` does; its `apple` verdict is ATS's trust evaluation.

use std::fmt::Write as _;
use std::process::ExitCode;

use netlens_chain::{Analysis, Profile};
use netlens_tls::Answer;
use netlens_tls::ats::{self, Configuration, ServerHalf, VersionProbe};
use serde::Serialize;

use crate::chain_cmd::{self, AnalysisArgs};
use crate::tls_connect::{self, Target};

/// Options of `netlens ats`.
#[derive(clap::Args)]
pub struct AtsArgs {
    /// The server: HOST[:PORT] (443 by default; `[::1]:8443` for IPv6). Without it,
    /// --info-plist is linted alone.
    #[arg(value_name = "HOST[:PORT]", required_unless_present = "info_plist")]
    pub endpoint: Option<String>,
    /// The app's Info.plist (XML or binary, or its NSAppTransportSecurity dictionary): lint
    /// it, and with HOST say whether the app as configured connects.
    #[arg(long, value_name = "FILE")]
    pub info_plist: Option<std::path::PathBuf>,
    /// The name to send as SNI (default: HOST, unless it is an address).
    #[arg(long, value_name = "NAME")]
    pub sni: Option<String>,
    /// Seconds to wait for each connection (at most 120).
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    pub timeout: f64,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    #[command(flatten)]
    pub identity: chain_cmd::IdentityArgs,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Where the certificates analyzed came from.
#[derive(Serialize)]
struct CertificateHalf {
    /// `pass` | `fail` (the chain analysis's `apple` verdict) | `unavailable`.
    result: &'static str,
    /// How the certificates were read.
    from: String,
    /// The findings that fail the `apple` verdict.
    #[serde(skip)]
    failing: Vec<netlens_chain::Finding>,
}

/// Runs `netlens ats`. Exit: 0 when ATS connects without exceptions, 1 when it does not, 2 when
/// the server cannot be reached or does not speak TLS, or on bad arguments.
pub fn run(args: AtsArgs) -> ExitCode {
    let lint = match &args.info_plist {
        Some(path) => match crate::input::read_input(path) {
            Ok((bytes, _)) => match netlens_apptls::ats::lint(&bytes) {
                Ok(report) => Some(report),
                Err(e) => {
                    eprintln!("netlens: {}: {e}", path.display());
                    return ExitCode::from(2);
                }
            },
            Err(e) => {
                eprintln!("netlens: cannot read {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let Some(endpoint_arg) = args.endpoint.as_deref() else {
        // Lint only (clap requires --info-plist without HOST).
        let Some(report) = lint else {
            return ExitCode::from(2);
        };
        let failed = report
            .findings
            .iter()
            .any(|f| f.severity == netlens_chain::Severity::Error);
        if args.json {
            match serde_json::to_string_pretty(&report) {
                Ok(text) => println!("{text}"),
                Err(e) => {
                    eprintln!("netlens: cannot encode the report: {e}");
                    return ExitCode::from(2);
                }
            }
        } else {
            print!("{}", render_lint(&report.findings));
        }
        return if failed {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        };
    };
    let target = match Target::parse(endpoint_arg, args.sni.as_deref(), args.timeout) {
        Ok(target) => target,
        Err(why) => {
            eprintln!("netlens: {why}.");
            return ExitCode::from(2);
        }
    };
    let server = match server_half(&target) {
        Ok(found) => found,
        Err(why) => {
            eprintln!("netlens: {why}.");
            return ExitCode::from(2);
        }
    };
    // The certificate half: rustls when it can connect (TLS 1.2 with ECDHE, TLS 1.3); else
    // the certificates a TLS 1.0–1.2 server sends in the clear (`tls_connect::connect` does both).
    let identity = match args.identity.client() {
        Ok(identity) => identity,
        Err(code) => return code,
    };
    let connection = tls_connect::connect(&target, identity.as_ref());
    let (certificates, from) = match &connection {
        Ok(c) => (
            c.certificates.clone(),
            c.read_in_the_clear.as_ref().map_or_else(
                || format!("a {} handshake (rustls)", c.protocol_version),
                |why| format!("a TLS 1.0–1.2 hello, in the clear: {why}"),
            ),
        ),
        Err(why) => (Vec::new(), why.clone()),
    };
    let negotiated = server
        .negotiated()
        .map(|(version, suite)| netlens_chain::Negotiated {
            protocol_version: version.name().to_owned(),
            cipher_suite: netlens_tls::suite_name(suite),
        })
        .or_else(|| connection.as_ref().ok().map(|c| c.negotiated()));
    let mut analyzer =
        match chain_cmd::analyzer(&args.analysis, target.sni.as_deref(), negotiated, None) {
            Ok(analyzer) => analyzer,
            Err(code) => return code,
        };
    let endpoint = target.endpoint();
    if let Ok(c) = &connection {
        c.feed(&mut analyzer);
    }
    let analysis = (!certificates.is_empty()).then(|| analyzer.analyze());
    let certificate = match &analysis {
        Some(a) => CertificateHalf {
            result: if a.verdicts.get(&netlens_chain::Profile::Apple)
                == Some(&netlens_chain::report::Verdict::Pass)
            {
                "pass"
            } else {
                "fail"
            },
            from,
            failing: a
                .findings
                .iter()
                .filter(|f| f.decides.contains(&Profile::Apple))
                .cloned()
                .collect(),
        },
        None => CertificateHalf {
            result: "unavailable",
            from,
            failing: Vec::new(),
        },
    };
    let pass = server.result == "pass" && certificate.result == "pass";
    // The domain the exceptions are for: --host, else the SNI, else HOST.
    let domain = analysis
        .as_ref()
        .and_then(|a| a.host.clone())
        .or_else(|| target.sni.clone())
        .unwrap_or_else(|| target.host.clone());
    let info_plist = server
        .exceptions
        .as_ref()
        .filter(|e| !e.is_empty())
        .map(|e| ats::info_plist(&domain, e));
    let mut advice = server.advice.clone();
    if certificate.result == "fail" {
        advice.insert(
            0,
            "Fix the certificate chain (its errors above say how): no Info.plist exception makes ATS trust it.".to_owned(),
        );
    }
    if domain.parse::<std::net::IpAddr>().is_ok() && info_plist.is_some() {
        advice.push(format!(
            "{domain} is an IP address: NSExceptionDomains takes addresses only from iOS 17 and macOS 14 on; pass --host with the name the app uses."
        ));
    }
    let summary = summary(&endpoint, &domain, &server, &certificate);
    // The app's own dictionary: what it makes of this host, against what the server accepts.
    let app = lint.map(|report| {
        let policy = report.settings.for_host(&domain);
        let result = server_result(&server, &policy);
        let mut findings = report.findings.clone();
        findings.extend(netlens_apptls::ats::host_findings(&policy, &result));
        let connects = !policy.ats_applies || result.accepts_policy;
        (report, policy, findings, connects)
    });
    if args.json {
        let chain = analysis
            .as_ref()
            .map(|a| chain_cmd::report_json(a, connection.as_ref().ok(), &[]));
        let report = serde_json::json!({
            "endpoint": endpoint,
            "sni": target.sni,
            "domain": domain,
            "ats": if pass { "pass" } else { "fail" },
            "summary": summary,
            "server": server,
            "certificate": certificate,
            "exceptions": server.exceptions,
            "info_plist": info_plist,
            "advice": advice,
            "chain": chain,
            "app": app.as_ref().map(|(report, policy, findings, connects)| serde_json::json!({
                "connects": *connects && certificate.result == "pass",
                "policy": policy,
                "settings": report.settings,
                "findings": findings,
            })),
        });
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("netlens: cannot encode the report: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        print!(
            "{}",
            render(
                &summary,
                &server,
                &certificate,
                analysis.as_ref(),
                info_plist.as_deref(),
                &advice
            )
        );
        // Mutual TLS, when the server asked for a client certificate or one was given.
        if let Some(auth) = connection
            .as_ref()
            .ok()
            .and_then(|c| c.client_auth.as_ref())
        {
            print!("\n{}", chain_cmd::describe_client(Some(auth), None));
        }
        if let Some((_, policy, findings, connects)) = &app {
            println!(
                "\nThe app as its Info.plist configures it {} to {domain}{}.",
                if *connects && certificate.result == "pass" {
                    "connects"
                } else {
                    "does not connect"
                },
                match (&policy.exception, policy.ats_applies) {
                    (Some(d), _) => format!(" (under the exception for {d})"),
                    (None, false) => " (NSAllowsArbitraryLoads turns ATS off for it)".to_owned(),
                    (None, true) => " (no exception applies)".to_owned(),
                }
            );
            print!("{}", render_lint(findings));
        }
    }
    if let Some((_, _, _, connects)) = &app {
        return if *connects && certificate.result == "pass" {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
    }
    if pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Every hello of the server half, one connection each. `Err` when the server cannot be
/// reached, does not answer in TLS, or says nothing to the first hello (ATS's default one);
/// silence to a later hello counts as a refusal.
fn server_half(target: &Target) -> Result<ServerHalf, String> {
    let endpoint = target.endpoint();
    // Every answer so far (only whether they are all silence matters at the end).
    let mut answers: Vec<Answer> = Vec::new();
    let mut ask = |offer: &netlens_tls::Offer| -> Result<Answer, String> {
        let answer = match tls_connect::probe(target, offer) {
            Ok(answer) => answer,
            Err(tls_connect::ProbeError::Silent(_)) if !answers.is_empty() => Answer::Closed,
            Err(e) => return Err(e.to_string()),
        };
        if answer == Answer::NotTls {
            return Err(format!(
                "{endpoint} did not answer a TLS hello in TLS: is it a TLS port? A plain HTTP or other service has no certificate to check"
            ));
        }
        answers.push(answer.clone());
        Ok(answer)
    };
    let mut configurations = Vec::new();
    for configuration in Configuration::LEAST_FIRST {
        configurations.push((configuration, ask(&configuration.offer())?));
    }
    let mut versions = Vec::new();
    for probe in VersionProbe::all() {
        versions.push((probe, ask(&probe.offer())?));
    }
    if answers.iter().all(|a| *a == Answer::Closed) {
        return Err(format!(
            "{endpoint} closed the connection on every TLS hello without an answer: check that it speaks TLS on this port"
        ));
    }
    Ok(ats::server_half(&versions, &configurations))
}

/// What the server half says about the app's policy for the host.
fn server_result(
    server: &ServerHalf,
    policy: &netlens_apptls::ats::HostPolicy,
) -> netlens_apptls::ats::ServerResult {
    use netlens_apptls::ats::TlsVersion;
    let passes = |configuration: Configuration| {
        Configuration::LEAST_FIRST
            .iter()
            .position(|c| *c == configuration)
            .and_then(|i| server.configurations.get(i))
            .is_some_and(|c| c.result == "pass")
    };
    let minimum = match policy.minimum_tls {
        TlsVersion::Tls10 => netlens_tls::Version::Tls10,
        TlsVersion::Tls11 => netlens_tls::Version::Tls11,
        TlsVersion::Tls12 | TlsVersion::Tls13 => netlens_tls::Version::Tls12,
    };
    let accepts_policy = if policy.minimum_tls == TlsVersion::Tls13 {
        server
            .versions
            .iter()
            .any(|v| v.version == netlens_tls::Version::Tls13 && v.forward_secret.is_some())
    } else {
        // A configuration that relaxes more accepts whatever a stricter one does.
        Configuration::LEAST_FIRST.iter().any(|c| {
            c.minimum >= minimum
                && (c.forward_secrecy || !policy.requires_forward_secrecy)
                && passes(*c)
        })
    };
    netlens_apptls::ats::ServerResult {
        accepts_default: passes(Configuration::DEFAULT),
        accepts_policy,
        needs: server
            .exceptions
            .as_ref()
            .filter(|e| !e.is_empty())
            .map(describe_exceptions),
    }
}

/// App-side findings (the ATS linter's, the pin checker's) as text.
pub(crate) fn render_lint(findings: &[netlens_apptls::Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(
            out,
            "{} {} ({}): {}\n    fix: {}",
            f.severity.name(),
            f.rule.as_str(),
            f.at,
            f.message,
            f.fix
        );
    }
    out
}

/// One sentence: the verdict and why.
fn summary(
    endpoint: &str,
    domain: &str,
    server: &ServerHalf,
    certificate: &CertificateHalf,
) -> String {
    let server_says = match (&server.exceptions, server.negotiated()) {
        (Some(e), Some((version, suite))) if e.is_empty() => format!(
            "the server negotiates {}, {} with ATS's default settings",
            version.name(),
            netlens_tls::suite_name(suite)
        ),
        (Some(e), _) => format!(
            "the server needs {} for ATS to connect",
            describe_exceptions(e)
        ),
        (None, _) => "no Info.plist exception makes ATS connect to the server".to_owned(),
    };
    let certificate_says = match certificate.result {
        "pass" => "the certificate chain passes Apple's trust evaluation".to_owned(),
        "fail" => format!(
            "the certificate chain fails Apple's trust evaluation ({})",
            certificate
                .failing
                .iter()
                .map(|f| f.rule.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => "the certificate chain could not be read".to_owned(),
    };
    let pass = server.result == "pass" && certificate.result == "pass";
    format!(
        "ATS {} to {domain} ({endpoint}): {server_says}, and {certificate_says}.",
        if pass { "connects" } else { "does not connect" }
    )
}

/// "NSExceptionMinimumTLSVersion = TLSv1.1 and NSExceptionRequiresForwardSecrecy = false".
fn describe_exceptions(exceptions: &ats::Exceptions) -> String {
    exceptions
        .iter()
        .map(|(key, value)| match value {
            ats::PlistValue::String(s) => format!("{key} = {s}"),
            ats::PlistValue::Bool(b) => format!("{key} = {b}"),
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// The plain-text report.
fn render(
    summary: &str,
    server: &ServerHalf,
    certificate: &CertificateHalf,
    analysis: Option<&Analysis>,
    info_plist: Option<&str>,
    advice: &[String],
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{summary}\n");
    let _ = writeln!(
        out,
        "Server: {} (handshakes as nscurl --ats-diagnostics makes them)",
        server.result.to_uppercase()
    );
    let _ = writeln!(
        out,
        "  {:<9} {:<42} {:<34} EMS",
        "version", "ATS suites (forward secret)", "without forward secrecy"
    );
    for v in &server.versions {
        let _ = writeln!(
            out,
            "  {:<9} {:<42} {:<34} {}",
            v.version.name(),
            v.forward_secret.as_deref().unwrap_or("-"),
            v.without_forward_secrecy.as_deref().unwrap_or("-"),
            match v.extended_master_secret {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            }
        );
    }
    let _ = writeln!(out, "  Configurations:");
    for c in &server.configurations {
        let _ = writeln!(
            out,
            "    {}  {} → {}",
            c.result.to_uppercase(),
            if c.exceptions.is_empty() {
                "no exception (ATS's default)".to_owned()
            } else {
                describe_exceptions(&c.exceptions)
            },
            c.answer
        );
    }
    let _ = writeln!(
        out,
        "\nCertificate: {} (the chain analysis's apple verdict{})\n  Certificates from {}.",
        certificate.result.to_uppercase(),
        analysis.map_or(String::new(), |a| format!(
            "; {} certificate{} sent",
            a.chain_as_sent.len(),
            if a.chain_as_sent.len() == 1 { "" } else { "s" }
        )),
        certificate.from,
    );
    for f in &certificate.failing {
        let _ = writeln!(out, "  {}: {}", f.rule, f.message);
        let _ = writeln!(out, "      fix: {}", f.fix);
    }
    if analysis.is_some() {
        let _ = writeln!(
            out,
            "  (`netlens chain --connect` prints the whole chain report.)"
        );
    }
    if let Some(fragment) = info_plist {
        let _ = writeln!(
            out,
            "\nThe least exceptions that let ATS connect (App Review asks you to justify them):\n{fragment}"
        );
    }
    if !advice.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            if info_plist.is_some() {
                "Better, fix the server:"
            } else {
                "\nAdvice:"
            }
        );
        for a in advice {
            let _ = writeln!(out, "  - {a}");
        }
    }
    out
}
