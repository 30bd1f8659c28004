//! Mounting a tool: inside a custom element's shadow root, or as the page of the app.
//!
//! wasm-bindgen cannot subclass `HTMLElement`, so `netlens-embed.js` defines each element class
//! in a few lines of JS and calls its tool module's `mountElement` from `connectedCallback`;
//! every tool module's `mountElement` is one of the functions here. The app shell
//! (`netlens-app.js`) calls the same function with `app = true`: then the tool renders into the
//! given element of the page itself, with its page heading, and reads its URL parameters.
//!
//! Isolation both ways for elements: the page's CSS cannot select into the shadow root, our
//! rules cannot select out of it, and `:host { all: initial }` in the stylesheet stops inherited
//! properties (font, colour, line height) from leaking in. Pages theme the tools through
//! `--netlens-*` custom properties, which do inherit on purpose.
//!
//! The stylesheet is one constructed `CSSStyleSheet` per module, adopted by every shadow root:
//! a strict `style-src 'self'` policy blocks `<style>` elements but not constructed sheets, and
//! ten elements on a page share one parsed sheet.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, Element, HtmlElement, ShadowRootInit, ShadowRootMode};
use yew::{AttrValue, BaseComponent};

use crate::components::cert_decoder::{CertDecoder, CertDecoderProps};
use crate::components::chain_analyzer::{ChainAnalyzer, ChainAnalyzerProps};
use crate::components::dnssd::{DnssdTool, DnssdToolProps};
use crate::components::probe::{ProbeTool, ProbeToolProps};

/// A mounted element; `destroy()` unmounts it (called from `disconnectedCallback`).
#[wasm_bindgen]
pub struct MountedElement {
    destroy: Option<Box<dyn FnOnce()>>,
}

#[wasm_bindgen]
impl MountedElement {
    /// Unmounts the tool and empties what it rendered into. Safe to call twice.
    pub fn destroy(&mut self) {
        if let Some(destroy) = self.destroy.take() {
            destroy();
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dedent_removes_common_indentation() {
        let text =
            "\n      -----BEGIN X-----\n      QUJD\n        indented\n      -----END X-----\n    ";
        assert_eq!(
            super::dedent(text),
            "-----BEGIN X-----\nQUJD\n  indented\n-----END X-----\n"
        );
        assert_eq!(super::dedent("  \n "), "");
    }
}

fn js_error(message: &str) -> js_sys::Error {
    js_sys::Error::new(message)
}

/// Removes the indentation an HTML author gives text inside an element (the common leading
/// whitespace of its non-blank lines) and the blank lines around it.
pub fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.get(indent..).unwrap_or_else(|| l.trim_start()))
        .collect();
    let mut out = lines.join("\n").trim_matches('\n').trim_end().to_owned();
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

thread_local! {
    static SHEET: RefCell<Option<CssStyleSheet>> = const { RefCell::new(None) };
}

/// The module's one constructed copy of the stylesheet.
fn shared_sheet() -> Result<CssStyleSheet, js_sys::Error> {
    SHEET.with(|sheet| {
        if let Some(sheet) = sheet.borrow().as_ref() {
            return Ok(sheet.clone());
        }
        let created = CssStyleSheet::new()
            .map_err(|_| js_error("netlens: this browser cannot construct a stylesheet"))?;
        created
            .replace_sync(crate::STYLESHEET)
            .map_err(|_| js_error("netlens: the stylesheet did not parse"))?;
        *sheet.borrow_mut() = Some(created.clone());
        Ok(created)
    })
}

/// Empties what a mount made (the shadow root, or the app's element).
type Empty = Box<dyn FnOnce()>;

/// Where a tool renders: a fresh `div.nl-embed` in `host`'s shadow root (an element), or `host`
/// itself (the app page, which links the stylesheet already). Returns the mount point and how
/// to empty what was made.
fn mount_point(host: &HtmlElement, app: bool) -> Result<(Element, Empty), js_sys::Error> {
    if app {
        host.set_inner_html("");
        let emptied = host.clone();
        return Ok((
            host.clone().into(),
            Box::new(move || emptied.set_inner_html("")),
        ));
    }
    let shadow = match host.shadow_root() {
        Some(shadow) => shadow,
        None => host
            .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
            .map_err(|_| js_error("netlens: cannot attach a shadow root to this element"))?,
    };
    let document = host
        .owner_document()
        .ok_or_else(|| js_error("netlens: the element has no document"))?;
    shadow.set_inner_html("");
    shadow.set_adopted_style_sheets(&js_sys::Array::of1(&shared_sheet()?.into()));
    let root = document
        .create_element("div")
        .map_err(|_| js_error("netlens: cannot create the mount point"))?;
    root.set_class_name("nl-embed");
    shadow
        .append_child(&root)
        .map_err(|_| js_error("netlens: cannot fill the shadow root"))?;
    Ok((root, Box::new(move || shadow.set_inner_html(""))))
}

/// Renders component `C` with `props` into `host` (see [`mount_point`]): how every tool
/// module mounts its tool.
pub fn mount<C: BaseComponent>(
    host: &HtmlElement,
    app: bool,
    props: C::Properties,
) -> Result<MountedElement, js_sys::Error> {
    let (root, empty) = mount_point(host, app)?;
    let handle = yew::Renderer::<C>::with_root_and_props(root, props).render();
    Ok(MountedElement {
        destroy: Some(Box::new(move || {
            handle.destroy();
            empty();
        })),
    })
}

fn attribute(host: &HtmlElement, name: &str) -> AttrValue {
    host.get_attribute(name).unwrap_or_default().into()
}

/// `<netlens-cert-decoder>`: the text inside the element is decoded at once.
pub fn mount_decoder(
    host: HtmlElement,
    initial_input: Option<String>,
    app: bool,
) -> Result<MountedElement, js_sys::Error> {
    let props = CertDecoderProps {
        initial_input: dedent(&initial_input.unwrap_or_default()).into(),
        embedded: !app,
    };
    mount::<CertDecoder>(&host, app, props)
}

/// `<netlens-chain host="…" at="…">`: the chain inside the element, a host name and a validation
/// moment (RFC 3339, e.g. `2026-06-01T00:00:00Z`, so that a documentation example does not
/// expire; a moment that does not parse means now).
pub fn mount_chain(
    host: HtmlElement,
    initial_input: Option<String>,
    app: bool,
) -> Result<MountedElement, js_sys::Error> {
    let props = ChainAnalyzerProps {
        initial_chain: dedent(&initial_input.unwrap_or_default()).into(),
        initial_host: attribute(&host, "host"),
        initial_at: host
            .get_attribute("at")
            .and_then(|at| netlens_x509::time::parse_moment(at.trim())),
        embedded: !app,
    };
    mount::<ChainAnalyzer>(&host, app, props)
}

/// `<netlens-dnssd type="_ipp._tcp" instance="Office">txtvers=1</netlens-dnssd>`.
pub fn mount_dnssd(
    host: HtmlElement,
    initial_input: Option<String>,
    app: bool,
) -> Result<MountedElement, js_sys::Error> {
    crate::dnssd_support::install();
    let props = DnssdToolProps {
        initial_type: attribute(&host, "type"),
        initial_instance: attribute(&host, "instance"),
        initial_txt: dedent(&initial_input.unwrap_or_default()).into(),
        embedded: !app,
    };
    mount::<DnssdTool>(&host, app, props)
}

/// `<netlens-probe endpoint="wss://…" interval_ms="50">`: any probe setting by name, and
/// `mode="working-conditions"` for the loaded mode.
pub fn mount_probe(host: HtmlElement, app: bool) -> Result<MountedElement, js_sys::Error> {
    let attributes = netlens_probe::layers::SETTINGS
        .iter()
        .map(|(name, _)| *name)
        .chain(["mode"])
        .filter_map(|name| host.get_attribute(name).map(|v| (name.to_owned(), v)))
        .collect();
    let props = ProbeToolProps {
        attributes: Rc::new(attributes),
        embedded: !app,
    };
    mount::<ProbeTool>(&host, app, props)
}

/// The chain rule table, into `host` on the app's Rules page.
pub fn mount_chain_rules(host: HtmlElement) -> Result<MountedElement, js_sys::Error> {
    mount::<crate::components::rules::ChainRules>(&host, true, ())
}

/// The DNS-SD rule table, into `host` on the app's Rules page.
pub fn mount_dnssd_rules(host: HtmlElement) -> Result<MountedElement, js_sys::Error> {
    mount::<crate::components::rules::DnssdRules>(&host, true, ())
}
