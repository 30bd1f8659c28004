//! DNS-SD / Bonjour validation: service types, instance names, full names and TXT records.
//!
//! Everything a developer types or pastes while setting up Bonjour (NWListener / NWBrowser,
//! Avahi, python-zeroconf, mdns-sd, Android NSD) is checked against RFC 6335, RFC 6763 and
//! RFC 6762, and against what each major implementation actually does, since they disagree
//! (see [`catalog`]). Every finding names its rule, the clause and a fix; every valid input
//! comes back in the forms each tool takes ([`output`], [`apple`]).
//!
//! Pure Rust with no wasm or DOM dependency: the web app, the `netlens dnssd` command and the
//! tests all call the same functions. No input panics; sizes are bounded ([`formats::MAX_INPUT`],
//! [`service::MAX_TYPE_INPUT`], [`name::MAX_NAME_INPUT`]).

pub mod apple;
pub mod catalog;
pub mod checks;
pub mod escape;
pub mod finding;
pub mod formats;
pub mod iana;
pub mod mdns;
pub mod name;
pub mod nfc;
pub mod output;
pub mod report;
pub mod service;
pub mod txt;

pub use catalog::Severity;
pub use finding::{Counts, Finding, Subject};
pub use formats::Format;
pub use name::{check_instance, check_name};
pub use output::ServiceContext;
pub use report::{InputError, StringView, TxtReport, check_txt, txt_report};
pub use service::check_type;
pub use txt::{TxtRecord, TxtString};
