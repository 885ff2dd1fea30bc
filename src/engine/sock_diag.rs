//! The kernel's state of one TCP connection by its two addresses, asked over
//! `NETLINK_SOCK_DIAG` as `ss` asks it (Linux). This is how `TIME_WAIT` is
//! seen: the side that closes first keeps the connection's record in the
//! kernel for a minute after its descriptor is gone, and `TCP_INFO` cannot
//! be asked of a closed socket.
//!
//! The question names the connection exactly (both addresses, no cookie), so
//! the kernel answers from its hash table: the cost does not grow with the
//! number of connections on the machine, unlike reading and scanning the
//! text of `/proc/net/tcp`, which holds a line for every one of them.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use netlink_packet_core::{
    NLM_F_DUMP, NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload,
};
use netlink_packet_sock_diag::SockDiagMessage;
use netlink_packet_sock_diag::constants::{AF_INET, AF_INET6, IPPROTO_TCP};
use netlink_packet_sock_diag::inet::{ExtensionFlags, InetRequest, SocketId, StateFlags};
use netlink_sys::protocols::NETLINK_SOCK_DIAG;

use super::message::{PortSocket, TcpState};

/// How long the kernel may take to answer (it answers at once; this only
/// bounds a kernel that never does).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(1);
/// `INET_DIAG_NOCOOKIE`: match by addresses alone.
const NO_COOKIE: [u8; 8] = [0xff; 8];

/// The kernel's state of the connection `local` ↔ `peer`; `None` when the
/// kernel holds no record of it any more.
pub(crate) fn state_of(local: SocketAddr, peer: SocketAddr) -> io::Result<Option<TcpState>> {
    let (local, peer) = same_family(local, peer);
    let family = if local.is_ipv6() { AF_INET6 } else { AF_INET };
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_REQUEST;
    let mut packet = NetlinkMessage::new(
        header,
        SockDiagMessage::InetRequest(InetRequest {
            family,
            protocol: IPPROTO_TCP,
            extensions: ExtensionFlags::empty(),
            states: StateFlags::all(),
            socket_id: SocketId {
                source_port: local.port(),
                destination_port: peer.port(),
                source_address: local.ip(),
                destination_address: peer.ip(),
                interface_id: 0,
                cookie: NO_COOKIE,
            },
        })
        .into(),
    );
    packet.finalize();
    let mut request = vec![0; packet.buffer_len()];
    packet.serialize(&mut request);

    let mut socket = netlink_sys::Socket::new(NETLINK_SOCK_DIAG)?;
    socket.bind_auto()?;
    socket.connect(&netlink_sys::SocketAddr::new(0, 0))?;
    socket2::SockRef::from(&socket).set_read_timeout(Some(ANSWER_TIMEOUT))?;
    socket.send(&request, 0)?;
    let mut answer = vec![0u8; 8192];
    let n = socket.recv(&mut &mut answer[..], 0)?;
    parse_answer(answer.get(..n).unwrap_or_default(), local, peer)
}

/// Every TCP socket the kernel holds on local port `port`, IPv4 and IPv6:
/// listeners, connections and `TIME_WAIT` records (what `ss -tan sport =
/// :port` lists). The kernel lists all its TCP sockets and this keeps the
/// port's: asked on demand (say, after `bind()` failed), not in a loop.
pub(crate) fn sockets_on_port(port: u16) -> io::Result<Vec<PortSocket>> {
    let mut found = Vec::new();
    for family in [AF_INET, AF_INET6] {
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST | NLM_F_DUMP;
        let unspecified = if family == AF_INET {
            IpAddr::from([0u8; 4])
        } else {
            IpAddr::from([0u8; 16])
        };
        let mut packet = NetlinkMessage::new(
            header,
            SockDiagMessage::InetRequest(InetRequest {
                family,
                protocol: IPPROTO_TCP,
                extensions: ExtensionFlags::empty(),
                states: StateFlags::all(),
                socket_id: SocketId {
                    source_port: 0,
                    destination_port: 0,
                    source_address: unspecified,
                    destination_address: unspecified,
                    interface_id: 0,
                    cookie: NO_COOKIE,
                },
            })
            .into(),
        );
        packet.finalize();
        let mut request = vec![0; packet.buffer_len()];
        packet.serialize(&mut request);
        let mut socket = netlink_sys::Socket::new(NETLINK_SOCK_DIAG)?;
        socket.bind_auto()?;
        socket.connect(&netlink_sys::SocketAddr::new(0, 0))?;
        socket2::SockRef::from(&socket).set_read_timeout(Some(ANSWER_TIMEOUT))?;
        socket.send(&request, 0)?;
        let mut answer = vec![0u8; 64 * 1024];
        'dump: loop {
            let n = socket.recv(&mut &mut answer[..], 0)?;
            let mut rest = answer.get(..n).unwrap_or_default();
            while !rest.is_empty() {
                let msg = <NetlinkMessage<SockDiagMessage>>::deserialize(rest)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
                let len = (msg.header.length as usize).max(1);
                rest = rest.get(len.next_multiple_of(4)..).unwrap_or_default();
                match msg.payload {
                    NetlinkPayload::InnerMessage(SockDiagMessage::InetResponse(r)) => {
                        let id = &r.header.socket_id;
                        if id.source_port == port {
                            found.push(PortSocket {
                                state: TcpState::from_raw(r.header.state),
                                local: SocketAddr::new(id.source_address, id.source_port),
                                peer: SocketAddr::new(id.destination_address, id.destination_port),
                            });
                        }
                    }
                    NetlinkPayload::Done(_) => break 'dump,
                    NetlinkPayload::Error(e) => match e.code {
                        None => break 'dump,
                        Some(code) => return Err(io::Error::from_raw_os_error(-code.get())),
                    },
                    _ => {}
                }
            }
        }
    }
    Ok(found)
}

/// An IPv4 address and an IPv4-mapped IPv6 one name the same IPv4
/// connection; the kernel files it under `AF_INET`.
fn same_family(local: SocketAddr, peer: SocketAddr) -> (SocketAddr, SocketAddr) {
    let v4 = |a: SocketAddr| match a.ip() {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or(a, |ip| SocketAddr::new(IpAddr::V4(ip), a.port())),
        IpAddr::V4(_) => a,
    };
    let (l4, p4) = (v4(local), v4(peer));
    if l4.is_ipv4() && p4.is_ipv4() {
        (l4, p4)
    } else {
        (local, peer)
    }
}

/// The first message of the kernel's answer: the connection's state, or
/// "no such connection" (`ENOENT`), or an error.
///
/// When the connection is gone the kernel's lookup falls back to a
/// listener on the local port, as it would for a new packet; that socket
/// is not the connection asked about, so its answer counts as none.
fn parse_answer(bytes: &[u8], local: SocketAddr, peer: SocketAddr) -> io::Result<Option<TcpState>> {
    let msg = <NetlinkMessage<SockDiagMessage>>::deserialize(bytes)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
    match msg.payload {
        NetlinkPayload::InnerMessage(SockDiagMessage::InetResponse(r)) => {
            let id = &r.header.socket_id;
            let same = id.source_port == local.port()
                && id.destination_port == peer.port()
                && id.destination_address == peer.ip();
            Ok(same.then(|| TcpState::from_raw(r.header.state)))
        }
        NetlinkPayload::Error(e) => match e.code {
            None => Ok(None),
            Some(code) if -code.get() == nix::errno::Errno::ENOENT as i32 => Ok(None),
            Some(code) => Err(io::Error::from_raw_os_error(-code.get())),
        },
        other => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("unexpected sock_diag answer: {other:?}"),
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};

    #[test]
    fn a_live_connection_is_found_from_both_sides_and_a_made_up_one_is_not() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let c = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (a, _) = l.accept().unwrap();
        let (cl, al) = (c.local_addr().unwrap(), a.local_addr().unwrap());
        assert_eq!(state_of(cl, al).unwrap(), Some(TcpState::Established));
        assert_eq!(state_of(al, cl).unwrap(), Some(TcpState::Established));
        // The same connection named with IPv4-mapped addresses.
        let mapped = |s: SocketAddr| match s.ip() {
            IpAddr::V4(v4) => SocketAddr::new(IpAddr::V6(v4.to_ipv6_mapped()), s.port()),
            IpAddr::V6(_) => s,
        };
        assert_eq!(
            state_of(mapped(cl), mapped(al)).unwrap(),
            Some(TcpState::Established)
        );
        let nobody: SocketAddr = "127.0.0.1:1".parse().unwrap();
        assert_eq!(state_of(cl, nobody).unwrap(), None);
    }

    #[test]
    fn a_port_lists_its_listener_and_connections() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let c = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (_a, _) = l.accept().unwrap();
        let on = sockets_on_port(port).unwrap();
        assert!(on.iter().any(|s| s.state == TcpState::Listen), "{on:?}");
        assert!(
            on.iter()
                .any(|s| s.state == TcpState::Established && s.peer == c.local_addr().unwrap()),
            "{on:?}"
        );
        assert!(on.iter().all(|s| s.local.port() == port), "{on:?}");
    }

    #[test]
    fn garbage_from_the_kernel_is_an_error_not_a_panic() {
        let a: SocketAddr = "127.0.0.1:1".parse().unwrap();
        assert!(parse_answer(&[], a, a).is_err());
        assert!(parse_answer(&[1, 2, 3], a, a).is_err());
        assert!(parse_answer(&[0xff; 64], a, a).is_err());
    }

    #[test]
    fn a_closed_connection_on_a_listening_port_is_not_reported_as_the_listener() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let c = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (a, _) = l.accept().unwrap();
        let (cl, al) = (c.local_addr().unwrap(), a.local_addr().unwrap());
        // The accepted side closes last: no record of it remains.
        drop(c);
        let mut buf = [0u8; 1];
        let _ = std::io::Read::read(&mut &a, &mut buf);
        drop(a);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let st = state_of(al, cl).unwrap();
            if st.is_none() {
                break;
            }
            assert_ne!(st, Some(TcpState::Listen));
            assert!(std::time::Instant::now() < deadline, "{st:?}");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(
            state_of(cl, al).unwrap(),
            Some(TcpState::TimeWait),
            "the side that closed first"
        );
    }
}
