//! Hex renderings of bytes, in the two forms certificate tools use.

use core::fmt::Write as _;

/// Lowercase hex without separators: `0a1b2c`.
pub fn plain(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Uppercase hex with colons, as OpenSSL and Keychain Access print fingerprints: `0A:1B:2C`.
pub fn colon(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        let _ = write!(out, "{b:02X}");
    }
    out
}

/// Decimal rendering of a big-endian unsigned integer of any length.
pub fn unsigned_decimal(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = vec![0]; // little-endian base-10 digits
    for &byte in bytes {
        let mut carry = u32::from(byte);
        for d in digits.iter_mut() {
            let v = u32::from(*d) * 256 + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    while digits.len() > 1 && digits.last() == Some(&0) {
        digits.pop();
    }
    digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders() {
        assert_eq!(plain(&[0x0a, 0xff]), "0aff");
        assert_eq!(colon(&[0x0a, 0xff, 0x00]), "0A:FF:00");
        assert_eq!(colon(&[]), "");
        assert_eq!(unsigned_decimal(&[]), "0");
        assert_eq!(unsigned_decimal(&[0x01, 0x00]), "256");
        assert_eq!(
            unsigned_decimal(&[0xff; 16]),
            u128::MAX.to_string(),
            "128-bit values convert exactly"
        );
    }
}
