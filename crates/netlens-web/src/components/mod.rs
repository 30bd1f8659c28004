//! Function components. Each renders data it is given and reports user intent through callbacks;
//! state lives in [`crate::state`].

pub mod cert_card;
pub mod cert_decoder;
pub mod chain_analyzer;
pub mod copy_button;
pub mod dnssd;
pub mod finding;
pub mod inputs;
pub mod pkcs12;
pub mod probe;
pub mod problem_list;
pub mod rules;
