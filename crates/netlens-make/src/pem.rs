//! PEM (RFC 7468): writing the files netlens makes, and finding the blocks of a pasted key
//! file. Certificates are found by `netlens-x509`'s scanner, which reads far more wrappers;
//! this reads only what key files are.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

/// One `-----BEGIN label-----` … `-----END label-----` block.
pub struct Block {
    /// The label (`PRIVATE KEY`, `CERTIFICATE`).
    pub label: String,
    /// The decoded contents (empty when the body is not base64).
    pub der: Zeroizing<Vec<u8>>,
    /// RFC 1421 headers said the body is encrypted (`Proc-Type: 4,ENCRYPTED`).
    pub encrypted: bool,
}

/// Most blocks read from one input (a key file with a long chain has a handful).
const MAX_BLOCKS: usize = 64;

/// The PEM blocks in `input`, in order (at most [`MAX_BLOCKS`]).
pub fn blocks(input: &[u8]) -> Vec<Block> {
    let text = String::from_utf8_lossy(input);
    let mut out = Vec::new();
    let mut rest: &str = &text;
    while out.len() < MAX_BLOCKS {
        let Some(start) = rest.find("-----BEGIN ") else {
            break;
        };
        let after = &rest[start + "-----BEGIN ".len()..];
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = after[..label_end].trim().to_owned();
        let body_start = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = body_start.find(&end_marker) else {
            break;
        };
        let body = &body_start[..end];
        let mut encrypted = false;
        let mut encoded = Zeroizing::new(String::new());
        for line in body.lines() {
            let line = line.trim();
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("Proc-Type") && value.contains("ENCRYPTED") {
                    encrypted = true;
                }
                continue;
            }
            encoded.push_str(line);
        }
        let der = Zeroizing::new(STANDARD.decode(encoded.as_bytes()).unwrap_or_default());
        out.push(Block {
            label,
            der,
            encrypted,
        });
        rest = &body_start[end + end_marker.len()..];
    }
    out
}

/// PEM armor of `der` under `label`, 64 columns, LF line ends.
pub fn encode(label: &str, der: &[u8]) -> String {
    let b64 = Zeroizing::new(STANDARD.encode(der));
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

/// Certificates (DER) as one PEM file, in the order given (a chain: leaf first).
pub fn chain(certificates: &[&[u8]]) -> String {
    certificates
        .iter()
        .map(|d| netlens_x509::details::to_pem(d))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let der: Vec<u8> = (0..=200).collect();
        let text = encode("PRIVATE KEY", &der);
        assert!(text.lines().all(|l| l.len() <= 64));
        let found = blocks(format!("junk\r\n{text}\r\nmore").as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].label, "PRIVATE KEY");
        assert_eq!(*found[0].der, der);
        assert!(!found[0].encrypted);
    }

    #[test]
    fn legacy_encryption_headers_are_seen() {
        let text = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        let found = blocks(text.as_bytes());
        assert!(found[0].encrypted);
    }

    #[test]
    fn unterminated_blocks_end_the_scan() {
        assert!(blocks(b"-----BEGIN PRIVATE KEY-----\nAAAA").is_empty());
        assert!(blocks(b"-----BEGIN ").is_empty());
    }
}
