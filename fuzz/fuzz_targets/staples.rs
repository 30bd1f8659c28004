//! Any bytes as what a server sends beside its certificates: an SCT list (with the bytes each
//! SCT signs), an OCSP response, an OpenSSL SERVERINFO block, and the input scanner that finds
//! them in pasted text. None may panic; the readers' size limits keep every run bounded.
//!
//! Layout: one selector byte (0: SCT list, 1: OCSP response, 2: SERVERINFO, 3: V2, other: the
//! scanner), then the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netlens_x509::sct::{self, Entry};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    match selector % 5 {
        0 => {
            if let Ok(scts) = sct::parse_list(rest) {
                for s in &scts {
                    let _ = s.signed_data(Entry::Certificate(rest));
                    let _ = s.signed_data(Entry::Precertificate {
                        issuer_key_hash: s.log_id,
                        tbs: rest,
                    });
                    let _ = (s.algorithm_name(), s.x509_algorithm(), s.log_id_base64());
                }
            }
            let _ = sct::precertificate_tbs(rest);
        }
        1 => {
            if let Ok(response) = netlens_x509::ocsp::parse(rest)
                && let Some(basic) = response.basic
            {
                for single in &basic.responses {
                    if let Some(list) = &single.sct_list {
                        let _ = sct::parse_list(list);
                    }
                }
            }
        }
        2 => {
            let _ = sct::from_serverinfo(rest, false).map(sct::parse_list);
        }
        3 => {
            let _ = sct::from_serverinfo(rest, true).map(sct::parse_list);
            // SCTs as `openssl s_client -ct` prints them.
            let printed = netlens_x509::sct_text::scan(&String::from_utf8_lossy(rest));
            let _ = sct::parse_list(&sct::encode_list(&printed));
        }
        _ => {
            let mut scan = netlens_x509::input::scan(rest, Some("fuzz"));
            for staple in scan.take_staples() {
                let _ = netlens_x509::ocsp::parse(&staple.bytes);
                let _ = sct::parse_list(&staple.bytes);
            }
        }
    }
});
