//! Cases of `chain.*`: path validation and the chain as sent. Mirrors `src/rules/chain.rs`.

use super::*;

/// rule id → (a case where it fires, a near miss where it must not).
pub(crate) fn cases() -> Vec<(&'static str, Pair)> {
    vec![
        ("chain.parse-error", || {
            let mut fires = baseline();
            fires
                .chain
                .push(b"-----BEGIN CERTIFICATE-----\nMIIB!!\n-----END CERTIFICATE-----\n".to_vec());
            (fires, baseline())
        }),
        ("chain.missing-intermediate", || {
            let mut fires = baseline();
            fires.chain.truncate(1);
            (fires, baseline())
        }),
        ("chain.untrusted-root", || {
            let mut fires = baseline();
            fires.chain.push(pki().root.der.clone());
            fires.anchors.clear();
            (fires, baseline())
        }),
        ("chain.self-signed-leaf", || {
            let leaf = self_signed(
                &leaf_spec(),
                Key::generate(KeyAlgorithm::P256, "self").unwrap(),
            )
            .unwrap();
            let mut fires = baseline();
            fires.chain = vec![leaf.der];
            (fires, baseline())
        }),
        ("chain.wrong-order", || {
            let mut fires = baseline();
            fires.chain.reverse();
            (fires, baseline())
        }),
        ("chain.extra-certificate", || {
            let mut fires = baseline();
            fires.chain.push(pki().rsa_inter.der.clone());
            (fires, baseline())
        }),
        ("chain.duplicate-certificate", || {
            let mut fires = baseline();
            fires.chain.push(pki().inter.der.clone());
            (fires, baseline())
        }),
        ("chain.contains-anchor", || {
            let mut fires = baseline();
            fires.chain.push(pki().root.der.clone());
            (fires, baseline())
        }),
        ("chain.signature-invalid", || {
            // Same issuer name, different key: the leaf was not signed by the intermediate sent.
            let impostor = issue(
                &CertSpec::ca("CN=Rules Issuing CA,O=Netlens Rules", Some(0)),
                Key::generate(KeyAlgorithm::P256, "impostor").unwrap(),
                &pki().root,
            )
            .unwrap();
            let leaf = issue(
                &leaf_spec(),
                Key::generate(KeyAlgorithm::P256, "victim").unwrap(),
                &impostor,
            )
            .unwrap();
            (case_with(&leaf, &pki().inter), baseline())
        }),
        ("chain.unsupported-algorithm", || {
            // Both algorithm fields say MD5 with RSA, which no client verifies.
            let md5 = der_tlv(
                0x30,
                &[
                    der_tlv(
                        0x06,
                        &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x04],
                    ),
                    vec![5, 0],
                ]
                .concat(),
            );
            let leaf = leaf_from(leaf_spec(), "md5");
            let mut fields = netlens_testkit::tbs_fields(&leaf.der).unwrap();
            fields[2] = md5.clone();
            let tbs = der_tlv(0x30, &fields.concat());
            let (_, sig) = sign_raw(&pki().inter.key, &tbs).unwrap();
            let mut bits = vec![0u8];
            bits.extend(sig);
            let der = der_tlv(0x30, &[tbs, md5, der_tlv(0x03, &bits)].concat());
            let mut fires = baseline();
            fires.chain[0] = der;
            (fires, baseline())
        }),
        ("chain.weak-signature", sha1_pair),
        ("chain.expired", || {
            let mut fires = baseline();
            fires.options.at = JAN_2025 + 400 * DAY;
            (fires, baseline())
        }),
        ("chain.not-yet-valid", || {
            let mut fires = baseline();
            fires.options.at = JAN_2025 - DAY;
            (fires, baseline())
        }),
        ("chain.issuer-not-ca", || {
            let not_ca = intermediate(
                CertSpec {
                    key_usage: vec![Usage::KeyCertSign],
                    ..CertSpec::new("CN=Not A CA")
                },
                "not-ca",
            );
            (chain_via(&not_ca, leaf_spec(), "under-not-ca"), baseline())
        }),
        ("chain.path-length-exceeded", || {
            let sub = issue(
                &CertSpec::ca("CN=Rules Sub CA", None),
                Key::generate(KeyAlgorithm::P256, "sub").unwrap(),
                &pki().inter,
            )
            .unwrap();
            let leaf = issue(
                &leaf_spec(),
                Key::generate(KeyAlgorithm::P256, "under-sub").unwrap(),
                &sub,
            )
            .unwrap();
            let mut fires = case_with(&leaf, &sub);
            fires.chain.push(pki().inter.der.clone());
            let open = intermediate(CertSpec::ca("CN=Open CA", None), "open");
            let sub2 = issue(
                &CertSpec::ca("CN=Rules Sub CA 2", None),
                Key::generate(KeyAlgorithm::P256, "sub2").unwrap(),
                &open,
            )
            .unwrap();
            let leaf2 = issue(
                &leaf_spec(),
                Key::generate(KeyAlgorithm::P256, "under-sub2").unwrap(),
                &sub2,
            )
            .unwrap();
            let mut near = case_with(&leaf2, &sub2);
            near.chain.push(open.der);
            (fires, near)
        }),
        ("chain.issuer-missing-keycertsign", || {
            let ca = intermediate(
                CertSpec {
                    key_usage: vec![Usage::DigitalSignature],
                    ..CertSpec::ca("CN=No Cert Sign CA", Some(0))
                },
                "no-certsign",
            );
            (chain_via(&ca, leaf_spec(), "under-no-certsign"), baseline())
        }),
        ("chain.name-constraints-violated", || {
            let nc = NameConstraints {
                permitted_subtrees: Some(vec![GeneralSubtree {
                    base: GeneralName::DnsName(Ia5String::new("netlens.test").unwrap()),
                    minimum: 0,
                    maximum: None,
                }]),
                excluded_subtrees: None,
            };
            let ca = intermediate(
                with_ext(
                    CertSpec::ca("CN=Constrained CA", Some(0)),
                    ext("2.5.29.30", true, &nc),
                ),
                "constrained",
            );
            let mut fires = chain_via(&ca, CertSpec::leaf("www.other.test"), "outside");
            fires.options.host = Some(netlens_chain::names::parse_host("www.other.test").unwrap());
            (fires, chain_via(&ca, leaf_spec(), "inside"))
        }),
        ("chain.aki-ski-mismatch", || {
            let aki = AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(vec![7u8; 20]).unwrap()),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            };
            let spec = with_ext(
                CertSpec {
                    authority_key_id: false,
                    ..leaf_spec()
                },
                ext("2.5.29.35", false, &aki),
            );
            (case(spec), baseline())
        }),
        ("chain.unknown-critical-extension", || {
            (
                case(with_ext(
                    leaf_spec(),
                    ext("1.3.6.1.4.1.55738.666.1", true, &der::asn1::Null),
                )),
                baseline(),
            )
        }),
        ("chain.revoked", || {
            let base = baseline();
            let leaf_serial = [0x11u8, 0x22];
            let mut fires = base.clone();
            fires
                .crls
                .push(netlens_testkit::crl(&pki().inter, &[&leaf_serial], 1).unwrap());
            let mut near = base;
            near.crls
                .push(netlens_testkit::crl(&pki().inter, &[&[0x77]], 1).unwrap());
            (fires, near)
        }),
        ("chain.crl-invalid", || {
            let no_crl_sign = intermediate(
                CertSpec {
                    key_usage: vec![Usage::KeyCertSign],
                    ..CertSpec::ca("CN=No CRL Sign CA", Some(0))
                },
                "no-crlsign",
            );
            let mut fires = chain_via(&no_crl_sign, leaf_spec(), "under-no-crlsign");
            fires
                .crls
                .push(netlens_testkit::crl(&no_crl_sign, &[], 1).unwrap());
            let mut near = baseline();
            near.crls
                .push(netlens_testkit::crl(&pki().inter, &[], 1).unwrap());
            (fires, near)
        }),
        ("chain.ocsp-response-unusable", || {
            // The issuer's answer for the leaf, expired a day before the check; the near miss
            // is current.
            let leaf = leaf_from(leaf_spec(), "leaf-www.netlens.test");
            let staple = |next: i64| {
                netlens_testkit::staple::ocsp_response(
                    &pki().inter,
                    &leaf,
                    netlens_testkit::staple::Status::Good,
                    AT - 8 * DAY,
                    Some(next),
                    None,
                )
                .unwrap()
            };
            let mut fires = baseline();
            fires.crls.push(staple(AT - DAY));
            let mut near = baseline();
            near.crls.push(staple(AT + DAY));
            (fires, near)
        }),
        ("chain.sct-list-unreadable", || {
            let serverinfo = |list: &[u8]| {
                netlens_testkit::staple::serverinfo_pem(list)
                    .unwrap()
                    .into_bytes()
            };
            let mut fires = baseline();
            fires.crls.push(serverinfo(&[0, 9, 1, 2]));
            let mut near = baseline();
            let log = netlens_testkit::staple::TestLog::new("Operator A", "rules-log").unwrap();
            let sct = log
                .sct(&near.chain[0], (AT as u64 - DAY as u64) * 1000)
                .unwrap();
            near.crls.push(serverinfo(
                &netlens_testkit::staple::sct_list(&[sct]).unwrap(),
            ));
            (fires, near)
        }),
        ("chain.too-long", || {
            let mut fires = baseline();
            fires.options.max_intermediates = Some(0);
            let mut near = baseline();
            near.options.max_intermediates = Some(1);
            (fires, near)
        }),
        ("chain.search-limit", || {
            (same_key_cas(100), same_key_cas(3))
        }),
        ("chain.ca-eku-mismatch", || {
            let email_ca = intermediate(
                CertSpec {
                    extended_key_usage: vec![oid::CLIENT_AUTH],
                    ..CertSpec::ca("CN=Rules Client CA,O=Netlens Rules", Some(0))
                },
                "client-ca",
            );
            let tls_ca = intermediate(
                CertSpec {
                    extended_key_usage: vec![oid::SERVER_AUTH],
                    ..CertSpec::ca("CN=Rules TLS CA,O=Netlens Rules", Some(0))
                },
                "tls-ca",
            );
            (
                chain_via(&email_ca, leaf_spec(), "eku-leaf"),
                chain_via(&tls_ca, leaf_spec(), "eku-leaf"),
            )
        }),
    ]
}
