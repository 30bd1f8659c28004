//! The certificate chain analysis tool.

use std::rc::Rc;
use std::sync::Arc;

use netlens_chain::report::{Role, SignatureState};
use netlens_chain::{Analysis, Finding, Severity, StoreId};
use netlens_x509::CertificateDetails;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::cert_card::CertCard;
use crate::components::cert_decoder::{CERT_FILES, EXAMPLE_CHAIN};
use crate::components::copy_button::CopyButton;
use crate::components::finding::{FindingView, finding_item};
use crate::components::inputs::{DropZone, FileChips, FilePicker, PasteArea, set_text};
use crate::components::pkcs12::pkcs12_panel;
use crate::files::download;
use crate::state::chain::{ChainAction, ChainState};

/// Props of [`ChainAnalyzer`].
#[derive(Properties, PartialEq, Default)]
pub struct ChainAnalyzerProps {
    /// Chain text analyzed when the tool appears.
    #[prop_or_default]
    pub initial_chain: AttrValue,
    /// Host name preset.
    #[prop_or_default]
    pub initial_host: AttrValue,
    /// Validation moment preset (Unix seconds); none means now.
    #[prop_or_default]
    pub initial_at: Option<i64>,
    /// Embedded in another page: no page heading.
    #[prop_or_default]
    pub embedded: bool,
}

/// The demo chain's blocks: leaf, intermediate, root.
fn demo_block(i: usize) -> String {
    EXAMPLE_CHAIN
        .split_inclusive("-----END CERTIFICATE-----\n")
        .nth(i)
        .unwrap_or_default()
        .to_owned()
}

/// 2026-06-01T00:00:00Z: examples validate at a fixed moment inside the demo leaf's validity.
const EXAMPLE_AT: i64 = 1_780_272_000;

fn datetime_value(at: Option<i64>) -> String {
    at.map(|t| netlens_x509::time::rfc3339_from_unix(t)[..16].to_owned())
        .unwrap_or_default()
}

/// The chain analysis tool.
#[component]
pub fn ChainAnalyzer(props: &ChainAnalyzerProps) -> Html {
    let state = use_reducer(|| {
        ChainState::new(&props.initial_chain, &props.initial_host, props.initial_at)
    });
    let chain_area = use_node_ref();
    let anchor_area = use_node_ref();
    use_analysis(&state);
    let log_list_files: Vec<crate::files::LoadedFile> = state
        .log_list
        .iter()
        .map(|(name, bytes)| crate::files::LoadedFile {
            name: name.clone(),
            size: bytes.len(),
            bytes: Some(bytes.clone()),
        })
        .collect();

    html! {
        <section class="nl-tool nl-chain">
            if !props.embedded {
                <header class="nl-tool-head">
                    <h1>{ "Certificate chain analysis" }</h1>
                    <p class="nl-lead">{ "Paste or drop the chain your server sends: will iOS, macOS and strict TLS clients trust it, and if not, exactly why?" }</p>
                </header>
            }
            <div class="nl-chain-inputs">
                { chain_input(&props.initial_chain, &state.chain_files, &chain_area, &anchor_area, &state.dispatcher()) }
                { pkcs12_panel(&state.pkcs12, &{
                    let d = state.dispatcher();
                    Callback::from(move |(name, result)| d.dispatch(ChainAction::Pkcs12Opened(name, result)))
                }) }
                { options_panel(&state, log_list_files, &anchor_area, &state.dispatcher()) }
            </div>
            <p class="nl-privacy">{ "Analyzed in your browser: no certificate leaves this device, and nothing is fetched (no AIA, OCSP or CRL downloads)." }</p>
            if let Some(e) = &state.stores_error {
                <p class="nl-field-error" role="alert">{ e }</p>
            }
            if let Some(analysis) = state.analysis.clone() {
                <Results
                    {analysis}
                    busy={state.pending()}
                    selected={state.selected.and_then(|i| state.analysis.as_ref()?.certificates.get(i).map(|c| (i, c.clone())))}
                    dispatcher={state.dispatcher()}
                />
            }
        </section>
    }
}

/// Every change of input: analyze, WebCrypto verifying the signatures (see `state::chain`).
#[hook]
fn use_analysis(state: &UseReducerHandle<ChainState>) {
    let state = state.clone();
    let d = state.dispatcher();
    use_effect_with(state.generation, move |&generation| {
        if state.pending() {
            wasm_bindgen_futures::spawn_local(async move {
                // The built-in stores are fetched by the first analysis that uses them.
                if state.builtin_roots
                    && let Err(why) = crate::trust_stores::ensure().await
                {
                    d.dispatch(ChainAction::StoresUnavailable(generation, why));
                    return;
                }
                if let Some(analyzer) = state.analyzer(crate::clock::now_unix()) {
                    let analysis = crate::signatures::analyze(analyzer, true).await;
                    d.dispatch(ChainAction::Analyzed(generation, Rc::new(analysis)));
                }
            });
        }
    });
}

type Dispatch = UseReducerDispatcher<ChainState>;

/// The chain the server sends: paste area, files, examples and Clear.
fn chain_input(
    initial: &AttrValue,
    files: &[crate::files::LoadedFile],
    chain_area: &NodeRef,
    anchor_area: &NodeRef,
    dispatch: &Dispatch,
) -> Html {
    let d = dispatch.clone();
    let on_files = {
        let d = d.clone();
        Callback::from(move |f| d.dispatch(ChainAction::AddChainFiles(f)))
    };
    let on_text = {
        let d = d.clone();
        Callback::from(move |t: String| d.dispatch(ChainAction::SetChainText(t)))
    };
    let example = |chain: String, anchors: String| {
        let d = d.clone();
        let (chain_area, anchor_area) = (chain_area.clone(), anchor_area.clone());
        Callback::from(move |_: MouseEvent| {
            set_text(&chain_area, &chain);
            set_text(&anchor_area, &anchors);
            d.dispatch(ChainAction::SetAt(Some(EXAMPLE_AT)));
            d.dispatch(ChainAction::Example {
                chain: chain.clone(),
                anchors: anchors.clone(),
                host: "www.netlens.test".into(),
            });
        })
    };
    let clear = {
        let d = d.clone();
        let (chain_area, anchor_area) = (chain_area.clone(), anchor_area.clone());
        Callback::from(move |_: MouseEvent| {
            set_text(&chain_area, "");
            set_text(&anchor_area, "");
            d.dispatch(ChainAction::Clear);
        })
    };
    let remove = {
        let d = d.clone();
        Callback::from(move |i| d.dispatch(ChainAction::RemoveChainFile(i)))
    };
    html! {
        <DropZone on_files={on_files.clone()}>
            <label class="nl-label" for="nl-chain-input">{ "Chain the server sends" }</label>
            <PasteArea
                id="nl-chain-input"
                textarea={chain_area.clone()}
                initial={initial.clone()}
                {on_text}
                placeholder="Paste the chain: PEM blocks in any order (openssl s_client -showcerts output works as is), or drop .pem .crt .cer .der .p7b .p12 files here; CRLs, the OCSP response and the SCT list the server sends can go here too"
            />
            <div class="nl-input-actions">
                <FilePicker label="Choose files…" accept={CHAIN_FILES} aria_label="Chain files" {on_files} />
                <button type="button" class="nl-button nl-button-quiet" onclick={example(demo_block(0), demo_block(2))}>{ "Example: missing intermediate" }</button>
                <button type="button" class="nl-button nl-button-quiet" onclick={example(format!("{}{}", demo_block(0), demo_block(1)), demo_block(2))}>{ "Example: complete chain" }</button>
                <button type="button" class="nl-button nl-button-quiet" onclick={clear}>{ "Clear" }</button>
            </div>
            <FileChips files={files.to_vec()} on_remove={remove} />
        </DropZone>
    }
}

/// What the chain input takes: certificates, PKCS#12 identities, OCSP responses.
const CHAIN_FILES: &str = ".pem,.crt,.cer,.der,.p7b,.p7c,.txt,.p12,.pfx,.ocsp,.resp";

/// Whether the checkbox an event comes from is checked.
fn checked(e: &Event) -> bool {
    e.target_unchecked_into::<HtmlInputElement>().checked()
}

/// What the analysis is asked: host, moment, stores, the user's anchors and the CT log list
/// (a view function: a Yew component costs about 0.7 KiB of gzipped wasm, and this part
/// re-renders with the tool anyway).
fn options_panel(
    state: &ChainState,
    log_list_files: Vec<crate::files::LoadedFile>,
    anchor_area: &NodeRef,
    dispatch: &Dispatch,
) -> Html {
    let d = dispatch;
    let on = |make: fn(Event) -> Option<ChainAction>| {
        let d = d.clone();
        Callback::from(move |e: Event| {
            if let Some(action) = make(e) {
                d.dispatch(action);
            }
        })
    };
    let on_host = {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            d.dispatch(ChainAction::SetHost(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let on_at = on(|e| {
        let value = e.target_unchecked_into::<HtmlInputElement>().value();
        Some(ChainAction::SetAt(netlens_x509::time::parse_moment(
            &format!("{value}:00Z"),
        )))
    });
    let now = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(ChainAction::SetAt(None)))
    };
    let on_builtin = on(|e| Some(ChainAction::SetBuiltinRoots(checked(&e))));
    let on_public = on(|e| Some(ChainAction::SetAnchorsPublic(checked(&e))));
    let on_purpose = on(|e| {
        let value = e
            .target_unchecked_into::<web_sys::HtmlSelectElement>()
            .value();
        Some(ChainAction::SetPurpose(if value == "client" {
            netlens_chain::Purpose::ClientAuth
        } else {
            netlens_chain::Purpose::ServerAuth
        }))
    });
    let on_store = on(|e| {
        let value = e
            .target_unchecked_into::<web_sys::HtmlSelectElement>()
            .value();
        StoreId::parse(&value).map(ChainAction::SetStrictStore)
    });
    let on_anchor_files = {
        let d = d.clone();
        Callback::from(move |f| d.dispatch(ChainAction::AddAnchorFiles(f)))
    };
    let on_anchor_text = {
        let d = d.clone();
        Callback::from(move |t: String| d.dispatch(ChainAction::SetAnchorText(t)))
    };
    let remove_anchor = {
        let d = d.clone();
        Callback::from(move |i| d.dispatch(ChainAction::RemoveAnchorFile(i)))
    };
    let on_log_list = {
        let d = d.clone();
        Callback::from(move |mut f: Vec<crate::files::LoadedFile>| {
            if let Some(file) = f.pop() {
                let bytes = file.bytes.unwrap_or_default();
                d.dispatch(ChainAction::SetLogList(Some((file.name, bytes))));
            }
        })
    };
    let remove_log_list = {
        let d = d.clone();
        Callback::from(move |_: usize| d.dispatch(ChainAction::SetLogList(None)))
    };
    html! {
        <div class="nl-options">
            <label class="nl-label" for="nl-chain-host">{ "Host clients connect to" }</label>
            <input id="nl-chain-host" class="nl-input" type="text" placeholder="www.example.com (or an IP address, or a URL)" value={state.host.clone()} oninput={on_host} />
            if let Some(e) = &state.host_error {
                <p class="nl-field-error" role="alert">{ e.clone() }</p>
            }
            <label class="nl-label" for="nl-chain-at">{ "Validate at (UTC)" }</label>
            <div class="nl-row">
                <input id="nl-chain-at" class="nl-input" type="datetime-local" value={datetime_value(state.at)} onchange={on_at} />
                <button type="button" class="nl-button nl-button-small" onclick={now}>{ "Now" }</button>
            </div>
            <label class="nl-check">
                <input type="checkbox" checked={state.builtin_roots} onchange={on_builtin} />
                { format!(
                    " Trust the built-in root stores (Apple {}, Mozilla {}, Chrome {} roots)",
                    StoreId::Apple.info().roots,
                    StoreId::Mozilla.info().roots,
                    StoreId::Chrome.info().roots,
                ) }
            </label>
            <label class="nl-label" for="nl-chain-purpose">{ "The leaf is" }</label>
            <select id="nl-chain-purpose" class="nl-input" onchange={on_purpose}>
                <option value="server" selected={state.purpose == netlens_chain::Purpose::ServerAuth}>{ "a TLS server certificate" }</option>
                <option value="client" selected={state.purpose == netlens_chain::Purpose::ClientAuth}>{ "a TLS client certificate (mutual TLS)" }</option>
            </select>
            <label class="nl-label" for="nl-chain-store">{ "Strict verdict anchored on" }</label>
            <select id="nl-chain-store" class="nl-input" onchange={on_store}>
                { for [StoreId::Mozilla, StoreId::Chrome, StoreId::Apple].into_iter().map(|s| html! {
                    <option value={s.id()} selected={state.strict_store == s}>
                        { format!("{} {}", s.info().title(), s.info().version) }
                    </option>
                }) }
            </select>
            <DropZone on_files={on_anchor_files.clone()} class="nl-anchors">
                <label class="nl-label" for="nl-chain-anchors">{ "Your trust anchors (optional)" }</label>
                <PasteArea
                    id="nl-chain-anchors"
                    class="nl-textarea-small"
                    textarea={anchor_area.clone()}
                    on_text={on_anchor_text}
                    placeholder="A private CA's root, or roots exported from a Mac (PEM, DER, .p7b)"
                />
                <div class="nl-input-actions">
                    <FilePicker label="Add anchors…" accept={CERT_FILES} aria_label="Trust anchor files" on_files={on_anchor_files} class="nl-button-quiet" />
                </div>
                <FileChips files={state.anchor_files.clone()} on_remove={remove_anchor} label="Trust anchor files" />
                <label class="nl-check">
                    <input type="checkbox" checked={state.anchors_public} onchange={on_public} />
                    { " These are public roots (apply Apple's 398-day and CT rules)" }
                </label>
            </DropZone>
            <div class="nl-input-actions">
                <FilePicker label="Load Apple CT log list…" accept=".json" multiple={false} aria_label="CT log list" on_files={on_log_list} class="nl-button-quiet" />
            </div>
            <FileChips files={log_list_files} on_remove={remove_log_list} label="CT log list" />
            if let Some(e) = &state.log_list_error {
                <p class="nl-field-error" role="alert">{ e.clone() }</p>
            }
        </div>
    }
}

// The props carry values, not the reducer handle: a handle always reads the latest state, so
// comparing old and new props through it would never see a change of selection.
#[derive(Properties)]
struct ResultsProps {
    analysis: Rc<Analysis>,
    /// A newer analysis is on its way: the one shown is for earlier inputs.
    busy: bool,
    /// The certificate whose details are open: index as sent, and its details.
    selected: Option<(usize, Arc<CertificateDetails>)>,
    dispatcher: UseReducerDispatcher<ChainState>,
}

impl PartialEq for ResultsProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.analysis, &other.analysis)
            && self.busy == other.busy
            && match (&self.selected, &other.selected) {
                (Some((i, a)), Some((j, b))) => i == j && Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }
}

/// The stores holding an anchor, for its tag: "Apple, Mozilla, Chrome".
fn store_names(ids: &[StoreId]) -> String {
    ids.iter()
        .map(|s| match s {
            StoreId::Apple => "Apple",
            StoreId::Mozilla => "Mozilla",
            StoreId::Chrome => "Chrome",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn profile_name(profile: netlens_chain::Profile) -> &'static str {
    match profile {
        netlens_chain::Profile::Apple => "Apple (iOS / macOS, ATS)",
        netlens_chain::Profile::Rfc5280 => "RFC 5280 (strict TLS client)",
    }
}

fn about(a: &Analysis, f: &Finding) -> String {
    if let Some(i) = f.certificate {
        let label = a
            .chain_as_sent
            .iter()
            .find(|c| c.index == i)
            .map(|c| c.label.as_str())
            .unwrap_or("");
        format!("#{} {label}", i + 1)
    } else if let Some(anchor) = &f.anchor {
        format!("anchor {anchor}")
    } else {
        "chain".to_owned()
    }
}

#[component]
fn Results(props: &ResultsProps) -> Html {
    let a = &*props.analysis;
    let d = props.dispatcher.clone();
    let select = |i: usize| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(ChainAction::Select(Some(i))))
    };
    let to_json = {
        let a = props.analysis.clone();
        Callback::from(move |()| serde_json::to_string_pretty(&*a).unwrap_or_default())
    };
    let to_markdown = {
        let a = props.analysis.clone();
        Callback::from(move |()| a.to_markdown())
    };
    let download_json = {
        let to_json = to_json.clone();
        Callback::from(move |_: MouseEvent| {
            download("netlens-chain.json", &to_json.emit(()), "application/json")
        })
    };
    let download_md = {
        let to_markdown = to_markdown.clone();
        Callback::from(move |_: MouseEvent| {
            download("netlens-chain.md", &to_markdown.emit(()), "text/markdown")
        })
    };

    html! {
        <div class="nl-results nl-chain-results" aria-live="polite" aria-busy={if props.busy { "true" } else { "false" }}>
            { verdicts_view(a) }
            { trust_matrix(a) }
            { chain_diagram(a, &select) }

            if let Some((i, cert)) = props.selected.clone() {
                <div class="nl-selected">
                    <CertCard {cert} index={i} expanded=true on_toggle={Callback::from(move |_| d.dispatch(ChainAction::Select(None)))} />
                </div>
            }

            { fixed_chain_view(a) }

            { transparency_view(a) }

            { finding_groups(a) }

            <div class="nl-results-bar">
                <CopyButton produce={to_json} label="Copy JSON" />
                <button type="button" class="nl-button nl-button-small" onclick={download_json}>{ "Download JSON" }</button>
                <CopyButton produce={to_markdown} label="Copy Markdown" />
                <button type="button" class="nl-button nl-button-small" onclick={download_md}>{ "Download Markdown" }</button>
                <a class="nl-button nl-button-small" href="#/rules">{ "All rules" }</a>
            </div>
        </div>
    }
}

/// One verdict per profile: pass or fail, how many findings decide it, the store it anchors on.
fn verdicts_view(a: &Analysis) -> Html {
    html! {
        <div class="nl-verdicts">
            { for a.verdict_details.iter().map(|v| html! {
                <div class={classes!("nl-verdict", if v.pass { "nl-pass" } else { "nl-fail" })} data-profile={v.profile.id()}>
                    <span class="nl-verdict-name">{ profile_name(v.profile) }</span>
                    <strong class="nl-verdict-result">{ if v.pass { "PASS" } else { "FAIL" } }</strong>
                    <span class="nl-muted">{
                        if v.pass { "no finding fails it".to_owned() }
                        else { format!("{} finding{} fail it", v.deciding.len(), if v.deciding.len() == 1 { "" } else { "s" }) }
                    }</span>
                    <span class="nl-muted nl-verdict-store">{ format!("anchored on {}", v.store) }</span>
                </div>
            }) }
            <span class="nl-muted nl-verdict-at">{ format!("validated at {}{}", a.analyzed_at, a.host.as_ref().map(|h| format!(" for {h}")).unwrap_or_default()) }</span>
        </div>
    }
}

/// Whether each root store trusts the chain, and why (not).
fn trust_matrix(a: &Analysis) -> Html {
    html! {
        <table class="nl-trust-matrix">
            <caption>{ "Trust by root store" }</caption>
            <thead>
                <tr><th scope="col">{ "Store" }</th><th scope="col">{ "Trusted" }</th><th scope="col">{ "Why" }</th></tr>
            </thead>
            <tbody>
                { for StoreId::ALL.into_iter().filter_map(|s| a.trust.get(&s).map(|t| (s, t))).map(|(s, t)| html! {
                    <tr data-store={s.id()} class={classes!(if t.trusted { "nl-pass" } else { "nl-fail" })}>
                        <th scope="row">
                            { s.info().title() }
                            <span class="nl-muted">{ format!(" {} · {}", t.version, t.clients) }</span>
                        </th>
                        <td class="nl-trust-result">{ if t.trusted { "yes" } else { "no" } }</td>
                        <td class="nl-trust-reason">
                            { &t.reason }
                            if t.trusted && t.other_errors > 0 {
                                <span class="nl-muted">{ format!(" The path has {} other error{} (below).", t.other_errors, if t.other_errors == 1 { "" } else { "s" }) }</span>
                            }
                        </td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

/// Certificate Transparency (each SCT with where it came from, its log and signature; Apple's
/// and Chrome's policies; which deliveries were looked at) and what each OCSP response says.
fn transparency_view(a: &Analysis) -> Html {
    let policy = |name: &str, p: &netlens_chain::ct::PolicyResult| {
        html! {
            <li class={classes!(if p.compliant { "nl-pass" } else { "nl-fail" })} data-policy={name.to_ascii_lowercase()}>
                <strong>{ format!("{name}: {}", if p.compliant { "compliant" } else { "not compliant" }) }</strong>
                { format!(" ({})", p.explanation) }
            </li>
        }
    };
    html! {
        <>
            if let Some(ct) = &a.ct {
                <section class="nl-ct" aria-label="Certificate Transparency">
                    <h3>{ "Certificate Transparency" }</h3>
                    <ul class="nl-ct-policies">
                        { policy("Apple", &ct.apple) }
                        { policy("Chrome", &ct.chrome) }
                    </ul>
                    if !ct.scts.is_empty() {
                        <table class="nl-ct-scts">
                            <thead><tr><th scope="col">{ "Delivered" }</th><th scope="col">{ "Log" }</th><th scope="col">{ "Signature" }</th><th scope="col">{ "Counts" }</th></tr></thead>
                            <tbody>
                                { for ct.scts.iter().map(|sct| html! {
                                    <tr data-source={format!("{:?}", sct.source).to_ascii_lowercase()}>
                                        <td>{ sct.source.describe() }<span class="nl-muted">{ format!(" · {}", sct.timestamp) }</span></td>
                                        <td>{ sct.log.as_ref().map_or_else(|| sct.log_id.clone(), |l| format!("{} ({}, {})", l.description, l.operator, l.state.id())) }</td>
                                        <td>{ format!("{:?}", sct.signature).to_ascii_lowercase() }</td>
                                        <td>{ if sct.counts { "yes" } else { "no" } }{ sct.note.as_ref().map(|n| format!(": {n}")).unwrap_or_default() }</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    }
                    <p class="nl-muted">{ format!("Looked at: {}. ", ct.sources_sentence()) }{ ct.log_list.as_ref().map(|l| format!("Judged with {}.", l.describe())).unwrap_or_default() }</p>
                </section>
            }
            { for a.ocsp.iter().map(|o| html! {
                <section class="nl-ocsp" aria-label="OCSP response">
                    <h3>{ "OCSP response" }</h3>
                    <p>
                        <strong>{ o.cert_status.clone().unwrap_or_else(|| o.response_status.clone()) }</strong>
                        { format!(
                            " · produced {} · this update {} · next update {} · signed by {} ({})",
                            o.produced_at.as_deref().unwrap_or("-"),
                            o.this_update.as_deref().unwrap_or("-"),
                            o.next_update.as_deref().unwrap_or("-"),
                            o.signed_by.as_deref().unwrap_or("nobody netlens can verify"),
                            o.found_in,
                        ) }
                    </p>
                    { for o.problems.iter().map(|p| html! { <p class="nl-field-error">{ p.clone() }</p> }) }
                </section>
            }) }
        </>
    }
}

/// The chain as sent beside the chain as built (with each link's signature), and the other candidate paths.
fn chain_diagram(a: &Analysis, select: &dyn Fn(usize) -> Callback<MouseEvent>) -> Html {
    html! {
        <div class="nl-chain-diagram">
            <div class="nl-column">
                <h2>{ "As sent" }</h2>
                <ol class="nl-sent">
                    { for a.chain_as_sent.iter().map(|c| html! {
                        <li class={classes!("nl-sent-item", format!("nl-role-{}", c.role))}>
                            <button type="button" class="nl-link-button" onclick={select(c.index)} title="Show every field">
                                { format!("#{} {}", c.index + 1, c.label) }
                            </button>
                            <span class="nl-tag">{ c.role.as_str() }</span>
                        </li>
                    }) }
                </ol>
            </div>
            <div class="nl-column">
                <h2>{ "As built" }</h2>
                <ol class="nl-built">
                    { for a.chain_as_built.iter().map(|n| html! {
                        <li class={classes!("nl-node", format!("nl-role-{}", n.role))}>
                            <div class="nl-node-box">
                                if let Some(i) = n.certificate {
                                    <button type="button" class="nl-link-button nl-node-label" onclick={select(i)}>{ format!("#{} {}", i + 1, n.label) }</button>
                                } else {
                                    <span class="nl-node-label">{ &n.label }</span>
                                }
                                <span class="nl-tag">{
                                    match (n.role, n.anchor_origin) {
                                        (Role::Anchor, Some(netlens_chain::store::AnchorOrigin::Builtin)) => {
                                            format!("trusted root ({})", store_names(&n.anchor_stores))
                                        }
                                        (Role::Anchor, _) => "trusted root (yours)".to_owned(),
                                        (role, _) => role.to_string(),
                                    }
                                }</span>
                                <span class="nl-node-subject">{ &n.subject }</span>
                            </div>
                            if n.signature != SignatureState::None {
                                <div class={classes!("nl-link", format!("nl-sig-{}", n.signature))}>
                                    { match n.signature {
                                        SignatureState::Valid => "↓ issued by (signature verified)".to_owned(),
                                        other => format!("↓ issued by? signature {other}: {}", n.signature_note.clone().unwrap_or_default()),
                                    } }
                                </div>
                            }
                        </li>
                    }) }
                </ol>
                if !a.path_trusted {
                    <p class="nl-bad">{ "No path reaches a trusted root." }</p>
                }
                if !a.alternatives.is_empty() {
                    <details class="nl-alternatives">
                        <summary>{ format!("{} other candidate path{}", a.alternatives.len(), if a.alternatives.len() == 1 { "" } else { "s" }) }</summary>
                        <ul>
                            { for a.alternatives.iter().map(|p| html! {
                                <li>{ format!("{} — {}, {} error{}", p.nodes.join(" → "), p.ends, p.errors, if p.errors == 1 { "" } else { "s" }) }</li>
                            }) }
                        </ul>
                    </details>
                }
            </div>
        </div>
    }
}

/// The chain to deploy, or why there is none yet.
fn fixed_chain_view(a: &Analysis) -> Html {
    html! {
        <div class="nl-fixed">
            { match &a.fixed_chain {
                Some(f) if f.serves.len() < StoreId::ALL.len() => html! {
                    <>
                        <strong>{ format!("Only {} can build a trusted path from these certificates: ", store_names(&f.serves)) }</strong>
                        { f.certificates.iter().map(|i| format!("#{}", i + 1)).collect::<Vec<_>>().join(", ") }
                        <span class="nl-muted">{ ". The errors below say what the other clients need." }</span>
                        <CopyButton text={f.pem.clone()} label="Copy this chain" />
                    </>
                },
                Some(f) if f.differs_from_sent => html! {
                    <>
                        <strong>{ "Deploy this chain instead: " }</strong>
                        { f.certificates.iter().map(|i| format!("#{}", i + 1)).collect::<Vec<_>>().join(", ") }
                        <span class="nl-muted">{ " (leaf first, each followed by its issuer, root left out)" }</span>
                        <CopyButton text={f.pem.clone()} label="Copy fixed chain" />
                        <button type="button" class="nl-button nl-button-small" onclick={{
                            let pem = f.pem.clone();
                            Callback::from(move |_: MouseEvent| download("fullchain.pem", &pem, "application/x-pem-file"))
                        }}>{ "Download fullchain.pem" }</button>
                    </>
                },
                Some(f) => html! {
                    <>
                        <strong>{ "The chain as sent is the one to deploy." }</strong>
                        <CopyButton text={f.pem.clone()} label="Copy chain" />
                    </>
                },
                None => html! {
                    <span class="nl-muted">{ "No deployable chain yet: no path reaches a trusted root (see the errors below)." }</span>
                },
            } }
        </div>
    }
}

/// The findings, grouped by severity, most serious first.
fn finding_groups(a: &Analysis) -> Html {
    html! {
        <div class="nl-findings">
            { for Severity::MOST_SERIOUS_FIRST.into_iter().map(|sev| {
                let list: Vec<&Finding> = a.findings.iter().filter(|f| f.severity == sev).collect();
                if list.is_empty() {
                    return html! {};
                }
                html! {
                    <section class={classes!("nl-finding-group", format!("nl-group-{}", sev.name()))}>
                        <h2>{ format!("{} ({})", sev.heading(), list.len()) }</h2>
                        <ul class="nl-finding-list">
                            { for list.into_iter().map(|f| html! {
                                { finding_item(FindingView {
                                    rule: f.rule.as_str(),
                                    severity: f.severity,
                                    badge: false,
                                    subject: about(a, f),
                                    message: &f.message,
                                    source: f.source,
                                    fix: &f.fix,
                                    details: if f.decides.is_empty() {
                                        html! {}
                                    } else {
                                        html! {
                                            <>
                                                <dt>{ "Fails" }</dt>
                                                <dd>{ f.decides.iter().map(|p| profile_name(*p)).collect::<Vec<_>>().join(", ") }</dd>
                                            </>
                                        }
                                    },
                                }) }
                            }) }
                        </ul>
                    </section>
                }
            }) }
        </div>
    }
}
