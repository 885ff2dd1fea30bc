//! Periodic sends, timed by the engine's timer queue: a payload sent every
//! N ms (1 ms at least), a number of times or until stopped. Each socket
//! may run several side by side (one per slot), each with bytes fixed or
//! made at every tick. The ticks keep to a fixed grid (start + k ×
//! period): a late tick is sent once and the ticks it overran are counted
//! as missed, never sent in a burst. This module keeps the count; the
//! reactor sends.

use std::time::{Duration, Instant};

use super::addr::Addr;
use super::message::{Payload, PeriodicStatus, PeriodicStop};
use super::timer::TimerKey;

/// The shortest period.
pub const MIN_PERIOD: Duration = Duration::from_millis(1);
/// How often a running periodic send reports where it stands.
const REPORT_EVERY: Duration = Duration::from_secs(1);

/// One periodic send.
pub(crate) struct Periodic {
    slot: u32,
    payload: Payload,
    to: Option<Addr>,
    every: Duration,
    count: Option<u64>,
    start: Instant,
    /// The index of the next tick on the grid.
    next: u64,
    sent: u64,
    missed: u64,
    /// The timer of the next tick.
    pub(crate) timer: TimerKey,
    last_report: Instant,
}

/// What a tick leaves to do.
pub(crate) struct Advance {
    /// When the next tick is due (`None`: this was the last).
    pub(crate) next_at: Option<Instant>,
    /// Where it stands, when it is time to say so.
    pub(crate) report: Option<PeriodicStatus>,
}

impl Periodic {
    /// A periodic send whose first tick is due at `start` (timer `timer`).
    pub(crate) fn new(
        slot: u32,
        payload: Payload,
        to: Option<Addr>,
        every: Duration,
        count: Option<u64>,
        start: Instant,
        timer: TimerKey,
    ) -> Self {
        Periodic {
            slot,
            payload,
            to,
            every: every.max(MIN_PERIOD),
            count,
            start,
            next: 0,
            sent: 0,
            missed: 0,
            timer,
            last_report: start,
        }
    }

    /// Where it stands.
    pub(crate) fn status(&self, running: bool, stopped: Option<PeriodicStop>) -> PeriodicStatus {
        PeriodicStatus {
            slot: self.slot,
            every: self.every,
            count: self.count,
            sent: self.sent,
            missed: self.missed,
            elapsed: self.start.elapsed(),
            running,
            stopped,
        }
    }

    /// The destination of each send (a datagram socket's).
    pub(crate) fn to(&self) -> Option<&Addr> {
        self.to.as_ref()
    }

    /// The bytes of this tick.
    pub(crate) fn bytes(&mut self) -> Vec<u8> {
        match &mut self.payload {
            Payload::Fixed(b) => b.clone(),
            Payload::Made(make) => make(self.sent),
        }
    }

    /// Counts this tick as sent at `now` and finds the next one on the
    /// grid (the ones already past are missed).
    pub(crate) fn advance(&mut self, now: Instant) -> Advance {
        self.sent += 1;
        let passed =
            now.saturating_duration_since(self.start).as_nanos() / self.every.as_nanos().max(1);
        let next = (self.next + 1).max(u64::try_from(passed).unwrap_or(u64::MAX).saturating_add(1));
        self.missed += next - (self.next + 1);
        self.next = next;
        let done = self.count.is_some_and(|c| self.sent >= c);
        let report = done || now.duration_since(self.last_report) >= REPORT_EVERY;
        if report {
            self.last_report = now;
        }
        Advance {
            next_at: (!done).then(|| self.due(next)),
            report: report.then(|| self.status(!done, None)),
        }
    }

    fn due(&self, tick: u64) -> Instant {
        self.start
            + self
                .every
                .saturating_mul(u32::try_from(tick).unwrap_or(u32::MAX))
    }
}
