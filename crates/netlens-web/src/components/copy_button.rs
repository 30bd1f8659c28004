//! A button that copies text to the clipboard and says whether it worked.

use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

/// Props of [`CopyButton`].
#[derive(Properties, PartialEq)]
pub struct CopyButtonProps {
    /// The text to copy.
    #[prop_or_default]
    pub text: AttrValue,
    /// Produces the text at click time instead (for large texts such as a JSON report).
    #[prop_or_default]
    pub produce: Option<Callback<(), String>>,
    /// Button label.
    pub label: AttrValue,
}

#[derive(Clone, Copy, PartialEq)]
enum CopyState {
    Idle,
    Copied,
    Failed,
}

/// Copies `text`; the label turns into "Copied" or "Copy failed" (the clipboard API needs a
/// secure context and, in some browsers, a permission).
#[component]
pub fn CopyButton(props: &CopyButtonProps) -> Html {
    let state = use_state(|| CopyState::Idle);
    let onclick = {
        let text = props.text.clone();
        let produce = props.produce.clone();
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            let text = match &produce {
                Some(produce) => produce.emit(()),
                None => text.to_string(),
            };
            let state = state.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let copied = match web_sys::window() {
                    Some(window) => {
                        JsFuture::from(window.navigator().clipboard().write_text(&text))
                            .await
                            .is_ok()
                    }
                    None => false,
                };
                state.set(if copied {
                    CopyState::Copied
                } else {
                    CopyState::Failed
                });
            });
        })
    };
    let label = match *state {
        CopyState::Idle => props.label.to_string(),
        CopyState::Copied => "Copied".to_owned(),
        CopyState::Failed => "Copy failed".to_owned(),
    };
    html! {
        <button type="button" class="nl-button nl-button-small" {onclick}>{ label }</button>
    }
}
