//! What to probe and how: the endpoint, the schedule, the payload, the timeout and the message
//! mode, validated with errors a user can act on.
//!
//! The same structure is read from `netlens.config.json`, from the `<netlens-probe>` element's
//! attributes, from URL parameters and from CLI flags, so one validation serves all of them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::wire;

/// How probes and replies are paired.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MessageMode {
    /// The server returns each message unchanged: probes are small binary frames carrying a
    /// sequence number and the send time.
    #[default]
    Echo,
    /// The server answers a request it understands: each probe is `template` with `{seq}` (the
    /// sequence number) and `{t}` (send time, ms) filled in, sent as text, and a reply is a JSON
    /// text message whose `match_field` (a dotted path, e.g. `id` or `data.seq`) holds the
    /// sequence number, as a number or a string.
    RequestResponse {
        /// The request text, with `{seq}` and optionally `{t}`.
        template: String,
        /// Where the reply carries the sequence number.
        match_field: String,
    },
}

/// A probe run's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProbeConfig {
    /// `ws://` or `wss://` URL.
    pub endpoint: String,
    /// Time between probe sends, ms.
    pub interval_ms: f64,
    /// Size of each binary probe (echo mode), bytes.
    pub payload_bytes: usize,
    /// Fixed reply timeout, ms; `None` adapts it (RFC 6298 SRTT + 4·RTTVAR, 250 ms to 5 s).
    pub timeout_ms: Option<f64>,
    /// WebSocket subprotocol to request (`Sec-WebSocket-Protocol`).
    pub subprotocol: Option<String>,
    /// Echo or request/response.
    pub mode: MessageMode,
    /// Open a fresh connection for every probe (connect time each time, like the RPM draft's
    /// "foreign" probes) instead of probing one long-lived connection.
    pub fresh_connection: bool,
    /// Stop after this many probes (the CLI's `--count`); `None` runs until stopped.
    pub count: Option<u64>,
}

impl Default for ProbeConfig {
    fn default() -> Self {
        ProbeConfig {
            endpoint: DEFAULT_ENDPOINT.to_owned(),
            interval_ms: 100.0,
            payload_bytes: 32,
            timeout_ms: None,
            subprotocol: None,
            mode: MessageMode::Echo,
            fresh_connection: false,
            count: None,
        }
    }
}

/// The bundled echo server that `make serve` starts.
pub const DEFAULT_ENDPOINT: &str = "ws://127.0.0.1:9000/echo";

/// Shortest interval (100 probes/s, the RPM draft's maximum probe rate).
pub const MIN_INTERVAL_MS: f64 = 10.0;
/// Longest interval.
pub const MAX_INTERVAL_MS: f64 = 60_000.0;
/// Largest binary probe.
pub const MAX_PAYLOAD_BYTES: usize = 65_536;
/// Fixed timeouts allowed.
pub const TIMEOUT_RANGE_MS: (f64, f64) = (10.0, 60_000.0);
/// Longest request template.
pub const MAX_TEMPLATE_BYTES: usize = 4096;

/// Why a configuration cannot be used.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigError {
    /// No endpoint given.
    EmptyEndpoint,
    /// Not `ws://` or `wss://`; `suggestion` is the URL to use when the scheme was HTTP(S).
    Scheme {
        /// What was given.
        found: String,
        /// The WebSocket URL it probably meant.
        suggestion: Option<String>,
    },
    /// Malformed URL.
    Url(String),
    /// Interval outside [`MIN_INTERVAL_MS`]..=[`MAX_INTERVAL_MS`].
    Interval(f64),
    /// Payload outside [`wire::HEADER_LEN`]..=[`MAX_PAYLOAD_BYTES`].
    Payload(usize),
    /// Fixed timeout outside [`TIMEOUT_RANGE_MS`].
    Timeout(f64),
    /// Subprotocol is not an HTTP token (RFC 6455 §4.1, RFC 7230 §3.2.6).
    Subprotocol(String),
    /// Request/response template problem.
    Template(String),
    /// Request/response match field problem.
    MatchField(String),
    /// `count` of zero.
    Count,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::EmptyEndpoint => write!(f, "no endpoint: give a ws:// or wss:// URL"),
            ConfigError::Scheme { found, suggestion } => {
                write!(
                    f,
                    "`{found}` is not a WebSocket URL: it must start with ws:// or wss://"
                )?;
                if let Some(s) = suggestion {
                    write!(f, " (did you mean `{s}`?)")?;
                }
                Ok(())
            }
            ConfigError::Url(why) => write!(f, "invalid endpoint URL: {why}"),
            ConfigError::Interval(v) => write!(
                f,
                "interval {v} ms is out of range: {MIN_INTERVAL_MS} to {MAX_INTERVAL_MS} ms"
            ),
            ConfigError::Payload(v) => write!(
                f,
                "payload {v} bytes is out of range: {} to {MAX_PAYLOAD_BYTES} bytes (a probe's header is {} bytes)",
                wire::HEADER_LEN,
                wire::HEADER_LEN
            ),
            ConfigError::Timeout(v) => write!(
                f,
                "timeout {v} ms is out of range: {} to {} ms (or leave it empty to adapt)",
                TIMEOUT_RANGE_MS.0, TIMEOUT_RANGE_MS.1
            ),
            ConfigError::Subprotocol(p) => write!(
                f,
                "subprotocol `{p}` is not a valid token (letters, digits and !#$%&'*+-.^_`|~ only)"
            ),
            ConfigError::Template(why) => write!(f, "request template: {why}"),
            ConfigError::MatchField(why) => write!(f, "reply match field: {why}"),
            ConfigError::Count => write!(f, "count must be at least 1"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The parts of a WebSocket URL the probe reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// Whether it is `wss://`.
    pub secure: bool,
    /// Host as written (IPv6 without brackets).
    pub host: String,
    /// Port, explicit or the scheme's default.
    pub port: u16,
    /// Path and query, at least `/`.
    pub resource: String,
}

/// Parses and checks a `ws://` / `wss://` URL (RFC 6455 §3: no fragment, a host, an optional
/// port).
pub fn parse_endpoint(url: &str) -> Result<Endpoint, ConfigError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(ConfigError::EmptyEndpoint);
    }
    let lower = url.to_ascii_lowercase();
    let (secure, rest) = if lower.starts_with("ws://") {
        (false, &url[5..])
    } else if lower.starts_with("wss://") {
        (true, &url[6..])
    } else {
        let suggestion = if lower.starts_with("http://") {
            Some(format!("ws://{}", &url[7..]))
        } else if lower.starts_with("https://") {
            Some(format!("wss://{}", &url[8..]))
        } else if !lower.contains("://") {
            Some(format!("ws://{url}"))
        } else {
            None
        };
        return Err(ConfigError::Scheme {
            found: url.to_owned(),
            suggestion,
        });
    };
    if rest.contains('#') {
        return Err(ConfigError::Url(
            "a WebSocket URL cannot have a #fragment (RFC 6455 §3)".to_owned(),
        ));
    }
    if let Some(c) = rest.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(ConfigError::Url(format!(
            "it contains the character {c:?}; percent-encode it"
        )));
    }
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, resource) = rest.split_at(authority_end);
    if authority.contains('@') {
        return Err(ConfigError::Url(
            "credentials in the URL (user@host) are not supported by browsers' WebSocket"
                .to_owned(),
        ));
    }
    let (host, port) = if let Some(after) = authority.strip_prefix('[') {
        let Some(close) = after.find(']') else {
            return Err(ConfigError::Url("unclosed [ in an IPv6 address".to_owned()));
        };
        let host = &after[..close];
        let tail = &after[close + 1..];
        let port = match tail.strip_prefix(':') {
            Some(p) => Some(p),
            None if tail.is_empty() => None,
            None => {
                return Err(ConfigError::Url(format!(
                    "unexpected `{tail}` after the IPv6 address"
                )));
            }
        };
        (host, port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(ConfigError::Url("no host".to_owned()));
    }
    let port = match port {
        None => {
            if secure {
                443
            } else {
                80
            }
        }
        Some(p) => p.parse::<u16>().ok().filter(|&p| p != 0).ok_or_else(|| {
            ConfigError::Url(format!("port `{p}` is not a number from 1 to 65535"))
        })?,
    };
    let resource = if resource.is_empty() {
        "/".to_owned()
    } else if resource.starts_with('?') {
        format!("/{resource}")
    } else {
        resource.to_owned()
    };
    Ok(Endpoint {
        secure,
        host: host.to_owned(),
        port,
        resource,
    })
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

impl ProbeConfig {
    /// Checks every field; the first problem found is returned.
    pub fn validate(&self) -> Result<Endpoint, ConfigError> {
        let endpoint = parse_endpoint(&self.endpoint)?;
        if !(MIN_INTERVAL_MS..=MAX_INTERVAL_MS).contains(&self.interval_ms) {
            return Err(ConfigError::Interval(self.interval_ms));
        }
        if matches!(self.mode, MessageMode::Echo)
            && !(wire::HEADER_LEN..=MAX_PAYLOAD_BYTES).contains(&self.payload_bytes)
        {
            return Err(ConfigError::Payload(self.payload_bytes));
        }
        if let Some(t) = self.timeout_ms
            && !(TIMEOUT_RANGE_MS.0..=TIMEOUT_RANGE_MS.1).contains(&t)
        {
            return Err(ConfigError::Timeout(t));
        }
        if let Some(p) = &self.subprotocol
            && !is_token(p)
        {
            return Err(ConfigError::Subprotocol(p.clone()));
        }
        if let MessageMode::RequestResponse {
            template,
            match_field,
        } = &self.mode
        {
            if !template.contains("{seq}") {
                return Err(ConfigError::Template(
                    "it must contain {seq}, so replies can be matched to requests".to_owned(),
                ));
            }
            if template.len() > MAX_TEMPLATE_BYTES {
                return Err(ConfigError::Template(format!(
                    "longer than {MAX_TEMPLATE_BYTES} bytes"
                )));
            }
            if match_field.trim().is_empty() || match_field.split('.').any(str::is_empty) {
                return Err(ConfigError::MatchField(
                    "name the JSON field that carries the sequence number, e.g. `id` or `data.seq`"
                        .to_owned(),
                ));
            }
        }
        if self.count == Some(0) {
            return Err(ConfigError::Count);
        }
        Ok(endpoint)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_with_defaults_and_ipv6() {
        let e = parse_endpoint("ws://127.0.0.1:9000/echo?delay_ms=20").unwrap();
        assert_eq!(
            (e.secure, e.host.as_str(), e.port, e.resource.as_str()),
            (false, "127.0.0.1", 9000, "/echo?delay_ms=20")
        );
        let e = parse_endpoint("WSS://example.com").unwrap();
        assert_eq!((e.secure, e.port, e.resource.as_str()), (true, 443, "/"));
        let e = parse_endpoint("ws://[::1]:8080?x=1").unwrap();
        assert_eq!(
            (e.host.as_str(), e.port, e.resource.as_str()),
            ("::1", 8080, "/?x=1")
        );
    }

    #[test]
    fn bad_endpoints_say_why_and_suggest_the_fix() {
        assert_eq!(parse_endpoint("  "), Err(ConfigError::EmptyEndpoint));
        let err = parse_endpoint("https://example.com/ws").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`https://example.com/ws` is not a WebSocket URL: it must start with ws:// or wss:// (did you mean `wss://example.com/ws`?)"
        );
        assert!(
            parse_endpoint("ws://host/#frag")
                .unwrap_err()
                .to_string()
                .contains("fragment")
        );
        assert!(
            parse_endpoint("ws://host:99999/")
                .unwrap_err()
                .to_string()
                .contains("port `99999`")
        );
        assert!(
            parse_endpoint("ws:///path")
                .unwrap_err()
                .to_string()
                .contains("no host")
        );
        assert!(
            parse_endpoint("ws://[::1/")
                .unwrap_err()
                .to_string()
                .contains("IPv6")
        );
        assert!(
            parse_endpoint("ws://a b/")
                .unwrap_err()
                .to_string()
                .contains("' '")
        );
    }

    #[test]
    fn settings_are_range_checked() {
        let ok = ProbeConfig::default();
        assert!(ok.validate().is_ok());
        let bad = |f: fn(&mut ProbeConfig)| {
            let mut c = ProbeConfig::default();
            f(&mut c);
            c.validate().unwrap_err()
        };
        assert_eq!(bad(|c| c.interval_ms = 5.0), ConfigError::Interval(5.0));
        assert_eq!(bad(|c| c.payload_bytes = 8), ConfigError::Payload(8));
        assert_eq!(bad(|c| c.timeout_ms = Some(0.0)), ConfigError::Timeout(0.0));
        assert_eq!(
            bad(|c| c.subprotocol = Some("a b".into())),
            ConfigError::Subprotocol("a b".into())
        );
        assert_eq!(bad(|c| c.count = Some(0)), ConfigError::Count);
        assert!(matches!(
            bad(|c| c.mode = MessageMode::RequestResponse {
                template: "ping".into(),
                match_field: "id".into()
            }),
            ConfigError::Template(_)
        ));
        assert!(matches!(
            bad(|c| c.mode = MessageMode::RequestResponse {
                template: "{seq}".into(),
                match_field: "a..b".into()
            }),
            ConfigError::MatchField(_)
        ));
    }

    #[test]
    fn config_reads_from_json_with_defaults_and_rejects_unknown_fields() {
        let c: ProbeConfig = serde_json::from_str(r#"{"endpoint":"ws://h/","interval_ms":20,"mode":{"kind":"request_response","template":"{\"op\":\"ping\",\"id\":{seq}}","match_field":"id"}}"#).unwrap();
        assert_eq!(c.interval_ms, 20.0);
        assert_eq!(c.payload_bytes, 32);
        assert!(c.validate().is_ok());
        assert!(serde_json::from_str::<ProbeConfig>(r#"{"endpont":"ws://h/"}"#).is_err());
    }
}
