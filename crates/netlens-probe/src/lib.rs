//! WebSocket latency probing with no I/O, clock, wasm or DOM dependency.
//!
//! The browser's Web Worker and the native CLI each own a socket and a monotonic clock and drive
//! the same [`Session`]: they tell it when the connection opens, closes or fails, hand it every
//! message, ask it what to send and when, and read its [`Summary`]. So the two measure with the
//! same protocol, the same timeouts and the same statistics, and their numbers can be compared
//! (the accuracy benchmark does exactly that).
//!
//! - [`config`]: endpoint and settings, validated, with the message mode (echo or
//!   request/response).
//! - [`wire`]: the binary probe and the request/response template and reply matching.
//! - [`stats`]: distributions, window, RFC 6298, jitter, RPM bands, confidence.
//! - [`change`]: change detection (CUSUM on log RTT).
//! - [`export`]: CSV rows and the definition of every number.
//! - [`layers`]: where the browser tool's settings come from (URL, element, hosted file, default).
//! - [`worker`]: the messages between the browser UI and its probe worker.
//! - [`compare`]: networkQuality's and goresponsiveness' results read for a side-by-side view,
//!   and netlens' run under networkQuality's `-c` key names.
//! - [`quality`]: responsiveness under working conditions (the RPM draft's aggregation,
//!   saturation and confidence rules), bufferbloat grades, and the running throughput estimate.
//! - [`session`]: the state machine: sequence numbers, adaptive timeout, loss, late and
//!   duplicate replies, segments, reconnect back-off, bounded records.

pub mod change;
pub mod codec;
pub mod compare;
pub mod config;
pub mod export;
pub mod layers;
pub mod quality;
pub mod session;
pub mod stats;
pub mod wire;
pub mod worker;

pub use config::{ConfigError, MessageMode, ProbeConfig};
pub use session::{Event, Incoming, Outcome, Sample, Session, Summary};
