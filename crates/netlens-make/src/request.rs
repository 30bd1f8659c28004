//! What a user asks for ([`Request`]), checked into what will be made ([`Plan`]).
//!
//! Defaults follow Apple's recipe (QA1948, TN2326) and rules: a P-256 CA and server key, a
//! server certificate valid 365 days (Apple refuses more than 825 for any certificate issued
//! since 2019-07-01, HT210176), a root → name-constrained intermediate → leaf hierarchy whose
//! intermediate may issue only for the names given.

use serde::{Deserialize, Serialize};

use crate::error::MakeError;
use crate::existing::ExistingCa;
use crate::keys::KeyType;
use crate::names::{self, Constraints, SubjectName};
use crate::scheme::SignatureScheme;
use netlens_chain::catalog::{APPLE_VALIDITY, RuleId};

netlens_catalog::string_enum! {
    /// Where the name constraints go.
    #[derive(Default)]
    pub enum Placement {
        /// On the intermediate that issues the leaves (the default, and the recipe whose client
        /// support is documented: BetterTLS's name-constraint suite passes on Safari, Chrome,
        /// Firefox, OpenSSL, Go and rustls with constraints on intermediates).
        #[default]
        Intermediate = "intermediate",
        /// On the root as well as the intermediate (no source says how iOS treats a constrained
        /// root a user installed; the intermediate's constraints hold either way).
        Root = "root",
        /// None: the CA may issue for any name.
        None = "none",
    }
}

netlens_catalog::string_enum! {
    /// Which validity rules bind the server certificate.
    #[derive(Default)]
    pub enum Profile {
        /// Apple's: at most 825 days (HT210176), so iPhones and Macs accept it.
        #[default]
        Apple = "apple",
        /// Any validity up to ten years, for clients without Apple's limit; iOS and macOS
        /// refuse a certificate over 825 days (`apple.validity-over-825-days`), and the checks
        /// say so.
        Any = "any",
    }
}

netlens_catalog::string_enum! {
    /// The PKCS#12 encryption.
    #[derive(Default)]
    pub enum Pkcs12Format {
        /// PBE-SHA1-3DES for the key and the certificates, an HMAC-SHA1 MAC: what every Apple
        /// release's Keychain and `SecPKCS12Import` import (OpenSSL 3's defaults have been
        /// refused as "wrong password": openssl#19495, xca#474, pyca#7293).
        #[default]
        Apple = "apple",
        /// PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) and an HMAC-SHA256 MAC: OpenSSL 3's defaults.
        Modern = "modern",
    }
}

netlens_catalog::string_enum! {
    /// A server certificate that is wrong on purpose, to test an app's error paths. Each is
    /// labelled with the netlens finding it triggers, and proven by analysing it. The words are
    /// the ids of JSON, the CLI and file names; `ALL` is the menu order.
    #[derive(PartialOrd, Ord)]
    pub enum Fixture {
        /// Expired 30 days ago.
        Expired = "expired",
        /// Valid only from a year from now.
        NotYetValid = "not-yet-valid",
        /// For `wrong-host.` under the first name (inside the CA's constraints), not the names
        /// given.
        WrongHost = "wrong-host",
        /// A good leaf served without its intermediate.
        MissingIntermediate = "missing-intermediate",
        /// Valid 826 days.
        Over825Days = "over-825-days",
        /// Signed with SHA-1.
        Sha1Signed = "sha1-signed",
        /// Extended key usage clientAuth only.
        NoServerauth = "no-serverauth",
    }
}

impl Fixture {
    /// The netlens finding the fixture must trigger.
    pub fn finding(self) -> RuleId {
        match self {
            Fixture::Expired => RuleId::ChainExpired,
            Fixture::NotYetValid => RuleId::ChainNotYetValid,
            Fixture::WrongHost => RuleId::TlsHostnameMismatch,
            Fixture::MissingIntermediate => RuleId::ChainMissingIntermediate,
            Fixture::Over825Days => RuleId::AppleValidityOver825Days,
            Fixture::Sha1Signed => RuleId::AppleSha1Signature,
            Fixture::NoServerauth => RuleId::TlsMissingServerauthEku,
        }
    }

    /// What it is, in a few words.
    pub fn describe(self) -> &'static str {
        match self {
            Fixture::Expired => "expired 30 days ago",
            Fixture::NotYetValid => "valid only from a year from now",
            Fixture::WrongHost => {
                "issued for a name clients do not connect to (wrong-host. and your first name)"
            }
            Fixture::MissingIntermediate => "a good leaf, served without its intermediate",
            Fixture::Over825Days => "valid for 826 days, one over Apple's limit",
            Fixture::Sha1Signed => "signed with SHA-1",
            Fixture::NoServerauth => "extended key usage clientAuth only, no serverAuth",
        }
    }
}

/// Largest number of client identities made at once.
pub const MAX_CLIENTS: usize = 16;
/// Longest server certificate validity with the `any` profile (ten years).
pub const MAX_ANY_DAYS: u32 = 3650;
/// Longest CA validity (25 years).
pub const MAX_CA_DAYS: u32 = 9125;
/// Default server certificate validity.
pub const DEFAULT_DAYS: u32 = 365;
/// Default CA validity (TN2326's "add a zero": ten years).
pub const DEFAULT_CA_DAYS: u32 = 3650;

/// What a user asks for. Deserialised from the JS API's options and built by the CLI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Request {
    /// Names clients use to reach the server: DNS names, `.local` names, IP addresses, URLs.
    pub names: Vec<String>,
    /// The server's and clients' key type.
    pub key_type: KeyType,
    /// The test CA's key type (root and intermediate).
    pub ca_key_type: KeyType,
    /// Server and client certificates' validity, in days.
    pub days: u32,
    /// The CA's validity, in days.
    pub ca_days: u32,
    /// The CA's common name (default `netlens Test CA` and 8 hex digits of its key).
    pub ca_name: Option<String>,
    /// Where the name constraints go.
    pub constraints: Placement,
    /// Client identities (mutual TLS): each name becomes a certificate's common name.
    pub clients: Vec<String>,
    /// Negative fixtures to make.
    pub fixtures: Vec<Fixture>,
    /// The validity profile.
    pub profile: Profile,
    /// The PKCS#12 encryption.
    pub pkcs12: Pkcs12Format,
}

impl Default for Request {
    fn default() -> Self {
        Request {
            names: Vec::new(),
            key_type: KeyType::P256,
            ca_key_type: KeyType::P256,
            days: DEFAULT_DAYS,
            ca_days: DEFAULT_CA_DAYS,
            ca_name: None,
            constraints: Placement::Intermediate,
            clients: Vec::new(),
            fixtures: Vec::new(),
            profile: Profile::Apple,
            pkcs12: Pkcs12Format::Apple,
        }
    }
}

/// Who issues the leaves.
#[derive(Clone, Debug)]
pub enum Issuer {
    /// A new test CA (root and intermediate) with this common name, or the default one.
    New {
        /// The CA's common name, if the user chose one.
        name: Option<String>,
    },
    /// A CA the user already has.
    Existing(Box<ExistingCa>),
}

/// A checked request: what will be made, at which moment.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The request, as given.
    pub request: Request,
    /// The moment the certificates are issued at (Unix seconds).
    pub at: i64,
    /// The server certificate's names (empty: client identities only).
    pub names: Vec<SubjectName>,
    /// What reading the names changed.
    pub notes: Vec<String>,
    /// The constraints the intermediate (and root) get, if placed.
    pub constraints: Constraints,
    /// Who issues the leaves.
    pub issuer: Issuer,
    /// Client identities' names.
    pub clients: Vec<String>,
    /// Fixtures, each once, in menu order.
    pub fixtures: Vec<Fixture>,
}

/// A common name: 1 to 64 characters (RFC 5280's ub-common-name), no control characters.
fn common_name(what: &'static str, input: &str) -> Result<String, MakeError> {
    let name = input.trim();
    let bad = |why| MakeError::BadCommonName {
        what,
        input: input.to_owned(),
        why,
    };
    if name.is_empty() {
        return Err(bad("it is empty"));
    }
    if name.chars().count() > 64 {
        return Err(bad(
            "it is longer than 64 characters, the most a certificate's common name holds",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(bad("it contains control characters"));
    }
    Ok(name.to_owned())
}

impl Plan {
    /// Checks `request` for issuing at `at` by a new test CA, or by `existing`.
    pub fn new(request: Request, at: i64, existing: Option<ExistingCa>) -> Result<Plan, MakeError> {
        let (names, notes) = names::parse(&request.names)?;
        let mut clients: Vec<String> = Vec::new();
        if request.clients.len() > MAX_CLIENTS {
            return Err(MakeError::BadCommonName {
                what: "client list",
                input: format!("{} names", request.clients.len()),
                why: "netlens makes at most 16 client identities at once",
            });
        }
        for client in &request.clients {
            if client.trim().is_empty() {
                continue;
            }
            let name = common_name("client name", client)?;
            if !clients.contains(&name) {
                clients.push(name);
            }
        }
        if names.is_empty() && clients.is_empty() {
            return Err(MakeError::NothingToMake);
        }
        let mut fixtures = request.fixtures.clone();
        fixtures.sort();
        fixtures.dedup();
        if names.is_empty() && !fixtures.is_empty() {
            return Err(MakeError::Fixture {
                why: "Fixtures are server certificates: enter the names the server is reached by."
                    .into(),
            });
        }

        let apple_max = APPLE_VALIDITY.last().map(|l| l.max).unwrap_or(825);
        let days = request.days;
        if days == 0 {
            return Err(MakeError::Validity {
                what: "server certificate",
                days,
                why: "choose at least one day (the expired fixture makes one that has expired)."
                    .into(),
            });
        }
        match request.profile {
            Profile::Apple if days > apple_max => {
                return Err(MakeError::over_apple_limit(days, apple_max));
            }
            Profile::Any if days > MAX_ANY_DAYS => {
                return Err(MakeError::Validity {
                    what: "server certificate",
                    days,
                    why: format!(
                        "netlens makes server certificates for at most {MAX_ANY_DAYS} days (ten years)."
                    ),
                });
            }
            _ => {}
        }

        if request.key_type.is_rsa() && !KeyType::GENERATED.contains(&request.key_type) {
            return Err(MakeError::KeyType {
                why: format!(
                    "{} is not a key size netlens generates: choose RSA-2048, 3072 or 4096.",
                    request.key_type
                ),
            });
        }

        let issuer = match existing {
            Some(ca) => {
                let ca_type = ca.key_type;
                if fixtures.contains(&Fixture::Sha1Signed) {
                    SignatureScheme::for_key(ca_type, true)?;
                }
                if fixtures.contains(&Fixture::MissingIntermediate)
                    && ca.above.is_empty()
                    && ca.anchor_is_root
                {
                    return Err(MakeError::Fixture {
                        why: format!(
                            "The missing-intermediate fixture needs an intermediate, and \"{}\" \
                             is a root that issues directly: issue from an intermediate CA, or \
                             leave this fixture out.",
                            ca.label
                        ),
                    });
                }
                let remaining = (ca.not_after - at) / 86_400;
                if ca.not_after <= at {
                    return Err(MakeError::CaCertificate {
                        why: format!(
                            "The CA certificate \"{}\" expired on {}: make a new test CA.",
                            ca.label, ca.not_after_text
                        ),
                    });
                }
                if i64::from(days) > remaining {
                    return Err(MakeError::Validity {
                        what: "server certificate",
                        days,
                        why: format!(
                            "the CA \"{}\" expires on {}, in {remaining} days, and a certificate \
                             must not outlive its issuer. Choose {remaining} days or fewer.",
                            ca.label, ca.not_after_text
                        ),
                    });
                }
                Issuer::Existing(Box::new(ca))
            }
            None => {
                if request.ca_key_type == KeyType::Ed25519 {
                    return Err(MakeError::KeyType {
                        why: "The test CA's key cannot be Ed25519: it signs every certificate of \
                              the chain, and Apple's TLS clients are not known to verify Ed25519 \
                              signatures. Choose P-256, P-384 or RSA for the CA."
                            .into(),
                    });
                }
                if !KeyType::GENERATED.contains(&request.ca_key_type) {
                    return Err(MakeError::KeyType {
                        why: format!(
                            "{} is not a CA key type netlens makes.",
                            request.ca_key_type
                        ),
                    });
                }
                if request.ca_days == 0 || request.ca_days > MAX_CA_DAYS {
                    return Err(MakeError::Validity {
                        what: "CA",
                        days: request.ca_days,
                        why: format!("choose between 1 and {MAX_CA_DAYS} days (25 years)."),
                    });
                }
                if days > request.ca_days {
                    return Err(MakeError::Validity {
                        what: "server certificate",
                        days,
                        why: format!(
                            "the CA is valid for {} days, and a certificate must not outlive \
                             its issuer. Choose a longer CA validity or a shorter one here.",
                            request.ca_days
                        ),
                    });
                }
                let name = match &request.ca_name {
                    Some(n) if !n.trim().is_empty() => Some(common_name("CA name", n)?),
                    _ => None,
                };
                Issuer::New { name }
            }
        };
        let constraints = Constraints::from_names(&names);
        Ok(Plan {
            request,
            at,
            names,
            notes,
            constraints,
            issuer,
            clients,
            fixtures,
        })
    }

    /// The keys the shell must provide (generate, or take from the user), by role.
    pub fn roles(&self) -> Vec<(Role, KeyType)> {
        let mut roles = Vec::new();
        if let Issuer::New { .. } = self.issuer {
            roles.push((Role::Root, self.request.ca_key_type));
            roles.push((Role::Ca, self.request.ca_key_type));
        }
        if !self.names.is_empty() {
            roles.push((Role::Server, self.request.key_type));
        }
        for i in 0..self.clients.len() {
            roles.push((Role::Client(i), self.request.key_type));
        }
        roles
    }

    /// The issuing CA's key type.
    pub fn ca_key_type(&self) -> KeyType {
        match &self.issuer {
            Issuer::New { .. } => self.request.ca_key_type,
            Issuer::Existing(ca) => ca.key_type,
        }
    }

    /// A role's name in sentences and file names.
    pub fn role_name(&self, role: Role) -> String {
        match role {
            Role::Root => "root".into(),
            Role::Ca => "issuing CA".into(),
            Role::Server => "server".into(),
            Role::Client(i) => format!(
                "client {}",
                self.clients.get(i).map(String::as_str).unwrap_or("?")
            ),
        }
    }
}

/// Whose key: each signs or is certified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case", tag = "role", content = "index")]
pub enum Role {
    /// The new test CA's root.
    Root,
    /// The CA that issues the leaves: the new intermediate, or the user's CA.
    Ca,
    /// The server.
    Server,
    /// A client identity, by its index in [`Plan::clients`].
    Client(usize),
}

impl Role {
    /// A short name for the role in sentences (`root`, `ca`, `server`, `client-1`).
    pub fn word(self) -> String {
        match self {
            Role::Root => "root".into(),
            Role::Ca => "ca".into(),
            Role::Server => "server".into(),
            Role::Client(i) => format!("client-{}", i + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(names: &[&str]) -> Request {
        Request {
            names: names.iter().map(|s| s.to_string()).collect(),
            ..Request::default()
        }
    }

    #[test]
    fn defaults_make_a_p256_hierarchy_for_a_year() {
        let plan = Plan::new(request(&["printer.local", "192.168.1.20"]), 0, None).unwrap();
        assert_eq!(plan.request.days, 365);
        assert_eq!(
            plan.roles(),
            vec![
                (Role::Root, KeyType::P256),
                (Role::Ca, KeyType::P256),
                (Role::Server, KeyType::P256)
            ]
        );
        assert_eq!(
            plan.constraints.describe(),
            "printer.local and names under it, 192.168.1.20"
        );
    }

    #[test]
    fn over_825_days_is_refused_with_apples_rule() {
        let mut r = request(&["a.test"]);
        r.days = 826;
        let e = Plan::new(r.clone(), 0, None).unwrap_err().to_string();
        assert!(e.contains(RuleId::AppleValidityOver825Days.as_str()), "{e}");
        assert!(e.contains("825 days or fewer"), "{e}");
        r.days = 825;
        assert!(Plan::new(r.clone(), 0, None).is_ok());
        r.days = 900;
        r.profile = Profile::Any;
        assert!(Plan::new(r, 0, None).is_ok());
    }

    #[test]
    fn refusals_are_sentences() {
        assert_eq!(
            Plan::new(Request::default(), 0, None).unwrap_err(),
            MakeError::NothingToMake
        );
        let mut r = request(&["a.test"]);
        r.ca_key_type = KeyType::Ed25519;
        assert!(matches!(
            Plan::new(r, 0, None),
            Err(MakeError::KeyType { .. })
        ));
        let mut r = request(&["a.test"]);
        r.ca_days = 100;
        r.days = 200;
        assert!(
            Plan::new(r, 0, None)
                .unwrap_err()
                .to_string()
                .contains("outlive")
        );
        let mut r = request(&[]);
        r.clients = vec!["alice".into()];
        r.fixtures = vec![Fixture::Expired];
        assert!(matches!(
            Plan::new(r, 0, None),
            Err(MakeError::Fixture { .. })
        ));
        let mut r = request(&["a.test"]);
        r.ca_name = Some("x".repeat(65));
        assert!(
            Plan::new(r, 0, None)
                .unwrap_err()
                .to_string()
                .contains("64 characters")
        );
    }

    #[test]
    fn request_json_uses_the_documented_names() {
        let r: Request = serde_json::from_str(
            r#"{"names":["a.test"],"keyType":"rsa2048","caKeyType":"p384","days":90,
                "constraints":"root","clients":["alice"],"fixtures":["expired","sha1-signed"],
                "profile":"any","pkcs12":"modern"}"#,
        )
        .unwrap();
        assert_eq!(r.key_type, KeyType::Rsa(2048));
        assert_eq!(r.ca_key_type, KeyType::P384);
        assert_eq!(r.constraints, Placement::Root);
        assert_eq!(r.fixtures, vec![Fixture::Expired, Fixture::Sha1Signed]);
        assert_eq!(r.pkcs12, Pkcs12Format::Modern);
        assert!(serde_json::from_str::<Request>(r#"{"keyType":"rsa1024"}"#).is_err());
    }
}
