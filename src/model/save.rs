//! Saving a socket's received bytes to a file, from now on (and, when
//! asked, first what the log still holds of them). The model marks each
//! received chunk of a saved socket as it folds it; the pump hands those
//! chunks, after it lets go of the model, to the file's writer thread
//! (`sockbench-save`) over a bounded channel: a disk slower than the
//! network holds up the pump and so the engine's reading (TCP's own
//! backpressure), never the window, and nothing is dropped.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;

use crossbeam_channel::Sender;
use parking_lot::Mutex;

/// Chunks that may wait for a save file's writer.
pub const SAVE_QUEUE: usize = 256;

/// A save in progress (or finished: then it only keeps its counts).
#[derive(Debug)]
pub struct Saving {
    /// The file.
    pub path: PathBuf,
    /// Bytes of what the log held, written first.
    pub from_log: u64,
    /// Bytes the socket had received before that the log no longer held.
    pub missed: u64,
    tx: Option<Sender<Vec<u8>>>,
    written: Arc<AtomicU64>,
    error: Arc<Mutex<Option<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl Saving {
    /// Creates (or replaces) `path` and starts its writer, which writes
    /// `first` before anything else.
    pub fn start(path: &Path, first: Vec<u8>) -> io::Result<Self> {
        let file = std::fs::File::create(path)?;
        let (tx, rx) = crossbeam_channel::bounded::<Vec<u8>>(SAVE_QUEUE);
        let written = Arc::new(AtomicU64::new(0));
        let error = Arc::new(Mutex::new(None));
        let from_log = first.len() as u64;
        let (w, e) = (Arc::clone(&written), Arc::clone(&error));
        let shown = path.display().to_string();
        let thread = std::thread::Builder::new()
            .name("sockbench-save".into())
            .spawn(move || {
                let mut out = io::BufWriter::new(file);
                let mut failed = false;
                let mut write = |out: &mut io::BufWriter<std::fs::File>, b: &[u8]| {
                    if failed {
                        return;
                    }
                    match out.write_all(b) {
                        Ok(()) => {
                            w.fetch_add(b.len() as u64, Ordering::Relaxed);
                        }
                        Err(err) => {
                            failed = true;
                            *e.lock() = Some(format!("{shown}: {err}"));
                        }
                    }
                };
                write(&mut out, &first);
                drop(first);
                for chunk in rx.iter() {
                    write(&mut out, &chunk);
                    if rx.is_empty()
                        && let Err(err) = out.flush()
                    {
                        *e.lock() = Some(format!("{shown}: {err}"));
                    }
                }
                if let Err(err) = out.flush() {
                    *e.lock() = Some(format!("{shown}: {err}"));
                }
            })?;
        Ok(Saving {
            path: path.to_owned(),
            from_log,
            missed: 0,
            tx: Some(tx),
            written,
            error,
            thread: Some(thread),
        })
    }

    /// Where the pump sends the socket's next chunk (`None`: finished).
    pub fn sender(&self) -> Option<&Sender<Vec<u8>>> {
        self.tx.as_ref()
    }

    /// Bytes written to the file so far.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Why writing stopped, if it did.
    pub fn error(&self) -> Option<String> {
        self.error.lock().clone()
    }

    /// Whether it still takes bytes.
    pub fn is_open(&self) -> bool {
        self.tx.is_some()
    }

    /// Takes no more bytes (its socket closed); the thread is kept to
    /// join.
    pub fn close_input(&mut self) {
        self.tx = None;
    }

    /// Takes no more bytes: the writer writes what it has, closes the file
    /// and ends. Returns the thread to join (to wait for the last byte).
    pub fn finish(&mut self) -> Option<JoinHandle<()>> {
        self.tx = None;
        self.thread.take()
    }
}
