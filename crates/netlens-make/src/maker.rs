//! One run, step by step, for any shell: the CLI drives it with RustCrypto
//! ([`crate::rustcrypto::make`]), the page with WebCrypto (asynchronously, between steps).
//!
//! ```text
//! Maker::new(request, at, existing CA, keys the user gave)
//!   → keys_needed()          the shell makes these keys, add_key() each
//!   → to_sign()              the shell signs each with signer_key(item)
//!   → assemble(signatures) → Signed
//!   → checks()               the shell analyses each, Check::judge
//!   → finish(outcomes, password, random) → Made (the files)
//! ```

use std::collections::BTreeMap;

use zeroize::Zeroizing;

use crate::bundle::{self, OutputFile, Secrets};
use crate::checks::{Check, Outcome};
use crate::error::MakeError;
use crate::existing::ExistingCa;
use crate::issue::{self, Issued, PublicKeys, ToSign};
use crate::keys::{KeyType, PrivateKey};
use crate::request::{Issuer, Plan, Request, Role};

/// A run before its certificates are signed.
pub struct Maker {
    plan: Plan,
    keys: BTreeMap<Role, PrivateKey>,
    public: PublicKeys,
    to_sign: Vec<ToSign>,
}

impl Maker {
    /// Checks `request` at `at`, for a new CA or `existing` (whose key is `ca_key`), with the
    /// keys the user gave by role (each must be of the type the request asks for that role).
    pub fn new(
        request: Request,
        at: i64,
        existing: Option<(ExistingCa, PrivateKey)>,
        given: BTreeMap<Role, (PrivateKey, Vec<u8>)>,
    ) -> Result<Maker, MakeError> {
        let (existing, ca_key) = match existing {
            Some((ca, key)) => (Some(ca), Some(key)),
            None => (None, None),
        };
        let plan = Plan::new(request, at, existing)?;
        let mut maker = Maker {
            plan,
            keys: BTreeMap::new(),
            public: PublicKeys::new(),
            to_sign: Vec::new(),
        };
        let roles = maker.plan.roles();
        for (role, (key, spki)) in given {
            if roles.iter().any(|(r, _)| *r == role) {
                maker.add_key(role, key, spki);
            }
        }
        if let Some(key) = ca_key {
            maker.keys.insert(Role::Ca, key);
        }
        Ok(maker)
    }

    /// The keys still to make, by role and type.
    pub fn keys_needed(&self) -> Vec<(Role, KeyType)> {
        self.plan
            .roles()
            .into_iter()
            .filter(|(role, _)| self.public.get(*role).is_none())
            .collect()
    }

    /// Sets `role`'s key and its SubjectPublicKeyInfo (DER).
    pub fn add_key(&mut self, role: Role, key: PrivateKey, spki: Vec<u8>) {
        self.public.insert(role, spki);
        self.keys.insert(role, key);
    }

    /// The certificates to sign, in order (built once every key is in).
    pub fn to_sign(&mut self) -> Result<&[ToSign], MakeError> {
        if self.to_sign.is_empty() {
            self.to_sign = issue::to_sign(&self.plan, &self.public)?;
        }
        Ok(&self.to_sign)
    }

    /// The key that signs `item`.
    pub fn signer_key(&self, item: &ToSign) -> Result<&PrivateKey, MakeError> {
        self.keys
            .get(&item.signer)
            .ok_or_else(|| MakeError::KeyRoleMismatch {
                role: self.plan.role_name(item.signer),
                why: "it is missing".into(),
            })
    }

    /// Puts in the signatures (`signatures[i]` for the `i`th of [`Maker::to_sign`]).
    pub fn assemble(mut self, signatures: &[Vec<u8>]) -> Result<Signed, MakeError> {
        self.to_sign()?;
        let issued = issue::assemble(&self.plan, &self.to_sign, signatures)?;
        let checks = crate::checks::checks(&self.plan, &issued);
        Ok(Signed {
            plan: self.plan,
            keys: self.keys,
            to_sign: self.to_sign,
            issued,
            checks,
        })
    }
}

/// A run with its certificates, before the checks' results and the files.
pub struct Signed {
    plan: Plan,
    keys: BTreeMap<Role, PrivateKey>,
    to_sign: Vec<ToSign>,
    issued: Issued,
    checks: Vec<Check>,
}

impl Signed {
    /// The analyses to run.
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// Writes the files: `outcomes` are the checks' results (in [`Signed::checks`] order),
    /// `password` protects the PKCS#12 files (made up from `random` when `None`).
    pub fn finish(
        mut self,
        outcomes: Vec<Outcome>,
        password: Option<&str>,
        random: &mut dyn FnMut(&mut [u8]),
    ) -> Result<Made, MakeError> {
        let (password, password_generated) = match password.filter(|p| !p.is_empty()) {
            Some(p) => (Zeroizing::new(p.to_owned()), false),
            None => (bundle::generate_password(random), true),
        };
        let secrets = Secrets {
            ca: match self.plan.issuer {
                Issuer::New { .. } => self.keys.remove(&Role::Ca),
                Issuer::Existing(_) => None,
            },
            server: self.keys.remove(&Role::Server),
            clients: (0..self.plan.clients.len())
                .filter_map(|i| self.keys.remove(&Role::Client(i)))
                .collect(),
        };
        // The root's key (and a given CA's) ends here: it is never written anywhere.
        self.keys.clear();
        let files = bundle::files(
            &self.plan,
            &self.issued,
            &secrets,
            &password,
            &outcomes,
            random,
        )?;
        Ok(Made {
            ca_label: bundle::ca_label(&self.issued),
            plan: self.plan,
            to_sign: self.to_sign,
            issued: self.issued,
            outcomes,
            files,
            password,
            password_generated,
        })
    }
}

/// Everything one run made.
pub struct Made {
    /// The checked request.
    pub plan: Plan,
    /// The CA's name, as devices list it.
    pub ca_label: String,
    /// The to-be-signed certificates, in signing order.
    pub to_sign: Vec<ToSign>,
    /// The certificates.
    pub issued: Issued,
    /// The checks' results.
    pub outcomes: Vec<Outcome>,
    /// The files.
    pub files: Vec<OutputFile>,
    /// The PKCS#12 password (the user's, or one made up).
    pub password: Zeroizing<String>,
    /// Whether the password was made up (so the shell shows it).
    pub password_generated: bool,
}

impl Made {
    /// Every check came out as expected.
    pub fn all_passed(&self) -> bool {
        self.outcomes.iter().all(|o| o.passed)
    }

    /// The constraints in words, when this run placed any.
    pub fn constraints(&self) -> Option<String> {
        match (&self.plan.issuer, self.plan.request.constraints) {
            (Issuer::Existing(_), _) | (_, crate::request::Placement::None) => None,
            _ => Some(self.plan.constraints.describe()),
        }
    }
}
