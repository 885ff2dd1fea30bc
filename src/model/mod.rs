//! The UI's state that is not drawing: the sockets ([`session`]), the
//! traffic log ([`log`]), the capture file ([`capture`]) and the parsing of
//! what the user typed into socket specs ([`spec`]). Testable without a
//! window: [`Model::apply`] folds engine events into it.

pub mod capture;
mod event_text;
pub mod explain;
pub mod export;
pub mod lab;
pub mod lesson;
pub mod log;
pub mod note;
pub mod pycall;
pub mod pygen;
pub mod pyrules;
pub mod save;
pub mod session;
pub mod spec;
pub mod stats;

use std::collections::{BTreeMap, VecDeque};
use std::time::SystemTime;

use crate::codec::text::{ChunkText, TextEncoding};
use crate::engine::{Event, EventKind, SockOption, SocketId, SocketKind, SocketSpec};
use lesson::LessonLine;
use log::{EntryKind, LogEntry, TrafficLog, unix_us};
use note::Note;
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
    /// Every socket not yet removed, by id (boxed: a B-tree node then holds
    /// pointers, not half-empty slots of whole sessions).
    pub sessions: BTreeMap<SocketId, Box<Session>>,
    /// Closed sockets (not listeners) in the order they closed, oldest
    /// first (ids removed meanwhile are skipped when met).
    pub(crate) closed_order: VecDeque<SocketId>,
    /// Closed sockets removed because more than [`MAX_CLOSED`] were kept.
    pub closed_removed: u64,
    /// The calls the last compacted socket kept (the next one shares them
    /// when its calls are the same).
    last_closed_calls: Option<std::sync::Arc<[LessonLine]>>,
    /// The traffic log.
    pub log: TrafficLog,
    /// The encoding new sockets display with.
    pub default_encoding: TextEncoding,
    /// Events folded in since start.
    pub events_applied: u64,
    /// Bytes and messages a second, round trips.
    pub stats: stats::Stats,
    /// Sockets whose received bytes are being saved to a file.
    pub saving: BTreeMap<SocketId, save::Saving>,
    /// Received chunks of saved sockets folded since the pump last took
    /// them (it hands them to the writers once it lets go of the model).
    pub(crate) to_save: Vec<(crossbeam_channel::Sender<Vec<u8>>, Vec<u8>)>,
    /// When the pump last let go of the model (set just before it
    /// unlocks): what a window that waited can tell its wait by (the pump
    /// holding it, or the thread not yet running once it was let go).
    pub pump_released_at: Option<std::time::Instant>,
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
        self.sessions.insert(
            id,
            Box::new(Session::for_spec(id, spec, self.default_encoding)),
        );
        self.log.push_note(
            SystemTime::now(),
            id,
            EntryKind::Opening,
            None,
            Note::Opening(spec.to_string().into()),
        );
    }

    /// Starts saving socket `id`'s received bytes to `path` from now on;
    /// `with_log`: first what the log still holds of them (and count what
    /// it no longer holds). Replaces a save already running for it.
    pub fn start_saving(
        &mut self,
        id: SocketId,
        path: &std::path::Path,
        with_log: bool,
    ) -> std::io::Result<()> {
        let mut first = Vec::new();
        if with_log {
            for e in self.log.entries() {
                if e.socket == id && e.kind == EntryKind::Received {
                    first.extend_from_slice(&e.payload);
                }
            }
        }
        let mut saving = save::Saving::start(path, first)?;
        if with_log {
            let received = self.sessions.get(&id).map_or(0, |s| s.counters.bytes_in);
            saving.missed = received.saturating_sub(saving.from_log);
        }
        if let Some(mut old) = self.saving.insert(id, saving) {
            old.finish();
        }
        Ok(())
    }

    /// Stops saving socket `id`'s bytes (the file keeps what was written).
    pub fn stop_saving(&mut self, id: SocketId) {
        if let Some(s) = self.saving.get_mut(&id) {
            s.finish();
        }
    }

    /// The received chunks to hand to save files (see [`Model::to_save`]).
    pub(crate) fn take_saves(&mut self) -> Vec<(crossbeam_channel::Sender<Vec<u8>>, Vec<u8>)> {
        std::mem::take(&mut self.to_save)
    }

    /// Ends every save; returns their writer threads, to join once the
    /// pump has handed over the last chunks.
    pub fn finish_saving(&mut self) -> Vec<std::thread::JoinHandle<()>> {
        self.saving
            .values_mut()
            .filter_map(save::Saving::finish)
            .collect()
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
                datagram_len,
            } => {
                if let Some(tx) = self.saving.get(&id).and_then(save::Saving::sender) {
                    self.to_save.push((tx.clone(), bytes.clone()));
                }
                let mut chunk = ChunkText::default();
                let mut session = session;
                let len = bytes.len();
                let parent = session.as_deref().and_then(|s| s.parent);
                self.stats.traffic(id, parent, time, len, true);
                if let Some(s) = session.as_deref_mut() {
                    s.counters.bytes_in += len as u64;
                    s.counters.msgs_in += 1;
                    let size = s.recv_size;
                    s.lesson.push(LessonLine::Recv {
                        n: len,
                        size,
                        from: from.clone(),
                    });
                    let stream = s.kind.is_stream();
                    s.lesson.keep_received(&bytes, from.as_ref(), stream);
                    if truncated {
                        s.truncated += 1;
                    }
                    if s.kind.is_stream() {
                        chunk = s.splitter.push(&bytes);
                    }
                }
                let peer = self.log.peer_ref(from.as_ref());
                let row = self.log.push(LogEntry {
                    time_us: unix_us(time),
                    socket: id.into(),
                    payload: bytes.into_boxed_slice(),
                    peer,
                    kind: EntryKind::Received,
                    truncated,
                    chunk,
                });
                if let Some(s) = session {
                    if s.kind.is_stream() {
                        s.lab.received(len, row);
                    } else {
                        s.lab
                            .datagram_in(len, from.as_ref(), truncated, datagram_len);
                    }
                }
            }
            EventKind::Sent { bytes, to } => {
                let parent = session.as_deref().and_then(|s| s.parent);
                self.stats.traffic(id, parent, time, bytes.len(), false);
                if let Some(s) = session {
                    s.counters.bytes_out += bytes.len() as u64;
                    s.counters.msgs_out += 1;
                    s.lesson.push(LessonLine::Send {
                        n: bytes.len(),
                        to: to.clone(),
                    });
                    s.lesson.keep_sent(&bytes, to.as_ref());
                    if s.kind.is_stream() {
                        s.lab.sent(bytes.len());
                    } else {
                        s.lab.datagram_out(bytes.len(), to.as_ref());
                    }
                }
                let peer = self.log.peer_ref(to.as_ref());
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
                let note = Note::Resolving(host.into());
                self.log
                    .push_note(time, id, EntryKind::Resolving, None, note);
            }
            EventKind::Connecting { peer } => {
                if let Some(s) = session {
                    s.state = SessionState::Connecting(peer.clone());
                }
                let peer_ref = Some(&peer);
                self.log.push_note(
                    time,
                    id,
                    EntryKind::Connecting,
                    peer_ref,
                    Note::Connecting(peer.clone()),
                );
            }
            EventKind::Reconnecting { attempt, after } => {
                if let Some(s) = session {
                    s.state = SessionState::Reconnecting { attempt, after };
                    s.reconnects = s.reconnects.saturating_add(1);
                    s.write_shut = false;
                    s.peer_closed = false;
                }
                self.log.push_note(
                    time,
                    id,
                    EntryKind::Reconnecting,
                    None,
                    Note::Reconnecting { attempt, after },
                );
            }
            EventKind::Connected { local, peer } => {
                if let Some(s) = session {
                    s.state = SessionState::Connected;
                    s.local = Some(local.clone());
                    s.peer = Some(peer.clone());
                }
                let note = Note::Connected(local);
                self.log
                    .push_note(time, id, EntryKind::Connected, Some(&peer), note);
            }
            EventKind::Listening { local, backlog } => {
                if let Some(s) = session {
                    s.state = SessionState::Listening;
                    s.local = Some(local.clone());
                    s.backlog = Some(backlog);
                }
                let note = Note::Listening { local, backlog };
                self.log
                    .push_note(time, id, EntryKind::Listening, None, note);
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
                let kind = self
                    .sessions
                    .get(&parent)
                    .map_or(SocketKind::TcpAccepted, |p| p.kind.accepted());
                let mut s = Session::new(id, kind, format!("accepted by {parent}"), encoding);
                s.state = SessionState::Connected;
                s.local = Some(local.clone());
                s.peer = Some(peer.clone());
                s.parent = Some(parent);
                // The engine gives a new connection its listener's
                // settings: so does the model, so every control shows what
                // the connection really does.
                if let Some(p) = self.sessions.get(&parent) {
                    s.recv_size = p.recv_size;
                    s.recv_size_chosen = p.recv_size_chosen;
                    s.close_on_peer_close = p.close_on_peer_close;
                }
                self.sessions.insert(id, Box::new(s));
                if let Some(p) = self.sessions.get_mut(&parent) {
                    p.children.push(id);
                }
                self.log.extend_filter(parent, id);
                let note = Note::Accepted { parent, local };
                self.log
                    .push_note(time, id, EntryKind::Accepted, Some(&peer), note);
            }
            EventKind::Bound {
                local,
                rcvbuf_bytes,
                drop_counting,
            } => {
                if let Some(s) = session {
                    s.state = SessionState::Bound;
                    s.local = Some(local.clone());
                    s.rcvbuf_bytes = Some(rcvbuf_bytes);
                    s.drop_counting = drop_counting;
                }
                let note = Note::Bound(Box::new(note::Bound {
                    local,
                    rcvbuf_bytes,
                    drop_counting,
                }));
                self.log.push_note(time, id, EntryKind::Bound, None, note);
            }
            EventKind::KernelDrops { total } => {
                if let Some(s) = session {
                    s.kernel_drops = total;
                }
                self.log.push_note(
                    time,
                    id,
                    EntryKind::KernelDrops,
                    None,
                    Note::KernelDrops(total),
                );
            }
            EventKind::Call { call, result } => {
                if let Some(s) = session {
                    s.lesson.push(LessonLine::Call {
                        call,
                        result: result.map_err(Box::new),
                    });
                }
            }
            EventKind::Configured(option) => {
                if let Some(s) = session {
                    match option {
                        SockOption::RecvSize(n) => {
                            s.recv_size = n;
                            s.recv_size_chosen = true;
                        }
                        SockOption::NoDelay(on) => s.nodelay = Some(on),
                        SockOption::CloseOnPeerClose(on) => s.close_on_peer_close = on,
                    }
                }
                self.log.push_note(
                    time,
                    id,
                    EntryKind::Configured,
                    None,
                    Note::Configured(option),
                );
            }
            EventKind::Periodic(status) => {
                let first = session
                    .as_ref()
                    .is_none_or(|s| s.periodic_in(status.slot).is_none_or(|p| !p.running));
                if let Some(s) = session {
                    match s.periodic.iter_mut().find(|p| p.slot == status.slot) {
                        Some(p) => *p = status,
                        None => s.periodic.push(status),
                    }
                }
                let note = if !status.running {
                    Some(Note::PeriodicEnded(Box::new(status)))
                } else if first && status.slot == crate::quick::SLOW_SLOT {
                    Some(Note::SlowStarted(status.every))
                } else if first {
                    Some(Note::PeriodicStarted(status.every))
                } else {
                    None
                };
                if let Some(note) = note {
                    self.log
                        .push_note(time, id, EntryKind::Configured, None, note);
                }
            }
            EventKind::Writable { .. } => {}
            EventKind::Reading { on, paused_for } => {
                if let Some(s) = session {
                    s.reading_paused = !on;
                }
                let note = Note::Reading { on, paused_for };
                self.log
                    .push_note(time, id, EntryKind::Configured, None, note);
            }
            EventKind::PortState(sockets) => {
                if let Some(s) = session {
                    s.port_state = Some((time, sockets));
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
                    let size = s.recv_size;
                    s.lesson.push(LessonLine::RecvEof { size });
                    s.peer.clone()
                });
                self.log.push_note(
                    time,
                    id,
                    EntryKind::PeerClosed,
                    peer.as_ref(),
                    Note::PeerClosed,
                );
            }
            EventKind::WriteShutdown => {
                if let Some(s) = session {
                    s.write_shut = true;
                }
                self.log.push_note(
                    time,
                    id,
                    EntryKind::WriteShutdown,
                    None,
                    Note::WriteShutdown,
                );
            }
            EventKind::FileProgress { sent, total } => {
                let mut started = None;
                if let Some(f) = session.and_then(|s| s.file.as_mut()) {
                    f.sent = sent;
                    f.total = total;
                    if !f.started {
                        f.started = true;
                        started = Some(f.name.clone());
                    }
                }
                if let Some(name) = started {
                    let note = Note::FileStarted {
                        name: name.into(),
                        total,
                    };
                    self.log.push_note(time, id, EntryKind::File, None, note);
                }
            }
            EventKind::FileDone { sent, total, end } => {
                let mut name = String::new();
                if let Some(f) = session.and_then(|s| s.file.as_mut()) {
                    f.sent = sent;
                    f.total = total;
                    f.started = true;
                    f.end = Some(end.clone());
                    name = f.name.clone();
                }
                let note = Note::FileEnded(Box::new(note::FileEnded {
                    name,
                    sent,
                    total,
                    end,
                }));
                self.log.push_note(time, id, EntryKind::File, None, note);
            }
            EventKind::Failed(e) => {
                if let Some(s) = session {
                    s.last_error = Some(e.clone());
                    // A file the engine could not begin to send.
                    let refused_file = e.op == crate::engine::NetOp::OpenFile
                        || matches!(e.why, crate::engine::Why::FileToListener);
                    if refused_file
                        && let Some(f) = s.file.as_mut()
                        && !f.started
                    {
                        f.end = Some(crate::engine::FileEnd::Failed(e.clone()));
                    }
                }
                self.log
                    .push_note(time, id, EntryKind::Failed, None, Note::Failed(Box::new(e)));
            }
            EventKind::Closed {
                reason,
                unsent_bytes,
            } => {
                if let Some(s) = self.saving.get_mut(&id) {
                    s.close_input();
                }
                let mut leftover = Vec::new();
                let mut keep_in_order = false;
                if let Some(s) = session {
                    s.state = SessionState::Closed(reason.clone());
                    leftover = s.splitter.pending().to_vec();
                    keep_in_order = !s.kind.is_listener();
                }
                if keep_in_order {
                    self.note_closed(id);
                }
                let note = Note::Closed(Box::new(note::Closed {
                    reason,
                    unsent_bytes,
                    leftover: leftover.into_boxed_slice(),
                }));
                self.log.push_note(time, id, EntryKind::Closed, None, note);
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
        self.stats.forget(id);
        for c in children {
            if self.sessions.get(&c).is_some_and(|c| c.state.is_closed()) {
                self.sessions.remove(&c);
                self.stats.forget(c);
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
            s.compact(&mut self.last_closed_calls);
            let old = *old;
            self.stats.forget(old);
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
            .map(|s| &**s)
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
