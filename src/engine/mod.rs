//! The socket engine: one named I/O thread runs a `mio` poll loop that owns
//! every socket. The UI talks to it through an [`EngineHandle`]: commands go
//! in over a bounded channel (and a `mio::Waker` wakes the loop), events come
//! back in batches over a bounded channel, and a repaint callback is called
//! once per batch. Nothing here knows about the GUI.

mod addr;
mod call;
mod dgram;
mod endpoint;
mod error;
mod file_send;
mod listener;
mod message;
mod outbox;
mod periodic;
mod reactor;
mod sock_diag;
mod stream;
mod tcp;
mod tcp_info;
mod timer;
mod unix;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use crossbeam_channel::RecvTimeoutError;
use crossbeam_channel::{Receiver, Sender, TryRecvError, TrySendError};

pub use addr::{Addr, UnixAddr};
pub use call::{CallOk, Family, SetOption, SockCall, SockType};
pub use error::{NetError, NetOp, Why, errno_name};
pub use message::{
    Backoff, CloseHow, CloseReason, Command, DEFAULT_TCP_READ_BYTES, DEFAULT_UDP_RCVBUF_BYTES,
    DEFAULT_UDP_RECV_BYTES, Event, EventKind, FILE_PROGRESS_EVERY, FILE_QUEUE_BYTES,
    FILE_STREAM_PIECE, FileEnd, FileSend, MAX_RECV_SIZE, MAX_SEND_QUEUE_BYTES,
    MAX_UDP_PAYLOAD_BYTES, MAX_UDP6_PAYLOAD_BYTES, Payload, PeriodicStatus, PeriodicStop,
    PortSocket, ReceiveHook, Received, Reply, SockOption, SocketId, SocketKind, SocketSpec,
    TcpInfo, TcpState,
};
pub use periodic::MIN_PERIOD;

/// The kernel's state of the TCP connection `local` ↔ `peer` (`None`: no
/// record of it), asked over `NETLINK_SOCK_DIAG` for that one connection;
/// what [`Command::QueryKernelState`] answers with. Blocking but quick (a
/// hash lookup in the kernel); public for the benchmark that measures it.
pub fn kernel_tcp_state(local: SocketAddr, peer: SocketAddr) -> io::Result<Option<TcpState>> {
    sock_diag::state_of(local, peer)
}

/// How many commands may wait for the engine.
const COMMAND_CAPACITY: usize = 4096;
/// How many event batches may wait for the UI. Each batch holds at most
/// [`outbox::BATCH_MAX_BYTES`] of payload, so this bounds the memory in flight.
const EVENT_BATCH_CAPACITY: usize = 16;

/// Called by the engine after it hands the UI a batch of events (the app
/// passes `egui::Context::request_repaint`).
pub type RepaintFn = Box<dyn Fn() + Send + Sync + 'static>;

/// The engine is gone or cannot take more work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// The engine thread has stopped.
    #[error("the socket engine has stopped")]
    Stopped,
    /// Thousands of commands are waiting; the engine is overwhelmed.
    #[error("the socket engine is busy ({COMMAND_CAPACITY} commands waiting); try again")]
    Busy,
}

/// State shared between the handle and the engine thread.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// The next socket id to hand out.
    next_id: AtomicU64,
    /// Set by the engine when the event channel was full and it stopped
    /// reading; the handle wakes it once the UI has drained.
    stalled: AtomicBool,
    /// Sockets the engine holds open (updated once per loop turn).
    open_sockets: AtomicUsize,
}

impl Shared {
    pub(crate) fn allocate_id(&self) -> SocketId {
        SocketId(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }
}

/// The UI's side of the engine: send commands, receive events.
///
/// Dropping the handle shuts the engine down and joins its thread.
pub struct EngineHandle {
    commands: Sender<Command>,
    events: Receiver<Vec<Event>>,
    waker: Arc<mio::Waker>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl EngineHandle {
    /// Starts the engine thread (`sockbench-engine`). `repaint` is called
    /// from the engine thread whenever new events are ready.
    pub fn spawn(repaint: RepaintFn) -> io::Result<Self> {
        let poll = mio::Poll::new()?;
        let waker = Arc::new(mio::Waker::new(poll.registry(), reactor::WAKER_TOKEN)?);
        let (cmd_tx, cmd_rx) = crossbeam_channel::bounded(COMMAND_CAPACITY);
        let (ev_tx, ev_rx) = crossbeam_channel::bounded(EVENT_BATCH_CAPACITY);
        let shared = Arc::new(Shared::default());
        let reactor = reactor::Reactor::new(
            poll,
            cmd_rx,
            cmd_tx.clone(),
            Arc::clone(&waker),
            ev_tx,
            Arc::clone(&shared),
            repaint,
        );
        let thread = std::thread::Builder::new()
            .name("sockbench-engine".into())
            .spawn(move || reactor.run())?;
        Ok(EngineHandle {
            commands: cmd_tx,
            events: ev_rx,
            waker,
            shared,
            thread: Some(thread),
        })
    }

    /// Starts the engine with no repaint callback (tests, benchmarks, CLI).
    pub fn spawn_headless() -> io::Result<Self> {
        Self::spawn(Box::new(|| {}))
    }

    fn command(&self, cmd: Command) -> Result<(), EngineError> {
        match self.commands.try_send(cmd) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(EngineError::Busy),
            Err(TrySendError::Disconnected(_)) => return Err(EngineError::Stopped),
        }
        self.waker.wake().map_err(|_| EngineError::Stopped)
    }

    /// Opens a socket; its id is returned at once, and its events follow.
    pub fn open(&self, spec: SocketSpec) -> Result<SocketId, EngineError> {
        let id = self.shared.allocate_id();
        self.command(Command::Open { id, spec })?;
        Ok(id)
    }

    /// Opens a TCP client that connects again after a failure or a lost
    /// connection (see [`Command::SetReconnect`]).
    pub fn open_reconnecting(
        &self,
        spec: SocketSpec,
        backoff: Backoff,
    ) -> Result<SocketId, EngineError> {
        let id = self.shared.allocate_id();
        self.command(Command::SetReconnect {
            id,
            backoff: Some(backoff),
        })?;
        self.command(Command::Open { id, spec })?;
        Ok(id)
    }

    /// Sends bytes (see [`Command::Send`]).
    pub fn send(&self, id: SocketId, bytes: Vec<u8>, to: Option<Addr>) -> Result<(), EngineError> {
        self.command(Command::Send { id, bytes, to })
    }

    /// Sends `bytes` every `every`, `count` times or until stopped, as the
    /// socket's periodic send in slot 0 (see [`Command::SendEvery`]).
    pub fn send_every(
        &self,
        id: SocketId,
        bytes: Vec<u8>,
        to: Option<Addr>,
        every: Duration,
        count: Option<u64>,
    ) -> Result<(), EngineError> {
        self.send_every_in(id, 0, Payload::Fixed(bytes), to, every, count)
    }

    /// Sends `bytes` once `after` has passed (see [`Command::SendLater`]).
    pub fn send_later(
        &self,
        id: SocketId,
        bytes: Vec<u8>,
        to: Option<Addr>,
        after: Duration,
    ) -> Result<(), EngineError> {
        self.command(Command::SendLater {
            id,
            bytes,
            to,
            after,
        })
    }

    /// Drops a socket's sends not yet due (see [`Command::CancelLater`]).
    pub fn cancel_later(&self, id: SocketId) -> Result<(), EngineError> {
        self.command(Command::CancelLater { id })
    }

    /// Runs a periodic send in `slot` (beside the socket's others), its
    /// bytes fixed or made at each tick.
    pub fn send_every_in(
        &self,
        id: SocketId,
        slot: u32,
        payload: Payload,
        to: Option<Addr>,
        every: Duration,
        count: Option<u64>,
    ) -> Result<(), EngineError> {
        self.command(Command::SendEvery {
            id,
            slot,
            payload,
            to,
            every,
            count,
        })
    }

    /// Stops every periodic send of a socket.
    pub fn stop_sending(&self, id: SocketId) -> Result<(), EngineError> {
        self.command(Command::StopSending { id, slot: None })
    }

    /// Stops the periodic send in one slot of a socket.
    pub fn stop_sending_in(&self, id: SocketId, slot: u32) -> Result<(), EngineError> {
        self.command(Command::StopSending {
            id,
            slot: Some(slot),
        })
    }

    /// Runs `hook` on each receive of a socket (see
    /// [`Command::SetReceiveHook`]); `None` removes it.
    pub fn set_receive_hook(
        &self,
        id: SocketId,
        hook: Option<Box<dyn ReceiveHook>>,
    ) -> Result<(), EngineError> {
        self.command(Command::SetReceiveHook { id, hook })
    }

    /// Sends a file on a socket (see [`Command::SendFile`]).
    pub fn send_file(&self, id: SocketId, file: FileSend) -> Result<(), EngineError> {
        self.command(Command::SendFile { id, file })
    }

    /// Stops sending a socket's file.
    pub fn cancel_file(&self, id: SocketId) -> Result<(), EngineError> {
        self.command(Command::CancelFile { id })
    }

    /// Asks for one [`EventKind::Writable`] once the send queue holds at
    /// most `below` bytes.
    pub fn watch_writable(&self, id: SocketId, below: usize) -> Result<(), EngineError> {
        self.command(Command::WatchWritable { id, below })
    }

    /// Stops calling `recv()` on a socket, until resumed or for `for_`.
    pub fn pause_reading(&self, id: SocketId, for_: Option<Duration>) -> Result<(), EngineError> {
        self.command(Command::PauseReading { id, for_ })
    }

    /// Calls `recv()` on a paused socket again.
    pub fn resume_reading(&self, id: SocketId) -> Result<(), EngineError> {
        self.command(Command::ResumeReading { id })
    }

    /// Asks the kernel for every TCP socket on a local port; the answer
    /// comes as [`EventKind::PortState`] for socket `id`.
    pub fn query_port(&self, id: SocketId, port: u16) -> Result<(), EngineError> {
        self.command(Command::QueryPort { id, port })
    }

    /// Closes, half-closes or resets a socket.
    pub fn close(&self, id: SocketId, how: CloseHow) -> Result<(), EngineError> {
        self.command(Command::Close { id, how })
    }

    /// Changes a setting of an open socket (recv size, `TCP_NODELAY`, …).
    pub fn configure(&self, id: SocketId, option: SockOption) -> Result<(), EngineError> {
        self.command(Command::Configure { id, option })
    }

    /// Asks for a TCP socket's kernel state; it arrives as an event.
    pub fn query_tcp_info(&self, id: SocketId) -> Result<(), EngineError> {
        self.command(Command::QueryTcpInfo { id })
    }

    /// Asks the kernel's TCP table about the connection `local` ↔ `peer`
    /// (it works after the socket closed); it arrives as an event.
    pub fn query_kernel_state(
        &self,
        id: SocketId,
        local: SocketAddr,
        peer: SocketAddr,
    ) -> Result<(), EngineError> {
        self.command(Command::QueryKernelState { id, local, peer })
    }

    /// How many sockets the engine holds open right now (listeners,
    /// connections, UDP sockets, connects in flight).
    pub fn open_sockets(&self) -> usize {
        self.shared.open_sockets.load(Ordering::Acquire)
    }

    /// Takes the next batch of events, if one is ready. Never blocks.
    pub fn try_recv_batch(&self) -> Option<Vec<Event>> {
        match self.events.try_recv() {
            Ok(batch) => {
                self.resume_if_stalled();
                Some(batch)
            }
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => None,
        }
    }

    /// Waits up to `timeout` for the next batch of events.
    pub fn recv_batch_timeout(&self, timeout: Duration) -> Option<Vec<Event>> {
        let batch = self.events.recv_timeout(timeout).ok();
        if batch.is_some() {
            self.resume_if_stalled();
        }
        batch
    }

    /// Waits until `deadline` for batches, feeding each event to `f` until it
    /// returns `true`. Returns whether `f` was satisfied. For tests and tools.
    pub fn wait_for(&self, deadline: Instant, mut f: impl FnMut(&Event) -> bool) -> bool {
        loop {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            if let Some(batch) = self.recv_batch_timeout(deadline - now) {
                for ev in &batch {
                    if f(ev) {
                        return true;
                    }
                }
            }
        }
    }

    fn resume_if_stalled(&self) {
        if self.shared.stalled.swap(false, Ordering::AcqRel) {
            // A failed wake means the engine is gone; nothing to resume.
            let _ = self.waker.wake();
        }
    }

    /// Closes every socket and joins the engine thread. The last events
    /// go into the channel only as far as there is room (see
    /// [`EngineHandle::shutdown_delivering`]).
    pub fn shutdown(&mut self) {
        self.shutdown_delivering(Duration::ZERO);
    }

    /// Closes every socket and joins the engine thread, waiting up to
    /// `within` for room in the event channel for the last events (every
    /// socket's `Closed`): for a caller whose [`EventSource`] is still
    /// being drained on another thread (the pump).
    pub fn shutdown_delivering(&mut self, within: Duration) {
        if let Some(thread) = self.thread.take() {
            // The engine takes commands even while the event channel is
            // full, so this never waits on the UI.
            let _ = self.commands.send_timeout(
                Command::Shutdown {
                    deliver_within: within,
                },
                Duration::from_secs(1),
            );
            let _ = self.waker.wake();
            let _ = thread.join();
        }
    }

    /// A second receiving end of the events, for a thread of its own (the
    /// pump). Taking batches from it wakes a stalled engine, as
    /// [`EngineHandle::try_recv_batch`] does.
    pub fn event_source(&self) -> EventSource {
        EventSource {
            events: self.events.clone(),
            waker: Arc::clone(&self.waker),
            shared: Arc::clone(&self.shared),
        }
    }
}

/// The receiving end of the engine's event batches, for another thread.
pub struct EventSource {
    events: Receiver<Vec<Event>>,
    waker: Arc<mio::Waker>,
    shared: Arc<Shared>,
}

impl EventSource {
    /// Waits up to `timeout` for the next batch. `Err(Disconnected)` once
    /// the engine has stopped and every batch was taken.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Vec<Event>, RecvTimeoutError> {
        let batch = self.events.recv_timeout(timeout)?;
        if self.shared.stalled.swap(false, Ordering::AcqRel) {
            let _ = self.waker.wake();
        }
        Ok(batch)
    }
}

impl std::fmt::Debug for EventSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventSource")
            .field("waiting", &self.events.len())
            .finish_non_exhaustive()
    }
}

impl Drop for EngineHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl std::fmt::Debug for EngineHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineHandle")
            .field("running", &self.thread.is_some())
            .finish_non_exhaustive()
    }
}
