//! The UI's state that is not drawing: the sockets ([`session`]), the
//! traffic log ([`log`]), the capture file ([`capture`]) and the parsing of
//! what the user typed into socket specs ([`spec`]). Testable without a
//! window: [`Model::apply`] folds engine events into it.

pub mod capture;
mod event_text;
pub mod lab;
pub mod lesson;
pub mod log;
pub mod pygen;
pub mod session;
pub mod spec;

use std::collections::{BTreeMap, VecDeque};
use std::time::SystemTime;

use crate::codec::text::{ChunkText, TextEncoding};
use crate::engine::{
    CloseReason, Event, EventKind, PeriodicStop, SockOption, SocketId, SocketKind, SocketSpec,
};
use crate::i18n::{tr, trf};
use lesson::LessonLine;
use log::{EntryKind, LogEntry, TrafficLog, unix_us};
use session::{Session, SessionState};

/// Closed sockets that keep every detail (their calls, recv/send
/// boundaries, …); older closed ones keep a compact record.
pub const KEEP_CLOSED_DETAILED: usize = 100;
/// Closed sockets kept at most (connections, clients, UDP sockets; not
/// listeners); past this the oldest are removed and counted in
/// [`Model::closed_removed`].
pub const MAX_CLOSED: usize = 10_000;

/// Sockets and the log.
#[derive(Debug, Default)]
pub struct Model {
    /// Every socket not yet removed, by id.
    pub sessions: BTreeMap<SocketId, Session>,
    /// Closed sockets (not listeners) in the order they closed, oldest
    /// first (ids removed meanwhile are skipped when met).
    pub(crate) closed_order: VecDeque<SocketId>,
    /// Closed sockets removed because more than [`MAX_CLOSED`] were kept.
    pub closed_removed: u64,
    /// The traffic log.
    pub log: TrafficLog,
    /// The encoding new sockets display with.
    pub default_encoding: TextEncoding,
    /// Events folded in since start.
    pub events_applied: u64,
}

impl Model {
    /// A model whose log keeps at most `cap_bytes`.
    pub fn with_log_cap(cap_bytes: usize) -> Self {
        Model {
            log: TrafficLog::new(cap_bytes),
            ..Model::default()
        }
    }

    /// Records that the user asked for socket `id`.
    pub fn opening(&mut self, id: SocketId, spec: &SocketSpec) {
        self.sessions
            .insert(id, Session::for_spec(id, spec, self.default_encoding));
        self.log.push_message(
            SystemTime::now(),
            id,
            EntryKind::Opening,
            None,
            trf("open {spec}", &[("spec", spec)]),
        );
    }

    /// Folds one engine event into the sessions and the log.
    pub fn apply(&mut self, ev: Event) {
        self.events_applied += 1;
        let Event { id, time, kind } = ev;
        let session = self.sessions.get_mut(&id);
        match kind {
            EventKind::Received {
                bytes,
                from,
                truncated,
            } => {
                let mut chunk = ChunkText::default();
                let mut session = session;
                let len = bytes.len();
                if let Some(s) = session.as_deref_mut() {
                    s.counters.bytes_in += len as u64;
                    s.counters.msgs_in += 1;
                    s.lesson.push(LessonLine::Recv {
                        n: len,
                        size: s.recv_size,
                        from,
                    });
                    if truncated {
                        s.truncated += 1;
                    }
                    if s.kind.is_stream() {
                        chunk = s.splitter.push(&bytes);
                    }
                }
                let peer = self.log.peer_ref(from);
                let row = self.log.push(LogEntry {
                    time_us: unix_us(time),
                    socket: id.into(),
                    payload: bytes.into_boxed_slice(),
                    peer,
                    kind: EntryKind::Received,
                    truncated,
                    chunk,
                });
                if let Some(s) = session
                    && s.kind.is_stream()
                {
                    s.lab.received(len, row);
                }
            }
            EventKind::Sent { bytes, to } => {
                if let Some(s) = session {
                    s.counters.bytes_out += bytes.len() as u64;
                    s.counters.msgs_out += 1;
                    s.lesson.push(LessonLine::Send { n: bytes.len(), to });
                    s.lesson.keep_sent(&bytes, to);
                    if s.kind.is_stream() {
                        s.lab.sent(bytes.len());
                    }
                }
                let peer = self.log.peer_ref(to);
                let _ = self.log.push(LogEntry {
                    time_us: unix_us(time),
                    socket: id.into(),
                    payload: bytes.into_boxed_slice(),
                    peer,
                    kind: EntryKind::Sent,
                    truncated: false,
                    chunk: ChunkText::default(),
                });
            }
            EventKind::Resolving { host } => {
                if let Some(s) = session {
                    s.state = SessionState::Resolving;
                }
                let msg = trf("resolving \"{host}\"", &[("host", &host)]);
                self.log
                    .push_message(time, id, EntryKind::Resolving, None, msg);
            }
            EventKind::Connecting { peer } => {
                if let Some(s) = session {
                    s.state = SessionState::Connecting(peer);
                }
                let msg = trf("connecting to {peer}", &[("peer", &peer)]);
                self.log
                    .push_message(time, id, EntryKind::Connecting, Some(peer), msg);
            }
            EventKind::Connected { local, peer } => {
                if let Some(s) = session {
                    s.state = SessionState::Connected;
                    s.local = Some(local);
                    s.peer = Some(peer);
                }
                let msg = trf("connected from {local}", &[("local", &local)]);
                self.log
                    .push_message(time, id, EntryKind::Connected, Some(peer), msg);
            }
            EventKind::Listening { local, backlog } => {
                if let Some(s) = session {
                    s.state = SessionState::Listening;
                    s.local = Some(local);
                    s.backlog = Some(backlog);
                }
                let msg = trf(
                    "listening on {local} (backlog {backlog})",
                    &[("local", &local), ("backlog", &backlog)],
                );
                self.log
                    .push_message(time, id, EntryKind::Listening, None, msg);
            }
            EventKind::Accepted {
                parent,
                local,
                peer,
            } => {
                let encoding = self
                    .sessions
                    .get(&parent)
                    .map_or(self.default_encoding, |p| p.encoding);
                let mut s = Session::new(
                    id,
                    SocketKind::TcpAccepted,
                    format!("accepted by {parent}"),
                    encoding,
                );
                s.state = SessionState::Connected;
                s.local = Some(local);
                s.peer = Some(peer);
                s.parent = Some(parent);
                self.sessions.insert(id, s);
                if let Some(p) = self.sessions.get_mut(&parent) {
                    p.children.push(id);
                }
                self.log.extend_filter(parent, id);
                let msg = trf(
                    "accepted by {parent} on {local}",
                    &[("parent", &parent), ("local", &local)],
                );
                self.log
                    .push_message(time, id, EntryKind::Accepted, Some(peer), msg);
            }
            EventKind::Bound {
                local,
                rcvbuf_bytes,
                drop_counting,
            } => {
                if let Some(s) = session {
                    s.state = SessionState::Bound;
                    s.local = Some(local);
                    s.rcvbuf_bytes = Some(rcvbuf_bytes);
                    s.drop_counting = drop_counting;
                }
                let drops = if drop_counting {
                    tr("kernel drops counted")
                } else {
                    tr("kernel drops not counted on this system")
                };
                let msg = trf(
                    "bound to {local}; receive buffer {n} bytes; {drops}",
                    &[("local", &local), ("n", &rcvbuf_bytes), ("drops", &drops)],
                );
                self.log.push_message(time, id, EntryKind::Bound, None, msg);
            }
            EventKind::KernelDrops { total } => {
                if let Some(s) = session {
                    s.kernel_drops = total;
                }
                let msg = trf(
                    "the kernel dropped {total} datagram(s) so far: the receive buffer was full",
                    &[("total", &total)],
                );
                self.log
                    .push_message(time, id, EntryKind::KernelDrops, None, msg);
            }
            EventKind::Call { call, result } => {
                if let Some(s) = session {
                    s.lesson.push(LessonLine::Call {
                        call,
                        result: result.map_err(Into::into),
                    });
                }
            }
            EventKind::Configured(option) => {
                let msg = match option {
                    SockOption::RecvSize(n) => {
                        if let Some(s) = session {
                            s.recv_size = n;
                        }
                        trf("each recv() now asks for {n} bytes", &[("n", &n)])
                    }
                    SockOption::NoDelay(on) => {
                        if let Some(s) = session {
                            s.nodelay = Some(on);
                        }
                        if on {
                            tr("TCP_NODELAY on").to_owned()
                        } else {
                            tr("TCP_NODELAY off").to_owned()
                        }
                    }
                    SockOption::CloseOnPeerClose(on) => {
                        if let Some(s) = session {
                            s.close_on_peer_close = on;
                        }
                        if on {
                            tr("closes as soon as the peer closes").to_owned()
                        } else {
                            tr("stays open when the peer closes (CLOSE_WAIT) until you close it")
                                .to_owned()
                        }
                    }
                };
                self.log
                    .push_message(time, id, EntryKind::Configured, None, msg);
            }
            EventKind::Periodic(status) => {
                let first = session
                    .as_ref()
                    .is_none_or(|s| s.periodic.is_none_or(|p| !p.running));
                if let Some(s) = session {
                    s.periodic = Some(status);
                }
                let ms = status.every.as_secs_f64() * 1e3;
                let msg = if !status.running {
                    let why = match status.stopped {
                        None => tr("done"),
                        Some(PeriodicStop::ByUser) => tr("stopped"),
                        Some(PeriodicStop::SocketClosed) => tr("the socket closed"),
                        Some(PeriodicStop::QueueFull) => {
                            tr("the send queue is full: the peer is not reading")
                        }
                        Some(PeriodicStop::CannotSend) => tr("the socket cannot send now"),
                    };
                    Some(trf(
                        "periodic send ended ({why}): {sent} sent, {missed} ticks missed, {rate}/s",
                        &[
                            ("why", &why),
                            ("sent", &status.sent),
                            ("missed", &status.missed),
                            ("rate", &format!("{:.1}", status.rate())),
                        ],
                    ))
                } else if first {
                    Some(trf("sending every {ms} ms", &[("ms", &ms)]))
                } else {
                    None
                };
                if let Some(msg) = msg {
                    self.log
                        .push_message(time, id, EntryKind::Configured, None, msg);
                }
            }
            EventKind::TcpInfo(info) => {
                if let Some(s) = session {
                    s.tcp_info = Some((time, info));
                }
            }
            EventKind::KernelState(state) => {
                if let Some(s) = session {
                    s.table_state = Some((time, state));
                }
            }
            EventKind::PeerClosed => {
                let peer = session.and_then(|s| {
                    s.peer_closed = true;
                    s.lesson.push(LessonLine::RecvEof { size: s.recv_size });
                    s.peer
                });
                let msg = tr("peer closed its side (recv returned 0)").to_owned();
                self.log
                    .push_message(time, id, EntryKind::PeerClosed, peer, msg);
            }
            EventKind::WriteShutdown => {
                if let Some(s) = session {
                    s.write_shut = true;
                }
                let msg = tr("shutdown(SHUT_WR): FIN sent; still receiving").to_owned();
                self.log
                    .push_message(time, id, EntryKind::WriteShutdown, None, msg);
            }
            EventKind::Failed(e) => {
                let msg = e.to_string();
                if let Some(s) = session {
                    s.last_error = Some(msg.clone());
                }
                self.log
                    .push_message(time, id, EntryKind::Failed, None, msg);
            }
            EventKind::Closed {
                reason,
                unsent_bytes,
            } => {
                let mut msg = match &reason {
                    CloseReason::Error(_) => tr("closed after the error above").to_owned(),
                    r => trf("closed: {reason}", &[("reason", r)]),
                };
                if unsent_bytes > 0 {
                    msg.push_str(&trf(
                        "; {n} queued bytes were not sent",
                        &[("n", &unsent_bytes)],
                    ));
                }
                let mut leftover = Vec::new();
                let mut keep_in_order = false;
                if let Some(s) = session {
                    s.state = SessionState::Closed(reason);
                    leftover = s.splitter.pending().to_vec();
                    keep_in_order = !s.kind.is_listener();
                }
                if keep_in_order {
                    self.note_closed(id);
                }
                if !leftover.is_empty() {
                    // Bytes held back for a character that never completed.
                    let mut hex = String::new();
                    crate::codec::hex::format_hex_into(&mut hex, &leftover);
                    msg.push_str(&trf(
                        "; the last {n} received byte(s) ({hex}) never completed a character",
                        &[("n", &leftover.len()), ("hex", &hex)],
                    ));
                }
                self.log
                    .push_message(time, id, EntryKind::Closed, None, msg);
            }
        }
    }

    /// Removes a closed socket (and its closed connections) from the sidebar.
    /// Returns false if it is still open.
    pub fn remove(&mut self, id: SocketId) -> bool {
        let Some(s) = self.sessions.get(&id) else {
            return false;
        };
        if !s.state.is_closed() {
            return false;
        }
        let children = s.children.clone();
        let parent = s.parent;
        self.sessions.remove(&id);
        for c in children {
            if self.sessions.get(&c).is_some_and(|c| c.state.is_closed()) {
                self.sessions.remove(&c);
            } else if let Some(c) = self.sessions.get_mut(&c) {
                c.parent = None;
            }
        }
        if let Some(p) = parent.and_then(|p| self.sessions.get_mut(&p)) {
            p.children.retain(|c| *c != id);
        }
        true
    }

    /// Keeps closed sockets bounded: the newest [`KEEP_CLOSED_DETAILED`]
    /// in full, older ones compacted, and past [`MAX_CLOSED`] the oldest
    /// removed (and counted).
    fn note_closed(&mut self, id: SocketId) {
        self.closed_order.push_back(id);
        let n = self.closed_order.len();
        if n > KEEP_CLOSED_DETAILED
            && let Some(old) = self.closed_order.get(n - 1 - KEEP_CLOSED_DETAILED)
            && let Some(s) = self.sessions.get_mut(old)
            && !s.compacted
        {
            s.compact();
        }
        while self.closed_order.len() > MAX_CLOSED {
            let Some(old) = self.closed_order.pop_front() else {
                break;
            };
            if self.remove(old) {
                self.closed_removed += 1;
            }
        }
    }

    /// Sockets shown at the top level of the sidebar (not under a listener).
    pub fn top_level(&self) -> impl Iterator<Item = &Session> {
        self.sessions
            .values()
            .filter(|s| s.parent.is_none_or(|p| !self.sessions.contains_key(&p)))
    }

    /// The open connections a listener accepted.
    pub fn open_children(&self, id: SocketId) -> Vec<SocketId> {
        self.sessions.get(&id).map_or_else(Vec::new, |s| {
            s.children
                .iter()
                .copied()
                .filter(|c| self.sessions.get(c).is_some_and(|c| !c.state.is_closed()))
                .collect()
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "closed_tests.rs"]
mod closed_tests;
