//! What an app developer holds when TLS fails, read by netlens.
//!
//! People arrive at a TLS problem holding something other than a chain: an error code or a
//! console excerpt ([`errors`]), their app's `Info.plist` with its `NSAppTransportSecurity`
//! dictionary ([`ats`]), or a pin set that broke after a certificate renewal ([`pins`]). Each
//! module takes text or bytes and returns a report the web page, the `<netlens-apptls>`
//! element, the JS API and the CLI (`netlens tls error`, `netlens ats --info-plist`, `netlens pins`)
//! all render. Findings of the ATS linter and the pin checker are rules of this crate's
//! catalog ([`catalog`], ids `app.*`).
//!
//! Pure: no clock, no I/O. Property lists are read by `netlens-plist`, certificates by
//! `netlens-x509`.

pub mod ats;
pub mod catalog;
pub mod errors;
mod finding;
mod generated;
pub mod pins;

pub use finding::Finding;

pub use generated::SECURITY_COMMIT;
