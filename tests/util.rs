//! Helpers shared by the integration tests: bounded waits on engine events.

use std::time::{Duration, Instant};

use sockbench::engine::{EngineHandle, Event, EventKind, SocketId};

/// How long any single wait in a test may take.
pub const WAIT: Duration = Duration::from_secs(10);

/// An engine plus the events it has reported and no wait has taken yet.
pub struct Probe {
    pub engine: EngineHandle,
    pub events: Vec<Event>,
}

impl Probe {
    pub fn new() -> Self {
        Probe {
            engine: EngineHandle::spawn_headless().expect("engine starts"),
            events: Vec::new(),
        }
    }

    fn pull(&mut self, deadline: Instant) -> bool {
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        if let Some(batch) = self
            .engine
            .recv_batch_timeout((deadline - now).min(Duration::from_millis(50)))
        {
            self.events.extend(batch);
        }
        true
    }

    /// Waits for the first untaken event that satisfies `f`, and takes it.
    pub fn wait(&mut self, what: &str, mut f: impl FnMut(&Event) -> bool) -> Event {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(i) = self.events.iter().position(&mut f) {
                return self.events.remove(i);
            }
            if !self.pull(deadline) {
                panic!(
                    "timed out waiting for {what}; events not taken:\n{:#?}",
                    self.events
                );
            }
        }
    }

    /// Waits for an event of socket `id` whose kind satisfies `f`.
    pub fn wait_kind(
        &mut self,
        id: SocketId,
        what: &str,
        mut f: impl FnMut(&EventKind) -> bool,
    ) -> EventKind {
        self.wait(what, |e| e.id == id && f(&e.kind)).kind
    }

    /// Takes `Received` bytes of `id` until `n` bytes arrived.
    pub fn receive_bytes(&mut self, id: SocketId, n: usize) -> Vec<u8> {
        let deadline = Instant::now() + WAIT;
        let mut got = Vec::with_capacity(n);
        loop {
            self.events.retain(|e| match &e.kind {
                EventKind::Received { bytes, .. } if e.id == id && got.len() < n => {
                    got.extend_from_slice(bytes);
                    false
                }
                _ => true,
            });
            if got.len() >= n {
                return got;
            }
            assert!(
                self.pull(deadline),
                "timed out: {} of {n} bytes arrived",
                got.len()
            );
        }
    }
}
