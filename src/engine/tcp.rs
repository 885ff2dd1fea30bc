//! TCP in the engine: listeners (created and configured with socket2, then
//! driven by mio), outgoing connects with a timeout and address fallback,
//! and connected streams with an ordered send queue that is finished on
//! writable, never dropped or reordered.

use std::collections::{BTreeSet, VecDeque};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
use std::time::Duration;

use mio::Interest;
use nix::errno::Errno;
use socket2::{Domain, Protocol, SockRef, Socket, Type};

use super::call::{CallOk, Family, SetOption, SockCall, SockType};
use super::error::{NetError, NetOp, Why};
use super::message::{
    CloseHow, CloseReason, DEFAULT_TCP_READ_BYTES, EventKind, MAX_SEND_QUEUE_BYTES, SockOption,
    SocketId,
};
use super::reactor::{CONNECT_TIMEOUT, Reactor, Sock};
use super::timer::{TimerKey, TimerKind};

mod options;

use options::StreamOptions;
pub(crate) use options::{configure, query_info};

/// A listening socket and the connections it accepted that are still open.
pub(crate) struct Listener {
    pub(crate) listener: mio::net::TcpListener,
    pub(crate) children: BTreeSet<SocketId>,
    /// Settings its connections start with.
    child_options: StreamOptions,
    /// The timer that retries `accept()` after the process or the system
    /// ran out of descriptors or memory.
    pub(crate) retry: Option<TimerKey>,
    /// `accept()` failed for want of resources and has not worked since
    /// (the failure is reported once, not at every retry).
    starved: bool,
}

/// A client connect in flight.
pub(crate) struct Connecting {
    stream: mio::net::TcpStream,
    peer: SocketAddr,
    /// Addresses still to try if this one fails.
    pub(crate) rest: VecDeque<SocketAddr>,
    /// The timer that gives up on it.
    pub(crate) timer: Option<TimerKey>,
}

/// What to do once the send queue is empty.
#[derive(Debug)]
enum AfterFlush {
    Shutdown,
    Close(CloseReason),
}

/// One payload being written.
struct Pending {
    bytes: Vec<u8>,
    offset: usize,
}

/// A connected TCP stream.
pub(crate) struct Stream {
    /// Registered with the poll while it was a mio stream (registration
    /// belongs to the descriptor). Kept as a std stream because std reads
    /// into a `Vec`'s spare capacity without zeroing it (see [`read_once`]).
    stream: std::net::TcpStream,
    peer: SocketAddr,
    pub(crate) parent: Option<SocketId>,
    out: VecDeque<Pending>,
    /// Bytes in `out` not yet written.
    queued: usize,
    pub(crate) read_pending: bool,
    /// The last read filled the whole read size: data is streaming in.
    bulk: bool,
    read_closed: bool,
    write_shut: bool,
    after_flush: Option<AfterFlush>,
    options: StreamOptions,
}

impl Stream {
    fn new(stream: mio::net::TcpStream, peer: SocketAddr, parent: Option<SocketId>) -> Self {
        Stream {
            stream: std::net::TcpStream::from(stream),
            peer,
            parent,
            out: VecDeque::new(),
            queued: 0,
            read_pending: false,
            bulk: false,
            read_closed: false,
            write_shut: false,
            after_flush: None,
            options: StreamOptions::default(),
        }
    }

    /// Whether each read must be exactly one `recv()` of the asked size
    /// (the user chose a size), rather than the bulk path.
    fn exact_reads(&self) -> bool {
        self.options.recv_size != DEFAULT_TCP_READ_BYTES
    }

    /// Bytes queued and not yet written.
    pub(crate) fn queued_bytes(&self) -> usize {
        self.queued
    }

    /// Whether a send would be taken (not shut down for writing, not
    /// closing).
    pub(crate) fn can_send(&self) -> bool {
        !self.write_shut && self.after_flush.is_none()
    }

    /// Whether the peer has closed its side.
    pub(crate) fn read_closed(&self) -> bool {
        self.read_closed
    }
}

/// `fd 7`: what `socket()` returned.
pub(crate) fn fd_of(s: &Socket) -> CallOk {
    use std::os::fd::AsRawFd;
    CallOk::Fd(s.as_raw_fd())
}

/// `socket()` for `addr`'s family, non-blocking, reported as a call.
fn new_socket(r: &mut Reactor, id: SocketId, addr: SocketAddr) -> Result<Socket, NetError> {
    let call = SockCall::Socket {
        family: Family::of(addr),
        ty: SockType::Stream,
    };
    r.step(id, call, create_socket(addr), fd_of)
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
    r: &mut Reactor,
    id: SocketId,
    addr: SocketAddr,
    backlog: i32,
    reuse_addr: bool,
) -> Result<Sock, NetError> {
    let a = addr.to_string();
    let sock = new_socket(r, id, addr)?;
    if reuse_addr {
        r.step(
            id,
            SockCall::SetOption(SetOption::ReuseAddr),
            sock.set_reuse_address(true)
                .map_err(|e| NetError::from_io(NetOp::Create, &e, Some(&a))),
            |_| CallOk::Done,
        )?;
    }
    r.bind(id, &sock, addr)?;
    r.step(
        id,
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
    r.register(id, &mut listener, Interest::READABLE)
        .map_err(|e| NetError::from_io(NetOp::Engine, &e, Some(&a)))?;
    r.out.emit(
        id,
        EventKind::Listening {
            local: local.into(),
            backlog,
        },
    );
    Ok(Sock::Listener(Listener {
        listener,
        children: BTreeSet::new(),
        child_options: StreamOptions::default(),
        retry: None,
        starved: false,
    }))
}

/// Accepts every waiting connection; each becomes a socket of its own.
pub(crate) fn accept_all(r: &mut Reactor, id: SocketId) {
    loop {
        let Some(Sock::Listener(l)) = r.sockets.get_mut(&id) else {
            return;
        };
        match l.listener.accept() {
            Ok((mut stream, peer)) => {
                l.starved = false;
                let child = r.allocate_id();
                let local = match stream.local_addr() {
                    Ok(a) => a,
                    Err(e) => {
                        let err = NetError::from_io(NetOp::Accept, &e, Some(&peer.to_string()));
                        r.out.emit(id, EventKind::Failed(err));
                        continue;
                    }
                };
                if let Err(e) =
                    r.register(child, &mut stream, Interest::READABLE | Interest::WRITABLE)
                {
                    let err = NetError::from_io(NetOp::Engine, &e, Some(&peer.to_string()));
                    r.out.emit(id, EventKind::Failed(err));
                    continue;
                }
                let options = match r.sockets.get_mut(&id) {
                    Some(Sock::Listener(l)) => {
                        l.children.insert(child);
                        l.child_options
                    }
                    _ => StreamOptions::default(),
                };
                r.call(
                    id,
                    SockCall::Accept,
                    Ok(CallOk::Accepted {
                        child,
                        peer: peer.into(),
                    }),
                );
                r.out.emit(
                    child,
                    EventKind::Accepted {
                        parent: id,
                        local: local.into(),
                        peer: peer.into(),
                    },
                );
                r.call(
                    child,
                    SockCall::AcceptedBy { listener: id },
                    Ok(CallOk::NewSocket { peer: peer.into() }),
                );
                let mut s = Stream::new(stream, peer, Some(id));
                s.options = options;
                let nodelay = options.nodelay;
                r.sockets.insert(child, Sock::Stream(s));
                if let Some(on) = nodelay {
                    configure(r, child, SockOption::NoDelay(on));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                set_starved(r, id, false);
                return;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_per_connection(&e) => {
                // That connection died in the queue (ECONNABORTED, …): report
                // it and take the next one.
                r.out.emit(
                    id,
                    EventKind::Failed(NetError::from_io(NetOp::Accept, &e, None)),
                );
            }
            Err(e) => {
                // EMFILE, ENFILE, ENOBUFS, ENOMEM or worse: the connection
                // stays queued in the kernel, and with edge-triggered polling
                // no new readiness would come for it. Try again on a timer;
                // report the failure once, not at every retry.
                if let Some(Sock::Listener(l)) = r.sockets.get_mut(&id) {
                    let first = !l.starved;
                    l.starved = true;
                    if l.retry.is_none() {
                        let at = std::time::Instant::now() + ACCEPT_RETRY;
                        l.retry = Some(r.timers.schedule(at, id, TimerKind::AcceptRetry));
                    }
                    if first {
                        r.out.emit(
                            id,
                            EventKind::Failed(NetError::from_io(NetOp::Accept, &e, None)),
                        );
                    }
                }
                return;
            }
        }
    }
}

/// How soon `accept()` is tried again after it failed for want of
/// descriptors or memory.
pub(crate) const ACCEPT_RETRY: Duration = Duration::from_millis(100);

/// Errors of one queued connection, after which `accept()` goes on with the
/// next (Linux passes these up from the new connection; see `accept(2)`).
fn is_per_connection(e: &io::Error) -> bool {
    let Some(code) = e.raw_os_error() else {
        return false;
    };
    [
        Errno::ECONNABORTED,
        Errno::EPROTO,
        Errno::ENETDOWN,
        Errno::ENOPROTOOPT,
        Errno::EHOSTDOWN,
        Errno::ENONET,
        Errno::EHOSTUNREACH,
        Errno::EOPNOTSUPP,
        Errno::ENETUNREACH,
        Errno::EPERM,
    ]
    .iter()
    .any(|&x| x as i32 == code)
}

/// Notes whether the listener's `accept()` is failing for want of resources.
fn set_starved(r: &mut Reactor, id: SocketId, starved: bool) {
    if let Some(Sock::Listener(l)) = r.sockets.get_mut(&id) {
        l.starved = starved;
    }
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

/// `socket()` then a non-blocking `connect()`.
pub(crate) fn connect(
    r: &mut Reactor,
    id: SocketId,
    addr: SocketAddr,
) -> Result<Connecting, NetError> {
    let a = addr.to_string();
    let sock = new_socket(r, id, addr)?;
    match sock.connect(&addr.into()) {
        Ok(()) => {}
        Err(e)
            if e.raw_os_error() == Some(Errno::EINPROGRESS as i32)
                || e.kind() == io::ErrorKind::WouldBlock => {}
        Err(e) => {
            let err = NetError::from_io(NetOp::Connect, &e, Some(&a));
            r.call(id, SockCall::Connect(addr.into()), Err(err.clone()));
            return Err(err);
        }
    }
    let mut stream = mio::net::TcpStream::from_std(sock.into());
    r.register(id, &mut stream, Interest::READABLE | Interest::WRITABLE)
        .map_err(|e| NetError::from_io(NetOp::Engine, &e, Some(&a)))?;
    Ok(Connecting {
        stream,
        peer: addr,
        rest: VecDeque::new(),
        timer: None,
    })
}

/// The connect finished one way or the other (or woke spuriously).
pub(crate) fn on_connect_ready(r: &mut Reactor, id: SocketId) {
    let Some(Sock::Connecting(c)) = r.sockets.get_mut(&id) else {
        return;
    };
    let a = c.peer.to_string();
    let err = match c.stream.take_error() {
        Ok(Some(e)) | Err(e) => Some(e),
        Ok(None) => None,
    };
    if let Some(e) = err {
        connect_failed(r, id, NetError::from_io(NetOp::Connect, &e, Some(&a)));
        return;
    }
    match c.stream.peer_addr() {
        Ok(peer) => {
            let local = c.stream.local_addr();
            let Some(Sock::Connecting(c)) = r.sockets.remove(&id) else {
                return;
            };
            match local {
                Ok(local) => {
                    r.call(
                        id,
                        SockCall::Connect(peer.into()),
                        Ok(CallOk::ConnectedFrom(local.into())),
                    );
                    r.out.emit(
                        id,
                        EventKind::Connected {
                            local: local.into(),
                            peer: peer.into(),
                        },
                    );
                    r.sockets
                        .insert(id, Sock::Stream(Stream::new(c.stream, peer, None)));
                    r.mark_readable(id);
                }
                Err(e) => r.fail_and_close(id, NetError::from_io(NetOp::Connect, &e, Some(&a)), 0),
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotConnected => {}
        Err(e) => connect_failed(r, id, NetError::from_io(NetOp::Connect, &e, Some(&a))),
    }
}

/// The connect did not finish in time.
pub(crate) fn connect_timed_out(r: &mut Reactor, id: SocketId) {
    let Some(Sock::Connecting(c)) = r.sockets.get(&id) else {
        return;
    };
    let a = c.peer.to_string();
    let err = NetError::refused(
        NetOp::Connect,
        io::ErrorKind::TimedOut,
        Some(&a),
        Why::ConnectTimedOut {
            secs: CONNECT_TIMEOUT.as_secs(),
        },
    );
    connect_failed(r, id, err);
}

fn connect_failed(r: &mut Reactor, id: SocketId, err: NetError) {
    let Some(Sock::Connecting(c)) = r.sockets.remove(&id) else {
        return;
    };
    r.call(id, SockCall::Connect(c.peer.into()), Err(err.clone()));
    r.call(id, SockCall::Close, Ok(CallOk::Done));
    if c.rest.is_empty() {
        r.fail_and_close(id, err, 0);
    } else {
        r.out.emit(id, EventKind::Failed(err));
        r.try_connect(id, c.rest);
    }
}

/// What a read found after its bytes.
enum AfterRead {
    /// There may be more: read again.
    More,
    /// Nothing more for now (`WouldBlock`).
    Drained,
    /// The peer closed its side.
    Eof,
    /// The read failed.
    Error(io::Error),
}

/// Reads once: the bytes read (maybe none) and what came after them.
///
/// A small read is copied out of the shared `buf` into a payload of its
/// exact size. While the stream is in bulk (the last read filled `buf`),
/// the read goes straight into the payload instead: `read_to_end` on a
/// `Take` of the std stream fills a `Vec`'s spare capacity without zeroing
/// it (in a few `recv` calls of growing size), which saves copying every
/// byte a second time on the engine thread.
fn read_once(s: &mut Stream, buf: &mut [u8]) -> (Vec<u8>, AfterRead) {
    let cap = buf.len();
    if s.bulk {
        let mut chunk = Vec::with_capacity(cap);
        let res = (&s.stream).take(cap as u64).read_to_end(&mut chunk);
        let n = chunk.len();
        s.bulk = n == cap;
        // Bytes read before an error or end of stream are in `chunk` too.
        let after = match res {
            Ok(_) if n == cap => AfterRead::More,
            // Short of the limit without an error: `recv()` returned 0.
            Ok(_) => AfterRead::Eof,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => AfterRead::Drained,
            Err(e) => AfterRead::Error(e),
        };
        chunk.shrink_to_fit();
        return (chunk, after);
    }
    match s.stream.read(buf) {
        Ok(0) => (Vec::new(), AfterRead::Eof),
        Ok(n) => {
            s.bulk = n == cap;
            (buf[..n].to_vec(), AfterRead::More)
        }
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => (Vec::new(), AfterRead::Drained),
        Err(e) if e.kind() == io::ErrorKind::Interrupted => (Vec::new(), AfterRead::More),
        Err(e) => (Vec::new(), AfterRead::Error(e)),
    }
}

/// Reads up to `max_reads` chunks. Returns true if there may be more.
pub(crate) fn read_some(r: &mut Reactor, id: SocketId, max_reads: usize) -> bool {
    let mut buf = r.take_buf();
    let mut more = true;
    for _ in 0..max_reads {
        if !r.out.has_room() {
            break;
        }
        let Some(Sock::Stream(s)) = r.sockets.get_mut(&id) else {
            more = false;
            break;
        };
        if s.read_closed {
            more = false;
            break;
        }
        let peer = s.peer;
        let cap = s.options.recv_size.clamp(1, buf.len());
        if s.exact_reads() {
            s.bulk = false;
        }
        let (bytes, after) = read_once(s, &mut buf[..cap]);
        if !bytes.is_empty() {
            r.out.emit(
                id,
                EventKind::Received {
                    bytes,
                    from: Some(peer.into()),
                    truncated: false,
                },
            );
        }
        match after {
            AfterRead::More => {}
            AfterRead::Drained => {
                more = false;
                break;
            }
            AfterRead::Eof => {
                peer_closed(r, id);
                more = false;
                break;
            }
            AfterRead::Error(e) => {
                let unsent = r.unsent_of(id);
                r.fail_and_close(
                    id,
                    NetError::from_io(NetOp::Recv, &e, Some(&peer.to_string())),
                    unsent,
                );
                more = false;
                break;
            }
        }
    }
    r.put_buf(buf);
    more
}

/// `recv()` returned 0: the peer sent FIN.
fn peer_closed(r: &mut Reactor, id: SocketId) {
    let Some(Sock::Stream(s)) = r.sockets.get_mut(&id) else {
        return;
    };
    s.read_closed = true;
    if !s.options.close_on_peer_close {
        // The user watches CLOSE_WAIT: our side stays open until they close it.
        r.out.emit(id, EventKind::PeerClosed);
        return;
    }
    let done = s.write_shut || s.out.is_empty();
    if !done {
        s.after_flush = Some(AfterFlush::Close(CloseReason::PeerClosed));
    }
    r.out.emit(id, EventKind::PeerClosed);
    if done {
        r.close_with(id, CloseReason::PeerClosed, 0);
    }
}

/// Queues `bytes` and writes what the kernel takes now.
pub(crate) fn send(r: &mut Reactor, id: SocketId, bytes: Vec<u8>) {
    let Some(Sock::Stream(s)) = r.sockets.get_mut(&id) else {
        return;
    };
    if s.write_shut || s.after_flush.is_some() {
        let e = NetError::refused(
            NetOp::Send,
            io::ErrorKind::BrokenPipe,
            Some(&s.peer.to_string()),
            Why::WriteShut,
        );
        r.out.emit(id, EventKind::Failed(e));
        return;
    }
    if s.queued > 0 && s.queued + bytes.len() > MAX_SEND_QUEUE_BYTES {
        let e = NetError::refused(
            NetOp::Send,
            io::ErrorKind::WouldBlock,
            Some(&s.peer.to_string()),
            Why::QueueFull {
                queued: s.queued,
                len: bytes.len(),
                datagrams: false,
            },
        );
        r.out.emit(id, EventKind::Failed(e));
        return;
    }
    s.queued += bytes.len();
    s.out.push_back(Pending { bytes, offset: 0 });
    if s.out.len() == 1 {
        flush(r, id);
    }
}

/// Writes queued payloads until the kernel buffer is full.
pub(crate) fn flush(r: &mut Reactor, id: SocketId) {
    loop {
        let Some(Sock::Stream(s)) = r.sockets.get_mut(&id) else {
            return;
        };
        let peer = s.peer;
        let Some(front) = s.out.front_mut() else {
            match s.after_flush.take() {
                Some(AfterFlush::Shutdown) => shutdown_write(r, id),
                Some(AfterFlush::Close(reason)) => r.close_with(id, reason, 0),
                None => {}
            }
            return;
        };
        let rest = front.bytes.get(front.offset..).unwrap_or_default();
        let wrote = if rest.is_empty() {
            Ok(0)
        } else {
            match s.stream.write(rest) {
                Ok(0) => Err(io::Error::from(io::ErrorKind::WriteZero)),
                other => other,
            }
        };
        match wrote {
            Ok(n) => {
                front.offset += n;
                s.queued = s.queued.saturating_sub(n);
                if front.offset >= front.bytes.len()
                    && let Some(done) = s.out.pop_front()
                {
                    r.out.emit(
                        id,
                        EventKind::Sent {
                            bytes: done.bytes,
                            to: Some(peer.into()),
                        },
                    );
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                let unsent = s.queued_bytes();
                r.fail_and_close(
                    id,
                    NetError::from_io(NetOp::Send, &e, Some(&peer.to_string())),
                    unsent,
                );
                return;
            }
        }
    }
}

fn shutdown_write(r: &mut Reactor, id: SocketId) {
    let Some(Sock::Stream(s)) = r.sockets.get_mut(&id) else {
        return;
    };
    let res = s.stream.shutdown(Shutdown::Write);
    let result = match &res {
        Ok(()) => Ok(CallOk::FinSent),
        Err(e) => Err(NetError::from_io(
            NetOp::Close,
            e,
            Some(&s.peer.to_string()),
        )),
    };
    r.call(id, SockCall::ShutdownWrite, result);
    let Some(Sock::Stream(s)) = r.sockets.get_mut(&id) else {
        return;
    };
    match res {
        Ok(()) => {
            s.write_shut = true;
            let read_closed = s.read_closed && s.options.close_on_peer_close;
            r.out.emit(id, EventKind::WriteShutdown);
            if read_closed {
                r.close_with(id, CloseReason::PeerClosed, 0);
            }
        }
        Err(e) => {
            let a = s.peer.to_string();
            let unsent = s.queued_bytes();
            r.fail_and_close(id, NetError::from_io(NetOp::Close, &e, Some(&a)), unsent);
        }
    }
}

/// Close, half-close or reset a stream.
pub(crate) fn close_stream(r: &mut Reactor, id: SocketId, how: CloseHow) {
    let Some(Sock::Stream(s)) = r.sockets.get_mut(&id) else {
        return;
    };
    match how {
        CloseHow::Close => {
            if s.out.is_empty() {
                r.close_with(id, CloseReason::ByUser, 0);
            } else {
                s.after_flush = Some(AfterFlush::Close(CloseReason::ByUser));
            }
        }
        CloseHow::ShutdownWrite => {
            if s.write_shut || s.after_flush.is_some() {
                return;
            }
            if s.out.is_empty() {
                shutdown_write(r, id);
            } else {
                s.after_flush = Some(AfterFlush::Shutdown);
            }
        }
        CloseHow::Reset => {
            // SO_LINGER 0 makes close() send RST; failing to set it only
            // weakens the reset to a normal close, which is still a close.
            let set = SockRef::from(&s.stream).set_linger(Some(Duration::ZERO));
            let unsent = s.queued_bytes();
            let result = match set {
                Ok(()) => Ok(CallOk::Done),
                Err(e) => Err(NetError::from_io(NetOp::Close, &e, None)),
            };
            r.call(id, SockCall::SetOption(SetOption::LingerZero), result);
            r.close_with(id, CloseReason::Reset, unsent);
        }
    }
}
