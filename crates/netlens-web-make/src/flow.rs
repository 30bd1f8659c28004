//! One run of the test certificate maker in the browser: `netlens_make::Maker`'s steps, with
//! WebCrypto making the keys and the signatures ([`crate::crypto`]) and netlens' chain
//! analysis checking the result as the chain page does (WebCrypto first, the verification
//! module for what it leaves: [`netlens_web::signatures::analyze`]). The page and the JS API both run
//! this; the CLI runs the same steps with RustCrypto (`netlens_make::rustcrypto::make`).

use std::collections::BTreeMap;

use netlens_make::existing::{CaInput, KEY_PROOF_MESSAGE};
use netlens_make::{Made, MakeError, Maker, PrivateKey, Request, Role, SignatureScheme};

use crate::crypto;

/// A CA the user pasted: its certificates (with the chain above it) and its key.
pub struct PastedCa {
    /// The certificate input.
    pub certificates: Vec<u8>,
    /// The key input.
    pub key: Vec<u8>,
}

/// Finds the pasted certificate the pasted key belongs to: WebCrypto signs a fixed message with
/// the key and verifies it with each candidate's public key.
async fn prove(
    pasted: &PastedCa,
    at: i64,
) -> Result<(netlens_make::ExistingCa, PrivateKey), String> {
    let key = PrivateKey::parse(&pasted.key).map_err(|e| e.to_string())?;
    let input =
        CaInput::read(&pasted.certificates, key.key_type(), at).map_err(|e| e.to_string())?;
    let scheme = SignatureScheme::for_key(key.key_type(), false).map_err(|e| e.to_string())?;
    let signature = crypto::sign(&key, scheme, KEY_PROOF_MESSAGE).await?;
    for n in 0..input.candidates() {
        if let Some(request) = input.proof_request(n, scheme, &signature)
            && netlens_web::webcrypto::verify_all(std::slice::from_ref(&request))
                .await
                .first()
                .copied()
                .unwrap_or(false)
        {
            return input
                .select(n)
                .map(|ca| (ca, key))
                .map_err(|e| e.to_string());
        }
    }
    Err(input.mismatch().to_string())
}

fn sentence(e: MakeError) -> String {
    e.to_string()
}

/// Makes everything `request` asks for at `at`: a new CA or `pasted`, keys from `given` (by
/// role, PEM or DER) or WebCrypto, the files. `password` protects the PKCS#12 files (one is
/// made up when it is `None`). Errors are sentences for the reader.
pub async fn make(
    request: Request,
    at: i64,
    pasted: Option<PastedCa>,
    given: BTreeMap<Role, Vec<u8>>,
    password: Option<String>,
) -> Result<Made, String> {
    if netlens_web::webcrypto::subtle().is_none() {
        return Err(
            "WebCrypto is not available here: the page must be served over https (or from \
             localhost) for the browser to make keys."
                .into(),
        );
    }
    let existing = match &pasted {
        Some(p) => Some(prove(p, at).await?),
        None => None,
    };
    let mut keys = BTreeMap::new();
    for (role, input) in given {
        let key = PrivateKey::parse(&input).map_err(|e| format!("The {} key: {e}", role.word()))?;
        let spki = crypto::public_key(&key).await?;
        keys.insert(role, (key, spki));
    }
    let mut maker = Maker::new(request, at, existing, keys).map_err(sentence)?;
    for (role, key_type) in maker.keys_needed() {
        let (key, spki) = crypto::generate(key_type).await?;
        maker.add_key(role, key, spki);
    }
    let mut signatures = Vec::new();
    for item in maker.to_sign().map_err(sentence)?.to_vec() {
        let key = maker.signer_key(&item).map_err(sentence)?;
        signatures.push(crypto::sign(key, item.scheme, &item.tbs).await?);
    }
    let signed = maker.assemble(&signatures).map_err(sentence)?;
    let mut outcomes = Vec::new();
    for check in signed.checks() {
        let analysis = netlens_web::signatures::analyze(check.analyzer(), true).await;
        outcomes.push(check.judge(&analysis));
    }
    let mut random_ok = true;
    let made = signed
        .finish(outcomes, password.as_deref(), &mut |out: &mut [u8]| {
            random_ok &= crypto::random(out)
        })
        .map_err(sentence)?;
    if !random_ok {
        return Err(
            "This browser gave no random numbers (crypto.getRandomValues): nothing was made."
                .into(),
        );
    }
    Ok(made)
}
