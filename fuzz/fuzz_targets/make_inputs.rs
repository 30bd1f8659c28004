#![no_main]
//! What `netlens make` and the page read from users: private keys (PEM, PKCS#8, SEC1, PKCS#1),
//! a pasted CA (certificates and the chain above), PKCS#12 files, names and JSON requests.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = netlens_make::PrivateKey::parse(data);
    for key_type in [netlens_make::KeyType::P256, netlens_make::KeyType::Rsa(2048)] {
        if let Ok(input) = netlens_make::CaInput::read(data, key_type, 0) {
            for n in 0..input.candidates() {
                let _ = input.proof_request(n, netlens_make::SignatureScheme::EcdsaSha256, data);
            }
            let _ = input.select(0);
        }
    }
    let _ = netlens_make::pkcs12::read(data, "password");
    let _ = netlens_make::pkcs12::inspect(data, "password");
    // The key match reads the public half out of a PKCS#8 key and a certificate: both untrusted.
    let _ = netlens_make::pkcs12::public_key_bits(data);
    let half = data.len() / 2;
    let _ = netlens_make::pkcs12::key_matches(&data[..half], &data[half..]);
    let text = String::from_utf8_lossy(data);
    let names = netlens_make::names::split(&text);
    if let Ok((list, _)) = netlens_make::names::parse(&names) {
        let _ = netlens_make::names::Constraints::from_names(&list).extension();
    }
    if let Ok(request) = serde_json::from_slice::<netlens_make::Request>(data) {
        let _ = netlens_make::Plan::new(request, 0, None);
    }
});
