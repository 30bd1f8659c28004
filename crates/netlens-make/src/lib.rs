//! # netlens-make: test certificates that clients trust
//!
//! Apple's answer to "how do I test TLS against my own server" (QA1948 "HTTPS and Test
//! Servers", TN2326 "Creating Certificates for TLS Testing", "Creating an Identity for Local
//! Network TLS") is a test CA: make one, issue the server an identity from it, install the CA's
//! root on every test device. This crate makes all of it, and checks it with netlens' own chain
//! analysis before anything is offered:
//!
//! [`Maker`] runs these steps for any shell:
//!
//! 1. [`Plan::new`] checks a [`Request`] (names, key types, validity, constraints, client
//!    identities, negative fixtures) at a moment, for a new CA or an [`existing`] one.
//! 2. The shell makes a key for each of [`Plan::roles`] (WebCrypto in the page, RustCrypto in
//!    the CLI: [`rustcrypto`]) and hands over the public keys.
//! 3. [`issue::to_sign`] builds every to-be-signed certificate (x509-cert's builder): the shell
//!    signs each with the key its [`issue::ToSign::signer`] names, and [`issue::assemble`] puts
//!    the signatures in.
//! 4. [`checks::checks`] says what to analyse; the shell runs each analysis (RustCrypto, or
//!    WebCrypto first) and [`checks::Check::judge`] reads it: both verdicts must pass for what
//!    is offered as good, and each fixture must trigger its finding.
//! 5. [`bundle::files`] writes the files: PEM, DER, PKCS#8, PKCS#12 ([`pkcs12`], Apple
//!    compatible by default), configuration profiles ([`mobileconfig`]), a README with the
//!    [`guide`]; [`bundle::zip`] packs them.
//!
//! No clock, no I/O, no randomness of its own: the moment, the keys and random bytes (salts,
//! IVs, a generated password) come from the caller, so the same inputs give the same bytes in
//! the browser and the CLI (serial numbers derive from the certificates' contents).
//! Private keys live in zeroizing buffers and go only into the files asked for.

pub mod bundle;
pub mod checks;
pub mod der_write;
pub mod error;
pub mod existing;
pub mod guide;
pub mod issue;
pub mod keys;
pub mod maker;
pub mod mobileconfig;
pub mod names;
pub mod pem;
pub mod pkcs12;
pub mod request;
#[cfg(feature = "rustcrypto")]
pub mod rustcrypto;
pub mod scheme;
pub mod zip;

pub use error::{KeyError, MakeError};
pub use existing::{CaInput, ExistingCa};
pub use issue::{CertId, Issued, PublicKeys, ToSign};
pub use keys::{KeyType, PrivateKey};
pub use maker::{Made, Maker, Signed};
pub use request::{Fixture, Pkcs12Format, Placement, Plan, Profile, Request, Role};
pub use scheme::SignatureScheme;
