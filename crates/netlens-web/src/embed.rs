//! Custom elements: mounting a tool inside an element's shadow root.
//!
//! wasm-bindgen cannot subclass `HTMLElement`, so `netlens-embed.js` defines each element class
//! in a few lines of JS and calls [`mount_element`] from `connectedCallback`. Everything else is
//! here: the shadow root, the stylesheet copy inside it, and the Yew app rendered into it.
//!
//! Isolation both ways: the page's CSS cannot select into the shadow root, our rules cannot
//! select out of it, and `:host { all: initial }` in the stylesheet stops inherited properties
//! (font, colour, line height) from leaking in. Pages theme the tools through `--netlens-*`
//! custom properties, which do inherit on purpose.

use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRootInit, ShadowRootMode};
use yew::AttrValue;

use crate::components::cert_decoder::{CertDecoder, CertDecoderProps};
use crate::components::chain_analyzer::{ChainAnalyzer, ChainAnalyzerProps};
use crate::components::dnssd::{DnssdTool, DnssdToolProps};
use crate::components::probe::{ProbeTool, ProbeToolProps};
use crate::router::{Route, TOOLS};

/// A mounted element; `destroy()` unmounts it (called from `disconnectedCallback`).
#[wasm_bindgen]
pub struct MountedElement {
    destroy: Option<Box<dyn FnOnce()>>,
}

#[wasm_bindgen]
impl MountedElement {
    /// Unmounts the tool and empties the shadow root. Safe to call twice.
    pub fn destroy(&mut self) {
        if let Some(destroy) = self.destroy.take() {
            destroy();
        }
    }
}

/// The custom element names this build provides.
#[wasm_bindgen(js_name = elementTags)]
pub fn element_tags() -> Vec<String> {
    TOOLS.iter().map(|t| t.element.to_owned()).collect()
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

/// Mounts the tool named by `tag` inside `host`'s shadow root (created open if missing).
/// `initial_input` is processed immediately (e.g. certificates written inside the element).
/// `<netlens-probe endpoint="…">` takes any probe setting as an attribute.
/// `<netlens-chain host="…" at="…">` also presets the host name and the validation moment
/// (RFC 3339, e.g. `2026-06-01T00:00:00Z`, so that a documentation example does not expire;
/// a moment that does not parse means now).
#[wasm_bindgen(js_name = mountElement)]
pub fn mount_element(
    host: HtmlElement,
    tag: &str,
    initial_input: Option<String>,
) -> Result<MountedElement, js_sys::Error> {
    let Some(tool) = TOOLS.iter().find(|t| t.element == tag) else {
        return Err(js_error(&format!(
            "netlens: unknown element <{tag}>; this build provides {}",
            element_tags().join(", ")
        )));
    };
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
    let style = document
        .create_element("style")
        .map_err(|_| js_error("netlens: cannot create a style element"))?;
    style.set_text_content(Some(crate::STYLESHEET));
    let root = document
        .create_element("div")
        .map_err(|_| js_error("netlens: cannot create the mount point"))?;
    root.set_class_name("nl-embed");
    shadow
        .append_child(&style)
        .and_then(|_| shadow.append_child(&root))
        .map_err(|_| js_error("netlens: cannot fill the shadow root"))?;

    let input: AttrValue = dedent(&initial_input.unwrap_or_default()).into();
    let unmount: Box<dyn FnOnce()> = match tool.route {
        Route::Chain => {
            let props = ChainAnalyzerProps {
                initial_chain: input,
                initial_host: host.get_attribute("host").unwrap_or_default().into(),
                initial_at: host
                    .get_attribute("at")
                    .and_then(|at| netlens_x509::time::parse_moment(at.trim())),
                embedded: true,
            };
            let handle = yew::Renderer::<ChainAnalyzer>::with_root_and_props(root, props).render();
            Box::new(move || handle.destroy())
        }
        Route::Dnssd => {
            // `<netlens-dnssd type="_ipp._tcp" instance="Office">txtvers=1</netlens-dnssd>`
            let props = DnssdToolProps {
                initial_type: host.get_attribute("type").unwrap_or_default().into(),
                initial_instance: host.get_attribute("instance").unwrap_or_default().into(),
                initial_txt: input,
                embedded: true,
            };
            let handle = yew::Renderer::<DnssdTool>::with_root_and_props(root, props).render();
            Box::new(move || handle.destroy())
        }
        Route::Probe => {
            // `<netlens-probe endpoint="wss://…" interval_ms="50">`: any setting by name.
            let attributes = netlens_probe::layers::SETTINGS
                .iter()
                .filter_map(|(name, _)| host.get_attribute(name).map(|v| ((*name).to_owned(), v)))
                .collect();
            let props = ProbeToolProps {
                attributes: std::rc::Rc::new(attributes),
                embedded: true,
            };
            let handle = yew::Renderer::<ProbeTool>::with_root_and_props(root, props).render();
            Box::new(move || handle.destroy())
        }
        _ => {
            let props = CertDecoderProps {
                initial_input: input,
                embedded: true,
            };
            let handle = yew::Renderer::<CertDecoder>::with_root_and_props(root, props).render();
            Box::new(move || handle.destroy())
        }
    };
    Ok(MountedElement {
        destroy: Some(Box::new(move || {
            unmount();
            shadow.set_inner_html("");
        })),
    })
}
