//! `netlens pins CHAIN`: the SPKI pins of a chain, what to pin and the fragments to paste;
//! with `--check PINS`, which certificate each pin matches, and with `--next CHAIN`, whether
//! the app survives the rotation (`netlens_apptls::pins`).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use netlens_apptls::pins;

use crate::input::{now, read_input};

/// Options of `netlens pins`.
#[derive(clap::Args)]
pub struct PinsArgs {
    /// The chain the server sends (PEM, DER, PKCS#7); `-` reads standard input.
    #[arg(value_name = "CHAIN")]
    pub chain: PathBuf,
    /// The host the fragments pin (and whose NSPinnedDomains entries --check reads).
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// Check this pin set against the chain: an Info.plist or NSPinnedDomains dictionary, or
    /// pins one per line (`sha256/…`, `pin-sha256="…"`, base64).
    #[arg(long, value_name = "PINS")]
    pub check: Option<PathBuf>,
    /// The renewal chain: with --check, says whether the app still connects after it.
    #[arg(long, value_name = "CHAIN", requires = "check")]
    pub next: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

fn read(path: &std::path::Path) -> Result<Vec<u8>, ExitCode> {
    read_input(path).map(|(bytes, _)| bytes).map_err(|e| {
        eprintln!("netlens: cannot read {}: {e}", path.display());
        ExitCode::from(2)
    })
}

fn print_json(value: &impl serde::Serialize) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("netlens: cannot encode the report: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs `netlens pins`. Exit: 0 when the pins were listed (or the set matches now and after
/// the rotation), 1 when a check fails, 2 on unreadable input.
pub fn run(args: PinsArgs) -> ExitCode {
    let chain = match read(&args.chain) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let host = args.host.as_deref();
    let Some(check_path) = &args.check else {
        let report = pins::from_chain(&chain, host.unwrap_or(""), now());
        if args.json {
            return print_json(&report);
        }
        print!("{}", render_pins(&report));
        return if report.certificates.is_empty() {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    };
    let pin_set = match read(check_path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(code) => return code,
    };
    let next = match &args.next {
        Some(p) => match read(p) {
            Ok(b) => Some(b),
            Err(code) => return code,
        },
        None => None,
    };
    let report = pins::check(&pin_set, &chain, next.as_deref(), host, now());
    let code = if report.chain.is_empty() || report.pins.is_empty() {
        ExitCode::from(2)
    } else if report.connects && report.connects_after_rotation != Some(false) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    if args.json {
        let _ = print_json(&report);
    } else {
        print!("{}", render_check(&report));
    }
    code
}

fn render_pins(r: &pins::ChainPins) -> String {
    let mut out = String::new();
    for p in &r.problems {
        let _ = writeln!(out, "{p}");
    }
    for c in &r.certificates {
        let _ = writeln!(
            out,
            "{} {:<12} {}  {}",
            c.index,
            format!("{:?}", c.role).to_lowercase(),
            c.spki_sha256_base64,
            c.name
        );
    }
    if !r.recommended.is_empty() {
        let _ = writeln!(out, "\nPin: {}", r.recommended.join(", "));
    }
    for a in &r.advice {
        let _ = writeln!(out, "  - {a}");
    }
    if let Some(f) = &r.fragments {
        let _ = writeln!(
            out,
            "\nInfo.plist (NSPinnedDomains):\n{}\nAndroid (network_security_config.xml):\n{}\nOkHttp:\n{}\nTrustKit:\n{}",
            f.ns_pinned_domains, f.android, f.okhttp, f.trustkit
        );
    }
    out
}

fn render_check(r: &pins::PinCheck) -> String {
    let mut out = String::new();
    for p in &r.problems {
        let _ = writeln!(out, "{p}");
    }
    let name = |chain: &[pins::CertificatePin], i: usize| {
        chain
            .iter()
            .find(|c| c.index == i)
            .map_or(String::new(), |c| {
                format!("{} ({})", c.name, format!("{:?}", c.role).to_lowercase())
            })
    };
    for p in &r.pins {
        let now: Vec<String> = p.matches.iter().map(|&i| name(&r.chain, i)).collect();
        let _ = write!(
            out,
            "{} [{}]: {}",
            p.pin,
            format!("{:?}", p.kind).to_lowercase(),
            if now.is_empty() {
                "matches nothing".to_owned()
            } else {
                format!("matches {}", now.join(", "))
            }
        );
        if let Some(next) = &r.next {
            let then: Vec<String> = p.matches_next.iter().map(|&i| name(next, i)).collect();
            let _ = write!(
                out,
                "; after the rotation: {}",
                if then.is_empty() {
                    "nothing".to_owned()
                } else {
                    then.join(", ")
                }
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "\nThe app {} to a server sending this chain{}.",
        if r.connects {
            "connects"
        } else {
            "does not connect"
        },
        match r.connects_after_rotation {
            Some(true) => ", and still connects after the rotation",
            Some(false) => ", but not after the rotation",
            None => "",
        }
    );
    out.push_str(&crate::ats_cmd::render_lint(&r.findings));
    out
}
