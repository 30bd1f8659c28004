//! Input limits.
//!
//! Everything netlens decodes comes from an untrusted paste or file. These limits keep a single
//! decode bounded in memory and time (the browser UI decodes on the main thread) and are part of
//! the documented contract: the README and the UI quote them, and exceeding one is refused with a
//! message instead of being truncated silently.

/// Largest input accepted, per pasted text or per file: 5 MiB.
///
/// A real server chain is a few kilobytes; a CA bundle such as Mozilla's is about 250 KiB. 5 MiB
/// leaves room for big bundles while keeping a decode well under a second in the browser.
pub const MAX_INPUT_BYTES: usize = 5 * 1024 * 1024;

/// Most certificates decoded in one batch (all pasted text and files together).
pub const MAX_CERTIFICATES: usize = 500;

/// Most input problems reported individually; more are summarised in one final problem, so a
/// pathological input (thousands of broken blocks) cannot flood the UI.
pub const MAX_REPORTED_PROBLEMS: usize = 100;

/// Most extensions listed per certificate. Real certificates carry about ten; a crafted one can
/// carry hundreds of thousands in 5 MiB. The rest are counted in a warning.
pub const MAX_LISTED_EXTENSIONS: usize = 256;
