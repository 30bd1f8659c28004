//! `netlens make`: a test CA and identities that clients trust, written into a folder; and
//! `netlens make serve DIR`: the root's profile served for a phone on the same network.
//!
//! Everything is made by `netlens_make` (keys and signatures with RustCrypto, the checks by
//! netlens' own chain analysis); this shell reads the options and files, draws randomness from
//! the operating system, writes the files (keys readable by their owner only) and prints.

use std::collections::BTreeMap;
use std::io::{BufRead as _, Read as _, Write as _};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use netlens_make::bundle::{self, FileKind};
use netlens_make::rustcrypto::{self, GivenCa};
use netlens_make::{
    Fixture, KeyType, Pkcs12Format, Placement, PrivateKey, Profile, Request, Role, guide, names,
};
use serde::Serialize;

use crate::input;

/// `netlens make`.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct MakeArgs {
    #[command(subcommand)]
    command: Option<MakeCommand>,
    #[command(flatten)]
    options: MakeOptions,
}

#[derive(Subcommand)]
enum MakeCommand {
    /// Serve a folder's root.mobileconfig, root.cer and root.pem over HTTP, for a phone on the
    /// same network to open; prints the address and a QR code of it. Ctrl-C stops it.
    Serve {
        /// The folder `netlens make --out` wrote.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Address and port to listen on (0.0.0.0:8000: every interface).
        #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:8000")]
        listen: String,
    },
}

#[derive(Args)]
struct MakeOptions {
    /// A name clients reach the server by: a DNS name, a .local name (no trailing dot), an IP
    /// address, a URL. Repeatable; commas separate names too.
    #[arg(long = "name", value_name = "NAME")]
    names: Vec<String>,
    /// The folder to write into (created if missing; files already there are not replaced).
    #[arg(long, value_name = "DIR", required = true)]
    out: Option<PathBuf>,
    /// The server's and clients' key type: p256, p384, rsa2048, rsa3072, rsa4096, ed25519.
    #[arg(long, value_name = "TYPE", default_value = "p256")]
    key_type: String,
    /// The test CA's key type: p256, p384, rsa2048, rsa3072, rsa4096.
    #[arg(long, value_name = "TYPE", default_value = "p256")]
    ca_key_type: String,
    /// Days the server and client certificates are valid (Apple accepts at most 825).
    #[arg(long, default_value_t = netlens_make::request::DEFAULT_DAYS)]
    days: u32,
    /// Days the test CA is valid.
    #[arg(long, default_value_t = netlens_make::request::DEFAULT_CA_DAYS)]
    ca_days: u32,
    /// The test CA's common name (default: "netlens Test CA" and 8 hex digits of its key).
    #[arg(long, value_name = "NAME")]
    ca_name: Option<String>,
    /// Where the name constraints go: intermediate (default), root (the root too), none.
    #[arg(long, value_name = "WHERE", default_value = "intermediate")]
    constraints: String,
    /// apple (at most 825 days, the default) or any (up to ten years; iOS and macOS refuse
    /// more than 825).
    #[arg(long, default_value = "apple")]
    profile: String,
    /// PKCS#12 encryption: apple (3DES and a SHA-1 MAC, which every Apple release imports) or
    /// modern (AES-256 and a SHA-256 MAC).
    #[arg(long, value_name = "FORMAT", default_value = "apple")]
    pkcs12: String,
    /// Issue from this CA certificate (PEM or DER, with the chain above it up to the root)
    /// instead of making a new CA. Needs --ca-key.
    #[arg(long, value_name = "FILE", requires = "ca_key")]
    ca_cert: Option<PathBuf>,
    /// The key of --ca-cert (PKCS#8, EC or RSA PEM, unencrypted).
    #[arg(long, value_name = "FILE", requires = "ca_cert")]
    ca_key: Option<PathBuf>,
    /// A client identity for mutual TLS (the certificate's common name). Repeatable.
    #[arg(long = "client", value_name = "NAME")]
    clients: Vec<String>,
    /// A file whose first line is the PKCS#12 password (default: one is made up and printed).
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// A certificate that is wrong on purpose: expired, not-yet-valid, wrong-host,
    /// missing-intermediate, over-825-days, sha1-signed, no-serverauth, or all. Repeatable.
    #[arg(long = "fixture", value_name = "ID")]
    fixtures: Vec<String>,
    /// Use the private keys in this folder where present (root-key.pem, ca-key.pem,
    /// server-key.pem, client-NAME-key.pem) instead of making new ones: re-issue with the same
    /// keys, so SPKI pins stay valid.
    #[arg(long, value_name = "DIR")]
    keys: Option<PathBuf>,
    /// Issue at this moment instead of now: RFC 3339, a date, or Unix seconds.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Print what was made as JSON: {"ca", "names", "notes", "constraints", "files", "checks",
    /// "password" (when made up)}.
    #[arg(long)]
    json: bool,
}

/// Runs `netlens make` or `netlens make serve`.
pub fn run(args: MakeArgs) -> ExitCode {
    match args.command {
        Some(MakeCommand::Serve { dir, listen }) => serve(&dir, &listen),
        None => make(args.options),
    }
}

fn refuse(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("netlens: {message}");
    ExitCode::from(2)
}

/// A file's bytes (at most the input limit, as every command reads), or exit status 2.
fn read_small(path: &Path, what: &str) -> Result<Vec<u8>, ExitCode> {
    input::read_input(path)
        .map(|(bytes, _)| bytes)
        .map_err(|e| refuse(format!("cannot read the {what} {}: {e}.", path.display())))
}

fn parse_request(o: &MakeOptions) -> Result<Request, ExitCode> {
    let key_type = |id: &str, flag: &str| {
        KeyType::from_id(id).ok_or_else(|| {
            refuse(format!(
                "{flag} {id:?} is not a key type: use p256, p384, rsa2048, rsa3072, rsa4096 or ed25519."
            ))
        })
    };
    let mut fixtures = Vec::new();
    for id in o.fixtures.iter().flat_map(|f| f.split(',')) {
        if id.trim() == "all" {
            fixtures.extend(Fixture::ALL);
            continue;
        }
        fixtures.push(Fixture::from_id(id.trim()).ok_or_else(|| {
            let ids: Vec<&str> = Fixture::ALL.iter().map(|f| f.as_str()).collect();
            refuse(format!(
                "--fixture {id:?} is not a fixture: use {} or all.",
                ids.join(", ")
            ))
        })?);
    }
    Ok(Request {
        names: o.names.iter().flat_map(|n| names::split(n)).collect(),
        key_type: key_type(&o.key_type, "--key-type")?,
        ca_key_type: key_type(&o.ca_key_type, "--ca-key-type")?,
        days: o.days,
        ca_days: o.ca_days,
        ca_name: o.ca_name.clone(),
        constraints: Placement::from_id(&o.constraints).ok_or_else(|| {
            refuse(format!(
                "--constraints {:?} is not a placement: use intermediate, root or none.",
                o.constraints
            ))
        })?,
        clients: o.clients.clone(),
        fixtures,
        profile: Profile::from_id(&o.profile).ok_or_else(|| {
            refuse(format!(
                "--profile {:?} is not a profile: use apple or any.",
                o.profile
            ))
        })?,
        pkcs12: Pkcs12Format::from_id(&o.pkcs12).ok_or_else(|| {
            refuse(format!(
                "--pkcs12 {:?} is not a format: use apple or modern.",
                o.pkcs12
            ))
        })?,
    })
}

/// Keys from `--keys DIR`, by role: the files this command writes (and root-key.pem).
fn given_keys(dir: &Path, request: &Request) -> Result<BTreeMap<Role, PrivateKey>, ExitCode> {
    let mut stems = vec![
        (Role::Root, "root".to_owned()),
        (Role::Ca, "ca".to_owned()),
        (Role::Server, "server".to_owned()),
    ];
    let clients: Vec<String> = request
        .clients
        .iter()
        .filter(|c| !c.trim().is_empty())
        .cloned()
        .collect();
    for (i, stem) in bundle::client_stems(&clients).into_iter().enumerate() {
        stems.push((Role::Client(i), stem));
    }
    let mut keys = BTreeMap::new();
    for (role, stem) in stems {
        let path = dir.join(format!("{stem}-key.pem"));
        if !path.exists() {
            continue;
        }
        let bytes = read_small(&path, "key")?;
        let key =
            PrivateKey::parse(&bytes).map_err(|e| refuse(format!("{}: {e}", path.display())))?;
        keys.insert(role, key);
    }
    Ok(keys)
}

#[derive(Serialize)]
struct FileJson<'a> {
    path: &'a str,
    kind: FileKind,
    description: &'a str,
}

#[derive(Serialize)]
struct MadeJson<'a> {
    ca: String,
    names: Vec<String>,
    notes: &'a [String],
    constraints: Option<String>,
    files: Vec<FileJson<'a>>,
    checks: &'a [netlens_make::checks::Outcome],
    /// The PKCS#12 password, when netlens made it up.
    password: Option<&'a str>,
}

fn make(o: MakeOptions) -> ExitCode {
    let Some(out) = o.out.clone() else {
        return refuse("--out DIR is required: the folder to write the certificates into.");
    };
    let request = match parse_request(&o) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let Some(at) = input::resolve_time(o.at.as_deref()) else {
        return ExitCode::from(2);
    };
    let password = match &o.password_file {
        Some(path) => match read_small(path, "password file") {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let first = text.lines().next().unwrap_or_default().to_owned();
                if first.is_empty() {
                    return refuse(format!(
                        "the password file {} is empty: Apple's importers refuse a PKCS#12 file without a password.",
                        path.display()
                    ));
                }
                Some(first)
            }
            Err(code) => return code,
        },
        None => None,
    };
    let keys = match &o.keys {
        Some(dir) => match given_keys(dir, &request) {
            Ok(k) => k,
            Err(code) => return code,
        },
        None => BTreeMap::new(),
    };
    let ca_bytes;
    let ca = match (&o.ca_cert, &o.ca_key) {
        (Some(cert), Some(key)) => {
            ca_bytes = match read_small(cert, "CA certificate") {
                Ok(b) => b,
                Err(code) => return code,
            };
            let key_bytes = match read_small(key, "CA key") {
                Ok(b) => b,
                Err(code) => return code,
            };
            match PrivateKey::parse(&key_bytes) {
                Ok(key) => Some(GivenCa {
                    certificates: &ca_bytes,
                    key,
                }),
                Err(e) => return refuse(format!("{}: {e}", key.display())),
            }
        }
        _ => None,
    };
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    let made = match rustcrypto::make(request, at, ca, keys, password.as_deref(), &mut rng) {
        Ok(m) => m,
        Err(e) => return refuse(e),
    };

    if let Err(e) = write_files(&out, &made.files) {
        return refuse(e);
    }

    let label = made.ca_label.clone();
    let constraints = made.constraints();
    let all_passed = made.all_passed();
    if o.json {
        let json = MadeJson {
            ca: label,
            names: made.plan.names.iter().map(ToString::to_string).collect(),
            notes: &made.plan.notes,
            constraints,
            files: made
                .files
                .iter()
                .map(|f| FileJson {
                    path: &f.path,
                    kind: f.kind,
                    description: &f.description,
                })
                .collect(),
            checks: &made.outcomes,
            password: made.password_generated.then_some(made.password.as_str()),
        };
        match serde_json::to_string_pretty(&json) {
            Ok(text) => println!("{text}"),
            Err(e) => return refuse(format!("cannot encode the report: {e}")),
        }
    } else {
        print_text(&made, &label, constraints.as_deref(), &out);
    }
    if all_passed {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "netlens: not everything came out as it should (FAIL above): the files were written for you to inspect, not to deploy."
        );
        ExitCode::from(1)
    }
}

fn print_text(made: &rustcrypto::Made, label: &str, constraints: Option<&str>, out: &Path) {
    let plan = &made.plan;
    let what = match &plan.issuer {
        netlens_make::request::Issuer::New { .. } => format!(
            "a test CA \"{label}\" ({} root, then an intermediate{})",
            plan.request.ca_key_type,
            match constraints {
                Some(c) => format!(" that may issue only for {c}"),
                None => String::new(),
            }
        ),
        netlens_make::request::Issuer::Existing(ca) => {
            format!("certificates from your CA \"{}\"", ca.label)
        }
    };
    println!("Made {what}.");
    for note in &plan.notes {
        print!("{}", guide::wrap(note, 96, "Note: ", "      "));
    }
    println!("\nChecked by netlens' chain analysis, anchored on {label} alone:");
    for o in &made.outcomes {
        let mark = if o.passed { "ok  " } else { "FAIL" };
        print!(
            "{}",
            guide::wrap(&o.summary, 96, &format!("  {mark} "), "       ")
        );
    }
    println!("\nFiles in {}:", out.display());
    for f in &made.files {
        print!(
            "{}",
            guide::wrap(&format!("{}: {}", f.path, f.description), 96, "  ", "    ")
        );
    }
    if made.files.iter().any(|f| f.kind == FileKind::Pkcs12) {
        if made.password_generated {
            println!(
                "\nPKCS#12 password: {}  (made up for you and not written to any file; give --password-file to choose one)",
                made.password.as_str()
            );
        } else {
            println!("\nThe PKCS#12 files are protected by the password from --password-file.");
        }
    }
    println!(
        "\nNext: install root.mobileconfig on each test device (`netlens make serve {}` serves it with a QR code),\n\
         then switch on full trust in Settings › General › About › Certificate Trust Settings.\n\
         README.txt has the steps for iPhone, Apple Watch, Mac, the Simulator, Android, Firefox and servers.",
        out.display()
    );
}

/// Writes the files under `dir`, refusing to replace any: keys are not overwritten by accident.
fn write_files(dir: &Path, files: &[bundle::OutputFile]) -> Result<(), String> {
    for f in files {
        let path = dir.join(&f.path);
        if path.exists() {
            return Err(format!(
                "{} already exists: netlens does not replace files (keys among them). Choose another --out folder or remove it.",
                path.display()
            ));
        }
    }
    for f in files {
        let path = dir.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(if f.kind.private() { 0o600 } else { 0o644 });
        }
        options
            .open(&path)
            .and_then(|mut file| file.write_all(&f.bytes))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// The files `make serve` offers: public ones only (identities go by AirDrop or cable).
const SERVED: &[(&str, &str)] = &[
    (
        "root.mobileconfig",
        netlens_make::mobileconfig::CONTENT_TYPE,
    ),
    ("root.cer", "application/x-x509-ca-cert"),
    ("root.pem", "application/x-pem-file"),
];

/// The address a phone reaches this machine by: the listen address, or for 0.0.0.0 the
/// address of the interface that routes to the LAN (found without sending anything).
fn reachable(listen: SocketAddr) -> IpAddr {
    if !listen.ip().is_unspecified() {
        return listen.ip();
    }
    std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
        .and_then(|s| s.local_addr())
        .map(|a| a.ip())
        .unwrap_or(listen.ip())
}

fn serve(dir: &Path, listen: &str) -> ExitCode {
    let mut files: Vec<(&str, &str, Vec<u8>)> = Vec::new();
    for (name, content_type) in SERVED {
        match std::fs::read(dir.join(name)) {
            Ok(bytes) => files.push((name, content_type, bytes)),
            Err(e) => {
                return refuse(format!(
                    "cannot read {}: {e}. Serve a folder `netlens make --out` wrote.",
                    dir.join(name).display()
                ));
            }
        }
    }
    let listener = match TcpListener::bind(listen) {
        Ok(l) => l,
        Err(e) => return refuse(format!("cannot listen on {listen}: {e}.")),
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => return refuse(format!("cannot listen on {listen}: {e}.")),
    };
    let ip = reachable(addr);
    let host = match ip {
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    };
    let base = format!("http://{host}:{}/", addr.port());
    let profile_url = format!("{base}root.mobileconfig");
    println!(
        "Serving the test CA's root from {} on {base}",
        dir.display()
    );
    println!("On the phone, open {profile_url} in Safari (or scan this code with the Camera):");
    match qr(
        &profile_url,
        std::io::IsTerminal::is_terminal(&std::io::stdout()),
    ) {
        Some(code) => print!("{code}"),
        None => println!("(the address is too long for a QR code)"),
    }
    println!(
        "Then: Settings › Profile Downloaded › Install, and Settings › General › About › Certificate Trust Settings."
    );
    println!("Ctrl-C stops the server.");
    let _ = std::io::stdout().flush();
    let index = index_page(&files);
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        handle(stream, &files, &index);
    }
    ExitCode::SUCCESS
}

fn index_page(files: &[(&str, &str, Vec<u8>)]) -> String {
    let links: String = files
        .iter()
        .map(|(name, _, _)| format!("<li><a href=\"/{name}\">{name}</a></li>"))
        .collect();
    format!(
        "<!doctype html><meta charset=utf-8><meta name=viewport content=\"width=device-width\">\
         <title>netlens test CA</title><h1>Install the test CA</h1>\
         <p>On an iPhone or iPad: open <a href=\"/root.mobileconfig\">root.mobileconfig</a>, allow \
         the download, then Settings › Profile Downloaded › Install, and switch on full trust in \
         Settings › General › About › Certificate Trust Settings.</p><ul>{links}</ul>"
    )
}

/// Answers one request: GET or HEAD of `/` or a served file, 404 otherwise. Bounded: a request
/// head of at most 8 KiB, 10 seconds to send it.
fn handle(stream: TcpStream, files: &[(&str, &str, Vec<u8>)], index: &str) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let peer = stream
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let mut reader = std::io::BufReader::new(stream.take(8192));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // Read the rest of the head, so the client does not see a reset.
    let mut header = String::new();
    while reader
        .read_line(&mut header)
        .map(|n| n > 2)
        .unwrap_or(false)
    {
        header.clear();
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let path = target.split('?').next().unwrap_or_default();
    let (status, content_type, body): (&str, &str, &[u8]) = if method != "GET" && method != "HEAD" {
        ("405 Method Not Allowed", "text/plain", b"GET only\n")
    } else if path == "/" {
        ("200 OK", "text/html; charset=utf-8", index.as_bytes())
    } else if let Some((_, ct, bytes)) = files
        .iter()
        .find(|(name, _, _)| path.strip_prefix('/') == Some(*name))
    {
        ("200 OK", *ct, bytes.as_slice())
    } else {
        ("404 Not Found", "text/plain", b"not found\n")
    };
    println!(
        "{method} {path} from {peer}: {}",
        status.split(' ').next().unwrap_or_default()
    );
    let _ = std::io::stdout().flush();
    let mut stream = reader.into_inner().into_inner();
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    if method != "HEAD" {
        let _ = stream.write_all(body);
    }
}

/// `text` as a QR code for a terminal: two modules per character (upper and lower half
/// blocks) with the quiet zone. On a terminal (`ansi`), dark modules are drawn black on a
/// white background, so the code reads the right way round whatever the terminal's colours;
/// piped, light modules are drawn (dark terminals are the common case) and no escape code is
/// written.
fn qr(text: &str, ansi: bool) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let dark = |x: isize, y: isize| {
        x >= 0
            && y >= 0
            && (x as usize) < width
            && (y as usize) < width
            && colors[y as usize * width + x as usize] == qrcode::Color::Dark
    };
    let quiet = 2isize;
    let size = width as isize;
    let mut out = String::new();
    let mut y = -quiet;
    while y < size + quiet {
        if ansi {
            out.push_str("\x1b[30;107m");
        }
        for x in -quiet..size + quiet {
            // The drawn colour: dark modules on a white background, light ones otherwise.
            let (top, bottom) = if ansi {
                (dark(x, y), dark(x, y + 1))
            } else {
                (!dark(x, y), !dark(x, y + 1))
            };
            out.push(match (top, bottom) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        if ansi {
            out.push_str("\x1b[0m");
        }
        out.push('\n');
        y += 2;
    }
    Some(out)
}
