//! Certificate Transparency: Apple's policy, counted on the SCTs embedded in the leaf.
//!
//! Apple (support.apple.com/103214, version of 2025-04-21) requires, for certificates chaining to
//! a preinstalled root: SCTs from logs that are or were approved, and for embedded SCTs a number
//! that depends on the lifetime: 2 for ≤ 180 days (at most 1 per operator counting), 3 for 181 to
//! 398 days (at most 2 per operator). Certificates issued before 2021-04-21 follow the older
//! month-based table (2 / 3 / 4 / 5 SCTs). CT is enforced for certificates issued from
//! 2018-10-15 (iOS 12.1).
//!
//! Without a log list netlens can only count distinct log IDs. With Apple's `log_list.json`
//! (`valid.apple.com/ct/log-list/current_log_list.json`) it knows each log's operator and state,
//! so it also checks operator diversity and that the logs are approved.
//!
//! Offline, only *embedded* SCTs are visible: SCTs a server sends in the TLS extension or in a
//! stapled OCSP response also count for Apple, which every finding says.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use serde::Serialize;

/// A log's state in Apple's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogState {
    /// Not yet accepted.
    Pending,
    /// Accepted, monitoring period.
    Qualified,
    /// Fully approved.
    Usable,
    /// Approved, no longer accepting submissions.
    Readonly,
    /// Was approved; SCTs from before retirement still count.
    Retired,
    /// Never approved, or disqualified.
    Rejected,
}

impl LogState {
    /// Approved now (counts as "currently approved").
    pub fn currently_approved(self) -> bool {
        matches!(
            self,
            LogState::Qualified | LogState::Usable | LogState::Readonly
        )
    }
}

/// One log from the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Log {
    /// Log ID, base64 (SHA-256 of its key).
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
}

/// Apple's CT log list.
#[derive(Clone, Debug, Default)]
pub struct LogList {
    /// The list's `version`.
    pub version: String,
    logs: HashMap<Vec<u8>, Log>,
    /// Number of operators.
    pub operators: usize,
}

fn parse_state(state: &serde_json::Value) -> Option<(LogState, Option<i64>)> {
    let obj = state.as_object()?;
    let (name, detail) = obj.iter().next()?;
    let s = match name.as_str() {
        "pending" => LogState::Pending,
        "qualified" => LogState::Qualified,
        "usable" => LogState::Usable,
        "readonly" => LogState::Readonly,
        "retired" => LogState::Retired,
        "rejected" => LogState::Rejected,
        _ => return None,
    };
    let since = detail
        .get("timestamp")
        .and_then(|t| t.as_str())
        .and_then(netlens_x509::time::parse_moment);
    Some((s, since))
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

impl LogList {
    /// Parses Apple's `log_list.json` (the Chrome v3 schema, with `operators[].logs` and
    /// `operators[].tiled_logs`).
    pub fn parse(json: &[u8]) -> Result<LogList, LogListError> {
        let value: serde_json::Value =
            serde_json::from_slice(json).map_err(|e| LogListError::NotJson(e.to_string()))?;
        let operators = value
            .get("operators")
            .and_then(|o| o.as_array())
            .ok_or(LogListError::NoOperators)?;
        let mut list = LogList {
            version: value
                .get("version")
                .map(|v| v.to_string().trim_matches('"').to_owned())
                .unwrap_or_default(),
            logs: HashMap::new(),
            operators: operators.len(),
        };
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
                    let Ok(id) = base64::engine::general_purpose::STANDARD.decode(id_b64) else {
                        continue;
                    };
                    let Some((state, since)) = log.get("state").and_then(parse_state) else {
                        continue;
                    };
                    list.logs.insert(
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
                        },
                    );
                }
            }
        }
        if list.logs.is_empty() {
            return Err(LogListError::NoLogs);
        }
        Ok(list)
    }

    /// Number of logs.
    pub fn len(&self) -> usize {
        self.logs.len()
    }

    /// True when there are no logs.
    pub fn is_empty(&self) -> bool {
        self.logs.is_empty()
    }

    /// The log with this base64 ID.
    pub fn get(&self, log_id_b64: &str) -> Option<&Log> {
        let id = base64::engine::general_purpose::STANDARD
            .decode(log_id_b64)
            .ok()?;
        self.logs.get(&id)
    }
}

/// Apple's lifetime-in-days CT table applies from this notBefore (catalog data).
pub const CT_POLICY_2021: i64 = crate::catalog::CT_POLICY_2021.unix_seconds();
/// CT is enforced for certificates issued from this moment (the CT rules' effective date).
pub const CT_ENFORCED: i64 = crate::catalog::CT_ENFORCED.unix_seconds();

/// SCTs required and the per-operator cap, for a certificate's lifetime and issuance date.
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

/// One embedded SCT, resolved against the log list when loaded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SctView {
    /// Log ID (base64).
    pub log_id: String,
    /// When it was issued (RFC 3339).
    pub timestamp: String,
    /// The log, when the list knows it.
    pub log: Option<Log>,
    /// Counts toward Apple's requirement.
    pub counts: bool,
    /// Why it does not count, when it does not.
    pub note: Option<String>,
}

/// Apple CT evaluation of a leaf.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CtReport {
    /// The rule applies (public root, issued after enforcement began).
    pub applies: bool,
    /// SCTs required.
    pub required: usize,
    /// At most this many SCTs per operator count (new policy).
    pub per_operator_cap: Option<usize>,
    /// SCTs that count, after de-duplication, approval and operator caps.
    pub counted: usize,
    /// At least one SCT is from a currently approved log (unknown without a log list).
    pub currently_approved: Option<bool>,
    /// The embedded SCTs.
    pub scts: Vec<SctView>,
    /// A log list was used.
    pub log_list_loaded: bool,
}

/// Apple's CT evaluation of a leaf that chains to a public root: its embedded SCTs against the
/// policy for its lifetime and issuance date; it applies from the CT rules' effective date.
pub fn for_leaf(leaf: &crate::model::ChainCert, list: Option<&LogList>) -> CtReport {
    let (not_before, _) = leaf.validity();
    evaluate(
        &leaf.details.scts,
        leaf.details.validity.lifetime_days,
        not_before,
        crate::catalog::RuleId::AppleCtInsufficientScts
            .effective()
            .applies_at(not_before),
        list,
    )
}

/// Evaluates the leaf's embedded SCTs against Apple's policy.
pub fn evaluate(
    scts: &[netlens_x509::extensions::SctInfo],
    lifetime_days: i64,
    not_before: i64,
    applies: bool,
    list: Option<&LogList>,
) -> CtReport {
    let (required, cap) = requirement(lifetime_days, not_before);
    let mut seen_logs = Vec::new();
    let mut views = Vec::new();
    let mut per_operator: BTreeMap<String, usize> = BTreeMap::new();
    let mut counted_raw = 0usize;
    let mut approved_now = false;
    for sct in scts {
        let log = list.and_then(|l| l.get(&sct.log_id)).cloned();
        let sct_time = i64::try_from(sct.timestamp_ms / 1000).unwrap_or(i64::MAX);
        let (counts, note) = if seen_logs.contains(&sct.log_id) {
            (false, Some("another SCT from the same log".to_owned()))
        } else {
            match (&log, list) {
                (_, None) => (true, None),
                (None, Some(_)) => (false, Some("log not in Apple's list".to_owned())),
                (Some(l), Some(_)) => match l.state {
                    LogState::Pending => (false, Some("log not yet approved (pending)".to_owned())),
                    LogState::Rejected => (false, Some("log rejected by Apple".to_owned())),
                    LogState::Retired if l.state_since.is_some_and(|r| sct_time >= r) => (
                        false,
                        Some("SCT issued after the log was retired".to_owned()),
                    ),
                    _ => (true, None),
                },
            }
        };
        if counts {
            seen_logs.push(sct.log_id.clone());
            if let Some(l) = &log {
                approved_now |= l.state.currently_approved();
                *per_operator.entry(l.operator.clone()).or_default() += 1;
            }
            counted_raw += 1;
        }
        views.push(SctView {
            log_id: sct.log_id.clone(),
            timestamp: sct.timestamp.clone(),
            log,
            counts,
            note,
        });
    }
    let counted = match (list, cap) {
        (Some(_), Some(cap)) => per_operator.values().map(|&n| n.min(cap)).sum(),
        _ => counted_raw,
    };
    CtReport {
        applies,
        required,
        per_operator_cap: cap,
        counted,
        currently_approved: list.map(|_| approved_now),
        scts: views,
        log_list_loaded: list.is_some(),
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
}
