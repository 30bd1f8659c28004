#![no_main]
//! Service types, instance names, full names, Info.plist entries and raw wire bytes.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = netlens_dnssd::TxtRecord::from_wire(data).map(|r| netlens_dnssd::txt::check(&r));
    let text = String::from_utf8_lossy(data);
    let _ = serde_json::to_string(&netlens_dnssd::check_type(&text)).expect("serializes");
    let _ = serde_json::to_string(&netlens_dnssd::check_name(&text)).expect("serializes");
    let _ = serde_json::to_string(&netlens_dnssd::check_instance(&text)).expect("serializes");
    let _ = netlens_dnssd::apple::check_plist(&text, &[text.to_string()], Some(&text), &text);
    let _ = netlens_dnssd::formats::detect(&text);
});
