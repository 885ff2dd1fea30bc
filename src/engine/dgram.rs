//! Datagram sockets, UDP and Unix, as one endpoint: every datagram
//! reported whole with its sender, truncation reported, sends queued in
//! order while the kernel has no room. UDP asks for a large receive buffer
//! and, on Linux, the kernel's drop counter (`SO_RXQ_OVFL`), read from each
//! datagram's control data.

use std::collections::VecDeque;
use std::io::{self, IoSliceMut};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;

use mio::Interest;
use nix::sys::socket::{self, MsgFlags, SockaddrStorage};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::addr::{Addr, UnixAddr};
use super::call::{CallOk, Family, SetOption, SockCall, SockType};
use super::endpoint::{Cx, Endpoint, Ready, Request};
use super::error::{NetError, NetOp, Why};
use super::message::{
    CloseReason, DEFAULT_UDP_RCVBUF_BYTES, EventKind, MAX_SEND_QUEUE_BYTES, MAX_UDP_PAYLOAD_BYTES,
    SockOption,
};

/// The largest receive size a datagram socket may ask for.
pub(crate) const MAX_RECV_BYTES: usize = 65_536;

/// A bound datagram socket.
pub(crate) struct Dgram {
    sock: Socket,
    /// A Unix datagram socket (else UDP).
    unix: bool,
    default_peer: Option<Addr>,
    recv_bytes: usize,
    /// Datagrams the kernel had no room for yet.
    out: VecDeque<(Vec<u8>, Addr, SockAddr)>,
    /// Bytes in `out`.
    queued: usize,
    drop_counting: bool,
    drops: u64,
    /// The socket file it made (Unix), removed when it closes.
    file: Option<super::unix::BoundFile>,
}

/// `socket(SOCK_DGRAM)`, `SO_RCVBUF`, `SO_RXQ_OVFL`, `bind()`.
pub(crate) fn bind_udp(
    cx: &mut Cx<'_>,
    addr: SocketAddr,
    default_peer: Option<SocketAddr>,
    recv_bytes: usize,
) -> Result<Dgram, NetError> {
    let a = addr.to_string();
    let create = |e: io::Error| NetError::from_io(NetOp::Create, &e, Some(&a));
    let sock = cx.step(
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
    cx.call(
        SockCall::SetOption(SetOption::RcvBuf(DEFAULT_UDP_RCVBUF_BYTES)),
        match asked {
            Ok(()) => Ok(CallOk::RcvBufGranted(rcvbuf_bytes)),
            Err(e) => Err(NetError::from_io(NetOp::Create, &e, Some(&a))),
        },
    );
    let drop_counting = enable_drop_counting(&sock);
    cx.call(
        SockCall::SetOption(SetOption::RxqOvfl),
        Ok(if drop_counting {
            CallOk::Done
        } else {
            CallOk::Unsupported
        }),
    );
    cx.bind(&sock, &addr.into())?;
    let local = sock
        .local_addr()
        .ok()
        .and_then(|l| l.as_socket())
        .unwrap_or(addr);
    finish(
        cx,
        sock,
        false,
        local.into(),
        default_peer.map(Addr::from),
        recv_bytes,
        drop_counting,
    )
}

/// `socket(AF_UNIX, SOCK_DGRAM)`, `bind(path)`.
pub(crate) fn bind_unix(
    cx: &mut Cx<'_>,
    path: UnixAddr,
    default_peer: Option<UnixAddr>,
    recv_bytes: usize,
    remove_stale: bool,
) -> Result<Dgram, NetError> {
    let a = path.to_string();
    let sock = cx.step(
        SockCall::Socket {
            family: Family::Unix,
            ty: SockType::Dgram,
        },
        Socket::new(Domain::UNIX, Type::DGRAM, None)
            .and_then(|s| s.set_nonblocking(true).map(|()| s))
            .map_err(|e| NetError::from_io(NetOp::Create, &e, Some(&a))),
        super::tcp::fd_of,
    )?;
    let file = super::unix::bind_path(cx, &sock, &path, remove_stale, SockType::Dgram)?;
    let mut d = finish(
        cx,
        sock,
        true,
        Addr::Unix(path),
        default_peer.map(Addr::Unix),
        recv_bytes,
        false,
    )?;
    d.file = file;
    Ok(d)
}

/// Registers a bound socket and reports it.
fn finish(
    cx: &mut Cx<'_>,
    sock: Socket,
    unix: bool,
    local: Addr,
    default_peer: Option<Addr>,
    recv_bytes: usize,
    drop_counting: bool,
) -> Result<Dgram, NetError> {
    let fd = sock.as_raw_fd();
    cx.register(
        cx.id,
        &mut mio::unix::SourceFd(&fd),
        Interest::READABLE | Interest::WRITABLE,
    )
    .map_err(|e| NetError::from_io(NetOp::Engine, &e, Some(&local.to_string())))?;
    cx.emit(EventKind::Bound {
        local,
        rcvbuf_bytes: sock.recv_buffer_size().unwrap_or(0),
        drop_counting,
    });
    Ok(Dgram {
        sock,
        unix,
        default_peer,
        recv_bytes: recv_bytes.clamp(1, MAX_RECV_BYTES),
        out: VecDeque::new(),
        queued: 0,
        drop_counting,
        drops: 0,
        file: None,
    })
}

#[cfg(target_os = "linux")]
fn enable_drop_counting(sock: &Socket) -> bool {
    socket::setsockopt(sock, socket::sockopt::RxqOvfl, &1).is_ok()
}

#[cfg(not(target_os = "linux"))]
fn enable_drop_counting(_sock: &Socket) -> bool {
    false
}

/// `recvmsg` flags: on Linux, `MSG_TRUNC` makes it return a datagram's
/// whole length even when the buffer held only part of it.
#[cfg(target_os = "linux")]
const TRUNC_LEN: MsgFlags = MsgFlags::MSG_TRUNC;
#[cfg(not(target_os = "linux"))]
const TRUNC_LEN: MsgFlags = MsgFlags::empty();

/// One received datagram (`len`: its whole length, where the kernel says).
struct Datagram {
    len: usize,
    from: Option<Addr>,
    truncated: bool,
    drops: Option<u64>,
}

/// The sender of a UDP datagram as an [`Addr`].
fn addr_of(addr: &SockaddrStorage) -> Option<Addr> {
    if let Some(v4) = addr.as_sockaddr_in() {
        return Some(Addr::Ip(SocketAddr::V4((*v4).into())));
    }
    addr.as_sockaddr_in6()
        .map(|v6| Addr::Ip(SocketAddr::V6((*v6).into())))
}

impl Dgram {
    fn recv_one(&self, buf: &mut [u8], cmsg: &mut [u8]) -> io::Result<Datagram> {
        let mut iov = [IoSliceMut::new(buf)];
        let fd = self.sock.as_raw_fd();
        if self.unix {
            // Asked for as a Unix address: nix's general storage loses the
            // length of a Unix sender's address.
            let msg = socket::recvmsg::<nix::sys::socket::UnixAddr>(fd, &mut iov, None, TRUNC_LEN)
                .map_err(io::Error::from)?;
            return Ok(Datagram {
                len: msg.bytes,
                from: Some(Addr::Unix(
                    msg.address
                        .as_ref()
                        .map_or(UnixAddr::Unnamed, super::unix::from_nix),
                )),
                truncated: msg.flags.contains(MsgFlags::MSG_TRUNC),
                drops: None,
            });
        }
        let msg = socket::recvmsg::<SockaddrStorage>(
            fd,
            &mut iov,
            if self.drop_counting { Some(cmsg) } else { None },
            TRUNC_LEN,
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
            from: msg.address.as_ref().and_then(addr_of),
            truncated: msg.flags.contains(MsgFlags::MSG_TRUNC),
            drops,
        })
    }

    /// Sends one datagram to `to` or the default peer; queued if the
    /// kernel is full.
    fn send(&mut self, cx: &mut Cx<'_>, bytes: Vec<u8>, to: Option<Addr>) {
        let Some(dest) = to.or_else(|| self.default_peer.clone()) else {
            cx.refuse(NetOp::Send, io::ErrorKind::InvalidInput, Why::NoDestination);
            return;
        };
        let target = match (&dest, self.unix) {
            (Addr::Ip(a), false) => Ok(SockAddr::from(*a)),
            (Addr::Unix(u), true) => super::unix::sockaddr(u),
            _ => Err(io::Error::from(io::ErrorKind::InvalidInput)),
        };
        let target = match target {
            Ok(t) => t,
            Err(_) => {
                let e = NetError::refused(
                    NetOp::Send,
                    io::ErrorKind::InvalidInput,
                    Some(&dest.to_string()),
                    Why::WrongFamily,
                );
                cx.fail(e);
                return;
            }
        };
        if bytes.len() > MAX_UDP_PAYLOAD_BYTES && dest.ip().is_some_and(|a| a.is_ipv4()) {
            let e = NetError::refused(
                NetOp::Send,
                io::ErrorKind::InvalidInput,
                Some(&dest.to_string()),
                Why::DatagramTooLong { len: bytes.len() },
            );
            cx.fail(e);
            return;
        }
        if self.queued > 0 && self.queued + bytes.len() > MAX_SEND_QUEUE_BYTES {
            let e = NetError::refused(
                NetOp::Send,
                io::ErrorKind::WouldBlock,
                Some(&dest.to_string()),
                Why::QueueFull {
                    queued: self.queued,
                    len: bytes.len(),
                    datagrams: true,
                },
            );
            cx.fail(e);
            return;
        }
        self.queued += bytes.len();
        self.out.push_back((bytes, dest, target));
        if self.out.len() == 1 {
            self.flush(cx);
        }
    }

    /// Sends queued datagrams until the kernel is full.
    fn flush(&mut self, cx: &mut Cx<'_>) {
        while let Some((bytes, dest, target)) = self.out.front() {
            match self.sock.send_to(bytes, target) {
                Ok(_) => {
                    if let Some((bytes, to, _)) = self.out.pop_front() {
                        self.queued = self.queued.saturating_sub(bytes.len());
                        cx.emit(EventKind::Sent {
                            bytes,
                            to: Some(to),
                        });
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // This datagram fails; the socket and the rest of the
                    // queue go on.
                    let err = NetError::from_io(NetOp::Send, &e, Some(&dest.to_string()));
                    if let Some((bytes, _, _)) = self.out.pop_front() {
                        self.queued = self.queued.saturating_sub(bytes.len());
                    }
                    cx.fail(err);
                }
            }
        }
    }
}

impl Endpoint for Dgram {
    fn ready(&mut self, cx: &mut Cx<'_>, ready: Ready) -> bool {
        if ready.writable {
            self.flush(cx);
        }
        ready.readable || ready.error
    }

    /// Receives up to `budget` datagrams. Returns true if there may be more.
    fn read(&mut self, cx: &mut Cx<'_>, buf: &mut Vec<u8>, budget: usize) -> bool {
        let mut cmsg = nix::cmsg_space!(u32);
        for _ in 0..budget {
            if !cx.out.has_room() {
                return true;
            }
            let cap = self.recv_bytes.min(buf.len());
            match self.recv_one(&mut buf[..cap], &mut cmsg) {
                Ok(d) => {
                    let new_drops = d.drops.filter(|&n| n != self.drops);
                    if let Some(n) = new_drops {
                        self.drops = n;
                    }
                    // A cut datagram: its whole length where the kernel said it
                    // (MSG_TRUNC in the flags), else 0 (unknown).
                    let cut =
                        (d.truncated || d.len > cap).then_some(if d.len > cap { d.len } else { 0 });
                    cx.received(buf[..d.len.min(cap)].to_vec(), d.from, cut, false);
                    if let Some(total) = new_drops {
                        cx.emit(EventKind::KernelDrops { total });
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // E.g. ECONNREFUSED from an ICMP error: report, stay open.
                    cx.fail(NetError::from_io(NetOp::Recv, &e, None));
                }
            }
        }
        true
    }

    fn request(&mut self, cx: &mut Cx<'_>, request: Request) {
        match request {
            Request::Send { bytes, to } => self.send(cx, bytes, to),
            Request::Close(how) => {
                let reason = if how == super::message::CloseHow::Reset {
                    CloseReason::Reset
                } else {
                    CloseReason::ByUser
                };
                cx.close(reason, self.queued);
            }
            Request::Configure(SockOption::RecvSize(n)) => {
                self.recv_bytes = n.clamp(1, MAX_RECV_BYTES);
                cx.emit(EventKind::Configured(SockOption::RecvSize(self.recv_bytes)));
            }
            Request::Configure(SockOption::NoDelay(_) | SockOption::CloseOnPeerClose(_)) => {
                cx.refuse(NetOp::Create, io::ErrorKind::Unsupported, Why::NotForUdp);
            }
            Request::QueryTcpInfo | Request::Resolved(_) => {}
        }
    }

    fn queued_bytes(&self) -> usize {
        self.queued
    }

    fn can_send(&self, to: Option<&Addr>) -> bool {
        to.is_some() || self.default_peer.is_some()
    }

    fn is_datagram(&self) -> bool {
        true
    }

    fn close_fd(&mut self, cx: &mut Cx<'_>) -> Vec<super::message::SocketId> {
        cx.call(SockCall::Close, Ok(CallOk::Done));
        if let Some(file) = &mut self.file {
            file.remove(cx);
        }
        Vec::new()
    }
}
