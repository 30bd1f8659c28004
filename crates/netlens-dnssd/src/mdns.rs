//! Multicast DNS messages for `netlens dnssd browse`: the queries a one-shot querier sends
//! (RFC 6762 §5.1: from an ephemeral port, so responders answer it directly, §6.7) and the
//! reading of the answers into services, with each TXT record's bytes exactly as sent.
//!
//! No I/O: the CLI owns the socket and the clock, sends what [`Browse::queries`] asks for and
//! hands every datagram to [`Browse::receive`]. A library that decodes TXT records into a map
//! (mdns-sd, python-zeroconf) loses exactly what netlens checks (order, duplicates, empty
//! strings), hence this reader.

use serde::Serialize;

/// Record types read.
pub const TYPE_A: u16 = 1;
/// PTR.
pub const TYPE_PTR: u16 = 12;
/// TXT.
pub const TYPE_TXT: u16 = 16;
/// AAAA.
pub const TYPE_AAAA: u16 = 28;
/// SRV.
pub const TYPE_SRV: u16 = 33;

/// The name that lists every service type on a link (RFC 6763 §9).
pub const SERVICE_TYPES: &str = "_services._dns-sd._udp.local.";

/// Most services one browse keeps (a link with more is not what this is for).
const MAX_SERVICES: usize = 256;
/// Most names a compressed name may jump through.
const MAX_POINTERS: usize = 32;

/// A message that cannot be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WireError;

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the DNS message is truncated or malformed")
    }
}

impl std::error::Error for WireError {}

/// A DNS name as labels (each label's bytes; no escaping).
pub type Name = Vec<Vec<u8>>;

/// One resource record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Owner name.
    pub name: Name,
    /// Type.
    pub rtype: u16,
    /// The data, read for the types browsing needs.
    pub data: Data,
}

/// Record data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Data {
    /// PTR target.
    Ptr(Name),
    /// SRV: port and target.
    Srv {
        /// Port.
        port: u16,
        /// Target host.
        target: Name,
    },
    /// TXT RDATA, exactly as sent.
    Txt(Vec<u8>),
    /// An IPv4 or IPv6 address, as text.
    Address(String),
    /// Anything else.
    Other,
}

fn push_name(out: &mut Vec<u8>, name: &str) {
    for label in name
        .trim_end_matches('.')
        .split('.')
        .filter(|l| !l.is_empty())
    {
        out.push(label.len().min(63) as u8);
        out.extend_from_slice(&label.as_bytes()[..label.len().min(63)]);
    }
    out.push(0);
}

fn push_labels(out: &mut Vec<u8>, name: &Name) {
    for label in name {
        out.push(label.len().min(63) as u8);
        out.extend_from_slice(&label[..label.len().min(63)]);
    }
    out.push(0);
}

/// A query for each (name, type), with message id `id` (responders repeat it to a one-shot
/// querier).
pub fn query(id: u16, questions: &[(Name, u16)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&[0, 0]); // a standard query
    out.extend_from_slice(&(questions.len() as u16).to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    for (name, qtype) in questions {
        push_labels(&mut out, name);
        out.extend_from_slice(&qtype.to_be_bytes());
        out.extend_from_slice(&1u16.to_be_bytes()); // IN
    }
    out
}

/// A name from its dotted text form (`_ipp._tcp.local.`; no escapes: service types have none).
pub fn name(text: &str) -> Name {
    let mut wire = Vec::new();
    push_name(&mut wire, text);
    let mut labels = Vec::new();
    let mut i = 0;
    while let Some(&len) = wire.get(i).filter(|l| **l > 0) {
        labels.push(wire[i + 1..i + 1 + usize::from(len)].to_vec());
        i += 1 + usize::from(len);
    }
    labels
}

struct Reader<'a> {
    message: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn bytes(&mut self, n: usize) -> Result<&[u8], WireError> {
        let end = self.at.checked_add(n).ok_or(WireError)?;
        let b = self.message.get(self.at..end).ok_or(WireError)?;
        self.at = end;
        Ok(b)
    }

    fn u16(&mut self) -> Result<u16, WireError> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// A possibly compressed name at the cursor.
    fn name(&mut self) -> Result<Name, WireError> {
        let mut labels = Vec::new();
        let mut at = self.at;
        let mut jumped = false;
        for _ in 0..MAX_POINTERS {
            loop {
                let len = *self.message.get(at).ok_or(WireError)?;
                match len {
                    0 => {
                        if !jumped {
                            self.at = at + 1;
                        }
                        return Ok(labels);
                    }
                    1..=63 => {
                        let label = self
                            .message
                            .get(at + 1..at + 1 + usize::from(len))
                            .ok_or(WireError)?;
                        labels.push(label.to_vec());
                        at += 1 + usize::from(len);
                        if labels.len() > 127 {
                            return Err(WireError);
                        }
                    }
                    0xC0..=0xFF => {
                        let low = *self.message.get(at + 1).ok_or(WireError)?;
                        if !jumped {
                            self.at = at + 2;
                        }
                        jumped = true;
                        at = usize::from(len & 0x3F) << 8 | usize::from(low);
                        break;
                    }
                    _ => return Err(WireError),
                }
            }
        }
        Err(WireError)
    }

    fn record(&mut self) -> Result<Record, WireError> {
        let name = self.name()?;
        let rtype = self.u16()?;
        let _class = self.u16()?;
        let _ttl = self.bytes(4)?;
        let len = usize::from(self.u16()?);
        let start = self.at;
        let rdata = self.bytes(len)?.to_vec();
        let mut inner = Reader {
            message: self.message,
            at: start,
        };
        let data = match rtype {
            TYPE_PTR => Data::Ptr(inner.name()?),
            TYPE_SRV => {
                let _priority = inner.u16()?;
                let _weight = inner.u16()?;
                let port = inner.u16()?;
                Data::Srv {
                    port,
                    target: inner.name()?,
                }
            }
            TYPE_TXT => Data::Txt(rdata),
            TYPE_A if len == 4 => Data::Address(
                std::net::Ipv4Addr::new(rdata[0], rdata[1], rdata[2], rdata[3]).to_string(),
            ),
            TYPE_AAAA if len == 16 => {
                let mut octets = [0u8; 16];
                octets.copy_from_slice(&rdata);
                Data::Address(std::net::Ipv6Addr::from(octets).to_string())
            }
            _ => Data::Other,
        };
        Ok(Record { name, rtype, data })
    }
}

/// Every answer, authority and additional record of a response. Never panics.
pub fn records(message: &[u8]) -> Result<Vec<Record>, WireError> {
    let mut r = Reader { message, at: 0 };
    let _id = r.u16()?;
    let flags = r.u16()?;
    if flags & 0x8000 == 0 {
        return Ok(Vec::new()); // a query, not a response
    }
    let questions = r.u16()?;
    let counts = [r.u16()?, r.u16()?, r.u16()?];
    for _ in 0..questions {
        r.name()?;
        r.bytes(4)?;
    }
    let total: usize = counts.iter().map(|c| usize::from(*c)).sum();
    let mut out = Vec::with_capacity(total.min(64));
    for _ in 0..total {
        out.push(r.record()?);
    }
    Ok(out)
}

/// A service found by a browse.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Found {
    /// The instance label's bytes.
    #[serde(skip)]
    pub instance: Vec<u8>,
    /// The service type (`_ipp._tcp`).
    pub service_type: String,
    /// Host (SRV target), when resolved.
    pub host: Option<String>,
    /// Port, when resolved.
    pub port: Option<u16>,
    /// The host's addresses seen.
    pub addresses: Vec<String>,
    /// The TXT RDATA as sent, when resolved.
    #[serde(skip)]
    pub txt: Option<Vec<u8>>,
}

/// What a browse has seen so far.
#[derive(Clone, Debug, Default)]
pub struct Browse {
    /// Service types to browse (`_ipp._tcp.local.` as labels).
    types: Vec<Name>,
    /// Instances, by full name.
    services: Vec<(Name, Found)>,
    /// Addresses by host name.
    addresses: Vec<(Name, String)>,
}

fn text(labels: &[Vec<u8>]) -> String {
    labels
        .iter()
        .map(|l| String::from_utf8_lossy(l))
        .collect::<Vec<_>>()
        .join(".")
}

fn same(a: &[Vec<u8>], b: &[Vec<u8>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

impl Browse {
    /// A browse of `service_type` (`_ipp._tcp`), or of every type when `None`.
    pub fn new(service_type: Option<&str>) -> Browse {
        let mut browse = Browse::default();
        if let Some(t) = service_type {
            browse.types.push(name(&format!(
                "{}.local.",
                t.trim_end_matches('.').trim_end_matches(".local")
            )));
        }
        browse
    }

    /// The questions to send now: the types (or the list of types), then SRV and TXT of
    /// every instance not resolved yet, and the addresses of hosts without one.
    pub fn queries(&self) -> Vec<(Name, u16)> {
        let mut q: Vec<(Name, u16)> = if self.types.is_empty() {
            vec![(name(SERVICE_TYPES), TYPE_PTR)]
        } else {
            self.types.iter().map(|t| (t.clone(), TYPE_PTR)).collect()
        };
        for (full, found) in &self.services {
            if found.port.is_none() {
                q.push((full.clone(), TYPE_SRV));
            }
            if found.txt.is_none() {
                q.push((full.clone(), TYPE_TXT));
            }
        }
        q
    }

    /// Reads a response.
    pub fn receive(&mut self, message: &[u8]) -> Result<(), WireError> {
        let records = records(message)?;
        // Types first (a list of types names them), then instances, then their records.
        for r in &records {
            if let Data::Ptr(target) = &r.data
                && same(&r.name, &name(SERVICE_TYPES))
                && !self.types.iter().any(|t| same(t, target))
                && self.types.len() < MAX_SERVICES
            {
                self.types.push(target.clone());
            }
        }
        for r in &records {
            if let Data::Ptr(target) = &r.data
                && self.types.iter().any(|t| same(t, &r.name))
                && target.len() == r.name.len() + 1
                && !self.services.iter().any(|(n, _)| same(n, target))
                && self.services.len() < MAX_SERVICES
            {
                let service_type = text(&r.name[..r.name.len().saturating_sub(1)]);
                self.services.push((
                    target.clone(),
                    Found {
                        instance: target[0].clone(),
                        service_type,
                        ..Found::default()
                    },
                ));
            }
        }
        for r in records {
            match r.data {
                Data::Address(address) => {
                    if !self
                        .addresses
                        .iter()
                        .any(|(h, a)| same(h, &r.name) && *a == address)
                    {
                        self.addresses.push((r.name, address));
                    }
                }
                data => {
                    if let Some((_, found)) =
                        self.services.iter_mut().find(|(n, _)| same(n, &r.name))
                    {
                        match data {
                            Data::Srv { port, target } => {
                                found.port = Some(port);
                                found.host = Some(format!("{}.", text(&target)));
                            }
                            Data::Txt(rdata) if found.txt.is_none() => found.txt = Some(rdata),
                            _ => {}
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The services found, with the addresses of their hosts.
    pub fn found(&self) -> Vec<Found> {
        self.services
            .iter()
            .map(|(_, f)| {
                let mut f = f.clone();
                if let Some(host) = &f.host {
                    let host = name(host);
                    f.addresses = self
                        .addresses
                        .iter()
                        .filter(|(h, _)| same(h, &host))
                        .map(|(_, a)| a.clone())
                        .collect();
                }
                f
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A response as avahi sends one: a PTR, then SRV, TXT and A, with compressed names.
    fn response() -> Vec<u8> {
        let mut m = vec![0, 7, 0x84, 0, 0, 0, 0, 4, 0, 0, 0, 0];
        let ty = m.len();
        push_name(&mut m, "_ipp._tcp.local.");
        m.extend_from_slice(&[0, 12, 0, 1, 0, 0, 0, 120]);
        let instance = b"My. Printer";
        let rdata_len = 1 + instance.len() + 2;
        m.extend_from_slice(&(rdata_len as u16).to_be_bytes());
        let full = m.len();
        m.push(instance.len() as u8);
        m.extend_from_slice(instance);
        m.extend_from_slice(&[0xC0, ty as u8]);
        // SRV
        m.extend_from_slice(&[0xC0, full as u8, 0, 33, 0, 1, 0, 0, 0, 120]);
        let mut srv = vec![0, 0, 0, 0, 2, 0x77];
        push_name(&mut srv, "printer.local.");
        m.extend_from_slice(&(srv.len() as u16).to_be_bytes());
        let host = m.len() + 6;
        m.extend_from_slice(&srv);
        // TXT, with an empty string and a duplicate, as sent
        let txt = b"\x09txtvers=1\x00\x03a=1\x03A=2";
        m.extend_from_slice(&[
            0xC0,
            full as u8,
            0,
            16,
            0,
            1,
            0,
            0,
            0,
            120,
            0,
            txt.len() as u8,
        ]);
        m.extend_from_slice(txt);
        // A
        m.extend_from_slice(&[
            0xC0, host as u8, 0, 1, 0, 1, 0, 0, 0, 120, 0, 4, 10, 0, 0, 7,
        ]);
        m
    }

    #[test]
    fn a_browse_reads_services_with_their_txt_bytes() {
        let mut browse = Browse::new(Some("_ipp._tcp"));
        assert_eq!(browse.queries(), [(name("_ipp._tcp.local."), TYPE_PTR)]);
        browse.receive(&response()).unwrap();
        let found = browse.found();
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!(f.instance, b"My. Printer");
        assert_eq!(f.service_type, "_ipp._tcp");
        assert_eq!(
            (f.host.as_deref(), f.port),
            (Some("printer.local."), Some(631))
        );
        assert_eq!(
            f.txt.as_deref(),
            Some(&b"\x09txtvers=1\x00\x03a=1\x03A=2"[..])
        );
        assert_eq!(f.addresses, ["10.0.0.7"]);
        assert!(browse.queries().len() == 1, "resolved: nothing more to ask");
    }

    #[test]
    fn queries_encode_their_names() {
        let q = query(9, &[(name("_services._dns-sd._udp.local."), TYPE_PTR)]);
        assert_eq!(&q[..6], &[0, 9, 0, 0, 0, 1]);
        assert!(q.windows(10).any(|w| w == b"\x09_services"));
        assert_eq!(&q[q.len() - 4..], &[0, 12, 0, 1]);
    }

    #[test]
    fn damaged_messages_are_refused_without_panicking() {
        let good = response();
        for end in 0..good.len() {
            let _ = records(&good[..end]);
        }
        // A pointer to itself.
        let mut looped = vec![0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0];
        looped.extend_from_slice(&[0xC0, 12]);
        assert_eq!(records(&looped), Err(WireError));
        let mut bad = good.clone();
        bad[12] = 0x80; // a label type that does not exist
        assert_eq!(records(&bad), Err(WireError));
    }
}
