//! The forms to copy: one TXT record written for every tool that publishes or reads it.
//!
//! Every form is generated from the *corrected* record ([`corrected`]): what receivers would
//! ignore anyway (strings starting with `=`, later duplicates, stray empty strings) is left
//! out and `txtvers` moves to the front, each change listed. A record with a string longer
//! than 255 bytes has no forms: it cannot be encoded.

use std::fmt::Write as _;

use base64::Engine as _;
use serde::Serialize;

use crate::formats::{Format, ServiceInfo};
use crate::name::shell_quote;
use crate::txt::{Entry, TxtRecord, TxtString};

/// Where the record will be published, for the forms that need it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceContext {
    /// Instance name (plain text).
    pub instance: String,
    /// Service type `_name._tcp`.
    pub service_type: String,
    /// Subtypes, as labels.
    pub subtypes: Vec<String>,
    /// Port.
    pub port: u16,
    /// Target host (python-zeroconf's `server`).
    pub host: String,
}

impl Default for ServiceContext {
    /// Placeholders, for a record checked on its own.
    fn default() -> Self {
        ServiceContext {
            instance: "My Service".into(),
            service_type: "_example._tcp".into(),
            subtypes: Vec::new(),
            port: 8080,
            host: "myhost.local.".into(),
        }
    }
}

impl ServiceContext {
    /// This context with each field still at its placeholder taken from the service the paste
    /// names, when it names one: the forms to copy then publish that service, not an example.
    /// Avahi's human output is not used for the instance name, which it prints with `_` for
    /// every byte that is not printable ASCII; a type column holding Avahi's description of the
    /// type (no leading `_`) is not used either.
    pub fn filled_from(&self, service: Option<&ServiceInfo>, format: Format) -> ServiceContext {
        let mut context = self.clone();
        let (Some(service), placeholder) = (service, ServiceContext::default()) else {
            return context;
        };
        if context.instance == placeholder.instance
            && format != Format::Avahi
            && let Some(instance) = service.instance.as_ref().filter(|i| !i.is_empty())
        {
            context.instance = instance.clone();
        }
        if context.service_type == placeholder.service_type
            && let Some(service_type) = service.service_type.as_ref().filter(|t| t.starts_with('_'))
        {
            context.service_type = service_type.trim_end_matches('.').to_owned();
        }
        if context.port == placeholder.port
            && let Some(port) = service.port
        {
            context.port = port;
        }
        if context.host == placeholder.host
            && let Some(host) = service.host.as_ref().filter(|h| !h.is_empty())
        {
            context.host = format!("{}.", host.trim_end_matches('.'));
        }
        context
    }
}

/// The record written for each tool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TxtForms {
    /// Wire bytes in hex, as `dns-sd -Q` prints them.
    pub hex: String,
    /// Wire bytes in base64.
    pub base64: String,
    /// Key=value lines (absent when a string holds a line break or binary data).
    pub kv: Option<String>,
    /// RFC 1035 presentation, for a zone file or `nsupdate`.
    pub zone: String,
    /// A `dns-sd -R` command line that registers it.
    pub dns_sd_register: String,
    /// An Avahi static service file (`/etc/avahi/services/NAME.service`).
    pub avahi_service: String,
    /// Swift (Network.framework) code.
    pub swift: String,
    /// python-zeroconf `properties`.
    pub python: String,
}

/// The record receivers effectively see, cleaned up, and what was changed.
pub fn corrected(record: &TxtRecord) -> (TxtRecord, Vec<String>) {
    let mut changes = Vec::new();
    let mut strings: Vec<TxtString> = Vec::new();
    let single = record.strings.len() == 1;
    for (i, (s, used)) in record.strings.iter().zip(record.used_flags()).enumerate() {
        let why = match s.entry() {
            Entry::Empty if !single => "empty",
            Entry::NoKey { .. } => "starts with `=`, so receivers ignore it",
            Entry::Flag { .. } | Entry::Pair { .. } if !used => {
                "a repeated key; receivers use the first"
            }
            _ => {
                strings.push(s.clone());
                continue;
            }
        };
        changes.push(format!("Removed string {} ({why}).", i + 1));
    }
    if let Some(at) = strings
        .iter()
        .position(|s| s.key().is_some_and(|k| k.eq_ignore_ascii_case(b"txtvers")))
        && at > 0
    {
        let s = strings.remove(at);
        strings.insert(0, s);
        changes.push("Moved `txtvers` to the front.".into());
    }
    if strings.is_empty() {
        strings.push(TxtString::default());
    }
    (TxtRecord { strings }, changes)
}

/// Every form of `record` (already corrected), or `None` when it cannot be encoded.
pub fn forms(record: &TxtRecord, context: &ServiceContext) -> Option<TxtForms> {
    let wire = record.to_wire().ok()?;
    Some(TxtForms {
        hex: hex_spaced(&wire),
        base64: base64::engine::general_purpose::STANDARD.encode(&wire),
        kv: kv_lines(record),
        zone: zone(record),
        dns_sd_register: dns_sd_register(record, context),
        avahi_service: avahi_service(record, context),
        swift: swift(record, &wire, context),
        python: python(record, context),
    })
}

/// `09 74 78 …` (uppercase, as dns-sd -Q prints).
pub fn hex_spaced(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{b:02X}");
    }
    out
}

fn is_only_empty(record: &TxtRecord) -> bool {
    record.strings.iter().all(|s| s.0.is_empty())
}

fn kv_lines(record: &TxtRecord) -> Option<String> {
    if is_only_empty(record) {
        return Some(String::new());
    }
    let mut out = String::new();
    for s in &record.strings {
        let text = std::str::from_utf8(&s.0).ok()?;
        if text.contains(['\n', '\r']) || text.trim().is_empty() {
            return None;
        }
        out.push_str(text);
        out.push('\n');
    }
    Some(out)
}

/// RFC 1035 quoted strings with BIND's escaping.
fn zone(record: &TxtRecord) -> String {
    let parts: Vec<String> = record
        .strings
        .iter()
        .map(|s| {
            let mut out = String::from("\"");
            for &b in &s.0 {
                match b {
                    b'"' | b'\\' => {
                        out.push('\\');
                        out.push(char::from(b));
                    }
                    0x20..=0x7e => out.push(char::from(b)),
                    _ => {
                        let _ = write!(out, "\\{b:03}");
                    }
                }
            }
            out.push('"');
            out
        })
        .collect();
    parts.join(" ")
}

/// A `dns-sd -R` argument for one string: `dns-sd` decodes `\xHH` and `\c`, the shell needs
/// single quotes.
fn dns_sd_arg(bytes: &[u8]) -> String {
    let mut arg = String::new();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => arg.push_str("\\\\"),
                c if c.is_control() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        let _ = write!(arg, "\\x{b:02X}");
                    }
                }
                c => arg.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(arg, "\\x{b:02X}");
        }
    }
    shell_quote(&arg)
}

fn type_with_comma_subtypes(context: &ServiceContext) -> String {
    let mut t = context.service_type.clone();
    for sub in &context.subtypes {
        t.push(',');
        t.push_str(&sub.replace(',', "\\,"));
    }
    t
}

fn dns_sd_register(record: &TxtRecord, context: &ServiceContext) -> String {
    let mut cmd = format!(
        "dns-sd -R {} {} local. {}",
        shell_quote(&context.instance),
        shell_quote(&type_with_comma_subtypes(context)),
        context.port
    );
    // An empty record is one empty argument: dns-sd then sends the single byte 00.
    for s in &record.strings {
        cmd.push(' ');
        cmd.push_str(&dns_sd_arg(&s.0));
    }
    cmd
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn xml_safe(bytes: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?;
    text.chars()
        .all(|c| !c.is_control() || c == '\t')
        .then_some(text)
}

fn avahi_service(record: &TxtRecord, context: &ServiceContext) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" standalone='no'?>\n<!DOCTYPE service-group SYSTEM \"avahi-service.dtd\">\n<service-group>\n",
    );
    let _ = writeln!(x, "  <name>{}</name>", xml_escape(&context.instance));
    x.push_str("  <service>\n");
    let _ = writeln!(x, "    <type>{}</type>", xml_escape(&context.service_type));
    for sub in &context.subtypes {
        let _ = writeln!(
            x,
            "    <subtype>{}._sub.{}</subtype>",
            xml_escape(sub),
            xml_escape(&context.service_type)
        );
    }
    let _ = writeln!(x, "    <port>{}</port>", context.port);
    for s in &record.strings {
        if s.0.is_empty() {
            continue; // Avahi drops empty strings and sends 00 for an empty list.
        }
        if let Some(text) = xml_safe(&s.0) {
            let _ = writeln!(x, "    <txt-record>{}</txt-record>", xml_escape(text));
        } else if let Entry::Pair { key, value } = s.entry() {
            match xml_safe(key) {
                // Avahi 0.7+: the hex digits after `=` are the value's bytes.
                Some(key) => {
                    let hex: String = value.iter().map(|b| format!("{b:02x}")).collect();
                    let _ = writeln!(x, "    <txt-record value-format=\"binary-hex\">{}={hex}</txt-record>", xml_escape(key));
                }
                None => x.push_str("    <!-- a string with control characters in its key cannot be written in XML -->\n"),
            }
        } else {
            x.push_str("    <!-- a key with control characters cannot be written in XML -->\n");
        }
    }
    x.push_str("  </service>\n</service-group>\n");
    x
}

fn swift_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:X}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn swift_bytes(bytes: &[u8]) -> String {
    let list: Vec<String> = bytes.iter().map(|b| format!("0x{b:02X}")).collect();
    format!("Data([{}])", list.join(", "))
}

fn swift(record: &TxtRecord, wire: &[u8], context: &ServiceContext) -> String {
    let mut s = String::from("import Network\n\n");
    let mut entries = String::new();
    let mut representable = true;
    for t in &record.strings {
        let line = match t.entry() {
            Entry::Empty => continue,
            Entry::NoKey { .. } => continue,
            Entry::Flag { key } => std::str::from_utf8(key)
                .ok()
                .map(|k| format!("txt.setEntry(.none, for: {})\n", swift_string(k))),
            Entry::Pair { key, value } => std::str::from_utf8(key).ok().map(|k| {
                let key = swift_string(k);
                match std::str::from_utf8(value) {
                    Ok("") => format!("txt.setEntry(.empty, for: {key})\n"),
                    Ok(v) => format!("txt[{key}] = {}\n", swift_string(v)),
                    Err(_) => format!("txt.setEntry(.data({}), for: {key})\n", swift_bytes(value)),
                }
            }),
        };
        match line {
            Some(line) => entries.push_str(&line),
            None => representable = false,
        }
    }
    if representable {
        s.push_str("// Keys are matched ignoring case; NWTXTRecord keeps one entry per key.\n");
        s.push_str(if entries.is_empty() {
            "let txt = NWTXTRecord()\n"
        } else {
            "var txt = NWTXTRecord()\n"
        });
        s.push_str(&entries);
        let _ = writeln!(
            s,
            "let service = NWListener.Service(name: {}, type: {}, txtRecord: txt)\n",
            swift_string(&context.instance),
            swift_string(&type_with_comma_subtypes(context))
        );
    }
    s.push_str("// The exact wire bytes, string order included:\n");
    let _ = writeln!(s, "let txtData = {}", swift_bytes(wire));
    let _ = writeln!(
        s,
        "let exactService = NWListener.Service(name: {}, type: {}, domain: nil, txtRecord: txtData)",
        swift_string(&context.instance),
        swift_string(&type_with_comma_subtypes(context))
    );
    s
}

fn python_literal(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.chars().any(char::is_control) => {
            format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
        }
        _ => {
            let mut out = String::from("b\"");
            for &b in bytes {
                match b {
                    b'"' => out.push_str("\\\""),
                    b'\\' => out.push_str("\\\\"),
                    0x20..=0x7e => out.push(char::from(b)),
                    _ => {
                        let _ = write!(out, "\\x{b:02x}");
                    }
                }
            }
            out.push('"');
            out
        }
    }
}

fn python(record: &TxtRecord, context: &ServiceContext) -> String {
    let mut s = String::from("from zeroconf import ServiceInfo\n\n");
    if is_only_empty(record) {
        s.push_str("# {} would send zero-length TXT data, which RFC 6763 forbids and iOS 17 rejected;\n# one empty key sends the single byte 00.\nproperties = {b\"\": None}\n");
    } else {
        s.push_str("properties = {\n");
        for t in &record.strings {
            match t.entry() {
                Entry::Flag { key } => {
                    let _ = writeln!(s, "    {}: None,", python_literal(key));
                }
                Entry::Pair { key, value } => {
                    let _ = writeln!(s, "    {}: {},", python_literal(key), python_literal(value));
                }
                Entry::Empty | Entry::NoKey { .. } => {}
            }
        }
        s.push_str("}\n");
        if record
            .strings
            .iter()
            .any(|t| matches!(t.entry(), Entry::Pair { value: b"", .. }))
        {
            s.push_str("# Note: python-zeroconf reads `key=` back as None, like `key`.\n");
        }
    }
    let ty = format!("{}.local.", context.service_type);
    let _ = write!(
        s,
        "info = ServiceInfo(\n    {},\n    {},\n    port={},\n    properties=properties,\n    server={},\n)\n",
        python_literal(ty.as_bytes()),
        python_literal(format!("{}.{ty}", context.instance).as_bytes()),
        context.port,
        python_literal(context.host.as_bytes()),
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrections_keep_what_receivers_see() {
        let r = TxtRecord::from_strings(["a=1", "", "=x", "A=2", "txtvers=1"]);
        let (c, changes) = corrected(&r);
        assert_eq!(c, TxtRecord::from_strings(["txtvers=1", "a=1"]));
        assert_eq!(changes.len(), 4);
    }

    #[test]
    fn every_form_of_a_small_record() {
        let r = TxtRecord::from_strings([
            &b"txtvers=1"[..],
            b"flag",
            b"empty=",
            b"bin=\x01\xff",
            b"q=it's \"x\"\\",
        ]);
        let f = forms(
            &r,
            &ServiceContext {
                instance: "Bob's Printer".into(),
                service_type: "_ipp._tcp".into(),
                subtypes: vec!["_universal".into()],
                port: 631,
                host: "printer.local.".into(),
            },
        )
        .unwrap();
        assert!(f.hex.starts_with("09 74 78 74"));
        assert_eq!(f.kv, None, "binary values have no key=value form");
        assert_eq!(
            f.zone,
            r#""txtvers=1" "flag" "empty=" "bin=\001\255" "q=it's \"x\"\\""#
        );
        assert_eq!(
            f.dns_sd_register,
            r#"dns-sd -R 'Bob'\''s Printer' '_ipp._tcp,_universal' local. 631 'txtvers=1' 'flag' 'empty=' 'bin=\x01\xFF' 'q=it'\''s "x"\\'"#
        );
        assert!(
            f.avahi_service
                .contains("<txt-record value-format=\"binary-hex\">bin=01ff</txt-record>")
        );
        assert!(
            f.avahi_service
                .contains("<subtype>_universal._sub._ipp._tcp</subtype>")
        );
        assert!(f.swift.contains("txt.setEntry(.none, for: \"flag\")"));
        assert!(f.swift.contains("txt.setEntry(.empty, for: \"empty\")"));
        assert!(
            f.swift
                .contains("txt.setEntry(.data(Data([0x01, 0xFF])), for: \"bin\")")
        );
        assert!(f.python.contains("\"flag\": None,"));
        assert!(f.python.contains("\"bin\": b\"\\x01\\xff\","));
    }

    #[test]
    fn the_empty_record_is_00_everywhere() {
        let f = forms(&TxtRecord::from_strings([""]), &ServiceContext::default()).unwrap();
        assert_eq!(f.hex, "00");
        assert_eq!(f.base64, "AA==");
        assert!(f.python.contains("{b\"\": None}"));
        assert!(!f.avahi_service.contains("txt-record"));
    }
}
