//! Binary property lists (`bplist00`), the form a built app's Info.plist has.
//!
//! Layout (CFBinaryPList.c's comment, and `plistlib`'s reader): the 8-byte header, the objects,
//! an offset table, and a 32-byte trailer giving the offset-table entry size, the object
//! reference size, the object count, the top object and the offset table's position. Objects
//! reference each other by index, so one object may be reached many times: the reader refuses
//! cycles, limits depth to [`MAX_DEPTH`] and the values built to [`MAX_NODES`].

use crate::{BinaryProblem, Dict, Error, MAX_DEPTH, MAX_NODES, Value};

type Result<T> = core::result::Result<T, Error>;

fn fail(problem: BinaryProblem) -> Error {
    Error::Binary(problem)
}

struct Reader<'a> {
    bytes: &'a [u8],
    offsets: Vec<usize>,
    ref_size: usize,
    /// Objects being read (a cycle check).
    open: Vec<usize>,
    /// Values built so far.
    built: usize,
}

/// Seconds from 1970-01-01 to 2001-01-01, the epoch of binary plist dates.
const APPLE_EPOCH: i64 = 978_307_200;

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

pub(crate) fn parse(bytes: &[u8]) -> Result<Value> {
    if bytes.len() < 8 + 32 {
        return Err(fail(BinaryProblem::Truncated));
    }
    let version = &bytes[..8];
    if version != b"bplist00" {
        let shown: String = version
            .iter()
            .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
            .collect();
        return Err(fail(BinaryProblem::Version(shown)));
    }
    let trailer = &bytes[bytes.len() - 32..];
    let offset_size = usize::from(trailer[6]);
    let ref_size = usize::from(trailer[7]);
    let count = be(&trailer[8..16]);
    let top = be(&trailer[16..24]);
    let table = be(&trailer[24..32]);
    let body_end = (bytes.len() - 32) as u64;
    if !(1..=8).contains(&offset_size)
        || !(1..=8).contains(&ref_size)
        || count == 0
        || top >= count
        || table < 8
        || table > body_end
        || count > (body_end - table) / offset_size as u64
    {
        return Err(fail(BinaryProblem::BadTrailer));
    }
    // Safe: `count * offset_size` fits inside the file (checked above).
    let table = table as usize;
    let offsets = (0..count as usize)
        .map(|i| {
            let at = table + i * offset_size;
            let offset = be(&bytes[at..at + offset_size]);
            if offset < 8 || offset >= table as u64 {
                Err(fail(BinaryProblem::BadReference))
            } else {
                Ok(offset as usize)
            }
        })
        .collect::<Result<Vec<usize>>>()?;
    let mut reader = Reader {
        bytes: &bytes[..table],
        offsets,
        ref_size,
        open: Vec::new(),
        built: 0,
    };
    reader.object(top as usize)
}

impl Reader<'_> {
    fn slice(&self, at: usize, len: usize) -> Result<&[u8]> {
        at.checked_add(len)
            .and_then(|end| self.bytes.get(at..end))
            .ok_or_else(|| fail(BinaryProblem::Truncated))
    }

    /// The length in a marker's low nibble, or the integer object after it when the nibble is
    /// 0xF; returns the length and where the content starts.
    fn length(&self, marker_at: usize, nibble: u8) -> Result<(usize, usize)> {
        if nibble != 0x0f {
            return Ok((usize::from(nibble), marker_at + 1));
        }
        let int_marker = *self
            .bytes
            .get(marker_at + 1)
            .ok_or_else(|| fail(BinaryProblem::Truncated))?;
        if int_marker >> 4 != 0x1 || int_marker & 0x0f > 3 {
            return Err(fail(BinaryProblem::BadReference));
        }
        let size = 1usize << (int_marker & 0x0f);
        let len = be(self.slice(marker_at + 2, size)?);
        let len = usize::try_from(len).map_err(|_| fail(BinaryProblem::Truncated))?;
        if len > self.bytes.len() {
            return Err(fail(BinaryProblem::Truncated));
        }
        Ok((len, marker_at + 2 + size))
    }

    fn reference(&self, at: usize) -> Result<usize> {
        let index = be(self.slice(at, self.ref_size)?);
        usize::try_from(index)
            .ok()
            .filter(|&i| i < self.offsets.len())
            .ok_or_else(|| fail(BinaryProblem::BadReference))
    }

    fn object(&mut self, index: usize) -> Result<Value> {
        if self.open.contains(&index) {
            return Err(fail(BinaryProblem::Cycle));
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(fail(BinaryProblem::TooDeep));
        }
        self.built += 1;
        if self.built > MAX_NODES {
            return Err(fail(BinaryProblem::TooManyValues));
        }
        let at = self.offsets[index];
        let marker = *self
            .bytes
            .get(at)
            .ok_or_else(|| fail(BinaryProblem::Truncated))?;
        let (kind, nibble) = (marker >> 4, marker & 0x0f);
        Ok(match kind {
            0x0 => match marker {
                0x08 => Value::Bool(false),
                0x09 => Value::Bool(true),
                _ => return Err(fail(BinaryProblem::UnknownObject(marker))),
            },
            0x1 if nibble <= 4 => {
                let size = 1usize << nibble;
                let raw = self.slice(at + 1, size)?;
                Value::Integer(match size {
                    // 1, 2 and 4 bytes are unsigned, 8 bytes signed; 16 bytes are signed
                    // 128-bit, read when the high half only extends the sign.
                    1 | 2 | 4 | 8 => be(raw) as i64,
                    _ => {
                        let (high, low) = raw.split_at(8);
                        let low = be(low) as i64;
                        let extension = if low < 0 { u64::MAX } else { 0 };
                        if be(high) != extension {
                            return Err(fail(BinaryProblem::IntegerTooLarge));
                        }
                        low
                    }
                })
            }
            0x2 if nibble == 2 || nibble == 3 => {
                let raw = self.slice(at + 1, 1usize << nibble)?;
                let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
                Value::Real(format!("0x{hex}"))
            }
            0x3 if marker == 0x33 => {
                let raw = self.slice(at + 1, 8)?;
                let seconds = f64::from_be_bytes(raw.try_into().unwrap_or([0; 8]));
                Value::Date(format_date(seconds))
            }
            0x4 => {
                let (len, start) = self.length(at, nibble)?;
                Value::Data(self.slice(start, len)?.to_vec())
            }
            0x5 => {
                let (len, start) = self.length(at, nibble)?;
                let raw = self.slice(start, len)?;
                if !raw.is_ascii() {
                    return Err(fail(BinaryProblem::BadString));
                }
                Value::String(String::from_utf8_lossy(raw).into_owned())
            }
            0x6 => {
                let (len, start) = self.length(at, nibble)?;
                let raw = self.slice(start, len.saturating_mul(2))?;
                let units = raw
                    .chunks_exact(2)
                    .map(|p| u16::from_be_bytes([p[0], p[1]]));
                Value::String(
                    char::decode_utf16(units)
                        .collect::<core::result::Result<String, _>>()
                        .map_err(|_| fail(BinaryProblem::BadString))?,
                )
            }
            0x8 => {
                let raw = self.slice(at + 1, usize::from(nibble) + 1)?;
                Value::Uid(if raw.len() <= 8 { be(raw) } else { u64::MAX })
            }
            0xa | 0xc => {
                let (len, start) = self.length(at, nibble)?;
                let refs = self.refs(start, len)?;
                self.open.push(index);
                let items = refs
                    .into_iter()
                    .map(|r| self.object(r))
                    .collect::<Result<Vec<Value>>>();
                self.open.pop();
                Value::Array(items?)
            }
            0xd => {
                let (len, start) = self.length(at, nibble)?;
                let keys = self.refs(start, len)?;
                let values = self.refs(start + len * self.ref_size, len)?;
                self.open.push(index);
                let dict = self.dict(&keys, &values);
                self.open.pop();
                Value::Dict(dict?)
            }
            _ => return Err(fail(BinaryProblem::UnknownObject(marker))),
        })
    }

    fn dict(&mut self, keys: &[usize], values: &[usize]) -> Result<Dict> {
        let mut dict = Dict::new();
        for (&k, &v) in keys.iter().zip(values) {
            let Value::String(key) = self.object(k)? else {
                return Err(fail(BinaryProblem::KeyNotString));
            };
            let value = self.object(v)?;
            dict.push(key, value);
        }
        Ok(dict)
    }

    fn refs(&self, start: usize, len: usize) -> Result<Vec<usize>> {
        // Every reference takes at least one byte, so `len` is bounded by the file's size.
        self.slice(start, len.saturating_mul(self.ref_size))?;
        (0..len)
            .map(|i| self.reference(start + i * self.ref_size))
            .collect()
    }
}

/// A binary plist date (seconds since 2001-01-01 UTC) as XML writes it.
fn format_date(seconds: f64) -> String {
    if !seconds.is_finite() || seconds.abs() > 1e13 {
        return "(a date out of range)".to_owned();
    }
    let unix = APPLE_EPOCH + seconds.floor() as i64;
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    /// `{"A": True, "L": ["x"]}` written by CPython's `plistlib.dumps(..., fmt=FMT_BINARY)`.
    const SMALL: &[u8] = &[
        0x62, 0x70, 0x6c, 0x69, 0x73, 0x74, 0x30, 0x30, 0xd2, 0x01, 0x02, 0x03, 0x04, 0x51, 0x41,
        0x51, 0x4c, 0x09, 0xa1, 0x05, 0x51, 0x78, 0x08, 0x0d, 0x0f, 0x11, 0x12, 0x14, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x16,
    ];

    #[test]
    fn reads_plistlib_output() {
        let doc = parse(SMALL).unwrap();
        let dict = doc.root.as_dict().unwrap();
        assert_eq!(dict.get("A"), Some(&Value::Bool(true)));
        assert_eq!(
            dict.get("L"),
            Some(&Value::Array(vec![Value::String("x".into())]))
        );
    }

    #[test]
    fn truncated_and_damaged() {
        for len in 0..SMALL.len() {
            assert!(parse(&SMALL[..len]).is_err(), "prefix of {len} bytes");
        }
        let mut cyclic = SMALL.to_vec();
        // The array's one reference (object 5) now points at the array itself (object 4).
        cyclic[19] = 0x04;
        assert_eq!(parse(&cyclic), Err(Error::Binary(BinaryProblem::Cycle)));
        let mut v1 = SMALL.to_vec();
        v1[7] = b'1';
        assert!(matches!(
            parse(&v1),
            Err(Error::Binary(BinaryProblem::Version(_)))
        ));
    }

    #[test]
    fn dates() {
        assert_eq!(format_date(0.0), "2001-01-01T00:00:00Z");
        assert_eq!(format_date(820_454_400.0), "2027-01-01T00:00:00Z");
    }
}
