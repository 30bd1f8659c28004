//! The files made, as the CLI writes them into a folder and the page offers them (one by one or
//! as one zip): PEM and DER certificates, PKCS#8 keys, PKCS#12 identities, configuration
//! profiles, the fixtures and a README.txt that says what each is and what to do next.
//!
//! Layout (the zip puts it under [`FOLDER`]):
//!
//! ```text
//! README.txt                  what each file is, the checks netlens ran, the next steps
//! root.pem, root.cer          the test CA's root: install it on every test device
//! root.mobileconfig           the root as a configuration profile (iPhone, iPad, Watch, Mac, TV)
//! ca.pem, ca-key.pem          the issuing (intermediate) CA and its key, to issue more later
//! server.pem, server-key.pem  the server certificate and its key
//! fullchain.pem               server.pem + ca.pem: what the server sends
//! server.p12                  the server identity (key + chain), password protected
//! client-NAME.{pem,-key.pem,.p12,.mobileconfig}  each client identity
//! fixtures/ID/server.pem, fixtures/ID/fullchain.pem  each fixture (the key is server-key.pem)
//! ```

use serde::Serialize;
use zeroize::Zeroizing;

use crate::checks::Outcome;
use crate::error::MakeError;
use crate::guide;
use crate::issue::Issued;
use crate::keys::PrivateKey;
use crate::mobileconfig::{self, Payload};
use crate::pkcs12::{self, Identity};
use crate::request::{Issuer, Plan};
use crate::zip;
use netlens_x509::details::to_pem;

/// The folder the zip puts everything in.
pub const FOLDER: &str = "netlens-test-certificates";

/// The port the server snippets use.
pub const PORT: u16 = 8443;

/// What a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// A certificate or chain (PEM or DER).
    Certificate,
    /// A private key (PKCS#8 PEM).
    PrivateKey,
    /// A PKCS#12 identity.
    Pkcs12,
    /// A configuration profile.
    Profile,
    /// Text.
    Text,
}

impl FileKind {
    /// The MIME type to offer the file with.
    pub fn content_type(self, path: &str) -> &'static str {
        match self {
            FileKind::Certificate if path.ends_with(".cer") => "application/x-x509-ca-cert",
            FileKind::Certificate => "application/x-pem-file",
            FileKind::PrivateKey => "application/x-pem-file",
            FileKind::Pkcs12 => "application/x-pkcs12",
            FileKind::Profile => mobileconfig::CONTENT_TYPE,
            FileKind::Text => "text/plain; charset=utf-8",
        }
    }

    /// Whether the file holds a secret (keys, identities): owner-only permissions.
    pub fn private(self) -> bool {
        matches!(self, FileKind::PrivateKey | FileKind::Pkcs12)
    }
}

/// One file made.
#[derive(Clone, Debug)]
pub struct OutputFile {
    /// Its path in the bundle (`/`-separated).
    pub path: String,
    /// Its contents (wiped when dropped: some hold keys).
    pub bytes: Zeroizing<Vec<u8>>,
    /// What it is.
    pub kind: FileKind,
    /// One line about it.
    pub description: String,
}

/// The private keys of what was made, by role; only these are written into files (the root's
/// key, used once to sign the intermediate, never is).
pub struct Secrets {
    /// The issuing CA's key, when netlens made the CA.
    pub ca: Option<PrivateKey>,
    /// The server's key.
    pub server: Option<PrivateKey>,
    /// Each client identity's key, in plan order.
    pub clients: Vec<PrivateKey>,
}

/// A client identity's file stem: `client-` and its name in lowercase letters, digits and
/// hyphens (`client-alice`), numbered when two would collide.
pub fn client_stems(clients: &[String]) -> Vec<String> {
    let mut stems: Vec<String> = Vec::new();
    for (i, name) in clients.iter().enumerate() {
        let mut slug: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        slug = slug
            .split('-')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        slug.truncate(40);
        if slug.is_empty() {
            slug = format!("{}", i + 1);
        }
        let mut stem = format!("client-{slug}");
        if stems.contains(&stem) {
            stem = format!("client-{slug}-{}", i + 1);
        }
        stems.push(stem);
    }
    stems
}

/// A password for the PKCS#12 files when the user gave none: 4 groups of 4 characters from an
/// alphabet without look-alikes (about 79 bits), easy to type on a phone.
pub fn generate_password(random: &mut dyn FnMut(&mut [u8])) -> Zeroizing<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut out = Zeroizing::new(String::new());
    let mut byte = [0u8; 1];
    while out.len() < 19 {
        if out.len() % 5 == 4 {
            out.push('-');
            continue;
        }
        random(&mut byte);
        // Rejection sampling keeps every character equally likely.
        if usize::from(byte[0]) < 256 - 256 % ALPHABET.len() {
            out.push(char::from(ALPHABET[usize::from(byte[0]) % ALPHABET.len()]));
        }
    }
    out
}

/// The CA's display label: the root's (or the given CA's) common name.
pub fn ca_label(issued: &Issued) -> String {
    let anchor = issued.root.as_deref().unwrap_or(&issued.anchor);
    netlens_x509::details::parse(anchor)
        .ok()
        .map(|c| {
            netlens_x509::dn::DistinguishedName::from_name(c.tbs_certificate().subject())
                .display_label()
        })
        .unwrap_or_else(|| "netlens Test CA".into())
}

/// Every file of the bundle. `password` protects the PKCS#12 files; `random` gives their salts
/// and IVs; `outcomes` (the checks' results) go into the README.
pub fn files(
    plan: &Plan,
    issued: &Issued,
    secrets: &Secrets,
    password: &str,
    outcomes: &[Outcome],
    random: &mut dyn FnMut(&mut [u8]),
) -> Result<Vec<OutputFile>, MakeError> {
    pkcs12::check_password(password)?;
    let mut files: Vec<OutputFile> = Vec::new();
    let mut add = |path: String, bytes: Vec<u8>, kind: FileKind, description: String| {
        files.push(OutputFile {
            path,
            bytes: Zeroizing::new(bytes),
            kind,
            description,
        });
    };
    let label = ca_label(issued);
    let intermediates = issued.intermediates();
    let constraints = match (&plan.issuer, plan.request.constraints) {
        (Issuer::Existing(_), _) => None,
        (_, crate::request::Placement::None) => None,
        _ => Some(plan.constraints.short()),
    };
    let anchor_is_root = issued.root.as_deref() == Some(issued.anchor.as_slice());
    let root_pem = if anchor_is_root {
        format!("The test CA's root \"{label}\" (PEM): install it on every test device and client.")
    } else {
        format!(
            "The CA \"{label}\" (PEM), what clients must trust: you gave no root above it. \
             Devices install roots: give the root too (--ca-cert with ca.pem and root.pem) to \
             have it here instead."
        )
    };
    add(
        "root.pem".into(),
        to_pem(&issued.anchor).into_bytes(),
        FileKind::Certificate,
        root_pem,
    );
    add(
        "root.cer".into(),
        issued.anchor.clone(),
        FileKind::Certificate,
        "The same certificate as DER (.cer): for Keychain Access, Android and Windows.".into(),
    );
    let display = match &constraints {
        Some(c) => format!("{label} (only for {c})"),
        None => label.clone(),
    };
    let root_description = format!(
        "Installs the test CA \"{label}\" as a trusted root{} after you switch on full trust in \
         Settings › General › About › Certificate Trust Settings. Made by netlens for testing.",
        match &constraints {
            Some(c) => format!(", which issues certificates only for {c},"),
            None => String::new(),
        }
    );
    let profile = mobileconfig::Profile {
        display_name: &display,
        description: &root_description,
        payloads: vec![Payload {
            payload_type: "com.apple.security.root",
            content: &issued.anchor,
            file_name: "root.cer",
            display_name: &label,
            description: &root_description,
            identity: &issued.anchor,
        }],
    };
    add(
        "root.mobileconfig".into(),
        profile.to_xml().into_bytes(),
        FileKind::Profile,
        "The same certificate as a configuration profile: the way onto an iPhone, iPad, Apple \
         Watch, Mac or Apple TV."
            .into(),
    );
    if issued.root.as_deref() != Some(issued.ca.as_slice()) {
        add(
            "ca.pem".into(),
            to_pem(&issued.ca).into_bytes(),
            FileKind::Certificate,
            match &constraints {
                Some(c) => format!(
                    "The issuing (intermediate) CA, name-constrained to {c}: servers send it after their certificate."
                ),
                None => {
                    "The issuing (intermediate) CA: servers send it after their certificate.".into()
                }
            },
        );
    }
    if let Some(key) = &secrets.ca {
        add(
            "ca-key.pem".into(),
            key.pkcs8_pem().as_bytes().to_vec(),
            FileKind::PrivateKey,
            "The issuing CA's private key: keep it to issue more certificates later (netlens make \
             --ca-cert ca.pem --ca-key ca-key.pem). The root's key was used once and is gone."
                .into(),
        );
    }

    if let (Some(server), Some(key)) = (&issued.server, &secrets.server) {
        let mut chain = vec![server.as_slice()];
        chain.extend(intermediates.iter().copied());
        add(
            "server.pem".into(),
            to_pem(server).into_bytes(),
            FileKind::Certificate,
            format!(
                "The server certificate for {}.",
                plan.names
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        add(
            "server-key.pem".into(),
            key.pkcs8_pem().as_bytes().to_vec(),
            FileKind::PrivateKey,
            "The server's private key (PKCS#8 PEM).".into(),
        );
        add(
            "fullchain.pem".into(),
            crate::pem::chain(&chain).into_bytes(),
            FileKind::Certificate,
            "The server certificate and the intermediate: what the server sends (nginx \
             ssl_certificate, Caddy tls, Node cert)."
                .into(),
        );
        let friendly = plan
            .names
            .first()
            .map(ToString::to_string)
            .unwrap_or_default();
        let p12 = pkcs12::write(
            &Identity {
                key_pkcs8: key.pkcs8_der(),
                certificate: server,
                chain: intermediates.clone(),
                friendly_name: &friendly,
            },
            password,
            plan.request.pkcs12,
            random,
        )?;
        add(
            "server.p12".into(),
            p12.to_vec(),
            FileKind::Pkcs12,
            format!(
                "The server identity as PKCS#12 ({}), protected by the password.",
                p12_words(plan)
            ),
        );
        for fixture in &plan.fixtures {
            let (cert, description) = match fixture {
                crate::request::Fixture::MissingIntermediate => {
                    (server.as_slice(), fixture.describe())
                }
                f => match issued.fixtures.get(f) {
                    Some(c) => (c.as_slice(), f.describe()),
                    None => continue,
                },
            };
            let id = fixture.as_str();
            add(
                format!("fixtures/{id}/server.pem"),
                to_pem(cert).into_bytes(),
                FileKind::Certificate,
                format!(
                    "Fixture {id}: {description} (triggers {}).",
                    fixture.finding()
                ),
            );
            let mut chain = vec![cert];
            if *fixture != crate::request::Fixture::MissingIntermediate {
                chain.extend(intermediates.iter().copied());
            }
            add(
                format!("fixtures/{id}/fullchain.pem"),
                crate::pem::chain(&chain).into_bytes(),
                FileKind::Certificate,
                format!("Fixture {id} as a server sends it; serve it with server-key.pem."),
            );
        }
    }

    let stems = client_stems(&plan.clients);
    for (((name, cert), key), stem) in plan
        .clients
        .iter()
        .zip(&issued.clients)
        .zip(&secrets.clients)
        .zip(&stems)
    {
        let mut chain = vec![cert.as_slice()];
        chain.extend(intermediates.iter().copied());
        add(
            format!("{stem}.pem"),
            crate::pem::chain(&chain).into_bytes(),
            FileKind::Certificate,
            format!("The client certificate for \"{name}\" and the intermediate (curl --cert)."),
        );
        add(
            format!("{stem}-key.pem"),
            key.pkcs8_pem().as_bytes().to_vec(),
            FileKind::PrivateKey,
            format!("The private key of \"{name}\" (curl --key)."),
        );
        let p12 = pkcs12::write(
            &Identity {
                key_pkcs8: key.pkcs8_der(),
                certificate: cert,
                chain: intermediates.clone(),
                friendly_name: name,
            },
            password,
            plan.request.pkcs12,
            random,
        )?;
        let profile_description = format!(
            "Installs the client identity \"{name}\" for mutual TLS. iOS asks for its password."
        );
        let profile = mobileconfig::Profile {
            display_name: &format!("{name} (client identity, {label})"),
            description: &profile_description,
            payloads: vec![Payload {
                payload_type: "com.apple.security.pkcs12",
                content: &p12,
                file_name: &format!("{stem}.p12"),
                display_name: name,
                description: &profile_description,
                identity: cert,
            }],
        }
        .to_xml();
        add(
            format!("{stem}.p12"),
            p12.to_vec(),
            FileKind::Pkcs12,
            format!(
                "The identity of \"{name}\" as PKCS#12 ({}), protected by the password.",
                p12_words(plan)
            ),
        );
        add(
            format!("{stem}.mobileconfig"),
            profile.into_bytes(),
            FileKind::Profile,
            format!(
                "The identity of \"{name}\" as a configuration profile (the password is asked on install)."
            ),
        );
    }

    let readme = readme(plan, issued, &files, outcomes, &label);
    files.insert(
        0,
        OutputFile {
            path: "README.txt".into(),
            bytes: Zeroizing::new(readme.into_bytes()),
            kind: FileKind::Text,
            description: "What each file is, what netlens checked, and what to do next.".into(),
        },
    );
    Ok(files)
}

fn p12_words(plan: &Plan) -> &'static str {
    match plan.request.pkcs12 {
        crate::request::Pkcs12Format::Apple => {
            "Apple-compatible: 3DES and an HMAC-SHA1 MAC, which every Apple release imports"
        }
        crate::request::Pkcs12Format::Modern => {
            "modern: AES-256 and an HMAC-SHA256 MAC, which some Apple releases refuse"
        }
    }
}

/// The guide's context for this bundle.
pub fn guide_context<'a>(
    plan: &'a Plan,
    label: &'a str,
    host: Option<&'a str>,
) -> guide::Context<'a> {
    guide::Context {
        ca_label: label,
        host,
        client_p12s: client_stems(&plan.clients)
            .into_iter()
            .map(|s| format!("{s}.p12"))
            .collect(),
        port: PORT,
    }
}

fn readme(
    plan: &Plan,
    _issued: &Issued,
    files: &[OutputFile],
    outcomes: &[Outcome],
    label: &str,
) -> String {
    let mut out = String::new();
    out.push_str("Test certificates made by netlens\n=================================\n\n");
    out.push_str(&guide::wrap(
        &format!(
            "A test CA, \"{label}\", and what it issued. Install its root on every test device \
             (below); servers send fullchain.pem with server-key.pem. Nothing here was sent \
             anywhere: netlens made the keys where it ran."
        ),
        92,
        "",
        "",
    ));
    if !plan.notes.is_empty() {
        out.push('\n');
    }
    for note in &plan.notes {
        out.push_str(&guide::wrap(note, 92, "Note: ", "      "));
    }
    out.push_str("\nFiles\n-----\n");
    for f in files {
        out.push_str(&guide::wrap(
            &format!("{}: {}", f.path, f.description),
            92,
            "- ",
            "  ",
        ));
    }
    out.push_str("- README.txt: this file.\n\nWhat netlens checked\n--------------------\n");
    out.push_str(&guide::wrap(
        "Each certificate was analysed by netlens' chain analysis, anchored on this root alone, \
         at the moment it was made:",
        92,
        "",
        "",
    ));
    for o in outcomes {
        let mark = if o.passed { "ok  " } else { "FAIL" };
        out.push_str(&guide::wrap(&o.summary, 92, &format!("{mark} "), "     "));
    }
    if let (Issuer::New { .. }, true) = (
        &plan.issuer,
        plan.request.constraints != crate::request::Placement::None,
    ) {
        out.push_str("\nName constraints\n----------------\n");
        out.push_str(&guide::wrap(
            &format!(
                "The intermediate{} may issue only for {}. What clients do with that:",
                if plan.request.constraints == crate::request::Placement::Root {
                    " and the root"
                } else {
                    ""
                },
                plan.constraints.describe()
            ),
            92,
            "",
            "",
        ));
        for (client, what) in guide::constraint_support() {
            out.push_str(&guide::wrap(&format!("{client}: {what}"), 92, "- ", "  "));
        }
    }
    let host = plan.names.first().map(ToString::to_string);
    let ctx = guide_context(plan, label, host.as_deref());
    out.push_str("\nNext steps on devices\n=====================\n\n");
    out.push_str(&guide::to_text(&guide::devices(&ctx)));
    if !plan.names.is_empty() {
        out.push_str("Servers\n=======\n\n");
        out.push_str(&guide::to_text(&guide::servers(&ctx)));
    }
    out
}

/// The bundle as one zip under [`FOLDER`], dated `at`.
pub fn zip(files: &[OutputFile], at: i64) -> Vec<u8> {
    let paths: Vec<String> = files
        .iter()
        .map(|f| format!("{FOLDER}/{}", f.path))
        .collect();
    let entries: Vec<zip::Entry<'_>> = files
        .iter()
        .zip(&paths)
        .map(|(f, path)| zip::Entry {
            path,
            bytes: &f.bytes,
            private: f.kind.private(),
        })
        .collect();
    zip::write(&entries, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_file_names() {
        let stems = client_stems(&["Alice Smith".into(), "alice smith!".into(), "ß".into()]);
        assert_eq!(
            stems,
            ["client-alice-smith", "client-alice-smith-2", "client-3"]
        );
    }

    #[test]
    fn generated_passwords() {
        let mut n = 0u8;
        let mut random = |out: &mut [u8]| {
            for b in out {
                n = n.wrapping_add(37);
                *b = n;
            }
        };
        let p = generate_password(&mut random);
        assert_eq!(p.len(), 19);
        assert_eq!(p.matches('-').count(), 3);
        assert!(
            p.chars()
                .all(|c| c == '-' || c.is_ascii_lowercase() || c.is_ascii_digit())
        );
    }
}
