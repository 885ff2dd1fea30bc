//! Socket API calls as data: what the engine called for a socket, with its
//! arguments and a typed result. The engine records them; the model and
//! the UI write them the way the Python tutorials do
//! (`s.bind(('127.0.0.1', 9000))` → `ok`), in the user's language.

use std::net::SocketAddr;

use super::addr::Addr;
use super::message::SocketId;

/// An address family, as `socket()` takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// `AF_INET`: IPv4.
    Inet,
    /// `AF_INET6`: IPv6.
    Inet6,
    /// `AF_UNIX`: a Unix domain socket.
    Unix,
}

impl Family {
    /// The family of an IP socket address.
    pub fn of(addr: SocketAddr) -> Self {
        if addr.is_ipv6() {
            Family::Inet6
        } else {
            Family::Inet
        }
    }
}

/// A socket type, as `socket()` takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SockType {
    /// `SOCK_STREAM`: bytes in order (TCP).
    Stream,
    /// `SOCK_DGRAM`: datagrams, each whole (UDP).
    Dgram,
}

/// A `setsockopt()` the engine made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetOption {
    /// `SO_REUSEADDR` on: bind a port whose old connections are in `TIME_WAIT`.
    ReuseAddr,
    /// `SO_RCVBUF`: the kernel receive buffer asked for.
    RcvBuf(usize),
    /// `SO_RXQ_OVFL` on: the kernel counts the datagrams it drops.
    RxqOvfl,
    /// `SO_LINGER` with a zero timeout: `close()` sends RST.
    LingerZero,
    /// `TCP_NODELAY` on or off.
    NoDelay(bool),
}

/// A socket API call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SockCall {
    /// `s = socket(family, type)`.
    Socket {
        /// The address family.
        family: Family,
        /// The socket type.
        ty: SockType,
    },
    /// `s.setsockopt(…)`.
    SetOption(SetOption),
    /// `s.bind(addr)`.
    Bind(Addr),
    /// `s.listen(backlog)`.
    Listen {
        /// The backlog.
        backlog: i32,
    },
    /// `conn, addr = s.accept()` on a listener.
    Accept,
    /// The same `accept()` seen from the new socket it returned.
    AcceptedBy {
        /// The listener that accepted it.
        listener: SocketId,
    },
    /// `s.connect(addr)`.
    Connect(Addr),
    /// `s.shutdown(SHUT_WR)`.
    ShutdownWrite,
    /// `s.close()`.
    Close,
    /// `os.unlink(path)`: a Unix socket's file removed.
    Unlink(std::path::PathBuf),
}

/// What a call that worked returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallOk {
    /// It worked; nothing to show.
    Done,
    /// `socket()` returned this descriptor.
    Fd(i32),
    /// `accept()` returned a new socket for a client.
    Accepted {
        /// The new socket.
        child: SocketId,
        /// The client.
        peer: Addr,
    },
    /// Seen from the new socket: `accept()` made it for this client.
    NewSocket {
        /// The client.
        peer: Addr,
    },
    /// `connect()` finished; the kernel picked this local address.
    ConnectedFrom(Addr),
    /// `shutdown(SHUT_WR)` sent FIN.
    FinSent,
    /// `SO_RCVBUF` set; `getsockopt` reads back this many bytes.
    RcvBufGranted(usize),
    /// The option does not exist on this system; the socket works without it.
    Unsupported,
}
