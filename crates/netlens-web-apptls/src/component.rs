//! The App TLS page: explain an error, lint the app's ATS dictionary, write and check pin sets.
//!
//! The inputs are [`crate::state`]'s; every report is the pure core's (`netlens-apptls`),
//! derived from them on each change (they take microseconds: no worker, no effect). The parts
//! are view functions: they hold no state of their own.

use netlens_apptls::Finding;
use netlens_apptls::ats::{AtsReport, HostPolicy, LintError};
use netlens_apptls::errors::{Explanation, Recognised};
use netlens_apptls::pins::{ChainPins, PinCheck, PinKind, Role};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::state::{AppTlsAction, AppTlsState, Field, Part, PlistFile};
use netlens_web::components::copy_button::CopyButton;
use netlens_web::components::finding::{FindingView, finding_item, with_code};
use netlens_web::components::inputs::FilePicker;

/// Props of [`AppTlsTool`].
#[derive(Properties, PartialEq, Default)]
pub struct AppTlsToolProps {
    /// Show only this part (an element's `tool` attribute); every part when `None`.
    #[prop_or_default]
    pub only: Option<Part>,
    /// The part's initial text (the element's text).
    #[prop_or_default]
    pub initial_input: AttrValue,
    /// Embedded in another page: no page heading.
    #[prop_or_default]
    pub embedded: bool,
}

type Dispatch = UseReducerDispatcher<AppTlsState>;

/// The App TLS tool.
#[component]
pub fn AppTlsTool(props: &AppTlsToolProps) -> Html {
    let state = use_reducer_eq({
        let (only, input) = (props.only, props.initial_input.to_string());
        move || {
            let mut s = AppTlsState::default();
            match only {
                Some(Part::Ats) => s.plist = input,
                Some(Part::Pins) => s.chain = input,
                _ => s.error_text = input,
            }
            s
        }
    });
    let d = state.dispatcher();
    let shows = |part: Part| props.only.is_none_or(|only| only == part);
    // Each part's report is computed when its own inputs change, not on every keystroke
    // elsewhere on the page.
    let explanation = use_memo(state.error_text.clone(), |text| {
        (!text.trim().is_empty()).then(|| netlens_apptls::errors::explain(text))
    });
    let linted = use_memo((state.plist.clone(), state.plist_file.clone()), |_| {
        state
            .has_plist()
            .then(|| netlens_apptls::ats::lint(state.plist_bytes()))
    });
    let pins = use_memo(
        (
            state.chain.clone(),
            state.pins_host.clone(),
            state.pin_set.clone(),
            state.next_chain.clone(),
        ),
        |(chain, host, pin_set, next)| pin_reports(chain, host, pin_set, next),
    );
    html! {
        <section class="nl-tool nl-apptls">
            if !props.embedded {
                <header class="nl-tool-head">
                    <h1>{ "App TLS" }</h1>
                    <p class="nl-lead">{ "Start from what you hold: an error code or console lines, your app's Info.plist, a pin set. Everything is read in this page; nothing is uploaded." }</p>
                </header>
            }
            if shows(Part::Error) { { error_part(&state, &d, explanation.as_ref().as_ref()) } }
            if shows(Part::Ats) { { ats_part(&state, &d, linted.as_ref().as_ref()) } }
            if shows(Part::Pins) { { pins_part(&state, &d, &pins) } }
        </section>
    }
}

fn text_input(d: &Dispatch, field: Field) -> Callback<InputEvent> {
    let d = d.clone();
    Callback::from(move |e: InputEvent| {
        let target = e
            .target_dyn_into::<HtmlTextAreaElement>()
            .map(|t| t.value());
        let value = target.or_else(|| e.target_dyn_into::<HtmlInputElement>().map(|i| i.value()));
        if let Some(v) = value {
            d.dispatch(AppTlsAction::Set(field, v));
        }
    })
}

fn example(d: &Dispatch, part: Part) -> Callback<MouseEvent> {
    let d = d.clone();
    Callback::from(move |_| d.dispatch(AppTlsAction::Example(part)))
}

// ---- Explain an error ----

fn error_part(state: &AppTlsState, d: &Dispatch, explanation: Option<&Explanation>) -> Html {
    html! {
        <div class="nl-apptls-part nl-apptls-error">
            <h2>{ "Explain an error" }</h2>
            <label class="nl-label" for="nl-apptls-error">{ "An error code, an error description or console lines (Xcode, Console.app, log stream)" }</label>
            <textarea id="nl-apptls-error" class="nl-textarea nl-textarea-small" spellcheck="false"
                placeholder="-9813, Error Domain=NSURLErrorDomain Code=-1202, ATS failed system trust…"
                value={state.error_text.clone()} oninput={text_input(d, Field::ErrorText)} />
            <div class="nl-input-actions">
                <button type="button" class="nl-button nl-button-quiet" onclick={example(d, Part::Error)}>{ "Example: console output" }</button>
            </div>
            if let Some(e) = explanation { { explanation_view(e) } }
        </div>
    }
}

fn explanation_view(e: &Explanation) -> Html {
    html! {
        <div class="nl-apptls-results" aria-live="polite">
            if let Some(note) = &e.note {
                <p class="nl-muted">{ note }</p>
            }
            <ol class="nl-explained-list">
                { for e.recognised.iter().enumerate().map(|(i, r)| {
                    // Several lines of one failure often share their causes: listed once.
                    let same = e.recognised[..i].iter().find(|earlier| !r.causes.is_empty() && earlier.causes == r.causes);
                    recognised_view(r, same.map(|earlier| earlier.name.as_str()))
                }) }
            </ol>
            { for e.unknown.iter().map(|u| html! {
                <p class="nl-problem nl-explained-unknown" data-number={u.number.to_string()}>{ &u.note }</p>
            }) }
            if !e.next_steps.is_empty() {
                <h3>{ "Next" }</h3>
                <ul class="nl-next-steps">
                    { for e.next_steps.iter().map(|s| html! { <li>{ with_code(s.text()) }</li> }) }
                </ul>
            }
        </div>
    }
}

fn recognised_view(r: &Recognised, causes_as: Option<&str>) -> Html {
    html! {
        <li class="nl-explained" data-name={r.name.clone()}>
            <p class="nl-explained-head">
                <span class="nl-tag">{ r.domain.name() }</span>{ " " }
                if let Some(n) = r.number { <code class="nl-mono">{ n }</code>{ " " } }
                <strong class="nl-mono">{ &r.name }</strong>
            </p>
            if !r.aliases.is_empty() {
                <p class="nl-muted">{ "Also written " }<span class="nl-mono">{ r.aliases.join(", ") }</span></p>
            }
            if !r.apple_text.is_empty() {
                <p class="nl-quote">{ "Apple: “" }{ &r.apple_text }{ "”" }</p>
            }
            <p>{ with_code(&r.meaning) }</p>
            if let Some(earlier) = causes_as {
                <p class="nl-muted nl-causes-same">{ format!("Likely causes: as for {earlier} above.") }</p>
            } else if !r.causes.is_empty() {
                <ol class="nl-causes">
                    { for r.causes.iter().map(|c| html! {
                        <li>
                            { with_code(c.text) }
                            if !c.rules.is_empty() {
                                <span class="nl-muted">{ " netlens finds it as " }</span>
                                { for c.rules.iter().map(|rule| html! { <><code class="nl-rule">{ *rule }</code>{ " " }</> }) }
                            }
                        </li>
                    }) }
                </ol>
            }
            <p class="nl-clause">{ r.source }</p>
        </li>
    }
}

// ---- The ATS dictionary ----

fn ats_part(
    state: &AppTlsState,
    d: &Dispatch,
    report: Option<&Result<AtsReport, LintError>>,
) -> Html {
    let host = state.ats_host.trim();
    let on_files = {
        let d = d.clone();
        Callback::from(move |loaded: Vec<netlens_web::files::LoadedFile>| {
            if let Some(file) = loaded.into_iter().next() {
                d.dispatch(AppTlsAction::PlistFile(PlistFile {
                    name: file.name,
                    bytes: file.bytes.unwrap_or_default(),
                }));
            }
        })
    };
    html! {
        <div class="nl-apptls-part nl-apptls-ats">
            <h2>{ "The app's App Transport Security dictionary" }</h2>
            <label class="nl-label" for="nl-apptls-plist">{ "Info.plist (source), or its NSAppTransportSecurity dictionary" }</label>
            <textarea id="nl-apptls-plist" class="nl-textarea" spellcheck="false"
                placeholder="<key>NSAppTransportSecurity</key>\n<dict>…</dict>"
                value={state.plist.clone()} oninput={text_input(d, Field::Plist)} />
            <div class="nl-input-actions">
                <FilePicker label="Open an Info.plist (XML or binary)…" accept=".plist,application/x-plist,text/xml"
                    aria_label="Info.plist file" multiple={false} on_files={on_files} class={classes!("nl-button-quiet")} />
                <button type="button" class="nl-button nl-button-quiet" onclick={example(d, Part::Ats)}>{ "Example: common mistakes" }</button>
            </div>
            if let Some(file) = &state.plist_file {
                <p class="nl-muted nl-apptls-file">{ format!("Reading {} ({} bytes). Type in the field to paste text instead.", file.name, file.bytes.len()) }</p>
            }
            <label class="nl-label" for="nl-apptls-ats-host">{ "A host the app connects to (optional): which rules apply to it" }</label>
            <input id="nl-apptls-ats-host" class="nl-input nl-input-short" type="text" placeholder="api.example.com"
                value={state.ats_host.clone()} oninput={text_input(d, Field::AtsHost)} />
            { match report {
                Some(Ok(r)) => ats_report_view(r, (!host.is_empty()).then_some(host)),
                Some(Err(e)) => lint_error_view(e),
                None => html! {},
            } }
        </div>
    }
}

fn lint_error_view(e: &LintError) -> Html {
    html! { <p class="nl-field-error" role="alert">{ e.to_string() }</p> }
}

fn findings_view(findings: &[Finding]) -> Html {
    if findings.is_empty() {
        return html! { <p class="nl-ok">{ "No findings." }</p> };
    }
    let ordered: Vec<&Finding> = netlens_catalog::Severity::MOST_SERIOUS_FIRST
        .iter()
        .flat_map(|s| findings.iter().filter(move |f| f.severity == *s))
        .collect();
    html! {
        <ul class="nl-finding-list">
            { for ordered.into_iter().map(|f| finding_item(FindingView {
                rule: f.rule.as_str(),
                severity: f.severity,
                badge: true,
                subject: f.at.clone(),
                message: &f.message,
                source: f.source,
                fix: &f.fix,
                details: html! {},
            })) }
        </ul>
    }
}

fn ats_report_view(r: &AtsReport, host: Option<&str>) -> Html {
    let s = &r.settings;
    let yes = |b: bool| if b { "YES" } else { "NO" };
    html! {
        <div class="nl-apptls-results" aria-live="polite">
            { findings_view(&r.findings) }
            if r.found {
                <h3>{ "As ATS reads it" }</h3>
                <table class="nl-table nl-ats-settings">
                    <tbody>
                        <tr><th scope="row">{ "NSAllowsArbitraryLoads" }</th><td>{ yes(s.allows_arbitrary_loads) }{ if s.allows_arbitrary_loads && !s.arbitrary_loads_effective { " (ignored: a narrower key is present)" } else { "" } }</td></tr>
                        <tr><th scope="row">{ "NSAllowsArbitraryLoadsInWebContent" }</th><td>{ yes(s.allows_web_content) }</td></tr>
                        <tr><th scope="row">{ "NSAllowsArbitraryLoadsForMedia" }</th><td>{ yes(s.allows_media) }</td></tr>
                        <tr><th scope="row">{ "NSAllowsLocalNetworking" }</th><td>{ yes(s.allows_local_networking) }</td></tr>
                        { for s.exceptions.iter().map(|e| html! {
                            <tr class="nl-ats-exception"><th scope="row" class="nl-mono">{ &e.domain }</th><td>{
                                format!("{}minimum {}, forward secrecy {}, cleartext HTTP {}{}",
                                    if e.includes_subdomains { "with subdomains; " } else { "" },
                                    e.minimum_tls.name(), yes(e.requires_forward_secrecy), yes(e.allows_insecure_http),
                                    if e.usable { "" } else { " (matches no host)" })
                            }</td></tr>
                        }) }
                        { for s.pinned.iter().map(|p| html! {
                            <tr><th scope="row" class="nl-mono">{ &p.domain }</th><td>{
                                format!("pinned: {} CA, {} leaf identit{}", p.ca.len(), p.leaf.len(), if p.leaf.len() == 1 { "y" } else { "ies" })
                            }</td></tr>
                        }) }
                    </tbody>
                </table>
                if let Some(host) = host {
                    { host_view(&s.for_host(host)) }
                }
            }
        </div>
    }
}

fn host_view(p: &HostPolicy) -> Html {
    let sentence = if !p.ats_applies {
        format!(
            "For {}, NSAllowsArbitraryLoads turns ATS off: cleartext HTTP and weak TLS are allowed; HTTPS still needs a chain the device trusts.",
            p.host
        )
    } else {
        format!(
            "For {}, {} applies: TLS {} or later{}{}{}. `netlens ats {} --info-plist Info.plist` checks the server against it.",
            p.host,
            p.exception
                .as_ref()
                .map_or("ATS's default".to_owned(), |d| format!(
                    "the exception for {d}"
                )),
            p.minimum_tls.name().trim_start_matches("TLSv"),
            if p.requires_forward_secrecy {
                " with forward secrecy"
            } else {
                " (forward secrecy not required)"
            },
            if p.allows_insecure_http {
                ", cleartext HTTP allowed"
            } else {
                ""
            },
            p.pinned
                .as_ref()
                .map(|d| format!(", pinned by the entry for {d}"))
                .unwrap_or_default(),
            p.host,
        )
    };
    html! { <p class="nl-apptls-host" data-host={p.host.clone()}>{ with_code(&sentence) }</p> }
}

// ---- Pins ----

/// The pins of the chain and, with a pin set, the check: one part's reports.
type PinReports = (Option<ChainPins>, Option<PinCheck>);

fn pin_reports(chain: &str, host: &str, pin_set: &str, next: &str) -> PinReports {
    if chain.trim().is_empty() {
        return (None, None);
    }
    let now = netlens_web::clock::now_unix();
    let host = host.trim();
    let next = next.trim();
    let pins = netlens_apptls::pins::from_chain(chain.as_bytes(), host, now);
    let check = (!pin_set.trim().is_empty()).then(|| {
        netlens_apptls::pins::check(
            pin_set,
            chain.as_bytes(),
            (!next.is_empty()).then_some(next.as_bytes()),
            (!host.is_empty()).then_some(host),
            now,
        )
    });
    (Some(pins), check)
}

fn pins_part(state: &AppTlsState, d: &Dispatch, (pins, check): &PinReports) -> Html {
    html! {
        <div class="nl-apptls-part nl-apptls-pins">
            <h2>{ "Pin sets" }</h2>
            <label class="nl-label" for="nl-apptls-chain">{ "The chain the server sends (PEM)" }</label>
            <textarea id="nl-apptls-chain" class="nl-textarea nl-textarea-small" spellcheck="false"
                placeholder="-----BEGIN CERTIFICATE-----" value={state.chain.clone()} oninput={text_input(d, Field::Chain)} />
            <label class="nl-label" for="nl-apptls-pins-host">{ "Host" }</label>
            <input id="nl-apptls-pins-host" class="nl-input nl-input-short" type="text" placeholder="api.example.com"
                value={state.pins_host.clone()} oninput={text_input(d, Field::PinsHost)} />
            <div class="nl-input-actions">
                <button type="button" class="nl-button nl-button-quiet" onclick={example(d, Part::Pins)}>{ "Example: a leaf pin and a renewal" }</button>
            </div>
            if let Some(p) = pins { { chain_pins_view(p) } }
            <h3>{ "Check a pin set" }</h3>
            <label class="nl-label" for="nl-apptls-pin-set">{ "The app's pins: NSPinnedDomains (or the Info.plist), or one per line (sha256/…, pin-sha256=\"…\", base64)" }</label>
            <textarea id="nl-apptls-pin-set" class="nl-textarea nl-textarea-small" spellcheck="false"
                value={state.pin_set.clone()} oninput={text_input(d, Field::PinSet)} />
            <label class="nl-label" for="nl-apptls-next">{ "The renewal chain (optional): will the app still connect after the rotation?" }</label>
            <textarea id="nl-apptls-next" class="nl-textarea nl-textarea-small" spellcheck="false"
                value={state.next_chain.clone()} oninput={text_input(d, Field::NextChain)} />
            if let Some(c) = check { { check_view(c) } }
        </div>
    }
}

fn role(r: Role) -> &'static str {
    match r {
        Role::Leaf => "leaf",
        Role::Intermediate => "intermediate",
        Role::Root => "root",
    }
}

fn chain_pins_view(p: &ChainPins) -> Html {
    html! {
        <div class="nl-apptls-results" aria-live="polite">
            { for p.problems.iter().map(|m| html! { <p class="nl-field-error" role="alert">{ m }</p> }) }
            if !p.certificates.is_empty() {
                <div class="nl-scroll">
                    <table class="nl-table nl-pin-table">
                        <thead><tr><th>{ "#" }</th><th>{ "Role" }</th><th>{ "Certificate" }</th><th>{ "SPKI SHA-256 (base64)" }</th></tr></thead>
                        <tbody>
                            { for p.certificates.iter().map(|c| html! {
                                <tr data-role={role(c.role)} class={classes!(p.recommended.contains(&c.spki_sha256_base64).then_some("nl-recommended"))}>
                                    <td>{ c.index + 1 }</td><td>{ role(c.role) }</td><td>{ &c.name }</td>
                                    <td class="nl-mono nl-pin">{ &c.spki_sha256_base64 }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
                <ul class="nl-advice">{ for p.advice.iter().map(|a| html! { <li>{ with_code(a) }</li> }) }</ul>
            }
            if let Some(f) = &p.fragments {
                { fragment("NSPinnedDomains (Info.plist)", "nl-fragment-plist", &f.ns_pinned_domains) }
                { fragment("Android network_security_config.xml", "nl-fragment-android", &f.android) }
                { fragment("OkHttp CertificatePinner", "nl-fragment-okhttp", &f.okhttp) }
                { fragment("TrustKit", "nl-fragment-trustkit", &f.trustkit) }
            }
        </div>
    }
}

fn fragment(label: &'static str, class: &'static str, text: &str) -> Html {
    html! {
        <div class={classes!("nl-plist", class)}>
            <div class="nl-row"><strong>{ label }</strong><CopyButton text={AttrValue::from(text.to_owned())} label={AttrValue::from(format!("Copy {label}"))} /></div>
            <pre class="nl-code" tabindex="0" aria-label={label}>{ text }</pre>
        </div>
    }
}

fn check_view(c: &PinCheck) -> Html {
    let name = |chain: &[netlens_apptls::pins::CertificatePin], i: usize| {
        chain
            .iter()
            .find(|x| x.index == i)
            .map_or(String::new(), |x| format!("{} ({})", x.name, role(x.role)))
    };
    let kind = |k: PinKind| match k {
        PinKind::Ca => "CA identity",
        PinKind::Leaf => "leaf identity",
        PinKind::Any => "pin",
    };
    let verdict = format!(
        "The app {} to a server sending this chain{}.",
        if c.connects {
            "connects"
        } else {
            "does not connect"
        },
        match c.connects_after_rotation {
            Some(true) => ", and still connects after the rotation",
            Some(false) => ", but not after the rotation",
            None => "",
        }
    );
    let good = c.connects && c.connects_after_rotation != Some(false);
    html! {
        <div class="nl-apptls-results nl-pin-check" aria-live="polite">
            { for c.problems.iter().map(|m| html! { <p class="nl-field-error" role="alert">{ m }</p> }) }
            if !c.pins.is_empty() {
                <p class={classes!("nl-verdict-result", if good { "nl-pass" } else { "nl-fail" })} data-connects={c.connects.to_string()}>{ verdict }</p>
                <div class="nl-scroll">
                    <table class="nl-table nl-pin-matches">
                        <thead><tr><th>{ "Pin" }</th><th>{ "Kind" }</th><th>{ "Matches now" }</th>
                            if c.next.is_some() { <th>{ "After the rotation" }</th> }
                        </tr></thead>
                        <tbody>
                            { for c.pins.iter().map(|p| html! {
                                <tr data-matches={p.matches.len().to_string()}>
                                    <td class="nl-mono nl-pin">{ &p.pin }</td>
                                    <td>{ kind(p.kind) }{ p.domain.as_ref().map(|d| format!(" for {d}")).unwrap_or_default() }</td>
                                    <td>{ if p.matches.is_empty() { "nothing".to_owned() } else { p.matches.iter().map(|&i| name(&c.chain, i)).collect::<Vec<_>>().join(", ") } }</td>
                                    if let Some(next) = &c.next {
                                        <td>{ if p.matches_next.is_empty() { "nothing".to_owned() } else { p.matches_next.iter().map(|&i| name(next, i)).collect::<Vec<_>>().join(", ") } }</td>
                                    }
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }
            { findings_view(&c.findings) }
        </div>
    }
}
