//! The engine's one timer queue: deadlines for sockets (a connect that
//! gives up, an `accept()` retried after the process ran out of
//! descriptors, the next tick of a periodic send, a delayed reply, the end
//! of a timed pause…), in time order. The poll loop sleeps until the
//! earliest.
//!
//! A timer is never removed early: each has a key, the socket remembers the
//! key of the timer it still wants, and a timer whose key the socket no
//! longer holds is ignored when it fires (cheap cancellation).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

use super::message::SocketId;

/// Identifies one scheduled timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct TimerKey(u64);

/// What a timer is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum TimerKind {
    /// A TCP connect in flight gives up.
    ConnectTimeout,
    /// A listener tries `accept()` again (after `EMFILE` and the like).
    AcceptRetry,
    /// The next tick of one of a socket's periodic sends (its slot).
    Periodic(u32),
    /// A reply of a receive hook, sent after its delay.
    Reply,
    /// A timed pause of reading ends.
    ResumeReading,
    /// A reconnecting client connects again.
    Reconnect,
    /// A file's next datagram is due.
    FileGap,
}

/// A timer that is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Due {
    /// The timer's key (compare with the one the socket holds).
    pub(crate) key: TimerKey,
    /// The socket it is for.
    pub(crate) id: SocketId,
    /// What it is for.
    pub(crate) kind: TimerKind,
}

/// Timers in deadline order (ties in the order they were set).
#[derive(Debug, Default)]
pub(crate) struct Timers {
    heap: BinaryHeap<Reverse<(Instant, TimerKey, SocketId, TimerKind)>>,
    next_key: u64,
}

impl Timers {
    /// Sets a timer for socket `id` at `at`; returns its key.
    pub(crate) fn schedule(&mut self, at: Instant, id: SocketId, kind: TimerKind) -> TimerKey {
        self.next_key += 1;
        let key = TimerKey(self.next_key);
        self.heap.push(Reverse((at, key, id, kind)));
        key
    }

    /// The earliest deadline, if any timer is set.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, ..))| *at)
    }

    /// Takes the earliest timer if it is due at `now`.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<Due> {
        match self.heap.peek() {
            Some(Reverse((at, ..))) if *at <= now => {
                let Reverse((_, key, id, kind)) = self.heap.pop()?;
                Some(Due { key, id, kind })
            }
            _ => None,
        }
    }

    /// How many timers are set (stale ones included).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timers_fire_in_deadline_order_and_ties_in_the_order_set() {
        let mut t = Timers::default();
        let now = Instant::now();
        let later = t.schedule(
            now + Duration::from_millis(20),
            SocketId(1),
            TimerKind::AcceptRetry,
        );
        let first = t.schedule(now, SocketId(2), TimerKind::ConnectTimeout);
        let tie = t.schedule(now, SocketId(3), TimerKind::ConnectTimeout);
        assert_eq!(t.next_deadline(), Some(now));
        assert_eq!(t.pop_due(now).map(|d| d.key), Some(first));
        assert_eq!(
            t.pop_due(now).map(|d| (d.key, d.id)),
            Some((tie, SocketId(3)))
        );
        assert_eq!(t.pop_due(now), None, "not due yet");
        assert_eq!(t.len(), 1);
        let due = t.pop_due(now + Duration::from_millis(20)).unwrap();
        assert_eq!((due.key, due.kind), (later, TimerKind::AcceptRetry));
        assert_eq!(t.next_deadline(), None);
    }
}
