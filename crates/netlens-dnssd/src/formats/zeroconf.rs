//! python-zeroconf's views of a record, as people paste them from a script or a Home Assistant
//! log: the `ServiceInfo(...)` repr (`print(info)`), `info.properties`, `info.decoded_properties`
//! and `info.text`.
//!
//! They are Python literals, read here as Python would (a subset: strings, bytes, `None`,
//! numbers, lists, dicts and the `ServiceInfo(...)` call). Only `info.text` is the record itself;
//! the others are python-zeroconf's reading of it (`_unpack_text_into_properties`, measured
//! against python-zeroconf 0.154 by `scripts/dnssd-daemons.py`): a dict keeps the first string of
//! each key (keys compared byte for byte), a string without `=` has the value `None`, and
//! `decoded_properties` replaces bytes that are not text with U+FFFD. The notes say what a view
//! cannot show.

use super::{Output, error_at};
use crate::InputError;
use crate::txt::{TxtRecord, TxtString};

/// A Python value, as much of the language as python-zeroconf's reprs use.
#[derive(Debug, PartialEq)]
enum Py {
    Str(String),
    Bytes(Vec<u8>),
    None,
    /// `True`, `False`, a list (the repr's addresses): read, not needed.
    Other,
    Dict(Vec<(Py, Py)>),
    Int(i64),
    /// `Name(key=value, …)`.
    Call(Vec<(String, Py)>),
}

/// Nesting deeper than any repr python-zeroconf prints is refused, so no input recurses far.
const MAX_DEPTH: usize = 8;

struct Reader<'a> {
    input: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn rest(&self) -> &'a str {
        &self.input[self.at..]
    }

    fn skip_space(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start().len();
    }

    fn error(&self, message: impl Into<String>) -> InputError {
        error_at(self.input, self.at, message)
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        let found = self.rest().starts_with(token);
        if found {
            self.at += token.len();
        }
        found
    }

    fn expect(&mut self, token: &str) -> Result<(), InputError> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.error(format!("expected `{token}` here")))
        }
    }

    fn ident(&mut self) -> &'a str {
        self.skip_space();
        let rest = self.rest();
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let start = self.at;
        self.at += len;
        &self.input[start..self.at]
    }

    /// Items up to `close`, separated by commas (a trailing one allowed).
    fn items<T>(
        &mut self,
        close: &str,
        mut item: impl FnMut(&mut Self) -> Result<T, InputError>,
    ) -> Result<Vec<T>, InputError> {
        let mut items = Vec::new();
        while !self.eat(close) {
            items.push(item(self)?);
            if !self.eat(",") {
                self.expect(close)?;
                break;
            }
        }
        Ok(items)
    }

    fn value(&mut self, depth: usize) -> Result<Py, InputError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply for a python-zeroconf repr"));
        }
        self.skip_space();
        let rest = self.rest();
        if rest.starts_with(['\'', '"']) {
            return self
                .string(false)
                .map(|b| Py::Str(String::from_utf8(b).unwrap_or_default()));
        }
        if rest.starts_with(['b', 'B']) && rest[1..].starts_with(['\'', '"']) {
            self.at += 1;
            return self.string(true).map(Py::Bytes);
        }
        if self.eat("[") {
            return self.items("]", |r| r.value(depth + 1)).map(|_| Py::Other);
        }
        if self.eat("{") {
            return self
                .items("}", |r| {
                    let key = r.value(depth + 1)?;
                    r.expect(":")?;
                    Ok((key, r.value(depth + 1)?))
                })
                .map(Py::Dict);
        }
        let start = self.at;
        if rest.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            let len = rest[1..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(rest.len(), |l| l + 1);
            self.at += len;
            return rest[..len]
                .parse()
                .map(Py::Int)
                .map_err(|_| error_at(self.input, start, "not a whole number"));
        }
        let name = self.ident().to_owned();
        match name.as_str() {
            "" => Err(self.error("expected a Python value (a string, b'bytes', a dict…)")),
            "None" => Ok(Py::None),
            "True" | "False" => Ok(Py::Other),
            _ if self.eat("(") => self
                .items(")", |r| {
                    let key = r.ident().to_owned();
                    r.expect("=")?;
                    Ok((key, r.value(depth + 1)?))
                })
                .map(Py::Call),
            _ => Err(error_at(
                self.input,
                start,
                format!("`{name}` is not a value python-zeroconf prints"),
            )),
        }
    }

    /// A quoted string at the cursor: its bytes (UTF-8 for a `str`), escapes undone.
    fn string(&mut self, bytes: bool) -> Result<Vec<u8>, InputError> {
        let quote = self.rest().chars().next().unwrap_or('\'');
        let open = self.at;
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let Some(c) = self.rest().chars().next() else {
                return Err(error_at(self.input, open, "this string is not closed"));
            };
            let escape_at = self.at;
            self.at += c.len_utf8();
            match c {
                _ if c == quote => return Ok(out),
                '\n' => {
                    return Err(error_at(
                        self.input,
                        open,
                        "this string is not closed on its line",
                    ));
                }
                '\\' => self.escape(bytes, escape_at, &mut out)?,
                _ if bytes && !c.is_ascii() => {
                    return Err(error_at(
                        self.input,
                        escape_at,
                        "a b'…' literal holds only ASCII characters",
                    ));
                }
                _ => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            }
        }
    }

    fn escape(&mut self, bytes: bool, at: usize, out: &mut Vec<u8>) -> Result<(), InputError> {
        let Some(c) = self.rest().chars().next() else {
            return Err(error_at(self.input, at, "the text ends after a backslash"));
        };
        self.at += c.len_utf8();
        let simple = match c {
            '\\' | '\'' | '"' => Some(c as u8),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'a' => Some(7),
            'b' => Some(8),
            'f' => Some(12),
            'v' => Some(11),
            '0'..='7' => {
                let digits = 1 + self
                    .rest()
                    .bytes()
                    .take(2)
                    .take_while(|b| (b'0'..=b'7').contains(b))
                    .count();
                let value = u32::from_str_radix(&self.input[self.at - 1..self.at - 1 + digits], 8)
                    .unwrap_or(0);
                self.at += digits - 1;
                return self.push_code(bytes, value, at, out);
            }
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            return Ok(());
        }
        let digits = match c {
            'x' => 2,
            'u' if !bytes => 4,
            'U' if !bytes => 8,
            // Python keeps an unknown escape as it is.
            _ => {
                out.push(b'\\');
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                return Ok(());
            }
        };
        let hex = self
            .rest()
            .get(..digits)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        let Some(value) = hex.and_then(|h| u32::from_str_radix(h, 16).ok()) else {
            return Err(error_at(
                self.input,
                at,
                format!("`\\{c}` needs {digits} hex digits"),
            ));
        };
        self.at += digits;
        self.push_code(bytes, value, at, out)
    }

    /// A byte (in bytes) or a code point (in a str) from an escape.
    fn push_code(
        &self,
        bytes: bool,
        value: u32,
        at: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), InputError> {
        if bytes {
            out.push(
                u8::try_from(value)
                    .map_err(|_| error_at(self.input, at, "a byte escape above \\377"))?,
            );
        } else {
            let c = char::from_u32(value)
                .ok_or_else(|| error_at(self.input, at, "not a Unicode character"))?;
            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        }
        Ok(())
    }
}

const DICT_NOTE: &str = "python-zeroconf's properties keep the first string of each key and show \
                         a string without `=` as None; paste `info.text` for every string as sent.";

/// Reads a python-zeroconf repr, `properties`, `decoded_properties` or `text`.
pub(super) fn parse_zeroconf(input: &str, out: &mut Output) -> Result<(), InputError> {
    let mut reader = Reader { input, at: 0 };
    let value = reader.value(0)?;
    reader.skip_space();
    if !reader.rest().is_empty() {
        return Err(reader.error("unexpected text after the value"));
    }
    match value {
        Py::Bytes(text) => {
            let record = TxtRecord::from_wire(&text)
                .map_err(|e| error_at(input, 0, format!("info.text: {}", e.message)))?;
            out.strings = record.strings;
        }
        Py::Dict(entries) => read_properties(input, entries, out)?,
        Py::Call(fields) => {
            let mut properties = None;
            let mut service_type = String::new();
            for (key, value) in fields {
                match (key.as_str(), value) {
                    ("type", Py::Str(t)) => {
                        service_type = t
                            .trim_end_matches('.')
                            .trim_end_matches(".local")
                            .to_owned();
                        out.service.domain = Some("local".into());
                    }
                    ("name", Py::Str(name)) => out.service.instance = Some(name),
                    ("server", Py::Str(host)) => out.service.host = Some(host),
                    ("port", Py::Int(port)) => out.service.port = u16::try_from(port).ok(),
                    ("properties", Py::Dict(entries)) => properties = Some(entries),
                    _ => {}
                }
            }
            // The name is the full service name: the instance is what comes before the type.
            let suffix = format!(".{service_type}.local.");
            if let Some(name) = out.service.instance.take() {
                out.service.instance = Some(name.strip_suffix(&suffix).unwrap_or(&name).to_owned());
            }
            out.service.service_type = (!service_type.is_empty()).then_some(service_type);
            let Some(entries) = properties else {
                return Err(error_at(input, 0, "this ServiceInfo has no properties={…}"));
            };
            read_properties(input, entries, out)?;
        }
        _ => {
            return Err(error_at(
                input,
                0,
                "expected ServiceInfo(…), info.properties ({b'key': b'value'}), info.decoded_properties or info.text (b'…')",
            ));
        }
    }
    Ok(())
}

/// A properties dict back to strings: `key` for None, `key=value` otherwise.
fn read_properties(
    input: &str,
    entries: Vec<(Py, Py)>,
    out: &mut Output,
) -> Result<(), InputError> {
    let mut replaced = false;
    for (key, value) in entries {
        let mut string = match key {
            Py::Bytes(k) => k,
            Py::Str(k) => k.into_bytes(),
            _ => return Err(error_at(input, 0, "a properties key is not a string")),
        };
        match value {
            Py::None => {}
            Py::Bytes(v) => {
                string.push(b'=');
                string.extend(v);
            }
            Py::Str(v) => {
                string.push(b'=');
                string.extend(v.into_bytes());
            }
            _ => {
                return Err(error_at(
                    input,
                    0,
                    "a properties value is not a string or None",
                ));
            }
        }
        replaced |= String::from_utf8_lossy(&string).contains('\u{fffd}');
        out.strings.push(TxtString(string));
    }
    if out.strings.is_empty() {
        // An empty dict: python-zeroconf read a record of no strings, or of one empty string
        // whose key b'' it would have shown. Sent, it is the single byte 00.
        out.strings.push(TxtString::default());
    }
    out.notes.push(DICT_NOTE.into());
    if replaced {
        out.notes.push(
            "python-zeroconf's decoded_properties shows bytes that are not text as U+FFFD (�): \
             the bytes sent are lost; paste `info.properties` or `info.text`."
                .into(),
        );
    }
    Ok(())
}

/// Whether `trimmed` looks like one of python-zeroconf's views.
pub(super) fn looks_like(trimmed: &str) -> bool {
    trimmed.starts_with("ServiceInfo(")
        || trimmed.starts_with("AsyncServiceInfo(")
        || trimmed.starts_with("{b'")
        || trimmed.starts_with("{b\"")
        || trimmed.starts_with("{'")
        || trimmed.starts_with("{\"")
        || trimmed == "{}"
        || ((trimmed.starts_with("b'") || trimmed.starts_with("b\"")) && trimmed.len() > 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str) -> Result<(Vec<Vec<u8>>, Vec<String>), InputError> {
        let mut out = Output::default();
        parse_zeroconf(input, &mut out)?;
        Ok((out.strings.into_iter().map(|s| s.0).collect(), out.notes))
    }

    #[test]
    fn python_literals_as_python_reads_them() {
        let (strings, _) = read(r#"b'\ttxtvers=1\x04flag\x06bin=\x00\xff\x05q="\'\\'"#).unwrap();
        assert_eq!(
            strings,
            [&b"txtvers=1"[..], b"flag", b"bin=\x00\xff", b"q=\"'\\"]
        );
        let (strings, notes) =
            read(r#"{'k': 'Caf\xe9 \u2615', 'bin': '\x00�', "f": None}"#).unwrap();
        assert_eq!(
            strings,
            ["k=Café ☕".as_bytes(), "bin=\0\u{fffd}".as_bytes(), b"f"]
        );
        assert!(notes.iter().any(|n| n.contains("U+FFFD")));
        assert_eq!(read("{}").unwrap().0, [Vec::<u8>::new()]);
        assert_eq!(read("b'\\x00'").unwrap().0, [Vec::<u8>::new()]);
    }

    #[test]
    fn the_repr_names_the_service() {
        let mut out = Output::default();
        parse_zeroconf(
            r"ServiceInfo(type='_ipp._tcp.local.', name='My. Printer\\x._ipp._tcp.local.', addresses=[b'\nM\x7f\x02'], port=631, weight=0, priority=0, server='printer.local.', properties={b'txtvers': b'1', b'': None}, interface_index=None)",
            &mut out,
        )
        .unwrap();
        assert_eq!(out.service.instance.as_deref(), Some(r"My. Printer\x"));
        assert_eq!(out.service.service_type.as_deref(), Some("_ipp._tcp"));
        assert_eq!(out.service.host.as_deref(), Some("printer.local."));
        assert_eq!(out.service.port, Some(631));
        assert_eq!(
            out.strings,
            [TxtString(b"txtvers=1".to_vec()), TxtString::default()]
        );
    }

    #[test]
    fn damaged_literals_are_errors_with_a_place() {
        for (input, column) in [
            ("b'abc", 2),
            ("{b'a': b'1'", 12),
            ("b'caf\u{e9}'", 6),
            (r"'\x4'", 2),
            ("{b'a': 1.5}", 9),
            ("[[[[[[[[[[[[b'']]]]]]]]]]]]", 10),
            ("b'a' trailing", 6),
        ] {
            let e = read(input).unwrap_err();
            assert_eq!(e.column, column, "{input}: {e:?}");
        }
        assert!(looks_like("ServiceInfo(type='_x._tcp.local.')"));
        assert!(!looks_like("b=1"));
    }
}
