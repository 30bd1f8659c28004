//! The tools, as the app lists them.
//!
//! The app shell is static HTML (`index.html`) plus `web/netlens-app.js`, so that the home page
//! costs no wasm; this list is the source its tool list is checked against (the test below), and
//! the order of the menu.

/// One tool, as the shell lists it. Only tools that exist are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tool {
    /// Its page in the app (the hash route `netlens-app.js` shows it on).
    pub href: &'static str,
    /// Its name.
    pub name: &'static str,
    /// One sentence about what it answers.
    pub summary: &'static str,
    /// The custom element that embeds it.
    pub element: &'static str,
}

/// The tools, in menu order.
pub const TOOLS: &[Tool] = &[
    Tool {
        href: "#/chain",
        name: "Certificate chain analysis",
        summary: "Drop the chain your server sends: will iOS, macOS and strict TLS clients trust \
                  it, and if not, exactly why? Path building, signatures, RFC 5280, host names, \
                  Apple's rules (398 days, CT, iOS 18.4 key usage, ATS), with the fix and the \
                  corrected chain.",
        element: "netlens-chain",
    },
    Tool {
        href: "#/decoder",
        name: "Certificate decoder",
        summary: "Paste or drop certificates (PEM, DER, base64, PKCS#7, openssl s_client output) \
                  and see every field: names, validity, SANs, keys, usages, AIA, SCTs, \
                  fingerprints and the SPKI pin.",
        element: "netlens-cert-decoder",
    },
    Tool {
        href: "#/dnssd",
        name: "DNS-SD / Bonjour validator",
        summary: "Type or paste a service type, instance name and TXT record (key=value, hex, \
                  dns-sd, avahi-browse or dig output): every RFC 6335 / 6763 violation with its \
                  clause, what Apple, Avahi, python-zeroconf, mdns-sd and Android do with it, and \
                  the correct forms to copy, Info.plist NSBonjourServices included.",
        element: "netlens-dnssd",
    },
    Tool {
        href: "#/probe",
        name: "WebSocket latency probe",
        summary: "How good is the network to your endpoint, right now? Connect time, RTT \
                  percentiles, jitter and loss against a WebSocket echo (or request/response) \
                  endpoint, measured in a Web Worker, with a running estimate that notices level \
                  changes, live charts, and CSV/JSON export.",
        element: "netlens-probe",
    },
    Tool {
        href: "#/make",
        name: "Test certificates",
        summary: "A test CA and a server identity your iPhone trusts, made offline in this page \
                  (Apple's QA1948 / TN2326 recipe): name-constrained, checked by netlens' chain \
                  analysis, with PKCS#12 that Apple imports, a .mobileconfig for the root, client \
                  identities, certificates that are wrong on purpose, and the next steps for \
                  every platform.",
        element: "netlens-make",
    },
    Tool {
        href: "#/apptls",
        name: "App TLS",
        summary: "Start from what you hold: an error code or console lines (NSURLErrorDomain, \
                  SecureTransport -98xx, errSec, NWError, ATS and BoringSSL log lines) explained \
                  with causes and the next step; your app's NSAppTransportSecurity dictionary \
                  linted; pin sets written from a chain and checked against it and its renewal.",
        element: "netlens-apptls",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// `index.html` lists every tool with its name, summary, page and element, in this order.
    #[test]
    fn the_static_shell_lists_every_tool() {
        let html = include_str!("../../../index.html");
        let normalized = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let html = normalized(html);
        let mut last = 0;
        for tool in TOOLS {
            let entry = format!(
                "<li class=\"nl-tool-entry\"><a href=\"{}\" data-element=\"{}\">{}</a> <p>{}</p></li>",
                tool.href,
                tool.element,
                tool.name,
                normalized(tool.summary)
            );
            let at = html
                .find(&entry)
                .unwrap_or_else(|| panic!("index.html lacks {entry}"));
            assert!(at > last, "{} is out of order in index.html", tool.name);
            last = at;
            let nav = format!("<a href=\"{}\">{}</a>", tool.href, tool.name);
            assert!(html.contains(&nav), "index.html's menu lacks {nav}");
        }
    }
}
