//! Property lists as people paste them, read into one tree.
//!
//! An app's `Info.plist` reaches netlens in three shapes: the XML file Xcode writes (with
//! comments, entities and CDATA when a person edited it), the binary `bplist00` form a built
//! app bundle carries, and a fragment copied out of either (`<key>NSAppTransportSecurity</key>
//! <dict>…</dict>`, or just the `<dict>`). [`parse`] reads all three into a [`Value`]; a
//! fragment of key / value pairs becomes a dictionary. The ATS linter (`netlens-apptls`) and the
//! DNS-SD tool's `NSBonjourServices` check read through this one reader.
//!
//! Untrusted input never panics and never costs more than its size: the input is limited to
//! [`MAX_INPUT`] bytes, nesting to [`MAX_DEPTH`] levels (so the recursion fits a worker's small
//! stack), and a binary plist to [`MAX_NODES`] values in all (its objects may be shared, so a
//! small file could otherwise describe an exponentially large tree). No entity is expanded
//! beyond XML's five and character references. What cannot be read is an [`Error`] whose
//! `Display` is a sentence: what is wrong, where, and what to do.

mod binary;
mod xml;

use serde::Serialize;

/// The largest input read, in bytes (an Info.plist is a few kilobytes).
pub const MAX_INPUT: usize = 1024 * 1024;
/// The deepest nesting of arrays and dictionaries read.
pub const MAX_DEPTH: usize = 48;
/// The most values a binary plist may expand to.
pub const MAX_NODES: usize = 100_000;

/// A property list value.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum Value {
    /// `<string>`.
    String(String),
    /// `<true/>` or `<false/>`.
    Bool(bool),
    /// `<integer>` (64-bit: larger values are refused, no netlens check reads them).
    Integer(i64),
    /// `<real>`, kept as written (XML) or as its IEEE 754 bits in hex (binary): no netlens
    /// check reads a number's value, and float parsing and printing would cost every page that
    /// reads property lists kilobytes of wasm.
    Real(String),
    /// `<date>`, as written (ISO 8601, `2026-01-01T00:00:00Z`).
    Date(String),
    /// `<data>`, decoded.
    Data(Vec<u8>),
    /// `<array>`.
    Array(Vec<Value>),
    /// `<dict>`.
    Dict(Dict),
    /// A binary plist's UID (keyed archives only).
    Uid(u64),
}

impl Value {
    /// What kind of value this is, as a person says it ("a string", "a boolean").
    pub fn kind(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Bool(_) => "a boolean",
            Value::Integer(_) => "an integer",
            Value::Real(_) => "a real number",
            Value::Date(_) => "a date",
            Value::Data(_) => "data",
            Value::Array(_) => "an array",
            Value::Dict(_) => "a dictionary",
            Value::Uid(_) => "a UID",
        }
    }

    /// The dictionary, if this is one.
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Value::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
}

/// A dictionary: its entries in the order written, duplicates kept (a linter reports them;
/// `CFPropertyList` keeps the last).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Dict {
    entries: Vec<(String, Value)>,
}

impl Dict {
    /// An empty dictionary.
    pub fn new() -> Dict {
        Dict::default()
    }

    /// Adds an entry at the end.
    pub fn push(&mut self, key: String, value: Value) {
        self.entries.push((key, value));
    }

    /// The value of `key` as the system reads it: the last entry with that exact key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Every entry, in the order written.
    pub fn entries(&self) -> &[(String, Value)] {
        &self.entries
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Which shape the input had.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// A whole XML property list (`<plist>`).
    Xml,
    /// An XML value without `<plist>` around it (`<dict>…</dict>`).
    XmlValue,
    /// Key / value pairs copied out of a dictionary, read as one dictionary.
    XmlPairs,
    /// A binary property list (`bplist00`).
    Binary,
}

/// A property list read from input.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Document {
    /// The shape of the input.
    pub form: Form,
    /// The top-level value.
    pub root: Value,
}

/// Why a property list could not be read. `Display` says it as a sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Nothing but whitespace.
    Empty,
    /// More than [`MAX_INPUT`] bytes.
    TooLarge {
        /// The input's size.
        len: usize,
    },
    /// Neither XML nor `bplist00`.
    NotPlist,
    /// XML that is not a property list, or not well formed.
    Xml {
        /// 1-based line of the problem.
        line: usize,
        /// What is wrong.
        problem: XmlProblem,
    },
    /// A binary plist that cannot be read.
    Binary(BinaryProblem),
}

/// What is wrong with an XML property list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum XmlProblem {
    /// The input ends inside a tag, comment, CDATA section or element.
    Truncated(&'static str),
    /// An element a property list does not have.
    UnknownElement(String),
    /// A closing tag that does not close the open element.
    Mismatched {
        /// The open element.
        open: String,
        /// The closing tag found.
        close: String,
    },
    /// An entity other than XML's five or a character reference.
    UnknownEntity(String),
    /// A `<key>` without a value after it.
    KeyWithoutValue(String),
    /// A value inside a `<dict>` without a `<key>` before it.
    ValueWithoutKey(&'static str),
    /// Text where a value was expected.
    StrayText(String),
    /// An `<integer>` that is not one (or is beyond 64 bits).
    BadInteger(String),
    /// A `<real>` that is not a number.
    BadReal(String),
    /// `<data>` that is not base64.
    BadData,
    /// A value inside `<true/>` or another element that takes none.
    NotEmpty(String),
    /// Deeper than [`MAX_DEPTH`].
    TooDeep,
    /// More content after the property list ends.
    TrailingContent,
    /// `<plist>` with no value inside.
    NoValue,
}

/// What is wrong with a binary property list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BinaryProblem {
    /// Shorter than its header and trailer, or cut off.
    Truncated,
    /// A version other than `bplist00`.
    Version(String),
    /// The trailer's sizes or offsets are impossible.
    BadTrailer,
    /// An object's offset or reference points outside the file.
    BadReference,
    /// An object type byte this reader does not know.
    UnknownObject(u8),
    /// An object contains itself.
    Cycle,
    /// A dictionary key that is not a string.
    KeyNotString,
    /// Text that is not valid ASCII or UTF-16.
    BadString,
    /// Deeper than [`MAX_DEPTH`].
    TooDeep,
    /// More than [`MAX_NODES`] values.
    TooManyValues,
    /// A 128-bit integer beyond 64 bits.
    IntegerTooLarge,
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::Empty => write!(
                f,
                "The input is empty: paste an Info.plist, its NSAppTransportSecurity dictionary, or drop the file."
            ),
            Error::TooLarge { len } => write!(
                f,
                "The input is {len} bytes, more than the {MAX_INPUT} bytes netlens reads as a property list: paste the Info.plist alone."
            ),
            Error::NotPlist => write!(
                f,
                "This is not a property list: it is neither XML (starting with `<`) nor a binary plist (starting with `bplist00`). Paste the Info.plist as Xcode shows it in source mode, or drop the file."
            ),
            Error::Xml { line, problem } => write!(
                f,
                "The XML property list cannot be read at line {line}: {problem}"
            ),
            Error::Binary(problem) => {
                write!(f, "The binary property list cannot be read: {problem}")
            }
        }
    }
}

impl core::fmt::Display for XmlProblem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            XmlProblem::Truncated(inside) => write!(
                f,
                "it ends inside {inside}. Paste the whole file, or the whole dictionary."
            ),
            XmlProblem::UnknownElement(name) => write!(
                f,
                "`<{name}>` is not a property list element (plist, dict, key, array, string, integer, real, true, false, date, data)."
            ),
            XmlProblem::Mismatched { open, close } => write!(
                f,
                "`</{close}>` closes `<{open}>`. Check that every element is closed in order."
            ),
            XmlProblem::UnknownEntity(name) => write!(
                f,
                "the entity `&{name};` is not one of XML's five (&amp; &lt; &gt; &quot; &apos;) or a character reference; property lists define no others."
            ),
            XmlProblem::KeyWithoutValue(key) => write!(f, "the key `{key}` has no value after it."),
            XmlProblem::ValueWithoutKey(kind) => {
                write!(f, "{kind} inside a dictionary has no `<key>` before it.")
            }
            XmlProblem::StrayText(text) => {
                write!(f, "the text `{text}` stands where an element was expected.")
            }
            XmlProblem::BadInteger(text) => write!(f, "`{text}` is not a 64-bit integer."),
            XmlProblem::BadReal(text) => write!(f, "`{text}` is not a real number."),
            XmlProblem::BadData => write!(f, "the `<data>` element is not base64."),
            XmlProblem::NotEmpty(name) => {
                write!(f, "`<{name}>` has content; write it as `<{name}/>`.")
            }
            XmlProblem::TooDeep => write!(
                f,
                "arrays and dictionaries are nested more than {MAX_DEPTH} deep."
            ),
            XmlProblem::TrailingContent => write!(
                f,
                "there is more after the property list ends. Paste one property list."
            ),
            XmlProblem::NoValue => write!(f, "`<plist>` holds no value."),
        }
    }
}

impl core::fmt::Display for BinaryProblem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            BinaryProblem::Truncated => write!(
                f,
                "the file is cut off (shorter than its header and trailer say). Drop the whole file."
            ),
            BinaryProblem::Version(v) => write!(
                f,
                "its version is `{v}`; netlens reads `bplist00`, the version Xcode and plutil write. Convert it with `plutil -convert xml1`."
            ),
            BinaryProblem::BadTrailer => write!(
                f,
                "its trailer (object count and offsets) is impossible; the file is damaged."
            ),
            BinaryProblem::BadReference => {
                write!(f, "an object points outside the file; the file is damaged.")
            }
            BinaryProblem::UnknownObject(byte) => {
                write!(f, "it holds an object of unknown type 0x{byte:02x}.")
            }
            BinaryProblem::Cycle => write!(
                f,
                "an array or dictionary contains itself; the file is damaged."
            ),
            BinaryProblem::KeyNotString => write!(f, "a dictionary key is not a string."),
            BinaryProblem::BadString => write!(f, "a string is not valid ASCII or UTF-16."),
            BinaryProblem::TooDeep => write!(
                f,
                "arrays and dictionaries are nested more than {MAX_DEPTH} deep."
            ),
            BinaryProblem::TooManyValues => {
                write!(f, "it expands to more than {MAX_NODES} values.")
            }
            BinaryProblem::IntegerTooLarge => write!(f, "it holds an integer beyond 64 bits."),
        }
    }
}

impl std::error::Error for Error {}

/// Reads a property list: binary (`bplist00`), XML, or a pasted XML fragment (one value, or
/// key / value pairs, which become one dictionary).
pub fn parse(input: &[u8]) -> Result<Document, Error> {
    if input.len() > MAX_INPUT {
        return Err(Error::TooLarge { len: input.len() });
    }
    if input.starts_with(b"bplist") {
        return binary::parse(input).map(|root| Document {
            form: Form::Binary,
            root,
        });
    }
    let text = match core::str::from_utf8(input) {
        Ok(text) => text,
        // A binary plist is the only non-UTF-8 form; anything else is not a plist.
        Err(_) => return Err(Error::NotPlist),
    };
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(Error::Empty);
    }
    if !text.trim_start().starts_with('<') {
        return Err(Error::NotPlist);
    }
    xml::parse(text)
}

/// Reads pasted text as a property list (see [`parse`]).
pub fn parse_str(input: &str) -> Result<Document, Error> {
    parse(input.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let doc = parse_str("<?xml version=\"1.0\"?>\n<plist version=\"1.0\"><dict><key>A</key><true/></dict></plist>").unwrap();
        assert_eq!(doc.form, Form::Xml);
        assert_eq!(
            doc.root.as_dict().unwrap().get("A"),
            Some(&Value::Bool(true))
        );
        let doc = parse_str("<key>A</key><string>x</string>\n<key>B</key><false/>").unwrap();
        assert_eq!(doc.form, Form::XmlPairs);
        assert_eq!(doc.root.as_dict().unwrap().len(), 2);
        let doc = parse_str("<array><string>_a._tcp</string></array>").unwrap();
        assert_eq!(doc.form, Form::XmlValue);
        assert_eq!(parse_str("  "), Err(Error::Empty));
        assert_eq!(
            parse_str("NSAllowsArbitraryLoads = YES"),
            Err(Error::NotPlist)
        );
        assert_eq!(parse(&[0xff, 0xfe, 0]), Err(Error::NotPlist));
    }

    #[test]
    fn last_duplicate_wins() {
        let doc = parse_str("<dict><key>A</key><true/><key>A</key><false/></dict>").unwrap();
        let dict = doc.root.as_dict().unwrap();
        assert_eq!(dict.get("A"), Some(&Value::Bool(false)));
        assert_eq!(dict.entries().len(), 2);
    }
}
