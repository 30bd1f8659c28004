#![no_main]
//! The python-zeroconf paste parser: repr, properties, decoded_properties, text (see dnssd_common.rs).
#[path = "dnssd_common.rs"]
mod common;
libfuzzer_sys::fuzz_target!(|data: &[u8]| common::run(data, netlens_dnssd::Format::Zeroconf));
