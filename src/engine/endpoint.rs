//! One interface for every kind of socket: an [`Endpoint`] is told when
//! its socket is ready, asked to read, handed requests (send, close,
//! configure…) and its timers; it works through a [`Cx`] that carries the
//! outbox, the poll's registry, the timer queue and a list of follow-up
//! work for the reactor ([`After`]). Endpoints never see the reactor or
//! one another: a listener that sends to its connections asks the reactor
//! to, with an [`After::Request`] for each.

use std::io;
use std::net::SocketAddr;
use std::time::Instant;

use mio::Interest;

use super::addr::Addr;
use super::call::{CallOk, SockCall};
use super::error::{NetError, NetOp, Why};
use super::message::{CloseHow, CloseReason, EventKind, ReceiveHook, SockOption, SocketId};
use super::outbox::Outbox;
use super::timer::{TimerKey, TimerKind, Timers};

/// What the poll reported for a socket.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Ready {
    /// Data (or an end of stream, or a connection to accept) may be waiting.
    pub(crate) readable: bool,
    /// There is room to write (or a connect finished).
    pub(crate) writable: bool,
    /// An error is pending.
    pub(crate) error: bool,
    /// The peer's end of stream (FIN) has arrived.
    pub(crate) read_closed: bool,
}

impl Ready {
    /// From a `mio` event.
    pub(crate) fn of(ev: &mio::event::Event) -> Self {
        Ready {
            readable: ev.is_readable() || ev.is_read_closed(),
            writable: ev.is_writable(),
            error: ev.is_error(),
            read_closed: ev.is_read_closed(),
        }
    }
}

/// Something asked of one socket.
#[derive(Debug)]
pub(crate) enum Request {
    /// Send these bytes (to `to`, for a datagram socket).
    Send {
        /// The exact bytes.
        bytes: Vec<u8>,
        /// The destination of a datagram.
        to: Option<Addr>,
    },
    /// Close, half-close or reset.
    Close(CloseHow),
    /// Change a setting.
    Configure(SockOption),
    /// Report `TCP_INFO`.
    QueryTcpInfo,
    /// The host name lookup a client asked for is done.
    Resolved(Result<Vec<SocketAddr>, NetError>),
}

/// Work an endpoint leaves for the reactor.
pub(crate) enum After {
    /// A new socket (a connection a listener accepted) to own from now on;
    /// `readable`: data may already wait for it.
    Adopt {
        /// Its id.
        id: SocketId,
        /// The socket.
        endpoint: Box<dyn Endpoint>,
    },
    /// Close a socket and report it.
    Close {
        /// The socket.
        id: SocketId,
        /// Why.
        reason: CloseReason,
        /// Queued bytes that never went out.
        unsent: usize,
    },
    /// Ask another socket (or this one, later in the turn) something.
    Request {
        /// The socket.
        id: SocketId,
        /// What.
        request: Request,
    },
    /// Send a reply later (a receive hook's, with a delay).
    Delay {
        /// When.
        at: Instant,
        /// The socket.
        id: SocketId,
        /// The exact bytes.
        bytes: Vec<u8>,
        /// The destination of a datagram.
        to: Option<Addr>,
    },
    /// Look a host name up on a helper thread; answered with
    /// [`Request::Resolved`].
    Resolve {
        /// The client.
        id: SocketId,
        /// The name.
        host: String,
        /// The port.
        port: u16,
    },
}

/// One socket the engine owns, of any kind.
pub(crate) trait Endpoint: Send {
    /// The poll reported readiness. Returns true when there may be data to
    /// read (the reactor then calls [`Endpoint::read`] in its turn).
    fn ready(&mut self, cx: &mut Cx<'_>, ready: Ready) -> bool;

    /// Reads at most `budget` times into `buf` (a scratch buffer), while the
    /// outbox has room. Returns true when there may be more.
    fn read(&mut self, _cx: &mut Cx<'_>, _buf: &mut Vec<u8>, _budget: usize) -> bool {
        false
    }

    /// Handles a request.
    fn request(&mut self, cx: &mut Cx<'_>, request: Request);

    /// One of its timers is due (`key`: compare with the one it holds).
    fn timer(&mut self, _cx: &mut Cx<'_>, _kind: TimerKind, _key: TimerKey) {}

    /// Bytes queued to send and not yet taken by the kernel.
    fn queued_bytes(&self) -> usize {
        0
    }

    /// Whether a send (to `to`) would be taken now.
    fn can_send(&self, _to: Option<&Addr>) -> bool {
        false
    }

    /// Whether it is a listener (it sends only through its connections).
    fn is_listener(&self) -> bool {
        false
    }

    /// Whether it sends datagrams (each send one message).
    fn is_datagram(&self) -> bool {
        false
    }

    /// Whether reading is useful (not at the end of the stream).
    fn wants_reads(&self) -> bool {
        true
    }

    /// Whether a client is connected (rather than resolving, connecting or
    /// failed): a reconnect after a connection starts its waits afresh.
    fn connected(&self) -> bool {
        false
    }

    /// The listener that accepted it, if any.
    fn parent(&self) -> Option<SocketId> {
        None
    }

    /// One of the connections it accepted is gone.
    fn child_gone(&mut self, _child: SocketId) {}

    /// It is being closed: reports `close()` (and any clean-up, such as
    /// removing the socket file it made) and returns the sockets to close
    /// with it (a listener's connections). The descriptor closes when the
    /// endpoint is dropped, right after.
    fn close_fd(&mut self, cx: &mut Cx<'_>) -> Vec<SocketId> {
        cx.call(SockCall::Close, Ok(CallOk::Done));
        Vec::new()
    }
}

/// What an endpoint works with while the reactor runs it.
pub(crate) struct Cx<'a> {
    /// The socket being run.
    pub(crate) id: SocketId,
    /// Events on their way out.
    pub(crate) out: &'a mut Outbox,
    /// The timer queue.
    pub(crate) timers: &'a mut Timers,
    pub(crate) registry: &'a mio::Registry,
    pub(crate) next_id: &'a dyn Fn() -> SocketId,
    pub(crate) after: &'a mut Vec<After>,
    /// The receive hook in force for this socket (its own, or its
    /// listener's).
    pub(crate) hook: Option<&'a mut (dyn ReceiveHook + 'static)>,
}

impl Cx<'_> {
    /// Reports an event of this socket.
    pub(crate) fn emit(&mut self, kind: EventKind) {
        self.out.emit(self.id, kind);
    }

    /// Reports an event of another socket (a new connection's first ones).
    pub(crate) fn emit_for(&mut self, id: SocketId, kind: EventKind) {
        self.out.emit(id, kind);
    }

    /// Reports a socket API call and its result (for the lesson view).
    pub(crate) fn call(&mut self, call: SockCall, result: Result<CallOk, NetError>) {
        self.emit(EventKind::Call { call, result });
    }

    /// Reports `call` with the outcome of `res` (its result made by `ok`),
    /// and passes `res` on.
    pub(crate) fn step<T>(
        &mut self,
        call: SockCall,
        res: Result<T, NetError>,
        ok: impl FnOnce(&T) -> CallOk,
    ) -> Result<T, NetError> {
        let result = match &res {
            Ok(v) => Ok(ok(v)),
            Err(e) => Err(e.clone()),
        };
        self.call(call, result);
        res
    }

    /// Reports that a request was refused (the socket stays as it was).
    pub(crate) fn refuse(&mut self, op: NetOp, kind: io::ErrorKind, why: Why) {
        let e = NetError::refused(op, kind, None, why);
        self.emit(EventKind::Failed(e));
    }

    /// Reports a failure (the socket stays open).
    pub(crate) fn fail(&mut self, err: NetError) {
        self.emit(EventKind::Failed(err));
    }

    /// Reports `err`, then closes this socket because of it.
    pub(crate) fn fail_and_close(&mut self, err: NetError, unsent: usize) {
        self.emit(EventKind::Failed(err.clone()));
        self.close(CloseReason::Error(Box::new(err)), unsent);
    }

    /// Closes this socket (at the end of the turn).
    pub(crate) fn close(&mut self, reason: CloseReason, unsent: usize) {
        self.after.push(After::Close {
            id: self.id,
            reason,
            unsent,
        });
    }

    /// Registers `source` with the poll under socket `id`.
    pub(crate) fn register(
        &self,
        id: SocketId,
        source: &mut impl mio::event::Source,
        interest: Interest,
    ) -> io::Result<()> {
        self.registry
            .register(source, mio::Token(id.0 as usize), interest)
    }

    /// Registers a descriptor with the poll under socket `id`.
    pub(crate) fn register_fd(
        &self,
        id: SocketId,
        fd: &impl std::os::fd::AsRawFd,
        interest: Interest,
    ) -> io::Result<()> {
        let raw = fd.as_raw_fd();
        self.register(id, &mut mio::unix::SourceFd(&raw), interest)
    }

    /// Reports bytes received (one read or one datagram), and runs the
    /// receive hook on them: its replies go back at the end of the turn
    /// (to the sender, for a datagram), or after their delay.
    pub(crate) fn received(
        &mut self,
        bytes: Vec<u8>,
        from: Option<Addr>,
        truncated: Option<usize>,
        stream: bool,
    ) {
        let replies = match &mut self.hook {
            Some(hook) => hook.on_receive(super::message::Received {
                socket: self.id,
                bytes: &bytes,
                from: from.as_ref(),
                stream,
            }),
            None => Vec::new(),
        };
        self.emit(EventKind::Received {
            bytes,
            from: from.clone(),
            truncated: truncated.is_some(),
            datagram_len: truncated.filter(|&n| n > 0),
        });
        for reply in replies {
            let to = from.clone();
            if reply.delay.is_zero() {
                self.after.push(After::Request {
                    id: self.id,
                    request: Request::Send {
                        bytes: reply.bytes,
                        to,
                    },
                });
            } else {
                self.after.push(After::Delay {
                    at: Instant::now() + reply.delay,
                    id: self.id,
                    bytes: reply.bytes,
                    to,
                });
            }
        }
    }

    /// Sets a timer for this socket.
    pub(crate) fn schedule(&mut self, at: Instant, kind: TimerKind) -> TimerKey {
        self.timers.schedule(at, self.id, kind)
    }

    /// A fresh id for a new socket (an accepted connection).
    pub(crate) fn allocate_id(&self) -> SocketId {
        (self.next_id)()
    }

    /// Leaves work for the reactor.
    pub(crate) fn then(&mut self, after: After) {
        self.after.push(after);
    }

    /// `bind()`s `sock` to `addr`, reported as a call.
    pub(crate) fn bind(&mut self, sock: &socket2::Socket, addr: &Addr) -> Result<(), NetError> {
        let a = addr.to_string();
        let res = match addr {
            Addr::Ip(ip) => sock.bind(&(*ip).into()),
            Addr::Unix(u) => super::unix::sockaddr(u).and_then(|s| sock.bind(&s)),
        };
        self.step(
            SockCall::Bind(addr.clone()),
            res.map_err(|e| NetError::from_io(NetOp::Bind, &e, Some(&a))),
            |_| CallOk::Done,
        )
    }
}
