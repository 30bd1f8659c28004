//! Apple's trust store from `apple-oss-distributions/security_certificates`:
//! `certificates/roots` (the system trust store, one DER file per root named by its SHA-256),
//! `certificates/constraints.json` (its `system` section: roots trusted only for the listed
//! Apple policies), `certificates/removed` (roots and intermediates Apple removed; the history
//! says which release removed each) and `config/security_certificates.xcconfig`
//! (`TRUST_STORE_VERSION`). EV configuration is not read: EV has no effect on whether a chain
//! is trusted for TLS.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::cert::{self, CertPieces};
use crate::git::Repo;

/// A root of the store.
pub struct AppleRoot {
    /// The certificate's pieces.
    pub cert: CertPieces,
    /// `constraints.json` policies (empty: unconstrained).
    pub policies: Vec<String>,
}

/// A certificate Apple removed.
pub struct Removed {
    /// The certificate's pieces.
    pub cert: CertPieces,
    /// The store version (or release) that first listed it as removed.
    pub removed_in: String,
}

/// What was read.
pub struct AppleStore {
    /// TRUST_STORE_VERSION.
    pub version: String,
    /// The release's date.
    pub date: String,
    /// Where it came from.
    pub source: String,
    /// Which OS releases ship this version.
    pub clients: String,
    /// The roots.
    pub roots: Vec<AppleRoot>,
    /// Removed certificates that are not roots again.
    pub removed: Vec<Removed>,
}

/// Apple's trust store versions and the OS releases that shipped them (support.apple.com's
/// "List of available trusted root certificates" articles; community list
/// discussions.apple.com/docs/DOC-250009603). A refresh to a version not listed here stops with
/// a request to add it.
const RELEASES: &[(&str, &str)] = &[
    (
        "2025072000",
        "iOS, iPadOS, macOS, tvOS, visionOS and watchOS 26",
    ),
    (
        "2024051500",
        "iOS, iPadOS, macOS, tvOS, visionOS and watchOS 18 (before 18.4)",
    ),
    ("2023071300", "iOS, iPadOS, macOS, tvOS and watchOS 17"),
    ("2022070700", "iOS, iPadOS, macOS, tvOS and watchOS 16"),
];

fn trust_store_version(repo: &Repo) -> Option<String> {
    let config = repo.read_optional("config/security_certificates.xcconfig")?;
    String::from_utf8_lossy(&config).lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        (key.trim() == "TRUST_STORE_VERSION").then(|| value.trim().to_owned())
    })
}

#[derive(Deserialize)]
struct Constraints {
    system: BTreeMap<String, Vec<String>>,
}

/// Reads the store at `repo`'s revision, dating removals from its history.
pub fn read(repo: &Repo) -> Result<AppleStore, String> {
    let version = trust_store_version(repo)
        .ok_or("config/security_certificates.xcconfig has no TRUST_STORE_VERSION")?;
    let clients = RELEASES
        .iter()
        .find(|(v, _)| *v == version)
        .map(|(_, c)| (*c).to_owned())
        .ok_or(format!(
            "Apple trust store {version} is new: add the OS releases that ship it to RELEASES in apple.rs"
        ))?;
    let constraints: Constraints =
        serde_json::from_slice(&repo.read("certificates/constraints.json")?)
            .map_err(|e| format!("constraints.json: {e}"))?;
    let policies: HashMap<String, Vec<String>> = constraints
        .system
        .into_iter()
        .map(|(hash, list)| {
            (
                hash.to_uppercase(),
                list.into_iter().map(|p| p.trim().to_owned()).collect(),
            )
        })
        .collect();

    let mut roots = Vec::new();
    for entry in repo.list("certificates/roots")? {
        let bytes = repo.blob(&entry.blob)?;
        let der = cert::certificates_in(&bytes);
        let [der] = der.as_slice() else {
            return Err(format!(
                "{}: expected one certificate, found {}",
                entry.path,
                der.len()
            ));
        };
        let pieces = cert::pieces(der).map_err(|e| format!("{}: {e}", entry.path))?;
        let hex = netlens_roots::hex(&pieces.sha256);
        let stem = entry
            .path
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches(".cer")
            .to_uppercase();
        if stem != hex {
            return Err(format!(
                "{}: Apple names roots by their SHA-256, but this one hashes to {hex}",
                entry.path
            ));
        }
        roots.push(AppleRoot {
            policies: policies.get(&hex).cloned().unwrap_or_default(),
            cert: pieces,
        });
    }
    let in_store: std::collections::HashSet<[u8; 32]> =
        roots.iter().map(|r| r.cert.sha256).collect();
    for hash in policies.keys() {
        if !roots
            .iter()
            .any(|r| netlens_roots::hex(&r.cert.sha256) == *hash)
        {
            return Err(format!(
                "constraints.json constrains {hash}, which is not in certificates/roots"
            ));
        }
    }

    let removed = removals(repo, &in_store)?;
    let release = repo.subject()?;
    Ok(AppleStore {
        date: repo.date()?,
        source: format!(
            "apple-oss-distributions/security_certificates {release} (commit {}): certificates/roots, \
             certificates/constraints.json, certificates/removed",
            repo.short()
        ),
        version,
        clients,
        roots,
        removed,
    })
}

/// Every certificate under `certificates/removed` that is not a root again, with the first
/// release of the history that listed it.
fn removals(
    repo: &Repo,
    in_store: &std::collections::HashSet<[u8; 32]>,
) -> Result<Vec<Removed>, String> {
    // Blob id -> the certificates in it (the same file is read once across releases).
    let mut blobs: HashMap<String, Vec<Vec<u8>>> = HashMap::new();
    let mut read_blob = |id: &str| -> Result<Vec<Vec<u8>>, String> {
        if let Some(found) = blobs.get(id) {
            return Ok(found.clone());
        }
        let certs = cert::certificates_in(&repo.blob(id)?);
        blobs.insert(id.to_owned(), certs.clone());
        Ok(certs)
    };
    let mut first_listed: HashMap<[u8; 32], String> = HashMap::new();
    for commit in repo.history()? {
        let release = repo.at(&commit);
        let label = match trust_store_version(&release) {
            Some(v) => v,
            None => format!("{} ({})", release.subject()?, release.date()?),
        };
        for entry in release.list("certificates/removed")? {
            for der in read_blob(&entry.blob)? {
                let hash: [u8; 32] =
                    sha2::Digest::finalize(<sha2::Sha256 as sha2::Digest>::new_with_prefix(&der))
                        .into();
                first_listed.entry(hash).or_insert_with(|| label.clone());
            }
        }
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for entry in repo.list("certificates/removed")? {
        for der in read_blob(&entry.blob)? {
            let Ok(pieces) = cert::pieces(&der) else {
                eprintln!(
                    "netlens-roots-gen: {} is not a readable certificate; skipped",
                    entry.path
                );
                continue;
            };
            if in_store.contains(&pieces.sha256) || !seen.insert(pieces.sha256) {
                continue;
            }
            out.push(Removed {
                removed_in: first_listed
                    .get(&pieces.sha256)
                    .cloned()
                    .unwrap_or_default(),
                cert: pieces,
            });
        }
    }
    Ok(out)
}

/// One of Apple's published distrust decisions (the generator's `data/apple-distrust.json`).
#[derive(Deserialize)]
pub struct Decision {
    /// The CA, as Apple names it.
    pub ca: String,
    /// The effective date (YYYY-MM-DD): certificates issued on or before it keep working.
    pub effective: String,
    /// The article.
    pub source: String,
    /// SHA-256 of each affected root, as Apple lists them.
    pub roots: Vec<String>,
}

/// Reads the decisions file.
pub fn decisions(json: &[u8]) -> Result<Vec<Decision>, String> {
    #[derive(Deserialize)]
    struct File {
        decisions: Vec<Decision>,
    }
    serde_json::from_slice::<File>(json)
        .map(|f| f.decisions)
        .map_err(|e| format!("apple-distrust.json: {e}"))
}
