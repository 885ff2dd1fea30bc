//! Periodic sends, timed by the engine's timer queue: a payload sent every
//! N ms (1 ms at least), a number of times or until stopped, to a
//! connection, every client of a listener, or a UDP destination. The ticks
//! keep to a fixed grid (start + k × period): a late tick is sent once and
//! the ticks it overran are counted as missed, never sent in a burst.

use super::addr::Addr;
use std::time::{Duration, Instant};

use super::message::{EventKind, MAX_SEND_QUEUE_BYTES, PeriodicStatus, PeriodicStop, SocketId};
use super::reactor::{Reactor, Sock};
use super::timer::{TimerKey, TimerKind};

/// The shortest period.
pub const MIN_PERIOD: Duration = Duration::from_millis(1);
/// How often a running periodic send reports where it stands.
const REPORT_EVERY: Duration = Duration::from_secs(1);

/// One socket's periodic send.
pub(crate) struct Periodic {
    bytes: Vec<u8>,
    to: Option<Addr>,
    every: Duration,
    count: Option<u64>,
    start: Instant,
    /// The index of the next tick on the grid.
    next: u64,
    sent: u64,
    missed: u64,
    pub(crate) timer: TimerKey,
    last_report: Instant,
}

impl Periodic {
    fn status(&self, running: bool, stopped: Option<PeriodicStop>) -> PeriodicStatus {
        PeriodicStatus {
            every: self.every,
            count: self.count,
            sent: self.sent,
            missed: self.missed,
            elapsed: self.start.elapsed(),
            running,
            stopped,
        }
    }

    fn due(&self, tick: u64) -> Instant {
        self.start
            + self
                .every
                .saturating_mul(u32::try_from(tick).unwrap_or(u32::MAX))
    }
}

/// Starts (or restarts) the periodic send of socket `id`; the first send
/// goes at once.
pub(crate) fn start(
    r: &mut Reactor,
    id: SocketId,
    bytes: Vec<u8>,
    to: Option<Addr>,
    every: Duration,
    count: Option<u64>,
) {
    if !r.sockets.contains_key(&id) {
        return;
    }
    let every = every.max(MIN_PERIOD);
    let now = Instant::now();
    let timer = r.timers.schedule(now, id, TimerKind::Periodic);
    let p = Periodic {
        bytes,
        to,
        every,
        count,
        start: now,
        next: 0,
        sent: 0,
        missed: 0,
        timer,
        last_report: now,
    };
    r.out.emit(id, EventKind::Periodic(p.status(true, None)));
    r.periodic.insert(id, p);
}

/// Stops the periodic send of socket `id`, saying why.
pub(crate) fn stop(r: &mut Reactor, id: SocketId, why: PeriodicStop) {
    if let Some(p) = r.periodic.remove(&id) {
        r.out
            .emit(id, EventKind::Periodic(p.status(false, Some(why))));
    }
}

/// Whether socket `id` can take a send now.
fn can_send(r: &Reactor, id: SocketId, to: Option<&Addr>) -> Result<(), PeriodicStop> {
    match r.sockets.get(&id) {
        Some(Sock::Stream(s)) if s.can_send() => Ok(()),
        Some(Sock::Listener(l)) if !l.children.is_empty() => Ok(()),
        Some(Sock::Udp(u)) if to.is_some() || u.has_default_peer() => Ok(()),
        Some(_) => Err(PeriodicStop::CannotSend),
        None => Err(PeriodicStop::SocketClosed),
    }
}

/// A tick is due: send once, set the next tick on the grid.
pub(crate) fn tick(r: &mut Reactor, id: SocketId, key: TimerKey) {
    let Some(p) = r.periodic.get(&id) else {
        return;
    };
    if p.timer != key {
        return;
    }
    let (to, len) = (p.to.clone(), p.bytes.len());
    if let Err(why) = can_send(r, id, to.as_ref()) {
        stop(r, id, why);
        return;
    }
    if r.unsent_of(id) + len > MAX_SEND_QUEUE_BYTES {
        stop(r, id, PeriodicStop::QueueFull);
        return;
    }
    let now = Instant::now();
    let Some(p) = r.periodic.get_mut(&id) else {
        return;
    };
    let bytes = p.bytes.clone();
    p.sent += 1;
    // The next tick still in the future; the ones skipped are missed.
    let passed = now.saturating_duration_since(p.start).as_nanos() / p.every.as_nanos().max(1);
    let next = (p.next + 1).max(u64::try_from(passed).unwrap_or(u64::MAX).saturating_add(1));
    p.missed += next - (p.next + 1);
    p.next = next;
    let done = p.count.is_some_and(|c| p.sent >= c);
    let report = done || now.duration_since(p.last_report) >= REPORT_EVERY;
    if report {
        p.last_report = now;
    }
    let status = p.status(!done, None);
    if !done {
        let at = p.due(next);
        p.timer = r.timers.schedule(at, id, TimerKind::Periodic);
    }
    r.send(id, bytes, to);
    if done {
        r.periodic.remove(&id);
    }
    if report {
        r.out.emit(id, EventKind::Periodic(status));
    }
}
