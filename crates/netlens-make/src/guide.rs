//! What to do next, per platform and per server: one text, rendered by the page (cards), the
//! CLI and the bundle's README.txt.
//!
//! Sources: QA1948 "HTTPS and Test Servers" (install the test CA's root on every device; on
//! watchOS on both devices; on tvOS through the hidden Add Profile menu; no ATS exception once
//! the root is trusted), TN2326, iOS's Certificate Trust Settings (since 10.3 a root a user
//! installs is trusted only once full trust is switched on: mitmproxy#2706, algo#294),
//! `xcrun simctl keychain … add-root-cert` (caido#829), Android's network security
//! configuration (apps targeting API 24+ ignore user CAs unless it allows them; since Android
//! 11 CA certificates install only from Settings), mkcert's README (`NODE_EXTRA_CA_CERTS`).

use serde::Serialize;

/// One step: a sentence, and a command or snippet to copy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// What to do.
    pub text: String,
    /// What to type or paste, if anything.
    pub code: Option<String>,
}

/// The steps for one platform or server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Section {
    /// A stable id (`ios`, `nginx`).
    pub id: &'static str,
    /// Its heading.
    pub title: &'static str,
    /// The steps.
    pub steps: Vec<Step>,
}

/// The names the steps refer to.
pub struct Context<'a> {
    /// The root's common name, as Settings lists it.
    pub ca_label: &'a str,
    /// The host the server is reached by (the first name), if there is a server.
    pub host: Option<&'a str>,
    /// Client identities' PKCS#12 files, if any.
    pub client_p12s: Vec<String>,
    /// The port the snippets use.
    pub port: u16,
}

fn step(text: impl Into<String>) -> Step {
    Step {
        text: text.into(),
        code: None,
    }
}

fn code(text: impl Into<String>, code: impl Into<String>) -> Step {
    Step {
        text: text.into(),
        code: Some(code.into()),
    }
}

/// How to make devices and clients trust the test CA.
pub fn devices(ctx: &Context<'_>) -> Vec<Section> {
    let ca = ctx.ca_label;
    let mut ios = vec![
        code(
            "Get root.mobileconfig onto the device: AirDrop it or mail it to yourself, or serve \
             it on your network and open the address in Safari on the device. Serving is the \
             dependable way: iOS Safari saves a downloaded .crt as .crt.html (since iOS 26.5), \
             and no source shows it installing a profile a web page made itself.",
            "netlens make serve DIR   # prints an address and a QR code to open on the phone",
        ),
        step(
            "Open Settings: \"Profile Downloaded\" is near the top. Tap it, then Install (iOS \
             asks for the passcode and says \"Unverified\": the profile is not signed, as \
             expected for a test CA).",
        ),
        step(format!(
            "Switch on full trust: Settings › General › About › Certificate Trust Settings › \
             \"{ca}\". Until then the root is installed but not trusted (iOS 10.3 and later)."
        )),
        step(
            "Nothing else: with the root trusted, URLSession and Network.framework trust the \
             server like any other, so no App Transport Security exception is needed (QA1948). \
             Remove NSAllowsArbitraryLoads or NSExceptionDomains entries added for testing.",
        ),
        step(
            "To remove it later: Settings › General › VPN & Device Management › the profile › \
             Remove Profile.",
        ),
    ];
    for p12 in &ctx.client_p12s {
        ios.push(step(format!(
            "Client identity: install {} the same way (its .mobileconfig, or the .p12 itself); \
             iOS asks for the PKCS#12 password on install.",
            p12.trim_end_matches(".p12")
        )));
    }
    let mut sections = vec![
        Section {
            id: "ios",
            title: "iPhone and iPad",
            steps: ios,
        },
        Section {
            id: "watchos",
            title: "Apple Watch",
            steps: vec![step(
                "The root must be installed on both devices (QA1948). Install the profile on \
                     the paired iPhone as above, then open root.mobileconfig again on the iPhone \
                     and choose Apple Watch when iOS asks which device to install it on.",
            )],
        },
        Section {
            id: "macos",
            title: "Mac",
            steps: vec![
                code(
                    "Trust the root for every user (asks for an administrator's password):",
                    "sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain root.pem",
                ),
                step(
                    "Or double-click root.cer, open it in Keychain Access, and under Trust set \
                     \"When using this certificate\" to Always Trust.",
                ),
                code(
                    "To remove it later:",
                    format!(
                        "sudo security delete-certificate -c \"{ca}\" /Library/Keychains/System.keychain"
                    ),
                ),
            ],
        },
        Section {
            id: "simulator",
            title: "iOS Simulator",
            steps: vec![code(
                "Install and trust the root in the booted simulator (repeat per simulator, and \
                 after Erase All Content and Settings):",
                "xcrun simctl keychain booted add-root-cert root.pem",
            )],
        },
        Section {
            id: "tvos",
            title: "Apple TV",
            steps: vec![step(
                "Serve the profile (netlens make serve DIR), then on the Apple TV: Settings › \
                 General › Privacy › Share Apple TV Analytics, press Play/Pause, choose Add \
                 Profile and enter the address of root.mobileconfig (QA1948).",
            )],
        },
        Section {
            id: "android",
            title: "Android",
            steps: vec![
                step(
                    "Copy root.cer to the device and install it from Settings › Security › \
                     Encryption & credentials › Install a certificate › CA certificate (since \
                     Android 11 a CA certificate installs only from Settings).",
                ),
                code(
                    "Apps targeting API 24 or later ignore user CAs unless their network \
                     security configuration allows them. In res/xml/network_security_config.xml \
                     (and android:networkSecurityConfig=\"@xml/network_security_config\" on the \
                     manifest's <application>), for debuggable builds only:",
                    "<network-security-config>\n  <debug-overrides>\n    <trust-anchors>\n      <certificates src=\"user\" />\n    </trust-anchors>\n  </debug-overrides>\n</network-security-config>",
                ),
                code(
                    "Or ship the root with the debug build instead of installing it: copy \
                     root.pem to res/raw/netlens_test_ca.pem and trust it there:",
                    "<network-security-config>\n  <debug-overrides>\n    <trust-anchors>\n      <certificates src=\"@raw/netlens_test_ca\" />\n    </trust-anchors>\n  </debug-overrides>\n</network-security-config>",
                ),
            ],
        },
        Section {
            id: "firefox",
            title: "Firefox",
            steps: vec![step(
                "Firefox keeps its own roots: Settings › Privacy & Security › Certificates › \
                 View Certificates › Authorities › Import root.pem, and tick \"Trust this CA to \
                 identify websites\". On macOS and Windows, setting security.enterprise_roots.\
                 enabled to true in about:config makes Firefox use the system's trusted roots.",
            )],
        },
    ];
    let url = match ctx.host {
        Some(h) if h.contains(':') => format!("https://[{h}]:{}/", ctx.port),
        Some(h) => format!("https://{h}:{}/", ctx.port),
        None => format!("https://your-server:{}/", ctx.port),
    };
    sections.push(Section {
        id: "tools",
        title: "Node, curl, Python",
        steps: vec![
            code("Node.js adds the root to its own list:", "NODE_EXTRA_CA_CERTS=root.pem node app.js"),
            code("curl:", format!("curl --cacert root.pem {url}")),
            code(
                "Python (ssl, requests):",
                "ctx = ssl.create_default_context(cafile=\"root.pem\")\nrequests.get(url, verify=\"root.pem\")",
            ),
        ],
    });
    sections
}

/// How to serve the identity, and check it from a client.
pub fn servers(ctx: &Context<'_>) -> Vec<Section> {
    let host = ctx.host.unwrap_or("your-server");
    let port = ctx.port;
    let mut sections = vec![
        Section {
            id: "nginx",
            title: "nginx",
            steps: vec![code(
                "Serve the full chain (the leaf and the intermediate); clients have only the root:",
                format!(
                    "server {{\n    listen {port} ssl;\n    server_name {host};\n    ssl_certificate     /path/to/fullchain.pem;\n    ssl_certificate_key /path/to/server-key.pem;\n}}"
                ),
            )],
        },
        Section {
            id: "caddy",
            title: "Caddy",
            steps: vec![code(
                "In the Caddyfile:",
                format!(
                    "{host}:{port} {{\n    tls /path/to/fullchain.pem /path/to/server-key.pem\n    respond \"hello over TLS\"\n}}"
                ),
            )],
        },
        Section {
            id: "node",
            title: "Node.js",
            steps: vec![code(
                "",
                format!(
                    "const https = require('node:https');\nconst fs = require('node:fs');\nhttps.createServer({{\n  key: fs.readFileSync('server-key.pem'),\n  cert: fs.readFileSync('fullchain.pem'),\n}}, (req, res) => res.end('hello\\n')).listen({port});"
                ),
            )],
        },
        Section {
            id: "python",
            title: "Python",
            steps: vec![code(
                "",
                format!(
                    "import http.server, ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\nctx.load_cert_chain('fullchain.pem', 'server-key.pem')\nserver = http.server.HTTPServer(('0.0.0.0', {port}), http.server.SimpleHTTPRequestHandler)\nserver.socket = ctx.wrap_socket(server.socket, server_side=True)\nserver.serve_forever()"
                ),
            )],
        },
        Section {
            id: "go",
            title: "Go",
            steps: vec![code(
                "",
                format!(
                    "package main\n\nimport (\n\t\"log\"\n\t\"net/http\"\n)\n\nfunc main() {{\n\thttp.HandleFunc(\"/\", func(w http.ResponseWriter, r *http.Request) {{ w.Write([]byte(\"hello\\n\")) }})\n\tlog.Fatal(http.ListenAndServeTLS(\":{port}\", \"fullchain.pem\", \"server-key.pem\", nil))\n}}"
                ),
            )],
        },
        Section {
            id: "swift",
            title: "Swift (an app as the server, Network framework)",
            steps: vec![code(
                "Apple's \"Creating an Identity for Local Network TLS\": import server.p12 and \
                 listen with it.",
                format!(
                    "var items: CFArray?\nSecPKCS12Import(p12Data as CFData, [kSecImportExportPassphrase: password] as CFDictionary, &items)\nlet identity = (items as! [[String: Any]])[0][kSecImportItemIdentity as String] as! SecIdentity\nlet tls = NWProtocolTLS.Options()\nsec_protocol_options_set_local_identity(tls.securityProtocolOptions, sec_identity_create(identity)!)\nlet listener = try NWListener(using: NWParameters(tls: tls), on: {port})"
                ),
            )],
        },
    ];
    if !ctx.client_p12s.is_empty() {
        sections.push(Section {
            id: "mutual-tls",
            title: "Mutual TLS (client identities)",
            steps: vec![
                code(
                    "The server must trust the CA that issued the client certificates: give it \
                     the intermediate and the root. nginx:",
                    "cat ca.pem root.pem > client-ca.pem\n# in the server block:\nssl_client_certificate /path/to/client-ca.pem;\nssl_verify_client on;\nssl_verify_depth 2;",
                ),
                code(
                    "Try it with a client identity:",
                    format!(
                        "curl --cacert root.pem --cert client-NAME.pem --key client-NAME-key.pem https://{host}:{port}/"
                    ),
                ),
            ],
        });
    }
    let sni = if host.parse::<std::net::IpAddr>().is_ok() {
        String::new()
    } else {
        format!(" -servername {host}")
    };
    sections.push(Section {
        id: "check",
        title: "Check the server",
        steps: vec![
            code(
                "netlens reads the chain the server really sends and judges it with this root:",
                format!("netlens chain --connect {host}:{port} --anchors root.pem\nnetlens ats {host}:{port} --anchors root.pem"),
            ),
            code(
                "OpenSSL:",
                format!("openssl s_client -connect {host}:{port}{sni} -CAfile root.pem -verify_return_error </dev/null"),
            ),
        ],
    });
    sections
}

/// What name constraints on the test CA do in each client, in one sentence each (sources:
/// BetterTLS's December 2021 run, `research/cert-anchors.md` §3.6; Chromium's
/// `EnforceLocalAnchorConstraintsEnabled` policy; x509-limbo's name-constraint cases).
pub fn constraint_support() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "iPhone, iPad, Mac (Safari, URLSession, Network.framework)",
            "enforced on intermediates: Safari 14.1.2 passed all 8,754 name-constraint tests of \
             BetterTLS. On a root you install yourself no source says, which is why netlens puts \
             them on the intermediate.",
        ),
        (
            "Chrome",
            "enforced on intermediates, and on locally added roots since Chrome 112 (always \
             since 126).",
        ),
        ("Firefox", "enforced on intermediates (BetterTLS)."),
        (
            "OpenSSL (curl, Python, Node), Go, rustls",
            "enforced (BetterTLS, x509-limbo).",
        ),
    ]
}

/// Sections as plain text (the CLI and README.txt): headings, wrapped sentences, indented code.
pub fn to_text(sections: &[Section]) -> String {
    let mut out = String::new();
    for s in sections {
        out.push_str(s.title);
        out.push('\n');
        out.push_str(&"-".repeat(s.title.chars().count()));
        out.push('\n');
        for st in &s.steps {
            if !st.text.is_empty() {
                out.push_str(&wrap(&st.text, 92, "- ", "  "));
            }
            if let Some(c) = &st.code {
                for line in c.lines() {
                    out.push_str("      ");
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out.push('\n');
    }
    out
}

/// Wraps `text` at `width` columns, the first line after `first`, the rest after `rest`.
pub fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = String::from(first);
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(rest);
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_platform_the_issue_names_is_covered() {
        let ctx = Context {
            ca_label: "netlens Test CA 01020304",
            host: Some("printer.local"),
            client_p12s: vec!["client-alice.p12".into()],
            port: 8443,
        };
        let ids: Vec<&str> = devices(&ctx)
            .iter()
            .chain(servers(&ctx).iter())
            .map(|s| s.id)
            .collect();
        for id in [
            "ios",
            "watchos",
            "macos",
            "simulator",
            "android",
            "firefox",
            "tools",
            "nginx",
            "caddy",
            "node",
            "python",
            "go",
            "mutual-tls",
            "check",
        ] {
            assert!(ids.contains(&id), "{id}");
        }
        let text = to_text(&devices(&ctx))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.contains("security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain root.pem"));
        assert!(text.contains("xcrun simctl keychain booted add-root-cert root.pem"));
        assert!(text.contains("NODE_EXTRA_CA_CERTS"));
        assert!(text.contains("Certificate Trust Settings › \"netlens Test CA 01020304\""));
        assert!(text.contains("no App Transport Security exception is needed"));
    }

    #[test]
    fn wrapping_keeps_words() {
        let w = wrap("aaa bbb ccc", 8, "- ", "  ");
        assert_eq!(w, "- aaa\n  bbb\n  ccc\n");
    }
}
