//! Other tools' responsiveness results, read so that a user can put them beside netlens' own
//! run: Apple's `networkQuality -c` JSON, its human summary (`networkQuality` and `-v`), and
//! goresponsiveness' results block. And netlens' run written with networkQuality's `-c` key
//! names ([`NetworkQualityKeys`]), so that scripts written for one read the other.
//!
//! Where the formats come from: the `-c` keys as macOS prints them (`dl_throughput`,
//! `ul_throughput` in bit/s, `responsiveness` in RPM, `base_rtt` in ms, `dl_flows`, `ul_flows`,
//! and the probe arrays `il_h2_req_resp`, `il_tcp_handshake_443`, `il_tls_handshake`,
//! `lud_foreign_h2_req_resp`, `lud_foreign_tcp_handshake_443`, `lud_foreign_tls_handshake`,
//! `lud_self_h2_req_resp`, per direction `lud_self_dl_h2`, `lud_self_ul_h2` with `-s`), as public
//! projects that parse them record them; the summary lines as networkQuality prints them
//! ("Downlink capacity: 23.755 Mbps", "Responsiveness: High (1995 RPM)", "Idle Latency: 21.000
//! milliseconds | 2857 RPM", older "Download capacity", "Base RTT"); goresponsiveness'
//! "Throughput: … Mbps (… MBps), using N parallel connections." and "RPM: N (Single-Sided 95%
//! Trimmed Mean)" under "Download:" / "Upload:", then "Final RPM: …"
//! (`network-quality/goresponsiveness`, `networkQuality.go`).

use std::fmt;

use serde::Serialize;

/// Largest result accepted (a verbose `-c` with every probe is tens of kilobytes).
pub const MAX_INPUT_BYTES: usize = 4 << 20;

/// Which tool wrote a result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tool {
    /// `networkQuality -c`.
    NetworkQualityJson,
    /// `networkQuality` or `networkQuality -v` summary.
    NetworkQualityText,
    /// goresponsiveness.
    Goresponsiveness,
}

impl Tool {
    /// How the tool is named to a reader.
    pub fn name(self) -> &'static str {
        match self {
            Tool::NetworkQualityJson => "networkQuality -c",
            Tool::NetworkQualityText => "networkQuality",
            Tool::Goresponsiveness => "goresponsiveness",
        }
    }
}

/// What another tool reported, as far as its format says it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct OtherRun {
    /// The tool (`None` only while reading).
    pub tool: Option<Tool>,
    /// Download goodput, bit/s.
    pub download_bps: Option<f64>,
    /// Upload goodput, bit/s.
    pub upload_bps: Option<f64>,
    /// Download connections.
    pub download_flows: Option<u64>,
    /// Upload connections.
    pub upload_flows: Option<u64>,
    /// The overall RPM.
    pub rpm: Option<f64>,
    /// RPM while downloading (`-s`, goresponsiveness).
    pub download_rpm: Option<f64>,
    /// RPM while uploading.
    pub upload_rpm: Option<f64>,
    /// networkQuality's own grade (Low, Medium, High).
    pub grade: Option<String>,
    /// Idle round trip, ms (`base_rtt`, "Idle Latency", "Base RTT").
    pub idle_ms: Option<f64>,
    /// Median of the loaded foreign request/response probes, ms.
    pub loaded_foreign_ms: Option<f64>,
    /// Median of the loaded self probes, ms.
    pub loaded_self_ms: Option<f64>,
    /// The server it measured against.
    pub test_endpoint: Option<String>,
}

/// Why a result could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompareError {
    /// Larger than [`MAX_INPUT_BYTES`].
    TooLarge,
    /// JSON that is not networkQuality's (no `responsiveness` or throughput).
    NotNetworkQualityJson,
    /// `networkQuality -c` that reports a failure instead of a result.
    FailedRun(String),
    /// Text in which no known line was found.
    Unrecognised,
}

impl fmt::Display for CompareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompareError::TooLarge => write!(
                f,
                "The result is larger than {} MiB; paste networkQuality's or goresponsiveness' output as printed.",
                MAX_INPUT_BYTES >> 20
            ),
            CompareError::NotNetworkQualityJson => f.write_str(
                "This JSON has none of networkQuality's keys (responsiveness, dl_throughput, ul_throughput); paste the output of `networkQuality -c`.",
            ),
            CompareError::FailedRun(why) => write!(
                f,
                "networkQuality reported a failed run ({why}), so there is nothing to compare; run it again when the network is reachable."
            ),
            CompareError::Unrecognised => f.write_str(
                "No line of networkQuality's summary (\"Downlink capacity: …\", \"Responsiveness: …\") or of goresponsiveness' results (\"Final RPM: …\") was found; paste the whole output.",
            ),
        }
    }
}

impl std::error::Error for CompareError {}

fn median(values: &[f64]) -> Option<f64> {
    crate::stats::Distribution::of(values).map(|d| d.median)
}

fn numbers(value: &serde_json::Value) -> Vec<f64> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
        .unwrap_or_default()
}

/// Reads any of the three formats.
pub fn parse(text: &str) -> Result<OtherRun, CompareError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(CompareError::TooLarge);
    }
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.starts_with('{') {
        return parse_json(trimmed);
    }
    parse_text(trimmed)
}

fn parse_json(text: &str) -> Result<OtherRun, CompareError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|_| CompareError::NotNetworkQualityJson)?;
    if let Some(code) = value.get("error_code").and_then(serde_json::Value::as_i64) {
        let domain = value["error_domain"].as_str().unwrap_or("an error");
        return Err(CompareError::FailedRun(format!("{domain} {code}")));
    }
    let num = |key: &str| value.get(key).and_then(serde_json::Value::as_f64);
    let run = OtherRun {
        tool: Some(Tool::NetworkQualityJson),
        download_bps: num("dl_throughput"),
        upload_bps: num("ul_throughput"),
        download_flows: value.get("dl_flows").and_then(serde_json::Value::as_u64),
        upload_flows: value.get("ul_flows").and_then(serde_json::Value::as_u64),
        rpm: num("responsiveness"),
        download_rpm: num("dl_responsiveness"),
        upload_rpm: num("ul_responsiveness"),
        grade: None,
        idle_ms: num("base_rtt").or_else(|| median(&numbers(&value["il_h2_req_resp"]))),
        loaded_foreign_ms: median(&numbers(&value["lud_foreign_h2_req_resp"])),
        loaded_self_ms: median(
            &[
                numbers(&value["lud_self_h2_req_resp"]),
                numbers(&value["lud_self_dl_h2"]),
                numbers(&value["lud_self_ul_h2"]),
            ]
            .concat(),
        ),
        test_endpoint: value["test_endpoint"].as_str().map(str::to_owned),
    };
    if run.rpm.is_none() && run.download_bps.is_none() && run.upload_bps.is_none() {
        return Err(CompareError::NotNetworkQualityJson);
    }
    Ok(run)
}

/// The first number in `text` (digits, one point), if any.
fn first_number(text: &str) -> Option<f64> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// A rate such as "23.755 Mbps", "900 Kbps" or "1.2 Gbps", in bit/s.
fn rate(text: &str) -> Option<f64> {
    let value = first_number(text)?;
    let lower = text.to_ascii_lowercase();
    let scale = if lower.contains("gbps") {
        1e9
    } else if lower.contains("kbps") {
        1e3
    } else if lower.contains("mbps") {
        1e6
    } else {
        1.0
    };
    Some(value * scale)
}

/// "High (1995 RPM)", "Medium (265 ms | 226 RPM)": the grade and the RPM.
fn graded_rpm(text: &str) -> (Option<String>, Option<f64>) {
    let grade = text
        .split_whitespace()
        .next()
        .filter(|w| w.chars().all(char::is_alphabetic))
        .map(str::to_owned);
    let rpm = text
        .find("RPM")
        .and_then(|end| text[..end].rsplit(['(', '|']).next())
        .and_then(first_number);
    (grade, rpm)
}

fn parse_text(text: &str) -> Result<OtherRun, CompareError> {
    let mut run = OtherRun::default();
    let mut direction: Option<&str> = None;
    let mut found = false;
    for raw in text.lines() {
        let line = raw.trim();
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim();
        match key.as_str() {
            // goresponsiveness: a direction's block.
            "download" | "upload" if value.is_empty() => {
                direction = Some(if key == "download" {
                    "download"
                } else {
                    "upload"
                });
                run.tool = Some(Tool::Goresponsiveness);
            }
            "throughput" => {
                let flows = value
                    .split("using")
                    .nth(1)
                    .and_then(first_number)
                    .map(|n| n as u64);
                match direction {
                    Some("download") => {
                        (run.download_bps, run.download_flows) = (rate(value), flows)
                    }
                    Some("upload") => (run.upload_bps, run.upload_flows) = (rate(value), flows),
                    _ => continue,
                }
                found = true;
            }
            "rpm" if value.contains("Trimmed Mean") => {
                match direction {
                    Some("download") => run.download_rpm = first_number(value),
                    Some("upload") => run.upload_rpm = first_number(value),
                    _ => continue,
                }
                found = true;
            }
            "final rpm" if value.contains("Trimmed Mean") => {
                run.rpm = first_number(value);
                run.tool = Some(Tool::Goresponsiveness);
                found = true;
            }
            // networkQuality's summary, old and new wording.
            "downlink capacity" | "download capacity" => {
                run.download_bps = rate(value);
                found = true;
            }
            "uplink capacity" | "upload capacity" => {
                run.upload_bps = rate(value);
                found = true;
            }
            "downlink flows" | "download flows" => {
                run.download_flows = first_number(value).map(|n| n as u64)
            }
            "uplink flows" | "upload flows" => {
                run.upload_flows = first_number(value).map(|n| n as u64)
            }
            "responsiveness" => {
                (run.grade, run.rpm) = graded_rpm(value);
                found = true;
            }
            "downlink responsiveness" | "download responsiveness" => {
                run.download_rpm = graded_rpm(value).1;
                found = true;
            }
            "uplink responsiveness" | "upload responsiveness" => {
                run.upload_rpm = graded_rpm(value).1;
                found = true;
            }
            "idle latency" | "base rtt" => run.idle_ms = first_number(value),
            _ => {}
        }
    }
    if !found {
        return Err(CompareError::Unrecognised);
    }
    run.tool = run.tool.or(Some(Tool::NetworkQualityText));
    Ok(run)
}

/// netlens' run under networkQuality's `-c` key names, where a netlens figure means the same
/// thing (the mapping is in each field's documentation). Probe times are in ms, rates in bit/s.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NetworkQualityKeys {
    /// Download goodput (netlens: receiver-counted, moving average of the last MAD intervals).
    pub dl_throughput: Option<f64>,
    /// Upload goodput (counted by the server).
    pub ul_throughput: Option<f64>,
    /// Download connections at the end of the download phase.
    pub dl_flows: Option<u64>,
    /// Upload connections at the end of the upload phase.
    pub ul_flows: Option<u64>,
    /// The overall RPM (netlens: the phase that loads both directions, as networkQuality's
    /// default parallel run does).
    pub responsiveness: Option<f64>,
    /// RPM of the download phase (networkQuality prints it with `-s`).
    pub dl_responsiveness: Option<f64>,
    /// RPM of the upload phase.
    pub ul_responsiveness: Option<f64>,
    /// Idle round trip: the median idle echo on an open connection.
    pub base_rtt: Option<f64>,
    /// Idle request/response times: idle echoes on an open connection.
    pub il_h2_req_resp: Vec<f64>,
    /// Idle connection set-up per round trip (netlens: a WebSocket opening handshake ÷ its
    /// round trips, not a bare TCP handshake).
    pub il_tcp_handshake_443: Vec<f64>,
    /// Loaded foreign request/response: first echo on a fresh connection.
    pub lud_foreign_h2_req_resp: Vec<f64>,
    /// Loaded connection set-up per round trip.
    pub lud_foreign_tcp_handshake_443: Vec<f64>,
    /// Loaded self probes: echoes on the load-generating connections.
    pub lud_self_h2_req_resp: Vec<f64>,
}

/// One row of a side-by-side comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// What is compared.
    pub metric: &'static str,
    /// netlens' figure.
    pub netlens: Option<f64>,
    /// The other tool's figure.
    pub other: Option<f64>,
    /// The unit both are in.
    pub unit: &'static str,
}

/// netlens' run and another tool's, row by row, in the same units (Mbit/s, RPM, ms).
pub fn side_by_side(ours: &NetworkQualityKeys, other: &OtherRun) -> Vec<Row> {
    let mbit = |v: Option<f64>| v.map(|b| b / 1e6);
    let row = |metric, netlens, other, unit| Row {
        metric,
        netlens,
        other,
        unit,
    };
    vec![
        row(
            "download goodput",
            mbit(ours.dl_throughput),
            mbit(other.download_bps),
            "Mbit/s",
        ),
        row(
            "upload goodput",
            mbit(ours.ul_throughput),
            mbit(other.upload_bps),
            "Mbit/s",
        ),
        row(
            "download flows",
            ours.dl_flows.map(|n| n as f64),
            other.download_flows.map(|n| n as f64),
            "connections",
        ),
        row(
            "upload flows",
            ours.ul_flows.map(|n| n as f64),
            other.upload_flows.map(|n| n as f64),
            "connections",
        ),
        row("responsiveness", ours.responsiveness, other.rpm, "RPM"),
        row(
            "download responsiveness",
            ours.dl_responsiveness,
            other.download_rpm,
            "RPM",
        ),
        row(
            "upload responsiveness",
            ours.ul_responsiveness,
            other.upload_rpm,
            "RPM",
        ),
        row("idle round trip", ours.base_rtt, other.idle_ms, "ms"),
        row(
            "loaded, fresh connection (median)",
            median(&ours.lud_foreign_h2_req_resp),
            other.loaded_foreign_ms,
            "ms",
        ),
        row(
            "loaded, loaded connection (median)",
            median(&ours.lud_self_h2_req_resp),
            other.loaded_self_ms,
            "ms",
        ),
    ]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn failed_and_foreign_json_and_unknown_text_get_sentences() {
        let failed = r#"{"end_date":"2024-07-25 20:40:27.073","error_code":-1009,"error_domain":"NSURLErrorDomain","other":{}}"#;
        assert_eq!(
            parse(failed).unwrap_err(),
            CompareError::FailedRun("NSURLErrorDomain -1009".into())
        );
        assert_eq!(
            parse(r#"{"a":1}"#).unwrap_err(),
            CompareError::NotNetworkQualityJson
        );
        assert_eq!(parse("{").unwrap_err(), CompareError::NotNetworkQualityJson);
        assert_eq!(
            parse("hello\nworld").unwrap_err(),
            CompareError::Unrecognised
        );
        assert!(
            CompareError::Unrecognised
                .to_string()
                .ends_with("paste the whole output.")
        );
        assert_eq!(
            parse(&" ".repeat(MAX_INPUT_BYTES + 1)).unwrap_err(),
            CompareError::TooLarge
        );
    }

    #[test]
    fn graded_rpm_reads_both_wordings() {
        assert_eq!(
            graded_rpm("High (1995 RPM)"),
            (Some("High".into()), Some(1995.0))
        );
        assert_eq!(
            graded_rpm("Medium (265 ms | 226 RPM)"),
            (Some("Medium".into()), Some(226.0))
        );
        assert_eq!(rate("900 Kbps"), Some(900e3));
        assert_eq!(rate("1.5 Gbps"), Some(1.5e9));
    }
}
