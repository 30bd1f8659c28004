//! Configuration profiles (`.mobileconfig`): how an iPhone, iPad, Apple Watch, Mac, Apple TV or
//! Vision Pro installs a root certificate or an identity.
//!
//! Since iOS 26.5 Safari saves a downloaded `.crt` as `.crt.html` whatever its Content-Type
//! (Start9Labs/start-technologies PR#3240), so a profile is the dependable way onto a device.
//! Payloads follow Apple's schema (`apple/device-management`, `mdm/profiles/
//! com.apple.security.root.yaml` and `com.apple.security.pkcs12.yaml`, both `allowmanualinstall`
//! on every platform). Profiles are unsigned: iOS says "Unverified", which is expected for a
//! test CA. Every PayloadUUID derives from the SHA-256 of the certificate it carries, so
//! downloading the profile of the same root again replaces the earlier install instead of
//! adding a second one. The identity profile carries no password (Apple's schema: "It's
//! recommended to omit the password in the profile"): iOS asks for it on install.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// The MIME type iOS Safari installs profiles from.
pub const CONTENT_TYPE: &str = "application/x-apple-aspen-config";

/// A UUID (RFC 9562 version 8, vendor-specific) from SHA-256 of `label` and `data`.
pub fn derived_uuid(label: &str, data: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(b"netlens mobileconfig ")
        .chain_update(label.as_bytes())
        .chain_update([0])
        .chain_update(data)
        .finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = netlens_x509::hex::plain(&b).to_ascii_uppercase();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// XML text escaping for plist strings.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

fn data(bytes: &[u8], indent: &str) -> String {
    let b64 = STANDARD.encode(bytes);
    let mut out = String::from("<data>\n");
    for line in b64.as_bytes().chunks(68) {
        out.push_str(indent);
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&indent[..indent.len().saturating_sub(1)]);
    out.push_str("</data>");
    out
}

/// A plist `<string>`.
fn string(text: &str) -> String {
    format!("<string>{}</string>", xml(text))
}

/// `<key>`/value pairs at `indent`.
fn entries(out: &mut String, indent: &str, fields: &[(&str, String)]) {
    for (key, value) in fields {
        out.push_str(&format!("{indent}<key>{key}</key>\n{indent}{value}\n"));
    }
}

/// One payload of a profile.
pub struct Payload<'a> {
    /// `com.apple.security.root` or `com.apple.security.pkcs12`.
    pub payload_type: &'static str,
    /// The certificate (DER) or the PKCS#12 file.
    pub content: &'a [u8],
    /// The file name shown for it.
    pub file_name: &'a str,
    /// Its name in Settings.
    pub display_name: &'a str,
    /// What it is.
    pub description: &'a str,
    /// What its UUID derives from: the certificate's DER (for an identity, the leaf's, so the
    /// same identity keeps its UUID although its PKCS#12 bytes change with every salt).
    pub identity: &'a [u8],
}

/// A whole profile.
pub struct Profile<'a> {
    /// PayloadDisplayName: what Settings lists.
    pub display_name: &'a str,
    /// PayloadDescription.
    pub description: &'a str,
    /// The payloads.
    pub payloads: Vec<Payload<'a>>,
}

impl Profile<'_> {
    /// The profile as an XML property list.
    pub fn to_xml(&self) -> String {
        let seed: Vec<u8> = self
            .payloads
            .iter()
            .flat_map(|p| Sha256::digest(p.identity).to_vec())
            .collect();
        let profile_uuid = derived_uuid("profile", &seed);
        let id_hex = netlens_x509::hex::plain(&Sha256::digest(&seed)[..8]);
        let identifier = format!("dev.netlens.make.{id_hex}");

        let mut out = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
             <plist version=\"1.0\">\n<dict>\n\t<key>PayloadContent</key>\n\t<array>\n",
        );
        for (i, p) in self.payloads.iter().enumerate() {
            let kind = if p.payload_type == "com.apple.security.root" {
                "root"
            } else {
                "identity"
            };
            let uuid = derived_uuid(kind, p.identity);
            out.push_str("\t\t<dict>\n");
            let name = format!("{identifier}.{kind}{i}");
            let fields = [
                ("PayloadCertificateFileName", string(p.file_name)),
                ("PayloadContent", data(p.content, "\t\t\t\t")),
                ("PayloadDescription", string(p.description)),
                ("PayloadDisplayName", string(p.display_name)),
                ("PayloadIdentifier", string(&name)),
                ("PayloadType", string(p.payload_type)),
                ("PayloadUUID", string(&uuid)),
                ("PayloadVersion", "<integer>1</integer>".into()),
            ];
            entries(&mut out, "\t\t\t", &fields);
            out.push_str("\t\t</dict>\n");
        }
        out.push_str("\t</array>\n");
        let fields = [
            ("PayloadDescription", string(self.description)),
            ("PayloadDisplayName", string(self.display_name)),
            ("PayloadIdentifier", string(&identifier)),
            ("PayloadOrganization", string("netlens")),
            ("PayloadRemovalDisallowed", "<false/>".into()),
            ("PayloadType", string("Configuration")),
            ("PayloadUUID", string(&profile_uuid)),
            ("PayloadVersion", "<integer>1</integer>".into()),
        ];
        entries(&mut out, "\t", &fields);
        out.push_str("</dict>\n</plist>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable_and_well_formed() {
        let a = derived_uuid("root", b"cert");
        assert_eq!(a, derived_uuid("root", b"cert"));
        assert_ne!(a, derived_uuid("root", b"other"));
        assert_ne!(a, derived_uuid("identity", b"cert"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "8");
        assert!(matches!(&a[19..20], "8" | "9" | "A" | "B"));
    }

    #[test]
    fn strings_are_escaped() {
        let p = Profile {
            display_name: "A & <B>",
            description: "d",
            payloads: vec![Payload {
                payload_type: "com.apple.security.root",
                content: b"x",
                file_name: "root.cer",
                display_name: "\"q\"",
                description: "d",
                identity: b"x",
            }],
        };
        let text = p.to_xml();
        assert!(text.contains("A &amp; &lt;B&gt;"));
        assert!(text.contains("&quot;q&quot;"));
        assert!(
            text.contains("<data>\n\t\t\t\teA==\n\t\t\t</data>"),
            "{text}"
        );
    }
}
