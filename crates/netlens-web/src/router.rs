//! Hash routing: `#/decoder` and friends.
//!
//! The fragment never reaches the server, so every tool has a URL that works on any static host,
//! under any sub-path, and from a copied `dist/` without rewrite rules.

use gloo_events::EventListener;
use yew::prelude::*;

/// A page of the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// The tool list.
    Home,
    /// The certificate chain analysis.
    Chain,
    /// The certificate decoder.
    CertDecoder,
    /// The DNS-SD / Bonjour validator.
    Dnssd,
    /// The WebSocket latency probe.
    Probe,
    /// The rule catalog.
    Rules,
    /// Anything else.
    NotFound,
}

/// One tool, as the shell lists it. Only tools that exist are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tool {
    /// Its page.
    pub route: Route,
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
        route: Route::Chain,
        name: "Certificate chain analysis",
        summary: "Drop the chain your server sends: will iOS, macOS and strict TLS clients trust \
                  it, and if not, exactly why? Path building, signatures, RFC 5280, host names, \
                  Apple's rules (398 days, CT, iOS 18.4 key usage, ATS), with the fix and the \
                  corrected chain.",
        element: "netlens-chain",
    },
    Tool {
        route: Route::CertDecoder,
        name: "Certificate decoder",
        summary: "Paste or drop certificates (PEM, DER, base64, PKCS#7, openssl s_client output) \
                  and see every field: names, validity, SANs, keys, usages, AIA, SCTs, \
                  fingerprints and the SPKI pin.",
        element: "netlens-cert-decoder",
    },
    Tool {
        route: Route::Dnssd,
        name: "DNS-SD / Bonjour validator",
        summary: "Type or paste a service type, instance name and TXT record (key=value, hex, \
                  dns-sd, avahi-browse or dig output): every RFC 6335 / 6763 violation with its \
                  clause, what Apple, Avahi, python-zeroconf, mdns-sd and Android do with it, and \
                  the correct forms to copy, Info.plist NSBonjourServices included.",
        element: "netlens-dnssd",
    },
    Tool {
        route: Route::Probe,
        name: "WebSocket latency probe",
        summary: "How good is the network to your endpoint, right now? Connect time, RTT \
                  percentiles, jitter and loss against a WebSocket echo (or request/response) \
                  endpoint, measured in a Web Worker, with a running estimate that notices level \
                  changes, live charts, and CSV/JSON export.",
        element: "netlens-probe",
    },
];

impl Route {
    /// The route for a location hash (`#/decoder`, `#decoder`, `` all work).
    pub fn from_hash(hash: &str) -> Self {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let path = path.split(['?', '&']).next().unwrap_or_default();
        match path.trim_end_matches('/') {
            "" => Route::Home,
            "chain" => Route::Chain,
            "decoder" => Route::CertDecoder,
            "dnssd" => Route::Dnssd,
            "probe" => Route::Probe,
            "rules" => Route::Rules,
            _ => Route::NotFound,
        }
    }

    /// The hash link to this route.
    pub fn href(self) -> &'static str {
        match self {
            Route::Home | Route::NotFound => "#/",
            Route::Chain => "#/chain",
            Route::CertDecoder => "#/decoder",
            Route::Dnssd => "#/dnssd",
            Route::Probe => "#/probe",
            Route::Rules => "#/rules",
        }
    }

    /// The document title on this route.
    pub fn title(self) -> String {
        match TOOLS.iter().find(|t| t.route == self) {
            Some(tool) => format!("{} · netlens", tool.name),
            None if self == Route::NotFound => "Not found · netlens".to_owned(),
            None if self == Route::Rules => "Rules · netlens".to_owned(),
            None => "netlens".to_owned(),
        }
    }
}

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The current route, updated on `hashchange`.
#[hook]
pub fn use_route() -> Route {
    let route = use_state(|| Route::from_hash(&current_hash()));
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "hashchange", move |_| {
                    route.set(Route::from_hash(&current_hash()));
                })
            });
            move || drop(listener)
        });
    }
    *route
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hashes() {
        assert_eq!(Route::from_hash(""), Route::Home);
        assert_eq!(Route::from_hash("#/"), Route::Home);
        assert_eq!(Route::from_hash("#/decoder"), Route::CertDecoder);
        assert_eq!(Route::from_hash("#decoder/"), Route::CertDecoder);
        assert_eq!(Route::from_hash("#/decoder?x=1"), Route::CertDecoder);
        assert_eq!(Route::from_hash("#/chain"), Route::Chain);
        assert_eq!(Route::from_hash("#/rules"), Route::Rules);
        assert_eq!(
            Route::from_hash("#/probe?endpoint=ws://127.0.0.1:1/echo"),
            Route::Probe
        );
        assert_eq!(Route::from_hash("#/nope"), Route::NotFound);
        for tool in TOOLS {
            assert_eq!(Route::from_hash(tool.route.href()), tool.route);
        }
    }
}
