//! Input widgets shared by the tools: a paste area, a drop zone, a file picker, file chips.

use gloo_timers::callback::Timeout;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::files::{LoadedFile, load_files};

/// Pastes up to this size are handed over on every keystroke; larger ones wait for typing to
/// pause, so a multi-megabyte bundle is never processed twice per key press.
const IMMEDIATE_BYTES: usize = 256 * 1024;
const DEBOUNCE_MS: u32 = 300;

/// Props of [`PasteArea`].
#[derive(Properties, PartialEq)]
pub struct PasteAreaProps {
    /// Element id (for its label).
    pub id: AttrValue,
    /// Placeholder text.
    pub placeholder: AttrValue,
    /// Text shown when it first renders.
    #[prop_or_default]
    pub initial: AttrValue,
    /// A handle the parent uses to replace the text (examples, clear).
    pub textarea: NodeRef,
    /// Called with the text after each change.
    pub on_text: Callback<String>,
    /// Extra CSS class.
    #[prop_or_default]
    pub class: Classes,
}

/// A textarea for pasted certificates. Uncontrolled: a re-render never resets what the user is
/// typing while a debounced update is pending.
#[component]
pub fn PasteArea(props: &PasteAreaProps) -> Html {
    let pending = use_mut_ref(|| None::<Timeout>);
    {
        let textarea = props.textarea.clone();
        let initial = props.initial.clone();
        use_effect_with((), move |_| {
            if let Some(t) = textarea.cast::<HtmlTextAreaElement>() {
                t.set_value(&initial);
            }
        });
    }
    let oninput = {
        let on_text = props.on_text.clone();
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlTextAreaElement>().value();
            pending.borrow_mut().take(); // cancels a scheduled update
            if value.len() <= IMMEDIATE_BYTES {
                on_text.emit(value);
            } else {
                let on_text = on_text.clone();
                *pending.borrow_mut() =
                    Some(Timeout::new(DEBOUNCE_MS, move || on_text.emit(value)));
            }
        })
    };
    html! {
        <textarea
            id={props.id.clone()}
            class={classes!("nl-textarea", props.class.clone())}
            ref={props.textarea.clone()}
            spellcheck="false"
            autocomplete="off"
            placeholder={props.placeholder.clone()}
            {oninput}
        />
    }
}

/// Sets a [`PasteArea`]'s text from outside (examples, clear).
pub fn set_text(textarea: &NodeRef, text: &str) {
    if let Some(t) = textarea.cast::<HtmlTextAreaElement>() {
        t.set_value(text);
    }
}

/// Props of [`DropZone`].
#[derive(Properties, PartialEq)]
pub struct DropZoneProps {
    /// Receives the dropped files, once read.
    pub on_files: Callback<Vec<LoadedFile>>,
    /// Extra CSS class.
    #[prop_or_default]
    pub class: Classes,
    /// Content.
    pub children: Html,
}

/// A region that accepts dropped files.
#[component]
pub fn DropZone(props: &DropZoneProps) -> Html {
    let dragging = use_state(|| false);
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if !*dragging {
                dragging.set(true);
            }
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let ondrop = {
        let dragging = dragging.clone();
        let on_files = props.on_files.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(files) = e.data_transfer().and_then(|dt| dt.files()) {
                let on_files = on_files.clone();
                load_files(files, move |loaded| on_files.emit(loaded));
            }
        })
    };
    let class = classes!(
        "nl-dropzone",
        (*dragging).then_some("nl-dragging"),
        props.class.clone()
    );
    html! {
        <div {class} {ondragover} {ondragleave} {ondrop}>
            { props.children.clone() }
        </div>
    }
}

/// Props of [`FilePicker`].
#[derive(Properties, PartialEq)]
pub struct FilePickerProps {
    /// Button label.
    pub label: AttrValue,
    /// Accepted file name patterns.
    pub accept: AttrValue,
    /// Accessible name of the file input.
    pub aria_label: AttrValue,
    /// Allow several files.
    #[prop_or(true)]
    pub multiple: bool,
    /// Receives the picked files, once read.
    pub on_files: Callback<Vec<LoadedFile>>,
    /// Extra CSS class for the button.
    #[prop_or_default]
    pub class: Classes,
}

/// A button that opens the file chooser.
#[component]
pub fn FilePicker(props: &FilePickerProps) -> Html {
    let input = use_node_ref();
    let onclick = {
        let input = input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(i) = input.cast::<HtmlInputElement>() {
                i.click();
            }
        })
    };
    let onchange = {
        let on_files = props.on_files.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            if let Some(files) = input.files() {
                let on_files = on_files.clone();
                load_files(files, move |loaded| on_files.emit(loaded));
            }
            input.set_value(""); // picking the same file again fires `change` again
        })
    };
    html! {
        <>
            <button type="button" class={classes!("nl-button", props.class.clone())} {onclick}>{ props.label.clone() }</button>
            <input
                type="file"
                class="nl-hidden"
                ref={input}
                multiple={props.multiple}
                accept={props.accept.clone()}
                aria-label={props.aria_label.clone()}
                {onchange}
            />
        </>
    }
}

/// Props of [`FileChips`].
#[derive(Properties, PartialEq)]
pub struct FileChipsProps {
    /// The files.
    pub files: Vec<LoadedFile>,
    /// Asks to remove the file at an index.
    pub on_remove: Callback<usize>,
    /// Accessible name of the list.
    #[prop_or(AttrValue::from("Loaded files"))]
    pub label: AttrValue,
}

/// Loaded files as removable chips.
#[component]
pub fn FileChips(props: &FileChipsProps) -> Html {
    if props.files.is_empty() {
        return html! {};
    }
    html! {
        <ul class="nl-files" aria-label={props.label.clone()}>
            { for props.files.iter().enumerate().map(|(i, f)| {
                let on_remove = props.on_remove.clone();
                let remove = Callback::from(move |_: MouseEvent| on_remove.emit(i));
                html! {
                    <li class="nl-file">
                        <span>{ format!("{} ({})", f.name, human_size(f.size)) }</span>
                        <button type="button" class="nl-remove" aria-label={format!("Remove {}", f.name)} onclick={remove}>{ "×" }</button>
                    </li>
                }
            }) }
        </ul>
    }
}

/// "955 B", "4.8 KiB", "6.0 MiB".
pub fn human_size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}
