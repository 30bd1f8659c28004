//! What an analysis is asked: the moment, the host, the purpose, the stores and the live
//! connection's parameters, when there was one.

use netlens_roots::{StoreId, TrustData};

use crate::names::Host;

/// What the leaf certificate is used for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Purpose {
    /// A TLS server (the default).
    #[default]
    ServerAuth,
    /// A TLS client.
    ClientAuth,
}

/// A name a client certificate must carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectedName {
    /// A DNS name or IP address.
    Host(Host),
    /// An email address.
    Email(String),
}

impl std::fmt::Display for ExpectedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpectedName::Host(h) => write!(f, "{h}"),
            ExpectedName::Email(e) => write!(f, "email:{e}"),
        }
    }
}

/// Analysis options.
#[derive(Clone, Debug)]
pub struct Options {
    /// The moment validity is judged at (Unix seconds).
    pub at: i64,
    /// Host name or IP address the client connects to.
    pub host: Option<Host>,
    /// Trust the compiled-in root stores (off: only the user's anchors).
    pub builtin_roots: bool,
    /// The root stores to evaluate against: the compiled-in ones, or (in tests) stores of test
    /// roots.
    pub trust_data: TrustData,
    /// Judge Certificate Transparency with the compiled-in Apple CT log list when the caller
    /// gives none (off: without a list, only distinct log IDs are counted).
    pub builtin_ct_log_list: bool,
    /// The store the `rfc5280` verdict anchors on (`apple` always uses Apple's).
    pub strict_store: StoreId,
    /// What the leaf is used for.
    pub purpose: Purpose,
    /// Names a client certificate must carry ([`Purpose::ClientAuth`]).
    pub client_names: Vec<ExpectedName>,
    /// Most logical intermediates allowed (x509-limbo's `max_chain_depth`).
    pub max_intermediates: Option<usize>,
    /// Key usages the leaf must allow when it has a key usage extension.
    pub required_key_usage: Vec<String>,
    /// Which certificate is the leaf (index as sent); chosen automatically when `None`.
    pub leaf: Option<usize>,
    /// The user's anchors are public roots (e.g. exported from macOS System Roots), so Apple's
    /// rules for preinstalled roots apply to chains ending at them.
    pub anchors_are_public: bool,
    /// What a live connection negotiated (`netlens chain --connect`), so that the iOS 18.4 key
    /// usage rule judges the key exchange actually used rather than the ones possible.
    pub negotiated: Option<Negotiated>,
}

/// The protocol version and cipher suite a server negotiated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Negotiated {
    /// `TLSv1.3`, `TLSv1.2`.
    pub protocol_version: String,
    /// The cipher suite's IANA name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`; rustls writes TLS
    /// 1.3's as `TLS13_AES_128_GCM_SHA256`).
    pub cipher_suite: String,
}

impl Negotiated {
    /// Whether the server's key signs the key exchange (ECDHE, DHE, and every TLS 1.3 suite),
    /// which needs `digitalSignature`; otherwise the key exchange is static RSA, which needs
    /// `keyEncipherment`.
    pub fn signed_key_exchange(&self) -> bool {
        self.protocol_version == "TLSv1.3"
            || self.cipher_suite.starts_with("TLS13_")
            || self.cipher_suite.contains("DHE_")
    }
}

impl Options {
    /// Defaults (server authentication, the compiled-in stores, `rfc5280` on Mozilla's) at the
    /// moment `at`.
    pub fn at(at: i64) -> Options {
        Options {
            at,
            host: None,
            builtin_roots: true,
            trust_data: TrustData::builtin(),
            builtin_ct_log_list: true,
            strict_store: StoreId::Mozilla,
            purpose: Purpose::ServerAuth,
            client_names: Vec::new(),
            max_intermediates: None,
            required_key_usage: Vec::new(),
            leaf: None,
            anchors_are_public: false,
            negotiated: None,
        }
    }
}
