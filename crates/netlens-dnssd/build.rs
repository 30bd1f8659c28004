//! Splits `data/iana-services.tsv` (name, protocols, description) into the two tables the crate
//! includes: names with protocols (always; the protocols as one hex digit, a bit set over
//! [`PROTOCOLS`], which saves a third of the table), descriptions (feature `iana-descriptions`). The web
//! build leaves the descriptions (58 KB gzip of 93) out of the wasm and fetches the same
//! projection, written beside the app by `web/finish-build.mjs`, when the page first needs it.

use std::fs;
use std::path::Path;

/// Bit `i` of a protocol digit stands for `PROTOCOLS[i]` (the same list is in src/iana.rs).
const PROTOCOLS: [&str; 4] = ["dccp", "sctp", "tcp", "udp"];

fn main() {
    println!("cargo::rerun-if-changed=data/iana-services.tsv");
    let data = fs::read_to_string("data/iana-services.tsv").unwrap_or_default();
    let mut names = String::new();
    let mut descriptions = String::new();
    for line in data.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let mut fields = line.splitn(3, '\t');
        let name = fields.next().unwrap_or_default();
        let protocols = fields.next().unwrap_or_default();
        let description = fields.next().unwrap_or_default();
        let mut bits = 0u32;
        for protocol in protocols.split(',').filter(|p| !p.is_empty()) {
            match PROTOCOLS.iter().position(|p| *p == protocol) {
                Some(i) => bits |= 1 << i,
                None => println!("cargo::warning=iana-services.tsv: unknown protocol {protocol}"),
            }
        }
        let digit = char::from_digit(bits, 16).unwrap_or('0');
        names.push_str(&format!("{name}\t{digit}\n"));
        if !description.is_empty() {
            descriptions.push_str(&format!("{name}\t{description}\n"));
        }
    }
    let out = std::env::var("OUT_DIR").unwrap_or_default();
    let out = Path::new(&out);
    // A write failure makes include_str! fail with the path: clear enough for a build script.
    let _ = fs::write(out.join("iana-names.tsv"), names);
    let _ = fs::write(out.join("iana-descriptions.tsv"), descriptions);
}
