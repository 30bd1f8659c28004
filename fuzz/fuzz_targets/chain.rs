//! Any bytes as a chain, anchors and options: parsing, path building, every rule, the report and
//! its JSON and Markdown forms must never panic, and must stay bounded (libFuzzer's timeout
//! catches a search that runs away).
//!
//! Layout: one flags byte, then the chain input, then optionally `%%ANCHORS%%` and the anchor
//! input. Flags: bit 0 built-in roots, bit 1 anchors are public, bit 2 a DNS host, bit 3 an IP
//! host, bit 4 client authentication, bit 5 at most one intermediate, bit 6 the browser path
//! (plan, then a precomputed verifier that confirms every planned check), bit 7 RustCrypto;
//! without bits 6 and 7 a stand-in verifier decides from the signature's bytes, so that most
//! executions explore paths rather than big-number arithmetic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netlens_chain::crypto::{Precomputed, RustCrypto, Verification, Verifier};
use netlens_chain::{Analyzer, Options, Purpose};
use spki::AlgorithmIdentifierOwned;

const SEPARATOR: &[u8] = b"%%ANCHORS%%";

/// Valid when the signature's last byte is even: deterministic, cheap, and both outcomes occur.
struct StandIn;

impl Verifier for StandIn {
    fn verify(
        &self,
        _message: &[u8],
        _alg: &AlgorithmIdentifierOwned,
        signature: &[u8],
        _spki: &[u8],
    ) -> Verification {
        match signature.last() {
            Some(b) if b % 2 == 0 => Verification::Valid,
            Some(_) => Verification::Invalid("odd".into()),
            None => Verification::Unsupported("empty".into()),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let (chain, anchors) = match rest.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
        Some(at) => (&rest[..at], Some(&rest[at + SEPARATOR.len()..])),
        None => (rest, None),
    };
    let mut options = Options::at(1_780_272_000);
    options.builtin_roots = flags & 1 != 0;
    options.anchors_are_public = flags & 2 != 0;
    if flags & 4 != 0 {
        options.host = netlens_chain::names::parse_host("www.netlens.test").ok();
    } else if flags & 8 != 0 {
        options.host = netlens_chain::names::parse_host("192.0.2.10").ok();
    }
    if flags & 16 != 0 {
        options.purpose = Purpose::ClientAuth;
    }
    if flags & 32 != 0 {
        options.max_intermediates = Some(1);
    }
    // The strict verdict on another store: each store's path choice and trust decisions run.
    if flags & 64 != 0 {
        options.strict_store = netlens_chain::StoreId::Chrome;
    } else if flags & 128 != 0 {
        options.strict_store = netlens_chain::StoreId::Apple;
    }
    let mut analyzer = Analyzer::new(options);
    analyzer.add_chain(chain, Some("fuzz"));
    if let Some(anchors) = anchors {
        analyzer.add_anchors(anchors, Some("anchors"));
    }
    let prepared = analyzer.prepare();
    let analysis = if flags & 64 != 0 {
        // Every planned check answered valid (as the browser's rounds would record it), the
        // rest recorded as missed.
        let mut known = Precomputed::new();
        for request in prepared.plan() {
            known.insert(request, netlens_chain::crypto::Verification::Valid);
        }
        let analysis = prepared.finish(&known);
        let _ = known.take_missed();
        analysis
    } else if flags & 128 != 0 {
        prepared.finish(&RustCrypto)
    } else {
        prepared.finish(&StandIn)
    };
    let _ = serde_json::to_string(&analysis);
    let _ = analysis.to_markdown();
});
