//! A responsiveness server's configuration: the JSON document a `networkQuality -C URL` or
//! goresponsiveness `--config` run starts from (draft-ietf-ippm-responsiveness §4.1, "Server
//! Configuration"), read so that `netlens quality https://HOST/config` measures against the
//! same server those tools do, over HTTP/2 as the draft requires.
//!
//! The draft's document is `{"version": 1, "urls": {"small_https_download_url": …,
//! "large_https_download_url": …, "https_upload_url": …}, "test_endpoint": …}`; Apple's own
//! server configuration also carries `small_download_url`, `large_download_url` and
//! `upload_url`, read when the `https_` spellings are absent. Every problem is a sentence naming
//! what was expected, since the reader usually typed a URL and has never seen the document.

use std::fmt;

/// Largest configuration document read (Apple's and netlens-echo's are a few hundred bytes).
pub const MAX_CONFIG_BYTES: usize = 64 * 1024;

/// The three URLs a run uses (and the optional host to connect to instead of theirs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// A tiny resource: latency probes.
    pub small_url: String,
    /// A resource that does not run out: download load.
    pub large_url: String,
    /// Accepts a POST body of any length: upload load.
    pub upload_url: String,
    /// `test_endpoint`: the host to connect to for every URL, when the document names one.
    pub test_endpoint: Option<String>,
}

/// Why a configuration cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// More than [`MAX_CONFIG_BYTES`].
    TooLarge,
    /// Not JSON at all (an HTML page, a WebSocket server's error text…): its first characters.
    NotJson {
        /// The start of what came back, for the reader to recognise.
        start: String,
    },
    /// JSON, but no `urls` object.
    NoUrls,
    /// A `version` other than 1.
    Version(String),
    /// `urls` lacks these keys.
    MissingUrls(Vec<&'static str>),
    /// A URL that is not http:// or https://.
    BadUrl {
        /// Its key.
        key: &'static str,
        /// Its value.
        url: String,
    },
}

const EXAMPLE: &str = r#"{"version":1,"urls":{"small_https_download_url":"https://HOST/small","large_https_download_url":"https://HOST/large","https_upload_url":"https://HOST/upload"}}"#;

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::TooLarge => write!(
                f,
                "The configuration is larger than {} KiB; a responsiveness server's is a few hundred bytes: check the URL.",
                MAX_CONFIG_BYTES / 1024
            ),
            ConfigError::NotJson { start } => write!(
                f,
                "The configuration URL did not return JSON (it began {start:?}); a responsiveness server answers it with {EXAMPLE}."
            ),
            ConfigError::NoUrls => write!(
                f,
                "The configuration is JSON but has no \"urls\" object; a responsiveness server answers with {EXAMPLE}."
            ),
            ConfigError::Version(v) => write!(
                f,
                "The configuration says version {v}; netlens reads version 1, the draft's."
            ),
            ConfigError::MissingUrls(keys) => write!(
                f,
                "The configuration's \"urls\" lacks {}; a run needs a small resource, a large one and an upload URL.",
                keys.join(", ")
            ),
            ConfigError::BadUrl { key, url } => write!(
                f,
                "The configuration's {key} is {url:?}, not an http:// or https:// URL."
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The keys of each URL, the draft's first.
const KEYS: [(&str, &str); 3] = [
    ("small_https_download_url", "small_download_url"),
    ("large_https_download_url", "large_download_url"),
    ("https_upload_url", "upload_url"),
];

/// Reads a configuration document.
pub fn parse(bytes: &[u8]) -> Result<ServerConfig, ConfigError> {
    if bytes.len() > MAX_CONFIG_BYTES {
        return Err(ConfigError::TooLarge);
    }
    let not_json = || ConfigError::NotJson {
        start: String::from_utf8_lossy(bytes)
            .trim_start()
            .chars()
            .take(40)
            .collect(),
    };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|_| not_json())?;
    let Some(urls) = value.get("urls").and_then(|u| u.as_object()) else {
        return Err(ConfigError::NoUrls);
    };
    match value.get("version") {
        None => {}
        Some(v) if v.as_u64() == Some(1) => {}
        Some(v) => return Err(ConfigError::Version(v.to_string())),
    }
    let mut found = Vec::with_capacity(3);
    let mut missing = Vec::new();
    for (key, fallback) in KEYS {
        let url = urls
            .get(key)
            .or_else(|| urls.get(fallback))
            .and_then(|u| u.as_str());
        match url {
            Some(url) => {
                let lower = url.to_ascii_lowercase();
                if !(lower.starts_with("https://") || lower.starts_with("http://"))
                    || url.len() > 2048
                {
                    return Err(ConfigError::BadUrl {
                        key,
                        url: url.chars().take(100).collect(),
                    });
                }
                found.push(url.to_owned());
            }
            None => missing.push(key),
        }
    }
    if !missing.is_empty() {
        return Err(ConfigError::MissingUrls(missing));
    }
    let [small_url, large_url, upload_url]: [String; 3] =
        found.try_into().map_err(|_| ConfigError::NoUrls)?;
    let test_endpoint = value
        .get("test_endpoint")
        .and_then(|e| e.as_str())
        .filter(|e| !e.is_empty())
        .map(str::to_owned);
    Ok(ServerConfig {
        small_url,
        large_url,
        upload_url,
        test_endpoint,
    })
}

/// The parts of an http(s) URL a client connects with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpUrl {
    /// `https://` (else `http://`).
    pub tls: bool,
    /// The host, without brackets around an IPv6 address.
    pub host: String,
    /// The port (443 or 80 when the URL has none).
    pub port: u16,
    /// The path and query, `/` at least.
    pub path: String,
}

impl HttpUrl {
    /// Splits `url`; `None` for anything but http(s)://host[:port][/path].
    pub fn parse(url: &str) -> Option<HttpUrl> {
        let url = url.trim();
        let (tls, rest) = if let Some(rest) = strip_prefix_ignore_case(url, "https://") {
            (true, rest)
        } else {
            (false, strip_prefix_ignore_case(url, "http://")?)
        };
        let rest = rest.split('#').next().unwrap_or("");
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let path = if path.starts_with('?') {
            format!("/{path}")
        } else {
            path.to_owned()
        };
        if authority.contains('@') {
            return None;
        }
        let default_port = if tls { 443 } else { 80 };
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6.split_once(']')?;
            let port = match after.strip_prefix(':') {
                Some(p) => p.parse().ok()?,
                None if after.is_empty() => default_port,
                None => return None,
            };
            (host.to_owned(), port)
        } else {
            match authority.rsplit_once(':') {
                Some((host, port)) => (host.to_owned(), port.parse().ok()?),
                None => (authority.to_owned(), default_port),
            }
        };
        if host.is_empty() {
            return None;
        }
        Some(HttpUrl {
            tls,
            host,
            port,
            path,
        })
    }

    /// `host:port` as an HTTP `Host` / `:authority` value.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn the_drafts_document_and_apples_spellings_are_read() {
        let c = parse(EXAMPLE.as_bytes()).unwrap();
        assert_eq!(c.small_url, "https://HOST/small");
        assert_eq!(c.upload_url, "https://HOST/upload");
        let apple = br#"{"version":1,"test_endpoint":"edge.example","urls":{"small_download_url":"https://a/s","large_download_url":"https://a/l","upload_url":"https://a/u"}}"#;
        let c = parse(apple).unwrap();
        assert_eq!(c.large_url, "https://a/l");
        assert_eq!(c.test_endpoint.as_deref(), Some("edge.example"));
    }

    #[test]
    fn each_bad_document_gets_its_sentence() {
        let e = parse(b"<!doctype html><title>404</title>").unwrap_err();
        assert!(e.to_string().contains("did not return JSON"), "{e}");
        assert!(e.to_string().contains("<!doctype html>"), "{e}");
        assert_eq!(parse(b"{\"version\":1}").unwrap_err(), ConfigError::NoUrls);
        assert_eq!(
            parse(br#"{"version":2,"urls":{}}"#).unwrap_err(),
            ConfigError::Version("2".to_owned())
        );
        let e = parse(br#"{"urls":{"small_https_download_url":"https://a/s"}}"#).unwrap_err();
        assert_eq!(
            e,
            ConfigError::MissingUrls(vec!["large_https_download_url", "https_upload_url"])
        );
        assert!(
            e.to_string()
                .contains("lacks large_https_download_url, https_upload_url")
        );
        let e = parse(br#"{"urls":{"small_https_download_url":"ws://a/s","large_https_download_url":"https://a/l","https_upload_url":"https://a/u"}}"#).unwrap_err();
        assert!(
            e.to_string()
                .contains("small_https_download_url is \"ws://a/s\""),
            "{e}"
        );
        assert_eq!(
            parse(&vec![b' '; MAX_CONFIG_BYTES + 1]).unwrap_err(),
            ConfigError::TooLarge
        );
    }

    #[test]
    fn urls_split_into_what_a_client_connects_with() {
        let u = HttpUrl::parse("HTTPS://Example.com/config?x=1#f").unwrap();
        assert_eq!(
            (u.tls, u.host.as_str(), u.port, u.path.as_str()),
            (true, "Example.com", 443, "/config?x=1")
        );
        let u = HttpUrl::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!((u.port, u.path.as_str()), (8080, "/"));
        assert_eq!(u.authority(), "127.0.0.1:8080");
        let u = HttpUrl::parse("http://[::1]:9/small").unwrap();
        assert_eq!(
            (u.host.as_str(), u.authority()),
            ("::1", "[::1]:9".to_owned())
        );
        for bad in [
            "ws://a/",
            "http://",
            "http://a:99999/",
            "http://u@a/",
            "http://[::1/",
        ] {
            assert_eq!(HttpUrl::parse(bad), None, "{bad}");
        }
    }
}
