//! The trust stores in the browser: `trust-stores.bin` (see `netlens_roots::file`), fetched the
//! first time an analysis uses the built-in stores, rather than compiled into the chain module
//! that every page embedding `<netlens-chain>` downloads.
//!
//! One fetch at a time: analyses started while it runs (the user typing) wait for the same one.
//! A failed fetch is said in a sentence and tried again by the next analysis. The single-file
//! build carries the file inline and installs it with [`install`] before any analysis.

use std::cell::RefCell;

use futures::FutureExt;
use futures::future::{LocalBoxFuture, Shared};
use netlens_chain::TrustData;

/// The file beside netlens.
pub const FILE: &str = "trust-stores.bin";

type Loading = Shared<LocalBoxFuture<'static, Result<(), String>>>;

thread_local! {
    static LOADING: RefCell<Option<Loading>> = const { RefCell::new(None) };
}

/// Installs the stores from the bytes of `trust-stores.bin`; `Err` with a sentence when they
/// are not this build's stores.
pub fn install(bytes: Vec<u8>) -> Result<(), String> {
    if TrustData::builtin_available() {
        return Ok(());
    }
    // Installed stores live as long as the page, like compiled-in tables: leaked once.
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    let data = netlens_roots::file::decode(bytes).map_err(|e| {
        format!(
            "The trust stores could not be read ({e}): serve {FILE} from the same netlens build \
             as the chain module."
        )
    })?;
    netlens_roots::install(data);
    Ok(())
}

async fn fetch_and_install() -> Result<(), String> {
    match crate::assets::fetch_bytes(FILE).await {
        Ok(Some(bytes)) => install(bytes),
        Ok(None) => Err(format!(
            "The trust stores ({FILE}) could not be loaded: check the network connection, then \
             analyze again."
        )),
        Err(why) => Err(format!("The trust stores could not be loaded: {why}.")),
    }
}

/// Makes the built-in stores available (fetching them once); `Err` with a sentence for the
/// reader when they cannot be.
pub async fn ensure() -> Result<(), String> {
    if TrustData::builtin_available() {
        return Ok(());
    }
    let loading = LOADING.with(|l| {
        l.borrow_mut()
            .get_or_insert_with(|| fetch_and_install().boxed_local().shared())
            .clone()
    });
    let result = loading.await;
    if result.is_err() {
        // The next analysis tries again (the network may be back).
        LOADING.with(|l| l.borrow_mut().take());
    }
    result
}
