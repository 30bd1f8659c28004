//! `makeCertificates(options)`: the maker as a JS API, for scripts and tests; the same run as
//! the page ([`crate::flow::make`]).

use std::collections::BTreeMap;

use netlens_make::Role;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

fn error(message: &str) -> js_sys::Error {
    js_sys::TypeError::new(&format!("makeCertificates: {message}")).into()
}

/// What the options hold besides the request.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Extras {
    password: Option<String>,
    keys: Keys,
    ca_certificate: Option<String>,
    ca_key: Option<String>,
}

/// Private keys to use instead of new ones (PEM).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Keys {
    root: Option<String>,
    ca: Option<String>,
    server: Option<String>,
    clients: Vec<String>,
}

impl Keys {
    fn by_role(self) -> BTreeMap<Role, Vec<u8>> {
        let mut out = BTreeMap::new();
        for (role, pem) in [
            (Role::Root, self.root),
            (Role::Ca, self.ca),
            (Role::Server, self.server),
        ] {
            if let Some(pem) = pem {
                out.insert(role, pem.into_bytes());
            }
        }
        for (i, pem) in self.clients.into_iter().enumerate() {
            out.insert(Role::Client(i), pem.into_bytes());
        }
        out
    }
}

/// The moment of issue from `options.at`: a `Date`, Unix seconds, an RFC 3339 string, or now.
fn moment(at: &JsValue) -> Result<i64, js_sys::Error> {
    if at.is_undefined() || at.is_null() {
        Ok(netlens_web::clock::now_unix())
    } else if let Some(date) = wasm_bindgen::JsCast::dyn_ref::<js_sys::Date>(at) {
        Ok((date.get_time() / 1000.0).floor() as i64)
    } else if let Some(seconds) = at.as_f64() {
        Ok(seconds.floor() as i64)
    } else {
        at.as_string()
            .and_then(|t| netlens_x509::time::parse_moment(&t))
            .ok_or_else(|| error("options.at must be a Date, Unix seconds or an RFC 3339 string"))
    }
}

#[derive(Serialize)]
struct MadeFile<'a> {
    path: &'a str,
    kind: netlens_make::bundle::FileKind,
    description: &'a str,
}

#[derive(Serialize)]
struct MadeReport<'a> {
    ca: &'a str,
    names: Vec<String>,
    notes: &'a [String],
    constraints: Option<String>,
    checks: &'a [netlens_make::checks::Outcome],
    passed: bool,
    password: Option<&'a str>,
    files: Vec<MadeFile<'a>>,
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, &key.into(), value);
}

/// Makes a test CA and identities, as the page does (WebCrypto keys and signatures, netlens'
/// chain analysis checking them); resolves to `{ ca, names, notes, constraints, checks,
/// passed, password (when made up), files: [{ path, kind, description, bytes: Uint8Array }],
/// zip: Uint8Array, toBeSigned: [{ certificate, tbs: Uint8Array }] }`.
///
/// `options`: the request (`names`: an array, or a string of names; `keyType`, `caKeyType`,
/// `days`, `caDays`, `caName`, `constraints`, `clients`, `fixtures`, `profile`, `pkcs12`, as
/// `netlens make`'s options), and `password`, `at` (the moment of issue: a Date, Unix seconds or
/// RFC 3339), `keys` (`{ root, ca, server, clients: [] }`, PEM: keys to use instead of new
/// ones), `caCertificate` and `caKey` (PEM: issue from that CA). Rejects with a sentence on bad
/// input.
pub async fn make_certificates(options: JsValue) -> Result<JsValue, js_sys::Error> {
    let options = if options.is_object() {
        options
    } else {
        js_sys::Object::new().into()
    };
    let source: JsValue = js_sys::Object::assign(
        &js_sys::Object::new(),
        wasm_bindgen::JsCast::unchecked_ref(&options),
    )
    .into();
    if let Some(names) = js_sys::Reflect::get(&options, &"names".into())
        .ok()
        .and_then(|n| n.as_string())
    {
        let list: js_sys::Array = netlens_make::names::split(&names)
            .iter()
            .map(|n| JsValue::from_str(n))
            .collect();
        set(&source, "names", &list);
    }
    let at = moment(&js_sys::Reflect::get(&options, &"at".into()).unwrap_or(JsValue::UNDEFINED))?;
    // `at` is read above; it must not trip the request's fields.
    set(&source, "at", &JsValue::UNDEFINED);
    let request: netlens_make::Request =
        serde_wasm_bindgen::from_value(source.clone()).map_err(|e| error(&e.to_string()))?;
    let extras: Extras =
        serde_wasm_bindgen::from_value(source).map_err(|e| error(&e.to_string()))?;
    let pasted = match (extras.ca_certificate, extras.ca_key) {
        (Some(certificates), Some(key)) => Some(crate::flow::PastedCa {
            certificates: certificates.into_bytes(),
            key: key.into_bytes(),
        }),
        (None, None) => None,
        _ => return Err(error("options.caCertificate and options.caKey go together")),
    };
    let made = crate::flow::make(request, at, pasted, extras.keys.by_role(), extras.password)
        .await
        .map_err(|e| js_sys::Error::new(&e))?;
    let report = MadeReport {
        ca: &made.ca_label,
        names: made.plan.names.iter().map(ToString::to_string).collect(),
        notes: &made.plan.notes,
        constraints: made.constraints(),
        checks: &made.outcomes,
        passed: made.all_passed(),
        password: made.password_generated.then_some(made.password.as_str()),
        files: made
            .files
            .iter()
            .map(|f| MadeFile {
                path: &f.path,
                kind: f.kind,
                description: &f.description,
            })
            .collect(),
    };
    let out = report
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_sys::Error::new(&e.to_string()))?;
    // Bytes as Uint8Array (serde would make arrays of numbers).
    let files = js_sys::Reflect::get(&out, &"files".into()).unwrap_or(JsValue::UNDEFINED);
    for (i, f) in made.files.iter().enumerate() {
        let entry = js_sys::Reflect::get(&files, &JsValue::from_f64(i as f64))
            .unwrap_or(JsValue::UNDEFINED);
        set(
            &entry,
            "bytes",
            &js_sys::Uint8Array::from(f.bytes.as_slice()).into(),
        );
    }
    let zip = netlens_make::bundle::zip(&made.files, made.plan.at);
    set(
        &out,
        "zip",
        &js_sys::Uint8Array::from(zip.as_slice()).into(),
    );
    let tbs = js_sys::Array::new();
    for item in &made.to_sign {
        let entry: JsValue = js_sys::Object::new().into();
        let id = item
            .id
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| js_sys::Error::new(&e.to_string()))?;
        set(&entry, "certificate", &id);
        set(
            &entry,
            "tbs",
            &js_sys::Uint8Array::from(item.tbs.as_slice()).into(),
        );
        tbs.push(&entry);
    }
    set(&out, "toBeSigned", &tbs);
    Ok(out)
}
