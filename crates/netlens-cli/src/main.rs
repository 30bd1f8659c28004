//! `netlens`: the command line over netlens' analysis cores, for CI pipelines and scripts.
//!
//! Same decoding as the web app (it calls the same `netlens-x509` functions), plain text for
//! people and stable JSON (`--json`) for machines.
//!
//! Exit status: 0 when everything was read, 1 when some input had errors but certificates were
//! decoded, 2 when nothing usable was decoded (unreadable file, refused or unrecognised input).

mod decode_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "netlens",
    version,
    about = "Diagnostics for people who build networked apps: decode certificates and chains",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode certificates: PEM (with any surrounding text), DER, base64, hex or PKCS#7.
    ///
    /// Prints every field a TLS diagnosis needs: names, validity, SANs, key, signature, key
    /// usages, key identifiers, AIA / CRL locations, embedded SCTs, all extensions, fingerprints
    /// and the SPKI SHA-256 pin used by NSPinnedDomains.
    Decode {
        /// Files to read; `-` reads standard input. Several files form one batch.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Print the report as JSON (the same schema as the JS API `decodeCertificates`).
        #[arg(long)]
        json: bool,
        /// Judge validity at this moment instead of now: RFC 3339, a date, or Unix seconds.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Decode { files, json, at } => decode_cmd::run(&files, json, at.as_deref()),
    }
}
