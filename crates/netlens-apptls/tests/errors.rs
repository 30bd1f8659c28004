//! The TLS error explainer: a test per code family, every code round-tripping from its number
//! and its name, and a corpus of real console output from public issue threads.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use netlens_apptls::errors::{self, Domain, NextStep, by_name, by_number, codes, explain};

fn names(text: &str) -> Vec<String> {
    explain(text)
        .recognised
        .into_iter()
        .map(|r| r.name)
        .collect()
}

#[test]
fn every_code_round_trips_from_its_number_and_its_name() {
    let all: Vec<_> = codes().collect();
    assert!(all.len() > 400, "{} codes", all.len());
    for code in &all {
        if code.number != 0 {
            assert_eq!(by_number(code.number), Some(*code), "{}", code.name);
        }
        assert_eq!(by_name(code.name), Some(*code), "{}", code.name);
        // Written in a sentence, the number (with the code context) and the name are both found.
        let from_number = explain(&format!("failed with error code: {}", code.number));
        if code.number != 0 {
            assert_eq!(
                from_number.recognised.first().map(|r| r.name.as_str()),
                Some(code.name),
                "{}",
                code.number
            );
        }
        let from_name = explain(&format!("got {} here", code.name));
        assert_eq!(
            from_name.recognised.first().map(|r| r.number),
            Some(Some(code.number)),
            "{}",
            code.name
        );
    }
}

#[test]
fn nsurl_error_domain() {
    let e = explain("Error Domain=NSURLErrorDomain Code=-1202");
    let r = &e.recognised[0];
    assert_eq!(r.domain, Domain::NsUrl);
    assert_eq!(r.name, "NSURLErrorServerCertificateUntrusted");
    assert!(
        r.aliases
            .contains(&"kCFURLErrorServerCertificateUntrusted".to_owned())
    );
    assert!(
        r.aliases
            .contains(&"URLError.serverCertificateUntrusted".to_owned())
    );
    assert!(r.causes[0].rules.contains(&"chain.missing-intermediate"));
    assert_eq!(e.next_steps[0], NextStep::AnalyseChain);
    for (code, name) in [
        (-1200, "NSURLErrorSecureConnectionFailed"),
        (-1201, "NSURLErrorServerCertificateHasBadDate"),
        (-1203, "NSURLErrorServerCertificateHasUnknownRoot"),
        (-1204, "NSURLErrorServerCertificateNotYetValid"),
        (-1205, "NSURLErrorClientCertificateRejected"),
        (-1206, "NSURLErrorClientCertificateRequired"),
        (
            -1022,
            "NSURLErrorAppTransportSecurityRequiresSecureConnection",
        ),
        (-1009, "NSURLErrorNotConnectedToInternet"),
        (-1001, "NSURLErrorTimedOut"),
    ] {
        assert_eq!(
            names(&format!("code {code}")),
            vec![name.to_owned()],
            "{code}"
        );
    }
    assert_eq!(
        explain("-1022").next_steps,
        vec![NextStep::LintInfoPlist, NextStep::AtsServer]
    );
    assert_eq!(by_name("URLError.timedOut").map(|c| c.number), Some(-1001));
    assert_eq!(by_name("URLError(.badURL)").map(|c| c.number), Some(-1000));
    assert_eq!(
        by_name("kCFURLErrorCancelled").map(|c| c.number),
        Some(-999)
    );
}

#[test]
fn secure_transport_and_ats() {
    for (code, name) in [
        (-9802, "errSSLFatalAlert"),
        (-9806, "errSSLClosedAbort"),
        (-9807, "errSSLXCertChainInvalid"),
        (-9808, "errSSLBadCert"),
        (-9812, "errSSLUnknownRootCert"),
        (-9813, "errSSLNoRootCert"),
        (-9814, "errSSLCertExpired"),
        (-9815, "errSSLCertNotYetValid"),
        (-9824, "errSSLPeerHandshakeFail"),
        (-9830, "errSSLIllegalParam"),
        (-9836, "errSSLPeerProtocolVersion"),
        (-9865, "errSSLUnrecognizedName"),
        (-9880, "errSSLATSViolation"),
        (-9881, "errSSLATSMinimumVersionViolation"),
        (-9882, "errSSLATSCiphersuiteViolation"),
        (-9883, "errSSLATSMinimumKeySizeViolation"),
        (-9884, "errSSLATSLeafCertificateHashAlgorithmViolation"),
        (-9885, "errSSLATSCertificateHashAlgorithmViolation"),
        (-9886, "errSSLATSCertificateTrustViolation"),
        (-9890, "errSSLEarlyDataRejected"),
    ] {
        let e = explain(&format!("(kCFStreamErrorDomainSSL, {code})"));
        assert_eq!(e.recognised.len(), 1, "{code}");
        assert_eq!(e.recognised[0].name, name);
        assert_eq!(e.recognised[0].domain, Domain::SecureTransport);
        assert!(
            !e.recognised[0].apple_text.is_empty(),
            "{name} keeps SecBase.h's text"
        );
    }
    // iOS 18.4's key usage failure.
    let e = explain("NWError tls(-9830)");
    assert!(e.recognised[0].meaning.contains("18.4"));
    assert!(
        e.recognised[0].causes[0]
            .rules
            .contains(&"apple.key-usage-cipher-mismatch")
    );
    // Network framework's forms.
    assert_eq!(
        names("Optional(-9808: Optional(bad certificate format))"),
        vec!["errSSLBadCert"]
    );
    assert_eq!(
        names(
            "The operation couldn’t be completed. (Network.NWError error -9836 - bad protocol version)"
        ),
        vec!["errSSLPeerProtocolVersion"]
    );
}

#[test]
fn security_framework_trust_codes_and_checks() {
    assert_eq!(
        names("NSOSStatusErrorDomain Code=-67843"),
        vec!["errSecNotTrusted"]
    );
    assert_eq!(
        names("(-67901)"),
        vec!["errSecCertificateValidityPeriodTooLong"]
    );
    assert_eq!(
        names("SecPKCS12Import returned -25293"),
        vec!["errSecAuthFailed"]
    );
    let e = explain("Trust evaluate failure: [leaf TemporalValidity SSLHostname]");
    let r: Vec<_> = e
        .recognised
        .iter()
        .map(|r| (r.domain, r.name.as_str()))
        .collect();
    assert_eq!(
        r,
        vec![
            (Domain::TrustCheck, "TemporalValidity"),
            (Domain::TrustCheck, "SSLHostname")
        ]
    );
    assert_eq!(e.recognised[1].aliases, vec!["errSecHostNameMismatch"]);
    assert_eq!(e.recognised[1].number, Some(-67602));
    assert!(
        e.recognised[1].causes[0]
            .rules
            .contains(&"tls.hostname-mismatch")
    );
    // The failure message SecTrustCopyFailureDescription writes.
    assert_eq!(
        names(
            "Certificate 0 “example.com” has errors: SSL hostname does not match name(s) in certificate;"
        ),
        vec!["SSLHostname"]
    );
    // A key is a word only where trustd writes it.
    assert!(names("Revocation checking is off").is_empty());
}

#[test]
fn tls_alerts_and_boringssl() {
    let e = explain(
        "boringssl_context_handle_fatal_alert(1874) [C1.1:2][0x1] write alert, level: fatal, description: certificate unknown",
    );
    assert_eq!(e.recognised[0].domain, Domain::TlsAlert);
    assert_eq!(e.recognised[0].number, Some(46));
    assert!(e.recognised[0].meaning.contains("iOS sent this alert"));
    assert_eq!(e.next_steps[0], NextStep::AnalyseChain);
    let e = explain("read alert, level: fatal, description: certificate required");
    assert!(
        e.recognised[0]
            .meaning
            .contains("the server sent this alert")
    );
    assert_eq!(e.next_steps, vec![NextStep::ClientIdentity]);
    assert_eq!(
        names("error:10000410:SSL routines:OPENSSL_internal:SSLV3_ALERT_HANDSHAKE_FAILURE"),
        vec!["handshake failure"]
    );
    assert_eq!(names("SSL_AD_PROTOCOL_VERSION"), vec!["protocol version"]);
}

#[test]
fn posix_and_dnssd_codes_point_elsewhere() {
    let e = explain("HTTP load failed, 0/0 bytes (error code: -1005 [1:54])");
    let r: Vec<_> = e.recognised.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(r, vec!["NSURLErrorNetworkConnectionLost", "ECONNRESET"]);
    let e = explain("DNSServiceBrowse failed: -65555");
    assert_eq!(e.recognised[0].domain, Domain::DnsSd);
    assert!(e.next_steps.contains(&NextStep::DnssdError));
}

#[test]
fn log_lines() {
    for (line, name) in [
        ("ATS failed system trust", "ATS failed system trust"),
        (
            "TIC SSL Trust Error [1:0x60000]: 3:0",
            "TIC SSL Trust Error",
        ),
        (
            "App Transport Security has blocked a cleartext HTTP (http://) resource load since it is insecure.",
            "App Transport Security has blocked a cleartext HTTP (http://) resource load",
        ),
        (
            "CFNetwork SSLHandshake failed (-9806)",
            "CFNetwork SSLHandshake failed",
        ),
    ] {
        assert_eq!(names(line)[0], name, "{line}");
    }
}

#[test]
fn unknown_codes_are_said_unknown_never_guessed() {
    let e = explain("failed (-9870)");
    assert!(e.recognised.is_empty());
    assert_eq!(e.unknown[0].number, -9870);
    assert!(e.unknown[0].note.contains("does not know it"));
    // Dates, times, UUIDs and addresses are not codes.
    let e = explain("2024-03-19 12:00:01.123-0700 Task <5B7A-1234>.<1> 0x1234-5678");
    assert!(e.recognised.is_empty() && e.unknown.is_empty(), "{e:?}");
    assert!(e.note.unwrap().contains("recognised no TLS error"));
    assert!(explain("").note.unwrap().starts_with("Paste an error code"));
    let big = "x".repeat(errors::MAX_INPUT + 1);
    assert!(explain(&big).note.unwrap().contains("more than"));
}

/// Every block of the corpus: what it expects is recognised, and every number in an Apple
/// error range is recognised or reported unknown.
#[test]
fn corpus_of_real_console_output() {
    let corpus = include_str!("corpus/console.txt");
    let mut blocks = 0;
    for block in corpus.split("\n== ").skip(1) {
        let (source, rest) = block.split_once('\n').unwrap();
        let (expect, text) = rest.split_once('\n').unwrap();
        let expect = expect.strip_prefix("expect: ").expect("an expect: line");
        let e = explain(text);
        let found: Vec<String> = e
            .recognised
            .iter()
            .flat_map(|r| {
                let mut all = vec![r.name.clone()];
                all.extend(r.aliases.clone());
                all
            })
            .collect();
        for want in expect.split('|').map(str::trim) {
            assert!(
                found.iter().any(|f| f == want),
                "{source}: expected {want}, recognised {found:?}"
            );
        }
        for r in &e.recognised {
            assert!(
                !r.meaning.is_empty() && !r.source.is_empty(),
                "{source}: {}",
                r.name
            );
        }
        blocks += 1;
    }
    assert!(blocks >= 15, "{blocks} blocks");
}
