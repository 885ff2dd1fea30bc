//! Helpers shared by the integration tests: bounded waits on engine events,
//! and a recorder that folds them into a [`Model`] as the app does.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sockbench::engine::{EngineHandle, Event, EventKind, SocketId, SocketSpec};
use sockbench::model::Model;
use sockbench::model::session::Session;

/// How long any single wait in a test may take.
pub const WAIT: Duration = Duration::from_secs(10);

/// An engine plus the events it has reported and no wait has taken yet.
pub struct Probe {
    pub engine: EngineHandle,
    pub events: Vec<Event>,
}

/// Waits at most 50 ms (and never past `deadline`) for the next batch.
/// `None` once the deadline has passed; an empty batch when none came.
fn next_batch(engine: &EngineHandle, deadline: Instant) -> Option<Vec<Event>> {
    let now = Instant::now();
    if now >= deadline {
        return None;
    }
    Some(
        engine
            .recv_batch_timeout((deadline - now).min(Duration::from_millis(50)))
            .unwrap_or_default(),
    )
}

impl Probe {
    pub fn new() -> Self {
        Probe {
            engine: EngineHandle::spawn_headless().expect("engine starts"),
            events: Vec::new(),
        }
    }

    fn pull(&mut self, deadline: Instant) -> bool {
        let Some(batch) = next_batch(&self.engine, deadline) else {
            return false;
        };
        self.events.extend(batch);
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

/// An engine whose events are folded into a [`Model`] as they arrive, the
/// way the app does it; every event is also kept (in order) for checks.
pub struct Recorder {
    pub engine: EngineHandle,
    pub model: Model,
    pub events: Vec<Event>,
}

impl Recorder {
    pub fn new() -> Self {
        Self::with_model(Model::default())
    }

    pub fn with_model(model: Model) -> Self {
        Recorder {
            engine: EngineHandle::spawn_headless().expect("engine starts"),
            model,
            events: Vec::new(),
        }
    }

    /// Opens a socket and records it in the model, as the app does.
    pub fn open(&mut self, spec: SocketSpec) -> SocketId {
        let id = self
            .engine
            .open(spec.clone())
            .expect("engine takes the command");
        self.model.opening(id, &spec);
        id
    }

    /// Takes one batch (waiting at most 50 ms) into the model and the
    /// record. Returns false once `deadline` has passed.
    pub fn pull(&mut self, deadline: Instant) -> bool {
        let Some(batch) = next_batch(&self.engine, deadline) else {
            return false;
        };
        for ev in batch {
            self.events.push(ev.clone());
            self.model.apply(ev);
        }
        true
    }

    /// Folds events in until `f` holds (or fails the test after [`WAIT`]).
    pub fn wait_until(&mut self, what: &str, mut f: impl FnMut(&Model, &[Event]) -> bool) {
        let deadline = Instant::now() + WAIT;
        while !f(&self.model, &self.events) {
            if !self.pull(deadline) {
                panic!(
                    "timed out waiting for {what}; events so far:\n{}",
                    self.summary()
                );
            }
        }
    }

    /// Folds events in for `d`, whatever arrives.
    pub fn pump_for(&mut self, d: Duration) {
        let deadline = Instant::now() + d;
        while self.pull(deadline) {}
    }

    /// Waits for an event of `id` whose kind satisfies `f`; returns it.
    pub fn wait_kind(
        &mut self,
        id: SocketId,
        what: &str,
        mut f: impl FnMut(&EventKind) -> bool,
    ) -> EventKind {
        let mut found = None;
        self.wait_until(what, |_, evs| {
            found = evs.iter().find(|e| e.id == id && f(&e.kind)).cloned();
            found.is_some()
        });
        found.map(|e| e.kind).expect("found")
    }

    /// The kinds of `id`'s events, in order.
    pub fn kinds(&self, id: SocketId) -> Vec<&EventKind> {
        self.events
            .iter()
            .filter(|e| e.id == id)
            .map(|e| &e.kind)
            .collect()
    }

    /// The short names of `id`'s events, in order, runs of `received`
    /// collapsed into one (how a read is split is up to the kernel).
    /// The kinds of `id`'s events, runs of `received` folded into one and
    /// socket calls left out.
    pub fn names(&self, id: SocketId) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = Vec::new();
        for k in self.kinds(id) {
            let n = k.name();
            // Socket calls (the lesson's record) are checked elsewhere.
            if n == "call" {
                continue;
            }
            if !(n == "received" && names.last() == Some(&"received")) {
                names.push(n);
            }
        }
        names
    }

    /// All bytes `id` received, in order.
    pub fn received(&self, id: SocketId) -> Vec<u8> {
        self.kinds(id)
            .into_iter()
            .filter_map(|k| match k {
                EventKind::Received { bytes, .. } => Some(bytes.as_slice()),
                _ => None,
            })
            .flatten()
            .copied()
            .collect()
    }

    /// The session of `id` in the model.
    pub fn session(&self, id: SocketId) -> &Session {
        self.model
            .sessions
            .get(&id)
            .unwrap_or_else(|| panic!("no session {id} in the model"))
    }

    /// One line per event, payloads shortened to their length.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        for e in &self.events {
            let line = match &e.kind {
                EventKind::Received { bytes, .. } => format!("{} received {} B", e.id, bytes.len()),
                EventKind::Sent { bytes, .. } => format!("{} sent {} B", e.id, bytes.len()),
                k => format!("{} {k:?}", e.id),
            };
            s.push_str(&line);
            s.push('\n');
        }
        s
    }
}

/// The test pattern repeats every this many bytes (a prime, so chunk
/// boundaries never line up with it).
const PERIOD: usize = 251;
/// The longest slice [`pattern_slice`] gives.
pub const PATTERN_SLICE_MAX: usize = 64 * 1024;

/// Byte `i` of the test pattern.
pub fn pattern_byte(i: usize) -> u8 {
    (i % PERIOD) as u8
}

/// `n` (at most [`PATTERN_SLICE_MAX`]) bytes of the pattern from offset `at`,
/// without building them.
pub fn pattern_slice(at: usize, n: usize) -> &'static [u8] {
    static BASE: OnceLock<Vec<u8>> = OnceLock::new();
    assert!(n <= PATTERN_SLICE_MAX);
    let base = BASE.get_or_init(|| (0..PERIOD + PATTERN_SLICE_MAX).map(pattern_byte).collect());
    &base[at % PERIOD..at % PERIOD + n]
}

/// `n` bytes of the pattern from offset `at`.
pub fn pattern_at(at: usize, n: usize) -> Vec<u8> {
    (at..at + n).map(pattern_byte).collect()
}

/// Checks that `chunk` is the pattern at offset `at`; names the first
/// differing offset.
pub fn check_pattern(at: usize, chunk: &[u8]) {
    for (k, piece) in chunk.chunks(PATTERN_SLICE_MAX).enumerate() {
        let off = at + k * PATTERN_SLICE_MAX;
        let want = pattern_slice(off, piece.len());
        if let Some(i) = (0..piece.len()).find(|&i| piece[i] != want[i]) {
            panic!(
                "byte {} is {:#04x}, expected {:#04x}: bytes lost or reordered",
                off + i,
                piece[i],
                want[i]
            );
        }
    }
}

/// Set in a re-run of this test binary that plays a helper's part in a
/// test: `TEST_PATH=ARG`.
const CHILD_ENV: &str = "SOCKBENCH_TEST_CHILD";

/// In a helper test: the argument it was re-run with, or `None` in the
/// ordinary run (where the helper test then passes without doing anything).
pub fn child_arg(test_path: &str) -> Option<String> {
    let v = std::env::var(CHILD_ENV).ok()?;
    let (path, arg) = v.split_once('=')?;
    (path == test_path).then(|| arg.to_owned())
}

/// Ends this helper process after `limit`, whatever it is doing (so a
/// helper whose test died never lingers).
pub fn child_watchdog(limit: Duration) {
    let _ = std::thread::Builder::new()
        .name("child-watchdog".into())
        .spawn(move || {
            std::thread::sleep(limit);
            std::process::exit(3);
        });
}

/// A helper process: this test binary re-run to play the helper test at
/// `test_path` with `arg`. Its standard output comes back line by line;
/// it is killed when dropped.
pub struct ChildProc {
    child: std::process::Child,
    lines: crossbeam_channel::Receiver<String>,
}

impl ChildProc {
    /// Starts the helper.
    pub fn start(test_path: &str, arg: &str) -> Self {
        let exe = std::env::current_exe().expect("test binary");
        let mut child = std::process::Command::new(exe)
            .args([test_path, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, format!("{test_path}={arg}"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .expect("helper process starts");
        let lines = stdout_lines(&mut child);
        ChildProc { child, lines }
    }

    /// Waits (at most [`WAIT`] × 3) for a line holding `prefix` (the test
    /// harness may have printed the test's name before it on the same
    /// line); returns what follows it.
    pub fn expect_line(&self, prefix: &str) -> String {
        let deadline = Instant::now() + WAIT * 3;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(at) = line.find(prefix) {
                        return line[at + prefix.len()..].trim().to_owned();
                    }
                }
                Err(e) => panic!("the helper never said {prefix:?}: {e}"),
            }
        }
    }
}

impl Drop for ChildProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Raises this process's open-files limit to at least `want` (up to the
/// hard limit); returns the soft limit now in force.
pub fn raise_open_files(want: u64) -> u64 {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else {
        return 0;
    };
    let target = want.min(hard);
    if soft < target && setrlimit(Resource::RLIMIT_NOFILE, target, hard).is_ok() {
        return target;
    }
    soft
}

/// The standard output of `child`, line by line, read on a thread of its
/// own (so every wait on it can have a timeout).
pub fn stdout_lines(child: &mut std::process::Child) -> crossbeam_channel::Receiver<String> {
    use std::io::BufRead;
    let out = child.stdout.take().expect("stdout is piped");
    let (tx, lines) = crossbeam_channel::bounded(4096);
    std::thread::Builder::new()
        .name("child-stdout".into())
        .spawn(move || {
            for line in std::io::BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        })
        .expect("reader thread");
    lines
}

/// The IP address of a socket's end (tests open IP sockets only here).
pub fn ip_of(a: &Option<sockbench::engine::Addr>) -> std::net::SocketAddr {
    a.as_ref()
        .and_then(sockbench::engine::Addr::ip)
        .expect("an IP address")
}

/// A directory of its own under the system's temporary directory, removed
/// (with what is in it) when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "sockbench-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    pub fn path(&self, file: &str) -> std::path::PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
