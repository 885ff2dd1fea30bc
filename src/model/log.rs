//! The traffic log: one compact entry per event, kept under a byte cap.
//! Evicting the oldest entries is counted, never silent. Entries are
//! decoded for display only when drawn (the view is virtualised), so a
//! million rows cost their payload plus a few dozen bytes each. A row that
//! is not traffic keeps its message as data (a [`Note`], in a side table)
//! and is put into words when drawn, in the language of the moment.

use crate::engine::Addr;
use std::collections::{HashMap, VecDeque};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::codec::text::ChunkText;
use crate::engine::SocketId;
use crate::i18n::tr;
use crate::model::note::Note;

/// The default byte cap of the log.
pub const DEFAULT_LOG_CAP_BYTES: usize = 256 * 1024 * 1024;

/// What a log row records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EntryKind {
    /// The socket was asked for (the spec is in the text).
    Opening,
    /// DNS lookup started.
    Resolving,
    /// A connect is in flight.
    Connecting,
    /// A client connected.
    Connected,
    /// A listener is listening.
    Listening,
    /// A connection was accepted.
    Accepted,
    /// A UDP socket is bound.
    Bound,
    /// Bytes went out.
    Sent,
    /// Bytes came in.
    Received,
    /// The kernel dropped datagrams.
    KernelDrops,
    /// The peer closed (`recv()` returned 0).
    PeerClosed,
    /// We shut down our write side.
    WriteShutdown,
    /// Something failed.
    Failed,
    /// A setting changed (recv size, `TCP_NODELAY`, …).
    Configured,
    /// A client waits to connect again.
    Reconnecting,
    /// A file began or ended being sent.
    File,
    /// The socket closed.
    Closed,
}

impl EntryKind {
    /// A short word for the event column.
    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Opening => tr("open"),
            EntryKind::Resolving => tr("resolving"),
            EntryKind::Connecting => tr("connecting"),
            EntryKind::Connected => tr("connected"),
            EntryKind::Listening => tr("listening"),
            EntryKind::Accepted => tr("accepted"),
            EntryKind::Bound => tr("bound"),
            EntryKind::Sent => tr("sent"),
            EntryKind::Received => tr("received"),
            EntryKind::KernelDrops => tr("drops"),
            EntryKind::PeerClosed => tr("peer closed"),
            // shutdown(SHUT_WR): the call's name, as in the row's message.
            EntryKind::WriteShutdown => "shutdown",
            EntryKind::Failed => tr("failed"),
            EntryKind::Configured => tr("set"),
            EntryKind::Reconnecting => tr("reconnect"),
            EntryKind::File => tr("file"),
            EntryKind::Closed => tr("closed"),
        }
    }

    /// A stable English name (exports, captures).
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::Opening => "open",
            EntryKind::Resolving => "resolving",
            EntryKind::Connecting => "connecting",
            EntryKind::Connected => "connected",
            EntryKind::Listening => "listening",
            EntryKind::Accepted => "accepted",
            EntryKind::Bound => "bound",
            EntryKind::Sent => "sent",
            EntryKind::Received => "received",
            EntryKind::KernelDrops => "drops",
            EntryKind::PeerClosed => "peer_closed",
            EntryKind::WriteShutdown => "shutdown",
            EntryKind::Failed => "failed",
            EntryKind::Configured => "set",
            EntryKind::Reconnecting => "reconnect",
            EntryKind::File => "file",
            EntryKind::Closed => "closed",
        }
    }

    /// Whether the payload is traffic bytes (as opposed to a message).
    pub fn is_data(self) -> bool {
        matches!(self, EntryKind::Sent | EntryKind::Received)
    }

    /// The direction arrow: `→` out, `←` in, `·` otherwise.
    pub fn direction(self) -> &'static str {
        match self {
            EntryKind::Sent => "→",
            EntryKind::Received => "←",
            _ => "·",
        }
    }
}

/// An index into the log's table of peer addresses (`u32::MAX`: none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerRef(u32);

impl PeerRef {
    /// No peer.
    pub const NONE: PeerRef = PeerRef(u32::MAX);
}

/// A socket id kept in 4 bytes inside a log row. Ids are never reused and
/// count up from 1, so it takes four billion sockets in one run to reach the
/// limit; past it, rows show the last id (`#4294967295`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SocketRef(u32);

impl SocketRef {
    /// The full id.
    pub fn id(self) -> SocketId {
        SocketId(u64::from(self.0))
    }
}

impl From<SocketId> for SocketRef {
    fn from(id: SocketId) -> Self {
        SocketRef(u32::try_from(id.0).unwrap_or(u32::MAX))
    }
}

impl PartialEq<SocketId> for SocketRef {
    fn eq(&self, other: &SocketId) -> bool {
        self.id() == *other
    }
}

impl std::fmt::Display for SocketRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.id().fmt(f)
    }
}

/// One row. Kept small (40 bytes): this is multiplied by a million.
#[derive(Clone, Debug)]
pub struct LogEntry {
    /// Microseconds since the Unix epoch.
    pub time_us: u64,
    /// The socket.
    pub socket: SocketRef,
    /// Data bytes (for `Sent`/`Received`); empty otherwise (the row's
    /// [`Note`] is in the log's side table).
    pub payload: Box<[u8]>,
    /// The peer, interned.
    pub peer: PeerRef,
    /// What happened.
    pub kind: EntryKind,
    /// UDP: the datagram was truncated.
    pub truncated: bool,
    /// TCP text decoding across reads (see [`ChunkText`]).
    pub chunk: ChunkText,
}

impl LogEntry {
    /// Bytes this entry costs against the cap (a message row: with its note).
    pub fn cost(&self) -> usize {
        let note = if self.kind.is_data() {
            0
        } else {
            std::mem::size_of::<(u64, Note)>()
        };
        std::mem::size_of::<LogEntry>() + self.payload.len() + note
    }
}

/// Microseconds since the epoch for `t` (0 before 1970).
pub fn unix_us(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// What the log keeps: everything, or counts only (for floods).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Retention {
    /// Keep every entry with its payload.
    #[default]
    Everything,
    /// Keep control rows; count data rows without storing them.
    CountsOnly,
}

/// Peers the log interns before it first prunes those no row names.
const PEER_PRUNE_MIN: usize = 1024;

/// The log.
#[derive(Debug)]
pub struct TrafficLog {
    entries: VecDeque<LogEntry>,
    /// Absolute index of `entries[0]` (grows as entries are evicted).
    first_index: u64,
    bytes_used: usize,
    cap_bytes: usize,
    evicted_entries: u64,
    evicted_bytes: u64,
    /// Data rows not stored because of [`Retention::CountsOnly`].
    skipped_entries: u64,
    retention: Retention,
    peers: Vec<Addr>,
    peer_index: HashMap<Addr, u32>,
    /// The notes of the message rows, by absolute index, oldest first.
    notes: VecDeque<(u64, Note)>,
    /// The filter and the absolute indices of the rows that pass it.
    filter: Option<Filter>,
}

#[derive(Debug)]
struct Filter {
    sockets: Vec<SocketId>,
    rows: VecDeque<u64>,
}

impl Default for TrafficLog {
    fn default() -> Self {
        Self::new(DEFAULT_LOG_CAP_BYTES)
    }
}

impl TrafficLog {
    /// An empty log that keeps at most `cap_bytes`.
    pub fn new(cap_bytes: usize) -> Self {
        TrafficLog {
            entries: VecDeque::new(),
            first_index: 0,
            bytes_used: 0,
            cap_bytes,
            evicted_entries: 0,
            evicted_bytes: 0,
            skipped_entries: 0,
            retention: Retention::Everything,
            peers: Vec::new(),
            peer_index: HashMap::new(),
            notes: VecDeque::new(),
            filter: None,
        }
    }

    /// Interns a peer address.
    pub fn peer_ref(&mut self, addr: Option<&Addr>) -> PeerRef {
        let Some(addr) = addr else {
            return PeerRef::NONE;
        };
        if let Some(&i) = self.peer_index.get(addr) {
            return PeerRef(i);
        }
        if self.peers.len() >= PEER_PRUNE_MIN.max(2 * self.entries.len()) {
            self.prune_peers();
        }
        let Ok(i) = u32::try_from(self.peers.len()) else {
            return PeerRef::NONE;
        };
        if i == u32::MAX {
            return PeerRef::NONE;
        }
        self.peers.push(addr.clone());
        self.peer_index.insert(addr.clone(), i);
        PeerRef(i)
    }

    /// Forgets the peers no kept row names and renumbers the rest, so the
    /// table follows the rows (a connection's peer goes when its last row
    /// does). Called when the table has grown to twice the rows, so its
    /// cost per new peer stays constant.
    fn prune_peers(&mut self) {
        let mut map: HashMap<u32, u32> = HashMap::new();
        let mut peers: Vec<Addr> = Vec::new();
        for e in &mut self.entries {
            if e.peer == PeerRef::NONE {
                continue;
            }
            let old = e.peer.0;
            let new = *map.entry(old).or_insert_with(|| {
                peers.push(self.peers[old as usize].clone());
                (peers.len() - 1) as u32
            });
            e.peer = PeerRef(new);
        }
        self.peer_index = peers
            .iter()
            .enumerate()
            .map(|(i, a)| (a.clone(), i as u32))
            .collect();
        self.peers = peers;
    }

    /// The address behind a [`PeerRef`].
    pub fn peer(&self, r: PeerRef) -> Option<&Addr> {
        self.peers.get(r.0 as usize)
    }

    /// Adds a row, evicting the oldest rows to stay under the cap. Returns
    /// its absolute index (see [`TrafficLog::get`]), or `None` when it was
    /// only counted ([`Retention::CountsOnly`]).
    pub fn push(&mut self, entry: LogEntry) -> Option<u64> {
        if self.retention == Retention::CountsOnly && entry.kind.is_data() {
            self.skipped_entries += 1;
            return None;
        }
        self.bytes_used += entry.cost();
        let index = self.first_index + self.entries.len() as u64;
        if let Some(f) = &mut self.filter
            && f.sockets.contains(&entry.socket.id())
        {
            f.rows.push_back(index);
        }
        self.entries.push_back(entry);
        self.evict_to_cap();
        Some(index)
    }

    /// The absolute index of the oldest row kept.
    pub fn first_index(&self) -> u64 {
        self.first_index
    }

    /// The row with absolute index `index`, if it is still kept.
    pub fn get(&self, index: u64) -> Option<&LogEntry> {
        let i = index.checked_sub(self.first_index)?;
        self.entries.get(usize::try_from(i).ok()?)
    }

    /// Adds a message row.
    pub fn push_note(
        &mut self,
        time: SystemTime,
        socket: SocketId,
        kind: EntryKind,
        peer: Option<&Addr>,
        note: Note,
    ) {
        debug_assert!(!kind.is_data());
        let peer = self.peer_ref(peer);
        let index = self.first_index + self.entries.len() as u64;
        // Before the row, so that evicting to the cap finds it.
        self.notes.push_back((index, note));
        let _ = self.push(LogEntry {
            time_us: unix_us(time),
            socket: socket.into(),
            payload: Box::default(),
            peer,
            kind,
            truncated: false,
            chunk: ChunkText::default(),
        });
    }

    /// The note of the message row with absolute index `index`.
    pub fn note(&self, index: u64) -> Option<&Note> {
        let i = self.notes.binary_search_by_key(&index, |(i, _)| *i).ok()?;
        self.notes.get(i).map(|(_, n)| n)
    }

    /// The message of a row in this thread's language (empty for traffic).
    pub fn message(&self, index: u64) -> String {
        self.note(index).map(Note::text).unwrap_or_default()
    }

    fn evict_to_cap(&mut self) {
        while self.bytes_used > self.cap_bytes && self.entries.len() > 1 {
            let Some(old) = self.entries.pop_front() else {
                break;
            };
            let cost = old.cost();
            self.bytes_used -= cost;
            self.evicted_entries += 1;
            self.evicted_bytes += cost as u64;
            self.first_index += 1;
        }
        while self
            .notes
            .front()
            .is_some_and(|(i, _)| *i < self.first_index)
        {
            self.notes.pop_front();
        }
        if let Some(f) = &mut self.filter {
            while f.rows.front().is_some_and(|&i| i < self.first_index) {
                f.rows.pop_front();
            }
        }
    }

    /// Removes every row (the counters of evictions restart too).
    pub fn clear(&mut self) {
        self.first_index += self.entries.len() as u64;
        self.entries.clear();
        self.notes.clear();
        self.bytes_used = 0;
        self.evicted_entries = 0;
        self.evicted_bytes = 0;
        self.skipped_entries = 0;
        if let Some(f) = &mut self.filter {
            f.rows.clear();
        }
    }

    /// Shows only rows of `sockets` (or everything with `None`).
    pub fn set_filter(&mut self, sockets: Option<Vec<SocketId>>) {
        self.filter = sockets.map(|sockets| {
            let rows = self
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| sockets.contains(&e.socket.id()))
                .map(|(i, _)| self.first_index + i as u64)
                .collect();
            Filter { sockets, rows }
        });
    }

    /// Adds a socket to the current filter (an accepted child of a filtered listener).
    pub fn extend_filter(&mut self, parent: SocketId, child: SocketId) {
        if let Some(f) = &mut self.filter
            && f.sockets.contains(&parent)
            && !f.sockets.contains(&child)
        {
            f.sockets.push(child);
        }
    }

    /// The sockets the filter shows, if filtering.
    pub fn filter(&self) -> Option<&[SocketId]> {
        self.filter.as_ref().map(|f| f.sockets.as_slice())
    }

    /// Number of rows visible under the filter.
    pub fn visible_len(&self) -> usize {
        match &self.filter {
            Some(f) => f.rows.len(),
            None => self.entries.len(),
        }
    }

    /// The absolute index of the `n`th visible row.
    pub fn visible_index(&self, n: usize) -> Option<u64> {
        match &self.filter {
            Some(f) => f.rows.get(n).copied(),
            None => (n < self.entries.len()).then(|| self.first_index + n as u64),
        }
    }

    /// The visible row number of absolute index `index`, if it shows.
    pub fn visible_row(&self, index: u64) -> Option<usize> {
        match &self.filter {
            Some(f) => f.rows.binary_search(&index).ok(),
            None => {
                let n = usize::try_from(index.checked_sub(self.first_index)?).ok()?;
                (n < self.entries.len()).then_some(n)
            }
        }
    }

    /// The next data row after `index` of the same socket and direction
    /// (looking at most `within` rows ahead): where a character a row
    /// began is finished.
    pub fn next_of_stream(&self, index: u64, within: usize) -> Option<&LogEntry> {
        let e = self.get(index)?;
        (1..=within as u64)
            .map_while(|k| self.get(index + k))
            .find(|n| n.socket == e.socket && n.kind == e.kind)
    }

    /// The `n`th visible row.
    pub fn visible(&self, n: usize) -> Option<&LogEntry> {
        match &self.filter {
            Some(f) => {
                let abs = *f.rows.get(n)?;
                self.entries
                    .get(usize::try_from(abs.checked_sub(self.first_index)?).ok()?)
            }
            None => self.entries.get(n),
        }
    }

    /// All rows kept, oldest first.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &LogEntry> + ExactSizeIterator {
        self.entries.iter()
    }

    /// Rows kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no rows are kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes counted against the cap.
    pub fn bytes_used(&self) -> usize {
        self.bytes_used
    }

    /// The cap.
    pub fn cap_bytes(&self) -> usize {
        self.cap_bytes
    }

    /// Changes the cap (evicting at once if needed).
    pub fn set_cap_bytes(&mut self, cap: usize) {
        self.cap_bytes = cap;
        self.evict_to_cap();
    }

    /// Rows evicted to stay under the cap.
    pub fn evicted_entries(&self) -> u64 {
        self.evicted_entries
    }

    /// Bytes evicted to stay under the cap.
    pub fn evicted_bytes(&self) -> u64 {
        self.evicted_bytes
    }

    /// Data rows counted but not stored.
    pub fn skipped_entries(&self) -> u64 {
        self.skipped_entries
    }

    /// What is kept.
    pub fn retention(&self) -> Retention {
        self.retention
    }

    /// Sets what is kept from now on.
    pub fn set_retention(&mut self, r: Retention) {
        self.retention = r;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(socket: u64, n: usize) -> LogEntry {
        LogEntry {
            time_us: 1,
            socket: SocketId(socket).into(),
            payload: vec![b'x'; n].into_boxed_slice(),
            peer: PeerRef::NONE,
            kind: EntryKind::Received,
            truncated: false,
            chunk: ChunkText::default(),
        }
    }

    #[test]
    fn entry_overhead_is_small() {
        assert!(
            std::mem::size_of::<LogEntry>() <= 40,
            "{}",
            std::mem::size_of::<LogEntry>()
        );
    }

    #[test]
    fn evicts_oldest_and_counts() {
        let per = data(1, 100).cost();
        let mut log = TrafficLog::new(per * 10);
        for _ in 0..25 {
            log.push(data(1, 100));
        }
        assert_eq!(log.len(), 10);
        assert_eq!(log.evicted_entries(), 15);
        assert!(log.bytes_used() <= log.cap_bytes());
    }

    #[test]
    fn filter_follows_evictions() {
        let per = data(1, 10).cost();
        let mut log = TrafficLog::new(per * 4);
        log.set_filter(Some(vec![SocketId(2)]));
        for i in 0..10 {
            log.push(data(1 + i % 2, 10));
        }
        assert_eq!(log.len(), 4);
        assert_eq!(log.visible_len(), 2);
        assert!(
            (0..log.visible_len())
                .all(|n| log.visible(n).map(|e| e.socket.id()) == Some(SocketId(2)))
        );
        log.set_filter(None);
        assert_eq!(log.visible_len(), 4);
    }

    #[test]
    fn counts_only_skips_data() {
        let mut log = TrafficLog::new(1 << 20);
        log.set_retention(Retention::CountsOnly);
        log.push(data(1, 10));
        log.push_note(
            SystemTime::now(),
            SocketId(1),
            EntryKind::PeerClosed,
            None,
            Note::PeerClosed,
        );
        assert_eq!(log.len(), 1);
        assert_eq!(log.skipped_entries(), 1);
        let index = log.visible_index(0).unwrap();
        assert_eq!(log.message(index), "peer closed its side (recv returned 0)");
    }

    #[test]
    fn notes_are_evicted_with_their_rows_and_rendered_in_the_current_language() {
        let per = data(1, 10).cost();
        let mut log = TrafficLog::new(per * 6);
        for i in 0..20 {
            log.push(data(1, 10));
            log.push_note(
                SystemTime::now(),
                SocketId(1),
                EntryKind::KernelDrops,
                None,
                Note::KernelDrops(i),
            );
        }
        assert!(log.notes.len() <= log.len());
        assert!(log.notes.iter().all(|(i, _)| *i >= log.first_index));
        let last = log.first_index + log.len() as u64 - 1;
        assert!(
            log.message(last).contains("19 datagram"),
            "{}",
            log.message(last)
        );
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
        let zh = log.message(last);
        crate::i18n::set_lang(crate::i18n::Lang::En);
        assert!(!zh.contains("datagram"), "{zh}");
        log.clear();
        assert!(log.notes.is_empty());
    }

    #[test]
    fn peers_are_interned() {
        let mut log = TrafficLog::default();
        let a: Addr = "127.0.0.1:1"
            .parse::<std::net::SocketAddr>()
            .unwrap()
            .into();
        let r1 = log.peer_ref(Some(&a));
        let r2 = log.peer_ref(Some(&a));
        assert_eq!(r1, r2);
        assert_eq!(log.peer(r1), Some(&a));
        assert_eq!(log.peer(PeerRef::NONE), None);
    }

    #[test]
    fn the_peer_table_follows_the_rows() {
        let mut log = TrafficLog::new(4096);
        for port in 1..=20_000u16 {
            let a: Addr = std::net::SocketAddr::from(([127, 0, 0, 1], port)).into();
            let peer = log.peer_ref(Some(&a));
            let _ = log.push(LogEntry {
                time_us: 0,
                socket: SocketId(1).into(),
                payload: port.to_be_bytes().to_vec().into_boxed_slice(),
                peer,
                kind: EntryKind::Received,
                truncated: false,
                chunk: ChunkText::default(),
            });
        }
        assert!(log.peers.len() <= PEER_PRUNE_MIN.max(2 * log.len()) + 1);
        assert_eq!(log.peers.len(), log.peer_index.len());
        for i in log.first_index..log.first_index + log.len() as u64 {
            let e = log.get(i).unwrap();
            let port = u16::from_be_bytes([e.payload[0], e.payload[1]]);
            assert_eq!(
                log.peer(e.peer).and_then(Addr::ip).map(|a| a.port()),
                Some(port)
            );
        }
    }
}
