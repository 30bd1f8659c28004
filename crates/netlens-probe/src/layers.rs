//! Where a probe's settings come from, and which one wins.
//!
//! The browser tool reads settings from four places, highest precedence first:
//! 1. URL parameters (`?endpoint=wss://…&interval_ms=50`), so a link can carry a whole setup;
//! 2. the `<netlens-probe endpoint="…">` element's attributes, set by the page that embeds it;
//! 3. `netlens.config.json` served beside the app, `{"probe": {"endpoint": "wss://…"}}`, so
//!    whoever hosts netlens sets the default for everyone;
//! 4. the built-in defaults ([`ProbeConfig::default`], the echo server `make serve` starts).
//!
//! Each place uses the same flat setting names ([`SETTINGS`]), applied setting by setting: a
//! URL that only names the endpoint keeps the hosted interval. A value that does not parse is
//! reported and skipped (the next place down supplies it), so one typo never leaves the tool
//! without a configuration. The resolved configuration is then checked as a whole with
//! [`ProbeConfig::validate`].

use std::fmt;

use serde::Serialize;

use crate::config::{MessageMode, ProbeConfig};

/// Where a setting came from, lowest precedence first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The built-in default.
    BuiltIn,
    /// `netlens.config.json` beside the app.
    ConfigFile,
    /// An attribute of the `<netlens-probe>` element.
    Attribute,
    /// A URL parameter.
    UrlParameter,
    /// What the user typed into the tool's form (it starts from the places above).
    Form,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::BuiltIn => "the built-in default",
            Source::ConfigFile => "netlens.config.json",
            Source::Attribute => "the element's attribute",
            Source::UrlParameter => "the URL parameter",
            Source::Form => "the form",
        })
    }
}

/// The setting names every place accepts, with what each means.
pub const SETTINGS: &[(&str, &str)] = &[
    ("endpoint", "ws:// or wss:// URL"),
    ("interval_ms", "time between probes, ms (10 to 60000)"),
    (
        "payload_bytes",
        "binary probe size, bytes (24 to 65536; echo mode)",
    ),
    (
        "timeout_ms",
        "fixed reply timeout, ms (empty: adaptive, RFC 6298)",
    ),
    ("subprotocol", "WebSocket subprotocol to request"),
    (
        "request",
        "request/response mode: the request text, with {seq} and optionally {t}",
    ),
    (
        "match_field",
        "request/response mode: the JSON field carrying {seq} in replies",
    ),
    (
        "fresh_connection",
        "true: a new connection for every probe (connect time each time)",
    ),
    (
        "count",
        "stop after this many probes (empty: until stopped)",
    ),
];

/// Largest `netlens.config.json` read (it holds a handful of settings).
pub const MAX_CONFIG_FILE_BYTES: usize = 64 * 1024;

/// One place's settings, as name/value text pairs.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// Where they come from.
    pub source: Source,
    /// The settings, in the order given.
    pub values: Vec<(String, String)>,
}

/// The configuration the places add up to.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Resolved {
    /// The settings (not yet validated as a whole: see [`ProbeConfig::validate`]).
    pub config: ProbeConfig,
    /// Where the endpoint came from (the UI says so next to it).
    pub endpoint_source: Source,
    /// Settings that were ignored, and why.
    pub problems: Vec<String>,
}

impl Layer {
    /// A layer from query-string or attribute pairs; names outside [`SETTINGS`] are left out
    /// (a page's URL carries other parameters too).
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        source: Source,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Layer {
        Layer {
            source,
            values: pairs
                .into_iter()
                .filter(|(k, _)| SETTINGS.iter().any(|(name, _)| *name == k.as_ref()))
                .map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_owned()))
                .collect(),
        }
    }

    /// The layer in a `netlens.config.json` text: `{"probe": {"endpoint": "wss://…", …}}`.
    /// Values may be JSON strings, numbers or booleans; `null` means the default. Unknown
    /// names are errors here (a host's typo should not pass silently).
    pub fn from_config_file(json: &str) -> Result<Layer, ConfigFileError> {
        if json.len() > MAX_CONFIG_FILE_BYTES {
            return Err(ConfigFileError::TooLarge);
        }
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| ConfigFileError::NotJson(e.to_string()))?;
        let Some(top) = value.as_object() else {
            return Err(ConfigFileError::NotAnObject);
        };
        let mut values = Vec::new();
        for (key, section) in top {
            if key == "$schema" || key == "$comment" {
                continue;
            }
            if key != "probe" {
                return Err(ConfigFileError::UnknownSection(key.clone()));
            }
            let Some(settings) = section.as_object() else {
                return Err(ConfigFileError::ProbeNotAnObject);
            };
            for (name, v) in settings {
                if !SETTINGS.iter().any(|(known, _)| known == name) {
                    return Err(ConfigFileError::UnknownSetting(name.clone()));
                }
                let text = match v {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Bool(b) => b.to_string(),
                    serde_json::Value::Number(n) => n.to_string(),
                    _ => {
                        return Err(ConfigFileError::NotAValue(name.clone()));
                    }
                };
                values.push((name.clone(), text));
            }
        }
        Ok(Layer {
            source: Source::ConfigFile,
            values,
        })
    }
}

/// Why a `netlens.config.json` cannot be used. Its `Display` is the sentence the page shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigFileError {
    /// Larger than [`MAX_CONFIG_FILE_BYTES`].
    TooLarge,
    /// Not JSON (the parser's words).
    NotJson(String),
    /// JSON, but not an object.
    NotAnObject,
    /// A top-level section other than `probe`.
    UnknownSection(String),
    /// `probe` is not an object.
    ProbeNotAnObject,
    /// A setting the probe does not have (a host's typo should not pass silently).
    UnknownSetting(String),
    /// A setting whose value is an array or object.
    NotAValue(String),
}

impl std::fmt::Display for ConfigFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigFileError::TooLarge => write!(
                f,
                "netlens.config.json is larger than {} KiB",
                MAX_CONFIG_FILE_BYTES / 1024
            ),
            ConfigFileError::NotJson(e) => write!(f, "netlens.config.json is not valid JSON: {e}"),
            ConfigFileError::NotAnObject => {
                f.write_str("netlens.config.json must be a JSON object")
            }
            ConfigFileError::UnknownSection(key) => write!(
                f,
                "netlens.config.json: unknown section `{key}` (known: `probe`)"
            ),
            ConfigFileError::ProbeNotAnObject => {
                f.write_str("netlens.config.json: `probe` must be an object")
            }
            ConfigFileError::UnknownSetting(name) => write!(
                f,
                "netlens.config.json: unknown setting `probe.{name}` (known: {})",
                setting_names()
            ),
            ConfigFileError::NotAValue(name) => write!(
                f,
                "netlens.config.json: `probe.{name}` must be a string, number or boolean"
            ),
        }
    }
}

impl std::error::Error for ConfigFileError {}

fn setting_names() -> String {
    SETTINGS
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_number(value: &str) -> Result<f64, String> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("`{value}` is not a number"))
}

fn parse_whole(value: &str) -> Result<u64, String> {
    value
        .trim()
        .parse::<u64>()
        .map_err(|_| format!("`{value}` is not a whole number"))
}

fn parse_flag(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        // A bare attribute (`<netlens-probe fresh_connection>`) or `?fresh_connection`.
        "" | "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!("`{value}` is not true or false")),
    }
}

fn optional(value: &str) -> Option<&str> {
    let v = value.trim();
    (!v.is_empty()).then_some(v)
}

/// Request/response settings collected across layers (the mode needs both).
#[derive(Default)]
struct RequestParts {
    template: Option<String>,
    match_field: Option<String>,
}

/// Applies one setting to `config`.
fn apply(
    config: &mut ProbeConfig,
    parts: &mut RequestParts,
    name: &str,
    value: &str,
) -> Result<(), String> {
    match name {
        "endpoint" => config.endpoint = value.trim().to_owned(),
        "interval_ms" => config.interval_ms = parse_number(value)?,
        "payload_bytes" => config.payload_bytes = parse_whole(value)? as usize,
        "timeout_ms" => {
            config.timeout_ms = optional(value).map(parse_number).transpose()?;
        }
        "subprotocol" => config.subprotocol = optional(value).map(str::to_owned),
        "request" => parts.template = optional(value).map(str::to_owned),
        "match_field" => parts.match_field = optional(value).map(str::to_owned),
        "fresh_connection" => config.fresh_connection = parse_flag(value)?,
        "count" => config.count = optional(value).map(parse_whole).transpose()?,
        _ => return Err(format!("unknown setting (known: {})", setting_names())),
    }
    Ok(())
}

/// Adds up `layers` (any order; precedence follows [`Source`]) over the built-in defaults.
pub fn resolve(layers: &[Layer]) -> Resolved {
    let mut ordered: Vec<&Layer> = layers.iter().collect();
    ordered.sort_by_key(|l| l.source);
    let mut config = ProbeConfig::default();
    let mut parts = RequestParts::default();
    let mut endpoint_source = Source::BuiltIn;
    let mut problems = Vec::new();
    for layer in ordered {
        for (name, value) in &layer.values {
            match apply(&mut config, &mut parts, name, value) {
                Ok(()) if name == "endpoint" => endpoint_source = layer.source,
                Ok(()) => {}
                Err(why) => problems.push(format!("{name} from {}: {why}; ignored", layer.source)),
            }
        }
    }
    match (parts.template, parts.match_field) {
        (Some(template), Some(match_field)) => {
            config.mode = MessageMode::RequestResponse {
                template,
                match_field,
            };
        }
        (None, None) => {}
        (Some(_), None) => problems.push(
            "request is set but match_field is not: both are needed for request/response mode; using echo mode"
                .to_owned(),
        ),
        (None, Some(_)) => problems.push(
            "match_field is set but request is not: both are needed for request/response mode; using echo mode"
                .to_owned(),
        ),
    }
    Resolved {
        config,
        endpoint_source,
        problems,
    }
}

/// The query pairs of a URL's search part or hash route (`?a=1&b=2`, `#/probe?a=1`),
/// percent-decoded (`+` is a space, as in forms).
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    let query = match query.find('?') {
        Some(i) => &query[i + 1..],
        None => query,
    };
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(pair), String::new()),
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;
    use crate::config::DEFAULT_ENDPOINT;

    fn layer(source: Source, pairs: &[(&str, &str)]) -> Layer {
        Layer::from_pairs(source, pairs.iter().copied())
    }

    #[test]
    fn nothing_given_is_the_built_in_default() {
        let r = resolve(&[]);
        assert_eq!(r.config, ProbeConfig::default());
        assert_eq!(r.config.endpoint, DEFAULT_ENDPOINT);
        assert_eq!(r.endpoint_source, Source::BuiltIn);
        assert!(r.problems.is_empty());
    }

    #[test]
    fn precedence_is_url_then_attribute_then_file_then_default() {
        let file = Layer::from_config_file(
            r#"{"probe": {"endpoint": "wss://file/e", "interval_ms": 250}}"#,
        )
        .unwrap();
        let attribute = layer(
            Source::Attribute,
            &[("endpoint", "wss://attr/e"), ("payload_bytes", "64")],
        );
        let url = layer(Source::UrlParameter, &[("endpoint", "wss://url/e")]);
        // Given in any order, applied by precedence.
        let r = resolve(&[url.clone(), file.clone(), attribute.clone()]);
        assert_eq!(r.config.endpoint, "wss://url/e");
        assert_eq!(r.endpoint_source, Source::UrlParameter);
        // Settings the URL does not name come from the layers below, setting by setting.
        assert_eq!(r.config.interval_ms, 250.0);
        assert_eq!(r.config.payload_bytes, 64);
        let r = resolve(&[file.clone(), attribute]);
        assert_eq!(
            (r.config.endpoint.as_str(), r.endpoint_source),
            ("wss://attr/e", Source::Attribute)
        );
        let r = resolve(&[file]);
        assert_eq!(
            (r.config.endpoint.as_str(), r.endpoint_source),
            ("wss://file/e", Source::ConfigFile)
        );
    }

    #[test]
    fn a_bad_value_is_reported_and_the_layer_below_wins() {
        let file = Layer::from_config_file(r#"{"probe": {"interval_ms": 40}}"#).unwrap();
        let url = layer(Source::UrlParameter, &[("interval_ms", "fast")]);
        let r = resolve(&[file, url]);
        assert_eq!(r.config.interval_ms, 40.0);
        assert_eq!(
            r.problems,
            ["interval_ms from the URL parameter: `fast` is not a number; ignored"]
        );
    }

    #[test]
    fn every_setting_parses() {
        let r = resolve(&[layer(
            Source::Attribute,
            &[
                ("endpoint", " ws://h:1/x "),
                ("interval_ms", "20.5"),
                ("payload_bytes", "100"),
                ("timeout_ms", "800"),
                ("subprotocol", "chat"),
                ("request", r#"{"op":"ping","id":{seq}}"#),
                ("match_field", "id"),
                ("fresh_connection", ""),
                ("count", "7"),
            ],
        )]);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let c = r.config;
        assert_eq!(c.endpoint, "ws://h:1/x");
        assert_eq!(c.interval_ms, 20.5);
        assert_eq!(c.payload_bytes, 100);
        assert_eq!(c.timeout_ms, Some(800.0));
        assert_eq!(c.subprotocol.as_deref(), Some("chat"));
        assert_eq!(
            c.mode,
            MessageMode::RequestResponse {
                template: r#"{"op":"ping","id":{seq}}"#.to_owned(),
                match_field: "id".to_owned()
            }
        );
        assert!(c.fresh_connection);
        assert_eq!(c.count, Some(7));
        assert!(c.validate().is_ok());
        // Empty values mean "the default" for optional settings; flags read false.
        let r = resolve(&[layer(
            Source::UrlParameter,
            &[
                ("timeout_ms", ""),
                ("count", " "),
                ("fresh_connection", "off"),
            ],
        )]);
        assert_eq!(r.config, ProbeConfig::default());
    }

    #[test]
    fn request_needs_match_field() {
        let r = resolve(&[layer(Source::UrlParameter, &[("request", "{seq}")])]);
        assert_eq!(r.config.mode, MessageMode::Echo);
        assert_eq!(r.problems.len(), 1);
        assert!(r.problems[0].contains("match_field"), "{:?}", r.problems);
    }

    #[test]
    fn config_file_errors_name_the_problem() {
        let cases = [
            ("[]", "must be a JSON object"),
            ("{", "not valid JSON"),
            (r#"{"prob": {}}"#, "unknown section `prob`"),
            (r#"{"probe": 3}"#, "`probe` must be an object"),
            (
                r#"{"probe": {"endpiont": "ws://x"}}"#,
                "unknown setting `probe.endpiont`",
            ),
            (
                r#"{"probe": {"count": [1]}}"#,
                "must be a string, number or boolean",
            ),
        ];
        for (json, expected) in cases {
            let e = Layer::from_config_file(json).unwrap_err().to_string();
            assert!(e.contains(expected), "{json}: {e}");
        }
        let big = format!(r#"{{"probe": {{"request": "{}"}}}}"#, "x".repeat(70_000));
        assert!(
            Layer::from_config_file(&big)
                .unwrap_err()
                .to_string()
                .contains("larger")
        );
        // Typed JSON values and comments are accepted.
        let l = Layer::from_config_file(
            r#"{"$comment": "hosted default", "probe": {"fresh_connection": true, "count": 5, "timeout_ms": null}}"#,
        )
        .unwrap();
        let r = resolve(&[l]);
        assert!(r.config.fresh_connection);
        assert_eq!(r.config.count, Some(5));
        assert_eq!(r.config.timeout_ms, None);
    }

    #[test]
    fn the_shipped_config_file_keeps_the_built_in_defaults() {
        // dist/netlens.config.json, which hosts edit: valid, and changes nothing until they do.
        let shipped = include_str!("../../../web/netlens.config.json");
        let layer = Layer::from_config_file(shipped).unwrap();
        assert!(layer.values.is_empty());
        assert_eq!(resolve(&[layer]).config, ProbeConfig::default());
        // Every setting it documents is one we accept.
        for (name, _) in SETTINGS {
            assert!(
                shipped.contains(name),
                "{name} is not documented in the shipped file"
            );
        }
    }

    #[test]
    fn query_strings_decode() {
        assert_eq!(
            query_pairs("?endpoint=wss%3A%2F%2Fh%2Fe%3Fdelay_ms%3D20&x=1+2&flag&bad=%zz&end=%4"),
            [
                ("endpoint".to_owned(), "wss://h/e?delay_ms=20".to_owned()),
                ("x".to_owned(), "1 2".to_owned()),
                ("flag".to_owned(), String::new()),
                ("bad".to_owned(), "%zz".to_owned()),
                ("end".to_owned(), "%4".to_owned()),
            ]
        );
        assert_eq!(
            query_pairs("#/probe?endpoint=ws://a/b"),
            [("endpoint".to_owned(), "ws://a/b".to_owned())]
        );
        assert!(query_pairs("").is_empty());
        // Unknown names are dropped from URL and attribute layers.
        let l = Layer::from_pairs(Source::UrlParameter, query_pairs("?utm=1&count=3"));
        assert_eq!(l.values, [("count".to_owned(), "3".to_owned())]);
        // Non-UTF-8 escapes never panic.
        assert_eq!(query_pairs("a=%ff")[0].1, "\u{fffd}");
    }
}
