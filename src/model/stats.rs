//! Traffic statistics: bytes and messages a second, in and out, per socket
//! (a listener's sum its connections) and in total, over the last minutes;
//! and round trips — a send, then the next receive on that socket — with
//! their percentiles. Folded from the same events as the log, by the event's
//! own time (the engine's clock), never by the frame's.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime};

use crate::engine::SocketId;

/// Seconds of history kept for each socket.
pub const SOCKET_SECONDS: usize = 60;
/// Seconds of history kept for all sockets together.
pub const TOTAL_SECONDS: usize = 600;
/// Round trips kept per socket (the newest).
pub const RTT_SAMPLES: usize = 4096;

/// One second's traffic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bucket {
    /// Bytes received.
    pub bytes_in: u64,
    /// Bytes sent.
    pub bytes_out: u64,
    /// Reads (TCP) or datagrams received.
    pub msgs_in: u32,
    /// Sends.
    pub msgs_out: u32,
}

/// Traffic by whole second (Unix time), the newest `cap` seconds.
#[derive(Clone, Debug)]
pub struct Series {
    /// The Unix second of `buckets[0]`.
    first: u64,
    buckets: VecDeque<Bucket>,
    cap: usize,
}

impl Series {
    /// An empty series keeping `cap` seconds.
    pub fn new(cap: usize) -> Self {
        Series {
            first: 0,
            buckets: VecDeque::new(),
            cap,
        }
    }

    /// The bucket of Unix second `sec` (older than kept: `None`).
    fn at(&mut self, sec: u64) -> Option<&mut Bucket> {
        if self.buckets.is_empty() {
            self.first = sec;
        }
        if sec < self.first {
            return None;
        }
        let end = self.first + self.buckets.len() as u64;
        if sec >= end {
            // A long silence: start afresh rather than fill it in.
            if sec - end >= self.cap as u64 {
                self.buckets.clear();
                self.first = sec;
            }
            while self.first + self.buckets.len() as u64 <= sec {
                self.buckets.push_back(Bucket::default());
            }
            while self.buckets.len() > self.cap {
                self.buckets.pop_front();
                self.first += 1;
            }
        }
        self.buckets.get_mut((sec - self.first) as usize)
    }

    /// Counts `n` bytes in or out at `sec`.
    pub fn add(&mut self, sec: u64, n: usize, incoming: bool) {
        if let Some(b) = self.at(sec) {
            if incoming {
                b.bytes_in += n as u64;
                b.msgs_in = b.msgs_in.saturating_add(1);
            } else {
                b.bytes_out += n as u64;
                b.msgs_out = b.msgs_out.saturating_add(1);
            }
        }
    }

    /// The seconds kept, oldest first, with their Unix second.
    pub fn seconds(&self) -> impl Iterator<Item = (u64, &Bucket)> {
        self.buckets
            .iter()
            .enumerate()
            .map(|(i, b)| (self.first + i as u64, b))
    }

    /// The bucket of Unix second `sec`, if kept (a second with no
    /// traffic inside the kept range is all zeros).
    pub fn get(&self, sec: u64) -> Option<Bucket> {
        let i = sec.checked_sub(self.first)?;
        self.buckets.get(usize::try_from(i).ok()?).copied()
    }
}

/// A socket's round trips: a send, then its next receive.
#[derive(Clone, Debug, Default)]
pub struct RoundTrips {
    /// When the send that waits for an answer went out.
    pending: Option<SystemTime>,
    /// The newest round trips, in microseconds.
    samples: VecDeque<u64>,
    /// Round trips measured in all.
    pub count: u64,
}

/// Percentiles of a socket's round trips.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Percentiles {
    /// The samples they were taken from.
    pub n: usize,
    /// The median.
    pub p50: Duration,
    /// The 95th percentile.
    pub p95: Duration,
    /// The 99th percentile.
    pub p99: Duration,
    /// The largest.
    pub max: Duration,
}

impl RoundTrips {
    fn sent(&mut self, at: SystemTime) {
        // The first send of a request starts the clock; more sends before
        // the answer belong to the same request.
        self.pending.get_or_insert(at);
    }

    fn received(&mut self, at: SystemTime) {
        let Some(sent) = self.pending.take() else {
            return;
        };
        let us = at.duration_since(sent).unwrap_or_default().as_micros();
        if self.samples.len() == RTT_SAMPLES {
            self.samples.pop_front();
        }
        self.samples
            .push_back(u64::try_from(us).unwrap_or(u64::MAX));
        self.count += 1;
    }

    /// The percentiles of the newest samples (`None`: none yet), by the
    /// nearest-rank method.
    pub fn percentiles(&self) -> Option<Percentiles> {
        if self.samples.is_empty() {
            return None;
        }
        let mut v: Vec<u64> = self.samples.iter().copied().collect();
        v.sort_unstable();
        let rank = |p: f64| {
            let i = ((p / 100.0) * v.len() as f64).ceil() as usize;
            Duration::from_micros(v[i.clamp(1, v.len()) - 1])
        };
        Some(Percentiles {
            n: v.len(),
            p50: rank(50.0),
            p95: rank(95.0),
            p99: rank(99.0),
            max: Duration::from_micros(v[v.len() - 1]),
        })
    }
}

/// Every socket's statistics and the total.
#[derive(Debug)]
pub struct Stats {
    /// All sockets together.
    pub total: Series,
    /// Each socket's (a listener's: its connections').
    pub sockets: HashMap<SocketId, Series>,
    /// Each socket's round trips.
    pub round_trips: HashMap<SocketId, RoundTrips>,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            total: Series::new(TOTAL_SECONDS),
            sockets: HashMap::new(),
            round_trips: HashMap::new(),
        }
    }
}

/// The Unix second of `t`.
pub fn unix_sec(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Stats {
    /// Counts a receive (`incoming`) or a send of `n` bytes on socket `id`
    /// (and on its listener, `parent`) at `time`.
    pub fn traffic(
        &mut self,
        id: SocketId,
        parent: Option<SocketId>,
        time: SystemTime,
        n: usize,
        incoming: bool,
    ) {
        let sec = unix_sec(time);
        self.total.add(sec, n, incoming);
        for s in std::iter::once(id).chain(parent) {
            self.sockets
                .entry(s)
                .or_insert_with(|| Series::new(SOCKET_SECONDS))
                .add(sec, n, incoming);
        }
        let rt = self.round_trips.entry(id).or_default();
        if incoming {
            rt.received(time);
        } else {
            rt.sent(time);
        }
    }

    /// Forgets a socket removed from the model.
    pub fn forget(&mut self, id: SocketId) {
        self.sockets.remove(&id);
        self.round_trips.remove(&id);
    }

    /// The round trips of socket `id` and, for a listener, of each of
    /// `children`, together.
    pub fn percentiles(&self, id: SocketId, children: &[SocketId]) -> Option<Percentiles> {
        if children.is_empty() {
            return self.round_trips.get(&id)?.percentiles();
        }
        let mut all = RoundTrips::default();
        for c in children {
            if let Some(rt) = self.round_trips.get(c) {
                all.samples.extend(rt.samples.iter().copied());
                all.count += rt.count;
            }
        }
        all.percentiles()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(s: u64, ms: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(s) + Duration::from_millis(ms)
    }

    #[test]
    fn traffic_falls_in_its_second_and_old_seconds_go() {
        let mut s = Series::new(3);
        s.add(100, 10, true);
        s.add(100, 5, false);
        s.add(102, 7, true);
        assert_eq!(s.get(100).unwrap().bytes_in, 10);
        assert_eq!(s.get(100).unwrap().msgs_out, 1);
        assert_eq!(s.get(101), Some(Bucket::default()));
        s.add(103, 1, true);
        assert_eq!(s.get(100), None, "only three seconds are kept");
        assert_eq!(s.seconds().count(), 3);
        // Late traffic for a second no longer kept is not counted anywhere.
        s.add(99, 1, true);
        assert_eq!(s.seconds().map(|(_, b)| b.bytes_in).sum::<u64>(), 8);
        // A long silence starts afresh.
        s.add(10_000, 2, true);
        assert_eq!(s.seconds().count(), 1);
    }

    #[test]
    fn a_round_trip_is_a_send_to_the_next_receive() {
        let mut st = Stats::default();
        let id = SocketId(1);
        // A receive with no send before it is not a round trip.
        st.traffic(id, None, at(1, 0), 3, true);
        for i in 0..100u64 {
            st.traffic(id, None, at(2 + i, 0), 4, false);
            st.traffic(id, None, at(2 + i, 1), 4, false);
            st.traffic(id, None, at(2 + i, 1 + i), 4, true);
            st.traffic(id, None, at(2 + i, 500), 4, true);
        }
        let p = st.percentiles(id, &[]).unwrap();
        assert_eq!(p.n, 100);
        // The clock starts at the first send: 1..=100 ms.
        assert_eq!(p.p50, Duration::from_millis(50));
        assert_eq!(p.p95, Duration::from_millis(95));
        assert_eq!(p.p99, Duration::from_millis(99));
        assert_eq!(p.max, Duration::from_millis(100));
        assert_eq!(st.percentiles(SocketId(7), &[id]).unwrap().n, 100);
    }

    #[test]
    fn a_listener_sums_its_connections() {
        let mut st = Stats::default();
        st.traffic(SocketId(2), Some(SocketId(1)), at(5, 0), 10, true);
        st.traffic(SocketId(3), Some(SocketId(1)), at(5, 10), 20, true);
        assert_eq!(st.sockets[&SocketId(1)].get(5).unwrap().bytes_in, 30);
        assert_eq!(st.sockets[&SocketId(2)].get(5).unwrap().bytes_in, 10);
        assert_eq!(st.total.get(5).unwrap().msgs_in, 2);
    }
}
