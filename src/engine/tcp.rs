//! TCP in the engine, as two endpoints: a [`Listener`] (created and
//! configured with socket2, then driven by mio) that accepts connections
//! as sockets of their own, and a [`Conn`]: a client that resolves,
//! connects with a timeout and address fallback, or an accepted
//! connection; once open, a [`Stream`] with an ordered send queue that is
//! finished on writable, never dropped or reordered.

use std::collections::VecDeque;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant};

use mio::Interest;
use nix::errno::Errno;
use socket2::{Domain, Protocol, Socket, Type};

use super::addr::Addr;
use super::call::{CallOk, Family, SetOption, SockCall, SockType};
use super::endpoint::{After, Cx, Endpoint, Ready, Request};
use super::error::{NetError, NetOp, Why};
use super::listener::{Acceptor, Listener};
use super::message::{CloseHow, CloseReason, EventKind, SocketId};
use super::stream::{Connected, Stream};
use super::timer::{TimerKey, TimerKind};

/// How long a TCP connect may take.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// `fd 7`: what `socket()` returned.
pub(crate) fn fd_of(s: &Socket) -> CallOk {
    use std::os::fd::AsRawFd;
    CallOk::Fd(s.as_raw_fd())
}

/// `socket()` for `addr`'s family, non-blocking, reported as a call.
fn new_socket(cx: &mut Cx<'_>, addr: SocketAddr) -> Result<Socket, NetError> {
    let call = SockCall::Socket {
        family: Family::of(addr),
        ty: SockType::Stream,
    };
    cx.step(call, create_socket(addr), fd_of)
}

fn create_socket(addr: SocketAddr) -> Result<Socket, NetError> {
    let a = addr.to_string();
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .map_err(|e| NetError::from_io(NetOp::Create, &e, Some(&a)))?;
    sock.set_nonblocking(true)
        .map_err(|e| NetError::from_io(NetOp::Create, &e, Some(&a)))?;
    Ok(sock)
}

/// `socket()`, `setsockopt(SO_REUSEADDR)`, `bind()`, `listen()`.
pub(crate) fn listen(
    cx: &mut Cx<'_>,
    addr: SocketAddr,
    backlog: i32,
    reuse_addr: bool,
) -> Result<Listener, NetError> {
    let a = addr.to_string();
    let sock = new_socket(cx, addr)?;
    if reuse_addr {
        cx.step(
            SockCall::SetOption(SetOption::ReuseAddr),
            sock.set_reuse_address(true)
                .map_err(|e| NetError::from_io(NetOp::Create, &e, Some(&a))),
            |_| CallOk::Done,
        )?;
    }
    cx.bind(&sock, &addr.into())?;
    cx.step(
        SockCall::Listen { backlog },
        sock.listen(backlog)
            .map_err(|e| NetError::from_io(NetOp::Listen, &e, Some(&a))),
        |_| CallOk::Done,
    )?;
    let local = sock
        .local_addr()
        .ok()
        .and_then(|l| l.as_socket())
        .unwrap_or(addr);
    let mut listener = mio::net::TcpListener::from_std(sock.into());
    cx.register(cx.id, &mut listener, Interest::READABLE)
        .map_err(|e| NetError::from_io(NetOp::Engine, &e, Some(&a)))?;
    cx.emit(EventKind::Listening {
        local: local.into(),
        backlog,
    });
    Ok(Listener::new(Acceptor::Tcp(listener)))
}

/// Resolves `host` (blocking: call it off the engine and UI threads).
pub(crate) fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, NetError> {
    match (host, port).to_socket_addrs() {
        Ok(addrs) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                Err(NetError::refused(
                    NetOp::Resolve,
                    io::ErrorKind::NotFound,
                    Some(host),
                    Why::NoAddress,
                ))
            } else {
                Ok(addrs)
            }
        }
        Err(e) => Err(NetError::refused(
            NetOp::Resolve,
            io::ErrorKind::NotFound,
            Some(host),
            Why::Unresolved(e.to_string()),
        )),
    }
}

/// A client connect in flight.
struct Connecting {
    stream: mio::net::TcpStream,
    peer: SocketAddr,
    /// Addresses still to try if this one fails.
    rest: VecDeque<SocketAddr>,
    /// The timer that gives up on it.
    timer: TimerKey,
}

/// Where a TCP connection is in its life.
enum Phase {
    /// A client waiting for its host name to resolve (no descriptor yet).
    Resolving,
    /// A client whose connect is in flight.
    Connecting(Connecting),
    /// Connected.
    Open(Connected),
    /// A client whose last connect failed: it closes at the end of the
    /// turn, its descriptor already closed (and reported).
    Gone,
}

/// A TCP client, from its lookup on.
pub(crate) struct Conn {
    phase: Phase,
}

impl Conn {
    /// A client for `host:port`: connects at once to an address literal,
    /// or asks for a lookup first.
    pub(crate) fn client(cx: &mut Cx<'_>, host: String, port: u16) -> Self {
        let mut conn = Conn {
            phase: Phase::Resolving,
        };
        let literal = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>();
        if let Ok(ip) = literal {
            conn.try_connect(cx, VecDeque::from([SocketAddr::new(ip, port)]));
        } else {
            cx.emit(EventKind::Resolving { host: host.clone() });
            cx.then(After::Resolve {
                id: cx.id,
                host,
                port,
            });
        }
        conn
    }

    /// Tries the next address; on the last failure, fails.
    fn try_connect(&mut self, cx: &mut Cx<'_>, mut addrs: VecDeque<SocketAddr>) {
        let mut last_err = None;
        while let Some(addr) = addrs.pop_front() {
            match connect(cx, addr) {
                Ok(stream) => {
                    let timer =
                        cx.schedule(Instant::now() + CONNECT_TIMEOUT, TimerKind::ConnectTimeout);
                    cx.emit(EventKind::Connecting { peer: addr.into() });
                    self.phase = Phase::Connecting(Connecting {
                        stream,
                        peer: addr,
                        rest: addrs,
                        timer,
                    });
                    return;
                }
                Err(e) => {
                    cx.fail(e.clone());
                    last_err = Some(e);
                }
            }
        }
        let err = last_err.unwrap_or_else(|| {
            NetError::refused(
                NetOp::Resolve,
                io::ErrorKind::NotFound,
                None,
                Why::NoAddress,
            )
        });
        self.phase = Phase::Gone;
        cx.close(CloseReason::Error(Box::new(err)), 0);
    }

    /// The connect finished one way or the other (or woke spuriously).
    /// Returns true once connected (there may be data to read).
    fn on_connect_ready(&mut self, cx: &mut Cx<'_>) -> bool {
        let Phase::Connecting(c) = &mut self.phase else {
            return false;
        };
        let a = c.peer.to_string();
        let err = match c.stream.take_error() {
            Ok(Some(e)) | Err(e) => Some(e),
            Ok(None) => None,
        };
        if let Some(e) = err {
            self.connect_failed(cx, NetError::from_io(NetOp::Connect, &e, Some(&a)));
            return false;
        }
        match c.stream.peer_addr() {
            Ok(peer) => match c.stream.local_addr() {
                Ok(local) => {
                    cx.call(
                        SockCall::Connect(peer.into()),
                        Ok(CallOk::ConnectedFrom(local.into())),
                    );
                    cx.emit(EventKind::Connected {
                        local: local.into(),
                        peer: peer.into(),
                    });
                    let Phase::Connecting(c) = std::mem::replace(&mut self.phase, Phase::Gone)
                    else {
                        return false;
                    };
                    let stream = Stream::new(c.stream.into(), peer.into());
                    self.phase = Phase::Open(Connected::new(stream, None));
                    true
                }
                Err(e) => {
                    cx.fail_and_close(NetError::from_io(NetOp::Connect, &e, Some(&a)), 0);
                    false
                }
            },
            Err(e) if e.kind() == io::ErrorKind::NotConnected => false,
            Err(e) => {
                self.connect_failed(cx, NetError::from_io(NetOp::Connect, &e, Some(&a)));
                false
            }
        }
    }

    fn connect_failed(&mut self, cx: &mut Cx<'_>, err: NetError) {
        let Phase::Connecting(c) = std::mem::replace(&mut self.phase, Phase::Gone) else {
            return;
        };
        cx.call(SockCall::Connect(c.peer.into()), Err(err.clone()));
        cx.call(SockCall::Close, Ok(CallOk::Done));
        drop(c.stream);
        if c.rest.is_empty() {
            cx.fail_and_close(err, 0);
        } else {
            cx.fail(err);
            self.try_connect(cx, c.rest);
        }
    }
}

/// `socket()` then a non-blocking `connect()`.
fn connect(cx: &mut Cx<'_>, addr: SocketAddr) -> Result<mio::net::TcpStream, NetError> {
    let a = addr.to_string();
    let sock = new_socket(cx, addr)?;
    match sock.connect(&addr.into()) {
        Ok(()) => {}
        Err(e)
            if e.raw_os_error() == Some(Errno::EINPROGRESS as i32)
                || e.kind() == io::ErrorKind::WouldBlock => {}
        Err(e) => {
            let err = NetError::from_io(NetOp::Connect, &e, Some(&a));
            cx.call(SockCall::Connect(addr.into()), Err(err.clone()));
            return Err(err);
        }
    }
    let mut stream = mio::net::TcpStream::from_std(sock.into());
    cx.register(cx.id, &mut stream, Interest::READABLE | Interest::WRITABLE)
        .map_err(|e| NetError::from_io(NetOp::Engine, &e, Some(&a)))?;
    Ok(stream)
}

impl Endpoint for Conn {
    fn ready(&mut self, cx: &mut Cx<'_>, ready: Ready) -> bool {
        match &mut self.phase {
            Phase::Connecting(_) => self.on_connect_ready(cx),
            Phase::Open(c) => c.ready(cx, ready),
            Phase::Resolving | Phase::Gone => false,
        }
    }

    fn read(&mut self, cx: &mut Cx<'_>, buf: &mut Vec<u8>, budget: usize) -> bool {
        match &mut self.phase {
            Phase::Open(c) => c.read(cx, buf, budget),
            _ => false,
        }
    }

    fn request(&mut self, cx: &mut Cx<'_>, request: Request) {
        match (&mut self.phase, request) {
            (Phase::Open(c), request) => c.request(cx, request),
            (Phase::Connecting(c), Request::QueryTcpInfo) => {
                if let Ok(info) = super::tcp_info::tcp_info(&c.stream) {
                    cx.emit(EventKind::TcpInfo(info));
                }
            }
            (Phase::Resolving | Phase::Connecting(_), Request::Send { .. }) => cx.refuse(
                NetOp::Send,
                io::ErrorKind::NotConnected,
                Why::StillConnecting,
            ),
            (Phase::Resolving | Phase::Connecting(_), Request::Configure(_)) => cx.refuse(
                NetOp::Create,
                io::ErrorKind::NotConnected,
                Why::ConfigureBeforeConnected,
            ),
            (Phase::Resolving | Phase::Connecting(_), Request::Close(how)) => {
                let reason = if how == CloseHow::Reset {
                    CloseReason::Reset
                } else {
                    CloseReason::ByUser
                };
                cx.close(reason, 0);
            }
            (Phase::Resolving, Request::Resolved(result)) => match result {
                Ok(addrs) => self.try_connect(cx, addrs.into()),
                Err(e) => {
                    self.phase = Phase::Gone;
                    cx.fail_and_close(e, 0);
                }
            },
            _ => {}
        }
    }

    fn timer(&mut self, cx: &mut Cx<'_>, kind: TimerKind, key: TimerKey) {
        let Phase::Connecting(c) = &self.phase else {
            return;
        };
        if kind != TimerKind::ConnectTimeout || c.timer != key {
            return;
        }
        let a = c.peer.to_string();
        let err = NetError::refused(
            NetOp::Connect,
            io::ErrorKind::TimedOut,
            Some(&a),
            Why::ConnectTimedOut {
                secs: CONNECT_TIMEOUT.as_secs(),
            },
        );
        self.connect_failed(cx, err);
    }

    fn queued_bytes(&self) -> usize {
        match &self.phase {
            Phase::Open(c) => c.queued_bytes(),
            _ => 0,
        }
    }

    fn can_send(&self, to: Option<&Addr>) -> bool {
        matches!(&self.phase, Phase::Open(c) if c.can_send(to))
    }

    fn wants_reads(&self) -> bool {
        matches!(&self.phase, Phase::Open(c) if c.wants_reads())
    }

    fn connected(&self) -> bool {
        matches!(self.phase, Phase::Open(_))
    }

    fn close_fd(&mut self, cx: &mut Cx<'_>) -> Vec<SocketId> {
        // A client still resolving has no descriptor; one whose last
        // connect failed has reported its close() already.
        if matches!(self.phase, Phase::Connecting(_) | Phase::Open(_)) {
            cx.call(SockCall::Close, Ok(CallOk::Done));
        }
        Vec::new()
    }
}
