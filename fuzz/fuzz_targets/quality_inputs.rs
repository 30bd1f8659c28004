//! What `netlens quality` and the working-conditions panel read from outside: another tool's
//! result pasted beside a run (`networkQuality -c` JSON, its summary, goresponsiveness), a
//! responsiveness server's configuration document and the URLs in it. Never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = netlens_probe::compare::parse(&text);
    if let Ok(config) = netlens_probe::quality::server::parse(data) {
        for url in [&config.small_url, &config.large_url, &config.upload_url] {
            if let Some(url) = netlens_probe::quality::server::HttpUrl::parse(url) {
                let _ = url.authority();
            }
        }
    }
    let _ = netlens_probe::quality::server::HttpUrl::parse(&text);
});
