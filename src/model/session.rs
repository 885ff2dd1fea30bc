//! One socket as the UI sees it: what it is, its state, its addresses, its
//! counters and its display encoding. Built from engine events.

use crate::engine::Addr;

use crate::codec::text::{StreamSplitter, TextEncoding};
use std::time::SystemTime;

use crate::engine::{
    CloseReason, PeriodicStatus, SocketId, SocketKind, SocketSpec, TcpInfo, TcpState,
};
use crate::engine::{DEFAULT_TCP_READ_BYTES, DEFAULT_UDP_RECV_BYTES};
use crate::i18n::tr;
use crate::model::lab::LabRecord;
use crate::model::lesson::{Lesson, LessonLine};

/// Socket calls a compacted closed socket keeps (the newest).
pub const COMPACT_CALL_LINES: usize = 2;

/// Where a socket is in its life.
#[derive(Clone, Debug, PartialEq)]
pub enum SessionState {
    /// Asked for; the engine has not reported yet.
    Opening,
    /// Looking up the host name.
    Resolving,
    /// `connect()` in flight.
    Connecting(Addr),
    /// Listening for connections.
    Listening,
    /// Connected (client or accepted).
    Connected,
    /// A bound UDP socket.
    Bound,
    /// A reconnecting client waits before connecting again.
    Reconnecting {
        /// The attempt it waits for.
        attempt: u32,
        /// How long.
        after: std::time::Duration,
    },
    /// Closed, and why.
    Closed(CloseReason),
}

impl SessionState {
    /// A short word for the sidebar.
    pub fn label(&self) -> &'static str {
        match self {
            SessionState::Opening => tr("opening"),
            SessionState::Resolving => tr("resolving"),
            SessionState::Connecting(_) => tr("connecting"),
            SessionState::Listening => tr("listening"),
            SessionState::Connected => tr("connected"),
            SessionState::Bound => tr("bound"),
            SessionState::Reconnecting { .. } => tr("waiting to reconnect"),
            SessionState::Closed(_) => tr("closed"),
        }
    }

    /// Whether the socket is gone.
    pub fn is_closed(&self) -> bool {
        matches!(self, SessionState::Closed(_))
    }
}

/// Bytes and messages each way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Bytes received.
    pub bytes_in: u64,
    /// Reads (TCP) or datagrams (UDP) received.
    pub msgs_in: u64,
    /// Bytes sent.
    pub bytes_out: u64,
    /// Payloads sent.
    pub msgs_out: u64,
}

/// One socket. What every socket keeps, closed ones long ago too, is here;
/// the rest ([`Detail`]: calls, lab, kernel samples, settings) is reached
/// through it (`s.lesson`, `s.lab`, … via `Deref`) and dropped when a
/// closed socket is compacted ([`Session::compact`]), leaving the newest
/// calls in [`Session::closed_calls`].
#[derive(Clone, Debug)]
pub struct Session {
    /// Its id.
    pub id: SocketId,
    /// What it is.
    pub kind: SocketKind,
    /// Where it is in its life.
    pub state: SessionState,
    /// Our address, once bound.
    pub local: Option<Addr>,
    /// The peer (TCP) once connected.
    pub peer: Option<Addr>,
    /// The listener that accepted it.
    pub parent: Option<SocketId>,
    /// Traffic counters.
    pub counters: Counters,
    /// UDP: datagrams the kernel dropped.
    pub kernel_drops: u64,
    /// UDP: datagrams truncated by a small receive size.
    pub truncated: u64,
    /// The peer has closed its side.
    pub peer_closed: bool,
    /// We have shut down our side for writing.
    pub write_shut: bool,
    /// How its received bytes are shown as text.
    pub encoding: TextEncoding,
    /// Closed long enough ago that only a compact record is kept (see
    /// [`Session::compact`]).
    pub compacted: bool,
    /// A compacted socket's newest calls (shared with other compacted
    /// sockets whose calls ended the same way).
    pub closed_calls: Option<std::sync::Arc<[LessonLine]>>,
    /// Everything else (`None` once compacted).
    detail: Option<Box<Detail>>,
}

/// What a socket keeps while it is open or recently closed.
#[derive(Clone, Debug)]
pub struct Detail {
    /// Connections accepted (listeners, which are never compacted), in
    /// order.
    pub children: Vec<SocketId>,
    /// How it was asked for (`tcp-listen:127.0.0.1:9000`).
    pub spec: String,
    /// The spec it was opened with (none for an accepted connection).
    pub opened_as: Option<SocketSpec>,
    /// UDP: where a send without a destination goes.
    pub default_peer: Option<Addr>,
    /// A listener's `listen()` backlog.
    pub backlog: Option<i32>,
    /// A reconnecting client: the waits to connect again so far.
    pub reconnects: u32,
    /// UDP: the kernel receive buffer granted.
    pub rcvbuf_bytes: Option<usize>,
    /// UDP: whether the kernel reports drops.
    pub drop_counting: bool,
    /// The latest error, for the sidebar (its sentence made when drawn).
    pub last_error: Option<crate::engine::NetError>,
    /// The socket calls made for it, for the lesson view.
    pub lesson: Lesson,
    /// Where each `recv()` and send fell in the stream, for the lab.
    pub lab: LabRecord,
    /// Bytes one `recv()` asks for (as the engine last confirmed).
    pub recv_size: usize,
    /// `TCP_NODELAY`, once the user set it (the kernel default is off).
    pub nodelay: Option<bool>,
    /// Whether our side closes as soon as the peer closes.
    pub close_on_peer_close: bool,
    /// The kernel's latest view of it (TCP) and when it came.
    pub tcp_info: Option<(SystemTime, TcpInfo)>,
    /// The kernel TCP table's state of its connection (`None` inside: no
    /// record left), asked for once `TCP_INFO` cannot tell (closed).
    pub table_state: Option<(SystemTime, Option<TcpState>)>,
    /// Tracks characters split across TCP reads.
    pub(crate) splitter: StreamSplitter,
    /// Its periodic sends (slot 0 is the composer's, the others quick-send
    /// items'), one per slot, as the engine last reported each.
    pub periodic: Vec<PeriodicStatus>,
    /// `recv()` is not being called ([`crate::engine::Command::PauseReading`]).
    pub reading_paused: bool,
    /// The `recv()` size was set explicitly (the engine then makes each
    /// read exactly one `recv()` of it).
    pub recv_size_chosen: bool,
    /// The kernel's TCP sockets on its port, when asked, and when.
    pub port_state: Option<(SystemTime, Vec<crate::engine::PortSocket>)>,
    /// The file being sent on it, or the last one.
    pub file: Option<FileState>,
}

/// A file sent on a socket, as the engine reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileState {
    /// The file's name (as given).
    pub name: String,
    /// Bytes handed to the kernel.
    pub sent: u64,
    /// Its size (known once the engine opened it).
    pub total: u64,
    /// The engine has opened it and begun.
    pub started: bool,
    /// How it ended (`None`: still sending, or about to).
    pub end: Option<crate::engine::FileEnd>,
}

impl FileState {
    /// A file just asked for.
    pub fn new(name: String) -> Self {
        FileState {
            name,
            sent: 0,
            total: 0,
            started: false,
            end: None,
        }
    }

    /// Whether it is still being sent (or about to be).
    pub fn sending(&self) -> bool {
        self.end.is_none()
    }

    /// How far, from 0 to 1.
    pub fn fraction(&self) -> f32 {
        if self.total == 0 {
            if self.end == Some(crate::engine::FileEnd::Sent) {
                1.0
            } else {
                0.0
            }
        } else {
            (self.sent as f64 / self.total as f64).min(1.0) as f32
        }
    }
}

impl Default for Detail {
    fn default() -> Self {
        Detail {
            children: Vec::new(),
            reconnects: 0,
            file: None,
            spec: String::new(),
            opened_as: None,
            default_peer: None,
            backlog: None,
            rcvbuf_bytes: None,
            drop_counting: false,
            last_error: None,
            lesson: Lesson::new(SocketKind::TcpClient),
            lab: LabRecord::default(),
            recv_size: DEFAULT_TCP_READ_BYTES,
            nodelay: None,
            close_on_peer_close: true,
            tcp_info: None,
            table_state: None,
            splitter: StreamSplitter::new(TextEncoding::default()),
            periodic: Vec::new(),
            reading_paused: false,
            recv_size_chosen: false,
            port_state: None,
        }
    }
}

/// What a compacted socket shows for its detail: nothing kept.
static NO_DETAIL: std::sync::LazyLock<Detail> = std::sync::LazyLock::new(Detail::default);

impl std::ops::Deref for Session {
    type Target = Detail;

    fn deref(&self) -> &Detail {
        self.detail.as_deref().unwrap_or(&NO_DETAIL)
    }
}

impl std::ops::DerefMut for Session {
    fn deref_mut(&mut self) -> &mut Detail {
        self.detail.get_or_insert_with(Box::default)
    }
}

impl Session {
    /// The periodic send in `slot`, as the engine last reported it.
    pub fn periodic_in(&self, slot: u32) -> Option<PeriodicStatus> {
        self.periodic.iter().find(|p| p.slot == slot).copied()
    }

    /// A socket just asked for.
    pub fn new(id: SocketId, kind: SocketKind, spec: String, encoding: TextEncoding) -> Self {
        Session {
            id,
            kind,
            state: SessionState::Opening,
            local: None,
            peer: None,
            parent: None,
            counters: Counters::default(),
            kernel_drops: 0,
            truncated: 0,
            peer_closed: false,
            write_shut: false,
            encoding,
            compacted: false,
            closed_calls: None,
            detail: Some(Box::new(Detail {
                spec,
                lesson: Lesson::new(kind),
                recv_size: if kind.is_datagram() {
                    DEFAULT_UDP_RECV_BYTES
                } else {
                    DEFAULT_TCP_READ_BYTES
                },
                splitter: StreamSplitter::new(encoding),
                ..Detail::default()
            })),
        }
    }

    /// Drops what only a recently closed socket needs: its detail (recv
    /// and send boundaries, the sends kept for the Python program, the
    /// kernel samples, its settings), keeping the newest
    /// [`COMPACT_CALL_LINES`] socket calls. `last` holds the calls the
    /// previous compacted socket kept; equal ones are shared, not copied.
    pub fn compact(&mut self, last: &mut Option<std::sync::Arc<[LessonLine]>>) {
        if let Some(detail) = self.detail.take() {
            let n = detail.lesson.lines().count();
            let lines: Vec<LessonLine> = detail
                .lesson
                .lines()
                .skip(n.saturating_sub(COMPACT_CALL_LINES))
                .cloned()
                .collect();
            // Most connections end alike (`recv() → b''`, `close()`): one
            // copy serves them all.
            let shared = match last {
                Some(prev) if **prev == *lines => std::sync::Arc::clone(prev),
                _ => {
                    let new: std::sync::Arc<[LessonLine]> = lines.into();
                    *last = Some(std::sync::Arc::clone(&new));
                    new
                }
            };
            self.closed_calls = Some(shared);
        }
        self.compacted = true;
    }

    /// The socket calls to show: the lesson, or a compacted socket's
    /// newest calls.
    pub fn lesson_view(&self) -> std::borrow::Cow<'_, Lesson> {
        match &self.closed_calls {
            // Compacted: a later write (a kernel sample asked for when the
            // user looks at it) may have brought back an empty detail.
            Some(lines) if self.compacted => {
                std::borrow::Cow::Owned(Lesson::from_lines(self.kind, lines))
            }
            _ => std::borrow::Cow::Borrowed(&self.lesson),
        }
    }

    /// A session for `spec`.
    pub fn for_spec(id: SocketId, spec: &SocketSpec, encoding: TextEncoding) -> Self {
        let mut s = Session::new(id, spec.kind(), spec.to_string(), encoding);
        s.opened_as = Some(spec.clone());
        match spec {
            SocketSpec::Udp {
                default_peer,
                recv_bytes,
                ..
            } => {
                s.default_peer = default_peer.map(Addr::from);
                s.recv_size = *recv_bytes;
            }
            // A Unix socket's address is known before it is bound.
            SocketSpec::UnixListen { path, .. } => s.local = Some(Addr::Unix(path.clone())),
            SocketSpec::UnixConnect { path } => s.peer = Some(Addr::Unix(path.clone())),
            SocketSpec::UnixDgram {
                path,
                peer,
                recv_bytes,
                ..
            } => {
                s.local = Some(Addr::Unix(path.clone()));
                s.default_peer = peer.clone().map(Addr::Unix);
                s.recv_size = *recv_bytes;
            }
            SocketSpec::TcpListen { .. } | SocketSpec::TcpConnect { .. } => {}
        }
        s
    }

    /// Changes the display encoding (new reads decode with it).
    pub fn set_encoding(&mut self, encoding: TextEncoding) {
        if self.encoding != encoding {
            self.encoding = encoding;
            self.splitter = StreamSplitter::new(encoding);
        }
    }

    /// A one-line title: `#3 TCP listener 127.0.0.1:9000`.
    pub fn title(&self) -> String {
        let addr = match (self.kind, &self.local, &self.peer) {
            (SocketKind::TcpClient | SocketKind::TcpAccepted, _, Some(peer)) => peer.to_string(),
            (_, Some(local), _) => local.to_string(),
            _ => self
                .spec
                .split_once(':')
                .map_or(self.spec.clone(), |(_, a)| a.to_owned()),
        };
        format!("{} {} {}", self.id, self.kind.label(), addr)
    }

    /// Whether `TCP_INFO` can no longer tell this connection's state: the
    /// socket is closed, or the kernel reports it `CLOSED` (its connection,
    /// if it closed first, lives on as a `TIME_WAIT` record).
    pub fn fd_closed_or_done(&self) -> bool {
        self.state.is_closed()
            || self
                .tcp_info
                .is_some_and(|(_, i)| i.state == TcpState::Closed)
    }

    /// The kernel's state of this TCP socket's connection as best known:
    /// `TCP_INFO` while it can tell, else the TCP table (`None` inside: no
    /// record left), else nothing yet.
    pub fn kernel_state(&self) -> Option<Option<TcpState>> {
        if self.fd_closed_or_done() {
            return match self.table_state {
                Some((_, st)) => Some(st),
                None if self.state.is_closed() => None,
                None => self.tcp_info.map(|(_, i)| Some(i.state)),
            };
        }
        self.tcp_info.map(|(_, i)| Some(i.state))
    }

    /// Whether sends can go to it now.
    pub fn can_send(&self) -> bool {
        match self.state {
            SessionState::Connected => !self.write_shut,
            SessionState::Bound | SessionState::Listening => true,
            _ => false,
        }
    }
}
