//! Mozilla's root store from NSS' `lib/ckfw/builtins/certdata.txt`: the certificates whose
//! trust object says `CKA_TRUST_SERVER_AUTH CKT_NSS_TRUSTED_DELEGATOR`, with the
//! `CKA_NSS_SERVER_DISTRUST_AFTER` date that hangs off either object. Firefox compares that date
//! with the leaf's notBefore. The version is `NSS_BUILTINS_LIBRARY_VERSION` of `nssckbi.h`.

use std::collections::HashMap;

use crate::cert::{self, CertPieces};
use crate::git::Repo;

/// A root of the store.
pub struct NssRoot {
    /// The certificate's pieces.
    pub cert: CertPieces,
    /// Server distrust-after moment (Unix seconds), if any.
    pub distrust_after: Option<i64>,
}

/// What was read.
pub struct NssStore {
    /// NSS builtins version.
    pub version: String,
    /// Date of the last change to certdata.txt.
    pub date: String,
    /// Where it came from.
    pub source: String,
    /// The roots trusted for server authentication.
    pub roots: Vec<NssRoot>,
}

/// An attribute's value: a token (`CKT_NSS_TRUSTED_DELEGATOR`, `CK_FALSE`), text, or octets.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Token(String),
    Octets(Vec<u8>),
}

type Object = HashMap<String, Value>;

/// Parses certdata.txt into its objects (attribute name -> value).
fn objects(text: &str) -> Result<Vec<Object>, String> {
    let mut out: Vec<Object> = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') || line == "BEGINDATA" {
            continue;
        }
        let mut parts = line.splitn(3, ' ');
        let (Some(name), Some(kind)) = (parts.next(), parts.next()) else {
            continue;
        };
        let rest = parts.next().unwrap_or_default();
        if name == "CKA_CLASS" {
            out.push(Object::new());
        }
        let Some(object) = out.last_mut() else {
            return Err(format!("line {}: attribute before any CKA_CLASS", n + 1));
        };
        let value = if kind == "MULTILINE_OCTAL" {
            let mut bytes = Vec::new();
            loop {
                let Some((m, data)) = lines.next() else {
                    return Err(format!("line {}: MULTILINE_OCTAL without END", n + 1));
                };
                let data = data.trim();
                if data == "END" {
                    break;
                }
                for octal in data.split('\\').skip(1) {
                    bytes.push(
                        u8::from_str_radix(octal, 8)
                            .map_err(|_| format!("line {}: bad octal {octal:?}", m + 1))?,
                    );
                }
            }
            Value::Octets(bytes)
        } else if kind == "UTF8" {
            Value::Token(rest.trim_matches('"').to_owned())
        } else {
            Value::Token(rest.to_owned())
        };
        object.insert(name.to_owned(), value);
    }
    Ok(out)
}

fn token<'a>(object: &'a Object, name: &str) -> Option<&'a str> {
    match object.get(name)? {
        Value::Token(t) => Some(t),
        Value::Octets(_) => None,
    }
}

fn octets<'a>(object: &'a Object, name: &str) -> Option<&'a [u8]> {
    match object.get(name)? {
        Value::Octets(o) => Some(o),
        Value::Token(_) => None,
    }
}

/// `YYMMDDHHMMSSZ` (UTCTime, as NSS stores distrust dates) to Unix seconds.
fn utc_time(bytes: &[u8]) -> Result<i64, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "distrust date is not text")?;
    let digits = text.strip_suffix('Z').unwrap_or(text);
    if digits.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("distrust date {text:?} is not YYMMDDHHMMSSZ"));
    }
    let year: i64 = 2000 + digits[0..2].parse::<i64>().unwrap_or_default();
    let iso = format!(
        "{year}-{}-{}T{}:{}:{}Z",
        &digits[2..4],
        &digits[4..6],
        &digits[6..8],
        &digits[8..10],
        &digits[10..12]
    );
    netlens_x509::time::parse_moment(&iso).ok_or(format!("distrust date {text:?}"))
}

fn distrust_after(object: &Object) -> Result<Option<i64>, String> {
    octets(object, "CKA_NSS_SERVER_DISTRUST_AFTER")
        .map(utc_time)
        .transpose()
}

/// Reads the store at `repo`'s revision.
pub fn read(repo: &Repo) -> Result<NssStore, String> {
    const CERTDATA: &str = "lib/ckfw/builtins/certdata.txt";
    let header = String::from_utf8_lossy(&repo.read("lib/ckfw/builtins/nssckbi.h")?).into_owned();
    let version = header
        .lines()
        .find_map(|l| l.strip_prefix("#define NSS_BUILTINS_LIBRARY_VERSION \""))
        .map(|v| v.trim_end_matches('"').to_owned())
        .ok_or("nssckbi.h has no NSS_BUILTINS_LIBRARY_VERSION")?;
    let text = String::from_utf8(repo.read(CERTDATA)?).map_err(|_| "certdata.txt is not UTF-8")?;
    let objects = objects(&text)?;

    // Trust objects by (issuer, serial).
    let mut trust: HashMap<(Vec<u8>, Vec<u8>), &Object> = HashMap::new();
    for o in &objects {
        if token(o, "CKA_CLASS") == Some("CKO_NSS_TRUST")
            && let (Some(issuer), Some(serial)) =
                (octets(o, "CKA_ISSUER"), octets(o, "CKA_SERIAL_NUMBER"))
        {
            trust.insert((issuer.to_vec(), serial.to_vec()), o);
        }
    }
    let mut roots = Vec::new();
    for o in &objects {
        if token(o, "CKA_CLASS") != Some("CKO_CERTIFICATE") {
            continue;
        }
        let (Some(der), Some(issuer), Some(serial)) = (
            octets(o, "CKA_VALUE"),
            octets(o, "CKA_ISSUER"),
            octets(o, "CKA_SERIAL_NUMBER"),
        ) else {
            return Err(
                "a certificate object lacks CKA_VALUE, CKA_ISSUER or CKA_SERIAL_NUMBER".into(),
            );
        };
        let label = token(o, "CKA_LABEL").unwrap_or_default().to_owned();
        let Some(t) = trust.get(&(issuer.to_vec(), serial.to_vec())) else {
            return Err(format!("{label}: no trust object"));
        };
        if token(t, "CKA_TRUST_SERVER_AUTH") != Some("CKT_NSS_TRUSTED_DELEGATOR") {
            continue;
        }
        let distrust = match (distrust_after(o)?, distrust_after(t)?) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        roots.push(NssRoot {
            cert: cert::pieces(der).map_err(|e| format!("{label}: {e}"))?,
            distrust_after: distrust,
        });
    }
    Ok(NssStore {
        date: repo.date_of_change(CERTDATA)?,
        source: format!(
            "nss-dev/nss {CERTDATA} at commit {} (NSS builtins {version}): roots with \
             CKA_TRUST_SERVER_AUTH CKT_NSS_TRUSTED_DELEGATOR",
            repo.short()
        ),
        version,
        roots,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certdata_objects_and_dates_parse() {
        let text = "BEGINDATA\nCKA_CLASS CK_OBJECT_CLASS CKO_CERTIFICATE\nCKA_LABEL UTF8 \"Root\"\n\
                    CKA_NSS_SERVER_DISTRUST_AFTER MULTILINE_OCTAL\n\\062\\064\\061\\061\\063\\060\\062\\063\\065\\071\\065\\071\\132\nEND\n\
                    CKA_NSS_EMAIL_DISTRUST_AFTER CK_BBOOL CK_FALSE\n";
        let objects = objects(text).unwrap();
        assert_eq!(objects.len(), 1);
        assert_eq!(token(&objects[0], "CKA_LABEL"), Some("Root"));
        assert_eq!(
            distrust_after(&objects[0]).unwrap(),
            netlens_x509::time::parse_moment("2024-11-30T23:59:59Z")
        );
        assert!(utc_time(b"2411302359").is_err());
    }
}
