//! `netlens`: the command line over netlens' analysis cores, for CI pipelines and scripts.
//!
//! Same analysis as the web app (it calls the same `netlens-x509` and `netlens-chain`
//! functions), plain text for people and stable JSON (`--json`) for machines.

mod ats_cmd;
mod chain_cmd;
mod decode_cmd;
mod dnssd_cmd;
mod identity;
mod input;
mod limbo_cmd;
mod make_cmd;
mod pins_cmd;
mod probe_cmd;
mod quality_cmd;
mod quality_h2;
mod tls_cmd;
mod tls_connect;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "netlens",
    version,
    about = "Diagnostics for people who build networked apps: certificates, chains, DNS-SD and latency",
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
    /// and the SPKI SHA-256 pin used by NSPinnedDomains. Exit status: 0 when everything was
    /// read, 1 when some input had errors, 2 when nothing usable was decoded.
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
        /// A file whose first line is the password of the PKCS#12 files given (their
        /// certificates are decoded; the key is only compared with them, never shown).
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
    },
    /// Analyze the chain a server sends: will Apple platforms and strict TLS clients trust it?
    ///
    /// Builds each root store's path to a root it trusts (Apple's, Mozilla's, the Chrome Root
    /// Store's, plus --anchors), verifies every signature and applies RFC 5280, RFC 9525, CA/B
    /// Forum and Apple rules. The apple verdict anchors on Apple's store, rfc5280 on --store
    /// (Mozilla's by default); the trust matrix says which stores trust the chain and why not.
    /// Exit status: 0 when the apple verdict passes, 1 when it fails, 2 on unusable input.
    Chain(chain_cmd::ChainArgs),
    /// App Transport Security diagnostics for a live server, like `nscurl --ats-diagnostics`
    /// on any OS: will an iOS / macOS app connect, and if not, the least Info.plist exceptions.
    ///
    /// The server half: which of TLS 1.0–1.3 the server accepts, with ATS's forward-secret
    /// suites or without, tested by handshakes for each ATS configuration. The certificate
    /// half: the chain the server sends, analyzed as `netlens chain` does (the apple verdict).
    /// Prints the least NSExceptionDomains settings and the Info.plist fragment, with how to
    /// fix the server instead; --json gives `ats` (pass | fail), `exceptions`, `info_plist`,
    /// `server`, `certificate` and the whole `chain` report. Exit status: 0 when ATS connects
    /// with no exception, 1 when it does not, 2 when the server cannot be reached or does not
    /// speak TLS.
    ///
    /// With --info-plist, the app's own NSAppTransportSecurity dictionary is linted too, and
    /// the report says whether the app as configured connects and which of its exceptions the
    /// server no longer needs; without HOST, --info-plist only lints (exit 1 on an error
    /// finding).
    Ats(ats_cmd::AtsArgs),
    /// The SPKI SHA-256 pins of a chain, what to pin (a CA key with a backup) and the fragments
    /// to paste (NSPinnedDomains, Android, OkHttp, TrustKit); --check checks a pin set against
    /// the chain, and --next against the renewal.
    ///
    /// Exit status: 0 when the pins were listed, or the set matches the chain (and the
    /// renewal); 1 when it does not; 2 on unreadable input.
    Pins(pins_cmd::PinsArgs),
    /// TLS as an app meets it.
    Tls {
        #[command(subcommand)]
        command: TlsCommand,
    },
    /// List a compiled-in root store (apple, mozilla, chrome; all three without --store): every
    /// root's SHA-256, name, expiry and the store's constraints on it.
    Roots {
        /// The store to list.
        #[arg(long, value_name = "STORE", value_parser = chain_cmd::parse_store)]
        store: Option<netlens_chain::StoreId>,
        /// As JSON: {"store", "version", "source", "roots": [{"sha256", "subject", "not_after", "constraints"}]}.
        #[arg(long)]
        json: bool,
    },
    /// Print the rule catalog: every finding netlens can report.
    Rules {
        /// As JSON.
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// As a Markdown table.
        #[arg(long)]
        markdown: bool,
    },
    /// Run x509-limbo: read a limbo suite on stdin, write limbo results on stdout.
    Limbo,
    /// DNS-SD / Bonjour: check service types, instance names, full names, TXT records and
    /// Info.plist NSBonjourServices (RFC 6335, 6763, 6762 and what each implementation does).
    ///
    /// Exit status: 0 when there is no error finding, 1 when there is, 2 on unusable input.
    Dnssd {
        #[command(subcommand)]
        command: DnssdCommand,
    },
    /// Measure round trips to a WebSocket endpoint, as the browser's probe does.
    ///
    /// Echo mode (default) sends small binary probes the server returns unchanged; with
    /// --request and --match-field it sends a text request and matches JSON replies. Prints RTT
    /// percentiles, jitter, loss and connect time; --json gives `rtt_ms` {min, median, mean,
    /// p90, p99, max}, `loss` (fraction) and `connect_ms` with every other statistic. Exit
    /// status: 0 with replies, 1 when none came or the connection could not be restored, 2 when
    /// the endpoint cannot be reached at all or the arguments are invalid.
    Probe(probe_cmd::ProbeArgs),
    /// Responsiveness under working conditions, as networkQuality measures it: idle latency,
    /// then the path loaded with parallel bulk flows (download, upload, both) while self and
    /// foreign probes go on, then a cooldown.
    ///
    /// Against netlens-echo (or a server with its bulk protocol). Reports idle and loaded
    /// latency per direction (median, p90, p99), goodput, RPM as draft-ietf-ippm-responsiveness
    /// computes it with its confidence, and a bufferbloat grade. Exit status: 0 with an RPM, 1
    /// without one, 2 when the server cannot be reached or the arguments are invalid.
    Quality(quality_cmd::QualityArgs),
    /// Make a test CA and identities that iPhones, Macs and other clients trust (Apple's
    /// QA1948 / TN2326 recipe), checked by netlens' own chain analysis.
    ///
    /// Makes a root, a name-constrained intermediate and a server certificate for --name (and
    /// client identities, negative fixtures), writes PEM, DER, PKCS#8 keys, PKCS#12 (Apple
    /// compatible by default), a .mobileconfig carrying the root and a README.txt with the next
    /// steps per platform into --out. `netlens make serve DIR` serves the root's profile for a
    /// phone on the same network, with a QR code. Exit status: 0 when every check passed, 1
    /// when one did not (a name outside a given CA's constraints), 2 on bad input.
    Make(Box<make_cmd::MakeArgs>),
}

#[derive(Subcommand)]
enum TlsCommand {
    /// Explain TLS error codes and log lines: NSURLErrorDomain (-1200…-1206, -1022…),
    /// SecureTransport / kCFStreamErrorDomainSSL (-9800…-9890), errSec trust codes, NWError
    /// forms, trust evaluation checks, TLS alerts and CFNetwork / ATS / BoringSSL log lines.
    ///
    /// Paste a code, a name or a console excerpt; `-` reads standard input. Exit status: 0 when
    /// something was recognised, 1 when nothing was.
    Error {
        /// The text (several words are joined), or `-` for standard input.
        #[arg(value_name = "TEXT", required = true, allow_hyphen_values = true, num_args = 1..)]
        text: Vec<String>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum DnssdCommand {
    /// Browse mDNS on the local network, resolve each service and check what it really
    /// advertises (type, instance name, TXT record, host, port): one report per service.
    Browse {
        /// The service type to browse (`_ipp._tcp`); every type on the link when absent.
        #[arg(value_name = "TYPE")]
        service_type: Option<String>,
        /// Seconds to listen (at most 60).
        #[arg(long, default_value_t = 3.0)]
        timeout: f64,
        /// The IPv4 address of the interface to ask on (default: the system's route for
        /// 224.0.0.251).
        #[arg(long, value_name = "ADDRESS")]
        interface: Option<std::net::Ipv4Addr>,
        /// Print the reports as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check a service type: `_ipp._tcp`, `_printer._sub._http._tcp`, `_http._tcp,_printer`.
    Type {
        /// The service type.
        #[arg(value_name = "TYPE", allow_hyphen_values = true)]
        service_type: String,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check an instance name given as plain text (no escapes).
    Instance {
        /// The instance name.
        #[arg(value_name = "NAME", allow_hyphen_values = true)]
        name: String,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check a full service instance name: `My\032Printer._ipp._tcp.local.`.
    Name {
        /// The full name, escaped (`\.`, `\\`, `\DDD`).
        #[arg(value_name = "FULLNAME", allow_hyphen_values = true)]
        name: String,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check a TXT record pasted in any supported format.
    Txt {
        /// Input format: auto, kv (key=value lines), hex, base64, dns-sd (`dns-sd -L`),
        /// dns-sd-zone (`dns-sd -Z`), avahi (`avahi-browse -r`), avahi-rp (`avahi-browse -rp`/`-rpk`),
        /// dig (dig / zone file), zeroconf (python-zeroconf's ServiceInfo repr, properties,
        /// decoded_properties or text).
        #[arg(long, default_value = "auto", value_name = "FORMAT")]
        format: String,
        /// File to read; `-` reads standard input.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Instance name for the generated commands and code (left at the default, the one the
        /// paste names).
        #[arg(long, default_value = "My Service")]
        instance: String,
        /// Service type for the generated commands and code (left at the default, the paste's).
        #[arg(long = "type", default_value = "_example._tcp", value_name = "TYPE")]
        service_type: String,
        /// Port for the generated commands and code (left at the default, the paste's).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check an Info.plist (or a list of types) for NSBonjourServices, and print the fixed fragment.
    Plist {
        /// Info.plist, a fragment of it, or types one per line; `-` reads standard input.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// A service type the app browses for or registers. Repeatable.
        #[arg(long = "uses", value_name = "TYPE")]
        uses: Vec<String>,
        /// The app's Multipeer Connectivity service type (`my-game`).
        #[arg(long, value_name = "NAME")]
        multipeer: Option<String>,
        /// Text for NSLocalNetworkUsageDescription in the generated fragment.
        #[arg(long, default_value = "")]
        usage: String,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Explain a DNS-SD or NSNetService error code (-65555, -65570, -72008, ...).
    Error {
        /// The code.
        #[arg(value_name = "CODE", allow_hyphen_values = true)]
        code: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the DNS-SD rule catalog.
    Rules {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Decode {
            files,
            json,
            at,
            password_file,
        } => decode_cmd::run(&files, json, at.as_deref(), password_file.as_deref()),
        Command::Chain(args) => chain_cmd::run(args),
        Command::Ats(args) => ats_cmd::run(args),
        Command::Pins(args) => pins_cmd::run(args),
        Command::Tls { command } => match command {
            TlsCommand::Error { mut text, json } => {
                // Codes start with `-`, so the text takes hyphen values: a trailing --json
                // lands in it and is the flag.
                let flagged = text.last().is_some_and(|w| w == "--json");
                if flagged {
                    text.pop();
                }
                tls_cmd::error(&text, json || flagged)
            }
        },
        Command::Rules { json, markdown } => chain_cmd::rules(json, markdown),
        Command::Roots { store, json } => chain_cmd::roots(store, json),
        Command::Limbo => limbo_cmd::run(),
        Command::Probe(args) => probe_cmd::run(args),
        Command::Quality(args) => quality_cmd::run(args),
        Command::Make(args) => make_cmd::run(*args),
        Command::Dnssd { command } => match command {
            DnssdCommand::Type { service_type, json } => {
                dnssd_cmd::service_type(&service_type, json)
            }
            DnssdCommand::Instance { name, json } => dnssd_cmd::instance(&name, json),
            DnssdCommand::Name { name, json } => dnssd_cmd::name(&name, json),
            DnssdCommand::Txt {
                format,
                file,
                instance,
                service_type,
                port,
                json,
            } => {
                let context = netlens_dnssd::ServiceContext {
                    instance,
                    service_type,
                    port,
                    ..netlens_dnssd::ServiceContext::default()
                };
                dnssd_cmd::txt(&file, Some(&format), context, json)
            }
            DnssdCommand::Plist {
                file,
                uses,
                multipeer,
                usage,
                json,
            } => dnssd_cmd::plist(&file, &uses, multipeer.as_deref(), &usage, json),
            DnssdCommand::Error { code, json } => dnssd_cmd::error(&code, json),
            DnssdCommand::Rules { json } => dnssd_cmd::rules(json),
            DnssdCommand::Browse {
                service_type,
                timeout,
                interface,
                json,
            } => dnssd_cmd::browse(service_type.as_deref(), timeout, interface, json),
        },
    }
}
