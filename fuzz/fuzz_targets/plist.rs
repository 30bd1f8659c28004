//! Any bytes as a property list (XML, binary `bplist00`, a pasted fragment) and through
//! everything that reads one: the ATS dictionary linter (and its host policy), the pin set
//! reader and the DNS-SD tool's NSBonjourServices reader; and as pasted console text through the
//! TLS error explainer. None may panic; the reader's limits (size, depth, values built) keep
//! every run bounded. Seeds in `fuzz/seeds/plist/` (plistlib's binary and XML output, a
//! fragment with a comment, entities and CDATA).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = netlens_plist::parse(data) {
        let _ = serde_json::to_string(&doc);
    }
    if let Ok(report) = netlens_apptls::ats::lint(data) {
        let _ = report.settings.for_host("api.example.com");
        let _ = serde_json::to_string(&report);
    }
    if let Ok(text) = core::str::from_utf8(data) {
        let _ = netlens_dnssd::apple::read_entries(text);
        let _ = netlens_apptls::pins::read_pin_set(text, Some("example.com"));
        let _ = netlens_apptls::errors::explain(text);
    }
});
