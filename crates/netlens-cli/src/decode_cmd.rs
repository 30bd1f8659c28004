//! `netlens decode`: reads files or stdin into one batch and prints the report.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use netlens_x509::{CertificateDetails, DecodeReport, Decoder, Severity};

use crate::input::{read_input, resolve_time};

/// Runs the command; see the crate docs for the exit status.
pub fn run(
    files: &[PathBuf],
    json: bool,
    at: Option<&str>,
    password_file: Option<&std::path::Path>,
) -> ExitCode {
    let Some(now) = resolve_time(at) else {
        return ExitCode::from(2);
    };
    let mut decoder = Decoder::new(now);
    for path in files {
        match read_input(path) {
            Ok((bytes, name)) if crate::identity::is_pkcs12(&bytes) => {
                let name = name.unwrap_or_else(|| "standard input".into());
                match crate::identity::open_pkcs12(&bytes, &name, password_file) {
                    Ok(inspection) => {
                        // What it holds, on stderr: the report on stdout stays the decoder's.
                        eprintln!(
                            "netlens: PKCS#12 {name}: {}. Apple: {}",
                            inspection.contents.join(", "),
                            inspection.apple_import.explanation
                        );
                        for der in &inspection.certificates {
                            decoder.add(der, Some(&format!("{name} (PKCS#12)")));
                        }
                    }
                    Err(why) => {
                        eprintln!("netlens: {why}.");
                        return ExitCode::from(2);
                    }
                }
            }
            Ok((bytes, name)) => decoder.add(&bytes, name.as_deref()),
            Err(e) => {
                eprintln!("netlens: cannot read {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    let report = decoder.finish();
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("netlens: cannot encode the report as JSON: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        print!("{}", render(&report));
    }
    if report.certificates.is_empty() {
        ExitCode::from(2)
    } else if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn field(out: &mut String, name: &str, value: impl AsRef<str>) {
    let value = value.as_ref();
    if !value.is_empty() {
        let _ = writeln!(out, "    {name:<22}{value}");
    }
}

fn render_certificate(out: &mut String, c: &CertificateDetails) {
    let _ = writeln!(
        out,
        "[{}] {}  ({}, {})",
        c.index, c.label, c.format, c.location
    );
    field(out, "Subject", &c.subject.rfc4514);
    field(out, "Issuer", &c.issuer.rfc4514);
    let serial = match &c.serial.decimal {
        Some(d) => format!("{} ({d})", c.serial.hex),
        None => format!("{} (negative)", c.serial.hex),
    };
    field(out, "Serial", serial);
    field(out, "Version", format!("v{}", c.version));
    field(
        out,
        "Validity",
        format!(
            "{} to {} ({} days): {}",
            c.validity.not_before,
            c.validity.not_after,
            c.validity.lifetime_days,
            c.validity.relative
        ),
    );
    let sans: Vec<String> = c.subject_alt_names.iter().map(|n| n.prefixed()).collect();
    field(out, "Subject alt. names", sans.join(", "));
    let mut key = c.public_key.summary.clone();
    if let Some(e) = &c.public_key.rsa_exponent {
        key.push_str(&format!(", exponent {e}"));
    }
    field(out, "Public key", key);
    field(
        out,
        "Signature algorithm",
        format!(
            "{} ({})",
            c.signature_algorithm.name, c.signature_algorithm.short_name
        ),
    );
    if let Some(bc) = &c.basic_constraints {
        let mut v = format!("CA:{}", if bc.ca { "TRUE" } else { "FALSE" });
        if let Some(n) = bc.path_len {
            v.push_str(&format!(", pathlen:{n}"));
        }
        if bc.critical {
            v.push_str(" (critical)");
        }
        field(out, "Basic constraints", v);
    }
    if let Some(ku) = &c.key_usage {
        let crit = if ku.critical { " (critical)" } else { "" };
        field(out, "Key usage", format!("{}{crit}", ku.usages.join(", ")));
    }
    if let Some(eku) = &c.extended_key_usage {
        let names: Vec<String> = eku.purposes.iter().map(|p| p.short_name.clone()).collect();
        field(out, "Extended key usage", names.join(", "));
    }
    field(
        out,
        "Subject key ID",
        c.subject_key_id.as_deref().unwrap_or_default(),
    );
    if let Some(aki) = &c.authority_key_id {
        field(
            out,
            "Authority key ID",
            aki.key_id.as_deref().unwrap_or("(no key ID)"),
        );
    }
    if let Some(aia) = &c.authority_info_access {
        field(out, "OCSP", aia.ocsp.join(", "));
        field(out, "CA issuers", aia.ca_issuers.join(", "));
    }
    field(
        out,
        "CRL distribution",
        c.crl_distribution_points.join(", "),
    );
    let policies: Vec<String> = c
        .certificate_policies
        .iter()
        .map(|p| p.policy.name.clone())
        .collect();
    field(out, "Policies", policies.join(", "));
    if c.sct_count > 0 {
        field(out, "Embedded SCTs", c.sct_count.to_string());
        for s in &c.scts {
            field(out, "", format!("log {} at {}", s.log_id, s.timestamp));
        }
    }
    if c.must_staple {
        field(out, "TLS feature", "OCSP Must-Staple");
    }
    if c.precertificate {
        field(
            out,
            "Precertificate",
            "yes (CT poison): never served by TLS servers",
        );
    }
    let _ = writeln!(out, "    Extensions ({})", c.extensions.len());
    for e in &c.extensions {
        let crit = if e.critical { ", critical" } else { "" };
        let value = match (&e.error, &e.value_hex) {
            (Some(err), _) => format!("undecodable: {err}"),
            (None, Some(hex)) => hex.clone(),
            (None, None) => e.summary.join("; "),
        };
        let _ = writeln!(out, "      {} ({}{crit}): {value}", e.name, e.oid);
    }
    field(out, "SHA-256 fingerprint", &c.fingerprints.sha256);
    field(out, "SHA-1 fingerprint", &c.fingerprints.sha1);
    field(out, "SPKI SHA-256 pin", &c.fingerprints.spki_sha256_base64);
    for w in &c.warnings {
        let _ = writeln!(out, "    warning: {w}");
    }
}

/// The plain-text report.
pub fn render(report: &DecodeReport) -> String {
    let mut out = String::new();
    let n = report.certificates.len();
    let _ = writeln!(
        out,
        "{n} certificate{} decoded (validity judged at {})\n",
        if n == 1 { "" } else { "s" },
        report.decoded_at
    );
    for c in &report.certificates {
        render_certificate(&mut out, c);
        out.push('\n');
    }
    if !report.problems.is_empty() {
        let _ = writeln!(out, "Problems:");
        for p in &report.problems {
            let severity = match p.severity() {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Notice => "notice",
            };
            let _ = writeln!(out, "  {severity:<8}{p}");
        }
    }
    out
}
