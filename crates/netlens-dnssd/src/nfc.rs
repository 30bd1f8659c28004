//! Unicode NFC, the form RFC 6763 §4.1.3 asks instance names to be in.
//!
//! The normalization tables cost about 124 KB of wasm (61 KB gzip), and every browser already
//! has them (`String.prototype.normalize`). So they are a default feature, `unicode-nfc`, that
//! native builds (the CLI, the tests) keep, and the web build leaves out: it installs the
//! browser's normalizer with [`set_normalizer`] before the first check. Both give the same
//! answers (the web crate's browser tests compare them).

use std::borrow::Cow;
use std::sync::OnceLock;

/// A function returning the NFC form of its argument.
pub type Normalizer = fn(&str) -> String;

static NORMALIZER: OnceLock<Normalizer> = OnceLock::new();

/// Installs the NFC normalizer to use instead of the built-in tables (the first call wins).
/// Without the `unicode-nfc` feature and without a normalizer, no text is reported as not NFC.
pub fn set_normalizer(normalizer: Normalizer) {
    let _ = NORMALIZER.set(normalizer);
}

/// The NFC form of `text` (borrowed when `text` is in NFC already).
pub fn to_nfc(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let normalized = match NORMALIZER.get() {
        Some(normalize) => normalize(text),
        None => builtin(text),
    };
    if normalized == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(normalized)
    }
}

#[cfg(feature = "unicode-nfc")]
fn builtin(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfc().collect()
}

#[cfg(not(feature = "unicode-nfc"))]
fn builtin(text: &str) -> String {
    text.to_owned()
}

#[cfg(all(test, feature = "unicode-nfc"))]
mod tests {
    use super::*;

    #[test]
    fn composes_and_borrows_what_is_composed() {
        assert_eq!(to_nfc("Cafe\u{301}"), "Caf\u{e9}");
        assert!(matches!(to_nfc("Caf\u{e9}"), Cow::Borrowed(_)));
        assert!(matches!(to_nfc("plain"), Cow::Borrowed(_)));
        // Hangul jamo compose; a singleton (the Angstrom sign) maps to its canonical letter.
        assert_eq!(to_nfc("\u{1100}\u{1161}"), "\u{ac00}");
        assert_eq!(to_nfc("\u{212b}"), "\u{c5}");
    }
}
