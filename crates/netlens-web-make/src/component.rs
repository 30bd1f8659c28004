//! The test certificate maker: a test CA and identities iPhones trust, made in the page.
//!
//! The form is [`crate::state`]'s; a run is [`crate::flow::make`] (WebCrypto keys
//! and signatures, the chain analysis checking everything). The parts of the page are view
//! functions (a Yew component per part would cost wasm for nothing: they hold no state).

use std::rc::Rc;

use netlens_make::bundle::{self, FileKind};
use netlens_make::checks::Outcome;
use netlens_make::guide::{self, Section};
use netlens_make::{Fixture, KeyType, Made, Pkcs12Format, Placement, Profile, Role};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::state::{MakeAction, MakeState};
use netlens_web::components::copy_button::CopyButton;
use netlens_web::components::finding::{FindingView, finding_item};
use netlens_web::files::download_bytes;

/// Props of [`MakeTool`].
#[derive(Properties, PartialEq, Default)]
pub struct MakeToolProps {
    /// Names preset (an element's `names` attribute).
    #[prop_or_default]
    pub initial_names: AttrValue,
    /// Embedded in another page: no page heading.
    #[prop_or_default]
    pub embedded: bool,
}

type Dispatch = UseReducerDispatcher<MakeState>;

/// The test certificate maker.
#[component]
pub fn MakeTool(props: &MakeToolProps) -> Html {
    let state = use_reducer_eq(|| MakeState::new(&props.initial_names));
    use_make(&state);
    let d = state.dispatcher();
    let make = {
        let d = d.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            d.dispatch(MakeAction::Make);
        })
    };
    html! {
        <section class="nl-tool nl-make">
            if !props.embedded {
                <header class="nl-tool-head">
                    <h1>{ "Test certificates" }</h1>
                    <p class="nl-lead">{ "A test CA and a server identity your iPhone trusts, made here: Apple's recipe (QA1948, TN2326), checked by netlens before you download it." }</p>
                </header>
            }
            <form class="nl-make-form" onsubmit={make}>
                { names_field(&state, &d) }
                { key_fields(&state, &d) }
                { ca_fields(&state, &d) }
                { client_fields(&state, &d) }
                { fixture_fields(&state, &d) }
                { pkcs12_fields(&state, &d) }
                <div class="nl-input-actions">
                    <button type="submit" class="nl-button" disabled={!state.ready()}>
                        { if state.running() { "Making…" } else { "Make certificates" } }
                    </button>
                </div>
            </form>
            <p class="nl-privacy">{ "Keys are made by your browser's WebCrypto and stay in this page: nothing is uploaded, stored or logged. The root's key signs the CA and is then dropped." }</p>
            if let Some(e) = &state.error {
                <p class="nl-field-error" role="alert">{ e }</p>
            }
            if let Some(made) = state.result.clone() {
                { results(&made, state.stale, state.running()) }
            }
        </section>
    }
}

/// A run when the form asks for one.
#[hook]
fn use_make(state: &UseReducerHandle<MakeState>) {
    let state = state.clone();
    use_effect_with(state.generation, move |&generation| {
        if state.running() {
            let d = state.dispatcher();
            let request = state.request();
            let pasted = state.use_existing.then(|| crate::flow::PastedCa {
                certificates: state.ca_certificate.clone().into_bytes(),
                key: state.ca_key.clone().into_bytes(),
            });
            let password = (!state.password.is_empty()).then(|| state.password.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let at = netlens_web::clock::now_unix();
                let made =
                    crate::flow::make(request, at, pasted, Default::default(), password).await;
                d.dispatch(MakeAction::Made(generation, made.map(Rc::new)));
            });
        }
    });
}

fn input_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

fn area_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<HtmlTextAreaElement>().value()
}

fn select_value(e: &Event) -> String {
    e.target_unchecked_into::<HtmlSelectElement>().value()
}

fn on_input(
    d: &Dispatch,
    make: fn(String) -> MakeAction,
    read: fn(&InputEvent) -> String,
) -> Callback<InputEvent> {
    let d = d.clone();
    Callback::from(move |e: InputEvent| d.dispatch(make(read(&e))))
}

fn on_select(d: &Dispatch, make: fn(&str) -> Option<MakeAction>) -> Callback<Event> {
    let d = d.clone();
    Callback::from(move |e: Event| {
        if let Some(action) = make(&select_value(&e)) {
            d.dispatch(action);
        }
    })
}

fn key_options(selected: KeyType, allow_ed25519: bool) -> Html {
    html! {
        { for KeyType::GENERATED.into_iter().filter(|k| allow_ed25519 || *k != KeyType::Ed25519).map(|k| html! {
            <option value={k.id()} selected={k == selected}>
                { if k == KeyType::Ed25519 { format!("{k} (Apple clients: not offered)") } else { k.label() } }
            </option>
        }) }
    }
}

fn names_field(s: &MakeState, d: &Dispatch) -> Html {
    html! {
        <div class="nl-make-names">
            <label class="nl-label" for="nl-make-names">{ "Names clients connect to" }</label>
            <textarea id="nl-make-names" class="nl-textarea nl-textarea-small" spellcheck="false" autocomplete="off"
                placeholder="printer.local, 192.168.1.20, api.example.test (a Bonjour host without the trailing dot, an IP address, a URL)"
                value={s.names.clone()} oninput={on_input(d, MakeAction::SetNames, area_value)} />
            { match &s.check {
                Err(e) => html! { <p class="nl-field-error" role="alert">{ e }</p> },
                Ok(notes) => html! { <>{ for notes.iter().map(|n| html! { <p class="nl-hint">{ n }</p> }) }</> },
            } }
        </div>
    }
}

fn key_fields(s: &MakeState, d: &Dispatch) -> Html {
    html! {
        <div class="nl-row nl-make-row">
            <label class="nl-label">{ "Key " }
                <select class="nl-input" onchange={on_select(d, |v| KeyType::from_id(v).map(MakeAction::SetKeyType))}>{ key_options(s.key_type, true) }</select>
            </label>
            <label class="nl-label">{ "Valid for (days) " }
                <input class="nl-input nl-input-short" type="number" min="1" value={s.days.to_string()} oninput={on_input(d, MakeAction::SetDays, input_value)} />
            </label>
            <label class="nl-label">{ "Profile " }
                <select class="nl-input" onchange={on_select(d, |v| Profile::from_id(v).map(MakeAction::SetProfile))}>
                    <option value="apple" selected={s.profile == Profile::Apple}>{ "Apple (at most 825 days)" }</option>
                    <option value="any" selected={s.profile == Profile::Any}>{ "Any validity (iOS refuses over 825 days)" }</option>
                </select>
            </label>
        </div>
    }
}

fn ca_fields(s: &MakeState, d: &Dispatch) -> Html {
    let on_existing = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            d.dispatch(MakeAction::SetUseExisting(
                e.target_unchecked_into::<HtmlInputElement>().checked(),
            ))
        })
    };
    html! {
        <details class="nl-make-section">
            <summary>{ "Certificate authority" }</summary>
            <label class="nl-check">
                <input type="checkbox" checked={s.use_existing} onchange={on_existing} />
                { " Issue from a CA I have (its certificate and key; the key stays in this page)" }
            </label>
            if s.use_existing {
                <label class="nl-label" for="nl-make-ca-cert">{ "CA certificate (with the root above it, if it is an intermediate)" }</label>
                <textarea id="nl-make-ca-cert" class="nl-textarea nl-textarea-small" spellcheck="false" placeholder="-----BEGIN CERTIFICATE----- (ca.pem and root.pem)" value={s.ca_certificate.clone()} oninput={on_input(d, MakeAction::SetCaCertificate, area_value)} />
                <label class="nl-label" for="nl-make-ca-key">{ "CA private key" }</label>
                <textarea id="nl-make-ca-key" class="nl-textarea nl-textarea-small" spellcheck="false" autocomplete="off" placeholder="-----BEGIN PRIVATE KEY----- (PKCS#8, EC or RSA PEM, unencrypted)" value={s.ca_key.clone()} oninput={on_input(d, MakeAction::SetCaKey, area_value)} />
            } else {
                <label class="nl-label" for="nl-make-ca-name">{ "CA name (as Settings lists it)" }</label>
                <input id="nl-make-ca-name" class="nl-input" type="text" placeholder="netlens Test CA and 8 hex digits of its key" value={s.ca_name.clone()} oninput={on_input(d, MakeAction::SetCaName, input_value)} />
                <div class="nl-row nl-make-row">
                    <label class="nl-label">{ "CA key " }
                        <select class="nl-input" onchange={on_select(d, |v| KeyType::from_id(v).map(MakeAction::SetCaKeyType))}>{ key_options(s.ca_key_type, false) }</select>
                    </label>
                    <label class="nl-label">{ "CA valid for (days) " }
                        <input class="nl-input nl-input-short" type="number" min="1" value={s.ca_days.to_string()} oninput={on_input(d, MakeAction::SetCaDays, input_value)} />
                    </label>
                </div>
                <label class="nl-label" for="nl-make-constraints">{ "Name constraints" }</label>
                <select id="nl-make-constraints" class="nl-input" onchange={on_select(d, |v| Placement::from_id(v).map(MakeAction::SetConstraints))}>
                    <option value="intermediate" selected={s.constraints == Placement::Intermediate}>{ "On the intermediate: it may issue only for these names" }</option>
                    <option value="root" selected={s.constraints == Placement::Root}>{ "On the root too" }</option>
                    <option value="none" selected={s.constraints == Placement::None}>{ "None: the CA may issue for any name" }</option>
                </select>
                <ul class="nl-hint nl-make-support">
                    { for guide::constraint_support().into_iter().map(|(client, what)| html! { <li><strong>{ client }</strong>{ ": " }{ what }</li> }) }
                </ul>
            }
        </details>
    }
}

fn client_fields(s: &MakeState, d: &Dispatch) -> Html {
    html! {
        <details class="nl-make-section">
            <summary>{ "Client identities (mutual TLS)" }</summary>
            <label class="nl-label" for="nl-make-clients">{ "One name per line: each becomes a client certificate with clientAuth, a key, a PKCS#12 file and a profile" }</label>
            <textarea id="nl-make-clients" class="nl-textarea nl-textarea-small" spellcheck="false" placeholder="Alice's iPhone" value={s.clients.clone()} oninput={on_input(d, MakeAction::SetClients, area_value)} />
        </details>
    }
}

fn fixture_fields(s: &MakeState, d: &Dispatch) -> Html {
    html! {
        <details class="nl-make-section">
            <summary>{ "Wrong on purpose: certificates to test your app's error paths" }</summary>
            { for Fixture::ALL.iter().copied().map(|f| {
                let d = d.clone();
                let onchange = Callback::from(move |e: Event| d.dispatch(MakeAction::SetFixture(f, e.target_unchecked_into::<HtmlInputElement>().checked())));
                html! {
                    <label class="nl-check" data-fixture={f.as_str()}>
                        <input type="checkbox" checked={s.fixtures.contains(&f)} {onchange} />
                        { format!(" {}: {} ", f.as_str(), f.describe()) }
                        <code class="nl-rule">{ f.finding().as_str() }</code>
                    </label>
                }
            }) }
        </details>
    }
}

fn pkcs12_fields(s: &MakeState, d: &Dispatch) -> Html {
    html! {
        <details class="nl-make-section">
            <summary>{ "PKCS#12 (.p12)" }</summary>
            <select class="nl-input" aria-label="PKCS#12 format" onchange={on_select(d, |v| Pkcs12Format::from_id(v).map(MakeAction::SetPkcs12))}>
                <option value="apple" selected={s.pkcs12 == Pkcs12Format::Apple}>{ "Apple-compatible: 3DES, HMAC-SHA1 (every Apple release imports it)" }</option>
                <option value="modern" selected={s.pkcs12 == Pkcs12Format::Modern}>{ "Modern: AES-256, HMAC-SHA256 (OpenSSL 3's default; some Apple releases refuse it)" }</option>
            </select>
            <label class="nl-label" for="nl-make-password">{ "Password (empty: netlens makes one up and shows it)" }</label>
            <input id="nl-make-password" class="nl-input" type="text" autocomplete="off" value={s.password.clone()} oninput={on_input(d, MakeAction::SetPassword, input_value)} />
        </details>
    }
}

fn outcome_item(o: &Outcome) -> Html {
    html! {
        <li class={classes!("nl-make-check", if o.passed { "nl-pass" } else { "nl-fail" })} data-fixture={o.fixture.map(|f| f.as_str())}>
            <strong class="nl-verdict-result">{ if o.passed { "OK" } else { "FAILED" } }</strong>
            { " " }{ &o.summary }
            { for o.verdicts.iter().map(|(p, v)| html! { <span class="nl-tag" data-profile={p.id()} data-verdict={v.as_str()}>{ format!("{p} {v}") }</span> }) }
            if !o.findings.is_empty() {
                <ul class="nl-finding-list">
                    { for o.findings.iter().map(|f| finding_item(FindingView {
                        rule: f.rule.as_str(),
                        severity: f.severity,
                        badge: true,
                        subject: f.certificate.map(|i| format!("#{}", i + 1)).unwrap_or_else(|| "chain".into()),
                        message: &f.message,
                        source: f.source,
                        fix: &f.fix,
                        details: html! {},
                    })) }
                </ul>
            }
        </li>
    }
}

/// Downloads file `index` of the run (read when clicked: no copy of a key is kept per render).
fn save_file(made: &Rc<Made>, index: usize) -> Callback<MouseEvent> {
    let made = made.clone();
    Callback::from(move |_: MouseEvent| {
        if let Some(f) = made.files.get(index) {
            let name = f.path.rsplit('/').next().unwrap_or(&f.path);
            download_bytes(name, &f.bytes, f.kind.content_type(&f.path));
        }
    })
}

/// Downloads everything as one zip, packed when clicked.
fn save_zip(made: &Rc<Made>) -> Callback<MouseEvent> {
    let made = made.clone();
    Callback::from(move |_: MouseEvent| {
        let zip = zeroize::Zeroizing::new(bundle::zip(&made.files, made.plan.at));
        download_bytes(&format!("{}.zip", bundle::FOLDER), &zip, "application/zip");
    })
}

fn results(made: &Rc<Made>, stale: bool, busy: bool) -> Html {
    let host = made.plan.names.first().map(ToString::to_string);
    let ctx = bundle::guide_context(&made.plan, &made.ca_label, host.as_deref());
    html! {
        <div class="nl-results nl-make-results" aria-live="polite" aria-busy={if busy { "true" } else { "false" }}>
            if stale {
                <p class="nl-hint">{ "The form changed since these were made: make them again to apply it." }</p>
            }
            <p class="nl-make-summary">
                { format!("Made by \"{}\"", made.ca_label) }
                { made.constraints().map(|c| format!(", which may issue only for {c}")).unwrap_or_default() }
                { "." }
            </p>
            <h2>{ "What netlens checked" }</h2>
            <p class="nl-muted">{ "Each certificate analysed by netlens' chain analysis, anchored on this root alone, as a test device that trusts it:" }</p>
            <ul class="nl-make-checks">{ for made.outcomes.iter().map(outcome_item) }</ul>
            if !made.all_passed() {
                <p class="nl-field-error" role="alert">{ "Not everything came out as it should (FAILED above): the files are here for you to inspect, not to deploy." }</p>
            }
            <h2>{ "Download" }</h2>
            <div class="nl-results-bar">
                <button type="button" class="nl-button" onclick={save_zip(made)}>{ "Download everything (.zip)" }</button>
            </div>
            if made.password_generated && made.files.iter().any(|f| f.kind == FileKind::Pkcs12) {
                <p class="nl-make-password">
                    { "PKCS#12 password: " }<code class="nl-mono" data-password="">{ made.password.as_str() }</code>
                    { " (made up for you; it is in no file)" }
                    <CopyButton text={made.password.to_string()} label="Copy" />
                </p>
            }
            <ul class="nl-make-files">
                { for made.files.iter().enumerate().map(|(i, f)| html! {
                    <li data-path={f.path.clone()}>
                        <button type="button" class="nl-link-button" onclick={save_file(made, i)}>{ &f.path }</button>
                        { " " }<span class="nl-muted">{ &f.description }</span>
                    </li>
                }) }
            </ul>
            <h2>{ "Next: make devices trust the root" }</h2>
            { sections(&guide::devices(&ctx)) }
            if made.plan.roles().iter().any(|(r, _)| *r == Role::Server) {
                <h2>{ "Serve the identity" }</h2>
                { sections(&guide::servers(&ctx)) }
            }
        </div>
    }
}

fn sections(list: &[Section]) -> Html {
    html! {
        { for list.iter().map(|s| html! {
            <details class="nl-make-section" data-guide={s.id}>
                <summary>{ s.title }</summary>
                <ol>
                    { for s.steps.iter().map(|st| html! {
                        <li>
                            if !st.text.is_empty() { <p>{ &st.text }</p> }
                            if let Some(code) = &st.code {
                                <pre class="nl-code" tabindex="0">{ code }</pre>
                                <CopyButton text={code.clone()} label="Copy" />
                            }
                        </li>
                    }) }
                </ol>
            </details>
        }) }
    }
}
