//! `chain.*`: building and validating the path (RFC 5280 §6) and the chain as sent.
//!
//! - [`input`]: what was read ([`crate::rules::Scope::Input`]): unreadable input, second copies.
//! - [`path`]: each candidate path and its certificates: validity dates, signatures along the
//!   path, how it ends, CA and key-usage checks on issuers, EKU chaining, name constraints, depth.
//! - [`revocation`]: the CRLs the user supplied.
//! - [`sent`]: once the stores have chosen their paths: order, extra certificates, anchors sent,
//!   the search limit, and the case where no path could be built.

pub mod input;
pub mod path;
pub mod revocation;
pub mod sent;

pub use path::{ConstraintOutcome, constraint_outcomes};
