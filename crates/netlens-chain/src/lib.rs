//! # netlens-chain: will clients trust this certificate chain, and if not, why?
//!
//! Offline certificate-chain analysis for TLS servers, pure Rust, the same in the browser and the
//! CLI. Give it the chain a server sends (any format the decoder reads, in any order), optionally
//! a host name, a validation time, your own trust anchors, CRLs, stapled OCSP responses and SCT
//! lists (Apple's CT log list is compiled in, [`ct`]); get back
//! verdicts for Apple platforms and for a strict standard TLS client, a trust matrix saying which
//! root stores (Apple's, Mozilla's, Chrome's) trust the chain and why not, every finding with its
//! rule id, the certificate it concerns, the source of the requirement and a fix, the chain as
//! sent beside the chain as built, and the corrected chain to deploy.
//!
//! How it works:
//! 1. [`model`]: every certificate is parsed once ([`netlens_x509`] does the reading).
//! 2. [`path`]: candidate paths from the leaf to a trust anchor of any store ([`store`], the
//!    union of [`netlens_roots`]' stores and the user's anchors), each link's signature verified
//!    once ([`crypto`], RustCrypto).
//! 3. [`rules`]: one check per rule (or small family), in the module of its namespace, listed
//!    in [`rules::REGISTRY`] with its scope and applicability; [`rules::run`] calls each where
//!    it applies and while its rules are in force (the catalog's effective dates, [`catalog`]),
//!    on every candidate path and every certificate of it.
//! 4. Each store settles on its path (one ending at a root it trusts if there is one, then the
//!    fewest errors), judged by the `Store` checks ([`trust`]). The `apple` verdict follows
//!    Apple's store, `rfc5280` Mozilla's (or [`Options::strict_store`]); the path shown is
//!    Apple's, the others are alternatives.
//! 5. The `Sent` checks judge the chain as sent (order, extras, anchors, advice); the verdicts
//!    and the trust matrix complete the [`Analysis`]. [`Analyzer`] (in `analyzer.rs`) runs the
//!    steps and makes no finding itself; [`Options`] says what is asked.
//!
//! ```
//! let mut analyzer = netlens_chain::Analyzer::new(netlens_chain::Options::at(1_780_272_000));
//! analyzer.add_chain(b"not a certificate", None);
//! let analysis = analyzer.analyze();
//! assert_eq!(analysis.verdicts[&netlens_chain::Profile::Apple], "fail");
//! assert!(analysis.findings.iter().any(|f| f.rule == netlens_chain::catalog::RuleId::ChainParseError));
//! ```

pub mod catalog;
pub mod constraints;
pub mod crl;
pub mod crypto;
pub mod ct;
pub mod finding;
pub mod interception;
pub mod model;
pub mod names;
pub mod ocsp;
pub mod path;
pub mod report;
pub mod rules;
pub mod store;

mod analyzer;
mod options;

pub use analyzer::{Analyzer, Prepared};
pub use options::{ExpectedName, Negotiated, Options, Purpose};
pub use report::verdicts;
pub use rules::{apple, trust};

pub use catalog::{Profile, RULES, Rule, Severity};
pub use finding::Finding;
pub use netlens_roots::{StoreId, TrustData};
pub use report::Analysis;
