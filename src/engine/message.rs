//! The messages between the UI and the engine: imperative [`Command`]s in,
//! past-tense [`Event`]s out. Every event names its socket and carries a
//! timestamp.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;
use std::time::SystemTime;

use super::addr::{Addr, UnixAddr};
use super::call::{CallOk, SockCall};
use super::error::NetError;

/// A socket's identity for its whole life. Never reused; shown as `#3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct SocketId(pub u64);

impl fmt::Display for SocketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// What a socket is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum SocketKind {
    /// A TCP socket that listens and accepts.
    TcpListener,
    /// A TCP socket that connected out.
    TcpClient,
    /// A TCP connection accepted by a listener.
    TcpAccepted,
    /// A UDP socket.
    Udp,
    /// A Unix stream socket that listens and accepts.
    UnixListener,
    /// A Unix stream socket that connected out.
    UnixClient,
    /// A Unix stream connection accepted by a listener.
    UnixAccepted,
    /// A Unix datagram socket.
    UnixDgram,
}

impl SocketKind {
    /// True for the stream connections that carry bytes in order.
    pub fn is_stream(self) -> bool {
        matches!(
            self,
            SocketKind::TcpClient
                | SocketKind::TcpAccepted
                | SocketKind::UnixClient
                | SocketKind::UnixAccepted
        )
    }

    /// True for a socket that accepts connections (and sends to all of
    /// them).
    pub fn is_listener(self) -> bool {
        matches!(self, SocketKind::TcpListener | SocketKind::UnixListener)
    }

    /// True for a socket that sends and receives datagrams, each whole,
    /// to and from any address.
    pub fn is_datagram(self) -> bool {
        matches!(self, SocketKind::Udp | SocketKind::UnixDgram)
    }

    /// True for the Unix domain kinds (`AF_UNIX`).
    pub fn is_unix(self) -> bool {
        matches!(
            self,
            SocketKind::UnixListener
                | SocketKind::UnixClient
                | SocketKind::UnixAccepted
                | SocketKind::UnixDgram
        )
    }

    /// True for a connection a listener accepted.
    pub fn is_accepted(self) -> bool {
        matches!(self, SocketKind::TcpAccepted | SocketKind::UnixAccepted)
    }

    /// The kind of the connections a listener of this kind accepts.
    pub fn accepted(self) -> SocketKind {
        if self.is_unix() {
            SocketKind::UnixAccepted
        } else {
            SocketKind::TcpAccepted
        }
    }

    /// True for the TCP kinds: the ones `TCP_INFO`, `TCP_NODELAY` and the
    /// kernel's TCP states apply to.
    pub fn is_tcp(self) -> bool {
        matches!(
            self,
            SocketKind::TcpListener | SocketKind::TcpClient | SocketKind::TcpAccepted
        )
    }
}

/// Default size of one read from a TCP socket.
pub const DEFAULT_TCP_READ_BYTES: usize = 64 * 1024;
/// Default size of one UDP receive buffer (larger than any datagram).
pub const DEFAULT_UDP_RECV_BYTES: usize = 65_536;
/// The kernel receive buffer a UDP socket asks for.
pub const DEFAULT_UDP_RCVBUF_BYTES: usize = 4 * 1024 * 1024;
/// The largest UDP payload over IPv4.
pub const MAX_UDP_PAYLOAD_BYTES: usize = 65_507;
/// The largest UDP payload over IPv6 (without jumbograms).
pub const MAX_UDP6_PAYLOAD_BYTES: usize = 65_527;

/// A socket to open: a checked, typed value (the UI parses user input into it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SocketSpec {
    /// Bind and listen for TCP connections.
    TcpListen {
        /// Address and port to bind (port 0 picks one).
        addr: SocketAddr,
        /// The `listen()` backlog.
        backlog: i32,
        /// Set `SO_REUSEADDR` before binding.
        reuse_addr: bool,
    },
    /// Connect out over TCP.
    TcpConnect {
        /// A host name or address literal, resolved off the UI thread.
        host: String,
        /// The port to connect to.
        port: u16,
    },
    /// Bind a UDP socket.
    Udp {
        /// Address and port to bind (port 0 picks one).
        addr: SocketAddr,
        /// Where a send without an explicit peer goes.
        default_peer: Option<SocketAddr>,
        /// Size of the buffer one `recvfrom` reads into; a longer datagram is truncated (and reported).
        recv_bytes: usize,
    },
    /// Bind a Unix stream socket to a path (or abstract name) and listen.
    UnixListen {
        /// Where to bind.
        path: UnixAddr,
        /// The `listen()` backlog.
        backlog: i32,
        /// Remove a stale socket file at `path` first (one no socket
        /// listens on); a file that is not a socket is never removed.
        remove_stale: bool,
    },
    /// Connect a Unix stream socket to a path (or abstract name).
    UnixConnect {
        /// Where to connect.
        path: UnixAddr,
    },
    /// Bind a Unix datagram socket.
    UnixDgram {
        /// Where to bind.
        path: UnixAddr,
        /// Where a send without an explicit peer goes.
        peer: Option<UnixAddr>,
        /// Size of the buffer one `recvfrom` reads into.
        recv_bytes: usize,
        /// Remove a stale socket file at `path` first.
        remove_stale: bool,
    },
}

impl SocketSpec {
    /// The spec with every option it was opened with, in the command
    /// line's form (`udp:127.0.0.1:9001,peer=127.0.0.1:9002,recv=2048`):
    /// what a workspace file stores. A Unix socket's `remove-stale` is
    /// left out (removing a file is asked for each time).
    pub fn full_form(&self) -> String {
        match self {
            SocketSpec::TcpListen { addr, backlog, .. } => {
                format!("tcp-listen:{addr},backlog={backlog}")
            }
            SocketSpec::TcpConnect { .. } | SocketSpec::UnixConnect { .. } => self.to_string(),
            SocketSpec::Udp {
                addr,
                default_peer,
                recv_bytes,
            } => match default_peer {
                Some(p) => format!("udp:{addr},peer={p},recv={recv_bytes}"),
                None => format!("udp:{addr},recv={recv_bytes}"),
            },
            SocketSpec::UnixListen { path, backlog, .. } => {
                format!("unix-listen:{path},backlog={backlog}")
            }
            SocketSpec::UnixDgram {
                path,
                peer,
                recv_bytes,
                ..
            } => match peer {
                Some(p) => format!("unix-dgram:{path},peer={p},recv={recv_bytes}"),
                None => format!("unix-dgram:{path},recv={recv_bytes}"),
            },
        }
    }

    /// The same Unix listener or datagram spec, asking to remove a stale
    /// socket file at its path first (`None` for other kinds).
    pub fn removing_stale(&self) -> Option<SocketSpec> {
        match self.clone() {
            SocketSpec::UnixListen { path, backlog, .. } => Some(SocketSpec::UnixListen {
                path,
                backlog,
                remove_stale: true,
            }),
            SocketSpec::UnixDgram {
                path,
                peer,
                recv_bytes,
                ..
            } => Some(SocketSpec::UnixDgram {
                path,
                peer,
                recv_bytes,
                remove_stale: true,
            }),
            _ => None,
        }
    }

    /// The kind of socket this spec opens.
    pub fn kind(&self) -> SocketKind {
        match self {
            SocketSpec::TcpListen { .. } => SocketKind::TcpListener,
            SocketSpec::TcpConnect { .. } => SocketKind::TcpClient,
            SocketSpec::Udp { .. } => SocketKind::Udp,
            SocketSpec::UnixListen { .. } => SocketKind::UnixListener,
            SocketSpec::UnixConnect { .. } => SocketKind::UnixClient,
            SocketSpec::UnixDgram { .. } => SocketKind::UnixDgram,
        }
    }
}

impl fmt::Display for SocketSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SocketSpec::TcpListen { addr, .. } => write!(f, "tcp-listen:{addr}"),
            SocketSpec::TcpConnect { host, port } => {
                if host.contains(':') {
                    write!(f, "tcp-connect:[{host}]:{port}")
                } else {
                    write!(f, "tcp-connect:{host}:{port}")
                }
            }
            SocketSpec::Udp { addr, .. } => write!(f, "udp:{addr}"),
            SocketSpec::UnixListen { path, .. } => write!(f, "unix-listen:{path}"),
            SocketSpec::UnixConnect { path } => write!(f, "unix-connect:{path}"),
            SocketSpec::UnixDgram { path, peer, .. } => match peer {
                Some(p) => write!(f, "unix-dgram:{path},peer={p}"),
                None => write!(f, "unix-dgram:{path}"),
            },
        }
    }
}

/// How to end a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum CloseHow {
    /// `close()`: pending sends are finished first.
    Close,
    /// `shutdown(SHUT_WR)`: send FIN, keep receiving.
    ShutdownWrite,
    /// `SO_LINGER 0` then `close()`: the peer sees a reset.
    Reset,
}

/// A setting of an open socket that the user can change while it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum SockOption {
    /// How many bytes one `recv()` asks for (like `recv(1024)`). On a
    /// listener: for the connections it accepts from now on.
    RecvSize(usize),
    /// `TCP_NODELAY`: send small writes at once instead of waiting to
    /// merge them (Nagle's algorithm off). On a listener: for its
    /// connections, current and future.
    NoDelay(bool),
    /// Close our side as soon as the peer closes (the default). Off: the
    /// socket stays open after `recv()` returns `b''`, in `CLOSE_WAIT`,
    /// until the user closes it. On a listener: for its connections.
    CloseOnPeerClose(bool),
}

/// The most bytes that may wait in one connection's (or UDP socket's) send
/// queue: a send that would take it past this is refused with an error,
/// nothing of it sent. A single payload into an empty queue is always taken.
pub const MAX_SEND_QUEUE_BYTES: usize = 64 * 1024 * 1024;

/// The largest `recv()` size the engine accepts.
pub const MAX_RECV_SIZE: usize = 65_536;

/// A TCP socket's state as the kernel names it (`TCP_INFO`'s `tcpi_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum TcpState {
    /// `ESTABLISHED`.
    Established,
    /// `SYN_SENT`: `connect()` sent SYN, waiting for SYN-ACK.
    SynSent,
    /// `SYN_RECV`.
    SynRecv,
    /// `FIN_WAIT1`: we sent FIN, not yet acknowledged.
    FinWait1,
    /// `FIN_WAIT2`: our FIN acknowledged, waiting for the peer's.
    FinWait2,
    /// `TIME_WAIT`: both sides closed; we closed first.
    TimeWait,
    /// `CLOSE`.
    Closed,
    /// `CLOSE_WAIT`: the peer closed; we have not yet.
    CloseWait,
    /// `LAST_ACK`: we closed after the peer; waiting for its ACK.
    LastAck,
    /// `LISTEN`.
    Listen,
    /// `CLOSING`: both sent FIN at once.
    Closing,
    /// A state number this build does not know.
    Other(u8),
}

impl TcpState {
    /// The state from `tcpi_state` (Linux `include/net/tcp_states.h`).
    pub fn from_raw(n: u8) -> Self {
        match n {
            1 => TcpState::Established,
            2 => TcpState::SynSent,
            3 => TcpState::SynRecv,
            4 => TcpState::FinWait1,
            5 => TcpState::FinWait2,
            6 => TcpState::TimeWait,
            7 => TcpState::Closed,
            8 => TcpState::CloseWait,
            9 => TcpState::LastAck,
            10 => TcpState::Listen,
            11 => TcpState::Closing,
            n => TcpState::Other(n),
        }
    }

    /// The name `ss` and the textbooks use: `FIN_WAIT_1`, `CLOSE_WAIT`…
    pub fn name(self) -> &'static str {
        match self {
            TcpState::Established => "ESTABLISHED",
            TcpState::SynSent => "SYN_SENT",
            TcpState::SynRecv => "SYN_RECV",
            TcpState::FinWait1 => "FIN_WAIT_1",
            TcpState::FinWait2 => "FIN_WAIT_2",
            TcpState::TimeWait => "TIME_WAIT",
            TcpState::Closed => "CLOSED",
            TcpState::CloseWait => "CLOSE_WAIT",
            TcpState::LastAck => "LAST_ACK",
            TcpState::Listen => "LISTEN",
            TcpState::Closing => "CLOSING",
            TcpState::Other(_) => "UNKNOWN",
        }
    }
}

/// Where a periodic send stands (see [`Command::SendEvery`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodicStatus {
    /// Which of the socket's periodic sends (see [`Command::SendEvery`]).
    pub slot: u32,
    /// The period.
    pub every: Duration,
    /// How many sends were asked for (`None`: until stopped).
    pub count: Option<u64>,
    /// Ticks sent so far.
    pub sent: u64,
    /// Ticks that passed while the engine was late, not sent (no bursts).
    pub missed: u64,
    /// Time since it started.
    pub elapsed: Duration,
    /// Whether it goes on.
    pub running: bool,
    /// Why it stopped, if it stopped before its count.
    pub stopped: Option<PeriodicStop>,
}

impl PeriodicStatus {
    /// Sends per second achieved so far (the first send goes at the
    /// start, so `n` sends span `n - 1` periods).
    pub fn rate(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 && self.sent > 1 {
            (self.sent - 1) as f64 / secs
        } else {
            0.0
        }
    }
}

/// Why a periodic send stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodicStop {
    /// The user stopped it.
    ByUser,
    /// The socket closed.
    SocketClosed,
    /// The connection's send queue was full: the peer does not read.
    QueueFull,
    /// The socket cannot send (a listener with no client, a UDP socket
    /// without a destination, a client not connected).
    CannotSend,
}

impl PeriodicStop {
    /// A short machine name, used in captures.
    pub fn name(self) -> &'static str {
        match self {
            PeriodicStop::ByUser => "by_user",
            PeriodicStop::SocketClosed => "socket_closed",
            PeriodicStop::QueueFull => "queue_full",
            PeriodicStop::CannotSend => "cannot_send",
        }
    }
}

/// What the kernel says about a TCP socket (`getsockopt(TCP_INFO)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TcpInfo {
    /// The kernel's state.
    pub state: TcpState,
    /// Smoothed round-trip time, microseconds.
    pub rtt_us: u32,
    /// Its variation, microseconds.
    pub rttvar_us: u32,
    /// Segments sent and not yet acknowledged.
    pub unacked_segments: u32,
    /// Data bytes sent and not yet acknowledged (kernels from 4.19).
    pub unacked_bytes: Option<u64>,
    /// Bytes queued in the kernel and not yet sent (kernels from 4.6).
    pub notsent_bytes: Option<u32>,
    /// Retransmitted segments over the connection's life.
    pub total_retrans: u32,
    /// Congestion window, in segments.
    pub snd_cwnd: u32,
    /// Largest segment we send.
    pub snd_mss: u32,
    /// A listener's accept queue: connections waiting for `accept()`, and
    /// the most it holds (the backlog as the kernel applies it).
    pub accept_queue: Option<(u32, u32)>,
}

/// How a client waits before connecting again (see
/// [`Command::SetReconnect`]): `first` after the first failure, twice as
/// long after each further one in a row, at most `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Backoff {
    /// The first wait.
    pub first: Duration,
    /// The longest wait.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: Duration::from_millis(500),
            max: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The wait before attempt `n` (from 1).
    pub fn wait(&self, n: u32) -> Duration {
        let doubled = self
            .first
            .checked_mul(1u32 << n.saturating_sub(1).min(20))
            .unwrap_or(self.max);
        doubled.min(self.max).max(Duration::from_millis(1))
    }
}

/// What the UI asks the engine to do.
#[derive(Debug)]
pub enum Command {
    /// Open a socket with an id already allocated by [`super::EngineHandle::open`].
    Open {
        /// The new socket's id.
        id: SocketId,
        /// What to open.
        spec: SocketSpec,
    },
    /// Send bytes. To a listener: to every connection it accepted. To UDP:
    /// to `to`, or the default peer.
    Send {
        /// The socket to send on.
        id: SocketId,
        /// The exact bytes.
        bytes: Vec<u8>,
        /// UDP destination; ignored for TCP.
        to: Option<Addr>,
    },
    /// Close (or half-close, or reset) a socket. Closing a listener closes
    /// the connections it accepted.
    Close {
        /// The socket.
        id: SocketId,
        /// How.
        how: CloseHow,
    },
    /// Change a setting of an open socket; answered by
    /// [`EventKind::Configured`] (or `Failed`).
    Configure {
        /// The socket.
        id: SocketId,
        /// The new setting.
        option: SockOption,
    },
    /// Send `bytes` every `every` (1 ms at least), `count` times or until
    /// [`Command::StopSending`] (replacing any periodic send already
    /// running in this slot). To a listener: to every connection it
    /// has at each tick. Timed by the engine: the ticks keep to a fixed
    /// grid, a late tick is sent once and the ones it overran are counted
    /// as missed (never sent in a burst). Reported by
    /// [`EventKind::Periodic`].
    SendEvery {
        /// The socket to send on.
        id: SocketId,
        /// Which of its periodic sends: a socket runs one per slot, side by
        /// side (the composer's is slot 0).
        slot: u32,
        /// The bytes of each send, fixed or made at each tick.
        payload: Payload,
        /// UDP destination; ignored for TCP.
        to: Option<Addr>,
        /// The period.
        every: Duration,
        /// How many sends; `None`: until stopped.
        count: Option<u64>,
    },
    /// Send `bytes` once `after` has passed (a sequence's later steps),
    /// timed by the engine. Dropped if the socket closes first, or by
    /// [`Command::CancelLater`].
    SendLater {
        /// The socket to send on.
        id: SocketId,
        /// The exact bytes.
        bytes: Vec<u8>,
        /// UDP destination; ignored for TCP.
        to: Option<Addr>,
        /// How long from now.
        after: Duration,
    },
    /// Drop every [`Command::SendLater`] of a socket not yet sent.
    CancelLater {
        /// The socket.
        id: SocketId,
    },
    /// Stop a periodic send of a socket.
    StopSending {
        /// The socket.
        id: SocketId,
        /// Which one; `None`: all of them.
        slot: Option<u32>,
    },
    /// Run `hook` on every receive of this socket (for a listener: of each
    /// connection it accepted, unless the connection has its own), on the
    /// engine thread; its replies are sent back at once or after their
    /// delay (to the sender, for a datagram). `None` removes it.
    SetReceiveHook {
        /// The socket.
        id: SocketId,
        /// The hook.
        hook: Option<Box<dyn ReceiveHook>>,
    },
    /// Report [`EventKind::Writable`] once the socket's send queue holds
    /// at most `below` bytes (at once if it already does): a sender of a
    /// large file queues the next piece then. One report per request.
    WatchWritable {
        /// The socket.
        id: SocketId,
        /// The queue size to wait for.
        below: usize,
    },
    /// Make a TCP client connect again, after a wait that grows, when its
    /// connect fails or its connection ends other than by the user (the
    /// peer closed, a reset, an error); it stays the same socket, and each
    /// wait is reported by [`EventKind::Reconnecting`]. Send it before
    /// [`Command::Open`] (see [`super::EngineHandle::open_reconnecting`]).
    /// `None` stops reconnecting.
    SetReconnect {
        /// The socket.
        id: SocketId,
        /// How long to wait.
        backoff: Option<Backoff>,
    },
    /// Send a file, read in pieces as the send queue drains (never more
    /// than [`FILE_QUEUE_BYTES`] queued at once): on a stream in pieces of
    /// up to 64 KiB, on a datagram socket one datagram of `piece` bytes
    /// each, `gap` apart. Reported by [`EventKind::FileProgress`] and, at
    /// the end, [`EventKind::FileDone`]; the pieces are `Sent` as usual.
    SendFile {
        /// The socket to send on (not a listener).
        id: SocketId,
        /// What to send and how.
        file: FileSend,
    },
    /// Stop sending a socket's file (what is queued still goes out).
    CancelFile {
        /// The socket.
        id: SocketId,
    },
    /// Stop calling `recv()` on this socket (what arrives waits in the
    /// kernel, so several sends are read together later), until resumed
    /// or for `for_`. Reported by [`EventKind::Reading`].
    PauseReading {
        /// The socket.
        id: SocketId,
        /// How long; `None`: until [`Command::ResumeReading`].
        for_: Option<Duration>,
    },
    /// Call `recv()` again.
    ResumeReading {
        /// The socket.
        id: SocketId,
    },
    /// Ask the kernel for every TCP socket on a local port (listeners,
    /// connections, `TIME_WAIT` records); answered by
    /// [`EventKind::PortState`].
    QueryPort {
        /// The socket the question is about (answers go to it).
        id: SocketId,
        /// The port.
        port: u16,
    },
    /// Ask the kernel for a TCP socket's state; answered by
    /// [`EventKind::TcpInfo`] (nothing for UDP or a closed socket).
    QueryTcpInfo {
        /// The socket.
        id: SocketId,
    },
    /// Ask the kernel's TCP table for the state of the connection `local`
    /// ↔ `peer`, which works after its socket is closed (`TIME_WAIT`);
    /// answered by [`EventKind::KernelState`].
    QueryKernelState {
        /// The socket the connection was.
        id: SocketId,
        /// Its local address.
        local: SocketAddr,
        /// Its peer.
        peer: SocketAddr,
    },
    /// The result of a DNS lookup done on a helper thread.
    Resolved {
        /// The client socket that asked.
        id: SocketId,
        /// The addresses, or the failure.
        result: Result<Vec<SocketAddr>, NetError>,
    },
    /// Close everything and end the engine thread, first handing over the
    /// last events (every socket's `Closed`) for at most `deliver_within`
    /// while the channel is full (someone must be taking batches).
    Shutdown {
        /// How long to wait for room for the last events.
        deliver_within: Duration,
    },
}

/// Why a socket closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// The user closed it.
    ByUser,
    /// The user reset it (`SO_LINGER 0`).
    Reset,
    /// The peer closed the connection and we closed our side.
    PeerClosed,
    /// Its listener was closed.
    ListenerClosed,
    /// An error ended it.
    Error(Box<NetError>),
    /// The engine shut down.
    Shutdown,
}

/// Something that happened to a socket.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// The socket it happened to.
    pub id: SocketId,
    /// When the engine saw it.
    pub time: SystemTime,
    /// What happened.
    pub kind: EventKind,
}

/// Bytes of a file being sent that may wait in a socket's send queue.
pub const FILE_QUEUE_BYTES: usize = 1024 * 1024;
/// The largest piece of a file a stream send takes at once.
pub const FILE_STREAM_PIECE: usize = 64 * 1024;
/// How often a file send reports its progress.
pub const FILE_PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// A file to send ([`Command::SendFile`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSend {
    /// The file.
    pub path: std::path::PathBuf,
    /// Datagram sockets: bytes per datagram (1 at least). Streams ignore
    /// it (they send up to [`FILE_STREAM_PIECE`] at a time).
    pub piece: usize,
    /// Datagram sockets: the wait between datagrams (zero: as fast as the
    /// queue takes them). Streams ignore it.
    pub gap: Duration,
    /// Datagram sockets: the destination (`None`: the default peer).
    pub to: Option<Addr>,
}

/// How a file send ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileEnd {
    /// Every byte was handed to the kernel.
    Sent,
    /// The user stopped it.
    Cancelled,
    /// The socket closed first.
    SocketClosed,
    /// Opening or reading the file failed, or the send was refused.
    Failed(NetError),
}

/// What happened.
#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// A TCP client began resolving its host name.
    Resolving {
        /// The name.
        host: String,
    },
    /// A TCP client is connecting to `peer`.
    Connecting {
        /// The address tried.
        peer: Addr,
    },
    /// A TCP client connected.
    Connected {
        /// Our end.
        local: Addr,
        /// Their end.
        peer: Addr,
    },
    /// A listener is listening.
    Listening {
        /// The bound address (the real port when 0 was asked).
        local: Addr,
        /// The backlog passed to `listen()`.
        backlog: i32,
    },
    /// A listener accepted a connection; this event's id is the new socket's.
    Accepted {
        /// The listener.
        parent: SocketId,
        /// Our end.
        local: Addr,
        /// The client.
        peer: Addr,
    },
    /// A UDP socket is bound.
    Bound {
        /// The bound address.
        local: Addr,
        /// The kernel receive buffer actually granted (`SO_RCVBUF` read back).
        rcvbuf_bytes: usize,
        /// Whether kernel drop counting (`SO_RXQ_OVFL`) is on.
        drop_counting: bool,
    },
    /// Bytes arrived.
    Received {
        /// The exact bytes of one read or one datagram.
        bytes: Vec<u8>,
        /// The sender (UDP) or peer (TCP).
        from: Option<Addr>,
        /// UDP only: the datagram was longer than the receive buffer; the
        /// rest was discarded by the kernel.
        truncated: bool,
        /// A cut datagram's whole length, where the kernel tells it
        /// (Linux: `recvmsg` with `MSG_TRUNC`).
        datagram_len: Option<usize>,
    },
    /// Bytes were handed to the kernel in full.
    Sent {
        /// The exact bytes.
        bytes: Vec<u8>,
        /// The destination (UDP) or peer (TCP).
        to: Option<Addr>,
    },
    /// The kernel's count of datagrams dropped for this socket (a running
    /// total, reported when it changes).
    KernelDrops {
        /// Total dropped since the socket opened.
        total: u64,
    },
    /// The peer ended its side (`recv()` returned 0).
    PeerClosed,
    /// Our side was shut down for writing (FIN sent).
    WriteShutdown,
    /// An operation failed; the socket may still be open (see `Closed`).
    Failed(NetError),
    /// A socket API call the engine made for this socket, with its result
    /// (shown the way the Python tutorials write it:
    /// `s.bind(('127.0.0.1', 9000))` → `ok`). Reads and writes are not
    /// reported this way: `Received` and `Sent` are those calls.
    Call {
        /// The call.
        call: SockCall,
        /// What it returned, or why it failed.
        result: Result<CallOk, NetError>,
    },
    /// A setting changed (see [`Command::Configure`]).
    Configured(SockOption),
    /// The kernel's view of a TCP socket, asked for by
    /// [`Command::QueryTcpInfo`].
    TcpInfo(TcpInfo),
    /// The kernel's TCP table's state for a connection (`None`: no record
    /// left), asked for by [`Command::QueryKernelState`].
    KernelState(Option<TcpState>),
    /// A periodic send started, goes on (once a second), or stopped.
    Periodic(PeriodicStatus),
    /// The send queue fell to the size asked for by
    /// [`Command::WatchWritable`].
    Writable {
        /// Bytes still queued.
        queued: usize,
    },
    /// Reading was paused or resumed ([`Command::PauseReading`]).
    Reading {
        /// Whether `recv()` is being called.
        on: bool,
        /// For a timed pause: how long.
        paused_for: Option<Duration>,
    },
    /// The kernel's TCP sockets on a port ([`Command::QueryPort`]).
    PortState(Vec<PortSocket>),
    /// A reconnecting client's connection ended (or its connect failed):
    /// its descriptor is closed, and it connects again after `after`.
    Reconnecting {
        /// Which attempt comes next (1: the first after a connection).
        attempt: u32,
        /// The wait before it.
        after: Duration,
    },
    /// A file being sent ([`Command::SendFile`]): how far it is (at the
    /// start, then about every [`FILE_PROGRESS_EVERY`]).
    FileProgress {
        /// Bytes handed to the kernel.
        sent: u64,
        /// The file's size when it was opened.
        total: u64,
    },
    /// A file send ended.
    FileDone {
        /// Bytes handed to the kernel.
        sent: u64,
        /// The file's size when it was opened.
        total: u64,
        /// How it ended.
        end: FileEnd,
    },
    /// The socket is closed and gone from the engine.
    Closed {
        /// Why.
        reason: CloseReason,
        /// Bytes that were queued to send and never went out.
        unsent_bytes: usize,
    },
}

impl EventKind {
    /// A short machine name for the kind, used in captures.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Resolving { .. } => "resolving",
            EventKind::Connecting { .. } => "connecting",
            EventKind::Connected { .. } => "connected",
            EventKind::Listening { .. } => "listening",
            EventKind::Accepted { .. } => "accepted",
            EventKind::Bound { .. } => "bound",
            EventKind::Received { .. } => "received",
            EventKind::Sent { .. } => "sent",
            EventKind::KernelDrops { .. } => "kernel_drops",
            EventKind::PeerClosed => "peer_closed",
            EventKind::WriteShutdown => "write_shutdown",
            EventKind::Failed(_) => "failed",
            EventKind::Call { .. } => "call",
            EventKind::Configured(_) => "configured",
            EventKind::TcpInfo(_) => "tcp_info",
            EventKind::KernelState(_) => "kernel_state",
            EventKind::Periodic(_) => "periodic",
            EventKind::Writable { .. } => "writable",
            EventKind::Reading { .. } => "reading",
            EventKind::PortState(_) => "port_state",
            EventKind::Reconnecting { .. } => "reconnecting",
            EventKind::FileProgress { .. } => "file_progress",
            EventKind::FileDone { .. } => "file_done",
            EventKind::Closed { .. } => "closed",
        }
    }
}

/// The bytes of each tick of a periodic send.
pub enum Payload {
    /// The same bytes every time.
    Fixed(Vec<u8>),
    /// Made at each tick from its number (0, 1, 2, …), on the engine thread.
    Made(Box<dyn FnMut(u64) -> Vec<u8> + Send>),
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Payload::Fixed(b) => write!(f, "Fixed({} bytes)", b.len()),
            Payload::Made(_) => f.write_str("Made(..)"),
        }
    }
}

/// Code run on the engine thread for each receive of a socket (reply
/// rules). It gets the bytes of one read (or one datagram) and the sender,
/// and returns what to send back. It must be quick: the engine waits.
/// One hook serves a listener's every connection: `rx.socket` says which.
pub trait ReceiveHook: Send {
    /// The replies to what was received.
    fn on_receive(&mut self, rx: Received<'_>) -> Vec<Reply>;

    /// A connection the hook served closed (a listener's hook keeping
    /// state per connection drops it here).
    fn closed(&mut self, _socket: SocketId) {}
}

/// One receive, as a [`ReceiveHook`] sees it.
#[derive(Clone, Copy, Debug)]
pub struct Received<'a> {
    /// The socket that read it (a listener's connection, for a listener's
    /// hook).
    pub socket: SocketId,
    /// The bytes of one read, or one datagram.
    pub bytes: &'a [u8],
    /// The sender (datagrams) or the peer (streams).
    pub from: Option<&'a Addr>,
    /// Whether it came from a byte stream (TCP, Unix stream), where one
    /// read is not one message, rather than a datagram.
    pub stream: bool,
}

impl fmt::Debug for dyn ReceiveHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReceiveHook")
    }
}

/// One reply of a [`ReceiveHook`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The exact bytes.
    pub bytes: Vec<u8>,
    /// How long to wait before sending (zero: at once).
    pub delay: Duration,
}

/// One TCP socket the kernel holds on a port ([`EventKind::PortState`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortSocket {
    /// Its state (`LISTEN`, `ESTABLISHED`, `TIME_WAIT`, …).
    pub state: TcpState,
    /// Its local address.
    pub local: std::net::SocketAddr,
    /// Its peer (unspecified for a listener).
    pub peer: std::net::SocketAddr,
}
