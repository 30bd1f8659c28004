//! Products that intercept TLS by signing certificates with their own root: debugging proxies
//! (Charles, mitmproxy, Fiddler, Burp, Proxyman) and corporate inspection (Zscaler, Netskope,
//! Fortinet, Palo Alto Networks, Stormshield). A chain that ends at one of their roots is the
//! proxy's, not the server's: the app trusts it only because the root was installed, and pins
//! of the real server's keys never match it.
//!
//! The list is data: each entry is the name field a product's root or issuing certificate
//! carries, the pattern that identifies it, and a public source that shows the name. Patterns
//! are matched against the subject and issuer of the top certificate of the chain.

use netlens_x509::dn::DistinguishedName;
use serde::Serialize;

/// What kind of product.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A developer's debugging proxy.
    DebuggingProxy,
    /// A corporate TLS inspection service or firewall.
    Inspection,
}

/// Which name attribute a pattern matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The common name starts with the pattern.
    CommonNamePrefix,
    /// The organization equals the pattern (ASCII case ignored).
    Organization,
}

/// One product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interceptor {
    /// The product, as people name it.
    pub product: &'static str,
    /// What it is.
    pub kind: Kind,
    /// The attribute matched.
    pub field: Field,
    /// The pattern.
    pub pattern: &'static str,
    /// Where the name is shown publicly.
    pub source: &'static str,
}

/// Every known product.
pub static INTERCEPTORS: &[Interceptor] = &[
    Interceptor {
        product: "Charles Proxy",
        kind: Kind::DebuggingProxy,
        field: Field::CommonNamePrefix,
        pattern: "Charles Proxy CA",
        source: "Charles' root is \"Charles Proxy CA (date, host)\", O=XK72 Ltd, OU=https://charlesproxy.com/ssl (as listed in public repositories' certificate-store logs)",
    },
    Interceptor {
        product: "Charles Proxy",
        kind: Kind::DebuggingProxy,
        field: Field::Organization,
        pattern: "XK72 Ltd",
        source: "Charles Proxy's CA organization (charlesproxy.com/ssl)",
    },
    Interceptor {
        product: "mitmproxy",
        kind: Kind::DebuggingProxy,
        field: Field::CommonNamePrefix,
        pattern: "mitmproxy",
        source: "mitmproxy docs, “About Certificates” (the CA it generates in ~/.mitmproxy is named mitmproxy)",
    },
    Interceptor {
        product: "Fiddler",
        kind: Kind::DebuggingProxy,
        field: Field::CommonNamePrefix,
        pattern: "DO_NOT_TRUST_Fiddler",
        source: "Fiddler's root: CN=DO_NOT_TRUST_FiddlerRoot, O=DO_NOT_TRUST, OU=Created by http://www.fiddler2.com (Telerik Fiddler; widely quoted in code that detects it)",
    },
    Interceptor {
        product: "Burp Suite",
        kind: Kind::DebuggingProxy,
        field: Field::CommonNamePrefix,
        pattern: "PortSwigger CA",
        source: "Burp's issuer: O=PortSwigger, OU=PortSwigger CA, CN=PortSwigger CA (github.com/mitmproxy/mitmproxy/issues/4713)",
    },
    Interceptor {
        product: "Burp Suite",
        kind: Kind::DebuggingProxy,
        field: Field::Organization,
        pattern: "PortSwigger",
        source: "github.com/mitmproxy/mitmproxy/issues/4713",
    },
    Interceptor {
        product: "Proxyman",
        kind: Kind::DebuggingProxy,
        field: Field::CommonNamePrefix,
        pattern: "Proxyman",
        source: "Proxyman's root: \"Proxyman CA (date, host)\" on macOS, \"Proxyman Root CA\" on Windows (github.com/ProxymanApp/Proxyman/issues/2245, ProxymanApp/proxyman-windows-linux#89)",
    },
    Interceptor {
        product: "HTTP Toolkit",
        kind: Kind::DebuggingProxy,
        field: Field::CommonNamePrefix,
        pattern: "HTTP Toolkit CA",
        source: "HTTP Toolkit's generated CA (httptoolkit.com docs)",
    },
    Interceptor {
        product: "Zscaler",
        kind: Kind::Inspection,
        field: Field::CommonNamePrefix,
        pattern: "Zscaler",
        source: "Zscaler Root CA, O=Zscaler Inc. (github.com/sectigo/CTLogs/pull/57)",
    },
    Interceptor {
        product: "Zscaler",
        kind: Kind::Inspection,
        field: Field::Organization,
        pattern: "Zscaler Inc.",
        source: "github.com/sectigo/CTLogs/pull/57",
    },
    Interceptor {
        product: "Netskope",
        kind: Kind::Inspection,
        field: Field::Organization,
        pattern: "Netskope",
        source: "Netskope's TLS inspection re-signs with its own CA (github.com/charonn0/VT-Hash/issues/21)",
    },
    Interceptor {
        product: "Netskope",
        kind: Kind::Inspection,
        field: Field::Organization,
        pattern: "Netskope Inc",
        source: "github.com/charonn0/VT-Hash/issues/21",
    },
    Interceptor {
        product: "Fortinet FortiGate",
        kind: Kind::Inspection,
        field: Field::Organization,
        pattern: "Fortinet",
        source: "FortiGate SSL deep inspection signs with the device's CA, O=Fortinet (github.com/Ylianst/MeshCentral/issues/3989)",
    },
    Interceptor {
        product: "Fortinet FortiGate",
        kind: Kind::Inspection,
        field: Field::CommonNamePrefix,
        pattern: "Fortinet_CA_SSL",
        source: "FortiGate's default deep-inspection CA (github.com/Ylianst/MeshCentral/issues/3989)",
    },
    Interceptor {
        product: "Palo Alto Networks",
        kind: Kind::Inspection,
        field: Field::Organization,
        pattern: "Palo Alto Networks",
        source: "PAN-OS / Prisma Access SSL decryption (forward trust) certificates (github.com/PaloAltoNetworks/pan-chainguard/issues/11)",
    },
    Interceptor {
        product: "Stormshield (NETASQ)",
        kind: Kind::Inspection,
        field: Field::Organization,
        pattern: "NETASQ",
        source: "NETASQ / Stormshield firewall CA (github.com/sectigo/CTLogs/pull/38)",
    },
    Interceptor {
        product: "Stormshield (NETASQ)",
        kind: Kind::Inspection,
        field: Field::Organization,
        pattern: "Stormshield",
        source: "github.com/sectigo/CTLogs/pull/38",
    },
];

/// The product whose name `name` carries, if any.
pub fn identify(name: &DistinguishedName) -> Option<&'static Interceptor> {
    let cn = name.common_name().unwrap_or("");
    let orgs: Vec<&str> = name.values_of("O").collect();
    INTERCEPTORS.iter().find(|i| match i.field {
        Field::CommonNamePrefix => cn.starts_with(i.pattern),
        Field::Organization => orgs
            .iter()
            .any(|o| o.trim().eq_ignore_ascii_case(i.pattern)),
    })
}
