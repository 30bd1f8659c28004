//! Cases of `x509.*`: RFC 5280 structure. Mirrors `src/rules/x509.rs`.

use super::*;

/// rule id → (a case where it fires, a near miss where it must not).
pub(crate) fn cases() -> Vec<(&'static str, Pair)> {
    vec![
        ("x509.aki-missing", || {
            (
                case(CertSpec {
                    authority_key_id: false,
                    ..leaf_spec()
                }),
                baseline(),
            )
        }),
        ("x509.aki-critical", || {
            let aki = AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(pki().inter.key.key_id().unwrap()).unwrap()),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            };
            let spec = with_ext(
                CertSpec {
                    authority_key_id: false,
                    ..leaf_spec()
                },
                ext("2.5.29.35", true, &aki),
            );
            (case(spec), baseline())
        }),
        ("x509.ski-missing", || {
            let ca = intermediate(
                CertSpec {
                    subject_key_id: false,
                    ..CertSpec::ca("CN=No SKI CA", Some(0))
                },
                "no-ski",
            );
            (chain_via(&ca, leaf_spec(), "under-no-ski"), baseline())
        }),
        ("x509.ski-critical", || {
            let ski = SubjectKeyIdentifier(OctetString::new(vec![1u8; 20]).unwrap());
            let spec = with_ext(
                CertSpec {
                    subject_key_id: false,
                    ..leaf_spec()
                },
                ext("2.5.29.14", true, &ski),
            );
            (case(spec), baseline())
        }),
        ("x509.serial-number", || {
            let leaf = leaf_from(leaf_spec(), "negative-serial");
            let der = resign(&leaf.der, &pki().inter.key, false, |f| {
                f[1] = vec![0x02, 0x01, 0x85]
            })
            .unwrap();
            let mut fires = baseline();
            fires.chain[0] = der;
            (fires, baseline())
        }),
        ("x509.empty-name", || {
            let leaf = leaf_from(leaf_spec(), "empty-issuer");
            let der = resign(&leaf.der, &pki().inter.key, false, |f| {
                f[3] = vec![0x30, 0x00]
            })
            .unwrap();
            let mut fires = baseline();
            fires.chain[0] = der;
            (fires, baseline())
        }),
        ("x509.san-criticality", || {
            let san = SubjectAltName(vec![GeneralName::DnsName(Ia5String::new(HOST).unwrap())]);
            let spec = with_ext(
                CertSpec {
                    dns_names: Vec::new(),
                    ..leaf_spec()
                },
                ext("2.5.29.17", true, &san),
            );
            (case(spec), baseline())
        }),
        ("x509.duplicate-extension", || {
            let san = SubjectAltName(vec![GeneralName::DnsName(Ia5String::new(HOST).unwrap())]);
            (
                case(with_ext(leaf_spec(), ext("2.5.29.17", false, &san))),
                baseline(),
            )
        }),
        ("x509.signature-algorithm-mismatch", || {
            let leaf = leaf_from(leaf_spec(), "alg-mismatch");
            let sha384 = der_tlv(
                0x30,
                &der_tlv(0x06, &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03]),
            );
            let der = resign(&leaf.der, &pki().inter.key, true, |f| f[2] = sha384).unwrap();
            let mut fires = baseline();
            fires.chain[0] = der;
            (fires, baseline())
        }),
        ("x509.malformed-extension", || {
            (
                case(with_ext(
                    leaf_spec(),
                    ext("1.3.6.1.5.5.7.1.1", false, &der::asn1::Null),
                )),
                baseline(),
            )
        }),
        ("x509.extension-criticality", || {
            let aia = AuthorityInfoAccessSyntax(vec![AccessDescription {
                access_method: oid::AD_CA_ISSUERS,
                access_location: GeneralName::UniformResourceIdentifier(
                    Ia5String::new("http://pki.netlens.test/ca.cer").unwrap(),
                ),
            }]);
            (
                case(with_ext(leaf_spec(), ext("1.3.6.1.5.5.7.1.1", true, &aia))),
                baseline(),
            )
        }),
        ("x509.ca-key-usage-inconsistent", || {
            (
                case(CertSpec {
                    key_usage: vec![Usage::DigitalSignature, Usage::KeyCertSign],
                    ..leaf_spec()
                }),
                baseline(),
            )
        }),
        ("x509.name-constraints-invalid", || {
            let nc = NameConstraints {
                permitted_subtrees: Some(vec![GeneralSubtree {
                    base: GeneralName::DnsName(Ia5String::new("netlens.test").unwrap()),
                    minimum: 0,
                    maximum: None,
                }]),
                excluded_subtrees: None,
            };
            (
                case(with_ext(leaf_spec(), ext("2.5.29.30", true, &nc))),
                baseline(),
            )
        }),
        ("x509.name-constraints-too-complex", || {
            let nc = NameConstraints {
                permitted_subtrees: Some(
                    (0..1100)
                        .map(|i| GeneralSubtree {
                            base: GeneralName::DnsName(
                                Ia5String::new(&format!("d{i}.test")).unwrap(),
                            ),
                            minimum: 0,
                            maximum: None,
                        })
                        .collect(),
                ),
                excluded_subtrees: None,
            };
            let ca = intermediate(
                with_ext(
                    CertSpec::ca("CN=Many Constraints CA", Some(0)),
                    ext("2.5.29.30", true, &nc),
                ),
                "many-constraints",
            );
            let many = |n: usize| CertSpec {
                dns_names: (0..n).map(|i| format!("h{i}.d{i}.test")).collect(),
                ..CertSpec::leaf("h0.d0.test")
            };
            let mut fires = chain_via(&ca, many(1000), "many-names");
            let mut near = chain_via(&ca, many(100), "some-names");
            for c in [&mut fires, &mut near] {
                c.options.host = Some(netlens_chain::names::parse_host("h0.d0.test").unwrap());
            }
            (fires, near)
        }),
    ]
}
