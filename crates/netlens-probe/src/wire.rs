//! What goes over the socket.
//!
//! **Echo mode**: a binary frame of `payload_bytes` (at least [`HEADER_LEN`]):
//!
//! ```text
//! 0..4    magic "NLPR"
//! 4..8    run id, u32 little-endian (a reset starts a new run; older replies are recognised)
//! 8..16   sequence number, u64 little-endian
//! 16..24  send time, f64 little-endian, ms on the sender's monotonic clock (for humans
//!         reading captures: RTTs are computed from the sender's own record, never from this)
//! 24..    zero padding
//! ```
//!
//! Binary, not JSON: the browser reads an `ArrayBuffer` synchronously, with no UTF-8 validation
//! or parse in the timed path.
//!
//! **Request/response mode**: the configured template with `{seq}` and `{t}` filled in, sent as
//! text; a reply matches when it is JSON whose configured field holds the sequence number.

/// First bytes of every binary probe.
pub const MAGIC: [u8; 4] = *b"NLPR";
/// Bytes before the padding.
pub const HEADER_LEN: usize = 24;

/// A decoded probe header.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProbeHeader {
    /// Run the probe belongs to.
    pub run_id: u32,
    /// Sequence number.
    pub seq: u64,
    /// Send time written by the sender.
    pub sent_at_ms: f64,
}

/// The binary probe for `seq`, `payload_bytes` long (at least the header).
pub fn encode_probe(run_id: u32, seq: u64, sent_at_ms: f64, payload_bytes: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(payload_bytes.max(HEADER_LEN));
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&run_id.to_le_bytes());
    bytes.extend_from_slice(&seq.to_le_bytes());
    bytes.extend_from_slice(&sent_at_ms.to_le_bytes());
    bytes.resize(payload_bytes.max(HEADER_LEN), 0);
    bytes
}

/// The header of a binary probe, `None` when `bytes` is not one.
pub fn decode_probe(bytes: &[u8]) -> Option<ProbeHeader> {
    if bytes.len() < HEADER_LEN || bytes[..4] != MAGIC {
        return None;
    }
    let u32_at = |i: usize| {
        bytes
            .get(i..i + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
    };
    let u64_at = |i: usize| {
        bytes
            .get(i..i + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
    };
    Some(ProbeHeader {
        run_id: u32_at(4)?,
        seq: u64_at(8)?,
        sent_at_ms: f64::from_bits(u64_at(16)?),
    })
}

/// The request text for `seq` sent at `sent_at_ms`.
pub fn render_template(template: &str, seq: u64, sent_at_ms: f64) -> String {
    template
        .replace("{seq}", &seq.to_string())
        .replace("{t}", &format!("{sent_at_ms:.3}"))
}

/// Deepest JSON nesting a reply may have. serde_json stops at 128 levels, but its recursion
/// spends more stack per level than a Web Worker can spare 128 times over (Safari gives it
/// 512 KiB; `crates/netlens-cli/tests/worker_stack.rs`), and no protocol nests a reply this deep.
pub const MAX_REPLY_DEPTH: usize = 32;

/// Whether `text` nests arrays and objects deeper than `limit` (a scan, no recursion; brackets
/// inside strings do not count).
fn nests_deeper_than(text: &str, limit: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for byte in text.bytes() {
        match byte {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'[' | b'{' if !in_string => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// The sequence number a request/response reply carries in `field` (a dotted path), as a JSON
/// number or a string of digits; `None` when the text is not JSON, lacks it, or nests deeper
/// than [`MAX_REPLY_DEPTH`].
pub fn match_reply(text: &str, field: &str) -> Option<u64> {
    if nests_deeper_than(text, MAX_REPLY_DEPTH) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let mut at = &value;
    for part in field.split('.') {
        at = at.get(part)?;
    }
    match at {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The kernel's view of the connection, as netlens-echo sends it with `?tcp_info=1`
/// (`{"tcp_info":{"rtt_ms":…,"rttvar_ms":…,"min_rtt_ms":…,"total_retrans":…}}`), like ndt7's
/// TCPInfo measurements.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KernelView {
    /// The server kernel's smoothed RTT, ms.
    pub rtt_ms: f64,
    /// Its RTT variance, ms.
    pub rttvar_ms: f64,
    /// The smallest RTT it saw, ms.
    pub min_rtt_ms: f64,
    /// Segments it retransmitted.
    pub total_retrans: u64,
}

/// A [`KernelView`] message; `None` for any other text.
pub fn kernel_view(text: &str) -> Option<KernelView> {
    if !text.starts_with("{\"tcp_info\"") || nests_deeper_than(text, MAX_REPLY_DEPTH) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let info = value.get("tcp_info")?;
    let ms = |key: &str| {
        info.get(key)?
            .as_f64()
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    Some(KernelView {
        rtt_ms: ms("rtt_ms")?,
        rttvar_ms: ms("rttvar_ms")?,
        min_rtt_ms: ms("min_rtt_ms")?,
        total_retrans: info.get("total_retrans")?.as_u64()?,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn replies_nested_too_deep_are_not_parsed() {
        let deep = |n: usize| format!("{}{{\"id\":7}}{}", "[".repeat(n), "]".repeat(n));
        assert_eq!(match_reply(&deep(0), "id"), Some(7));
        assert!(!nests_deeper_than(&deep(31), MAX_REPLY_DEPTH));
        assert!(nests_deeper_than(&deep(32), MAX_REPLY_DEPTH));
        assert_eq!(match_reply(&deep(100_000), "id"), None);
        // Brackets in strings are text, not nesting.
        let quoted = format!("{{\"id\":7,\"s\":\"{}\\\"\"}}", "[".repeat(100));
        assert_eq!(match_reply(&quoted, "id"), Some(7));
    }

    #[test]
    fn probes_round_trip_and_pad() {
        let bytes = encode_probe(7, 123_456_789_012, 1234.5, 64);
        assert_eq!(bytes.len(), 64);
        assert_eq!(&bytes[..4], b"NLPR");
        assert_eq!(
            decode_probe(&bytes),
            Some(ProbeHeader {
                run_id: 7,
                seq: 123_456_789_012,
                sent_at_ms: 1234.5
            })
        );
        assert_eq!(encode_probe(1, 1, 0.0, 3).len(), HEADER_LEN);
        assert_eq!(decode_probe(&bytes[..23]), None);
        let mut wrong = bytes.clone();
        wrong[0] = b'X';
        assert_eq!(decode_probe(&wrong), None);
    }

    #[test]
    fn templates_fill_in_and_replies_match_by_dotted_path() {
        assert_eq!(
            render_template(r#"{"op":"ping","id":{seq},"t":{t}}"#, 5, 1.23456),
            r#"{"op":"ping","id":5,"t":1.235}"#
        );
        assert_eq!(match_reply(r#"{"op":"pong","id":5}"#, "id"), Some(5));
        assert_eq!(
            match_reply(r#"{"data":{"seq":"42"}}"#, "data.seq"),
            Some(42)
        );
        assert_eq!(match_reply(r#"{"id":-1}"#, "id"), None);
        assert_eq!(match_reply(r#"{"id":true}"#, "id"), None);
        assert_eq!(match_reply("pong 5", "id"), None);
        assert_eq!(match_reply(r#"{"other":1}"#, "id"), None);
    }

    #[test]
    fn kernel_views_are_read_and_other_text_is_not() {
        let k = kernel_view(
            r#"{"tcp_info":{"rtt_ms":0.05,"rttvar_ms":0.02,"min_rtt_ms":0.01,"total_retrans":0}}"#,
        )
        .unwrap();
        assert_eq!((k.rtt_ms, k.total_retrans), (0.05, 0));
        assert_eq!(
            kernel_view(
                r#"{"tcp_info":{"rtt_ms":-1,"rttvar_ms":0,"min_rtt_ms":0,"total_retrans":0}}"#
            ),
            None
        );
        assert_eq!(kernel_view(r#"{"received":5}"#), None);
        assert_eq!(kernel_view("hello"), None);
    }
}
