//! `netlens tls error TEXT|-`: every TLS error code, constant name, trust check, alert and log
//! line in a pasted text, explained (`netlens_apptls::errors`).

use std::fmt::Write as _;
use std::process::ExitCode;

use netlens_apptls::errors::{self, Explanation};

/// Runs `netlens tls error`. `text` is the words given, or `-` for standard input. Exit: 0
/// when something was recognised, 1 when nothing was (or only unknown codes), 2 when the input
/// cannot be read.
pub fn error(text: &[String], json: bool) -> ExitCode {
    let input = if text.len() == 1 && text[0] == "-" {
        match crate::input::read_input(std::path::Path::new("-")) {
            Ok((bytes, _)) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                eprintln!("netlens: cannot read standard input: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        text.join(" ")
    };
    let explanation = errors::explain(&input);
    if json {
        match serde_json::to_string_pretty(&explanation) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("netlens: cannot encode the report: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        print!("{}", render(&explanation));
    }
    if explanation.recognised.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The plain-text explanation.
pub fn render(e: &Explanation) -> String {
    let mut out = String::new();
    for r in &e.recognised {
        let number = r.number.map(|n| format!(" {n}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "{}{number}: {} — {}",
            r.domain.name(),
            r.name,
            r.matched
        );
        if !r.aliases.is_empty() {
            let _ = writeln!(out, "  also: {}", r.aliases.join(", "));
        }
        if !r.apple_text.is_empty() {
            let _ = writeln!(out, "  Apple: “{}”", r.apple_text);
        }
        let _ = writeln!(out, "  {}", r.meaning);
        for (i, cause) in r.causes.iter().enumerate() {
            let rules = if cause.rules.is_empty() {
                String::new()
            } else {
                format!(" [netlens: {}]", cause.rules.join(", "))
            };
            let _ = writeln!(out, "  {}. {}{rules}", i + 1, cause.text);
        }
        let _ = writeln!(out, "  source: {}\n", r.source);
    }
    for u in &e.unknown {
        let _ = writeln!(out, "Unknown {}: {}\n", u.matched, u.note);
    }
    if let Some(note) = &e.note {
        let _ = writeln!(out, "{note}");
    }
    if !e.next_steps.is_empty() {
        let _ = writeln!(out, "Next:");
        for step in &e.next_steps {
            let _ = writeln!(out, "  - {}", step.text());
        }
    }
    out
}
