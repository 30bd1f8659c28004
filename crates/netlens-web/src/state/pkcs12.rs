//! PKCS#12 files a tool was given: locked until the user types their password and the PKCS#12
//! module ([`crate::pkcs12`]) opens them, then their certificates (as a PEM file the tool reads
//! like any other) and a summary of what they hold. Shared by the decoder and the chain
//! analysis.
//!
//! The password never reaches the state: the component hands it to the module and dispatches
//! only the result.

use std::rc::Rc;

use crate::files::LoadedFile;
use crate::pkcs12::{Opened, Summary};

/// A tool's PKCS#12 files.
#[derive(Clone, Debug, Default)]
pub struct Pkcs12Files {
    /// Waiting for their password.
    pub locked: Vec<LoadedFile>,
    /// Opened: the file's name and what it holds (never its key).
    pub opened: Vec<(String, Rc<Summary>)>,
    /// Why a file could not be opened, with its name.
    pub error: Option<(String, String)>,
}

/// The suffix of the PEM file an opened PKCS#12 becomes.
const OPENED: &str = " (PKCS#12)";

pub use netlens_x509::der_scan::is_pkcs12;

impl Pkcs12Files {
    /// Keeps the PKCS#12 files of `files` locked; returns the others.
    pub fn take(&mut self, files: Vec<LoadedFile>) -> Vec<LoadedFile> {
        let (locked, others): (Vec<_>, Vec<_>) = files
            .into_iter()
            .partition(|f| f.bytes.as_deref().is_some_and(|b| is_pkcs12(b)));
        self.locked.extend(locked);
        others
    }

    /// The module's answer for the locked file `name`: its certificates as a PEM file to add
    /// to the tool's files, or `None` (the error is kept and the file stays locked; also when
    /// the file was removed meanwhile).
    pub fn opened(&mut self, name: &str, result: Result<Rc<Opened>, String>) -> Option<LoadedFile> {
        let index = self.locked.iter().position(|f| f.name == name)?;
        match result {
            Ok(opened) => {
                self.locked.remove(index);
                self.error = None;
                let pem: String = opened
                    .certificates
                    .iter()
                    .map(|c| netlens_x509::details::to_pem(c))
                    .collect();
                self.opened
                    .push((name.to_owned(), Rc::new(opened.summary.clone())));
                Some(LoadedFile {
                    name: format!("{name}{OPENED}"),
                    size: pem.len(),
                    bytes: Some(Rc::new(pem.into_bytes())),
                })
            }
            Err(why) => {
                self.error = Some((name.to_owned(), why));
                None
            }
        }
    }

    /// Forgets the summary of the opened file whose PEM file `removed` was.
    pub fn removed(&mut self, removed: &LoadedFile) {
        if let Some(name) = removed.name.strip_suffix(OPENED) {
            self.opened.retain(|(n, _)| n != name);
        }
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        *self = Pkcs12Files::default();
    }
}

/// A PKCS#12 file of the demo leaf and its intermediate, and what the module answers for it
/// (`netlens make`'s reader run natively), for the reducers' tests. The "key" is a stand-in:
/// it is only compared with the certificates.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub fn demo_file(password: &str) -> (LoadedFile, impl Fn(&str) -> Result<Rc<Opened>, String>) {
    let chain = include_str!("../../../netlens-testkit/fixtures/demo-chain.pem");
    let blocks: Vec<Vec<u8>> = netlens_x509::input::scan(chain.as_bytes(), None)
        .certificates()
        .iter()
        .map(|c| c.der.clone())
        .collect();
    let mut n = 0u8;
    let file = netlens_make::pkcs12::write(
        &netlens_make::pkcs12::Identity {
            key_pkcs8: &[0x30, 0x03, 0x02, 0x01, 0x00],
            certificate: &blocks[0],
            chain: vec![&blocks[1]],
            friendly_name: "www.netlens.test",
        },
        password,
        netlens_make::pkcs12::Pkcs12Format::Apple,
        &mut |out: &mut [u8]| {
            for b in out {
                n = n.wrapping_add(7);
                *b = n;
            }
        },
    )
    .unwrap()
    .to_vec();
    let bytes = file.clone();
    // As the module answers: the inspection through JSON, the shape it crosses to the page in.
    let open = move |password: &str| {
        netlens_make::pkcs12::inspect(&bytes, password)
            .map(|i| {
                let summary: Summary =
                    serde_json::from_value(serde_json::to_value(&i).unwrap()).unwrap();
                Rc::new(Opened {
                    certificates: i.certificates.clone(),
                    summary,
                })
            })
            .map_err(|e| e.to_string())
    };
    (
        LoadedFile {
            name: "id.p12".into(),
            size: file.len(),
            bytes: Some(Rc::new(file)),
        },
        open,
    )
}
