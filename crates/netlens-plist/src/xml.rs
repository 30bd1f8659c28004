//! XML property lists: Apple's DTD (`plist`, `dict`, `key`, `array`, `string`, `integer`,
//! `real`, `true`, `false`, `date`, `data`) with what XML allows around it: a prolog, a
//! DOCTYPE (its internal subset skipped, never expanded), comments, processing instructions,
//! CDATA sections, XML's five entities and character references.

use base64::Engine;

use crate::{Dict, Document, Error, Form, MAX_DEPTH, Value, XmlProblem};

/// One piece of XML.
#[derive(Debug, PartialEq)]
enum Token {
    /// `<name …>`, or `<name …/>` when `empty`.
    Open { name: String, empty: bool },
    /// `</name>`.
    Close(String),
    /// Character data, entities decoded (CDATA included as is).
    Text(String),
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    /// The token read ahead by `peek`.
    ahead: Option<(usize, Token)>,
}

type Result<T> = core::result::Result<T, Error>;

impl<'a> Lexer<'a> {
    fn new(src: &'a str) -> Lexer<'a> {
        Lexer {
            src,
            pos: 0,
            ahead: None,
        }
    }

    fn line_at(&self, at: usize) -> usize {
        1 + self.src.as_bytes()[..at.min(self.src.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
    }

    fn fail(&self, at: usize, problem: XmlProblem) -> Error {
        Error::Xml {
            line: self.line_at(at),
            problem,
        }
    }

    /// The next token and where it starts, skipping comments, processing instructions and
    /// DOCTYPE; text that is only whitespace is skipped too (property lists have no mixed
    /// content outside leaf elements, where [`Parser::leaf_text`] keeps it).
    fn next(&mut self) -> Result<Option<(usize, Token)>> {
        if let Some(t) = self.ahead.take() {
            return Ok(Some(t));
        }
        loop {
            let start = self.pos;
            let rest = &self.src[self.pos..];
            if rest.is_empty() {
                return Ok(None);
            }
            if let Some(after) = rest.strip_prefix("<!--") {
                let end = after
                    .find("-->")
                    .ok_or_else(|| self.fail(start, XmlProblem::Truncated("a comment")))?;
                self.pos += 4 + end + 3;
                continue;
            }
            if let Some(after) = rest.strip_prefix("<![CDATA[") {
                let end = after
                    .find("]]>")
                    .ok_or_else(|| self.fail(start, XmlProblem::Truncated("a CDATA section")))?;
                self.pos += 9 + end + 3;
                return Ok(Some((start, Token::Text(after[..end].to_owned()))));
            }
            if rest.starts_with("<?") {
                let end = rest.find("?>").ok_or_else(|| {
                    self.fail(start, XmlProblem::Truncated("a processing instruction"))
                })?;
                self.pos += end + 2;
                continue;
            }
            if rest.starts_with("<!") {
                self.pos += self.declaration_len(start)?;
                continue;
            }
            if let Some(after) = rest.strip_prefix("</") {
                let end = after
                    .find('>')
                    .ok_or_else(|| self.fail(start, XmlProblem::Truncated("a closing tag")))?;
                self.pos += 2 + end + 1;
                return Ok(Some((start, Token::Close(after[..end].trim().to_owned()))));
            }
            if let Some(after) = rest.strip_prefix('<') {
                let end = tag_end(after)
                    .ok_or_else(|| self.fail(start, XmlProblem::Truncated("a tag")))?;
                self.pos += 1 + end + 1;
                let inner = &after[..end];
                let empty = inner.ends_with('/');
                let inner = inner.trim_end_matches('/');
                let name = inner
                    .split(|c: char| c.is_whitespace())
                    .next()
                    .unwrap_or("")
                    .to_owned();
                return Ok(Some((start, Token::Open { name, empty })));
            }
            let end = rest.find('<').unwrap_or(rest.len());
            self.pos += end;
            let raw = &rest[..end];
            let text = decode_entities(raw).map_err(|e| self.fail(start, e))?;
            return Ok(Some((start, Token::Text(text))));
        }
    }

    fn peek(&mut self) -> Result<Option<&Token>> {
        if self.ahead.is_none() {
            self.ahead = self.next()?;
        }
        Ok(self.ahead.as_ref().map(|(_, t)| t))
    }

    /// The length of `<!DOCTYPE …>` (or another declaration), an internal subset in `[…]`
    /// included.
    fn declaration_len(&self, start: usize) -> Result<usize> {
        let rest = &self.src[start..];
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        for (i, c) in rest.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '[') => depth += 1,
                (None, ']') => depth = depth.saturating_sub(1),
                (None, '>') if depth == 0 => return Ok(i + 1),
                _ => {}
            }
        }
        Err(self.fail(start, XmlProblem::Truncated("a DOCTYPE declaration")))
    }
}

/// Where a start tag's `>` is, outside quoted attribute values.
fn tag_end(after_lt: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in after_lt.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// Decodes XML's five entities and character references.
fn decode_entities(raw: &str) -> core::result::Result<String, XmlProblem> {
    if !raw.contains('&') {
        return Ok(raw.to_owned());
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let Some(end) = after.find(';').filter(|&e| e <= 12) else {
            let name: String = after.chars().take(12).collect();
            return Err(XmlProblem::UnknownEntity(name));
        };
        let name = &after[..end];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse::<u32>().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => out.push(c),
            None => return Err(XmlProblem::UnknownEntity(name.to_owned())),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Reads an XML property list or fragment.
pub(crate) fn parse(src: &str) -> Result<Document> {
    let mut lexer = Lexer::new(src);
    let mut parser = Parser { lexer: &mut lexer };
    parser.document()
}

struct Parser<'l, 'a> {
    lexer: &'l mut Lexer<'a>,
}

impl Parser<'_, '_> {
    fn fail(&self, at: usize, problem: XmlProblem) -> Error {
        self.lexer.fail(at, problem)
    }

    fn end(&self) -> usize {
        self.lexer.src.len()
    }

    /// The next token that is not whitespace.
    fn token(&mut self) -> Result<Option<(usize, Token)>> {
        loop {
            match self.lexer.next()? {
                Some((_, Token::Text(t))) if t.trim().is_empty() => continue,
                other => return Ok(other),
            }
        }
    }

    fn skip_space(&mut self) -> Result<()> {
        while let Some(Token::Text(t)) = self.lexer.peek()? {
            if !t.trim().is_empty() {
                break;
            }
            self.lexer.ahead = None;
        }
        Ok(())
    }

    fn document(&mut self) -> Result<Document> {
        let Some((at, token)) = self.token()? else {
            return Err(Error::Empty);
        };
        let (form, root) = match token {
            Token::Open { name, empty } if name == "plist" => {
                if empty {
                    return Err(self.fail(at, XmlProblem::NoValue));
                }
                let value = match self.token()? {
                    Some((at, Token::Open { name, empty })) => self.value(at, &name, empty, 0)?,
                    Some((at, Token::Close(_))) => return Err(self.fail(at, XmlProblem::NoValue)),
                    Some((at, Token::Text(t))) => return Err(self.fail(at, stray(&t))),
                    None => {
                        return Err(self.fail(self.end(), XmlProblem::Truncated("`<plist>`")));
                    }
                };
                self.close(at, "plist")?;
                (Form::Xml, value)
            }
            Token::Open { name, empty } if name == "key" => {
                let mut dict = Dict::new();
                let key = self.leaf_text(at, "key", empty)?;
                self.pair(&mut dict, at, key, 0)?;
                self.pairs(&mut dict, 0, None)?;
                return Ok(Document {
                    form: Form::XmlPairs,
                    root: Value::Dict(dict),
                });
            }
            Token::Open { name, empty } => (Form::XmlValue, self.value(at, &name, empty, 0)?),
            Token::Close(name) => {
                return Err(self.fail(
                    at,
                    XmlProblem::Mismatched {
                        open: "(nothing)".into(),
                        close: name,
                    },
                ));
            }
            Token::Text(t) => return Err(self.fail(at, stray(&t))),
        };
        match self.token()? {
            None => Ok(Document { form, root }),
            Some((at, _)) => Err(self.fail(at, XmlProblem::TrailingContent)),
        }
    }

    /// Expects `</name>` next.
    fn close(&mut self, open_at: usize, name: &str) -> Result<()> {
        match self.token()? {
            Some((_, Token::Close(c))) if c == name => Ok(()),
            Some((at, Token::Close(c))) => Err(self.fail(
                at,
                XmlProblem::Mismatched {
                    open: name.to_owned(),
                    close: c,
                },
            )),
            Some((at, Token::Text(t))) => Err(self.fail(at, stray(&t))),
            Some((at, Token::Open { .. })) => Err(self.fail(at, XmlProblem::TrailingContent)),
            None => Err(self.fail(open_at, XmlProblem::Truncated(truncated_in(name)))),
        }
    }

    /// The text of a leaf element up to its closing tag.
    fn leaf_text(&mut self, at: usize, name: &str, empty: bool) -> Result<String> {
        if empty {
            return Ok(String::new());
        }
        let mut text = String::new();
        loop {
            match self.lexer.next()? {
                Some((_, Token::Text(t))) => text.push_str(&t),
                Some((_, Token::Close(c))) if c == name => return Ok(text),
                Some((cat, Token::Close(c))) => {
                    return Err(self.fail(
                        cat,
                        XmlProblem::Mismatched {
                            open: name.to_owned(),
                            close: c,
                        },
                    ));
                }
                Some((oat, Token::Open { name: inner, .. })) => {
                    return Err(self.fail(
                        oat,
                        XmlProblem::Mismatched {
                            open: name.to_owned(),
                            close: format!("<{inner}>"),
                        },
                    ));
                }
                None => return Err(self.fail(at, XmlProblem::Truncated(truncated_in(name)))),
            }
        }
    }

    /// A value whose start tag has been read.
    fn value(&mut self, at: usize, name: &str, empty: bool, depth: usize) -> Result<Value> {
        if depth >= MAX_DEPTH {
            return Err(self.fail(at, XmlProblem::TooDeep));
        }
        Ok(match name {
            "dict" => {
                let mut dict = Dict::new();
                if !empty {
                    self.pairs(&mut dict, depth + 1, Some(at))?;
                }
                Value::Dict(dict)
            }
            "array" => {
                let mut items = Vec::new();
                if !empty {
                    loop {
                        match self.token()? {
                            Some((_, Token::Close(c))) if c == "array" => break,
                            Some((cat, Token::Close(c))) => {
                                return Err(self.fail(
                                    cat,
                                    XmlProblem::Mismatched {
                                        open: "array".into(),
                                        close: c,
                                    },
                                ));
                            }
                            Some((vat, Token::Open { name, empty })) => {
                                items.push(self.value(vat, &name, empty, depth + 1)?);
                            }
                            Some((tat, Token::Text(t))) => return Err(self.fail(tat, stray(&t))),
                            None => {
                                return Err(self.fail(at, XmlProblem::Truncated("an `<array>`")));
                            }
                        }
                    }
                }
                Value::Array(items)
            }
            "true" | "false" => {
                if !empty {
                    let inner = self.leaf_text(at, name, false)?;
                    if !inner.trim().is_empty() {
                        return Err(self.fail(at, XmlProblem::NotEmpty(name.to_owned())));
                    }
                }
                Value::Bool(name == "true")
            }
            "string" => Value::String(self.leaf_text(at, name, empty)?),
            "integer" => {
                let text = self.leaf_text(at, name, empty)?;
                Value::Integer(
                    parse_integer(text.trim()).ok_or_else(|| {
                        self.fail(at, XmlProblem::BadInteger(text.trim().to_owned()))
                    })?,
                )
            }
            "real" => {
                let text = self.leaf_text(at, name, empty)?;
                let text = text.trim();
                if !is_real(text) {
                    return Err(self.fail(at, XmlProblem::BadReal(short(text))));
                }
                Value::Real(text.to_owned())
            }
            "date" => Value::Date(self.leaf_text(at, name, empty)?.trim().to_owned()),
            "data" => {
                let text = self.leaf_text(at, name, empty)?;
                let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                Value::Data(
                    base64::engine::general_purpose::STANDARD
                        .decode(compact)
                        .map_err(|_| self.fail(at, XmlProblem::BadData))?,
                )
            }
            other => return Err(self.fail(at, XmlProblem::UnknownElement(short(other)))),
        })
    }

    /// `<key>…</key>` and value pairs up to `</dict>` (or the end of a fragment when
    /// `dict_at` is `None`).
    fn pairs(&mut self, dict: &mut Dict, depth: usize, dict_at: Option<usize>) -> Result<()> {
        loop {
            self.skip_space()?;
            match self.token()? {
                Some((_, Token::Close(c))) if c == "dict" && dict_at.is_some() => return Ok(()),
                Some((at, Token::Close(c))) => {
                    return Err(self.fail(
                        at,
                        XmlProblem::Mismatched {
                            open: "dict".into(),
                            close: c,
                        },
                    ));
                }
                Some((at, Token::Open { name, empty })) if name == "key" => {
                    let key = self.leaf_text(at, "key", empty)?;
                    self.pair(dict, at, key, depth)?;
                }
                Some((at, Token::Open { name, .. })) => {
                    let kind = match name.as_str() {
                        "string" => "A string",
                        "dict" => "A dictionary",
                        "array" => "An array",
                        "true" | "false" => "A boolean",
                        _ => "A value",
                    };
                    return Err(self.fail(at, XmlProblem::ValueWithoutKey(kind)));
                }
                Some((at, Token::Text(t))) => return Err(self.fail(at, stray(&t))),
                None => {
                    return match dict_at {
                        Some(at) => Err(self.fail(at, XmlProblem::Truncated("a `<dict>`"))),
                        None => Ok(()),
                    };
                }
            }
        }
    }

    /// The value after a key.
    fn pair(&mut self, dict: &mut Dict, key_at: usize, key: String, depth: usize) -> Result<()> {
        match self.token()? {
            Some((at, Token::Open { name, empty })) if name != "key" => {
                let value = self.value(at, &name, empty, depth)?;
                dict.push(key, value);
                Ok(())
            }
            _ => Err(self.fail(key_at, XmlProblem::KeyWithoutValue(short(&key)))),
        }
    }
}

fn stray(text: &str) -> XmlProblem {
    XmlProblem::StrayText(short(text.trim()))
}

/// At most 40 characters of untrusted text for a message.
fn short(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        out.push('…');
    }
    out
}

fn truncated_in(name: &str) -> &'static str {
    match name {
        "plist" => "`<plist>`",
        "key" => "a `<key>`",
        "string" => "a `<string>`",
        "integer" => "an `<integer>`",
        "real" => "a `<real>`",
        "date" => "a `<date>`",
        "data" => "a `<data>`",
        _ => "an element",
    }
}

/// `<integer>`: decimal, optionally signed, or `0x` hexadecimal (CFPropertyList reads both),
/// within 64 bits.
fn parse_integer(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (radix, digits) = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => (16, hex),
        None => (10, digits),
    };
    if digits.is_empty() {
        return None;
    }
    let mut magnitude: i64 = 0;
    for c in digits.chars() {
        let digit = i64::from(c.to_digit(radix)?);
        magnitude = magnitude
            .checked_mul(i64::from(radix))?
            .checked_add(digit)?;
    }
    Some(if negative { -magnitude } else { magnitude })
}

/// Whether `text` is a `<real>`: a decimal number with an optional sign, fraction and
/// exponent, or `nan` / `inf` / `infinity` (CFPropertyList's spellings).
fn is_real(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if matches!(unsigned, "nan" | "inf" | "infinity") {
        return true;
    }
    let (mantissa, exponent) = match unsigned.split_once('e') {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (unsigned, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    unsigned.len() + 1 >= lower.len()
        && !(whole.is_empty() && fraction.is_empty())
        && digits(whole)
        && digits(fraction)
        && exponent.is_none_or(|e| !e.is_empty() && digits(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    #[test]
    fn comments_entities_cdata_doctype() {
        let doc = parse_str(concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\" [ <!ENTITY x \"y\"> ]>\n",
            "<plist version=\"1.0\">\n<!-- a comment with <dict> in it -->\n<dict>\n",
            "\t<key>A&amp;B</key><string>&lt;&#65;&#x42;&gt; <![CDATA[<raw & text>]]></string>\n",
            "\t<key>N</key><integer>-0x10</integer>\n",
            "\t<key>D</key><data>\n\tAAEC\n\t</data>\n",
            "</dict>\n</plist>\n"
        ))
        .unwrap();
        let dict = doc.root.as_dict().unwrap();
        assert_eq!(
            dict.get("A&B"),
            Some(&Value::String("<AB> <raw & text>".into()))
        );
        assert_eq!(dict.get("N"), Some(&Value::Integer(-16)));
        assert!(is_real("-1.5e3") && is_real("2") && is_real(".5") && is_real("nan"));
        assert!(!is_real("1.2.3") && !is_real("e5") && !is_real("--1") && !is_real("0x10"));
        assert_eq!(parse_integer("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_integer("9223372036854775808"), None);
        assert_eq!(dict.get("D"), Some(&Value::Data(vec![0, 1, 2])));
    }

    #[test]
    fn sentences_with_lines() {
        let e = parse_str("<dict>\n<key>A</key>\n<true/>\n<key>B</key>").unwrap_err();
        assert!(e.to_string().contains("line 4"), "{e}");
        assert!(e.to_string().contains("`B` has no value"), "{e}");
        let e = parse_str("<dict><key>A</key><yes/></dict>").unwrap_err();
        assert!(
            e.to_string()
                .contains("`<yes>` is not a property list element")
        );
        let e = parse_str("<dict><key>A</key><string>x</dict>").unwrap_err();
        assert!(e.to_string().contains("`</dict>` closes `<string>`"), "{e}");
        let e = parse_str("<string>&nbsp;</string>").unwrap_err();
        assert!(e.to_string().contains("&nbsp;"), "{e}");
        let e = parse_str("<dict><true/></dict>").unwrap_err();
        assert!(e.to_string().contains("no `<key>` before it"), "{e}");
        let e = parse_str("<plist><dict>").unwrap_err();
        assert!(e.to_string().contains("ends inside"), "{e}");
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "<array>".repeat(MAX_DEPTH + 1);
        assert!(matches!(
            parse_str(&deep),
            Err(Error::Xml {
                problem: XmlProblem::TooDeep,
                ..
            })
        ));
    }
}
