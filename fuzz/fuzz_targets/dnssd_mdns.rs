#![no_main]
//! mDNS responses as `netlens dnssd browse` reads them: any datagram is refused or read, never a
//! panic, and a browse fed many of them stays bounded.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = netlens_dnssd::mdns::records(data);
    let mut browse = netlens_dnssd::mdns::Browse::new(None);
    for datagram in data.split(|&b| b == 0xFE).take(8) {
        let _ = browse.receive(datagram);
    }
    for found in browse.found() {
        if let Some(txt) = found.txt {
            let _ = netlens_dnssd::TxtRecord::from_wire(&txt);
        }
    }
    let _ = browse.queries();
});
