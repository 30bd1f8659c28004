//! Apple's Certificate Transparency log list, compiled in, in a compact form.
//!
//! Apple's CT policy (support.apple.com/103214) counts SCTs by the state of their log and the
//! log's operator, so judging it needs Apple's `log_list.json`. The JSON is 114 KB; what a
//! client's judgement uses is much smaller: per log its operator, state and the date of that
//! state, whether it is an RFC 6962 or a static-ct-api (tiled) log, and the key that verifies
//! its SCTs. Logs Apple rejected keep no key (their SCTs never count), only the first 8 bytes of
//! their ID, so an SCT from one is still named rather than called unknown.
//!
//! `data/apple-ct-logs.bin` is written by `netlens-roots-gen` from
//! `certificate_transparency/log_list.json` of `apple-oss-distributions/security_certificates`
//! (`make trust-stores`), like the root stores.
//!
//! Layout (big-endian): `NLCT`, format 1; the list's version, the date of its commit (strings
//! with a 1-byte length); the operator count (1 byte); per operator its name and log count (1
//! byte); per log a flags byte (state in the low 3 bits, 0x08 tiled, 0x10 key follows), the
//! state's date (4 bytes, Unix seconds, 0 = none), the description, then the key (2-byte
//! length) or the ID's first 8 bytes.

/// The list as compiled in (empty without the `ct-log-list` feature).
#[cfg(feature = "ct-log-list")]
pub const BUILTIN: &[u8] = include_bytes!("../data/apple-ct-logs.bin");
/// The list as compiled in (empty without the `ct-log-list` feature).
#[cfg(not(feature = "ct-log-list"))]
pub const BUILTIN: &[u8] = &[];

const MAGIC: &[u8] = b"NLCT\x01";
/// Bytes of a rejected log's ID that are kept.
pub const ID_PREFIX: usize = 8;

/// A log's state in Apple's list (its lifecycle, RFC 6962 logs and static-ct-api logs alike).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogState {
    /// Not yet accepted.
    Pending = 0,
    /// Accepted, monitoring period.
    Qualified = 1,
    /// Fully approved.
    Usable = 2,
    /// Approved, no longer accepting submissions.
    Readonly = 3,
    /// Was approved; SCTs from before retirement still count.
    Retired = 4,
    /// Never approved, or disqualified.
    Rejected = 5,
}

impl LogState {
    /// Every state, by its number.
    pub const ALL: [LogState; 6] = [
        LogState::Pending,
        LogState::Qualified,
        LogState::Usable,
        LogState::Readonly,
        LogState::Retired,
        LogState::Rejected,
    ];

    /// The state's key in the JSON list (`usable`).
    pub fn id(self) -> &'static str {
        match self {
            LogState::Pending => "pending",
            LogState::Qualified => "qualified",
            LogState::Usable => "usable",
            LogState::Readonly => "readonly",
            LogState::Retired => "retired",
            LogState::Rejected => "rejected",
        }
    }

    /// The state with this JSON key.
    pub fn parse(id: &str) -> Option<LogState> {
        LogState::ALL.into_iter().find(|s| s.id() == id)
    }

    /// Approved now: qualified, usable or read-only.
    pub fn currently_approved(self) -> bool {
        matches!(
            self,
            LogState::Qualified | LogState::Usable | LogState::Readonly
        )
    }
}

/// One log of the compact list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompactLog {
    /// The operator's name.
    pub operator: String,
    /// The log's description ("Cloudflare 'Nimbus2026' Log").
    pub description: String,
    /// Its state.
    pub state: LogState,
    /// When it entered that state (Unix seconds).
    pub since: Option<u32>,
    /// A static-ct-api (tiled) log.
    pub tiled: bool,
    /// Its key (SubjectPublicKeyInfo DER); `None` for rejected logs, which keep [`Self::id_prefix`].
    pub key: Option<Vec<u8>>,
    /// The first [`ID_PREFIX`] bytes of its ID, for logs without a key.
    pub id_prefix: Option<[u8; ID_PREFIX]>,
}

/// The compact list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompactList {
    /// The list's `version`.
    pub version: String,
    /// The date of the commit that last changed it (YYYY-MM-DD).
    pub date: String,
    /// Every log.
    pub logs: Vec<CompactLog>,
}

/// Why a list does not fit the compact form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// A field is longer than the form allows, or a count too high: which.
    TooLarge(String),
    /// A log has neither a key nor an ID prefix: its description.
    NoId(String),
}

impl core::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            EncodeError::TooLarge(what) => write!(f, "{what} does not fit the compact CT log list"),
            EncodeError::NoId(log) => write!(f, "the log {log:?} has neither a key nor an ID"),
        }
    }
}

impl std::error::Error for EncodeError {}

/// Writes `list` in the compact form. `Err` names what does not fit it.
pub fn encode(list: &CompactList) -> Result<Vec<u8>, EncodeError> {
    let mut out = MAGIC.to_vec();
    let too_large = |what: String| EncodeError::TooLarge(what);
    let short = |out: &mut Vec<u8>, s: &str| -> Result<(), EncodeError> {
        let n = u8::try_from(s.len()).map_err(|_| too_large(format!("{s:?} (over 255 bytes)")))?;
        out.push(n);
        out.extend_from_slice(s.as_bytes());
        Ok(())
    };
    short(&mut out, &list.version)?;
    short(&mut out, &list.date)?;
    let mut operators: Vec<&str> = Vec::new();
    for log in &list.logs {
        if !operators.contains(&log.operator.as_str()) {
            operators.push(&log.operator);
        }
    }
    out.push(u8::try_from(operators.len()).map_err(|_| too_large("over 255 operators".into()))?);
    for operator in operators {
        short(&mut out, operator)?;
        let logs: Vec<&CompactLog> = list
            .logs
            .iter()
            .filter(|l| l.operator == operator)
            .collect();
        out.push(
            u8::try_from(logs.len())
                .map_err(|_| too_large(format!("{operator}'s over 255 logs")))?,
        );
        for log in logs {
            let mut flags = log.state as u8;
            if log.tiled {
                flags |= 0x08;
            }
            if log.key.is_some() {
                flags |= 0x10;
            }
            out.push(flags);
            out.extend_from_slice(&log.since.unwrap_or(0).to_be_bytes());
            short(&mut out, &log.description)?;
            match (&log.key, &log.id_prefix) {
                (Some(key), _) => {
                    let n = u16::try_from(key.len())
                        .map_err(|_| too_large(format!("{}'s key", log.description)))?;
                    out.extend_from_slice(&n.to_be_bytes());
                    out.extend_from_slice(key);
                }
                (None, Some(prefix)) => out.extend_from_slice(prefix),
                (None, None) => return Err(EncodeError::NoId(log.description.clone())),
            }
        }
    }
    Ok(out)
}

/// Reads the compact form; `None` when the bytes are not one.
pub fn decode(bytes: &[u8]) -> Option<CompactList> {
    read(bytes.strip_prefix(MAGIC)?)
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let slice = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(slice)
    }

    fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn text(&mut self) -> Option<String> {
        let n = usize::from(self.byte()?);
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
}

fn read(bytes: &[u8]) -> Option<CompactList> {
    let mut c = Cursor { bytes, at: 0 };
    let version = c.text()?;
    let date = c.text()?;
    let operators = c.byte()?;
    let mut logs = Vec::new();
    for _ in 0..operators {
        let operator = c.text()?;
        for _ in 0..c.byte()? {
            let flags = c.byte()?;
            let state = *LogState::ALL.get(usize::from(flags & 0x07))?;
            let since = u32::from_be_bytes(c.take(4)?.try_into().ok()?);
            let description = c.text()?;
            let (key, id_prefix) = if flags & 0x10 != 0 {
                let n = c.take(2)?;
                let n = usize::from(n[0]) << 8 | usize::from(n[1]);
                (Some(c.take(n)?.to_vec()), None)
            } else {
                (None, Some(c.take(ID_PREFIX)?.try_into().ok()?))
            };
            logs.push(CompactLog {
                operator: operator.clone(),
                description,
                state,
                since: (since != 0).then_some(since),
                tiled: flags & 0x08 != 0,
                key,
                id_prefix,
            });
        }
    }
    (c.at == bytes.len()).then_some(CompactList {
        version,
        date,
        logs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let list = CompactList {
            version: "375".into(),
            date: "2025-10-16".into(),
            logs: vec![
                CompactLog {
                    operator: "A".into(),
                    description: "A 2026".into(),
                    state: LogState::Usable,
                    since: Some(1_700_000_000),
                    tiled: false,
                    key: Some(vec![1, 2, 3]),
                    id_prefix: None,
                },
                CompactLog {
                    operator: "B".into(),
                    description: "B old".into(),
                    state: LogState::Rejected,
                    since: None,
                    tiled: true,
                    key: None,
                    id_prefix: Some([9; ID_PREFIX]),
                },
            ],
        };
        let bytes = encode(&list).unwrap();
        assert_eq!(decode(&bytes), Some(list));
        for cut in 0..bytes.len() {
            assert_eq!(decode(&bytes[..cut]), None);
        }
    }

    #[test]
    #[cfg(feature = "ct-log-list")]
    fn the_builtin_list_reads() {
        let list = decode(BUILTIN).expect("data/apple-ct-logs.bin is a compact list");
        assert!(list.logs.len() > 50, "{} logs", list.logs.len());
        assert!(list.logs.iter().any(|l| l.state == LogState::Usable));
    }
}
