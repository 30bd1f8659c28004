//! # netlens-roots: the trust stores, as data
//!
//! "Will an iPhone trust this?" can only be answered with Apple's own root store, and "works in
//! Firefox, fails on my iPhone" only by comparing stores. This crate compiles in three of them:
//!
//! - **Apple** (iOS, iPadOS, macOS, tvOS, visionOS, watchOS): `certificates/roots` of
//!   `apple-oss-distributions/security_certificates`, with `constraints.json` (roots Apple trusts
//!   only for listed Apple policies), the `removed/` roots (and the trust store version that
//!   removed each), and the dated distrust decisions Apple published in its support articles.
//! - **Mozilla** (Firefox, and the many TLS stacks that ship NSS' list): the roots NSS'
//!   `certdata.txt` trusts for server authentication, with their `CKA_NSS_SERVER_DISTRUST_AFTER`
//!   dates.
//! - **Chrome** (the Chrome Root Store, Chrome on every platform but iOS): the TLS trust anchors
//!   of Chrome's PKI Metadata component, with their constraints resolved for the Chrome version
//!   the snapshot was taken for (`sct_not_after_sec` becomes a distrust date on the earliest
//!   SCT).
//!
//! Everything in [`generated`] is written by `netlens-roots-gen` from the upstream files (see
//! DEVELOPERS.md, "Trust stores"); nothing is typed by hand except the Apple support-article
//! decisions, which the generator reads from its own data file. A root is kept as the pieces path
//! validation needs (subject, key, name constraints, validity) and the SHA-256 of its
//! certificate, a third of the certificate's size: every kilobyte here is paid by every page
//! that embeds the chain tool.

pub mod ct_logs;
pub mod file;
#[rustfmt::skip]
pub mod generated;

pub use generated::{REMOVED, ROOTS, STORES};

/// A root program. Ordered by its id (`apple` < `chrome` < `mozilla`), so a map keyed by store
/// serialises in the order of its JSON keys; [`StoreId::ALL`] is the report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreId {
    /// Apple's trust store (iOS, iPadOS, macOS, tvOS, visionOS, watchOS).
    Apple = 0,
    /// Mozilla's root store (NSS: Firefox, and the TLS stacks that ship its list).
    Mozilla = 1,
    /// The Chrome Root Store.
    Chrome = 2,
}

impl Ord for StoreId {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.id().cmp(other.id())
    }
}

impl PartialOrd for StoreId {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl core::fmt::Display for StoreId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.id())
    }
}

impl StoreId {
    /// Every shipped store, in report order.
    pub const ALL: [StoreId; 3] = [StoreId::Apple, StoreId::Mozilla, StoreId::Chrome];

    /// The id used in JSON and on the command line: `apple`, `mozilla`, `chrome`.
    pub fn id(self) -> &'static str {
        match self {
            StoreId::Apple => "apple",
            StoreId::Mozilla => "mozilla",
            StoreId::Chrome => "chrome",
        }
    }

    /// The store with this id, if any.
    pub fn parse(id: &str) -> Option<StoreId> {
        StoreId::ALL
            .into_iter()
            .find(|s| s.id().eq_ignore_ascii_case(id.trim()))
    }

    /// This store's bit in [`Root::stores`].
    pub const fn bit(self) -> u8 {
        1 << self as u8
    }

    /// What the store is and which version is compiled in.
    pub fn info(self) -> &'static StoreInfo {
        &STORES[self as usize]
    }
}

/// A compiled-in store: what it is, which version, where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StoreInfo {
    /// Which store.
    pub id: StoreId,
    /// Possessive name for sentences: "Apple's trust store".
    pub name: &'static str,
    /// The clients that use it: "iOS, iPadOS, macOS, tvOS, visionOS and watchOS 26".
    pub clients: &'static str,
    /// The store's own version: Apple's TRUST_STORE_VERSION, NSS' builtins version, the Chrome
    /// Root Store's major version.
    pub version: &'static str,
    /// When the upstream source was published (YYYY-MM-DD).
    pub date: &'static str,
    /// The upstream source, precisely enough to fetch it again.
    pub source: &'static str,
    /// Number of roots.
    pub roots: usize,
}

impl StoreInfo {
    /// The name to open a sentence or head a row with: "The Chrome Root Store".
    pub fn title(&self) -> String {
        let mut chars = self.name.chars();
        chars
            .next()
            // Store names are ASCII; Unicode case tables would cost every module that links this.
            .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
            .unwrap_or_default()
    }

    /// "Apple's trust store 2025072000 (iOS, iPadOS, macOS, … 26)".
    pub fn describe(&self) -> String {
        format!("{} {} ({})", self.name, self.version, self.clients)
    }
}

/// Which moment counts as a certificate's issuance for a distrust date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The leaf's notBefore (Apple, Mozilla).
    NotBefore,
    /// The earliest Signed Certificate Timestamp of the leaf (Chrome's `sct_not_after_sec`).
    EarliestSct,
}

/// A store distrusts leaf certificates issued after a moment, while still trusting the root for
/// older ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Distrust {
    /// The store that decided it.
    pub store: StoreId,
    /// Certificates issued after this moment (Unix seconds) are not trusted.
    pub after: i64,
    /// What counts as issuance.
    pub basis: Basis,
    /// Where the decision was published.
    pub source: &'static str,
}

/// A root certificate, as path validation needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Root {
    /// SHA-256 of the DER certificate.
    pub sha256: [u8; 32],
    /// Display name (the store's own when it has one, else the subject's CN or O).
    pub label: &'static str,
    /// DER of the subject Name.
    pub subject: &'static [u8],
    /// DER SubjectPublicKeyInfo.
    pub spki: &'static [u8],
    /// DER NameConstraints (the extension value), if the root carries them.
    pub name_constraints: Option<&'static [u8]>,
    /// notBefore, Unix seconds.
    pub not_before: i64,
    /// notAfter, Unix seconds.
    pub not_after: i64,
    /// Self-issued (subject = issuer): a root, rather than an intermediate a store trusts
    /// directly (the Chrome Root Store's additional anchors).
    pub self_issued: bool,
    /// The stores that hold it ([`StoreId::bit`]s).
    pub stores: u8,
    /// Apple's `constraints.json`: when not empty, Apple trusts the root only for these Apple
    /// policy OIDs (`1.2.840.113635.100.1.*`).
    pub apple_policies: &'static [&'static str],
    /// Dated distrust decisions.
    pub distrust: &'static [Distrust],
    /// Stores that enforce the root's own notAfter ([`StoreId::bit`]s; Chrome's
    /// `enforce_anchor_expiry`).
    pub expiry_enforced: u8,
}

/// Apple's policy OID for SSL/TLS (`kSecPolicyAppleSSL`); `.1` and `.2` below it are the server
/// and client sides.
pub const APPLE_TLS_POLICY: &str = "1.2.840.113635.100.1.3";

impl Root {
    /// The root is in `store`.
    pub fn in_store(&self, store: StoreId) -> bool {
        self.stores & store.bit() != 0
    }

    /// The distrust decision of `store` for this root, if any.
    pub fn distrust(&self, store: StoreId) -> Option<&Distrust> {
        self.distrust.iter().find(|d| d.store == store)
    }

    /// Apple's constraints allow TLS: the root is unconstrained, or trusted for the SSL policy.
    pub fn apple_allows_tls(&self) -> bool {
        self.apple_policies.is_empty()
            || self.apple_policies.iter().any(|p| {
                *p == APPLE_TLS_POLICY
                    || p.strip_prefix(APPLE_TLS_POLICY)
                        .is_some_and(|rest| rest.starts_with('.'))
            })
    }

    /// `store` enforces this root's expiry.
    pub fn expiry_enforced_by(&self, store: StoreId) -> bool {
        self.expiry_enforced & store.bit() != 0
    }

    /// The SHA-256 as uppercase hex (the form Apple names its files with).
    pub fn sha256_hex(&self) -> String {
        hex(&self.sha256)
    }
}

/// A root (or intermediate) Apple removed from its store (`certificates/removed`). Kept as
/// digests: enough to recognise it at the end of a chain and say when it went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RemovedRoot {
    /// SHA-256 of the DER certificate.
    pub sha256: [u8; 32],
    /// The first 8 bytes of the SHA-256 of the subject Name's DER.
    pub subject_digest: [u8; 8],
    /// The first 8 bytes of the SHA-256 of the DER SubjectPublicKeyInfo.
    pub spki_digest: [u8; 8],
    /// Display name.
    pub label: &'static str,
    /// The Apple trust store version (or, before versions were recorded, the source release)
    /// that first listed it as removed; empty when unknown.
    pub removed_in: &'static str,
}

/// The roots an analysis may anchor on: the compiled-in stores ([`TrustData::builtin`]), or, in
/// tests, stores made of test roots.
#[derive(Clone, Copy, Debug)]
pub struct TrustData {
    /// Every root, each with the stores that hold it.
    pub roots: &'static [Root],
    /// Roots Apple removed.
    pub removed: &'static [RemovedRoot],
}

/// The stores [`install`]ed in a build without the `embedded` feature.
#[cfg(not(feature = "embedded"))]
static INSTALLED: std::sync::OnceLock<TrustData> = std::sync::OnceLock::new();

/// Makes `data` (read with [`file::decode`]) the built-in stores of a build without the
/// `embedded` feature (the web's); false when stores are installed already, or compiled in.
pub fn install(data: TrustData) -> bool {
    #[cfg(not(feature = "embedded"))]
    return INSTALLED.set(data).is_ok();
    #[cfg(feature = "embedded")]
    {
        let _ = data;
        false
    }
}

impl TrustData {
    /// The built-in stores: compiled in with the `embedded` feature (the default; the CLI), or
    /// else those [`install`]ed from `trust-stores.bin` (the web), and no roots before that.
    pub fn builtin() -> TrustData {
        #[cfg(feature = "embedded")]
        return TrustData {
            roots: ROOTS,
            removed: REMOVED,
        };
        #[cfg(not(feature = "embedded"))]
        INSTALLED.get().copied().unwrap_or(TrustData {
            roots: &[],
            removed: &[],
        })
    }

    /// Whether [`TrustData::builtin`] has its roots (always with `embedded`).
    pub fn builtin_available() -> bool {
        !TrustData::builtin().roots.is_empty()
    }

    /// The roots of `store`.
    pub fn roots_of(&self, store: StoreId) -> impl Iterator<Item = &'static Root> + use<> {
        self.roots.iter().filter(move |r| r.in_store(store))
    }
}

/// Uppercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// `N` bytes from `2N` hex digits, at compile time (the generated tables spell digests in hex so
/// a diff of a refresh is readable). A malformed literal fails the build: the panics below run
/// in const evaluation of the generated statics, never at run time.
#[allow(clippy::panic)]
pub const fn hex_bytes<const N: usize>(text: &str) -> [u8; N] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("not a hex digit"),
        }
    }
    let bytes = text.as_bytes();
    assert!(bytes.len() == 2 * N, "wrong number of hex digits");
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = (nibble(bytes[2 * i]) << 4) | nibble(bytes[2 * i + 1]);
        i += 1;
    }
    out
}

/// A SHA-256 from 64 hex digits, at compile time.
pub const fn hex32(text: &str) -> [u8; 32] {
    hex_bytes::<32>(text)
}

/// A [`RemovedRoot`] digest from 16 hex digits, at compile time.
pub const fn hex8(text: &str) -> [u8; 8] {
    hex_bytes::<8>(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_ids_round_trip_and_index_their_info() {
        for s in StoreId::ALL {
            assert_eq!(StoreId::parse(s.id()), Some(s));
            assert_eq!(s.info().id, s);
            assert!(s.info().describe().contains(s.info().version));
        }
        assert_eq!(StoreId::parse(" Chrome "), Some(StoreId::Chrome));
        assert_eq!(StoreId::parse("windows"), None);
    }

    #[test]
    fn hex_helpers_agree() {
        let h = hex32("00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF");
        assert_eq!(h[1], 0x11);
        assert_eq!(h[31], 0xFF);
        assert_eq!(
            hex(&h),
            "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"
        );
        assert_eq!(hex8("0102030405060708"), [1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn apple_policy_constraints_decide_tls() {
        let mut root = ROOTS[0];
        root.apple_policies = &[];
        assert!(root.apple_allows_tls());
        root.apple_policies = &["1.2.840.113635.100.1.2", "1.2.840.113635.100.1.16"];
        assert!(!root.apple_allows_tls());
        root.apple_policies = &["1.2.840.113635.100.1.3.1"];
        assert!(root.apple_allows_tls());
        root.apple_policies = &["1.2.840.113635.100.1.30"];
        assert!(!root.apple_allows_tls(), ".30 is not below .3");
    }
}
