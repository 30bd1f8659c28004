//! Distinguished names as people read them.
//!
//! Two renderings: the RFC 4514 string (most specific first, `CN=…,O=…,C=…`, the form OpenSSL's
//! `-nameopt RFC2253` and most tools print) and the attribute list in certificate order. Values
//! are decoded from every ASN.1 string type the DER decoder knows, including BMPString,
//! VisibleString and NumericString, which x509-cert's own `Display` does not render.

use der::asn1::AnyRef;
use der::{Encode, Tag, Tagged};
use serde::Serialize;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::Name;

use crate::{hex, oids};

/// A decoded distinguished name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DistinguishedName {
    /// RFC 4514 string, most specific attribute first.
    pub rfc4514: String,
    /// Attributes in certificate order (most general first).
    pub attributes: Vec<NameAttribute>,
}

/// One attribute of a distinguished name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NameAttribute {
    /// Dotted OID of the attribute type.
    pub oid: String,
    /// Short name (`CN`, `O`, `emailAddress`…).
    pub short_name: String,
    /// Readable name (`Common Name`…).
    pub name: String,
    /// The value as text; `#` followed by hex for values that are not strings.
    pub value: String,
    /// The ASN.1 string type (`UTF8String`, `PrintableString`…).
    pub value_type: String,
    /// True when this attribute shares its RDN with others (multi-valued RDN, joined by `+`).
    pub multi_valued: bool,
}

impl DistinguishedName {
    /// Decodes `name`.
    pub fn from_name(name: &Name) -> Self {
        let mut attributes = Vec::new();
        let mut rdns: Vec<String> = Vec::new();
        for rdn in name.iter_rdn() {
            let atvs: Vec<&AttributeTypeAndValue> = rdn.iter().collect();
            let multi_valued = atvs.len() > 1;
            let mut parts = Vec::new();
            for atv in atvs {
                let attr = decode_attribute(atv, multi_valued);
                parts.push(format!("{}={}", rfc4514_type(&attr), escape_rfc4514(&attr)));
                attributes.push(attr);
            }
            rdns.push(parts.join("+"));
        }
        rdns.reverse();
        Self {
            rfc4514: rdns.join(","),
            attributes,
        }
    }

    /// Values of every attribute with the given short name, in certificate order.
    pub fn values_of<'a>(&'a self, short_name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.attributes
            .iter()
            .filter(move |a| a.short_name == short_name)
            .map(|a| a.value.as_str())
    }

    /// The most specific common name (the last CN in certificate order), if any.
    pub fn common_name(&self) -> Option<&str> {
        self.values_of("CN").last()
    }

    /// A short label for lists: the common name, else the last organization / OU, else the
    /// whole RFC 4514 string, else "(empty name)".
    pub fn display_label(&self) -> String {
        if let Some(cn) = self.common_name() {
            return cn.to_owned();
        }
        for short in ["OU", "O"] {
            if let Some(v) = self.values_of(short).last() {
                return v.to_owned();
            }
        }
        if self.rfc4514.is_empty() {
            "(empty name)".to_owned()
        } else {
            self.rfc4514.clone()
        }
    }
}

fn rfc4514_type(attr: &NameAttribute) -> String {
    // RFC 4514 §2.3: types without a registered short name are written as dotted OIDs.
    if attr.short_name.contains(char::is_whitespace) || attr.short_name.starts_with("id-") {
        attr.oid.clone()
    } else {
        attr.short_name.clone()
    }
}

fn decode_attribute(atv: &AttributeTypeAndValue, multi_valued: bool) -> NameAttribute {
    let any: AnyRef<'_> = (&atv.value).into();
    let (value, value_type) = match decode_string(any) {
        Some((text, ty)) => (text, ty.to_owned()),
        None => {
            let der = atv.value.to_der().unwrap_or_default();
            (format!("#{}", hex::plain(&der)), format!("{}", any.tag()))
        }
    };
    NameAttribute {
        oid: crate::oids::dotted(&atv.oid),
        short_name: oids::short_name(&atv.oid),
        name: oids::long_name(&atv.oid),
        value,
        value_type,
        multi_valued,
    }
}

/// Decodes any of the ASN.1 string types used in names. Returns the text and the type name.
pub fn decode_string(any: AnyRef<'_>) -> Option<(String, &'static str)> {
    let bytes = any.value();
    match any.tag() {
        Tag::Utf8String => Some((String::from_utf8_lossy(bytes).into_owned(), "UTF8String")),
        Tag::PrintableString => Some((latin1(bytes), "PrintableString")),
        Tag::Ia5String => Some((latin1(bytes), "IA5String")),
        Tag::VisibleString => Some((latin1(bytes), "VisibleString")),
        Tag::NumericString => Some((latin1(bytes), "NumericString")),
        // T.61 in theory; in practice every CA that used it wrote Latin-1.
        Tag::TeletexString => Some((latin1(bytes), "TeletexString")),
        Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            Some((String::from_utf16_lossy(&units), "BMPString"))
        }
        _ => None,
    }
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Escapes a value for an RFC 4514 string (§2.4).
fn escape_rfc4514(attr: &NameAttribute) -> String {
    if !attr.value_type.ends_with("String") {
        return attr.value.clone(); // already the `#hex` form of a non-string value
    }
    let chars: Vec<char> = attr.value.chars().collect();
    let mut out = String::with_capacity(attr.value.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i + 1 == chars.len() => out.push_str("\\ "),
            '\0'..='\x1f' | '\x7f' => out.push_str(&format!("\\{:02x}", c as u32)),
            _ => out.push(c),
        }
    }
    out
}
