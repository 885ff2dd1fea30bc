//! Events on their way out of the engine, in bounded batches: at most
//! [`BATCH_MAX_EVENTS`] events or [`BATCH_MAX_BYTES`] of payload each, over
//! a bounded channel. When the channel is full one batch is kept aside and
//! reading stops ([`Outbox::has_room`]) until the receiver catches up.

use std::time::{Duration, SystemTime};

use crossbeam_channel::{Sender, TrySendError};

use super::message::{Event, EventKind, SocketId};

/// A batch is handed over once it holds this many events...
const BATCH_MAX_EVENTS: usize = 4096;
/// ...or this many payload bytes.
pub(crate) const BATCH_MAX_BYTES: usize = 1024 * 1024;

/// Events on their way to the UI.
pub(crate) struct Outbox {
    tx: Sender<Vec<Event>>,
    batch: Vec<Event>,
    batch_bytes: usize,
    /// A full batch the channel had no room for.
    blocked: Option<Vec<Event>>,
    /// Whether anything was handed over since the last repaint request.
    handed_over: bool,
}

impl Outbox {
    /// Queues an event for the UI.
    pub(crate) fn emit(&mut self, id: SocketId, kind: EventKind) {
        if let EventKind::Received { bytes, .. } | EventKind::Sent { bytes, .. } = &kind {
            self.batch_bytes += bytes.len();
        }
        self.batch.push(Event {
            id,
            time: SystemTime::now(),
            kind,
        });
        if self.batch_full() && self.blocked.is_none() {
            self.blocked = Some(self.take_batch());
            self.flush();
        }
    }

    fn take_batch(&mut self) -> Vec<Event> {
        self.batch_bytes = 0;
        std::mem::replace(&mut self.batch, Vec::with_capacity(64))
    }

    fn batch_full(&self) -> bool {
        self.batch.len() >= BATCH_MAX_EVENTS || self.batch_bytes >= BATCH_MAX_BYTES
    }

    /// Whether reading more data is allowed (the UI is keeping up).
    pub(crate) fn has_room(&self) -> bool {
        !(self.blocked.is_some() && self.batch_full())
    }

    /// Hands what it can to the UI. Returns false when the UI is behind.
    pub(crate) fn flush(&mut self) -> bool {
        if let Some(b) = self.blocked.take()
            && !self.hand_over(b)
        {
            return false;
        }
        if self.batch.is_empty() {
            return true;
        }
        let b = self.take_batch();
        self.hand_over(b)
    }

    /// On shutdown: hands over the batch kept aside and the rest (the
    /// sockets' last words, their `Closed` among them), waiting up to
    /// `wait` for room for each: as long as the receiver keeps taking
    /// batches, nothing is left behind.
    pub(crate) fn deliver_rest(&mut self, wait: Duration) {
        let mut batches: Vec<Vec<Event>> = self.blocked.take().into_iter().collect();
        if !self.batch.is_empty() {
            batches.push(self.take_batch());
        }
        for b in batches {
            match self.tx.send_timeout(b, wait) {
                Ok(()) => self.handed_over = true,
                // Nobody took one in time, or nobody is there.
                Err(_) => return,
            }
        }
    }

    /// Sends one batch, or keeps it aside when the channel is full.
    fn hand_over(&mut self, batch: Vec<Event>) -> bool {
        match self.tx.try_send(batch) {
            Ok(()) => {
                self.handed_over = true;
                true
            }
            Err(TrySendError::Full(b)) => {
                self.blocked = Some(b);
                false
            }
            // The UI is gone; nobody will read these.
            Err(TrySendError::Disconnected(_)) => true,
        }
    }
}

impl Outbox {
    /// An outbox over `tx`.
    pub(crate) fn new(tx: Sender<Vec<Event>>) -> Self {
        Outbox {
            tx,
            batch: Vec::with_capacity(64),
            batch_bytes: 0,
            blocked: None,
            handed_over: false,
        }
    }

    /// Whether a full batch waits for room in the channel.
    pub(crate) fn is_blocked(&self) -> bool {
        self.blocked.is_some()
    }

    /// Whether anything was handed over since the last call.
    pub(crate) fn take_handed_over(&mut self) -> bool {
        std::mem::take(&mut self.handed_over)
    }
}
