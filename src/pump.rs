//! The pump: a named thread (`sockbench-pump`) that takes the engine's event
//! batches as they come and feeds every sink: the JSON-lines capture (on a
//! writer thread of its own, `sockbench-capture`) and the shared [`Model`]
//! the window draws. Ingest never waits for a frame: the window only reads
//! the model, and the pump folds into it in short turns.
//!
//! Locking: the window holds the model's lock while it lays out a frame.
//! Meanwhile the pump keeps taking batches from the engine into a queue of
//! its own (so the engine keeps reading), and folds them once it has the
//! lock, for about [`HOLD_MAX`] at a time (a turn ends after the event that
//! passes it) before handing the lock over fairly, so the window never
//! waits long for it. Only when that queue passes
//! [`PENDING_MAX_BYTES`] does the pump wait for the lock, and the engine in
//! turn stops reading (TCP's own backpressure; nothing is dropped).

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use parking_lot::{Mutex, MutexGuard};

use crate::engine::{Event, EventKind, EventSource, RecvTimeoutError};
use crate::model::Model;
use crate::model::capture::CaptureWriter;

/// How long the pump folds in one turn before it hands the lock over (the
/// event that passes it is finished first).
pub const HOLD_MAX: Duration = Duration::from_micros(250);
/// Events the pump's queue keeps room for once it is empty again.
const PENDING_KEEP_CAPACITY: usize = 4096;
/// Payload bytes the pump may hold while the window has the lock; past
/// this it waits for the lock.
pub const PENDING_MAX_BYTES: usize = 32 * 1024 * 1024;
/// Under load, the window is asked to repaint at most this often (rows
/// appear at a human rate; a flood does not buy frames at ingest's cost).
pub const REPAINT_EVERY: Duration = Duration::from_millis(33);
/// Batches that may wait for the capture writer; when it falls behind, the
/// pump waits for it (and the engine for the pump): the capture loses
/// nothing.
const CAPTURE_QUEUE: usize = 16;

/// Asks the window for a frame within the given time (the app passes
/// `egui::Context::request_repaint_after`).
pub type RepaintAfter = Box<dyn Fn(Duration) + Send + 'static>;

/// The shared model, as the window and the pump see it.
pub type SharedModel = Arc<Mutex<Model>>;

/// The pump and capture threads.
pub struct Pump {
    model: SharedModel,
    pump: Option<JoinHandle<()>>,
    capture: Option<JoinHandle<()>>,
    capture_error: Arc<Mutex<Option<String>>>,
}

impl Pump {
    /// Starts the pump on `source`, folding into `model` and writing every
    /// event to each of `writers` (the capture file, the headless mode's
    /// standard output) on the capture thread.
    pub fn start(
        source: EventSource,
        model: SharedModel,
        writers: Vec<CaptureWriter>,
        repaint: RepaintAfter,
    ) -> io::Result<Self> {
        let capture_error = Arc::new(Mutex::new(None));
        let (capture_tx, capture_thread) = if writers.is_empty() {
            (None, None)
        } else {
            let (tx, rx) = crossbeam_channel::bounded(CAPTURE_QUEUE);
            let errors = Arc::clone(&capture_error);
            let thread = std::thread::Builder::new()
                .name("sockbench-capture".into())
                .spawn(move || write_capture(writers, rx, errors))?;
            (Some(tx), Some(thread))
        };
        let m = Arc::clone(&model);
        let pump = std::thread::Builder::new()
            .name("sockbench-pump".into())
            .spawn(move || run(source, m, capture_tx, repaint))?;
        Ok(Pump {
            model,
            pump: Some(pump),
            capture: capture_thread,
            capture_error,
        })
    }

    /// The model it folds into.
    pub fn model(&self) -> &SharedModel {
        &self.model
    }

    /// Why the capture stopped, if it did.
    pub fn capture_error(&self) -> Option<String> {
        self.capture_error.lock().clone()
    }

    /// Waits until every event the engine handed over is folded and
    /// captured (call after the engine has stopped: the pump ends when the
    /// engine's channel is closed and empty).
    pub fn join(&mut self) {
        if let Some(t) = self.pump.take() {
            let _ = t.join();
        }
        if let Some(t) = self.capture.take() {
            let _ = t.join();
        }
    }
}

impl std::fmt::Debug for Pump {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pump")
            .field("running", &self.pump.is_some())
            .finish_non_exhaustive()
    }
}

fn payload_len(ev: &Event) -> usize {
    match &ev.kind {
        EventKind::Received { bytes, .. } | EventKind::Sent { bytes, .. } => bytes.len(),
        _ => 0,
    }
}

/// Windows waiting for the model right now (see [`lock_for_frame`]); a
/// pump that sees one ends its turn after the event in hand.
static UI_WAITING: AtomicUsize = AtomicUsize::new(0);

/// How long [`lock_for_frame`] spins on the core before yielding it
/// between tries.
const FRAME_BUSY_SPIN: Duration = Duration::from_micros(100);

/// How long [`lock_for_frame`] keeps trying without going to sleep.
const FRAME_SPIN_MAX: Duration = Duration::from_millis(2);

/// Locks the model for a frame. If the pump has it, the pump is told, so
/// it lets go after the event it is folding rather than at the end of its
/// turn, and does not take it again meanwhile. The window's thread keeps
/// trying (yielding the core between tries) rather than sleeping on the
/// lock: a thread put to sleep must be woken and scheduled again once the
/// lock is free, which on a busy machine took most of the wait
/// (`cargo bench -- window` reports that part).
pub fn lock_for_frame(model: &SharedModel) -> MutexGuard<'_, Model> {
    if let Some(g) = model.try_lock() {
        return g;
    }
    UI_WAITING.fetch_add(1, Ordering::Relaxed);
    let start = Instant::now();
    let g = loop {
        if let Some(g) = model.try_lock() {
            break g;
        }
        let waited = start.elapsed();
        if waited >= FRAME_SPIN_MAX {
            break model.lock();
        }
        // The pump lets go within one event's fold: at first keep the core
        // (a yielded core on a busy machine came back milliseconds later),
        // then yield it.
        if waited < FRAME_BUSY_SPIN {
            std::hint::spin_loop();
        } else {
            std::thread::yield_now();
        }
    };
    UI_WAITING.fetch_sub(1, Ordering::Relaxed);
    g
}

/// The pump's loop: take batches, hand copies to the capture, fold.
fn run(
    source: EventSource,
    model: SharedModel,
    capture: Option<Sender<Vec<Event>>>,
    repaint: RepaintAfter,
) {
    let mut pending: VecDeque<Event> = VecDeque::new();
    let mut pending_bytes = 0usize;
    let mut engine_done = false;
    let mut capture = capture;
    loop {
        // Take what the engine has: wait only when there is nothing to fold.
        let wait = if pending.is_empty() {
            Duration::from_millis(100)
        } else {
            Duration::ZERO
        };
        let mut wait = wait;
        while pending_bytes < PENDING_MAX_BYTES {
            match source.recv_timeout(wait) {
                Ok(batch) => {
                    if let Some(tx) = &capture
                        && tx.send(batch.clone()).is_err()
                    {
                        // The writer is gone (it failed and said why).
                        capture = None;
                    }
                    pending_bytes += batch.iter().map(payload_len).sum::<usize>();
                    pending.extend(batch);
                    wait = Duration::ZERO;
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => {
                    engine_done = true;
                    break;
                }
            }
        }
        if !pending.is_empty() {
            // While the window lays out a frame, keep taking batches; wait
            // for the lock only once the queue is full or the engine is done.
            let guard = if pending_bytes >= PENDING_MAX_BYTES || engine_done {
                Some(model.lock())
            } else if UI_WAITING.load(Ordering::Relaxed) > 0 {
                // A frame is about to take it: let it, and come back.
                std::thread::yield_now();
                None
            } else {
                model.try_lock_for(Duration::from_millis(1))
            };
            if let Some(mut m) = guard {
                pending_bytes -= fold_turn(&mut m, &mut pending);
                let saves = m.take_saves();
                m.pump_released_at = Some(Instant::now());
                MutexGuard::unlock_fair(m);
                // Save files get their chunks outside the lock: a slow disk
                // holds up the pump (and the engine's reads), not the window.
                for (tx, chunk) in saves {
                    let _ = tx.send(chunk);
                }
                // A burst's queue is not kept for good.
                if pending.is_empty() && pending.capacity() > PENDING_KEEP_CAPACITY {
                    pending = VecDeque::new();
                }
                repaint(REPAINT_EVERY);
            }
        }
        if engine_done && pending.is_empty() {
            return;
        }
    }
}

/// Folds events into the model for at most [`HOLD_MAX`]; returns the
/// payload bytes folded. The clock is read every 8 events, and after every
/// large one (a bulk TCP read can take a good part of the budget alone).
fn fold_turn(m: &mut Model, pending: &mut VecDeque<Event>) -> usize {
    let start = Instant::now();
    let mut bytes = 0;
    let mut since_check = 0;
    let mut n = 0u32;
    while let Some(ev) = pending.pop_front() {
        let len = payload_len(&ev);
        bytes += len;
        since_check += len;
        m.apply(ev);
        n += 1;
        // A window waits for the model: its frame comes first.
        if UI_WAITING.load(Ordering::Relaxed) > 0 {
            break;
        }
        if n.is_multiple_of(8) || since_check >= 16 * 1024 {
            since_check = 0;
            if start.elapsed() >= HOLD_MAX {
                break;
            }
        }
    }
    bytes
}

/// The capture writer's loop: every event to every writer, in order, each
/// line whole; flushed whenever it has caught up. On a write error it says
/// why once and keeps taking batches (so the pump never waits on a dead
/// writer).
fn write_capture(
    mut writers: Vec<CaptureWriter>,
    batches: Receiver<Vec<Event>>,
    error: Arc<Mutex<Option<String>>>,
) {
    let mut failed = false;
    for batch in batches.iter() {
        if failed {
            continue;
        }
        let mut result = writers
            .iter_mut()
            .try_for_each(|w| batch.iter().try_for_each(|ev| w.write_event(ev)));
        if result.is_ok() && batches.is_empty() {
            result = writers.iter_mut().try_for_each(CaptureWriter::flush);
        }
        if let Err(e) = result {
            failed = true;
            *error.lock() = Some(e.to_string());
        }
    }
    if !failed && let Err(e) = writers.iter_mut().try_for_each(CaptureWriter::flush) {
        *error.lock() = Some(e.to_string());
    }
}
