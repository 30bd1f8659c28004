//! The DNS-SD tool: service type, instance name, TXT record and Info.plist, validated as you
//! type, with the RFC clause, what each implementation does, and the forms to copy.
//!
//! All analysis is `netlens-dnssd`; the fields are [`crate::state::dnssd`]'s reducer state, and
//! this module renders: the tool derives the reports, and each part of the page (examples,
//! type, instance, TXT record, Apple) is a view function of its own.

use std::rc::Rc;

use netlens_dnssd::apple::PlistReport;
use netlens_dnssd::name::InstanceReport;
use netlens_dnssd::service::TypeReport;
use netlens_dnssd::{
    Finding, Format, Severity, TxtReport, apple, check_instance, check_txt, check_type,
};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::copy_button::CopyButton;
use crate::components::finding::{FindingView, finding_item};
use crate::state::dnssd::{DnssdAction, DnssdState, Field};

/// Props of [`DnssdTool`].
#[derive(Properties, PartialEq, Default)]
pub struct DnssdToolProps {
    /// Service type shown first.
    #[prop_or_default]
    pub initial_type: AttrValue,
    /// Instance name shown first.
    #[prop_or_default]
    pub initial_instance: AttrValue,
    /// TXT record shown first (any supported format).
    #[prop_or_default]
    pub initial_txt: AttrValue,
    /// Embedded in another page: no page heading.
    #[prop_or_default]
    pub embedded: bool,
}

fn input_value(e: &InputEvent) -> String {
    let target = e.target();
    if let Some(i) = target
        .clone()
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<HtmlInputElement>(t).ok())
    {
        return i.value();
    }
    target
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<HtmlTextAreaElement>(t).ok())
        .map(|t| t.value())
        .unwrap_or_default()
}

/// A callback that puts what is typed into `field`.
fn setter(dispatch: &Dispatch, field: Field) -> Callback<InputEvent> {
    let dispatch = dispatch.clone();
    Callback::from(move |e: InputEvent| dispatch.dispatch(DnssdAction::Set(field, input_value(&e))))
}

type Dispatch = UseReducerDispatcher<DnssdState>;

/// The type's report, computed again when the IANA descriptions arrive: they are fetched the
/// first time a registered type is shown (see `dnssd_support`).
#[hook]
fn use_type_report(service_type: &str) -> Rc<Option<TypeReport>> {
    // Bumped when a description chunk arrives, so the report is computed again.
    let arrived = use_state(|| 0u32);
    let report = use_memo((service_type.to_owned(), *arrived), |(t, _)| {
        (!t.trim().is_empty()).then(|| check_type(t))
    });
    let missing = report
        .as_ref()
        .as_ref()
        .and_then(|r| r.registration.as_ref())
        .filter(|r| !netlens_dnssd::iana::has_description_for(r.name))
        .map(|r| r.name);
    use_effect_with(missing, move |missing| {
        if let Some(name) = *missing {
            wasm_bindgen_futures::spawn_local(async move {
                if crate::dnssd_support::load_description(name).await {
                    arrived.set(*arrived + 1);
                }
            });
        }
    });
    report
}

/// The DNS-SD tool: the state and the reports derived from it; each part of the page is a
/// view function of its own (plain functions rather than components: the parts re-render
/// together anyway, and each Yew component costs about 0.7 KiB of gzipped wasm).
#[component]
pub fn DnssdTool(props: &DnssdToolProps) -> Html {
    let state = use_reducer(|| {
        DnssdState::new(
            &props.initial_type,
            &props.initial_instance,
            &props.initial_txt,
        )
    });
    let dispatch = state.dispatcher();
    let type_report = use_type_report(&state.service_type);
    let instance_report = use_memo(state.instance.clone(), |i| {
        (!i.is_empty()).then(|| check_instance(i))
    });
    let context = state.service_context(type_report.as_ref().as_ref());
    let txt_report = use_memo((state.txt.clone(), state.format, context), |(t, f, c)| {
        (!t.trim().is_empty()).then(|| Rc::new(check_txt(t, *f, c)))
    });
    let plist_report = {
        let used: Vec<String> = type_report
            .as_ref()
            .as_ref()
            .and_then(|r| r.forms.as_ref())
            .map(|f| vec![f.normalized.clone()])
            .unwrap_or_default();
        let key = (state.plist.clone(), used, state.multipeer.clone());
        use_memo(key, |(p, used, mc)| {
            (!p.trim().is_empty() || !used.is_empty() || !mc.trim().is_empty())
                .then(|| apple::check_plist(p.as_bytes(), used, Some(mc.as_str()), ""))
        })
    };

    html! {
        <section class="nl-tool nl-dnssd">
            if !props.embedded {
                <header class="nl-tool-head">
                    <h1>{ "DNS-SD / Bonjour validator" }</h1>
                    <p class="nl-lead">{ "Type or paste your service type, instance name and TXT record: every RFC 6335 / 6763 / 6762 violation with its clause, what Apple, Avahi, python-zeroconf, mdns-sd and Android do with it, and the correct forms to copy." }</p>
                </header>
            }
            { examples(&dispatch) }
            <div class="nl-dnssd-grid">
                { type_field(&state.service_type, type_report.as_ref().as_ref(), &dispatch) }
                { instance_field(&state.instance, &state.port, instance_report.as_ref().as_ref(), &dispatch) }
            </div>
            { txt_field(&state.txt, state.format, txt_report.as_ref().as_ref(), &dispatch) }
            { apple_field(&state, plist_report.as_ref().as_ref(), &dispatch) }
            <p class="nl-privacy">{ "Checked in your browser: nothing you type leaves this device." }</p>
        </section>
    }
}

/// Buttons that load an example service.
fn examples(dispatch: &Dispatch) -> Html {
    let example = |service_type: &'static str, instance: &'static str, txt: &'static str| {
        let dispatch = dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            dispatch.dispatch(DnssdAction::Example {
                service_type,
                instance,
                txt,
            })
        })
    };
    html! {
        <div class="nl-input-actions">
            <button type="button" class="nl-button nl-button-quiet" onclick={example("_ipp._tcp", "Office Printer", "txtvers=1\nrp=ipp/print\nty=Example LaserJet\npdl=application/pdf\n")}>{ "Example: a printer" }</button>
            <button type="button" class="nl-button nl-button-quiet" onclick={example("_My_Service._sctp.local.", "Device 00:1A:2B:3C:4D:5E\n", "=broken\npath=/a\nPATH=/b\nflag\n")}>{ "Example: many mistakes" }</button>
        </div>
    }
}

/// The service type: input, IANA registration, findings and the forms each API takes.
fn type_field(value: &str, report: Option<&TypeReport>, dispatch: &Dispatch) -> Html {
    html! {
        <div class="nl-dnssd-field">
            <label class="nl-label" for="nl-dnssd-type">{ "Service type" }</label>
            <input id="nl-dnssd-type" class="nl-input nl-mono" type="text" spellcheck="false" autocomplete="off"
                placeholder="_myservice._tcp   (subtypes: _printer._sub._http._tcp or _http._tcp,_printer)"
                value={value.to_owned()} oninput={setter(dispatch, Field::ServiceType)} />
            if let Some(r) = report {
                <div class="nl-dnssd-type-result" aria-live="polite">
                    if let Some(e) = &r.error {
                        <p class="nl-field-error" role="alert">{ format!("Column {}: {}", e.column, e.message) }</p>
                    }
                    <p class="nl-muted nl-registration">{ match &r.registration {
                        Some(reg) => format!("IANA: registered ({}){}", if reg.protocols.is_empty() { "no port".to_owned() } else { reg.protocols.join(", ") }, if reg.description.is_empty() { String::new() } else { format!(" — {}", reg.description) }),
                        None => "IANA: not registered".to_owned(),
                    } }</p>
                    <FindingList findings={Rc::new(r.findings.clone())} />
                    if let Some(f) = &r.forms {
                        <dl class="nl-forms">
                            <Form label="Type (Apple, Avahi, Android, Info.plist)" value={f.normalized.clone()} />
                            <Form label="With domain (python-zeroconf, mdns-sd)" value={f.with_domain.clone()} />
                            if let Some(a) = &f.apple_subtypes {
                                <Form label="Apple subtypes (DNSServiceRegister, NWListener)" value={a.clone()} />
                            }
                            { for f.subtype_names.iter().map(|s| html! { <Form label="Subtype name (Avahi <subtype>, python-zeroconf)" value={s.clone()} /> }) }
                        </dl>
                    }
                </div>
            }
        </div>
    }
}

/// The instance name: input, byte count, findings, escaped forms; and the port the generated
/// commands use.
fn instance_field(
    value: &str,
    port: &str,
    report: Option<&InstanceReport>,
    dispatch: &Dispatch,
) -> Html {
    html! {
        <div class="nl-dnssd-field">
            <label class="nl-label" for="nl-dnssd-instance">{ "Instance name" }</label>
            <input id="nl-dnssd-instance" class="nl-input" type="text" spellcheck="false" autocomplete="off"
                placeholder="Living Room Speaker" value={value.to_owned()} oninput={setter(dispatch, Field::Instance)} />
            if let Some(r) = report {
                <div class="nl-dnssd-instance-result" aria-live="polite">
                    <p class="nl-muted">{ format!("{} of 63 bytes (UTF-8)", r.bytes) }</p>
                    <FindingList findings={Rc::new(r.findings.clone())} />
                    <dl class="nl-forms">
                        <Form label="dns-sd / Apple full-name escaping" value={r.forms.dns_sd.clone()} />
                        <Form label="Avahi escaping" value={r.forms.avahi.clone()} />
                        if let Some(t) = &r.truncated {
                            <Form label="Cut to 63 bytes (what mDNSResponder registers)" value={t.clone()} />
                        }
                        if let Some(n) = &r.nfc {
                            <Form label="NFC form" value={n.clone()} />
                        }
                    </dl>
                </div>
            }
            <label class="nl-label" for="nl-dnssd-port">{ "Port (for the generated commands)" }</label>
            <input id="nl-dnssd-port" class="nl-input nl-input-short" type="number" min="0" max="65535" value={port.to_owned()} oninput={setter(dispatch, Field::Port)} />
        </div>
    }
}

/// The TXT record: format picker, input and results.
fn txt_field(
    value: &str,
    format: Option<Format>,
    report: Option<&Rc<TxtReport>>,
    dispatch: &Dispatch,
) -> Html {
    let on_format = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<HtmlSelectElement>(t).ok())
                .map(|s| s.value())
                .unwrap_or_default();
            dispatch.dispatch(DnssdAction::SetFormat(Format::from_id(&value)));
        })
    };
    html! {
        <div class="nl-dnssd-field">
            <div class="nl-row">
                <label class="nl-label" for="nl-dnssd-txt">{ "TXT record" }</label>
                <select id="nl-dnssd-format" class="nl-select" aria-label="TXT format" onchange={on_format}>
                    <option value="auto" selected={format.is_none()}>{ "Detect the format" }</option>
                    { for Format::ALL.iter().map(|f| html! { <option value={f.id()} selected={format == Some(*f)}>{ f.label() }</option> }) }
                </select>
            </div>
            <textarea id="nl-dnssd-txt" class="nl-textarea nl-mono" spellcheck="false"
                placeholder={"key=value lines, hex (dns-sd -Q), base64, dns-sd -L / -Z, avahi-browse -r / -rp, or dig output"}
                value={value.to_owned()} oninput={setter(dispatch, Field::Txt)} />
            if let Some(r) = report {
                <TxtResults report={r.clone()} />
            }
        </div>
    }
}

/// Apple's local network privacy: NSBonjourServices, Multipeer, the Info.plist fragment, and
/// error codes explained.
fn apple_field(state: &DnssdState, report: Option<&PlistReport>, dispatch: &Dispatch) -> Html {
    html! {
        <div class="nl-dnssd-field nl-dnssd-apple">
            <h2>{ "Apple local network privacy" }</h2>
            <label class="nl-label" for="nl-dnssd-plist">{ "NSBonjourServices (paste Info.plist, or one type per line)" }</label>
            <textarea id="nl-dnssd-plist" class="nl-textarea-small nl-mono" spellcheck="false" placeholder="<key>NSBonjourServices</key> …" value={state.plist.clone()} oninput={setter(dispatch, Field::Plist)} />
            <label class="nl-label" for="nl-dnssd-multipeer">{ "Multipeer Connectivity service type (optional)" }</label>
            <input id="nl-dnssd-multipeer" class="nl-input nl-input-short" type="text" placeholder="my-game" value={state.multipeer.clone()} oninput={setter(dispatch, Field::Multipeer)} />
            if let Some(r) = report {
                if let Some(problem) = &r.problem {
                    <p class="nl-problem" role="alert">{ problem }</p>
                }
                <FindingList findings={Rc::new(r.findings.clone())} />
                <div class="nl-plist">
                    <div class="nl-row"><strong>{ "Info.plist" }</strong><CopyButton text={r.fragment.clone()} label="Copy Info.plist fragment" /></div>
                    <pre class="nl-code nl-plist-fragment" tabindex="0" aria-label="Info.plist fragment">{ &r.fragment }</pre>
                </div>
            }
            <label class="nl-label" for="nl-dnssd-error">{ "Explain an error code" }</label>
            <input id="nl-dnssd-error" class="nl-input nl-input-short" type="text" placeholder="-65555" value={state.error_code.clone()} oninput={setter(dispatch, Field::ErrorCode)} />
            { match state.error_code_number() {
                Some(code) => match apple::explain_error(code) {
                    Some(e) => html! { <p class="nl-error-code"><code>{ format!("{} {}", e.code, e.name) }</code>{ " " }{ e.meaning }<br/><strong>{ "Fix: " }</strong>{ e.fix }</p> },
                    None => html! { <p class="nl-muted">{ "Not a DNS-SD or NSNetService error code." }</p> },
                },
                None => html! {},
            } }
        </div>
    }
}

/// Rows of the key table and findings rendered; a large paste shows a count for the rest, so
/// the page stays responsive (the analysis and the forms still cover everything).
const SHOWN_ROWS: usize = 200;
/// Bytes of the wire view rendered (one element per byte).
const SHOWN_BYTES: usize = 2048;

/// Characters of a form shown on the page; Copy always copies all of it (laying out hundreds of
/// kilobytes of unbroken hex makes the page freeze).
const SHOWN_CHARS: usize = 2000;

/// `text`, cut to [`SHOWN_CHARS`] characters with a note of how much there is.
fn preview(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((end, _)) => format!(
            "{} … ({} characters in all; Copy copies everything)",
            &text[..end],
            text.chars().count()
        ),
        None => text.to_owned(),
    }
}

/// Props of [`Form`].
#[derive(Properties, PartialEq)]
struct FormProps {
    label: AttrValue,
    value: AttrValue,
}

/// One form to copy: label, value, copy button.
#[component]
fn Form(props: &FormProps) -> Html {
    html! {
        <>
            <dt>{ props.label.clone() }</dt>
            <dd><code class="nl-mono">{ preview(&props.value) }</code>{ " " }<CopyButton text={props.value.clone()} label="Copy" /></dd>
        </>
    }
}

/// Props of [`FindingList`].
#[derive(Properties, PartialEq)]
pub struct FindingListProps {
    /// The findings.
    pub findings: Rc<Vec<Finding>>,
}

/// Findings, most severe first: rule, subject, message and clause, expandable to the fix and
/// what each implementation does.
#[component]
pub fn FindingList(props: &FindingListProps) -> Html {
    if props.findings.is_empty() {
        return html! { <p class="nl-ok">{ "No findings." }</p> };
    }
    // Most severe first, in report order within a severity (three passes rather than a sort:
    // no sort code in the DNS-SD module for this).
    let list: Vec<&Finding> = Severity::MOST_SERIOUS_FIRST
        .iter()
        .flat_map(|s| props.findings.iter().filter(move |f| f.severity == *s))
        .collect();
    let hidden = list.len().saturating_sub(SHOWN_ROWS);
    html! {
        <ul class="nl-finding-list">
            if hidden > 0 {
                <li class="nl-note">{ format!("{} findings; the {} most severe are shown (netlens dnssd --json lists all).", list.len(), SHOWN_ROWS) }</li>
            }
            { for list.into_iter().take(SHOWN_ROWS).map(|f| html! {
                { finding_item(FindingView {
                    rule: f.rule.as_str(),
                    severity: f.severity,
                    badge: true,
                    subject: f.subject.describe(),
                    message: &f.message,
                    source: f.source,
                    fix: &f.fix,
                    details: html! {
                        { for f.implementations.iter().map(|n| html! {
                            <>
                                <dt>{ n.implementation.name() }</dt>
                                <dd><strong>{ n.behaviour.name() }</strong>{ ": " }{ n.detail }</dd>
                            </>
                        }) }
                    },
                }) }
            }) }
        </ul>
    }
}

/// Props of [`TxtResults`].
#[derive(Properties, PartialEq)]
struct TxtResultsProps {
    report: Rc<TxtReport>,
}

/// The TXT record: keys, the byte view, findings, forms.
#[component]
fn TxtResults(props: &TxtResultsProps) -> Html {
    let r = &props.report;
    if let Some(e) = &r.error {
        return html! { <p class="nl-field-error" role="alert">{ format!("Line {}, column {}: {}", e.line, e.column, e.message) }</p> };
    }
    let errors = r
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    html! {
        <div class="nl-txt-results" aria-live="polite">
            <p class="nl-muted nl-txt-format">{ format!(
                "Read as {}{} · {} string{} · {} bytes on the wire · {} error{}",
                r.format.map_or("?", |f| f.label()),
                if r.detected { " (detected)" } else { "" },
                r.strings.len(), if r.strings.len() == 1 { "" } else { "s" },
                r.wire_length,
                errors, if errors == 1 { "" } else { "s" },
            ) }</p>
            { for r.notes.iter().map(|n| html! { <p class="nl-note">{ n }</p> }) }
            if let Some(s) = &r.service {
                <p class="nl-muted">{ [
                    s.instance.as_ref().map(|i| format!("instance {i:?}")),
                    s.service_type.as_ref().map(|t| format!("type {t}")),
                    s.host.as_ref().map(|h| format!("host {h}")),
                    s.port.map(|p| format!("port {p}")),
                ].into_iter().flatten().collect::<Vec<_>>().join(" · ") }</p>
            }
            <table class="nl-table nl-txt-table">
                <thead><tr><th>{ "#" }</th><th>{ "Key" }</th><th>{ "Value" }</th><th>{ "Bytes" }</th></tr></thead>
                <tbody>
                    { for r.strings.iter().take(SHOWN_ROWS).map(|s| html! {
                        <tr class={classes!(format!("nl-kind-{}", s.kind), (!s.used && s.kind != "empty").then_some("nl-ignored"))} data-key={s.key.clone().unwrap_or_default()}>
                            <td>{ s.index + 1 }</td>
                            <td class="nl-txt-key"><code>{ s.key.clone().unwrap_or_default() }</code></td>
                            <td class="nl-txt-value">{ match (s.kind, &s.value) {
                                ("flag", _) => html! { <span class="nl-muted">{ "(no value)" }</span> },
                                ("empty", _) => html! { <span class="nl-muted">{ "(empty string)" }</span> },
                                (_, Some(v)) if v.is_empty() => html! { <span class="nl-muted">{ "(empty value)" }</span> },
                                (_, Some(v)) => html! { <code>{ v }</code> },
                                _ => html! {},
                            } }</td>
                            <td>{ s.length }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            if r.strings.len() > SHOWN_ROWS {
                <p class="nl-note">{ format!("{} more strings not listed.", r.strings.len() - SHOWN_ROWS) }</p>
            }
            <div class="nl-bytes" aria-label="TXT wire bytes">
                { for r.strings.iter().take_while(|s| s.offset < SHOWN_BYTES).map(|s| html! {
                    <span class="nl-byte-string" title={format!("string {}", s.index + 1)}>
                        <span class="nl-byte nl-len" title="length byte">{ if s.length > 255 { "??".to_owned() } else { format!("{:02X}", s.length) } }</span>
                        { for s.hex.split(' ').filter(|h| !h.is_empty()).take(SHOWN_BYTES).map(|h| html! { <span class="nl-byte">{ h }</span> }) }
                    </span>
                }) }
                if r.wire_length > SHOWN_BYTES {
                    <span class="nl-note">{ format!("… {} bytes in all (the hex form below has every byte)", r.wire_length) }</span>
                }
            </div>
            <FindingList findings={Rc::new(r.findings.clone())} />
            if let Some(f) = &r.forms {
                <div class="nl-txt-forms">
                    <h2 class="nl-subhead">{ "Correct forms to copy" }</h2>
                    { for r.corrections.iter().map(|c| html! { <p class="nl-note">{ c }</p> }) }
                    <dl class="nl-forms">
                        <Form label="Hex (wire bytes)" value={f.hex.clone()} />
                        <Form label="Base64" value={f.base64.clone()} />
                        <Form label="Zone file / nsupdate" value={f.zone.clone()} />
                        <Form label="dns-sd -R" value={f.dns_sd_register.clone()} />
                    </dl>
                    <CodeBlock title="Avahi service file (/etc/avahi/services/NAME.service)" code={f.avahi_service.clone()} />
                    <CodeBlock title="Swift (Network.framework)" code={f.swift.clone()} />
                    <CodeBlock title="python-zeroconf" code={f.python.clone()} />
                </div>
            }
        </div>
    }
}

/// Props of [`CodeBlock`].
#[derive(Properties, PartialEq)]
struct CodeBlockProps {
    title: AttrValue,
    code: AttrValue,
}

#[component]
fn CodeBlock(props: &CodeBlockProps) -> Html {
    html! {
        <div class="nl-code-block">
            <div class="nl-row"><strong>{ props.title.clone() }</strong><CopyButton text={props.code.clone()} label="Copy" /></div>
            // Focusable, so keyboard users can scroll a long line (WCAG 2.1.1).
            <pre class="nl-code" tabindex="0" aria-label={props.title.clone()}>{ preview(&props.code) }</pre>
        </div>
    }
}
