//! Certificate Transparency: every SCT a client sees, judged as Apple and Chrome judge it.
//!
//! A server can hand a client SCTs three ways (RFC 6962 §3.3): embedded in the certificate, in
//! the TLS `signed_certificate_timestamp` extension, or in a stapled OCSP response. Apple's
//! policy (support.apple.com/103214, version 1.0 of 2025-04-21, text in
//! apple/apple-root-program `ct/ct-policy.md`) counts all three, for certificates chaining to a
//! preinstalled root issued from 2018-10-15:
//! - at least two SCTs from logs once or currently approved at the time of check, **and either**
//!   - at least two SCTs from currently approved logs, one of them delivered in the handshake
//!     (TLS extension or OCSP), **or**
//!   - at least one embedded SCT from a currently approved log, and embedded SCTs from as many
//!     distinct once-or-currently approved logs as the lifetime needs (2 up to 180 days, at
//!     most 1 per operator counting; 3 from 181 to 398 days, at most 2 per operator; the older
//!     month-based table before 2021-04-21);
//! - and at least one SCT from an RFC 6962 log (not only static-ct-api logs).
//!
//! Chrome's policy (googlechrome.github.io/CertificateTransparency/ct_policy.html) is shown
//! beside it: embedded SCTs from 2 (≤ 180 days) or 3 logs once or currently approved, one of
//! them currently approved, from at least two operators; or two SCTs delivered in the handshake
//! from currently approved logs of two operators; one from an RFC 6962 log. It is judged against
//! Apple's list (Chrome keeps its own, with the same logs in practice).
//!
//! Every SCT's signature is checked with its log's key when the list has it: an SCT that does
//! not verify is not evidence and never counts. The report says which delivery methods were
//! looked at, so a missing SCT is never claimed where nobody looked.
//!
//! Apple's log list is compiled in ([`LogList::builtin`], from `netlens_roots::ct_logs`); a
//! list the user supplies replaces it.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use serde::Serialize;
use spki::AlgorithmIdentifierOwned;

pub use netlens_roots::ct_logs::LogState;
use netlens_x509::sct::{self, Entry, Sct};

use crate::crypto::{Verification, Verifier, VerifyRequest};
use crate::model::ChainCert;

/// How an SCT reached the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SctSource {
    /// In the certificate's SCT list extension.
    Embedded,
    /// In the TLS `signed_certificate_timestamp` extension.
    TlsExtension,
    /// In the stapled OCSP response.
    Ocsp,
    /// Given beside the chain without saying how the server delivered it (a pasted SCT list);
    /// counted as delivered in the handshake.
    Supplied,
}

impl SctSource {
    /// The source in words.
    pub fn describe(self) -> &'static str {
        match self {
            SctSource::Embedded => "embedded in the certificate",
            SctSource::TlsExtension => "TLS extension",
            SctSource::Ocsp => "stapled OCSP response",
            SctSource::Supplied => "supplied SCT list",
        }
    }

    /// Delivered beside the certificate rather than in it.
    pub fn in_handshake(self) -> bool {
        self != SctSource::Embedded
    }
}

/// Whether one delivery method was looked at, and how (or why not).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceExamined {
    /// The method.
    pub source: SctSource,
    /// It was looked at.
    pub examined: bool,
    /// How it was looked at, or why it was not, in a sentence.
    pub how: String,
}

/// SCTs delivered beside the certificate, and which delivery methods were looked at.
#[derive(Clone, Debug, Default)]
pub struct Delivered {
    /// Each SCT with its source and where it was found.
    pub scts: Vec<(SctSource, Sct, String)>,
    /// What a live connection looked at ([`SctSource::TlsExtension`], [`SctSource::Ocsp`]);
    /// offline, a method counts as looked at when the user supplied what it carries.
    pub examined: Vec<SourceExamined>,
}

/// One log from the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Log {
    /// Log ID, base64 (SHA-256 of its key); for a rejected log of the compiled-in list, its
    /// first 8 bytes followed by `…`.
    pub log_id: String,
    /// Description ("Cloudflare 'Nimbus 2026' log").
    pub description: String,
    /// Operator name.
    pub operator: String,
    /// State.
    pub state: LogState,
    /// When it entered that state (Unix seconds).
    pub state_since: Option<i64>,
    /// A static-ct-api (tiled) log rather than an RFC 6962 log.
    pub tiled: bool,
    /// Its key (SubjectPublicKeyInfo DER), when the list has it.
    #[serde(skip)]
    pub key: Option<Vec<u8>>,
}

/// Which list an analysis used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogListInfo {
    /// The list's `version`.
    pub version: String,
    /// The date of the list's commit in Apple's repository (compiled-in list only).
    pub date: Option<String>,
    /// The compiled-in list (false: the user supplied it).
    pub builtin: bool,
    /// How many logs it lists.
    pub logs: usize,
    /// How many operators.
    pub operators: usize,
}

impl LogListInfo {
    /// "Apple's CT log list 375 (2025-10-16, built in)".
    pub fn describe(&self) -> String {
        match (&self.date, self.builtin) {
            (Some(date), true) => {
                format!("Apple's CT log list {} ({date}, built in)", self.version)
            }
            _ => format!("the CT log list {} you supplied", self.version),
        }
    }
}

/// Apple's CT log list.
#[derive(Clone, Debug)]
pub struct LogList {
    /// Which list this is.
    pub info: LogListInfo,
    logs: HashMap<[u8; 32], Log>,
    by_prefix: HashMap<[u8; netlens_roots::ct_logs::ID_PREFIX], Log>,
}

/// Why a CT log list cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogListError {
    /// The text is not JSON (the parser's words).
    NotJson(String),
    /// The JSON has no `operators` array: not Apple's (Chrome v3) log list format.
    NoOperators,
    /// The operators list no log netlens can use.
    NoLogs,
}

impl std::fmt::Display for LogListError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogListError::NotJson(e) => write!(f, "the CT log list is not valid JSON: {e}"),
            LogListError::NoOperators => f.write_str(
                "the CT log list has no \"operators\" array (expected Apple's log_list.json format)",
            ),
            LogListError::NoLogs => f.write_str("the CT log list contains no logs"),
        }
    }
}

impl std::error::Error for LogListError {}

fn parse_state(state: &serde_json::Value) -> Option<(LogState, Option<i64>)> {
    let (name, detail) = state.as_object()?.iter().next()?;
    let since = detail
        .get("timestamp")
        .and_then(|t| t.as_str())
        .and_then(netlens_x509::time::parse_moment);
    Some((LogState::parse(name)?, since))
}

impl LogList {
    /// Parses Apple's `log_list.json` (the Chrome v3 schema, with `operators[].logs` and
    /// `operators[].tiled_logs`).
    pub fn parse(json: &[u8]) -> Result<LogList, LogListError> {
        let b64 = base64::engine::general_purpose::STANDARD;
        let value: serde_json::Value =
            serde_json::from_slice(json).map_err(|e| LogListError::NotJson(e.to_string()))?;
        let operators = value
            .get("operators")
            .and_then(|o| o.as_array())
            .ok_or(LogListError::NoOperators)?;
        let mut logs = HashMap::new();
        for op in operators {
            let name = op
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or("(unnamed operator)");
            for (key, tiled) in [("logs", false), ("tiled_logs", true)] {
                for log in op.get(key).and_then(|l| l.as_array()).into_iter().flatten() {
                    let Some(id_b64) = log.get("log_id").and_then(|i| i.as_str()) else {
                        continue;
                    };
                    let Some(id) = b64
                        .decode(id_b64)
                        .ok()
                        .and_then(|i| <[u8; 32]>::try_from(i).ok())
                    else {
                        continue;
                    };
                    let Some((state, since)) = log.get("state").and_then(parse_state) else {
                        continue;
                    };
                    let key = log
                        .get("key")
                        .and_then(|k| k.as_str())
                        .and_then(|k| b64.decode(k).ok())
                        .filter(|k| !k.is_empty());
                    logs.insert(
                        id,
                        Log {
                            log_id: id_b64.to_owned(),
                            description: log
                                .get("description")
                                .and_then(|d| d.as_str())
                                .unwrap_or_default()
                                .to_owned(),
                            operator: name.to_owned(),
                            state,
                            state_since: since,
                            tiled,
                            key,
                        },
                    );
                }
            }
        }
        if logs.is_empty() {
            return Err(LogListError::NoLogs);
        }
        Ok(LogList {
            info: LogListInfo {
                version: value
                    .get("version")
                    .map(|v| v.to_string().trim_matches('"').to_owned())
                    .unwrap_or_default(),
                date: None,
                builtin: false,
                logs: logs.len(),
                operators: operators.len(),
            },
            logs,
            by_prefix: HashMap::new(),
        })
    }

    /// Apple's list as compiled in (`make trust-stores` refreshes it); `None` in a build
    /// without the `ct-log-list` feature.
    pub fn builtin() -> Option<LogList> {
        static BUILTIN: std::sync::OnceLock<Option<LogList>> = std::sync::OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                let compact = netlens_roots::ct_logs::decode(netlens_roots::ct_logs::BUILTIN)?;
                let b64 = base64::engine::general_purpose::STANDARD;
                let mut list = LogList {
                    info: LogListInfo {
                        version: compact.version,
                        date: Some(compact.date),
                        builtin: true,
                        logs: compact.logs.len(),
                        operators: 0,
                    },
                    logs: HashMap::new(),
                    by_prefix: HashMap::new(),
                };
                let mut operators: Vec<&str> = Vec::new();
                for log in &compact.logs {
                    if !operators.contains(&log.operator.as_str()) {
                        operators.push(&log.operator);
                    }
                }
                list.info.operators = operators.len();
                for log in compact.logs {
                    let entry = |log_id: String, key: Option<Vec<u8>>| Log {
                        log_id,
                        description: log.description.clone(),
                        operator: log.operator.clone(),
                        state: log.state,
                        state_since: log.since.map(i64::from),
                        tiled: log.tiled,
                        key,
                    };
                    match (&log.key, log.id_prefix) {
                        (Some(key), _) => {
                            let id = sct::key_hash(key);
                            list.logs
                                .insert(id, entry(b64.encode(id), Some(key.clone())));
                        }
                        (None, Some(prefix)) => {
                            list.by_prefix
                                .insert(prefix, entry(format!("{}…", b64.encode(prefix)), None));
                        }
                        (None, None) => {}
                    }
                }
                Some(list)
            })
            .clone()
    }

    /// The list is dated before `moment` (Unix seconds): a log that started since cannot be
    /// in it. A supplied list has no date: never.
    pub fn issued_before(&self, moment: i64) -> bool {
        self.info
            .date
            .as_deref()
            .and_then(|d| netlens_x509::time::parse_moment(&format!("{d}T23:59:59Z")))
            .is_some_and(|date| date < moment)
    }

    /// Number of logs.
    pub fn len(&self) -> usize {
        self.info.logs
    }

    /// True when there are no logs.
    pub fn is_empty(&self) -> bool {
        self.info.logs == 0
    }

    /// The log with this ID.
    pub fn get(&self, log_id: &[u8; 32]) -> Option<&Log> {
        self.logs.get(log_id).or_else(|| {
            let mut prefix = [0u8; netlens_roots::ct_logs::ID_PREFIX];
            prefix.copy_from_slice(&log_id[..netlens_roots::ct_logs::ID_PREFIX]);
            self.by_prefix.get(&prefix)
        })
    }
}

/// Apple's lifetime-in-days CT table applies from this notBefore (catalog data).
pub const CT_POLICY_2021: i64 = crate::catalog::CT_POLICY_2021.unix_seconds();
/// CT is enforced for certificates issued from this moment (the CT rules' effective date).
pub const CT_ENFORCED: i64 = crate::catalog::CT_ENFORCED.unix_seconds();

/// Embedded SCTs required and the per-operator cap, for a certificate's lifetime and issuance
/// date (Apple's table).
pub fn requirement(lifetime_days: i64, not_before: i64) -> (usize, Option<usize>) {
    if not_before >= CT_POLICY_2021 {
        if lifetime_days <= 180 {
            (2, Some(1))
        } else {
            (3, Some(2))
        }
    } else {
        let months = lifetime_days * 12 / 365;
        let n = match months {
            m if m < 15 => 2,
            m if m <= 27 => 3,
            m if m <= 39 => 4,
            _ => 5,
        };
        (n, None)
    }
}

/// The outcome of an SCT's signature check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SctSignature {
    /// The log's key verifies it.
    Valid,
    /// The log's key does not verify it: not evidence of logging.
    Invalid,
    /// Not checked: the log list has no key for the log, the algorithm is not one RFC 6962
    /// allows, or (embedded) the issuer's key is not known.
    Unchecked,
}

/// One SCT, resolved against the log list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SctView {
    /// Log ID (base64).
    pub log_id: String,
    /// When it was issued (RFC 3339).
    pub timestamp: String,
    /// How it reached the client.
    pub source: SctSource,
    /// Where it was found (a certificate, a file, the connection).
    pub found_in: String,
    /// The log, when the list knows it.
    pub log: Option<Log>,
    /// Its signature.
    pub signature: SctSignature,
    /// Counts toward Apple's requirement.
    pub counts: bool,
    /// Why it does not count, or why its signature was not checked.
    pub note: Option<String>,
}

/// One policy's verdict on the SCTs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyResult {
    /// The SCTs satisfy the policy.
    pub compliant: bool,
    /// How they satisfy it, or what is missing, in a sentence.
    pub explanation: String,
}

/// The CT evaluation of a leaf.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CtReport {
    /// The rule applies (public root, issued after enforcement began).
    pub applies: bool,
    /// Embedded SCTs required for this lifetime and issuance date.
    pub required: usize,
    /// At most this many embedded SCTs per operator count (2021 policy).
    pub per_operator_cap: Option<usize>,
    /// Embedded SCTs that count, after de-duplication, approval, signatures and operator caps.
    pub counted: usize,
    /// SCTs delivered in the handshake (TLS extension, OCSP, supplied) from distinct currently
    /// approved logs.
    pub handshake_counted: usize,
    /// At least one SCT is from a currently approved log (unknown without a log list).
    pub currently_approved: Option<bool>,
    /// Every SCT, from every source looked at.
    pub scts: Vec<SctView>,
    /// A log list was used.
    pub log_list_loaded: bool,
    /// The list used.
    pub log_list: Option<LogListInfo>,
    /// Which delivery methods were looked at.
    pub sources: Vec<SourceExamined>,
    /// Apple's policy.
    pub apple: PolicyResult,
    /// Chrome's policy.
    pub chrome: PolicyResult,
}

impl CtReport {
    /// "embedded (in the certificate); TLS extension: not looked at (…)": what was looked at.
    pub fn sources_sentence(&self) -> String {
        self.sources
            .iter()
            .map(|s| {
                if s.examined {
                    format!("{}: looked at ({})", s.source.describe(), s.how)
                } else {
                    format!("{}: not looked at ({})", s.source.describe(), s.how)
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Raw counts pass Apple's policy, before log states, operators and signatures: two SCTs
    /// from distinct logs, with one delivered in the handshake or enough embedded ones.
    pub fn enough_without_list(&self) -> bool {
        let distinct = |embedded_only: bool| {
            let mut ids: Vec<&str> = self
                .scts
                .iter()
                .filter(|s| !embedded_only || s.source == SctSource::Embedded)
                .map(|s| s.log_id.as_str())
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids.len()
        };
        let handshake = self.scts.iter().any(|s| s.source.in_handshake());
        distinct(false) >= 2 && (handshake || distinct(true) >= self.required)
    }
}

/// The sources a report says were looked at: embedded always; the handshake's two from what a
/// live connection said, else from what the user supplied.
fn sources(delivered: &Delivered) -> Vec<SourceExamined> {
    let mut out = vec![SourceExamined {
        source: SctSource::Embedded,
        examined: true,
        how: "read from the certificate".into(),
    }];
    for source in [SctSource::TlsExtension, SctSource::Ocsp] {
        if let Some(seen) = delivered.examined.iter().find(|e| e.source == source) {
            out.push(seen.clone());
            continue;
        }
        let supplied = delivered.scts.iter().any(|(s, _, _)| {
            *s == source || *s == SctSource::Supplied && source == SctSource::TlsExtension
        });
        out.push(SourceExamined {
            source,
            examined: supplied,
            how: if supplied {
                "given with the chain".into()
            } else {
                "offline, netlens sees only what you give it: `netlens chain --connect HOST` reads the handshake, \
                 or add the server's SCT list and OCSP response"
                    .into()
            },
        });
    }
    out
}

/// The AlgorithmIdentifier of an SCT's signature, for RFC 6962's two algorithms.
fn algorithm(sct: &Sct) -> Option<AlgorithmIdentifierOwned> {
    let oid = const_oid::ObjectIdentifier::new(sct.x509_algorithm()?).ok()?;
    Some(AlgorithmIdentifierOwned {
        oid,
        parameters: (sct.signature_algorithm == 1).then(der::asn1::Any::null),
    })
}

/// What the log signed for this SCT of `leaf`; `None` when it cannot be built (an embedded SCT
/// without the issuer's key or the precertificate). `precertificate` is the leaf's
/// [`sct::precertificate_tbs`], rebuilt once per leaf by the caller.
fn signed_data(
    sct: &Sct,
    source: SctSource,
    leaf: &ChainCert,
    precertificate: Option<&[u8]>,
    issuer_spki: Option<&[u8]>,
) -> Option<Vec<u8>> {
    match source {
        SctSource::Embedded => Some(sct.signed_data(Entry::Precertificate {
            issuer_key_hash: sct::key_hash(issuer_spki?),
            tbs: precertificate?,
        })),
        _ => Some(sct.signed_data(Entry::Certificate(&leaf.der))),
    }
}

/// The signature checks CT may need, for a verifier to run ahead (the browser): every SCT of
/// every certificate that carries them against each possible issuer, and every delivered SCT
/// against each end-entity certificate, where the list has the log's key.
pub fn plan(
    certs: &[ChainCert],
    store: &crate::store::TrustStore,
    delivered: &Delivered,
    list: Option<&LogList>,
) -> Vec<VerifyRequest> {
    let Some(list) = list else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut request = |sct: &Sct, message: Option<Vec<u8>>| {
        let key = list.get(&sct.log_id).and_then(|l| l.key.clone());
        if let (Some(message), Some(algorithm), Some(spki)) = (message, algorithm(sct), key) {
            out.push(VerifyRequest {
                message,
                algorithm,
                signature: sct.signature.clone(),
                spki,
            });
        }
    };
    for cert in certs {
        if !cert.details.scts.is_empty() {
            let issuers = certs
                .iter()
                .filter(|c| c.subject_key == cert.issuer_key)
                .map(|c| c.spki.clone())
                .chain(
                    store
                        .with_subject(&cert.issuer_key)
                        .into_iter()
                        .filter_map(|a| store.get(a).map(|a| a.spki.clone())),
                );
            let precertificate = sct::precertificate_tbs(&cert.der);
            for spki in issuers {
                for info in &cert.details.scts {
                    let message = signed_data(
                        &info.sct,
                        SctSource::Embedded,
                        cert,
                        precertificate.as_deref(),
                        Some(&spki),
                    );
                    request(&info.sct, message);
                }
            }
        }
        if !cert.is_ca() {
            for (source, s, _) in &delivered.scts {
                request(s, signed_data(s, *source, cert, None, None));
            }
        }
    }
    out
}

/// An SCT that counts: one per log.
struct Counted {
    log_id: [u8; 32],
    source: SctSource,
    /// From a log approved now (or unknown to a list older than the SCT).
    current: bool,
    /// The log's operator (the log's ID when the list does not know it).
    operator: String,
    /// A static-ct-api log.
    tiled: bool,
}

/// The CT evaluation of `leaf` (issued by the key `issuer_spki`, when known) with the SCTs
/// delivered beside it, against `list`, verifying signatures with `verifier`.
pub fn for_leaf(
    leaf: &ChainCert,
    issuer_spki: Option<&[u8]>,
    delivered: &Delivered,
    list: Option<&LogList>,
    verifier: &dyn Verifier,
) -> CtReport {
    let (not_before, _) = leaf.validity();
    let applies = crate::catalog::RuleId::AppleCtInsufficientScts
        .effective()
        .applies_at(not_before);
    let embedded_scts: Vec<&Sct> = leaf.details.scts.iter().map(|info| &info.sct).collect();
    let all = leaf
        .details
        .scts
        .iter()
        .map(|info| (SctSource::Embedded, &info.sct, leaf.label()))
        .chain(
            delivered
                .scts
                .iter()
                // A delivered SCT equal to an embedded one is that one (`openssl s_client -ct`
                // prints every SCT of the handshake together, embedded ones included).
                .filter(|(_, s, _)| !embedded_scts.contains(&s))
                .map(|(source, s, found)| (*source, s, found.clone())),
        );
    let precertificate = (!embedded_scts.is_empty())
        .then(|| sct::precertificate_tbs(&leaf.der))
        .flatten();
    let mut views = Vec::new();
    let mut counted_logs: Vec<Counted> = Vec::new();
    for (source, s, found_in) in all {
        let log = list.and_then(|l| l.get(&s.log_id)).cloned();
        let signature = match (log.as_ref().and_then(|l| l.key.as_deref()), algorithm(s)) {
            (Some(key), Some(alg)) => {
                match signed_data(s, source, leaf, precertificate.as_deref(), issuer_spki) {
                    Some(message) => match verifier.verify(&message, &alg, &s.signature, key) {
                        Verification::Valid => SctSignature::Valid,
                        Verification::Invalid(_) => SctSignature::Invalid,
                        Verification::Unsupported(_) => SctSignature::Unchecked,
                    },
                    None => SctSignature::Unchecked,
                }
            }
            _ => SctSignature::Unchecked,
        };
        let sct_time = s.timestamp_seconds();
        let duplicate = counted_logs.iter().any(|c| c.log_id == s.log_id);
        let (counts, note) = if duplicate {
            (
                false,
                Some("another SCT from the same log counts already".to_owned()),
            )
        } else if signature == SctSignature::Invalid {
            (
                false,
                Some("its signature does not verify with the log's key".to_owned()),
            )
        } else {
            match (&log, list) {
                (_, None) => (true, None),
                // A log newer than the list: devices with a current list may know it. Counted,
                // and said, rather than failing every certificate logged since the list's date.
                (None, Some(l)) if l.issued_before(sct_time) => (
                    true,
                    Some(format!(
                        "log not in {}, which is older than this SCT: counted as a device with a current list \
                         would if Apple approved the log since; give netlens a newer log_list.json to be sure",
                        l.info.describe()
                    )),
                ),
                (None, Some(_)) => (false, Some("log not in the CT log list".to_owned())),
                (Some(l), Some(_)) => match l.state {
                    LogState::Pending => (false, Some("log not yet approved (pending)".to_owned())),
                    LogState::Rejected => (false, Some("log rejected".to_owned())),
                    LogState::Retired if l.state_since.is_some_and(|r| sct_time >= r) => (
                        false,
                        Some("SCT issued after the log was retired".to_owned()),
                    ),
                    _ => (true, None),
                },
            }
        };
        let note = note.or_else(|| {
            (signature == SctSignature::Unchecked).then(|| match (&log, list) {
                (_, None) => "signature not checked: no CT log list".to_owned(),
                (Some(l), _) if l.key.is_none() => {
                    "signature not checked: the log list has no key for this log".to_owned()
                }
                (Some(_), _) if algorithm(s).is_none() => {
                    format!(
                        "signature not checked: {} is not an RFC 6962 algorithm",
                        s.algorithm_name()
                    )
                }
                _ => "signature not checked: the issuer's key is not known".to_owned(),
            })
        });
        if counts {
            counted_logs.push(Counted {
                log_id: s.log_id,
                source,
                current: log.as_ref().is_none_or(|l| l.state.currently_approved()),
                operator: log
                    .as_ref()
                    .map_or_else(|| s.log_id_base64(), |l| l.operator.clone()),
                tiled: log.as_ref().is_some_and(|l| l.tiled),
            });
        }
        views.push(SctView {
            log_id: s.log_id_base64(),
            timestamp: netlens_x509::time::rfc3339_from_unix(sct_time),
            source,
            found_in,
            log,
            signature,
            counts,
            note,
        });
    }
    let (required, cap) = requirement(leaf.details.validity.lifetime_days, not_before);
    let embedded: Vec<_> = counted_logs
        .iter()
        .filter(|c| c.source == SctSource::Embedded)
        .collect();
    let counted = match (list, cap) {
        (Some(_), Some(cap)) => {
            let mut per_operator: BTreeMap<&str, usize> = BTreeMap::new();
            for c in &embedded {
                *per_operator.entry(c.operator.as_str()).or_default() += 1;
            }
            per_operator.values().map(|&n| n.min(cap)).sum()
        }
        _ => embedded.len(),
    };
    let current: Vec<_> = counted_logs.iter().filter(|c| c.current).collect();
    let handshake_counted = current.iter().filter(|c| c.source.in_handshake()).count();
    let rfc6962 = list.is_none() || counted_logs.iter().any(|c| !c.tiled);
    let operators = |logs: &[&Counted]| {
        let mut ops: Vec<&str> = logs.iter().map(|c| c.operator.as_str()).collect();
        ops.sort_unstable();
        ops.dedup();
        ops.len()
    };

    let apple = {
        let by_handshake = current.len() >= 2 && handshake_counted >= 1;
        let by_embedded = embedded.iter().any(|c| c.current) && counted >= required;
        let compliant = counted_logs.len() >= 2 && (by_handshake || by_embedded) && rfc6962;
        let explanation = if compliant && by_embedded {
            format!("{counted} embedded SCT(s) count, {required} needed for this lifetime")
        } else if compliant {
            format!(
                "{} SCT(s) from currently approved logs, {handshake_counted} of them delivered in the handshake",
                current.len()
            )
        } else if !rfc6962 {
            "no counted SCT comes from an RFC 6962 log".to_owned()
        } else {
            format!(
                "{} SCT(s) count ({} embedded, {} in the handshake); Apple needs 2 from currently approved logs with one \
                 in the handshake, or {required} embedded",
                counted_logs.len(),
                counted,
                counted_logs.len() - embedded.len()
            )
        };
        PolicyResult {
            compliant,
            explanation,
        }
    };
    let chrome = {
        let chrome_needed = if leaf.details.validity.lifetime_days <= 180 {
            2
        } else {
            3
        };
        let by_embedded = embedded.len() >= chrome_needed
            && embedded.iter().any(|c| c.current)
            && (list.is_none() || operators(&embedded) >= 2);
        let handshake: Vec<_> = current
            .iter()
            .copied()
            .filter(|c| c.source.in_handshake())
            .collect();
        let by_handshake = handshake.len() >= 2 && (list.is_none() || operators(&handshake) >= 2);
        let compliant = (by_embedded || by_handshake) && rfc6962;
        let explanation = if compliant && by_embedded {
            format!(
                "embedded SCTs from {} logs of distinct operators",
                embedded.len()
            )
        } else if compliant {
            format!(
                "{} SCTs in the handshake from currently approved logs of distinct operators",
                handshake.len()
            )
        } else {
            format!(
                "Chrome needs embedded SCTs from {chrome_needed} logs of at least two operators, or two in the handshake \
                 from currently approved logs of two operators (judged with Apple's log list)"
            )
        };
        PolicyResult {
            compliant,
            explanation,
        }
    };
    CtReport {
        applies,
        required,
        per_operator_cap: cap,
        counted,
        handshake_counted,
        currently_approved: list.map(|_| !current.is_empty()),
        scts: views,
        log_list_loaded: list.is_some(),
        log_list: list.map(|l| l.info.clone()),
        sources: sources(delivered),
        apple,
        chrome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_table() {
        assert_eq!(requirement(90, CT_POLICY_2021), (2, Some(1)));
        assert_eq!(requirement(180, CT_POLICY_2021), (2, Some(1)));
        assert_eq!(requirement(181, CT_POLICY_2021), (3, Some(2)));
        assert_eq!(requirement(398, CT_POLICY_2021), (3, Some(2)));
        assert_eq!(requirement(365, CT_ENFORCED), (2, None));
        assert_eq!(requirement(730, CT_ENFORCED), (3, None));
        assert_eq!(requirement(1000, CT_ENFORCED), (4, None));
        assert_eq!(requirement(1500, CT_ENFORCED), (5, None));
    }

    #[test]
    fn the_builtin_list_has_keys_for_approved_logs_and_names_rejected_ones() {
        let list = LogList::builtin().unwrap();
        assert!(list.info.builtin && list.info.date.is_some());
        assert!(list.len() > 100, "{}", list.len());
        assert!(list.info.operators > 5);
        let usable: Vec<&Log> = list
            .logs
            .values()
            .filter(|l| l.state == LogState::Usable)
            .collect();
        assert!(!usable.is_empty());
        assert!(usable.iter().all(|l| l.key.is_some()));
        assert!(
            list.by_prefix
                .values()
                .all(|l| l.state == LogState::Rejected)
        );
    }
}
