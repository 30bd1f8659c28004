//! `netlens chain`: analyze a chain; `netlens rules`: print the rule catalog.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use netlens_chain::{Analysis, Analyzer, Options, Severity, StoreId};

use crate::input::{read_input, resolve_time};

/// Options of `netlens chain`.
#[derive(clap::Args)]
pub struct ChainArgs {
    /// Chain files (certificates and CRLs, any format, any order); `-` reads standard input.
    #[arg(required_unless_present = "connect", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Connect to HOST[:PORT] (443 by default) over TLS and analyze the chain the server sends,
    /// exactly as sent; the report adds the protocol version, cipher suite, key exchange group
    /// and ALPN negotiated.
    #[arg(long, value_name = "HOST[:PORT]")]
    pub connect: Option<String>,
    /// The name to send as SNI with --connect (default: HOST, unless it is an address).
    #[arg(long, value_name = "NAME", requires = "connect")]
    pub sni: Option<String>,
    /// Seconds to wait for --connect (at most 120).
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    pub timeout: f64,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// Print the report as JSON.
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Print the report as Markdown.
    #[arg(long)]
    pub markdown: bool,
}

/// PKCS#12 passwords and the client identity a live connection presents: shared by `netlens
/// chain` and `netlens ats`.
#[derive(clap::Args)]
pub struct IdentityArgs {
    /// A file whose first line is the password of the PKCS#12 files given (chain files ending
    /// in .p12/.pfx, or --client-identity). Never on the command line, where `ps` shows it.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// With a live server: present this client identity (PKCS#12, with --password-file) when
    /// it asks for a client certificate, and analyze its chain as a client certificate.
    #[arg(long, value_name = "FILE.p12")]
    pub client_identity: Option<PathBuf>,
    /// With a live server: present this client certificate (PEM: the leaf, then the
    /// intermediates to send), with --client-key.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "client_identity",
        requires = "client_key"
    )]
    pub client_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM, PKCS#8 or SEC1/PKCS#1).
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    pub client_key: Option<PathBuf>,
}

impl IdentityArgs {
    /// The client identity to present, if one was given. `Err` after saying why (exit 2).
    pub fn client(&self) -> Result<Option<crate::identity::ClientIdentity>, ExitCode> {
        crate::identity::client_identity(
            self.client_identity.as_deref(),
            self.password_file.as_deref(),
            self.client_cert.as_deref(),
            self.client_key.as_deref(),
        )
        .map_err(|why| {
            eprintln!("netlens: {why}.");
            ExitCode::from(2)
        })
    }
}

/// The client identity's side of mutual TLS: its chain analyzed as a client certificate (with
/// the user's anchors), the certificates it sends, and whether they reach a CA the server lists.
#[derive(serde::Serialize)]
pub struct ClientReport {
    /// Where the identity came from.
    pub source: String,
    /// The certificates the client sends (labels, leaf first).
    pub sends: Vec<String>,
    /// The chain reaches one of the server's acceptable CAs (`None`: the server listed none,
    /// or did not ask).
    pub reaches_acceptable_ca: Option<bool>,
    /// That, in a sentence.
    pub acceptable_ca_sentence: Option<String>,
    /// The chain's analysis as a client certificate.
    pub analysis: Analysis,
}

/// Analyzes `identity`'s chain as a client certificate with `args`' anchors and stores, and
/// compares it with the CAs `auth` lists.
pub fn client_report(
    args: &AnalysisArgs,
    identity: &crate::identity::ClientIdentity,
    auth: Option<&crate::tls_connect::ClientAuth>,
) -> Result<ClientReport, ExitCode> {
    let mut analyzer = analyzer(args, None, None, Some(netlens_chain::Purpose::ClientAuth))?;
    for der in &identity.chain {
        analyzer.add_chain(der, Some(&identity.source));
    }
    let analysis = analyzer.analyze();
    let names: Vec<&[u8]> = identity
        .chain
        .iter()
        .filter_map(|c| netlens_x509::der_scan::certificate_parts(c))
        .flat_map(|p| [p.issuer, p.subject])
        .collect();
    let (reaches, sentence) = match auth.filter(|a| !a.acceptable_ca_names.is_empty()) {
        Some(a) => {
            let hit = a
                .acceptable_ca_names
                .iter()
                .position(|n| names.contains(&n.as_slice()));
            match hit {
                Some(i) => (
                    Some(true),
                    Some(format!(
                        "The client chain reaches {}, which the server lists as acceptable.",
                        a.acceptable_cas[i]
                    )),
                ),
                None => (
                    Some(false),
                    Some(format!(
                        "No certificate of the client chain was issued by the {} CA(s) the server lists ({}): Safari and \
                         URLSession offer only identities whose chain reaches one of them, and the server will refuse it.",
                        a.acceptable_cas.len(),
                        a.acceptable_cas.join("; ")
                    )),
                ),
            }
        }
        None => (None, None),
    };
    Ok(ClientReport {
        source: identity.source.clone(),
        sends: analysis
            .chain_as_sent
            .iter()
            .map(|c| c.label.clone())
            .collect(),
        reaches_acceptable_ca: reaches,
        acceptable_ca_sentence: sentence,
        analysis,
    })
}

/// Mutual TLS in words: what the server asked for, what became of the identity, and the
/// client chain's verdicts.
pub fn describe_client(
    auth: Option<&crate::tls_connect::ClientAuth>,
    client: Option<&ClientReport>,
) -> String {
    let mut out = String::new();
    if let Some(a) = auth {
        if a.requested {
            let _ = writeln!(
                out,
                "Client certificate: the server asks for one; acceptable CAs: {}; signature schemes: {}.",
                if a.acceptable_cas.is_empty() {
                    "any".to_owned()
                } else {
                    a.acceptable_cas.join("; ")
                },
                a.signature_schemes.join(", ")
            );
        }
        let outcome = match &a.presented {
            Some(p) => format!("Presented {p}: {}", a.outcome),
            None => {
                let mut chars = a.outcome.chars();
                chars
                    .next()
                    .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
            }
        };
        let _ = writeln!(out, "{outcome}.");
    }
    if let Some(c) = client {
        let verdict = |p: netlens_chain::Profile| {
            c.analysis.verdicts.get(&p).map_or("?", |v| {
                if *v == netlens_chain::report::Verdict::Pass {
                    "PASS"
                } else {
                    "FAIL"
                }
            })
        };
        let _ = writeln!(
            out,
            "The client chain ({}; sends {}): as a client certificate, apple {}, rfc5280 {}{}",
            c.source,
            c.sends.join(", "),
            verdict(netlens_chain::Profile::Apple),
            verdict(netlens_chain::Profile::Rfc5280),
            c.acceptable_ca_sentence
                .as_ref()
                .map(|s| format!(". {s}"))
                .unwrap_or_else(|| ".".into())
        );
        for f in c
            .analysis
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Info)
        {
            let _ = writeln!(out, "  {}: {}", f.rule, f.message);
        }
    }
    out
}

/// What the analysis trusts and judges: shared by `netlens chain` and `netlens ats`.
#[derive(clap::Args)]
pub struct AnalysisArgs {
    /// Host name or IP address clients connect to (a URL works too); for a live server, the SNI
    /// name by default.
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// Validate at this moment instead of now: RFC 3339, a date, or Unix seconds.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Extra trust anchors (a private CA, roots exported from a Mac). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub anchors: Vec<PathBuf>,
    /// Apple's CT log list (log_list.json) to judge Certificate Transparency with, in place of
    /// the compiled-in one (a newer list, or an older one a device may still have).
    #[arg(long, value_name = "FILE")]
    pub ct_log_list: Option<PathBuf>,
    /// What the leaf is for: `server` (TLS server authentication, the default) or `client`
    /// (a client certificate: clientAuth EKU, the client rules).
    #[arg(long, default_value = "server", value_name = "PURPOSE", value_parser = parse_purpose)]
    pub purpose: netlens_chain::Purpose,
    /// Do not trust the compiled-in root stores (only --anchors).
    #[arg(long)]
    pub no_builtin_roots: bool,
    /// The root store the rfc5280 verdict anchors on: apple, mozilla or chrome (the apple
    /// verdict always uses Apple's; the trust matrix covers every store).
    #[arg(long, default_value = "mozilla", value_name = "STORE", value_parser = parse_store)]
    pub store: StoreId,
    /// The --anchors are public roots (e.g. exported from macOS System Roots): apply Apple's
    /// rules for preinstalled roots (398 days, Certificate Transparency) to chains ending there.
    #[arg(long)]
    pub anchors_are_public: bool,
}

/// One line: what `--connect` negotiated and received.
/// The JSON report of an analysis; from a live server (`--connect`, `ats`) it also carries what
/// the connection negotiated, as `connection`, beside the analysis.
pub fn report_json<T: serde::Serialize>(
    analysis: &T,
    connection: Option<&crate::tls_connect::Connection>,
    extra: &[(&str, serde_json::Value)],
) -> serde_json::Value {
    let mut value = serde_json::to_value(analysis).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        if let Some(c) = connection {
            object.insert(
                "connection".into(),
                serde_json::to_value(c).unwrap_or_default(),
            );
        }
        for (key, extra) in extra {
            object.insert((*key).into(), extra.clone());
        }
    }
    value
}

fn describe_connection(c: &crate::tls_connect::Connection) -> String {
    format!(
        "Connected to {}{}: {}, {}{}{}; the server sent {} certificate{}.",
        c.endpoint,
        c.sni
            .as_ref()
            .map_or(String::new(), |s| format!(" (SNI {s})")),
        c.protocol_version,
        c.cipher_suite,
        c.key_exchange_group
            .as_ref()
            .map_or(String::new(), |g| format!(", {g}")),
        c.alpn
            .as_ref()
            .map_or(String::new(), |a| format!(", ALPN {a}")),
        c.certificates_sent,
        if c.certificates_sent == 1 { "" } else { "s" }
    ) + &c
        .read_in_the_clear
        .as_ref()
        .map_or(String::new(), |why| format!(" ({why}.)"))
}

/// A purpose for clap.
fn parse_purpose(text: &str) -> Result<netlens_chain::Purpose, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "server" | "serverauth" => Ok(netlens_chain::Purpose::ServerAuth),
        "client" | "clientauth" => Ok(netlens_chain::Purpose::ClientAuth),
        other => Err(format!("{other:?} is not a purpose: use server or client")),
    }
}

/// A store id for clap.
pub fn parse_store(id: &str) -> Result<StoreId, String> {
    StoreId::parse(id).ok_or_else(|| {
        format!(
            "unknown store {id:?}; the stores are {}",
            StoreId::ALL.map(StoreId::id).join(", ")
        )
    })
}

/// An analyzer set up from `args`: the moment, the stores, the anchors, the CT log list, and
/// the host (`--host`, else `default_host`: the name connected to). `negotiated` is what a live
/// connection agreed on. `Err` after saying why on stderr (exit 2).
pub fn analyzer(
    args: &AnalysisArgs,
    default_host: Option<&str>,
    negotiated: Option<netlens_chain::Negotiated>,
    purpose: Option<netlens_chain::Purpose>,
) -> Result<Analyzer, ExitCode> {
    let now = resolve_time(args.at.as_deref()).ok_or(ExitCode::from(2))?;
    let mut options = Options::at(now);
    options.builtin_roots = !args.no_builtin_roots;
    options.anchors_are_public = args.anchors_are_public;
    options.purpose = purpose.unwrap_or(args.purpose);
    options.strict_store = args.store;
    options.negotiated = negotiated;
    match (&args.host, default_host) {
        (Some(host), _) => match netlens_chain::names::parse_host(host) {
            Ok(h) => options.host = Some(h),
            Err(e) => {
                eprintln!("netlens: --host: {e}");
                return Err(ExitCode::from(2));
            }
        },
        (None, Some(host)) => options.host = netlens_chain::names::parse_host(host).ok(),
        (None, None) => {}
    }
    let mut analyzer = Analyzer::new(options);
    for path in &args.anchors {
        match read_input(path) {
            Ok((bytes, name)) => analyzer.add_anchors(&bytes, name.as_deref()),
            Err(e) => {
                eprintln!("netlens: cannot read anchors {}: {e}", path.display());
                return Err(ExitCode::from(2));
            }
        }
    }
    if let Some(path) = &args.ct_log_list {
        let loaded = std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|json| analyzer.set_ct_log_list(&json).map_err(|e| e.to_string()));
        if let Err(e) = loaded {
            eprintln!("netlens: --ct-log-list {}: {e}", path.display());
            return Err(ExitCode::from(2));
        }
    }
    Ok(analyzer)
}

/// Runs `netlens chain`. Exit: 0 when the apple verdict passes, 1 when it fails, 2 on bad input.
pub fn run(args: ChainArgs) -> ExitCode {
    let identity = match args.identity.client() {
        Ok(identity) => identity,
        Err(code) => return code,
    };
    if identity.is_some() && args.connect.is_none() {
        eprintln!(
            "netlens: --client-identity and --client-cert go with --connect (a live server to present them to)."
        );
        return ExitCode::from(2);
    }
    // --connect: the server's chain, and (unless --host says otherwise) the name asked for as
    // the host.
    let connection = match &args.connect {
        Some(endpoint) => {
            let connected =
                crate::tls_connect::Target::parse(endpoint, args.sni.as_deref(), args.timeout)
                    .and_then(|target| {
                        crate::tls_connect::connect(&target, identity.as_ref()).map(|c| (target, c))
                    });
            match connected {
                Ok(connected) => Some(connected),
                Err(why) => {
                    eprintln!("netlens: {why}.");
                    return ExitCode::from(2);
                }
            }
        }
        None => None,
    };
    let (default_host, negotiated) = match &connection {
        // The name the client asks for: the SNI (none for an address without --sni).
        Some((target, c)) => (target.sni.as_deref(), Some(c.negotiated())),
        None => (None, None),
    };
    let mut analyzer = match analyzer(&args.analysis, default_host, negotiated, None) {
        Ok(analyzer) => analyzer,
        Err(code) => return code,
    };
    let connection = connection.map(|(_, c)| c);
    if let Some(c) = &connection {
        c.feed(&mut analyzer);
    }
    let mut identities = Vec::new();
    for path in &args.files {
        match read_input(path) {
            Ok((bytes, name)) if crate::identity::is_pkcs12(&bytes) => {
                let name = name.unwrap_or_else(|| "standard input".into());
                match crate::identity::open_pkcs12(
                    &bytes,
                    &name,
                    args.identity.password_file.as_deref(),
                ) {
                    Ok(inspection) => {
                        for der in &inspection.certificates {
                            analyzer.add_chain(der, Some(&format!("{name} (PKCS#12)")));
                        }
                        identities.push((name, inspection));
                    }
                    Err(why) => {
                        eprintln!("netlens: {why}.");
                        return ExitCode::from(2);
                    }
                }
            }
            Ok((bytes, name)) => analyzer.add_chain(&bytes, name.as_deref()),
            Err(e) => {
                eprintln!("netlens: cannot read {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    let analysis = analyzer.analyze();
    let client = match (&identity, &connection) {
        (Some(id), Some(c)) => match client_report(&args.analysis, id, c.client_auth.as_ref()) {
            Ok(report) => Some(report),
            Err(code) => return code,
        },
        _ => None,
    };
    let pkcs12_json: Vec<serde_json::Value> = identities
        .iter()
        .map(|(name, i)| pkcs12_summary(name, i))
        .collect();
    if analysis.certificates.is_empty() {
        eprint!("{}", render(&analysis));
        return ExitCode::from(2);
    }
    if args.json {
        let mut extra = Vec::new();
        if !pkcs12_json.is_empty() {
            extra.push(("pkcs12", serde_json::Value::Array(pkcs12_json.clone())));
        }
        if let Some(c) = &client {
            extra.push((
                "client_identity",
                serde_json::to_value(c).unwrap_or_default(),
            ));
        }
        match serde_json::to_string_pretty(&report_json(&analysis, connection.as_ref(), &extra)) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("netlens: cannot encode the report: {e}");
                return ExitCode::from(2);
            }
        }
    } else if args.markdown {
        if let Some(c) = &connection {
            println!("{}\n", describe_connection(c));
        }
        print!("{}", analysis.to_markdown());
    } else {
        if let Some(c) = &connection {
            println!("{}", describe_connection(c));
            print!(
                "{}",
                describe_client(c.client_auth.as_ref(), client.as_ref())
            );
            println!();
        }
        for p in &pkcs12_json {
            println!("{}", p["summary"].as_str().unwrap_or_default());
        }
        print!("{}", render(&analysis));
    }
    if analysis.verdicts.get(&netlens_chain::Profile::Apple)
        == Some(&netlens_chain::report::Verdict::Pass)
    {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Certificate Transparency (each SCT with its source, log and signature; Apple's and Chrome's
/// policies) and what each OCSP response says.
fn render_staples(a: &Analysis, out: &mut String) {
    if let Some(ct) = &a.ct {
        let verdict = |p: &netlens_chain::ct::PolicyResult| {
            if p.compliant {
                "compliant"
            } else {
                "NOT compliant"
            }
        };
        let _ = writeln!(
            out,
            "\nCertificate Transparency ({}):\n  Apple  {}: {}\n  Chrome {}: {}",
            ct.log_list
                .as_ref()
                .map_or("no log list".to_owned(), |l| l.describe()),
            verdict(&ct.apple),
            ct.apple.explanation,
            verdict(&ct.chrome),
            ct.chrome.explanation
        );
        for sct in &ct.scts {
            let log = sct.log.as_ref().map_or_else(
                || format!("log {}", sct.log_id),
                |l| format!("{} ({}, {})", l.description, l.operator, l.state.id()),
            );
            let _ = writeln!(
                out,
                "  SCT {} from {log}, {}, signature {:?}{}",
                sct.timestamp,
                sct.source.describe(),
                sct.signature,
                sct.note
                    .as_ref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            );
        }
        let _ = writeln!(out, "  Looked at: {}.", ct.sources_sentence());
    }
    for o in &a.ocsp {
        let _ = writeln!(
            out,
            "\nOCSP response ({}): {}{}, this update {}, next update {}, signed by {}{}",
            o.found_in,
            o.cert_status.as_deref().unwrap_or(&o.response_status),
            o.revoked_at
                .as_ref()
                .map(|t| format!(" at {t}"))
                .unwrap_or_default(),
            o.this_update.as_deref().unwrap_or("-"),
            o.next_update.as_deref().unwrap_or("-"),
            o.signed_by
                .as_deref()
                .unwrap_or("nobody netlens can verify"),
            if o.problems.is_empty() {
                String::new()
            } else {
                format!("; {}", o.problems.join(" "))
            }
        );
    }
}

/// A PKCS#12 file in the report: what it holds (never its key), whether its key matches a
/// certificate, which intermediates it includes, and whether Apple's importers take it.
fn pkcs12_summary(name: &str, i: &netlens_make::pkcs12::Inspection) -> serde_json::Value {
    let label = |index: usize| {
        i.contents.get(index).map_or_else(
            || format!("certificate {}", index + 1),
            |c| c.trim_end_matches(" (the key's certificate)").to_owned(),
        )
    };
    let key = match (i.keys, i.key_certificate, i.key_unchecked) {
        (0, _, _) => "it holds no private key (a certificate bundle, not an identity)".to_owned(),
        (_, Some(c), _) => format!(
            "its private key is {}'s (compared by public key; the key is not shown)",
            label(c)
        ),
        (_, None, true) => "its private key is of a type netlens cannot compare".to_owned(),
        (_, None, false) => {
            "its private key matches none of its certificates: it is not a usable identity"
                .to_owned()
        }
    };
    let included = if i.intermediates.is_empty() {
        "no intermediate".to_owned()
    } else {
        format!("the intermediates {}", i.intermediates.join(", "))
    };
    let summary = format!(
        "PKCS#12 {name}: {}; {key}; it includes {included}. Encryption: {}; MAC {}. Apple: {}",
        i.contents.join(", "),
        i.encryption.join(", "),
        i.mac,
        i.apple_import.explanation
    );
    serde_json::json!({
        "file": name,
        "certificates": i.certificates.len(),
        "inspection": i,
        "intermediates": i.intermediates,
        "summary": summary,
    })
}

/// "#1, #3": indexes as sent, numbered from 1.
fn numbered(indexes: &[usize]) -> String {
    indexes
        .iter()
        .map(|i| format!("#{}", i + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The plain-text report.
pub fn render(a: &Analysis) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Chain analysis at {}{}",
        a.analyzed_at,
        a.host
            .as_ref()
            .map(|h| format!(" for {h}"))
            .unwrap_or_default()
    );
    for v in &a.verdict_details {
        let _ = writeln!(
            out,
            "  {:<8} {}  ({}; anchored on {})",
            v.profile,
            if v.pass { "PASS" } else { "FAIL" },
            v.description,
            v.store
        );
    }
    let _ = writeln!(out, "\nTrust by store:");
    for store in StoreId::ALL {
        if let Some(t) = a.trust.get(&store) {
            let _ = writeln!(
                out,
                "  {:<8} {:<9} {} {}: {}",
                store.id(),
                if t.trusted { "trusted" } else { "UNTRUSTED" },
                store.info().title(),
                t.version,
                t.reason
            );
        }
    }
    let _ = writeln!(out, "\nAs sent:");
    for c in &a.chain_as_sent {
        let _ = writeln!(out, "  #{} {} [{}]", c.index + 1, c.label, c.role);
    }
    let _ = writeln!(out, "As built:");
    for (i, n) in a.chain_as_built.iter().enumerate() {
        let sig = match n.signature {
            netlens_chain::report::SignatureState::None => String::new(),
            s => format!(", signature {s}"),
        };
        let sent = n
            .certificate
            .map(|c| format!("#{} ", c + 1))
            .unwrap_or_default();
        let _ = writeln!(out, "  {}. {sent}{} [{}{sig}]", i + 1, n.label, n.role);
    }
    render_staples(a, &mut out);
    for severity in Severity::MOST_SERIOUS_FIRST {
        let list: Vec<_> = a
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}:", severity.heading());
        for f in list {
            let decides: Vec<&str> = f.decides.iter().map(|p| p.id()).collect();
            let decides = if decides.is_empty() {
                String::new()
            } else {
                format!(" [fails {}]", decides.join(", "))
            };
            let _ = writeln!(out, "  {}{decides}: {}", f.rule, f.message);
            let _ = writeln!(out, "      fix: {}", f.fix);
            let _ = writeln!(out, "      source: {}", f.source);
        }
    }
    if let Some(fixed) = &a.fixed_chain
        && fixed.serves.len() < StoreId::ALL.len()
    {
        let _ = writeln!(
            out,
            "\nOnly {} can build a trusted path from these certificates ({}); the errors say what the others need.",
            fixed
                .serves
                .iter()
                .map(|s| s.id())
                .collect::<Vec<_>>()
                .join(", "),
            numbered(&fixed.certificates)
        );
    } else if let Some(fixed) = &a.fixed_chain
        && fixed.differs_from_sent
    {
        let _ = writeln!(
            out,
            "\nChain to deploy (leaf and intermediates, in order; `--json` has the PEM): {}",
            numbered(&fixed.certificates)
        );
    }
    out
}

/// Runs `netlens roots`: one store, or all three.
pub fn roots(store: Option<StoreId>, json: bool) -> ExitCode {
    let data = netlens_chain::TrustData::builtin();
    let stores: Vec<StoreId> = store.map_or(StoreId::ALL.to_vec(), |s| vec![s]);
    let listings: Vec<_> = stores
        .iter()
        .map(|s| netlens_chain::store::listing(&data, *s))
        .collect();
    if json {
        let text = match listings.as_slice() {
            [one] => serde_json::to_string_pretty(one),
            all => serde_json::to_string_pretty(all),
        };
        match text {
            Ok(t) => println!("{t}"),
            Err(e) => {
                eprintln!("netlens: cannot encode the listing: {e}");
                return ExitCode::from(2);
            }
        }
        return ExitCode::SUCCESS;
    }
    let mut out = String::new();
    for l in &listings {
        let _ = writeln!(
            out,
            "{} {} ({}), {} roots, published {}\n  source: {}",
            l.name,
            l.version,
            l.clients,
            l.roots.len(),
            l.date,
            l.source
        );
        for r in &l.roots {
            let constraints: Vec<String> = r.constraints.iter().map(|c| c.describe()).collect();
            let _ = writeln!(
                out,
                "  {}  {}  until {}{}",
                r.sha256,
                r.label,
                &r.not_after[..10],
                if constraints.is_empty() {
                    String::new()
                } else {
                    format!("  [{}]", constraints.join("; "))
                }
            );
        }
        out.push('\n');
    }
    print!("{out}");
    ExitCode::SUCCESS
}

/// Runs `netlens rules`.
pub fn rules(json: bool, markdown: bool) -> ExitCode {
    if json {
        match serde_json::to_string_pretty(netlens_chain::RULES) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("netlens: {e}");
                return ExitCode::from(2);
            }
        }
    } else if markdown {
        print!("{}", netlens_chain::catalog::markdown());
    } else {
        for r in netlens_chain::RULES {
            let profiles: Vec<&str> = r.profiles.iter().map(|p| p.id()).collect();
            println!(
                "{:<38} {:<8} {:<15} {}",
                r.id,
                r.severity.name(),
                if profiles.is_empty() {
                    "-".to_owned()
                } else {
                    profiles.join(",")
                },
                r.title
            );
        }
    }
    ExitCode::SUCCESS
}
