//! Apple's CT log list (`certificate_transparency/log_list.json` of security_certificates) in
//! netlens-roots' compact form ([`netlens_roots::ct_logs`]).

use base64::Engine as _;
use netlens_roots::ct_logs::{CompactList, CompactLog, ID_PREFIX, LogState};
use serde::Deserialize;

use crate::git::Repo;

/// Where the list lives in the repository.
pub const PATH: &str = "certificate_transparency/log_list.json";

#[derive(Deserialize)]
struct List {
    version: serde_json::Value,
    operators: Vec<Operator>,
}

#[derive(Deserialize)]
struct Operator {
    name: String,
    #[serde(default)]
    logs: Vec<Log>,
    #[serde(default)]
    tiled_logs: Vec<Log>,
}

#[derive(Deserialize)]
struct Log {
    description: String,
    key: String,
    log_id: String,
    state: std::collections::BTreeMap<String, State>,
}

#[derive(Deserialize)]
struct State {
    timestamp: String,
}

/// The compact list from the repository's JSON, dated by the commit that last changed it.
pub fn read(repo: &Repo) -> Result<CompactList, String> {
    let json = repo.read(PATH)?;
    let list: List = serde_json::from_slice(&json).map_err(|e| format!("{PATH}: {e}"))?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut logs = Vec::new();
    for operator in list.operators {
        let all = operator
            .logs
            .into_iter()
            .map(|l| (l, false))
            .chain(operator.tiled_logs.into_iter().map(|l| (l, true)));
        for (log, tiled) in all {
            let (name, state) = log
                .state
                .iter()
                .next()
                .ok_or(format!("{PATH}: {} has no state", log.description))?;
            let state_id = LogState::parse(name)
                .ok_or(format!("{PATH}: {}: unknown state {name}", log.description))?;
            let since = netlens_x509::time::parse_moment(&state.timestamp)
                .and_then(|t| u32::try_from(t).ok())
                .ok_or(format!("{PATH}: {}: bad timestamp", log.description))?;
            let key = b64
                .decode(&log.key)
                .map_err(|e| format!("{PATH}: {}: key: {e}", log.description))?;
            let id = b64
                .decode(&log.log_id)
                .map_err(|e| format!("{PATH}: {}: log_id: {e}", log.description))?;
            if netlens_x509::sct::key_hash(&key)[..] != id[..] {
                return Err(format!(
                    "{PATH}: {}: the log_id is not the key's SHA-256",
                    log.description
                ));
            }
            // A rejected log's SCTs never count: its name is kept, not its key.
            let keep_key = state_id != LogState::Rejected;
            logs.push(CompactLog {
                operator: operator.name.clone(),
                description: log.description,
                state: state_id,
                since: Some(since),
                tiled,
                key: keep_key.then_some(key),
                id_prefix: (!keep_key).then(|| {
                    let mut prefix = [0u8; ID_PREFIX];
                    prefix.copy_from_slice(&id[..ID_PREFIX]);
                    prefix
                }),
            });
        }
    }
    Ok(CompactList {
        version: list.version.to_string().trim_matches('"').to_owned(),
        date: repo.date_of_change(PATH)?,
        logs,
    })
}
