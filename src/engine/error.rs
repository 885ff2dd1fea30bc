//! Network errors as data: the operation, the OS errno, the address
//! involved, and for the engine's own refusals a typed reason. Errors ride
//! in events, so they are `Clone + PartialEq` and tests can assert on them.
//! Their sentences are made where they are shown, in the user's language
//! (`crate::model::explain`); nothing here knows about languages.

use std::io;

use nix::errno::Errno;

use super::message::SocketId;

/// The socket operation that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum NetOp {
    /// `socket()` or a `setsockopt()` while creating.
    Create,
    /// `bind()`.
    Bind,
    /// `listen()`.
    Listen,
    /// `accept()`.
    Accept,
    /// Name resolution.
    Resolve,
    /// `connect()`.
    Connect,
    /// `send()` / `sendto()`.
    Send,
    /// `recv()` / `recvfrom()`.
    Recv,
    /// `shutdown()` / `close()`.
    Close,
    /// The engine itself (registering with the poller, the socket is gone...).
    Engine,
    /// Opening a file to send.
    OpenFile,
    /// Reading a file being sent.
    ReadFile,
}

impl NetOp {
    /// The call's name as a programmer knows it.
    pub fn call(self) -> &'static str {
        match self {
            NetOp::Create => "socket()",
            NetOp::Bind => "bind()",
            NetOp::Listen => "listen()",
            NetOp::Accept => "accept()",
            NetOp::Resolve => "getaddrinfo()",
            NetOp::Connect => "connect()",
            NetOp::Send => "send()",
            NetOp::Recv => "recv()",
            NetOp::Close => "shutdown()",
            NetOp::Engine => "engine",
            NetOp::OpenFile => "open()",
            NetOp::ReadFile => "read()",
        }
    }
}

/// Why an operation failed, when it was not (only) the OS saying so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why {
    /// The OS refused: explained from the errno.
    Os,
    /// An I/O error without an errno, in the standard library's words.
    Io(String),
    /// The host name resolved to no address.
    NoAddress,
    /// The host name could not be resolved (the resolver's words).
    Unresolved(String),
    /// A send to a listener that has no clients; nothing was sent.
    NoClients,
    /// A send to a client still connecting; nothing was sent.
    StillConnecting,
    /// A setting changed before the client connected; nothing changed.
    ConfigureBeforeConnected,
    /// A UDP send with no destination and no default peer; nothing was sent.
    NoDestination,
    /// The socket is closed; nothing was sent.
    SocketClosed(SocketId),
    /// This side is shut down for writing (or closing); nothing was sent.
    WriteShut,
    /// The send queue is full; nothing of this send was sent.
    QueueFull {
        /// Bytes still waiting.
        queued: usize,
        /// The refused send's size.
        len: usize,
        /// Whether the queue holds datagrams (UDP) rather than a stream.
        datagrams: bool,
    },
    /// The connect did not finish in time.
    ConnectTimedOut {
        /// The time allowed, seconds.
        secs: u64,
    },
    /// A datagram longer than UDP over IPv4 can carry; nothing was sent.
    DatagramTooLong {
        /// Its length.
        len: usize,
    },
    /// A TCP-only setting asked of a UDP socket; nothing changed.
    NotForUdp,
    /// A TCP-only setting (`TCP_NODELAY`) asked of a Unix socket; nothing
    /// changed.
    TcpOnly,
    /// The path to bind exists and is not a socket; it was left alone.
    NotASocket,
    /// The path to bind is a socket file no socket listens on (left by a
    /// program that ended); nothing was removed.
    StaleSocket,
    /// A file sent to a listener (send it on one of its connections).
    FileToListener,
    /// A file is already being sent on this socket.
    FileInProgress,
    /// A destination of another address family than the socket's
    /// (a Unix path for a UDP socket, an IP address for a Unix one).
    WrongFamily,
}

/// A failed socket operation, as data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetError {
    /// What was being done.
    pub op: NetOp,
    /// The portable error kind.
    pub kind: io::ErrorKind,
    /// The OS error number, when there is one.
    pub errno: Option<i32>,
    /// The address involved, as text (`127.0.0.1:9000`, or a host name).
    pub addr: Option<String>,
    /// Why, when the engine refused rather than the OS.
    pub why: Why,
}

impl std::error::Error for NetError {}

impl NetError {
    /// An `io::Error` from `op` on `addr` (if any).
    pub fn from_io(op: NetOp, err: &io::Error, addr: Option<&str>) -> Self {
        let errno = err.raw_os_error();
        NetError {
            op,
            kind: err.kind(),
            errno,
            addr: addr.map(str::to_owned),
            why: if errno.is_some() {
                Why::Os
            } else {
                Why::Io(err.to_string())
            },
        }
    }

    /// An error the engine decided on (no errno).
    pub fn refused(op: NetOp, kind: io::ErrorKind, addr: Option<&str>, why: Why) -> Self {
        NetError {
            op,
            kind,
            errno: None,
            addr: addr.map(str::to_owned),
            why,
        }
    }

    /// The errno's symbolic name, e.g. `ECONNREFUSED`.
    pub fn errno_name(&self) -> Option<String> {
        self.errno.map(errno_name)
    }
}

/// The symbolic name of an errno, e.g. `EADDRINUSE` (or `errno 1234`).
pub fn errno_name(errno: i32) -> String {
    match Errno::from_raw(errno) {
        Errno::UnknownErrno => format!("errno {errno}"),
        e => format!("{e:?}"),
    }
}
