//! Tool state, as reducers (Yew's `function_todomvc` pattern): what the user gave us and what
//! the cores made of it. Each tool instance (app page or custom element) has its own.

pub mod chain;
pub mod decoder;
pub mod dnssd;
pub mod pkcs12;
pub mod probe;

pub use decoder::{DecoderAction, DecoderState};
