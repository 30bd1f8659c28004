//! The JS API: the same analysis as the UI and the CLI, returning plain JS objects.
//!
//! ```js
//! import { decodeCertificates } from './netlens-embed.js';
//! const report = await decodeCertificates(pemText, { source: 'chain.pem' });
//! report.certificates[0].subject.rfc4514;   // "CN=www.example.com"
//! report.problems;                          // [{ code, severity, message, location }]
//! ```
//!
//! Objects follow the JSON schema of `netlens decode --json` (snake_case keys). Bad arguments
//! throw `Error`; bad *input* never throws, it is reported in `problems`.
//!
//! These are plain functions: each tool module (`netlens-web-decoder`, `-chain`, `-dnssd`)
//! exports its own with `#[wasm_bindgen]`, because an export in this shared crate would be linked
//! into every tool module, and with it everything it calls.

use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::clock;

fn type_error(message: &str) -> js_sys::Error {
    js_sys::TypeError::new(message).into()
}

/// Bytes from a string, a `Uint8Array` or an `ArrayBuffer`.
fn input_bytes(input: &JsValue) -> Result<Vec<u8>, js_sys::Error> {
    if let Some(text) = input.as_string() {
        Ok(text.into_bytes())
    } else if let Some(array) = input.dyn_ref::<js_sys::Uint8Array>() {
        Ok(array.to_vec())
    } else if let Some(buffer) = input.dyn_ref::<js_sys::ArrayBuffer>() {
        Ok(js_sys::Uint8Array::new(buffer).to_vec())
    } else {
        Err(type_error(
            "netlens: input must be a string, a Uint8Array or an ArrayBuffer (or an array of them)",
        ))
    }
}

fn option(options: &JsValue, key: &str) -> JsValue {
    if options.is_object() {
        js_sys::Reflect::get(options, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// The validation moment from `options.at`: a `Date`, Unix seconds, or an RFC 3339 string.
fn moment(at: &JsValue) -> Result<i64, js_sys::Error> {
    if at.is_undefined() || at.is_null() {
        Ok(clock::now_unix())
    } else if let Some(date) = at.dyn_ref::<js_sys::Date>() {
        Ok((date.get_time() / 1000.0).floor() as i64)
    } else if let Some(seconds) = at.as_f64() {
        Ok(seconds.floor() as i64)
    } else if let Some(text) = at.as_string() {
        netlens_x509::time::parse_moment(&text).ok_or_else(|| {
            type_error(&format!(
                "decodeCertificates: options.at {text:?} is not a time (RFC 3339, a date or Unix seconds)"
            ))
        })
    } else {
        Err(type_error(
            "decodeCertificates: options.at must be a Date, Unix seconds or an RFC 3339 string",
        ))
    }
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, js_sys::Error> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_sys::Error::new(&e.to_string()))
}

/// Decodes certificates from `input` (string, `Uint8Array` or `ArrayBuffer`).
///
/// `options` (optional): `{ source?: string, at?: Date | number | string }`; `source` names the
/// input in problem locations, `at` is the moment validity is judged against (default now).
pub fn decode_certificates(input: JsValue, options: JsValue) -> Result<JsValue, js_sys::Error> {
    let bytes = input_bytes(&input)?;
    let source = option(&options, "source").as_string();
    let now = moment(&option(&options, "at"))?;
    let report = netlens_x509::decode(&bytes, source.as_deref(), now);
    to_js(&report)
}

fn add_each(value: &JsValue, mut add: impl FnMut(&[u8])) -> Result<(), js_sys::Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(());
    }
    if js_sys::Array::is_array(value) {
        for item in js_sys::Array::from(value).iter() {
            add(&input_bytes(&item)?);
        }
        Ok(())
    } else {
        add(&input_bytes(value)?);
        Ok(())
    }
}

fn chain_analyzer(
    input: &JsValue,
    options: &JsValue,
) -> Result<netlens_chain::Analyzer, js_sys::Error> {
    let mut opts = netlens_chain::Options::at(moment(&option(options, "at"))?);
    if let Some(host) = option(options, "host").as_string()
        && !host.trim().is_empty()
    {
        opts.host = Some(
            netlens_chain::names::parse_host(&host)
                .map_err(|e| type_error(&format!("analyzeChain: options.host: {e}")))?,
        );
    }
    if let Some(b) = option(options, "builtinRoots").as_bool() {
        opts.builtin_roots = b;
    }
    if let Some(id) = option(options, "store").as_string() {
        opts.strict_store = netlens_chain::StoreId::parse(&id).ok_or_else(|| {
            type_error(&format!(
                "analyzeChain: options.store {id:?} is not a store (apple, mozilla or chrome)"
            ))
        })?;
    }
    opts.anchors_are_public = option(options, "anchorsArePublic")
        .as_bool()
        .unwrap_or(false);
    if let Some(purpose) = option(options, "purpose").as_string() {
        opts.purpose = match purpose.as_str() {
            "server" => netlens_chain::Purpose::ServerAuth,
            "client" => netlens_chain::Purpose::ClientAuth,
            other => {
                return Err(type_error(&format!(
                    "analyzeChain: options.purpose {other:?} is not a purpose (server or client)"
                )));
            }
        };
    }
    let mut analyzer = netlens_chain::Analyzer::new(opts);
    add_each(input, |bytes| analyzer.add_chain(bytes, None))?;
    add_each(&option(options, "anchors"), |bytes| {
        analyzer.add_anchors(bytes, Some("anchors"))
    })?;
    let list = option(options, "ctLogList");
    if !list.is_undefined() && !list.is_null() {
        analyzer
            .set_ct_log_list(&input_bytes(&list)?)
            .map_err(|e| type_error(&format!("analyzeChain: options.ctLogList: {e}")))?;
    }
    Ok(analyzer)
}

/// Analyzes a certificate chain (string, `Uint8Array`, `ArrayBuffer`, or an array of those);
/// resolves to the report of `netlens chain --json`.
///
/// `options` (optional): `{ host?: string, at?: Date | number | string, anchors?: input or array
/// of inputs, builtinRoots?: boolean (default true), store?: "mozilla" | "chrome" | "apple" (the
/// store the rfc5280 verdict anchors on), anchorsArePublic?: boolean, purpose?: "server" |
/// "client" (what the leaf is for; default "server"), password?: string (opens PKCS#12 inputs:
/// their certificates are analyzed, their key never leaves the call), ctLogList?: string | Uint8Array (in place
/// of the compiled-in Apple CT log list), webcrypto?: boolean (default true; false verifies every signature in pure Rust,
/// for comparisons and benchmarks) }`. Signatures are verified as [`crate::signatures`] says;
/// the built-in stores are fetched first when they are used and not loaded yet (a failure
/// rejects with a sentence: without them every store would seem to distrust the chain).
pub async fn analyze_chain(input: JsValue, options: JsValue) -> Result<JsValue, js_sys::Error> {
    let webcrypto = option(&options, "webcrypto").as_bool().unwrap_or(true);
    if option(&options, "builtinRoots").as_bool().unwrap_or(true) {
        crate::trust_stores::ensure()
            .await
            .map_err(|why| js_sys::Error::new(&format!("analyzeChain: {why}")))?;
    }
    let input = open_pkcs12_inputs(input, &options).await?;
    to_js(&crate::signatures::analyze(chain_analyzer(&input, &options)?, webcrypto).await)
}

/// `input` with each PKCS#12 file replaced by its certificates, opened with `options.password`
/// in the PKCS#12 module (the password is used for that and dropped). Without a password a
/// PKCS#12 input is left as it is, and the report says it needs one.
async fn open_pkcs12_inputs(input: JsValue, options: &JsValue) -> Result<JsValue, js_sys::Error> {
    let Some(password) = option(options, "password").as_string() else {
        return Ok(input);
    };
    let mut items = Vec::new();
    add_each(&input, |bytes| items.push(bytes.to_vec()))?;
    let out = js_sys::Array::new();
    for bytes in items {
        if crate::state::pkcs12::is_pkcs12(&bytes) {
            let opened = crate::pkcs12::open(&bytes, &password)
                .await
                .map_err(|why| type_error(&format!("analyzeChain: the PKCS#12 input: {why}")))?;
            for der in &opened.certificates {
                out.push(&js_sys::Uint8Array::from(der.as_slice()));
            }
        } else {
            out.push(&js_sys::Uint8Array::from(bytes.as_slice()));
        }
    }
    Ok(out.into())
}

/// The chain page's own analysis, for `make bench`: `chain` and `anchors` pasted into the page
/// with `host` and validation moment `at` (Unix seconds), the built-in stores on (the page's
/// default), analyzed as the page does (its state, then [`crate::signatures::analyze`]) up to the report object
/// the page renders, without rendering it. Resolves to the apple verdict, so nothing large
/// crosses into JS.
pub async fn page_analysis(chain: String, anchors: String, host: String, at: f64) -> String {
    if let Err(why) = crate::trust_stores::ensure().await {
        return why;
    }
    let mut state = crate::state::chain::ChainState::new(&chain, &host, Some(at as i64));
    state = (*yew::Reducible::reduce(
        std::rc::Rc::new(state),
        crate::state::chain::ChainAction::SetAnchorText(anchors),
    ))
    .clone();
    match state.analyzer(at as i64) {
        Some(analyzer) => {
            let analysis = std::rc::Rc::new(crate::signatures::analyze(analyzer, true).await);
            let state = yew::Reducible::reduce(
                std::rc::Rc::new(state.clone()),
                crate::state::chain::ChainAction::Analyzed(state.generation, analysis),
            );
            state
                .analysis
                .as_ref()
                .and_then(|a| a.verdicts.get(&netlens_chain::Profile::Apple))
                .map(ToString::to_string)
                .unwrap_or_default()
        }
        None => String::new(),
    }
}

/// The rule catalog, as an array of rule objects.
pub fn rule_catalog() -> Result<JsValue, js_sys::Error> {
    to_js(&netlens_chain::RULES)
}

/// Checks a DNS-SD service type (`_ipp._tcp`, `_printer._sub._http._tcp`, `_http._tcp,_printer`);
/// the report of `netlens dnssd type --json`.
pub fn check_service_type(service_type: &str) -> Result<JsValue, js_sys::Error> {
    crate::dnssd_support::install();
    to_js(&netlens_dnssd::check_type(service_type))
}

/// Checks a DNS-SD instance name (plain text); the report of `netlens dnssd instance --json`.
pub fn check_instance_name(name: &str) -> Result<JsValue, js_sys::Error> {
    crate::dnssd_support::install();
    to_js(&netlens_dnssd::check_instance(name))
}

/// Checks a full service instance name (`My\032Printer._ipp._tcp.local.`); the report of
/// `netlens dnssd name --json`.
pub fn check_service_name(name: &str) -> Result<JsValue, js_sys::Error> {
    crate::dnssd_support::install();
    to_js(&netlens_dnssd::check_name(name))
}

/// Parses and checks a TXT record; the report of `netlens dnssd txt --json`.
///
/// `options` (optional): `{ format?: "auto" | "kv" | "hex" | "base64" | "dns-sd" | "dns-sd-zone" |
/// "avahi" | "avahi-rp" | "dig" | "zeroconf", instance?: string, type?: string, port?: number }` (the last
/// three fill in the generated commands and code).
pub fn check_txt_record(input: &str, options: JsValue) -> Result<JsValue, js_sys::Error> {
    crate::dnssd_support::install();
    let format = match option(&options, "format").as_string().as_deref() {
        None | Some("auto") => None,
        Some(id) => Some(netlens_dnssd::Format::from_id(id).ok_or_else(|| {
            type_error(&format!(
                "checkTxtRecord: options.format {id:?} is not a format netlens reads"
            ))
        })?),
    };
    let mut context = netlens_dnssd::ServiceContext::default();
    if let Some(instance) = option(&options, "instance").as_string() {
        context.instance = instance;
    }
    if let Some(service_type) = option(&options, "type").as_string() {
        context.service_type = service_type;
    }
    if let Some(port) = option(&options, "port").as_f64() {
        context.port = u16::try_from(port as i64)
            .map_err(|_| type_error("checkTxtRecord: options.port is not a port"))?;
    }
    to_js(&netlens_dnssd::check_txt(input, format, &context))
}

/// Checks an Info.plist NSBonjourServices list against the service types an app uses;
/// `multipeer` is the Multipeer Connectivity service type, if any.
pub fn check_bonjour_services(
    plist: &str,
    used_types: Vec<String>,
    multipeer: Option<String>,
) -> Result<JsValue, js_sys::Error> {
    crate::dnssd_support::install();
    to_js(&netlens_dnssd::apple::check_plist(
        plist.as_bytes(),
        &used_types,
        multipeer.as_deref(),
        "",
    ))
}

/// Explains a DNS-SD / NSNetService error code (`-65555`), or `null`.
pub fn explain_dnssd_error(code: f64) -> Result<JsValue, js_sys::Error> {
    match netlens_dnssd::apple::explain_error(code as i64) {
        Some(e) => to_js(e),
        None => Ok(JsValue::NULL),
    }
}

/// The DNS-SD rule catalog.
pub fn dnssd_rule_catalog() -> Result<JsValue, js_sys::Error> {
    to_js(&netlens_dnssd::catalog::RULES)
}

/// The netlens version of this build (every tool module exports it).
#[wasm_bindgen(js_name = netlensVersion)]
pub fn netlens_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
