//! The UI crate in a real browser (headless Chromium through wasm-bindgen-test-runner):
//! components render real certificates, custom elements mount in shadow roots, and the JS API
//! returns plain objects. Native `cargo test` skips this file.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use netlens_web::components::cert_decoder::{CertDecoder, CertDecoderProps};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

const CHAIN: &str = include_str!("../../netlens-testkit/fixtures/demo-chain.pem");
const SUBJECTS: [&str; 3] = [
    "CN=www.netlens.test",
    "CN=Netlens Test Issuing CA 1,O=Netlens Test PKI,C=US",
    "CN=Netlens Test Root CA,O=Netlens Test PKI,C=US",
];

fn fresh_root() -> HtmlElement {
    let document = gloo_document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root.unchecked_into()
}

fn gloo_document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn texts(root: &Element, selector: &str) -> Vec<String> {
    let nodes = root.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .filter_map(|i| nodes.get(i))
        .map(|n| n.text_content().unwrap_or_default())
        .collect()
}

async fn mount_decoder() -> (HtmlElement, yew::AppHandle<CertDecoder>) {
    let root = fresh_root();
    let app = yew::Renderer::<CertDecoder>::with_root_and_props(
        root.clone().into(),
        CertDecoderProps::default(),
    )
    .render();
    yew::scheduler::flush().await;
    (root, app)
}

async fn paste(root: &Element, text: &str) {
    let textarea: HtmlTextAreaElement = root
        .query_selector("textarea")
        .unwrap()
        .expect("the decoder has a textarea")
        .unchecked_into();
    textarea.set_value(text);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    textarea.dispatch_event(&event).unwrap();
    yew::scheduler::flush().await;
}

#[wasm_bindgen_test]
async fn decoder_renders_a_pasted_chain() {
    let (root, app) = mount_decoder().await;
    assert!(texts(&root, ".nl-cert-card").is_empty());

    paste(
        &root,
        &format!("openssl s_client output\n{CHAIN}Verify return code: 0 (ok)\n"),
    )
    .await;
    assert_eq!(texts(&root, ".nl-cert-subject"), SUBJECTS);
    assert_eq!(texts(&root, ".nl-count"), ["3 certificates"]);
    let body = root.text_content().unwrap();
    for expected in [
        "DNS:www.netlens.test",
        "EC P-256",
        "RSA 4096 bits",
        "SPKI SHA-256 pin",
    ] {
        assert!(body.contains(expected), "missing {expected}");
    }

    // Collapsing a card hides its details but keeps its subject line.
    let head: HtmlElement = root
        .query_selector(".nl-cert-head")
        .unwrap()
        .unwrap()
        .unchecked_into();
    head.click();
    yew::scheduler::flush().await;
    assert_eq!(texts(&root, ".nl-cert-body").len(), 2);
    assert_eq!(texts(&root, ".nl-cert-subject").len(), 3);
    app.destroy();
}

#[wasm_bindgen_test]
async fn decoder_explains_garbage() {
    let (root, app) = mount_decoder().await;
    paste(&root, "this is not a certificate").await;
    let problems = texts(&root, ".nl-problem");
    assert_eq!(problems.len(), 1);
    assert!(problems[0].contains("no certificate found"), "{problems:?}");
    assert!(texts(&root, ".nl-cert-card").is_empty());

    // Clearing the input clears the results.
    paste(&root, "").await;
    assert!(texts(&root, ".nl-problem").is_empty());
    app.destroy();
}

#[wasm_bindgen_test]
async fn custom_element_mounts_in_its_own_shadow_root() {
    let host = fresh_root();
    let mut mounted =
        netlens_web::embed::mount_decoder(host.clone(), Some(CHAIN.into()), false).unwrap();
    yew::scheduler::flush().await;
    let shadow = host.shadow_root().expect("a shadow root");
    // The stylesheet is adopted (a strict style-src blocks <style> elements, not this).
    assert!(shadow.query_selector("style").unwrap().is_none());
    let sheets = shadow.adopted_style_sheets();
    assert_eq!(sheets.length(), 1);
    let sheet: web_sys::CssStyleSheet = sheets.get(0).unchecked_into();
    assert!(sheet.css_rules().unwrap().length() > 100);
    let inner: Element = shadow.query_selector(".nl-embed").unwrap().unwrap();
    assert_eq!(texts(&inner, ".nl-cert-subject"), SUBJECTS);
    // Nothing rendered into the light DOM, and the page heading is left out when embedded.
    assert!(host.query_selector(".nl-cert-card").unwrap().is_none());
    assert!(inner.query_selector("h1").unwrap().is_none());

    // A second element adopts the same sheet object (parsed once per module).
    let other = fresh_root();
    let mut second = netlens_web::embed::mount_decoder(other.clone(), None, false).unwrap();
    let again = other.shadow_root().unwrap().adopted_style_sheets().get(0);
    assert!(js_sys::Object::is(&again, &sheets.get(0)));
    second.destroy();

    mounted.destroy();
    mounted.destroy(); // idempotent
    assert_eq!(shadow.child_element_count(), 0);
}

#[wasm_bindgen_test]
async fn app_mode_renders_into_the_page_with_its_heading() {
    let host = fresh_root();
    let mut mounted = netlens_web::embed::mount_decoder(host.clone(), None, true).unwrap();
    yew::scheduler::flush().await;
    assert!(host.shadow_root().is_none());
    assert_eq!(texts(&host, "h1"), ["Certificate decoder"]);
    mounted.destroy();
    assert_eq!(host.child_element_count(), 0);
}

fn get(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

#[wasm_bindgen_test]
fn js_api_returns_plain_objects() {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"source".into(), &"chain.pem".into()).unwrap();
    js_sys::Reflect::set(&options, &"at".into(), &"2026-06-01T00:00:00Z".into()).unwrap();
    let report = netlens_web::api::decode_certificates(CHAIN.into(), options.into()).unwrap();
    assert!(report.is_object() && !report.is_instance_of::<js_sys::Map>());
    assert_eq!(get(&report, "decoded_at"), "2026-06-01T00:00:00Z");
    let certs: js_sys::Array = get(&report, "certificates").unchecked_into();
    assert_eq!(certs.length(), 3);
    let leaf = certs.get(0);
    assert_eq!(get(&get(&leaf, "subject"), "rfc4514"), SUBJECTS[0]);
    assert_eq!(get(&get(&leaf, "location"), "source"), "chain.pem");
    assert_eq!(
        get(&get(&leaf, "validity"), "relative"),
        "expires in 245 days"
    );
    assert_eq!(get(&leaf, "sct_count").as_f64(), Some(3.0));

    // Bytes work too; bad input is reported, not thrown; bad arguments throw.
    let bytes = js_sys::Uint8Array::from(b"junk".as_slice());
    let report = netlens_web::api::decode_certificates(bytes.into(), JsValue::UNDEFINED).unwrap();
    let problems: js_sys::Array = get(&report, "problems").unchecked_into();
    assert_eq!(get(&problems.get(0), "code"), "nothing-recognised");
    assert!(netlens_web::api::decode_certificates(JsValue::from(42), JsValue::UNDEFINED).is_err());
}

fn click(root: &Element, selector: &str, nth: usize) {
    let nodes = root.query_selector_all(selector).unwrap();
    let node: HtmlElement = nodes
        .get(nth as u32)
        .unwrap_or_else(|| panic!("no {selector} #{nth}"))
        .unchecked_into();
    node.click();
}

/// Waits (bounded: 5 s) until the chain analyzer shows the analysis of its current inputs, which
/// arrives asynchronously once WebCrypto has verified the signatures.
async fn analysis_settled(root: &Element) {
    for _ in 0..500 {
        yew::scheduler::flush().await;
        if root
            .query_selector(".nl-chain-results[aria-busy=\"false\"]")
            .unwrap()
            .is_some()
        {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    panic!("the chain analysis did not arrive within 5 s");
}

#[wasm_bindgen_test]
async fn chain_analyzer_renders_verdicts_findings_and_details() {
    use netlens_web::components::chain_analyzer::{ChainAnalyzer, ChainAnalyzerProps};
    let blocks: Vec<&str> = CHAIN
        .split_inclusive("-----END CERTIFICATE-----\n")
        .collect();
    let root = fresh_root();
    // Leaf and root sent, intermediate missing, validated inside the leaf's validity.
    let app = yew::Renderer::<ChainAnalyzer>::with_root_and_props(
        root.clone().into(),
        ChainAnalyzerProps {
            initial_chain: format!("{}{}", blocks[0], blocks[2]).into(),
            initial_host: "www.netlens.test".into(),
            initial_at: Some(1_780_272_000),
            embedded: false,
        },
    )
    .render();
    analysis_settled(&root).await;
    assert_eq!(texts(&root, ".nl-verdict-result"), ["FAIL", "FAIL"]);
    // The trust matrix: one row per store, none trusting a chain without its intermediate.
    assert_eq!(
        texts(&root, ".nl-trust-matrix .nl-trust-result"),
        ["no", "no", "no"]
    );
    let rules: Vec<String> = {
        let nodes = root.query_selector_all(".nl-finding").unwrap();
        (0..nodes.length())
            .filter_map(|i| nodes.get(i))
            .map(|n| {
                n.unchecked_into::<Element>()
                    .get_attribute("data-rule")
                    .unwrap()
            })
            .collect()
    };
    assert!(
        rules.contains(&"chain.missing-intermediate".to_owned()),
        "{rules:?}"
    );
    assert!(
        root.text_content()
            .unwrap()
            .contains("http://pki.netlens.test/issuing-ca-1.cer")
    );

    // A certificate's decoded details open from the diagram, and close again.
    assert!(texts(&root, ".nl-selected .nl-cert-card").is_empty());
    click(&root, ".nl-sent .nl-link-button", 1);
    yew::scheduler::flush().await;
    let card = texts(&root, ".nl-selected .nl-cert-subject");
    assert_eq!(card, [SUBJECTS[2]]);
    click(&root, ".nl-sent .nl-link-button", 1);
    yew::scheduler::flush().await;
    assert!(texts(&root, ".nl-selected .nl-cert-card").is_empty());
    app.destroy();
}

/// Registers a stand-in for the loader's verification module hook: `answer` maps the encoded
/// requests to what the hook resolves to; calls are counted.
fn install_verifier(
    calls: &std::rc::Rc<std::cell::Cell<u32>>,
    answer: fn(&[u8]) -> Result<Vec<u8>, JsValue>,
) {
    let calls = calls.clone();
    let hook = wasm_bindgen::closure::Closure::<dyn Fn(js_sys::Uint8Array) -> js_sys::Promise>::new(
        move |requests: js_sys::Uint8Array| {
            calls.set(calls.get() + 1);
            match answer(&requests.to_vec()) {
                Ok(outcomes) => js_sys::Promise::resolve(&JsValue::from(js_sys::Uint8Array::from(
                    outcomes.as_slice(),
                ))),
                Err(e) => js_sys::Promise::reject(&e),
            }
        },
    );
    netlens_web::signatures::set_signature_verifier(hook.into_js_value().unchecked_into());
}

/// The verification module itself, as the loader hands it over.
fn module_answer(requests: &[u8]) -> Result<Vec<u8>, JsValue> {
    netlens_web_verify::verify_signatures(requests).map_err(JsValue::from)
}

/// A module that did not load (offline, blocked).
fn failed_load(_: &[u8]) -> Result<Vec<u8>, JsValue> {
    Err(js_sys::Error::new("network error").into())
}

/// A report's findings: (rule, message).
fn findings_of(report: &JsValue) -> Vec<(String, String)> {
    let findings: js_sys::Array = get(report, "findings").unchecked_into();
    findings
        .iter()
        .map(|f| {
            (
                get(&f, "rule").as_string().unwrap(),
                get(&f, "message").as_string().unwrap(),
            )
        })
        .collect()
}

/// WebCrypto confirms a good chain without the verification module; a bad signature goes to the
/// module, whose answer (and reason) is the pure-Rust one; the report is the same with WebCrypto
/// off; a module that does not load is said so in the finding, never guessed.
#[wasm_bindgen_test]
async fn analysis_verifies_with_webcrypto_and_leaves_the_rest_to_the_verification_module() {
    let blocks: Vec<&str> = CHAIN
        .split_inclusive("-----END CERTIFICATE-----\n")
        .collect();
    let options = |webcrypto: bool| {
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"anchors".into(), &blocks[2].into()).unwrap();
        js_sys::Reflect::set(&options, &"host".into(), &"www.netlens.test".into()).unwrap();
        js_sys::Reflect::set(&options, &"at".into(), &"2026-06-01T00:00:00Z".into()).unwrap();
        js_sys::Reflect::set(&options, &"builtinRoots".into(), &false.into()).unwrap();
        js_sys::Reflect::set(&options, &"webcrypto".into(), &webcrypto.into()).unwrap();
        JsValue::from(options)
    };
    let analyze = |chain: JsValue, webcrypto: bool| async move {
        netlens_web::api::analyze_chain(chain, options(webcrypto))
            .await
            .unwrap()
    };
    let json = |v: &JsValue| js_sys::JSON::stringify(v).unwrap().as_string().unwrap();
    let calls = std::rc::Rc::new(std::cell::Cell::new(0));
    install_verifier(&calls, module_answer);

    let good: JsValue = format!("{}{}", blocks[0], blocks[1]).into();
    let via_webcrypto = analyze(good.clone(), true).await;
    assert_eq!(calls.get(), 0, "WebCrypto confirmed every signature");
    assert_eq!(get(&get(&via_webcrypto, "verdicts"), "apple"), "pass");
    let via_rust = analyze(good, false).await;
    assert_eq!(calls.get(), 1, "one round of the verification module");
    assert_eq!(json(&via_webcrypto), json(&via_rust));

    // The leaf's signature damaged (its last byte): WebCrypto says no, the module says why.
    let leaf = netlens_x509::input::scan(blocks[0].as_bytes(), None);
    let mut der = leaf.certificates()[0].der.clone();
    *der.last_mut().unwrap() ^= 0x01;
    let tampered = js_sys::Array::of2(
        &js_sys::Uint8Array::from(der.as_slice()).into(),
        &blocks[1].into(),
    );
    let report = analyze(tampered.clone().into(), true).await;
    assert_eq!(calls.get(), 2);
    let findings = findings_of(&report);
    assert!(
        findings
            .iter()
            .any(|(_, m)| m.contains("does not match the issuer's key")),
        "{findings:?}"
    );
    assert_eq!(
        json(&report),
        json(&analyze(tampered.clone().into(), false).await)
    );

    install_verifier(&calls, failed_load);
    let report = analyze(tampered.into(), true).await;
    let findings = findings_of(&report);
    assert!(
        findings
            .iter()
            .any(|(_, m)| m.contains("verification module did not load")),
        "{findings:?}"
    );
    install_verifier(&calls, module_answer);

    assert!(
        netlens_web::api::analyze_chain(JsValue::from(42), JsValue::UNDEFINED)
            .await
            .is_err()
    );
}

/// The web build has no NFC tables and no IANA descriptions of its own: the browser normalizes,
/// and the descriptions arrive as a file. Both give what the native build computes.
#[wasm_bindgen_test]
fn dnssd_uses_the_browsers_nfc_and_installed_descriptions() {
    netlens_web::dnssd_support::install();
    let decomposed = netlens_dnssd::check_instance("Cafe\u{301} Printer");
    assert_eq!(decomposed.nfc.as_deref(), Some("Caf\u{e9} Printer"));
    assert!(
        decomposed
            .findings
            .iter()
            .any(|f| f.rule == "instance.not-nfc")
    );
    assert_eq!(netlens_dnssd::check_instance("Caf\u{e9}").nfc, None);
    assert_eq!(
        netlens_dnssd::nfc::to_nfc("\u{1100}\u{1161}\u{212b}"),
        "\u{ac00}\u{c5}"
    );

    assert!(!netlens_dnssd::iana::has_descriptions());
    let ipp = netlens_dnssd::iana::lookup("ipp").unwrap();
    assert_eq!((ipp.name, ipp.description), ("ipp", ""));
    // In the registry copy's order, as the build writes the file.
    netlens_dnssd::iana::set_descriptions(
        "http\tWorld Wide Web HTTP\nipp\tIPP Description\n".into(),
    );
    assert_eq!(
        netlens_dnssd::iana::lookup("IPP").unwrap().description,
        "IPP Description"
    );
}
