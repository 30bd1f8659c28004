//! PKCS#12 files in a tool: a password field for each locked one (the password is never kept,
//! shown or sent anywhere: the field is emptied as it is read), and what each opened one holds.
//! A view function over [`crate::state::pkcs12::Pkcs12Files`], shared by the decoder and the
//! chain analysis.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::state::pkcs12::Pkcs12Files;

/// The panel; `opened` receives the PKCS#12 module's answer for a locked file (its name and the
/// result), once the password typed has opened it or not.
pub fn pkcs12_panel(
    files: &Pkcs12Files,
    opened: &Callback<(String, Result<std::rc::Rc<crate::pkcs12::Opened>, String>)>,
) -> Html {
    if files.locked.is_empty() && files.opened.is_empty() {
        return html! {};
    }
    let submit = |file: &crate::files::LoadedFile| {
        let opened = opened.clone();
        let name = file.name.clone();
        let bytes = file.bytes.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let form = e.target_unchecked_into::<web_sys::Element>();
            let Some(input) = form
                .query_selector("input[name=\"password\"]")
                .ok()
                .flatten()
                .and_then(|el| wasm_bindgen::JsCast::dyn_into::<HtmlInputElement>(el).ok())
            else {
                return;
            };
            let password = input.value();
            input.set_value("");
            let (opened, name, bytes) = (opened.clone(), name.clone(), bytes.clone());
            // The password goes to the module's call and is dropped with this future.
            wasm_bindgen_futures::spawn_local(async move {
                let bytes = bytes.as_deref().map_or(&[][..], |b| b.as_slice());
                let result = crate::pkcs12::open(bytes, &password)
                    .await
                    .map(std::rc::Rc::new);
                opened.emit((name, result));
            });
        })
    };
    html! {
        <div class="nl-pkcs12">
            { for files.locked.iter().enumerate().map(|(i, f)| html! {
                <form class="nl-pkcs12-locked" onsubmit={submit(f)}>
                    <label class="nl-label" for={format!("nl-p12-{i}")}>
                        { format!("{} is a PKCS#12 identity: its password", f.name) }
                    </label>
                    <div class="nl-row">
                        <input id={format!("nl-p12-{i}")} class="nl-input" type="password" name="password" autocomplete="off" />
                        <button type="submit" class="nl-button nl-button-small">{ "Open" }</button>
                    </div>
                    <p class="nl-muted">{ "The password and the key stay in this page: the key is only compared with the certificates, never shown, kept or sent." }</p>
                    if let Some((name, why)) = &files.error {
                        if *name == f.name {
                            <p class="nl-field-error" role="alert">{ why.clone() }</p>
                        }
                    }
                </form>
            }) }
            { for files.opened.iter().map(|(name, i)| {
                let i: &crate::pkcs12::Summary = i;
                let key = match (i.keys, i.key_certificate, i.key_unchecked) {
                    (0, _, _) => "It holds no private key: a certificate bundle, not an identity.".to_owned(),
                    (_, Some(c), _) => format!("Its private key matches certificate {} of the file (compared by public key; the key is not shown).", c + 1),
                    (_, None, true) => "Its private key does not carry its public half, so it was not compared.".to_owned(),
                    (_, None, false) => "Its private key matches none of its certificates: it is not a usable identity.".to_owned(),
                };
                html! {
                    <div class="nl-pkcs12-opened" data-verdict={i.apple_import.verdict.clone()}>
                        <strong>{ format!("{name}: {}. ", i.contents.join(", ")) }</strong>
                        { key }
                        { if i.intermediates.is_empty() { " It includes no intermediate: the peer must already have the issuer, or the chain is incomplete.".to_owned() } else { format!(" It includes the intermediate(s) {}.", i.intermediates.join(", ")) } }
                        <p>{ format!("Encryption: {}; MAC {}. ", i.encryption.join(", "), i.mac) }<strong>{ "Apple: " }</strong>{ i.apple_import.explanation.clone() }</p>
                    </div>
                }
            }) }
        </div>
    }
}
