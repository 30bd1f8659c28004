//! Identities the CLI reads: PKCS#12 files (with the password in a file, never on the command
//! line where `ps` shows it) and PEM certificate-and-key pairs, for `netlens chain FILE.p12`
//! and for the client certificate `--connect` and `ats` present.
//!
//! A private key read here is used for one thing: to check that it belongs to a certificate
//! (by its public key), or to sign the one handshake the user asked for. It is never printed,
//! written or kept past that.

use std::path::Path;

use netlens_make::pkcs12::Inspection;
use zeroize::Zeroizing;

use crate::input::read_input;

/// The first line of a password file. An empty first line is an empty password (PKCS#12 allows
/// it; the inspection says Apple refuses it).
pub fn read_password(path: &Path) -> Result<Zeroizing<String>, String> {
    let (bytes, _) = read_input(path)
        .map_err(|e| format!("cannot read the password file {}: {e}", path.display()))?;
    let bytes = Zeroizing::new(bytes);
    let text = String::from_utf8_lossy(&bytes);
    Ok(Zeroizing::new(
        text.lines().next().unwrap_or_default().to_owned(),
    ))
}

pub use netlens_x509::der_scan::is_pkcs12;

/// Opens the PKCS#12 file `bytes` (named `name`) with the password in `password_file`. `Err`
/// is one sentence: which file, what went wrong, what to do.
pub fn open_pkcs12(
    bytes: &[u8],
    name: &str,
    password_file: Option<&Path>,
) -> Result<Inspection, String> {
    let Some(path) = password_file else {
        return Err(format!(
            "{name} is a PKCS#12 file: give its password with --password-file FILE (the first line of FILE)"
        ));
    };
    let password = read_password(path)?;
    netlens_make::pkcs12::inspect(bytes, &password).map_err(|e| match e {
        netlens_make::pkcs12::ReadError::WrongPassword => format!(
            "{name}: the password in {} does not open it (or the file is damaged): check the password file's first line",
            path.display()
        ),
        other => format!("{name}: {other}"),
    })
}

/// A client identity for a TLS handshake: the certificate chain to send and the key (PKCS#8).
pub struct ClientIdentity {
    /// The leaf first, then the intermediates the client sends (DER).
    pub chain: Vec<Vec<u8>>,
    /// The private key, PKCS#8 DER (zeroed when dropped).
    pub key: Zeroizing<Vec<u8>>,
    /// Where it came from, for the report.
    pub source: String,
}

/// Reads `--client-identity FILE.p12` (with `--password-file`) or `--client-cert` and
/// `--client-key` (PEM). The PKCS#12's key must match one of its certificates, which leads the
/// chain sent; the other certificates follow in file order, roots left out.
pub fn client_identity(
    p12: Option<&Path>,
    password_file: Option<&Path>,
    cert: Option<&Path>,
    key: Option<&Path>,
) -> Result<Option<ClientIdentity>, String> {
    if let Some(path) = p12 {
        let (bytes, _) =
            read_input(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let name = path.display().to_string();
        let password = match password_file {
            Some(f) => read_password(f)?,
            None => {
                return Err(format!(
                    "--client-identity {name} needs --password-file FILE with its password"
                ));
            }
        };
        let opened = netlens_make::pkcs12::read(&bytes, &password)
            .map_err(|e| format!("--client-identity {name}: {e}"))?;
        let key = opened.keys.first().ok_or(format!(
            "--client-identity {name} holds no private key: it is not an identity"
        ))?;
        let leaf = opened
            .certificates
            .iter()
            .position(|c| netlens_make::pkcs12::key_matches(key, c) == Some(true))
            .ok_or(format!(
                "--client-identity {name}: its key matches none of its certificates"
            ))?;
        let self_signed = |c: &Vec<u8>| {
            netlens_x509::der_scan::certificate_parts(c).is_some_and(|p| p.issuer == p.subject)
        };
        let mut chain = vec![opened.certificates[leaf].clone()];
        chain.extend(
            opened
                .certificates
                .iter()
                .enumerate()
                .filter(|(i, c)| *i != leaf && !self_signed(c))
                .map(|(_, c)| c.clone()),
        );
        return Ok(Some(ClientIdentity {
            chain,
            key: Zeroizing::new(key.to_vec()),
            source: name,
        }));
    }
    let (Some(cert), Some(key_path)) = (cert, key) else {
        return match (cert, key) {
            (None, None) => Ok(None),
            _ => Err("--client-cert and --client-key go together".into()),
        };
    };
    let (cert_bytes, _) =
        read_input(cert).map_err(|e| format!("cannot read {}: {e}", cert.display()))?;
    let scan = netlens_x509::input::scan(&cert_bytes, Some(&cert.display().to_string()));
    let chain: Vec<Vec<u8>> = scan.certificates().iter().map(|c| c.der.clone()).collect();
    if chain.is_empty() {
        return Err(format!(
            "--client-cert {} holds no certificate",
            cert.display()
        ));
    }
    let (key_bytes, _) =
        read_input(key_path).map_err(|e| format!("cannot read {}: {e}", key_path.display()))?;
    let key_bytes = Zeroizing::new(key_bytes);
    let parsed = netlens_make::keys::PrivateKey::parse(&key_bytes)
        .map_err(|e| format!("--client-key {}: {e}", key_path.display()))?;
    Ok(Some(ClientIdentity {
        chain,
        key: Zeroizing::new(parsed.pkcs8_der().to_vec()),
        source: cert.display().to_string(),
    }))
}
