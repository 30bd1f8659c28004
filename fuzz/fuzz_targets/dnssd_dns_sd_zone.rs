#![no_main]
//! The `dns_sd_zone` paste parser (see dnssd_common.rs).
#[path = "dnssd_common.rs"]
mod common;
libfuzzer_sys::fuzz_target!(|data: &[u8]| common::run(data, netlens_dnssd::Format::DnsSdZone));
