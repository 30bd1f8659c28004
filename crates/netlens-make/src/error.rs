//! Why a request cannot be made: every error is a sentence that says what is wrong and what to
//! do, shown as it is by the page, the CLI (exit status 2) and the JS API.

use netlens_chain::catalog::RuleId;

/// Why certificates cannot be made as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MakeError {
    /// Neither a server name nor a client identity was given.
    NothingToMake,
    /// A name is not something a certificate can carry.
    BadName {
        /// What was typed.
        input: String,
        /// Why, as a clause.
        why: String,
    },
    /// A DNS-SD service instance name was given where a host name belongs.
    ServiceInstanceName {
        /// What was typed.
        input: String,
    },
    /// An IPv6 address with a zone (`fe80::1%en0`).
    ZonedAddress {
        /// What was typed.
        input: String,
    },
    /// More names than one certificate should carry.
    TooManyNames {
        /// How many were given.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A CA or client name that cannot be a certificate's common name.
    BadCommonName {
        /// Which name: "CA name", "client name".
        what: &'static str,
        /// What was typed.
        input: String,
        /// Why, as a clause.
        why: &'static str,
    },
    /// A validity the profile does not allow.
    Validity {
        /// Which certificate: "server certificate", "CA".
        what: &'static str,
        /// Days asked for.
        days: u32,
        /// Why, as a sentence.
        why: String,
    },
    /// A key type that cannot be used where it was asked for.
    KeyType {
        /// Why, as a sentence.
        why: String,
    },
    /// A private key that cannot be read.
    Key(KeyError),
    /// The CA certificate input is unusable.
    CaCertificate {
        /// Why, as a sentence.
        why: String,
    },
    /// The CA key is not the key of the CA certificate.
    CaKeyMismatch {
        /// The certificate's subject.
        subject: String,
    },
    /// A key given for a role is not the key the plan was made with.
    KeyRoleMismatch {
        /// The role: "root", "issuing CA", "server", "client alice".
        role: String,
        /// Why, as a clause.
        why: String,
    },
    /// A fixture that cannot be made with this CA.
    Fixture {
        /// Why, as a sentence.
        why: String,
    },
    /// A PKCS#12 password Apple's importers would refuse.
    Password {
        /// Why, as a sentence.
        why: &'static str,
    },
    /// A signer returned something that is not a signature of the expected form.
    Signature {
        /// Which certificate.
        certificate: String,
        /// Why, as a clause.
        why: String,
    },
    /// Encoding failed (a bug: inputs are checked before anything is encoded).
    Encoding {
        /// What was being encoded.
        what: &'static str,
        /// The encoder's message.
        why: String,
    },
}

impl MakeError {
    /// An encoding error.
    pub(crate) fn encoding(what: &'static str, why: impl std::fmt::Display) -> Self {
        MakeError::Encoding {
            what,
            why: why.to_string(),
        }
    }

    /// The sentence for a validity over Apple's limit, from the catalog's rule.
    pub(crate) fn over_apple_limit(days: u32, max: u32) -> Self {
        let rule = RuleId::AppleValidityOver825Days;
        let (title, source) = rule
            .rule()
            .map(|r| (r.header.title, r.header.source))
            .unwrap_or_default();
        MakeError::Validity {
            what: "server certificate",
            days,
            why: format!(
                "Apple's rule {rule} says: {title} ({source}); iOS and macOS refuse it. Choose \
                 {max} days or fewer, or the profile \"any\" to make it anyway for other clients."
            ),
        }
    }
}

impl std::fmt::Display for MakeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MakeError::NothingToMake => f.write_str(
                "Enter at least one name clients use to reach the server (a DNS name, a .local \
                 name or an IP address), or a client identity to make.",
            ),
            MakeError::BadName { input, why } => {
                write!(f, "{input:?} is not a name a certificate can carry: {why}.")
            }
            MakeError::ServiceInstanceName { input } => write!(
                f,
                "{input:?} is a DNS-SD service instance name, not a host name: a certificate \
                 names the host the service runs on (the SRV record's target, such as \
                 printer.local). `dns-sd -L \"Instance\" _type._tcp` or `avahi-browse -r` shows it."
            ),
            MakeError::ZonedAddress { input } => write!(
                f,
                "{input:?} has a zone index (after %), which is local to one machine: enter the \
                 address without it; certificates carry the bare address."
            ),
            MakeError::TooManyNames { count, limit } => write!(
                f,
                "{count} names were given; netlens puts at most {limit} in one certificate. Make \
                 several certificates, or use a wildcard (*.example.test)."
            ),
            MakeError::BadCommonName { what, input, why } => {
                write!(f, "The {what} {input:?} cannot be used: {why}.")
            }
            MakeError::Validity { what, days, why } => write!(
                f,
                "A {what} valid for {days} day{} cannot be made: {why}",
                if *days == 1 { "" } else { "s" }
            ),
            MakeError::KeyType { why } => f.write_str(why),
            MakeError::Key(e) => write!(f, "{e}"),
            MakeError::CaCertificate { why } => f.write_str(why),
            MakeError::CaKeyMismatch { subject } => write!(
                f,
                "The CA key you gave is not the key of the CA certificate \"{subject}\" (a \
                 signature made with it does not verify with the certificate's public key): \
                 give the key that belongs to that certificate."
            ),
            MakeError::KeyRoleMismatch { role, why } => {
                write!(f, "The {role} key cannot be used: {why}.")
            }
            MakeError::Fixture { why } => f.write_str(why),
            MakeError::Password { why } => f.write_str(why),
            MakeError::Signature { certificate, why } => write!(
                f,
                "The signature for the {certificate} is unusable ({why}); nothing was made. Try \
                 again; if it keeps failing, this browser's WebCrypto cannot sign with this key \
                 type."
            ),
            MakeError::Encoding { what, why } => write!(
                f,
                "netlens could not encode the {what} ({why}). This is a bug in netlens; please \
                 report it with the inputs you gave (never a private key)."
            ),
        }
    }
}

impl std::error::Error for MakeError {}

impl From<KeyError> for MakeError {
    fn from(e: KeyError) -> Self {
        MakeError::Key(e)
    }
}

/// Why a private key cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// No private key in the input.
    NotFound {
        /// What the input held instead, when recognised ("a certificate", "a public key").
        found: Option<&'static str>,
    },
    /// An encrypted key (`ENCRYPTED PRIVATE KEY`, or a PEM with `Proc-Type: 4,ENCRYPTED`).
    Encrypted,
    /// An OpenSSH key.
    OpenSsh,
    /// The structure does not parse.
    Malformed {
        /// Which structure.
        what: &'static str,
    },
    /// A key algorithm netlens does not issue with.
    Unsupported {
        /// The algorithm, by name or OID.
        algorithm: String,
    },
    /// An RSA key too small for Apple.
    RsaTooSmall {
        /// Its size.
        bits: u32,
    },
    /// Over the input size limit.
    TooLarge {
        /// The input's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyError::NotFound { found: Some(found) } => write!(
                f,
                "The key input holds {found} but no private key: give the private key file \
                 (-----BEGIN PRIVATE KEY-----, EC PRIVATE KEY or RSA PRIVATE KEY)."
            ),
            KeyError::NotFound { found: None } => f.write_str(
                "No private key was found in the key input: give a PEM file (-----BEGIN PRIVATE \
                 KEY-----, EC PRIVATE KEY or RSA PRIVATE KEY) or its DER bytes.",
            ),
            KeyError::Encrypted => f.write_str(
                "The private key is encrypted: decrypt it first (`openssl pkey -in ca-key.pem \
                 -out ca-key-plain.pem` asks for its password); netlens never needs more than \
                 the page or your machine.",
            ),
            KeyError::OpenSsh => f.write_str(
                "This is an OpenSSH key, which certificates cannot use: convert it with \
                 `ssh-keygen -p -m PKCS8 -f key` or give the CA's PEM key.",
            ),
            KeyError::Malformed { what } => write!(
                f,
                "The private key could not be read: its {what} is malformed. Export it again as \
                 PKCS#8 PEM (`openssl pkey -in key.pem -out key-pkcs8.pem`)."
            ),
            KeyError::Unsupported { algorithm } => write!(
                f,
                "The private key is {algorithm}, which netlens does not issue with: use an \
                 ECDSA P-256 or P-384, RSA (2048 bits or more) or Ed25519 key."
            ),
            KeyError::RsaTooSmall { bits } => write!(
                f,
                "The private key is RSA-{bits}; Apple requires RSA keys of at least 2048 bits \
                 (apple.rsa-key-too-small): use a larger key."
            ),
            KeyError::TooLarge { size, limit } => write!(
                f,
                "The key input is {size} bytes, more than the {limit} a key file can be: give \
                 the key file alone."
            ),
        }
    }
}

impl std::error::Error for KeyError {}
