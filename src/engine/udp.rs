//! UDP in the engine: a socket with a large receive buffer, every datagram
//! reported with its sender, truncation reported, and on Linux the kernel's
//! drop counter (`SO_RXQ_OVFL`) read from each datagram's control data.

use std::collections::VecDeque;
use std::io::{self, IoSliceMut};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;

use mio::Interest;
use nix::sys::socket::{self, MsgFlags, SockaddrStorage};
use socket2::{Domain, Protocol, Socket, Type};

use super::addr::Addr;
use super::call::{CallOk, Family, SetOption, SockCall, SockType};
use super::error::{NetError, NetOp, Why};
use super::message::{
    DEFAULT_UDP_RCVBUF_BYTES, EventKind, MAX_SEND_QUEUE_BYTES, MAX_UDP_PAYLOAD_BYTES, SockOption,
    SocketId,
};
use super::reactor::{Reactor, Sock};

/// The largest receive size a UDP socket may ask for.
pub(crate) const MAX_RECV_BYTES: usize = 65_536;

/// A bound UDP socket.
pub(crate) struct Udp {
    socket: mio::net::UdpSocket,
    default_peer: Option<SocketAddr>,
    recv_bytes: usize,
    /// Datagrams the kernel had no room for yet.
    out: VecDeque<(Vec<u8>, SocketAddr)>,
    /// Bytes in `out`.
    queued: usize,
    pub(crate) read_pending: bool,
    drop_counting: bool,
    drops: u64,
}

impl Udp {
    /// Whether a send without a destination has somewhere to go.
    pub(crate) fn has_default_peer(&self) -> bool {
        self.default_peer.is_some()
    }

    /// Bytes queued and not yet sent.
    pub(crate) fn queued_bytes(&self) -> usize {
        self.queued
    }
}

/// `socket(SOCK_DGRAM)`, `SO_RCVBUF`, `SO_RXQ_OVFL`, `bind()`.
pub(crate) fn bind(
    r: &mut Reactor,
    id: SocketId,
    addr: SocketAddr,
    default_peer: Option<SocketAddr>,
    recv_bytes: usize,
) -> Result<Sock, NetError> {
    let a = addr.to_string();
    let create = |e: io::Error| NetError::from_io(NetOp::Create, &e, Some(&a));
    let sock = r.step(
        id,
        SockCall::Socket {
            family: Family::of(addr),
            ty: SockType::Dgram,
        },
        Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))
            .and_then(|s| s.set_nonblocking(true).map(|()| s))
            .map_err(create),
        super::tcp::fd_of,
    )?;
    // Ask for a large buffer; the kernel may grant less (net.core.rmem_max).
    let asked = sock.set_recv_buffer_size(DEFAULT_UDP_RCVBUF_BYTES);
    let rcvbuf_bytes = sock.recv_buffer_size().unwrap_or(0);
    r.call(
        id,
        SockCall::SetOption(SetOption::RcvBuf(DEFAULT_UDP_RCVBUF_BYTES)),
        match asked {
            Ok(()) => Ok(CallOk::RcvBufGranted(rcvbuf_bytes)),
            Err(e) => Err(NetError::from_io(NetOp::Create, &e, Some(&a))),
        },
    );
    let drop_counting = enable_drop_counting(&sock);
    r.call(
        id,
        SockCall::SetOption(SetOption::RxqOvfl),
        Ok(if drop_counting {
            CallOk::Done
        } else {
            CallOk::Unsupported
        }),
    );
    r.bind(id, &sock, addr)?;
    let local = sock
        .local_addr()
        .ok()
        .and_then(|l| l.as_socket())
        .unwrap_or(addr);
    let mut socket = mio::net::UdpSocket::from_std(sock.into());
    r.register(id, &mut socket, Interest::READABLE | Interest::WRITABLE)
        .map_err(|e| NetError::from_io(NetOp::Engine, &e, Some(&a)))?;
    r.out.emit(
        id,
        EventKind::Bound {
            local: local.into(),
            rcvbuf_bytes,
            drop_counting,
        },
    );
    Ok(Sock::Udp(Udp {
        socket,
        default_peer,
        recv_bytes: recv_bytes.clamp(1, MAX_RECV_BYTES),
        out: VecDeque::new(),
        queued: 0,
        read_pending: false,
        drop_counting,
        drops: 0,
    }))
}

#[cfg(target_os = "linux")]
fn enable_drop_counting(sock: &Socket) -> bool {
    socket::setsockopt(sock, socket::sockopt::RxqOvfl, &1).is_ok()
}

#[cfg(not(target_os = "linux"))]
fn enable_drop_counting(_sock: &Socket) -> bool {
    false
}

/// One received datagram.
struct Datagram {
    len: usize,
    from: Option<SocketAddr>,
    truncated: bool,
    drops: Option<u64>,
}

fn to_std(addr: &SockaddrStorage) -> Option<SocketAddr> {
    if let Some(v4) = addr.as_sockaddr_in() {
        return Some(SocketAddr::V4((*v4).into()));
    }
    addr.as_sockaddr_in6()
        .map(|v6| SocketAddr::V6((*v6).into()))
}

fn recv_one(u: &Udp, buf: &mut [u8], cmsg: &mut [u8]) -> io::Result<Datagram> {
    let mut iov = [IoSliceMut::new(buf)];
    let msg = socket::recvmsg::<SockaddrStorage>(
        u.socket.as_raw_fd(),
        &mut iov,
        if u.drop_counting { Some(cmsg) } else { None },
        MsgFlags::empty(),
    )
    .map_err(io::Error::from)?;
    let mut drops = None;
    #[cfg(target_os = "linux")]
    if let Ok(cmsgs) = msg.cmsgs() {
        for c in cmsgs {
            if let socket::ControlMessageOwned::RxqOvfl(n) = c {
                drops = Some(u64::from(n));
            }
        }
    }
    Ok(Datagram {
        len: msg.bytes,
        from: msg.address.as_ref().and_then(to_std),
        truncated: msg.flags.contains(MsgFlags::MSG_TRUNC),
        drops,
    })
}

/// Receives up to `max` datagrams. Returns true if there may be more.
pub(crate) fn read_some(r: &mut Reactor, id: SocketId, max: usize) -> bool {
    let mut buf = r.take_buf();
    let mut cmsg = nix::cmsg_space!(u32);
    let mut more = true;
    for _ in 0..max {
        if !r.out.has_room() {
            break;
        }
        let Some(Sock::Udp(u)) = r.sockets.get_mut(&id) else {
            more = false;
            break;
        };
        let cap = u.recv_bytes.min(buf.len());
        match recv_one(u, &mut buf[..cap], &mut cmsg) {
            Ok(d) => {
                let new_drops = d.drops.filter(|&n| n != u.drops);
                if let Some(n) = new_drops {
                    u.drops = n;
                }
                r.out.emit(
                    id,
                    EventKind::Received {
                        bytes: buf[..d.len.min(cap)].to_vec(),
                        from: d.from.map(Addr::from),
                        truncated: d.truncated,
                    },
                );
                if let Some(total) = new_drops {
                    r.out.emit(id, EventKind::KernelDrops { total });
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                more = false;
                break;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                // E.g. ECONNREFUSED from an ICMP error: report, stay open.
                r.out.emit(
                    id,
                    EventKind::Failed(NetError::from_io(NetOp::Recv, &e, None)),
                );
            }
        }
    }
    r.put_buf(buf);
    more
}

/// Sends one datagram to `to` or the default peer; queued if the kernel is full.
pub(crate) fn send(r: &mut Reactor, id: SocketId, bytes: Vec<u8>, to: Option<Addr>) {
    let to = match to {
        None => None,
        Some(Addr::Ip(a)) => Some(a),
        Some(other) => {
            let e = NetError::refused(
                NetOp::Send,
                io::ErrorKind::InvalidInput,
                Some(&other.to_string()),
                Why::WrongFamily,
            );
            r.out.emit(id, EventKind::Failed(e));
            return;
        }
    };
    let Some(Sock::Udp(u)) = r.sockets.get_mut(&id) else {
        return;
    };
    let Some(dest) = to.or(u.default_peer) else {
        r.refuse(
            id,
            NetOp::Send,
            io::ErrorKind::InvalidInput,
            Why::NoDestination,
        );
        return;
    };
    if bytes.len() > MAX_UDP_PAYLOAD_BYTES && dest.is_ipv4() {
        let e = NetError::refused(
            NetOp::Send,
            io::ErrorKind::InvalidInput,
            Some(&dest.to_string()),
            Why::DatagramTooLong { len: bytes.len() },
        );
        r.out.emit(id, EventKind::Failed(e));
        return;
    }
    if u.queued > 0 && u.queued + bytes.len() > MAX_SEND_QUEUE_BYTES {
        let e = NetError::refused(
            NetOp::Send,
            io::ErrorKind::WouldBlock,
            Some(&dest.to_string()),
            Why::QueueFull {
                queued: u.queued,
                len: bytes.len(),
                datagrams: true,
            },
        );
        r.out.emit(id, EventKind::Failed(e));
        return;
    }
    u.queued += bytes.len();
    u.out.push_back((bytes, dest));
    if u.out.len() == 1 {
        flush(r, id);
    }
}

/// Sends queued datagrams until the kernel is full.
pub(crate) fn flush(r: &mut Reactor, id: SocketId) {
    loop {
        let Some(Sock::Udp(u)) = r.sockets.get_mut(&id) else {
            return;
        };
        let Some((bytes, dest)) = u.out.front() else {
            return;
        };
        let dest = *dest;
        match u.socket.send_to(bytes, dest) {
            Ok(_) => {
                if let Some((bytes, to)) = u.out.pop_front() {
                    u.queued = u.queued.saturating_sub(bytes.len());
                    r.out.emit(
                        id,
                        EventKind::Sent {
                            bytes,
                            to: Some(to.into()),
                        },
                    );
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                // This datagram fails; the socket and the rest of the queue go on.
                if let Some((bytes, _)) = u.out.pop_front() {
                    u.queued = u.queued.saturating_sub(bytes.len());
                }
                let err = NetError::from_io(NetOp::Send, &e, Some(&dest.to_string()));
                r.out.emit(id, EventKind::Failed(err));
            }
        }
    }
}

/// Applies a setting to a UDP socket: only the receive size applies.
pub(crate) fn configure(r: &mut Reactor, id: SocketId, option: SockOption) {
    let Some(Sock::Udp(u)) = r.sockets.get_mut(&id) else {
        return;
    };
    match option {
        SockOption::RecvSize(n) => {
            u.recv_bytes = n.clamp(1, MAX_RECV_BYTES);
            let n = u.recv_bytes;
            r.out
                .emit(id, EventKind::Configured(SockOption::RecvSize(n)));
        }
        SockOption::NoDelay(_) | SockOption::CloseOnPeerClose(_) => {
            r.refuse(
                id,
                NetOp::Create,
                io::ErrorKind::Unsupported,
                Why::NotForUdp,
            );
        }
    }
}
