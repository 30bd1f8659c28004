//! The kernel's view of a connection: Linux `TCP_INFO` (smoothed RTT, RTT variance, minimum
//! RTT, retransmissions), read through `sock_diag` netlink as `ss -ti` does, so that no unsafe
//! code is needed here (`getsockopt` would be). ndt7 servers report the same fields to their
//! clients; a probe that sees both can say what the browser and the device add to the network's
//! round trip: the probe's RTT minus the kernel's.
//!
//! [`request`] and [`parse`] are pure (tested on bytes); [`query`] does the one round trip to the
//! kernel.

use std::net::{IpAddr, SocketAddr};

use serde::Serialize;

/// `SOCK_DIAG_BY_FAMILY` (linux/sock_diag.h).
const SOCK_DIAG_BY_FAMILY: u16 = 20;
/// `NLM_F_REQUEST`.
const NLM_F_REQUEST: u16 = 1;
/// `NLMSG_ERROR`.
const NLMSG_ERROR: u16 = 2;
/// `INET_DIAG_INFO`: the attribute carrying `struct tcp_info`.
const INET_DIAG_INFO: u16 = 2;
/// `IPPROTO_TCP`.
const IPPROTO_TCP: u8 = 6;
/// `AF_INET`, `AF_INET6`.
const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;
/// Header sizes: `nlmsghdr`, `inet_diag_req_v2`, `inet_diag_msg`.
const NLMSG_HDR: usize = 16;
const REQ_V2: usize = 56;
const DIAG_MSG: usize = 72;

/// What the kernel says about a connection.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct KernelRtt {
    /// Smoothed RTT (`tcpi_rtt`), ms.
    pub rtt_ms: f64,
    /// RTT variance (`tcpi_rttvar`), ms.
    pub rttvar_ms: f64,
    /// Minimum RTT seen (`tcpi_min_rtt`), ms.
    pub min_rtt_ms: f64,
    /// Segments retransmitted over the connection's life (`tcpi_total_retrans`).
    pub total_retrans: u32,
}

fn sockid(buf: &mut Vec<u8>, local: SocketAddr, peer: SocketAddr) {
    buf.extend_from_slice(&local.port().to_be_bytes());
    buf.extend_from_slice(&peer.port().to_be_bytes());
    for ip in [local.ip(), peer.ip()] {
        let mut octets = [0u8; 16];
        match ip {
            IpAddr::V4(v4) => octets[..4].copy_from_slice(&v4.octets()),
            IpAddr::V6(v6) => octets = v6.octets(),
        }
        buf.extend_from_slice(&octets);
    }
    buf.extend_from_slice(&0u32.to_ne_bytes()); // any interface
    // INET_DIAG_NOCOOKIE: look the socket up by its addresses.
    buf.extend_from_slice(&u32::MAX.to_ne_bytes());
    buf.extend_from_slice(&u32::MAX.to_ne_bytes());
}

/// The request for the TCP socket from `local` to `peer` (as seen by this side).
pub fn request(local: SocketAddr, peer: SocketAddr, seq: u32) -> Vec<u8> {
    let mut buf = Vec::with_capacity(NLMSG_HDR + REQ_V2);
    buf.extend_from_slice(&((NLMSG_HDR + REQ_V2) as u32).to_ne_bytes());
    buf.extend_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    buf.extend_from_slice(&NLM_F_REQUEST.to_ne_bytes());
    buf.extend_from_slice(&seq.to_ne_bytes());
    buf.extend_from_slice(&0u32.to_ne_bytes());
    buf.push(if local.is_ipv4() { AF_INET } else { AF_INET6 });
    buf.push(IPPROTO_TCP);
    buf.push(1 << (INET_DIAG_INFO - 1));
    buf.push(0);
    buf.extend_from_slice(&u32::MAX.to_ne_bytes()); // every state
    sockid(&mut buf, local, peer);
    buf
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Reads the kernel's answer; `None` for an error answer or one without `tcp_info`.
pub fn parse(response: &[u8]) -> Option<KernelRtt> {
    let len = u32_at(response, 0)? as usize;
    let kind = u16_at(response, 4)?;
    if kind == NLMSG_ERROR || kind != SOCK_DIAG_BY_FAMILY || len > response.len() {
        return None;
    }
    let mut at = NLMSG_HDR + DIAG_MSG;
    // Bounded by the message: every attribute is at least 4 bytes long.
    while at + 4 <= len {
        let attr_len = u16_at(response, at)? as usize;
        let attr_type = u16_at(response, at + 2)?;
        if attr_len < 4 {
            return None;
        }
        if attr_type == INET_DIAG_INFO {
            let info = response.get(at + 4..at + attr_len)?;
            let us = |offset: usize| u32_at(info, offset).map(|v| f64::from(v) / 1000.0);
            return Some(KernelRtt {
                rtt_ms: us(68)?,
                rttvar_ms: us(72)?,
                // Kernels before 4.6 do not report it: 0 then.
                min_rtt_ms: us(148).unwrap_or(0.0),
                total_retrans: u32_at(info, 100)?,
            });
        }
        at += attr_len.div_ceil(4) * 4;
    }
    None
}

/// Asks the kernel about the TCP connection from `local` to `peer`: one netlink round trip.
pub fn query(local: SocketAddr, peer: SocketAddr) -> std::io::Result<Option<KernelRtt>> {
    use netlink_sys::{Socket, SocketAddr as NetlinkAddr, protocols::NETLINK_SOCK_DIAG};
    let mut socket = Socket::new(NETLINK_SOCK_DIAG)?;
    socket.bind_auto()?;
    socket.connect(&NetlinkAddr::new(0, 0))?;
    socket.send(&request(local, peer, 1), 0)?;
    let mut buf = Vec::with_capacity(4096);
    socket.recv(&mut buf, 0)?;
    Ok(parse(&buf))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn the_request_is_a_sock_diag_v2_lookup_by_addresses() {
        let local: SocketAddr = "127.0.0.1:9000".parse().unwrap();
        let peer: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        let req = request(local, peer, 7);
        assert_eq!(req.len(), 72);
        assert_eq!(u32_at(&req, 0), Some(72));
        assert_eq!(u16_at(&req, 4), Some(SOCK_DIAG_BY_FAMILY));
        assert_eq!(&req[16..20], &[AF_INET, IPPROTO_TCP, 2, 0]);
        assert_eq!(&req[24..26], &9000u16.to_be_bytes());
        assert_eq!(&req[26..28], &40000u16.to_be_bytes());
        assert_eq!(&req[28..32], &[127, 0, 0, 1]);
        assert_eq!(&req[64..72], &[0xff; 8]);
    }

    #[test]
    fn an_answer_with_tcp_info_is_read_and_anything_else_is_none() {
        let mut info = vec![0u8; 160];
        info[68..72].copy_from_slice(&2500u32.to_ne_bytes());
        info[72..76].copy_from_slice(&400u32.to_ne_bytes());
        info[100..104].copy_from_slice(&3u32.to_ne_bytes());
        info[148..152].copy_from_slice(&50u32.to_ne_bytes());
        let mut msg = vec![0u8; NLMSG_HDR + DIAG_MSG];
        // An unrelated attribute first, then INET_DIAG_INFO.
        msg.extend_from_slice(&8u16.to_ne_bytes());
        msg.extend_from_slice(&4u16.to_ne_bytes());
        msg.extend_from_slice(&[0; 4]);
        msg.extend_from_slice(&((4 + info.len()) as u16).to_ne_bytes());
        msg.extend_from_slice(&INET_DIAG_INFO.to_ne_bytes());
        msg.extend_from_slice(&info);
        let len = msg.len() as u32;
        msg[0..4].copy_from_slice(&len.to_ne_bytes());
        msg[4..6].copy_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
        assert_eq!(
            parse(&msg),
            Some(KernelRtt {
                rtt_ms: 2.5,
                rttvar_ms: 0.4,
                min_rtt_ms: 0.05,
                total_retrans: 3
            })
        );
        let mut error = msg.clone();
        error[4..6].copy_from_slice(&NLMSG_ERROR.to_ne_bytes());
        assert_eq!(parse(&error), None);
        assert_eq!(parse(&msg[..20]), None);
        assert_eq!(parse(&[]), None);
        let mut zero_attr = msg.clone();
        zero_attr[88..90].copy_from_slice(&0u16.to_ne_bytes());
        assert_eq!(parse(&zero_attr), None);
    }

    #[test]
    fn the_kernel_answers_for_a_loopback_connection() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, peer) = listener.accept().unwrap();
        match query(server.local_addr().unwrap(), peer) {
            Ok(Some(k)) => assert!(k.rtt_ms >= 0.0 && k.rtt_ms < 100.0, "{k:?}"),
            Ok(None) => panic!("the kernel did not report the connection"),
            // Containers without netlink sock_diag: nothing to check here.
            Err(e) => eprintln!("skipped: sock_diag netlink unavailable ({e})"),
        }
        drop(client);
    }
}
