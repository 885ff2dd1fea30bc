//! The engine's poll loop: owns every socket (an [`Endpoint`] each),
//! applies commands, dispatches readiness, reads and timers to the
//! endpoints, carries out the work they leave ([`After`]), and hands
//! events out in bounded batches. When the receiver falls behind, reading
//! stops (TCP backpressure); no received byte is ever dropped here.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TryRecvError};
use mio::{Events, Interest, Poll, Token};
use nix::sys::time::TimeSpec;
use nix::sys::timerfd::{ClockId, Expiration, TimerFd, TimerFlags, TimerSetTimeFlags};
use std::os::fd::AsFd;

use super::addr::Addr;
use super::dgram;
use super::endpoint::{After, Cx, Endpoint, Ready, Request};
use super::error::{NetError, NetOp, Why};
use super::file_send::{FileJob, Step};
use super::message::{
    CloseHow, CloseReason, Command, Event, EventKind, FILE_QUEUE_BYTES, FileEnd, FileSend,
    MAX_SEND_QUEUE_BYTES, Payload, PeriodicStop, ReceiveHook, SocketId, SocketSpec,
};
use super::outbox::Outbox;
use super::periodic::Periodic;
use super::stream::Connected;
use super::tcp::{self, Conn};
use super::timer::{TimerKey, TimerKind, Timers};
use super::{RepaintFn, Shared, unix};

/// The token of the waker that signals new commands.
pub(crate) const WAKER_TOKEN: Token = Token(usize::MAX);
/// The token of the timer descriptor that wakes the loop for a near timer.
const TIMER_TOKEN: Token = Token(usize::MAX - 1);
/// Timers closer than this are woken by the timer descriptor (to the
/// microsecond); `epoll_wait` alone counts in whole milliseconds, which
/// made a 1 ms periodic send miss one tick in nine.
const PRECISE_TIMER_WITHIN: Duration = Duration::from_millis(50);
/// How long a stalled engine waits before retrying on its own.
const STALL_RETRY: Duration = Duration::from_millis(50);
/// Reads from one stream before moving on to the next (fairness).
const READS_PER_TURN: usize = 4;
/// Datagrams from one socket per turn (bounded by the batch size too).
const DGRAM_READS_PER_TURN: usize = 256;
/// Commands applied per loop turn before the sockets get their turn.
const COMMANDS_PER_TURN: usize = 256;

/// One socket and the reactor's notes about it.
struct Slot {
    ep: Box<dyn Endpoint>,
    /// Reads per turn.
    budget: usize,
    /// It is in `pending_reads` (edge-triggered readiness not yet drained
    /// to `WouldBlock`).
    read_pending: bool,
}

/// The engine's state, owned by its thread.
pub(crate) struct Reactor {
    poll: Poll,
    commands: Receiver<Command>,
    /// For DNS threads to report back.
    command_tx: Sender<Command>,
    waker: Arc<mio::Waker>,
    shared: Arc<Shared>,
    repaint: RepaintFn,
    out: Outbox,
    sockets: HashMap<SocketId, Slot>,
    /// Sockets that may have more to read, in turn.
    pending_reads: VecDeque<SocketId>,
    /// Every deadline: connects that give up, accept retries, periodic
    /// sends, delayed replies, timed pauses.
    timers: Timers,
    /// The periodic sends running, by socket and slot.
    periodic: HashMap<(SocketId, u32), Periodic>,
    /// Code run on each receive, by socket (a listener's serves its
    /// connections).
    hooks: HashMap<SocketId, Box<dyn ReceiveHook>>,
    /// Replies waiting for their delay, by timer.
    delayed: HashMap<TimerKey, (SocketId, Vec<u8>, Option<Addr>)>,
    /// Sockets whose send queue is watched, and the size to report at.
    watch_writable: HashMap<SocketId, usize>,
    /// Sockets not read from, with the timer that ends a timed pause.
    paused: HashMap<SocketId, Option<TimerKey>>,
    /// Clients that connect again when their connection ends.
    reconnect: HashMap<SocketId, Reconnect>,
    /// Files being sent, by socket.
    files: HashMap<SocketId, FileJob>,
    /// A file is being fed (its sends must not feed it again).
    feeding: bool,
    /// Wakes the loop for a near timer (`None` if it could not be made:
    /// then timers are only as precise as `epoll_wait`'s milliseconds).
    timerfd: Option<TimerFd>,
    buf: Vec<u8>,
}

/// A client that connects again (see [`Command::SetReconnect`]).
struct Reconnect {
    backoff: super::message::Backoff,
    /// What to open again (known once opened).
    spec: Option<SocketSpec>,
    /// Failures in a row so far.
    attempt: u32,
    /// The wait in progress.
    timer: Option<TimerKey>,
}

impl Reactor {
    /// Builds the reactor; [`Reactor::run`] runs it.
    pub(crate) fn new(
        poll: Poll,
        commands: Receiver<Command>,
        command_tx: Sender<Command>,
        waker: Arc<mio::Waker>,
        events: Sender<Vec<Event>>,
        shared: Arc<Shared>,
        repaint: RepaintFn,
    ) -> Self {
        Reactor {
            poll,
            commands,
            command_tx,
            waker,
            shared,
            repaint,
            out: Outbox::new(events),
            sockets: HashMap::new(),
            pending_reads: VecDeque::new(),
            timers: Timers::default(),
            periodic: HashMap::new(),
            hooks: HashMap::new(),
            delayed: HashMap::new(),
            watch_writable: HashMap::new(),
            paused: HashMap::new(),
            reconnect: HashMap::new(),
            files: HashMap::new(),
            feeding: false,
            timerfd: None,
            buf: vec![0; dgram::MAX_RECV_BYTES.max(super::DEFAULT_TCP_READ_BYTES)],
        }
    }

    /// Makes and registers the timer descriptor; without one, timers still
    /// work, to the millisecond.
    fn make_timerfd(&mut self) {
        use std::os::fd::AsRawFd;
        let Ok(t) = TimerFd::new(
            ClockId::CLOCK_MONOTONIC,
            TimerFlags::TFD_NONBLOCK | TimerFlags::TFD_CLOEXEC,
        ) else {
            return;
        };
        let fd = t.as_fd().as_raw_fd();
        let registered = self.poll.registry().register(
            &mut mio::unix::SourceFd(&fd),
            TIMER_TOKEN,
            Interest::READABLE,
        );
        if registered.is_ok() {
            self.timerfd = Some(t);
        }
    }

    /// The loop. Returns on [`Command::Shutdown`] or when the UI is gone.
    pub(crate) fn run(mut self) {
        self.make_timerfd();
        let mut events = Events::with_capacity(1024);
        loop {
            let timeout = self.poll_timeout();
            if let Err(e) = self.poll.poll(&mut events, timeout)
                && e.kind() != io::ErrorKind::Interrupted
            {
                // The poller itself failed: nothing can be driven any more.
                self.shutdown_all(CloseReason::Error(Box::new(NetError::from_io(
                    NetOp::Engine,
                    &e,
                    None,
                ))));
                self.finish_batch();
                return;
            }
            for ev in events.iter() {
                if ev.token() == WAKER_TOKEN {
                    continue;
                }
                if ev.token() == TIMER_TOKEN {
                    // Read the expiry count, or no new edge would come.
                    if let Some(t) = &self.timerfd {
                        let _ = t.wait();
                    }
                    continue;
                }
                let id = SocketId(ev.token().0 as u64);
                let ready = Ready::of(ev);
                if self.dispatch(id, |ep, cx| ep.ready(cx, ready)) == Some(true) {
                    self.mark_readable(id);
                }
            }
            if let Some(deliver_within) = self.drain_commands() {
                self.shutdown_all(CloseReason::Shutdown);
                self.finish_batch();
                self.out.deliver_rest(deliver_within);
                return;
            }
            self.service_reads();
            self.fire_timers();
            self.finish_batch();
        }
    }

    /// How long to sleep in `epoll_wait` (`None`: until something
    /// happens). Arms the timer descriptor when the next timer is near,
    /// since `epoll_wait` counts whole milliseconds.
    fn poll_timeout(&self) -> Option<Duration> {
        if (!self.pending_reads.is_empty() && self.out.has_room()) || !self.commands.is_empty() {
            return Some(Duration::ZERO);
        }
        let timer = self
            .timers
            .next_deadline()
            .map(|d| d.saturating_duration_since(Instant::now()));
        if timer.is_some_and(|w| w.is_zero()) {
            return Some(Duration::ZERO);
        }
        let mut wait = timer;
        if let Some(w) = timer
            && w < PRECISE_TIMER_WITHIN
            && let Some(t) = &self.timerfd
            && t.set(
                Expiration::OneShot(TimeSpec::from_duration(w)),
                TimerSetTimeFlags::empty(),
            )
            .is_ok()
        {
            // The descriptor wakes the loop in time; this is a safety net.
            wait = Some(w + Duration::from_millis(1));
        }
        if self.out.is_blocked() {
            // The receiver wakes us when it drains; this is only a safety
            // net (timers still fire on time meanwhile).
            wait = Some(wait.map_or(STALL_RETRY, |w| w.min(STALL_RETRY)));
        }
        wait
    }

    /// Hands the batch over and requests one repaint for it.
    fn finish_batch(&mut self) {
        self.shared
            .open_sockets
            .store(self.sockets.len(), Ordering::Release);
        if !self.out.flush() {
            self.shared.stalled.store(true, Ordering::Release);
            // The receiver may have drained between our try and the flag:
            // retry once.
            if self.out.flush() {
                self.shared.stalled.store(false, Ordering::Release);
            }
        }
        if self.out.take_handed_over() {
            (self.repaint)();
        }
    }

    /// Applies the waiting commands, at most [`COMMANDS_PER_TURN`] of them
    /// (commands arriving faster than they are applied must not starve the
    /// sockets, the timers and the handing over of events). Returns, on
    /// shutdown, how long to wait to hand over the last events.
    fn drain_commands(&mut self) -> Option<Duration> {
        for _ in 0..COMMANDS_PER_TURN {
            match self.commands.try_recv() {
                Ok(Command::Shutdown { deliver_within }) => return Some(deliver_within),
                Ok(cmd) => self.apply(cmd),
                Err(TryRecvError::Empty) => return None,
                Err(TryRecvError::Disconnected) => return Some(Duration::ZERO),
            }
        }
        None
    }

    fn apply(&mut self, cmd: Command) {
        match cmd {
            Command::Open { id, spec } => self.open(id, spec),
            Command::Send { id, bytes, to } => self.request(id, Request::Send { bytes, to }),
            Command::Close { id, how } => {
                // A client waiting to connect again has no descriptor.
                if !self.sockets.contains_key(&id) && self.reconnect.remove(&id).is_some() {
                    let reason = if how == CloseHow::Reset {
                        CloseReason::Reset
                    } else {
                        CloseReason::ByUser
                    };
                    self.close_with(id, reason, 0);
                } else {
                    self.request(id, Request::Close(how));
                }
            }
            Command::SetReconnect { id, backoff } => match backoff {
                Some(backoff) => {
                    let spec = self.reconnect.remove(&id).and_then(|r| r.spec);
                    self.reconnect.insert(
                        id,
                        Reconnect {
                            backoff,
                            spec,
                            attempt: 0,
                            timer: None,
                        },
                    );
                }
                None => {
                    self.reconnect.remove(&id);
                }
            },
            Command::Configure { id, option } => self.request(id, Request::Configure(option)),
            Command::QueryTcpInfo { id } => self.request(id, Request::QueryTcpInfo),
            Command::QueryKernelState { id, local, peer } => {
                // A kernel that cannot be asked (not Linux) leaves the view
                // without it; nothing else depends on it.
                if let Ok(state) = super::sock_diag::state_of(local, peer) {
                    self.out.emit(id, EventKind::KernelState(state));
                }
            }
            Command::QueryPort { id, port } => {
                if let Ok(sockets) = super::sock_diag::sockets_on_port(port) {
                    self.out.emit(id, EventKind::PortState(sockets));
                }
            }
            Command::Resolved { id, result } => self.request(id, Request::Resolved(result)),
            Command::SendEvery {
                id,
                slot,
                payload,
                to,
                every,
                count,
            } => self.start_periodic(id, slot, payload, to, every, count),
            Command::SendLater {
                id,
                bytes,
                to,
                after,
            } => {
                if self.sockets.contains_key(&id) {
                    let key = self
                        .timers
                        .schedule(Instant::now() + after, id, TimerKind::Reply);
                    self.delayed.insert(key, (id, bytes, to));
                }
            }
            Command::CancelLater { id } => self.delayed.retain(|_, (i, _, _)| *i != id),
            Command::StopSending { id, slot } => self.stop_periodic(id, slot, PeriodicStop::ByUser),
            Command::SetReceiveHook { id, hook } => match hook {
                Some(h) if self.sockets.contains_key(&id) => {
                    self.hooks.insert(id, h);
                }
                _ => {
                    self.hooks.remove(&id);
                }
            },
            Command::WatchWritable { id, below } => {
                if self.sockets.contains_key(&id) {
                    self.watch_writable.insert(id, below);
                    self.check_writable(id);
                }
            }
            Command::SendFile { id, file } => self.start_file(id, &file),
            Command::CancelFile { id } => self.end_file(id, FileEnd::Cancelled),
            Command::PauseReading { id, for_ } => self.pause_reading(id, for_),
            Command::ResumeReading { id } => self.resume_reading(id),
            Command::Shutdown { .. } => {}
        }
    }

    /// Runs `f` with a context for socket `id`; returns its result and the
    /// work it left. `hook`: the receive hook in force for the socket.
    fn with_cx<R>(
        &mut self,
        id: SocketId,
        hook: Option<&mut (dyn ReceiveHook + 'static)>,
        f: impl FnOnce(&mut Cx<'_>) -> R,
    ) -> (R, Vec<After>) {
        let mut after = Vec::new();
        let shared = Arc::clone(&self.shared);
        let next_id = move || shared.allocate_id();
        let r = {
            let mut cx = Cx {
                id,
                out: &mut self.out,
                timers: &mut self.timers,
                registry: self.poll.registry(),
                next_id: &next_id,
                after: &mut after,
                hook,
            };
            f(&mut cx)
        };
        (r, after)
    }

    /// Runs `f` on socket `id`'s endpoint (`None` if it is gone), then
    /// the work it left.
    fn dispatch<R>(
        &mut self,
        id: SocketId,
        f: impl FnOnce(&mut dyn Endpoint, &mut Cx<'_>) -> R,
    ) -> Option<R> {
        let mut slot = self.sockets.remove(&id)?;
        let owner = if self.hooks.contains_key(&id) {
            Some(id)
        } else {
            slot.ep.parent().filter(|p| self.hooks.contains_key(p))
        };
        let mut hook = owner.and_then(|o| self.hooks.remove(&o));
        let (r, after) = self.with_cx(id, hook.as_deref_mut(), |cx| f(slot.ep.as_mut(), cx));
        if let (Some(o), Some(h)) = (owner, hook) {
            self.hooks.insert(o, h);
        }
        self.sockets.insert(id, slot);
        self.check_writable(id);
        self.run_after(after);
        self.feed_file(id);
        Some(r)
    }

    /// Carries out the work endpoints left, in order.
    fn run_after(&mut self, after: Vec<After>) {
        for a in after {
            match a {
                After::Adopt { id, endpoint } => {
                    self.sockets.insert(
                        id,
                        Slot {
                            ep: endpoint,
                            budget: READS_PER_TURN,
                            read_pending: false,
                        },
                    );
                }
                After::Close { id, reason, unsent } => self.close_with(id, reason, unsent),
                After::Request { id, request } => self.request(id, request),
                After::Resolve { id, host, port } => self.resolve(id, host, port),
                After::Delay { at, id, bytes, to } => {
                    let key = self.timers.schedule(at, id, TimerKind::Reply);
                    self.delayed.insert(key, (id, bytes, to));
                }
            }
        }
    }

    /// Hands a request to a socket; a send to a socket that is gone is
    /// refused with an error.
    fn request(&mut self, id: SocketId, request: Request) {
        let sent = matches!(request, Request::Send { .. });
        if self
            .dispatch(id, |ep, cx| ep.request(cx, request))
            .is_none()
            && sent
        {
            let e = NetError::refused(
                NetOp::Send,
                io::ErrorKind::NotConnected,
                None,
                Why::SocketClosed(id),
            );
            self.out.emit(id, EventKind::Failed(e));
        }
    }

    fn open(&mut self, id: SocketId, spec: SocketSpec) {
        if let Some(r) = self.reconnect.get_mut(&id) {
            r.spec = Some(spec.clone());
        }
        let budget = if spec.kind().is_datagram() {
            DGRAM_READS_PER_TURN
        } else {
            READS_PER_TURN
        };
        let (made, after) = self.with_cx(id, None, |cx| -> Result<Box<dyn Endpoint>, NetError> {
            Ok(match spec {
                SocketSpec::TcpListen {
                    addr,
                    backlog,
                    reuse_addr,
                } => Box::new(tcp::listen(cx, addr, backlog, reuse_addr)?),
                SocketSpec::TcpConnect { host, port } => Box::new(Conn::client(cx, host, port)),
                SocketSpec::Udp {
                    addr,
                    default_peer,
                    recv_bytes,
                } => Box::new(dgram::bind_udp(cx, addr, default_peer, recv_bytes)?),
                SocketSpec::UnixListen {
                    path,
                    backlog,
                    remove_stale,
                } => Box::new(unix::listen(cx, &path, backlog, remove_stale)?),
                SocketSpec::UnixConnect { path } => {
                    let c: Connected = unix::connect(cx, &path)?;
                    Box::new(c)
                }
                SocketSpec::UnixDgram {
                    path,
                    peer,
                    recv_bytes,
                    remove_stale,
                } => Box::new(dgram::bind_unix(cx, path, peer, recv_bytes, remove_stale)?),
            })
        });
        match made {
            Ok(ep) => {
                self.sockets.insert(
                    id,
                    Slot {
                        ep,
                        budget,
                        read_pending: false,
                    },
                );
                // A Unix client is connected at once; data may wait already.
                self.mark_readable(id);
            }
            Err(e) => {
                self.out.emit(id, EventKind::Failed(e.clone()));
                self.close_with(id, CloseReason::Error(Box::new(e)), 0);
            }
        }
        self.run_after(after);
    }

    /// Looks a host name up on a helper thread (`getaddrinfo` blocks).
    fn resolve(&mut self, id: SocketId, host: String, port: u16) {
        let tx = self.command_tx.clone();
        let waker = Arc::clone(&self.waker);
        let name = host.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("sockbench-dns-{}", id.0))
            .spawn(move || {
                let result = tcp::resolve(&name, port);
                // The engine may have shut down meanwhile; then nobody listens.
                if tx.send(Command::Resolved { id, result }).is_ok() {
                    let _ = waker.wake();
                }
            });
        if let Err(e) = spawned {
            let err = NetError::from_io(NetOp::Resolve, &e, Some(&host));
            self.request(id, Request::Resolved(Err(err)));
        }
    }

    /// Notes that a socket may have data (or an error) to read.
    fn mark_readable(&mut self, id: SocketId) {
        if let Some(slot) = self.sockets.get_mut(&id)
            && !slot.read_pending
            && slot.ep.wants_reads()
        {
            slot.read_pending = true;
            self.pending_reads.push_back(id);
        }
    }

    /// Reads from ready sockets, round robin, while the receiver keeps up.
    fn service_reads(&mut self) {
        let mut buf = std::mem::take(&mut self.buf);
        let mut turns = self.pending_reads.len();
        while turns > 0 && self.out.has_room() {
            turns -= 1;
            let Some(id) = self.pending_reads.pop_front() else {
                break;
            };
            let Some(budget) = self.sockets.get(&id).map(|s| s.budget) else {
                continue;
            };
            let more = if self.paused.contains_key(&id) {
                // Resuming marks it readable again.
                false
            } else {
                self.dispatch(id, |ep, cx| ep.read(cx, &mut buf, budget))
                    .unwrap_or(false)
            };
            if let Some(slot) = self.sockets.get_mut(&id) {
                if more {
                    self.pending_reads.push_back(id);
                } else {
                    slot.read_pending = false;
                }
            }
        }
        self.buf = buf;
    }

    /// Runs every timer that is due. A timer the socket no longer wants
    /// (its key is not the one the socket holds) is ignored.
    fn fire_timers(&mut self) {
        let now = Instant::now();
        while let Some(due) = self.timers.pop_due(now) {
            match due.kind {
                TimerKind::Periodic(slot) => self.tick(due.id, slot, due.key),
                TimerKind::Reply => {
                    if let Some((id, bytes, to)) = self.delayed.remove(&due.key) {
                        self.request(id, Request::Send { bytes, to });
                    }
                }
                TimerKind::Reconnect => {
                    let spec = self
                        .reconnect
                        .get_mut(&due.id)
                        .filter(|r| r.timer == Some(due.key))
                        .and_then(|r| {
                            r.timer = None;
                            r.spec.clone()
                        });
                    if let Some(spec) = spec {
                        self.open(due.id, spec);
                    }
                }
                TimerKind::FileGap => {
                    if let Some(f) = self.files.get_mut(&due.id)
                        && f.timer == Some(due.key)
                    {
                        f.timer = None;
                        self.feed_file(due.id);
                    }
                }
                TimerKind::ResumeReading => {
                    if self.paused.get(&due.id) == Some(&Some(due.key)) {
                        self.resume_reading(due.id);
                    }
                }
                kind => {
                    let _ = self.dispatch(due.id, |ep, cx| ep.timer(cx, kind, due.key));
                }
            }
        }
    }

    /// Reports the socket's queue once it is short enough, if asked to.
    fn check_writable(&mut self, id: SocketId) {
        let Some(&below) = self.watch_writable.get(&id) else {
            return;
        };
        let Some(queued) = self.sockets.get(&id).map(|s| s.ep.queued_bytes()) else {
            return;
        };
        if queued <= below {
            self.watch_writable.remove(&id);
            self.out.emit(id, EventKind::Writable { queued });
        }
    }

    /// Starts sending a file on socket `id` (refused, with a `Failed`
    /// event, for a listener, a socket already sending one, or a file that
    /// cannot be opened).
    fn start_file(&mut self, id: SocketId, spec: &FileSend) {
        let path = spec.path.display().to_string();
        let refuse = |why| NetError::refused(NetOp::Send, io::ErrorKind::InvalidInput, None, why);
        let error = match self.sockets.get(&id) {
            None => Some(NetError::refused(
                NetOp::Send,
                io::ErrorKind::NotConnected,
                None,
                Why::SocketClosed(id),
            )),
            Some(_) if self.files.contains_key(&id) => Some(refuse(Why::FileInProgress)),
            Some(s) if s.ep.is_listener() => Some(refuse(Why::FileToListener)),
            Some(s) => match FileJob::open(spec, s.ep.is_datagram()) {
                Ok(job) => {
                    let total = job.total;
                    self.files.insert(id, job);
                    self.out
                        .emit(id, EventKind::FileProgress { sent: 0, total });
                    None
                }
                Err(e) => Some(NetError::from_io(NetOp::OpenFile, &e, Some(&path))),
            },
        };
        match error {
            Some(e) => self.out.emit(id, EventKind::Failed(e)),
            None => self.feed_file(id),
        }
    }

    /// Hands socket `id`'s file its next pieces while its queue has room
    /// (one datagram per gap), and reports progress and the end.
    fn feed_file(&mut self, id: SocketId) {
        if self.feeding || !self.files.contains_key(&id) {
            return;
        }
        self.feeding = true;
        // Bytes handed this turn: past the bound, the rest waits for the
        // next turn of the loop (other sockets go first).
        let mut turn = 0usize;
        while let Some(s) = self.sockets.get(&id) {
            let queued = s.ep.queued_bytes();
            let Some(job) = self.files.get_mut(&id) else {
                break;
            };
            if !job.eof && !s.ep.can_send(job.to.as_ref()) {
                let why = if s.ep.is_datagram() {
                    Why::NoDestination
                } else {
                    Why::WriteShut
                };
                let e = NetError::refused(NetOp::Send, io::ErrorKind::NotConnected, None, why);
                self.feeding = false;
                return self.end_file(id, FileEnd::Failed(e));
            }
            if turn >= FILE_QUEUE_BYTES && job.timer.is_none() {
                job.timer = Some(self.timers.schedule(Instant::now(), id, TimerKind::FileGap));
                break;
            }
            match job.next(queued) {
                Ok(Step::Send(bytes)) => {
                    turn += bytes.len();
                    let to = job.to.clone();
                    let gap = job.gap();
                    if let Some(gap) = gap {
                        job.timer = Some(self.timers.schedule(
                            Instant::now() + gap,
                            id,
                            TimerKind::FileGap,
                        ));
                    }
                    self.request(id, Request::Send { bytes, to });
                }
                Ok(Step::Wait) => {
                    if job.report_due() {
                        let (sent, total) = (job.sent(queued), job.total);
                        self.out.emit(id, EventKind::FileProgress { sent, total });
                    }
                    break;
                }
                Ok(Step::Done) => {
                    self.feeding = false;
                    return self.end_file(id, FileEnd::Sent);
                }
                Err(e) => {
                    let e = NetError::from_io(NetOp::ReadFile, &e, None);
                    self.feeding = false;
                    return self.end_file(id, FileEnd::Failed(e));
                }
            }
        }
        self.feeding = false;
    }

    /// Ends socket `id`'s file send, if it has one, and says how.
    fn end_file(&mut self, id: SocketId, end: FileEnd) {
        let Some(job) = self.files.remove(&id) else {
            return;
        };
        let sent = job.sent(self.unsent_of(id));
        let sent = if end == FileEnd::Sent {
            job.handed
        } else {
            sent
        };
        self.out.emit(
            id,
            EventKind::FileDone {
                sent,
                total: job.total,
                end,
            },
        );
    }

    fn pause_reading(&mut self, id: SocketId, for_: Option<Duration>) {
        if !self.sockets.contains_key(&id) {
            return;
        }
        let timer = for_.map(|d| {
            self.timers
                .schedule(Instant::now() + d, id, TimerKind::ResumeReading)
        });
        self.paused.insert(id, timer);
        self.out.emit(
            id,
            EventKind::Reading {
                on: false,
                paused_for: for_,
            },
        );
    }

    fn resume_reading(&mut self, id: SocketId) {
        if self.paused.remove(&id).is_none() {
            return;
        }
        self.out.emit(
            id,
            EventKind::Reading {
                on: true,
                paused_for: None,
            },
        );
        // What arrived meanwhile gave no new edge: read it now.
        self.mark_readable(id);
    }

    fn start_periodic(
        &mut self,
        id: SocketId,
        slot: u32,
        payload: Payload,
        to: Option<Addr>,
        every: Duration,
        count: Option<u64>,
    ) {
        if !self.sockets.contains_key(&id) {
            return;
        }
        let now = Instant::now();
        let timer = self.timers.schedule(now, id, TimerKind::Periodic(slot));
        let p = Periodic::new(slot, payload, to, every, count, now, timer);
        self.out.emit(id, EventKind::Periodic(p.status(true, None)));
        self.periodic.insert((id, slot), p);
    }

    /// Stops one periodic send of a socket (or all: `slot` `None`), saying why.
    fn stop_periodic(&mut self, id: SocketId, slot: Option<u32>, why: PeriodicStop) {
        let mut slots: Vec<u32> = self
            .periodic
            .keys()
            .filter(|(i, s)| *i == id && slot.is_none_or(|want| want == *s))
            .map(|(_, s)| *s)
            .collect();
        slots.sort_unstable();
        for s in slots {
            if let Some(p) = self.periodic.remove(&(id, s)) {
                self.out
                    .emit(id, EventKind::Periodic(p.status(false, Some(why))));
            }
        }
    }

    /// A tick of a periodic send is due: send once, set the next tick on
    /// the grid.
    fn tick(&mut self, id: SocketId, slot: u32, key: TimerKey) {
        let Some(p) = self.periodic.get(&(id, slot)) else {
            return;
        };
        if p.timer != key {
            return;
        }
        match self.sockets.get(&id) {
            None => return self.stop_periodic(id, Some(slot), PeriodicStop::SocketClosed),
            Some(s) if !s.ep.can_send(p.to()) => {
                return self.stop_periodic(id, Some(slot), PeriodicStop::CannotSend);
            }
            Some(_) => {}
        }
        let queued = self.unsent_of(id);
        let Some(p) = self.periodic.get_mut(&(id, slot)) else {
            return;
        };
        let bytes = p.bytes();
        if queued + bytes.len() > MAX_SEND_QUEUE_BYTES {
            return self.stop_periodic(id, Some(slot), PeriodicStop::QueueFull);
        }
        let to = p.to().cloned();
        let step = p.advance(Instant::now());
        match step.next_at {
            Some(at) => p.timer = self.timers.schedule(at, id, TimerKind::Periodic(slot)),
            None => {
                self.periodic.remove(&(id, slot));
            }
        }
        self.request(id, Request::Send { bytes, to });
        if let Some(status) = step.report {
            self.out.emit(id, EventKind::Periodic(status));
        }
    }

    /// Bytes queued on a socket that never went out.
    fn unsent_of(&self, id: SocketId) -> usize {
        self.sockets.get(&id).map_or(0, |s| s.ep.queued_bytes())
    }

    /// A reconnecting client's connection ended: closes its descriptor,
    /// keeps everything else (its id, rules), reports the wait and sets the
    /// timer. Returns false if the socket does not reconnect.
    fn wait_to_reconnect(&mut self, id: SocketId) -> bool {
        let Some(r) = self.reconnect.get(&id) else {
            return false;
        };
        if r.spec.is_none() || !self.sockets.contains_key(&id) {
            return false;
        }
        let mut slot = match self.sockets.remove(&id) {
            Some(slot) => slot,
            None => return false,
        };
        let attempt = if slot.ep.connected() {
            1
        } else {
            r.attempt + 1
        };
        let after = r.backoff.wait(attempt);
        self.stop_periodic(id, None, PeriodicStop::SocketClosed);
        self.end_file(id, FileEnd::SocketClosed);
        self.watch_writable.remove(&id);
        self.paused.remove(&id);
        self.delayed.retain(|_, (i, _, _)| *i != id);
        self.pending_reads.retain(|&p| p != id);
        let (_, work) = self.with_cx(id, None, |cx| slot.ep.close_fd(cx));
        drop(slot);
        self.run_after(work);
        let key = self
            .timers
            .schedule(Instant::now() + after, id, TimerKind::Reconnect);
        if let Some(r) = self.reconnect.get_mut(&id) {
            r.attempt = attempt;
            r.timer = Some(key);
        }
        self.out
            .emit(id, EventKind::Reconnecting { attempt, after });
        true
    }

    /// Drops the socket (closing it, and a listener's connections) and
    /// reports `Closed`.
    fn close_with(&mut self, id: SocketId, reason: CloseReason, unsent_bytes: usize) {
        if matches!(reason, CloseReason::PeerClosed | CloseReason::Error(_))
            && self.wait_to_reconnect(id)
        {
            return;
        }
        self.reconnect.remove(&id);
        self.stop_periodic(id, None, PeriodicStop::SocketClosed);
        self.end_file(id, FileEnd::SocketClosed);
        self.hooks.remove(&id);
        self.watch_writable.remove(&id);
        self.paused.remove(&id);
        self.delayed.retain(|_, (i, _, _)| *i != id);
        if let Some(mut slot) = self.sockets.remove(&id) {
            let parent = slot.ep.parent();
            if let Some(h) = parent.and_then(|p| self.hooks.get_mut(&p)) {
                h.closed(id);
            }
            let (children, after) = self.with_cx(id, None, |cx| slot.ep.close_fd(cx));
            if let Some(p) = parent.and_then(|p| self.sockets.get_mut(&p)) {
                p.ep.child_gone(id);
            }
            drop(slot);
            for child in children {
                let unsent = self.unsent_of(child);
                self.close_with(child, CloseReason::ListenerClosed, unsent);
            }
            self.run_after(after);
        }
        self.out.emit(
            id,
            EventKind::Closed {
                reason,
                unsent_bytes,
            },
        );
    }

    fn shutdown_all(&mut self, reason: CloseReason) {
        let mut ids: Vec<SocketId> = self.sockets.keys().copied().collect();
        ids.sort();
        for id in ids {
            if self.sockets.contains_key(&id) {
                let unsent = self.unsent_of(id);
                self.close_with(id, reason.clone(), unsent);
            }
        }
    }
}
