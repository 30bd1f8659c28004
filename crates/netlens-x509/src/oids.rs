//! Names for the object identifiers that appear in server certificates.
//!
//! Users ask for "human OID names" more than anything else (lapo.it asn1js, openssl issues), so
//! every OID shown by netlens carries a short name (as OpenSSL prints it) and a readable name.
//! The table covers what public and enterprise TLS certificates use; anything else falls back to
//! the RustCrypto OID database name, then to the dotted form, never to nothing.

use const_oid::ObjectIdentifier;
use const_oid::db::DB;

/// A named OID.
#[derive(Clone, Copy, Debug)]
pub struct OidName {
    /// The OID.
    pub oid: ObjectIdentifier,
    /// The OID in dotted form (formatting OIDs is a measurable share of decoding in wasm).
    pub dotted: &'static str,
    /// Short name, as OpenSSL prints it (e.g. `serverAuth`).
    pub short: &'static str,
    /// Readable name (e.g. `TLS Web Server Authentication`).
    pub long: &'static str,
}

macro_rules! oids {
    ($( $dotted:literal => $short:literal, $long:literal; )*) => {
        /// Every OID netlens names itself.
        pub static TABLE: &[OidName] = &[
            $( OidName { oid: ObjectIdentifier::new_unwrap($dotted), dotted: $dotted, short: $short, long: $long }, )*
        ];
    };
}

oids! {
    // Certificate extensions (RFC 5280 §4.2 and others).
    "2.5.29.9" => "subjectDirectoryAttributes", "Subject Directory Attributes";
    "2.5.29.14" => "subjectKeyIdentifier", "Subject Key Identifier";
    "2.5.29.15" => "keyUsage", "Key Usage";
    "2.5.29.16" => "privateKeyUsagePeriod", "Private Key Usage Period";
    "2.5.29.17" => "subjectAltName", "Subject Alternative Name";
    "2.5.29.18" => "issuerAltName", "Issuer Alternative Name";
    "2.5.29.19" => "basicConstraints", "Basic Constraints";
    "2.5.29.30" => "nameConstraints", "Name Constraints";
    "2.5.29.31" => "crlDistributionPoints", "CRL Distribution Points";
    "2.5.29.32" => "certificatePolicies", "Certificate Policies";
    "2.5.29.33" => "policyMappings", "Policy Mappings";
    "2.5.29.35" => "authorityKeyIdentifier", "Authority Key Identifier";
    "2.5.29.36" => "policyConstraints", "Policy Constraints";
    "2.5.29.37" => "extendedKeyUsage", "Extended Key Usage";
    "2.5.29.46" => "freshestCRL", "Freshest CRL (Delta CRL Distribution Points)";
    "2.5.29.54" => "inhibitAnyPolicy", "Inhibit anyPolicy";
    "1.3.6.1.5.5.7.1.1" => "authorityInfoAccess", "Authority Information Access";
    "1.3.6.1.5.5.7.1.3" => "qcStatements", "Qualified Certificate Statements";
    "1.3.6.1.5.5.7.1.11" => "subjectInfoAccess", "Subject Information Access";
    "1.3.6.1.5.5.7.1.12" => "logotype", "Logotype";
    "1.3.6.1.5.5.7.1.24" => "tlsFeature", "TLS Feature";
    "1.3.6.1.4.1.11129.2.4.2" => "ct_precert_scts", "Embedded Signed Certificate Timestamps (CT)";
    "1.3.6.1.4.1.11129.2.4.3" => "ct_precert_poison", "CT Precertificate Poison";
    "1.3.6.1.4.1.11129.2.4.5" => "ct_cert_scts", "Signed Certificate Timestamps (OCSP)";
    "2.16.840.1.113730.1.1" => "nsCertType", "Netscape Certificate Type";
    "2.16.840.1.113730.1.13" => "nsComment", "Netscape Comment";
    "1.3.6.1.4.1.311.20.2" => "msCertificateTemplateName", "Microsoft Certificate Template Name";
    "1.3.6.1.4.1.311.21.1" => "msCAVersion", "Microsoft CA Version";
    "1.3.6.1.4.1.311.21.2" => "msPreviousCAHash", "Microsoft Previous CA Certificate Hash";
    "1.3.6.1.4.1.311.21.7" => "msCertificateTemplate", "Microsoft Certificate Template";
    "1.3.6.1.4.1.311.21.10" => "msApplicationPolicies", "Microsoft Application Policies";
    "1.3.6.1.4.1.311.25.2" => "msNTDSCASecurity", "Microsoft NTDS CA Security";
    "1.2.840.113533.7.65.0" => "entrustVersionInfo", "Entrust Version Information";
    // Extended key usages.
    "2.5.29.37.0" => "anyExtendedKeyUsage", "Any Extended Key Usage";
    "1.3.6.1.5.5.7.3.1" => "serverAuth", "TLS Web Server Authentication";
    "1.3.6.1.5.5.7.3.2" => "clientAuth", "TLS Web Client Authentication";
    "1.3.6.1.5.5.7.3.3" => "codeSigning", "Code Signing";
    "1.3.6.1.5.5.7.3.4" => "emailProtection", "E-mail Protection (S/MIME)";
    "1.3.6.1.5.5.7.3.5" => "ipsecEndSystem", "IPsec End System";
    "1.3.6.1.5.5.7.3.6" => "ipsecTunnel", "IPsec Tunnel";
    "1.3.6.1.5.5.7.3.7" => "ipsecUser", "IPsec User";
    "1.3.6.1.5.5.7.3.8" => "timeStamping", "Time Stamping";
    "1.3.6.1.5.5.7.3.9" => "OCSPSigning", "OCSP Signing";
    "1.3.6.1.5.5.7.3.17" => "ipsecIKE", "IPsec Internet Key Exchange";
    "1.3.6.1.5.5.7.3.36" => "documentSigning", "Document Signing";
    "1.3.6.1.5.2.3.5" => "pkInitKDC", "Kerberos KDC Authentication";
    "1.3.6.1.4.1.311.10.3.3" => "msSGC", "Microsoft Server Gated Crypto";
    "1.3.6.1.4.1.311.10.3.4" => "msEFS", "Microsoft Encrypting File System";
    "1.3.6.1.4.1.311.20.2.2" => "msSmartcardLogin", "Microsoft Smartcard Logon";
    "2.16.840.1.113730.4.1" => "nsSGC", "Netscape Server Gated Crypto";
    "1.3.6.1.4.1.11129.2.4.4" => "ct_precert_signer", "CT Precertificate Signing";
    "1.2.840.113635.100.4.1" => "appleCodeSigning", "Apple Code Signing";
    "1.2.840.113635.100.4.8" => "appleiChat", "Apple iChat Encryption";
    // Public-key and signature algorithms.
    "1.2.840.113549.1.1.1" => "rsaEncryption", "RSA";
    "1.2.840.113549.1.1.2" => "md2WithRSAEncryption", "RSA with MD2";
    "1.2.840.113549.1.1.4" => "md5WithRSAEncryption", "RSA with MD5";
    "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption", "RSA PKCS#1 v1.5 with SHA-1";
    "1.2.840.113549.1.1.7" => "RSAES-OAEP", "RSA-OAEP";
    "1.2.840.113549.1.1.8" => "mgf1", "MGF1";
    "1.2.840.113549.1.1.10" => "rsassaPss", "RSASSA-PSS";
    "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption", "RSA PKCS#1 v1.5 with SHA-256";
    "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption", "RSA PKCS#1 v1.5 with SHA-384";
    "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption", "RSA PKCS#1 v1.5 with SHA-512";
    "1.2.840.113549.1.1.14" => "sha224WithRSAEncryption", "RSA PKCS#1 v1.5 with SHA-224";
    "1.2.840.10045.2.1" => "id-ecPublicKey", "Elliptic Curve";
    "1.2.840.10045.4.1" => "ecdsa-with-SHA1", "ECDSA with SHA-1";
    "1.2.840.10045.4.3.1" => "ecdsa-with-SHA224", "ECDSA with SHA-224";
    "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256", "ECDSA with SHA-256";
    "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384", "ECDSA with SHA-384";
    "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512", "ECDSA with SHA-512";
    "1.3.101.110" => "X25519", "X25519";
    "1.3.101.111" => "X448", "X448";
    "1.3.101.112" => "ED25519", "Ed25519";
    "1.3.101.113" => "ED448", "Ed448";
    "1.2.840.10040.4.1" => "dsaEncryption", "DSA";
    "1.2.840.10040.4.3" => "dsa_with_SHA1", "DSA with SHA-1";
    "2.16.840.1.101.3.4.3.2" => "dsa_with_SHA256", "DSA with SHA-256";
    "2.16.840.1.101.3.4.3.17" => "ML-DSA-44", "ML-DSA-44 (post-quantum)";
    "2.16.840.1.101.3.4.3.18" => "ML-DSA-65", "ML-DSA-65 (post-quantum)";
    "2.16.840.1.101.3.4.3.19" => "ML-DSA-87", "ML-DSA-87 (post-quantum)";
    "1.2.156.10197.1.301" => "SM2", "SM2";
    "1.2.156.10197.1.501" => "SM2-with-SM3", "SM2 with SM3";
    "1.2.643.7.1.1.1.1" => "gost2012_256", "GOST R 34.10-2012 (256-bit)";
    "1.2.643.7.1.1.3.2" => "id-tc26-signwithdigest-gost3410-2012-256", "GOST R 34.10-2012 with Streebog-256";
    // Hash algorithms.
    "1.2.840.113549.2.5" => "md5", "MD5";
    "1.3.14.3.2.26" => "sha1", "SHA-1";
    "2.16.840.1.101.3.4.2.1" => "sha256", "SHA-256";
    "2.16.840.1.101.3.4.2.2" => "sha384", "SHA-384";
    "2.16.840.1.101.3.4.2.3" => "sha512", "SHA-512";
    "2.16.840.1.101.3.4.2.4" => "sha224", "SHA-224";
    // Named curves.
    "1.2.840.10045.3.1.1" => "prime192v1", "P-192";
    "1.3.132.0.33" => "secp224r1", "P-224";
    "1.2.840.10045.3.1.7" => "prime256v1", "P-256";
    "1.3.132.0.34" => "secp384r1", "P-384";
    "1.3.132.0.35" => "secp521r1", "P-521";
    "1.3.132.0.10" => "secp256k1", "secp256k1";
    "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1", "brainpoolP256r1";
    "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1", "brainpoolP384r1";
    "1.3.36.3.3.2.8.1.1.13" => "brainpoolP512r1", "brainpoolP512r1";
    "1.2.156.10197.1.301.1" => "sm2p256v1", "SM2 P-256";
    // Name attributes (X.520 and friends).
    "2.5.4.3" => "CN", "Common Name";
    "2.5.4.4" => "SN", "Surname";
    "2.5.4.5" => "serialNumber", "Serial Number";
    "2.5.4.6" => "C", "Country";
    "2.5.4.7" => "L", "Locality";
    "2.5.4.8" => "ST", "State or Province";
    "2.5.4.9" => "street", "Street Address";
    "2.5.4.10" => "O", "Organization";
    "2.5.4.11" => "OU", "Organizational Unit";
    "2.5.4.12" => "title", "Title";
    "2.5.4.13" => "description", "Description";
    "2.5.4.15" => "businessCategory", "Business Category";
    "2.5.4.17" => "postalCode", "Postal Code";
    "2.5.4.41" => "name", "Name";
    "2.5.4.42" => "GN", "Given Name";
    "2.5.4.43" => "initials", "Initials";
    "2.5.4.44" => "generationQualifier", "Generation Qualifier";
    "2.5.4.46" => "dnQualifier", "DN Qualifier";
    "2.5.4.65" => "pseudonym", "Pseudonym";
    "2.5.4.97" => "organizationIdentifier", "Organization Identifier";
    "0.9.2342.19200300.100.1.1" => "UID", "User ID";
    "0.9.2342.19200300.100.1.25" => "DC", "Domain Component";
    "1.2.840.113549.1.9.1" => "emailAddress", "E-mail Address";
    "1.2.840.113549.1.9.2" => "unstructuredName", "Unstructured Name";
    "1.3.6.1.4.1.311.60.2.1.1" => "jurisdictionL", "Jurisdiction Locality";
    "1.3.6.1.4.1.311.60.2.1.2" => "jurisdictionST", "Jurisdiction State or Province";
    "1.3.6.1.4.1.311.60.2.1.3" => "jurisdictionC", "Jurisdiction Country";
    // Access methods (AIA / SIA).
    "1.3.6.1.5.5.7.48.1" => "OCSP", "OCSP";
    "1.3.6.1.5.5.7.48.2" => "caIssuers", "CA Issuers";
    "1.3.6.1.5.5.7.48.3" => "timeStamping", "Time Stamping";
    "1.3.6.1.5.5.7.48.5" => "caRepository", "CA Repository";
    // Certificate policies.
    "2.5.29.32.0" => "anyPolicy", "Any Policy";
    "2.23.140.1.1" => "ev-guidelines", "Extended Validation (CA/B Forum)";
    "2.23.140.1.2.1" => "domain-validated", "Domain Validated (CA/B Forum)";
    "2.23.140.1.2.2" => "organization-validated", "Organization Validated (CA/B Forum)";
    "2.23.140.1.2.3" => "individual-validated", "Individual Validated (CA/B Forum)";
    "2.23.140.1.3" => "extended-validation-codesigning", "EV Code Signing (CA/B Forum)";
    "2.23.140.1.4.1" => "codesigning-requirements", "Code Signing (CA/B Forum)";
    "2.23.140.1.5.1.1" => "smime-mailbox-legacy", "S/MIME Mailbox Validated (CA/B Forum)";
    "1.3.6.1.4.1.44947.1.1.1" => "isrg-domain-validated", "ISRG Domain Validated";
    "1.3.6.1.5.5.7.2.1" => "id-qt-cps", "CPS URI";
    "1.3.6.1.5.5.7.2.2" => "id-qt-unotice", "User Notice";
    // otherName types in SANs.
    "1.3.6.1.4.1.311.20.2.3" => "msUPN", "Microsoft User Principal Name";
    "1.3.6.1.5.5.7.8.7" => "id-on-dnsSRV", "DNS SRV Name";
    "1.3.6.1.5.5.7.8.9" => "id-on-SmtpUTF8Mailbox", "SMTP UTF-8 Mailbox";
    "1.3.6.1.5.5.7.8.4" => "id-on-permanentIdentifier", "Permanent Identifier";
    "1.3.6.1.5.5.7.8.8" => "id-on-xmppAddr", "XMPP Address";
}

/// Looks up the table entry for `oid`.
pub fn lookup(oid: &ObjectIdentifier) -> Option<&'static OidName> {
    TABLE.iter().find(|n| &n.oid == oid)
}

/// The dotted form, short name and readable name of `oid`, with one table lookup.
pub fn names(oid: &ObjectIdentifier) -> (String, String, String) {
    match lookup(oid) {
        Some(n) => (n.dotted.to_owned(), n.short.to_owned(), n.long.to_owned()),
        None => {
            let dotted = oid.to_string();
            let name = DB.by_oid(oid).map_or_else(|| dotted.clone(), str::to_owned);
            (dotted, name.clone(), name)
        }
    }
}

/// The dotted form of `oid` (from the table when listed: no formatting).
pub fn dotted(oid: &ObjectIdentifier) -> String {
    match lookup(oid) {
        Some(n) => n.dotted.to_owned(),
        None => oid.to_string(),
    }
}

/// A readable name for `oid`: the table's long name, else the OID database name, else the
/// dotted form.
pub fn long_name(oid: &ObjectIdentifier) -> String {
    match lookup(oid) {
        Some(n) => n.long.to_owned(),
        None => DB
            .by_oid(oid)
            .map_or_else(|| oid.to_string(), str::to_owned),
    }
}

/// A short name for `oid` (OpenSSL style), else the OID database name, else the dotted form.
pub fn short_name(oid: &ObjectIdentifier) -> String {
    match lookup(oid) {
        Some(n) => n.short.to_owned(),
        None => DB
            .by_oid(oid)
            .map_or_else(|| oid.to_string(), str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_no_duplicate_oids() {
        for (i, a) in TABLE.iter().enumerate() {
            for b in &TABLE[i + 1..] {
                assert_ne!(a.oid, b.oid, "{} listed twice", a.oid);
            }
        }
    }

    #[test]
    fn dotted_forms_match_the_oids() {
        for n in TABLE {
            assert_eq!(n.dotted, n.oid.to_string());
            assert_eq!(dotted(&n.oid), n.dotted);
        }
        let unlisted = ObjectIdentifier::new_unwrap("1.2.3.4.5");
        assert_eq!(dotted(&unlisted), "1.2.3.4.5");
    }

    #[test]
    fn names_fall_back_to_database_then_dotted_form() {
        let san = ObjectIdentifier::new_unwrap("2.5.29.17");
        assert_eq!(long_name(&san), "Subject Alternative Name");
        assert_eq!(short_name(&san), "subjectAltName");
        // In the RustCrypto database but not in our table.
        let pkcs9_challenge = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.7");
        assert_ne!(long_name(&pkcs9_challenge), "1.2.840.113549.1.9.7");
        let private = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.1.2.3");
        assert_eq!(long_name(&private), "1.3.6.1.4.1.99999.1.2.3");
    }
}
