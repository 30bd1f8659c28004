//! A ZIP archive of the files made, to download at once (APPNOTE 6.3.10, stored entries).
//!
//! Certificates and keys barely compress (a PEM's base64 of random bytes), so entries are
//! stored, not deflated: no compressor in the page's download, and every unzip reads stored
//! entries. Entries carry Unix permissions (made by Unix, "version made by" 3.20): keys and
//! PKCS#12 files unpack readable by their owner only (0600), the rest 0644.

/// One file of the archive.
pub struct Entry<'a> {
    /// Its path inside the archive (`/`-separated).
    pub path: &'a str,
    /// Its contents.
    pub bytes: &'a [u8],
    /// Readable by its owner only (keys, PKCS#12).
    pub private: bool,
}

const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

static CRC_TABLE: [u32; 256] = crc_table();

/// CRC-32 (ISO-HDLC), as ZIP checks it.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for b in bytes {
        c = CRC_TABLE[((c ^ u32::from(*b)) & 0xff) as usize] ^ (c >> 8);
    }
    c ^ 0xffff_ffff
}

/// MS-DOS date and time of a Unix moment (UTC; the format has no zone), clamped to 1980.
fn dos_time(unix: i64) -> (u16, u16) {
    let unix = u64::try_from(unix.max(315_532_800)).unwrap_or(315_532_800); // 1980-01-01
    let Ok(t) = der::DateTime::from_unix_duration(std::time::Duration::from_secs(unix)) else {
        return (0x21, 0); // 1980-01-01 00:00 (der's dates end in 9999)
    };
    let date = ((t.year().saturating_sub(1980).min(127)) << 9)
        | (u16::from(t.month()) << 5)
        | u16::from(t.day());
    let time =
        (u16::from(t.hour()) << 11) | (u16::from(t.minutes()) << 5) | u16::from(t.seconds() / 2);
    (date, time)
}

/// The archive of `entries`, dated `unix` (at most 65,535 entries of under 4 GiB each: far
/// more than a bundle of certificates).
pub fn write(entries: &[Entry<'_>], unix: i64) -> Vec<u8> {
    let (date, time) = dos_time(unix);
    let mut out = Vec::new();
    let mut central = Vec::new();
    for entry in entries.iter().take(usize::from(u16::MAX)) {
        let offset = out.len() as u32;
        let crc = crc32(entry.bytes);
        let size = entry.bytes.len() as u32;
        let name = entry.path.as_bytes();
        let header = |sig: u32, central_entry: bool| {
            let mut h = Vec::with_capacity(46 + name.len());
            h.extend_from_slice(&sig.to_le_bytes());
            if central_entry {
                h.extend_from_slice(&((3u16 << 8) | 20).to_le_bytes()); // made by Unix, 2.0
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // needed to extract: 2.0
            h.extend_from_slice(&0x0800u16.to_le_bytes()); // names are UTF-8
            h.extend_from_slice(&0u16.to_le_bytes()); // stored
            h.extend_from_slice(&time.to_le_bytes());
            h.extend_from_slice(&date.to_le_bytes());
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&size.to_le_bytes());
            h.extend_from_slice(&size.to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra field
            if central_entry {
                let mode: u32 = if entry.private { 0o100600 } else { 0o100644 };
                h.extend_from_slice(&0u16.to_le_bytes()); // comment
                h.extend_from_slice(&0u16.to_le_bytes()); // disk
                h.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
                h.extend_from_slice(&(mode << 16).to_le_bytes());
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name);
            h
        };
        out.extend_from_slice(&header(0x0403_4b50, false));
        out.extend_from_slice(entry.bytes);
        central.extend_from_slice(&header(0x0201_4b50, true));
    }
    let count = entries.len().min(usize::from(u16::MAX)) as u16;
    let central_offset = out.len() as u32;
    let central_size = central.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&central_size.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_of_the_check_string() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn dos_dates() {
        // 2026-12-07 10:13:22 UTC.
        let (date, time) = dos_time(1_796_638_402);
        assert_eq!((date >> 9) + 1980, 2026);
        assert_eq!((date >> 5) & 0xf, 12);
        assert_eq!(date & 0x1f, 7);
        assert_eq!(time >> 11, 10);
        assert_eq!((time >> 5) & 0x3f, 13);
        assert_eq!(dos_time(0), dos_time(315_532_800));
    }

    #[test]
    fn archive_layout() {
        let zip = write(
            &[
                Entry {
                    path: "a/b.txt",
                    bytes: b"hello",
                    private: false,
                },
                Entry {
                    path: "k.pem",
                    bytes: b"key",
                    private: true,
                },
            ],
            1_796_638_402,
        );
        assert_eq!(&zip[..4], b"PK\x03\x04");
        assert_eq!(&zip[zip.len() - 22..zip.len() - 18], b"PK\x05\x06");
        assert_eq!(
            u16::from_le_bytes([zip[zip.len() - 12], zip[zip.len() - 11]]),
            2
        );
    }
}
