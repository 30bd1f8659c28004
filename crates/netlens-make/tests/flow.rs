//! The whole flow natively (RustCrypto keys and signatures, netlens' own analysis): what is
//! offered as good is trusted, each fixture triggers its finding, files read back.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::collections::BTreeMap;

use netlens_make::checks::Expectation;
use netlens_make::rustcrypto::{self, GivenCa, Made};
use netlens_make::{Fixture, KeyType, MakeError, Placement, PrivateKey, Profile, Request, Role};
use rand_core::SeedableRng;

/// 2026-12-07T10:13:22Z.
const AT: i64 = 1_796_638_402;

fn rng(seed: u8) -> rand_chacha::ChaCha20Rng {
    rand_chacha::ChaCha20Rng::from_seed([seed; 32])
}

fn request(names: &[&str]) -> Request {
    Request {
        names: names.iter().map(|s| s.to_string()).collect(),
        ..Request::default()
    }
}

fn make(request: Request) -> Made {
    rustcrypto::make(
        request,
        AT,
        None,
        BTreeMap::new(),
        Some("s3cret"),
        &mut rng(1),
    )
    .unwrap()
}

fn file<'a>(made: &'a Made, path: &str) -> &'a [u8] {
    &made
        .files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .bytes
}

fn assert_all_pass(made: &Made) {
    assert!(!made.outcomes.is_empty());
    for o in &made.outcomes {
        assert!(o.passed, "{}", o.summary);
    }
}

#[test]
fn a_default_ca_and_server_are_trusted_for_every_name() {
    let made = make(request(&["printer.local", "192.168.1.20"]));
    assert_all_pass(&made);
    assert_eq!(made.outcomes.len(), 2);
    let paths: Vec<&str> = made.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "README.txt",
            "root.pem",
            "root.cer",
            "root.mobileconfig",
            "ca.pem",
            "ca-key.pem",
            "server.pem",
            "server-key.pem",
            "fullchain.pem",
            "server.p12"
        ]
    );
    // The PKCS#12 file opens with the password and holds the server key and chain.
    let opened = netlens_make::pkcs12::read(file(&made, "server.p12"), "s3cret").unwrap();
    let key = PrivateKey::parse(file(&made, "server-key.pem")).unwrap();
    assert_eq!(&opened.keys[0][..], key.pkcs8_der());
    assert_eq!(opened.certificates.len(), 2);
    assert_eq!(opened.mac, "SHA-1");
    assert!(
        opened
            .encryption
            .iter()
            .all(|e| *e == "pbeWithSHAAnd3-KeyTripleDES-CBC")
    );
    let readme = String::from_utf8(file(&made, "README.txt").to_vec()).unwrap();
    assert!(
        readme.contains("ok   server certificate for printer.local: trusted"),
        "{readme}"
    );
    assert!(
        !readme.contains("s3cret"),
        "the password is never written down"
    );
}

#[test]
fn every_key_type_is_trusted() {
    for (leaf, ca) in [
        (KeyType::P384, KeyType::P384),
        (KeyType::Rsa(2048), KeyType::Rsa(2048)),
        (KeyType::Ed25519, KeyType::P256),
        (KeyType::P256, KeyType::Rsa(3072)),
    ] {
        let mut r = request(&["api.example.test"]);
        r.key_type = leaf;
        r.ca_key_type = ca;
        let made = make(r);
        assert_all_pass(&made);
        let ed25519_warned = made.outcomes[0]
            .findings
            .iter()
            .any(|f| f.rule == "ats.ed25519-key");
        assert_eq!(ed25519_warned, leaf == KeyType::Ed25519, "{leaf}");
    }
}

#[test]
fn every_fixture_triggers_its_finding() {
    let mut r = request(&["api.example.test", "10.0.0.7"]);
    r.fixtures = Fixture::ALL.to_vec();
    let made = make(r);
    assert_all_pass(&made);
    for &f in Fixture::ALL {
        let o = made
            .outcomes
            .iter()
            .find(|o| o.fixture == Some(f))
            .unwrap_or_else(|| panic!("no outcome for {}", f.as_str()));
        assert_eq!(o.expect, Expectation::Finding(f.finding()));
        assert!(
            file(&made, &format!("fixtures/{}/fullchain.pem", f.as_str()))
                .starts_with(b"-----BEGIN")
        );
    }
}

#[test]
fn client_identities_and_constraint_placements_are_trusted() {
    for placement in [Placement::Intermediate, Placement::Root, Placement::None] {
        let mut r = request(&["*.dev.example.test", "fd00::7"]);
        r.clients = vec!["Alice Smith".into(), "build-bot".into()];
        r.constraints = placement;
        r.pkcs12 = netlens_make::Pkcs12Format::Modern;
        let made = make(r);
        assert_all_pass(&made);
        assert_eq!(made.outcomes.len(), 4);
        let opened =
            netlens_make::pkcs12::read(file(&made, "client-alice-smith.p12"), "s3cret").unwrap();
        assert_eq!(opened.mac, "SHA-256");
        assert!(file(&made, "client-build-bot.mobileconfig").starts_with(b"<?xml"));
    }
}

#[test]
fn over_825_days_with_the_any_profile_says_what_apple_does() {
    let mut r = request(&["api.example.test"]);
    r.days = 900;
    r.profile = Profile::Any;
    let made = make(r);
    assert_all_pass(&made);
    assert!(made.outcomes[0].summary.contains("iOS and macOS refuse it"));
}

#[test]
fn the_same_keys_and_moment_give_the_same_certificates() {
    let keys = || {
        let mut r = rng(9);
        [Role::Root, Role::Ca, Role::Server]
            .into_iter()
            .map(|role| (role, rustcrypto::generate(KeyType::P256, &mut r).unwrap()))
            .collect::<BTreeMap<_, _>>()
    };
    let run = |seed| {
        rustcrypto::make(
            request(&["printer.local"]),
            AT,
            None,
            keys(),
            Some("x"),
            &mut rng(seed),
        )
        .unwrap()
    };
    let (a, b) = (run(1), run(2));
    let tbs = |m: &Made| m.to_sign.iter().map(|t| t.tbs.clone()).collect::<Vec<_>>();
    assert_eq!(tbs(&a), tbs(&b));
    // ECDSA is deterministic here, so the root and its profile are the same too.
    assert_eq!(file(&a, "root.pem"), file(&b, "root.pem"));
    assert_eq!(file(&a, "root.mobileconfig"), file(&b, "root.mobileconfig"));
    // The PKCS#12 files differ only by their salts.
    assert_ne!(file(&a, "server.p12"), file(&b, "server.p12"));
}

#[test]
fn reissuing_from_an_existing_ca() {
    let first = make(request(&["api.example.test"]));
    let chain = [file(&first, "ca.pem"), file(&first, "root.pem")].concat();
    let ca_key = PrivateKey::parse(file(&first, "ca-key.pem")).unwrap();
    let given = GivenCa {
        certificates: &chain,
        key: ca_key.clone(),
    };
    let mut r = request(&["www.api.example.test"]);
    r.clients = vec!["alice".into()];
    let second = rustcrypto::make(
        r,
        AT + 60,
        Some(given),
        BTreeMap::new(),
        Some("x"),
        &mut rng(3),
    )
    .unwrap();
    assert_all_pass(&second);
    assert_eq!(file(&second, "root.pem"), file(&first, "root.pem"));
    assert!(
        second.files.iter().all(|f| f.path != "ca-key.pem"),
        "the user has the CA key"
    );

    // A name outside the intermediate's constraints: issued, and caught by the analysis.
    let given = GivenCa {
        certificates: &chain,
        key: ca_key.clone(),
    };
    let outside = rustcrypto::make(
        request(&["evil.example.org"]),
        AT,
        Some(given),
        BTreeMap::new(),
        Some("x"),
        &mut rng(4),
    )
    .unwrap();
    assert!(!outside.outcomes[0].passed);
    assert!(
        outside.outcomes[0]
            .findings
            .iter()
            .any(|f| f.rule == "chain.name-constraints-violated"),
        "{}",
        outside.outcomes[0].summary
    );

    // Someone else's key.
    let stranger = rustcrypto::generate(KeyType::P256, &mut rng(5)).unwrap();
    let given = GivenCa {
        certificates: &chain,
        key: stranger,
    };
    let e = rustcrypto::make(
        request(&["a.test"]),
        AT,
        Some(given),
        BTreeMap::new(),
        Some("x"),
        &mut rng(6),
    )
    .err()
    .unwrap();
    assert!(matches!(e, MakeError::CaKeyMismatch { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("is not the key of the CA certificate")
    );

    // A server certificate is not a CA.
    let given = GivenCa {
        certificates: file(&first, "server.pem"),
        key: ca_key,
    };
    let e = rustcrypto::make(
        request(&["a.test"]),
        AT,
        Some(given),
        BTreeMap::new(),
        Some("x"),
        &mut rng(6),
    )
    .err()
    .unwrap();
    assert!(e.to_string().contains("is a CA"), "{e}");
}

#[test]
fn keys_read_back_in_every_pem_form() {
    let key = rustcrypto::generate(KeyType::P256, &mut rng(7)).unwrap();
    let pem = key.pkcs8_pem();
    let again = PrivateKey::parse(pem.as_bytes()).unwrap();
    assert_eq!(again.pkcs8_der(), key.pkcs8_der());
    let rsa = rustcrypto::generate(KeyType::Rsa(2048), &mut rng(8)).unwrap();
    assert_eq!(
        PrivateKey::parse(rsa.pkcs8_der()).unwrap().key_type(),
        KeyType::Rsa(2048)
    );
}

/// The page learns a given key's public half from WebCrypto's JWK export; the SPKI built from
/// it must be RustCrypto's exactly (or the page's certificates would differ from the CLI's).
#[test]
fn spki_from_jwk_matches_rustcrypto() {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    for key_type in [
        KeyType::P256,
        KeyType::P384,
        KeyType::Rsa(2048),
        KeyType::Ed25519,
    ] {
        let key = rustcrypto::generate(key_type, &mut rng(11)).unwrap();
        let spki = rustcrypto::public_key(&key).unwrap();
        // Take the JWK members out of the SPKI, as a browser would report them.
        let (x, y, n, e) = match key_type {
            KeyType::P256 | KeyType::P384 => {
                let w = if key_type == KeyType::P256 { 32 } else { 48 };
                let point = &spki[spki.len() - (2 * w + 1)..];
                (
                    Some(b64(&point[1..=w])),
                    Some(b64(&point[w + 1..])),
                    None,
                    None,
                )
            }
            KeyType::Ed25519 => (Some(b64(&spki[spki.len() - 32..])), None, None, None),
            KeyType::Rsa(_) => {
                use rsa::pkcs8::DecodePrivateKey as _;
                use rsa::traits::PublicKeyParts as _;
                let k = rsa::PrivateKey::from_pkcs8_der(key.pkcs8_der()).unwrap();
                (
                    None,
                    None,
                    Some(b64(&k.n().to_be_bytes())),
                    Some(b64(&k.e().to_be_bytes())),
                )
            }
        };
        let built = netlens_make::keys::spki_from_jwk(
            key_type,
            x.as_deref(),
            y.as_deref(),
            n.as_deref(),
            e.as_deref(),
        )
        .unwrap();
        assert_eq!(built, spki, "{key_type}");
    }
}

/// Keys stay where they are made: a private key is never printed (its Debug says so), and
/// neither the README nor the JSON a shell prints holds the password or a key.
#[test]
fn keys_and_passwords_are_never_shown() {
    let key = rustcrypto::generate(KeyType::P256, &mut rng(12)).unwrap();
    assert_eq!(format!("{key:?}"), "PrivateKey(ECDSA P-256, not shown)");
    let made = make(Request {
        clients: vec!["alice".into()],
        ..request(&["printer.local"])
    });
    let readme = String::from_utf8(file(&made, "README.txt").to_vec()).unwrap();
    let outcomes = serde_json::to_string(&made.outcomes).unwrap();
    for text in [&readme, &outcomes] {
        assert!(!text.contains("s3cret"));
        assert!(!text.contains("PRIVATE KEY"));
    }
    // The root's key is in no file.
    let root = netlens_x509::details::parse(&made.issued.root.clone().unwrap()).unwrap();
    let root_spki = der::Encode::to_der(root.tbs_certificate().subject_public_key_info()).unwrap();
    for f in made.files.iter().filter(|f| f.path.ends_with("-key.pem")) {
        let k = PrivateKey::parse(&f.bytes).unwrap();
        assert_ne!(rustcrypto::public_key(&k).unwrap(), root_spki, "{}", f.path);
    }
}

/// A root that issues directly has no intermediate to leave out: that fixture is refused with
/// a sentence, and the rest is made from the root (whose key the user kept).
#[test]
fn a_root_issuing_directly() {
    let root_key = rustcrypto::generate(KeyType::P256, &mut rng(13)).unwrap();
    let keys = BTreeMap::from([(Role::Root, root_key.clone())]);
    let first = rustcrypto::make(
        request(&["a.test"]),
        AT,
        None,
        keys,
        Some("x"),
        &mut rng(14),
    )
    .unwrap();
    let root = file(&first, "root.pem").to_vec();
    let given = || GivenCa {
        certificates: &root,
        key: root_key.clone(),
    };
    let mut r = request(&["b.test"]);
    r.constraints = Placement::None;
    r.fixtures = vec![Fixture::MissingIntermediate];
    let e = rustcrypto::make(
        r.clone(),
        AT,
        Some(given()),
        BTreeMap::new(),
        Some("x"),
        &mut rng(15),
    )
    .err()
    .unwrap();
    assert!(e.to_string().contains("needs an intermediate"), "{e}");
    r.fixtures = vec![Fixture::Expired];
    let made = rustcrypto::make(
        r,
        AT,
        Some(given()),
        BTreeMap::new(),
        Some("x"),
        &mut rng(15),
    )
    .unwrap();
    assert_all_pass(&made);
    assert!(
        made.files.iter().all(|f| f.path != "ca.pem"),
        "the root is the CA"
    );
}

/// Leaves carry the key usage and extended key usage they need and nothing more, whatever the
/// key: digitalSignature (no keyEncipherment, which mkcert puts on ECDSA keys), serverAuth
/// alone on a server (no clientAuth), clientAuth alone on a client.
#[test]
fn leaves_carry_only_the_usages_they_need() {
    let usages = |der: &[u8]| {
        let found = netlens_x509::input::FoundCertificate {
            der: der.to_vec(),
            location: Default::default(),
            container: netlens_x509::input::Container::Der,
        };
        let d = netlens_x509::details::decode(&found, 0, AT).unwrap();
        let ku = d.key_usage.unwrap();
        assert!(ku.critical);
        let eku: Vec<String> = d
            .extended_key_usage
            .unwrap()
            .purposes
            .into_iter()
            .map(|p| p.oid)
            .collect();
        (ku.usages, eku, d.basic_constraints.map(|b| b.ca))
    };
    for key_type in [
        KeyType::P256,
        KeyType::P384,
        KeyType::Rsa(2048),
        KeyType::Ed25519,
    ] {
        let mut r = request(&["a.test"]);
        r.key_type = key_type;
        r.clients = vec!["alice".into()];
        let made = make(r);
        let (ku, eku, ca) = usages(made.issued.server.as_ref().unwrap());
        assert_eq!(
            (ku, eku, ca),
            (
                vec!["digitalSignature"],
                vec!["1.3.6.1.5.5.7.3.1".to_string()],
                Some(false)
            ),
            "{key_type}"
        );
        let (ku, eku, _) = usages(&made.issued.clients[0]);
        assert_eq!(
            (ku, eku),
            (
                vec!["digitalSignature"],
                vec!["1.3.6.1.5.5.7.3.2".to_string()]
            ),
            "{key_type}"
        );
    }
}
