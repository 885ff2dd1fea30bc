//! The engine's poll loop: owns every socket, applies commands, turns
//! readiness into reads and writes, and hands events to the UI in bounded
//! batches. When the UI falls behind, reading stops (TCP backpressure); no
//! received byte is ever dropped here.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime};

use crossbeam_channel::{Receiver, Sender, TryRecvError, TrySendError};
use mio::{Events, Interest, Poll, Token};
use nix::sys::time::TimeSpec;
use nix::sys::timerfd::{ClockId, Expiration, TimerFd, TimerFlags, TimerSetTimeFlags};
use std::os::fd::AsFd;

use super::addr::Addr;
use super::call::{CallOk, SockCall};
use super::error::{NetError, NetOp, Why};
use super::message::{
    CloseHow, CloseReason, Command, Event, EventKind, PeriodicStop, SocketId, SocketSpec,
};
use super::periodic::{self, Periodic};
use super::tcp::{self, Connecting, Listener, Stream};
use super::timer::{TimerKind, Timers};
use super::udp::{self, Udp};
use super::{RepaintFn, Shared};

/// The token of the waker that signals new commands.
pub(crate) const WAKER_TOKEN: Token = Token(usize::MAX);
/// The token of the timer descriptor that wakes the loop for a near timer.
const TIMER_TOKEN: Token = Token(usize::MAX - 1);
/// Timers closer than this are woken by the timer descriptor (to the
/// microsecond); `epoll_wait` alone counts in whole milliseconds, which
/// made a 1 ms periodic send miss one tick in nine.
const PRECISE_TIMER_WITHIN: Duration = Duration::from_millis(50);
/// A batch is handed over once it holds this many events...
const BATCH_MAX_EVENTS: usize = 4096;
/// ...or this many payload bytes.
pub(crate) const BATCH_MAX_BYTES: usize = 1024 * 1024;
/// How long a stalled engine waits before retrying on its own.
const STALL_RETRY: Duration = Duration::from_millis(50);
/// Reads from one socket before moving on to the next (fairness).
const READS_PER_TURN: usize = 4;
/// Datagrams from one UDP socket per turn (bounded by the batch size too).
const UDP_READS_PER_TURN: usize = 256;
/// Commands applied per loop turn before the sockets get their turn.
const COMMANDS_PER_TURN: usize = 256;
/// How long a TCP connect may take.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// One socket the engine owns.
pub(crate) enum Sock {
    /// A TCP client waiting for DNS.
    Resolving,
    /// A TCP client whose connect is in flight.
    Connecting(Connecting),
    /// A listening TCP socket.
    Listener(Listener),
    /// A connected TCP stream (client or accepted).
    Stream(Stream),
    /// A UDP socket.
    Udp(Udp),
}

/// Events on their way to the UI.
pub(crate) struct Outbox {
    tx: Sender<Vec<Event>>,
    batch: Vec<Event>,
    batch_bytes: usize,
    /// A full batch the channel had no room for.
    blocked: Option<Vec<Event>>,
    /// Whether anything was handed over since the last repaint request.
    handed_over: bool,
}

impl Outbox {
    /// Queues an event for the UI.
    pub(crate) fn emit(&mut self, id: SocketId, kind: EventKind) {
        if let EventKind::Received { bytes, .. } | EventKind::Sent { bytes, .. } = &kind {
            self.batch_bytes += bytes.len();
        }
        self.batch.push(Event {
            id,
            time: SystemTime::now(),
            kind,
        });
        if self.batch_full() && self.blocked.is_none() {
            self.blocked = Some(self.take_batch());
            self.flush();
        }
    }

    fn take_batch(&mut self) -> Vec<Event> {
        self.batch_bytes = 0;
        std::mem::replace(&mut self.batch, Vec::with_capacity(64))
    }

    fn batch_full(&self) -> bool {
        self.batch.len() >= BATCH_MAX_EVENTS || self.batch_bytes >= BATCH_MAX_BYTES
    }

    /// Whether reading more data is allowed (the UI is keeping up).
    pub(crate) fn has_room(&self) -> bool {
        !(self.blocked.is_some() && self.batch_full())
    }

    /// Hands what it can to the UI. Returns false when the UI is behind.
    fn flush(&mut self) -> bool {
        if let Some(b) = self.blocked.take()
            && !self.hand_over(b)
        {
            return false;
        }
        if self.batch.is_empty() {
            return true;
        }
        let b = self.take_batch();
        self.hand_over(b)
    }

    /// On shutdown: hands over the batch kept aside and the rest (the
    /// sockets' last words, their `Closed` among them), waiting up to
    /// `wait` for room for each: as long as the receiver keeps taking
    /// batches, nothing is left behind.
    fn deliver_rest(&mut self, wait: Duration) {
        let mut batches: Vec<Vec<Event>> = self.blocked.take().into_iter().collect();
        if !self.batch.is_empty() {
            batches.push(self.take_batch());
        }
        for b in batches {
            match self.tx.send_timeout(b, wait) {
                Ok(()) => self.handed_over = true,
                // Nobody took one in time, or nobody is there.
                Err(_) => return,
            }
        }
    }

    /// Sends one batch, or keeps it aside when the channel is full.
    fn hand_over(&mut self, batch: Vec<Event>) -> bool {
        match self.tx.try_send(batch) {
            Ok(()) => {
                self.handed_over = true;
                true
            }
            Err(TrySendError::Full(b)) => {
                self.blocked = Some(b);
                false
            }
            // The UI is gone; nobody will read these.
            Err(TrySendError::Disconnected(_)) => true,
        }
    }
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
    pub(crate) out: Outbox,
    pub(crate) sockets: HashMap<SocketId, Sock>,
    /// Sockets that may have more to read (edge-triggered readiness not yet
    /// drained to `WouldBlock`).
    pending_reads: VecDeque<SocketId>,
    /// Every deadline: connects that give up, accept retries, periodic sends.
    pub(crate) timers: Timers,
    /// The periodic sends running, by socket.
    pub(crate) periodic: HashMap<SocketId, Periodic>,
    /// Wakes the loop for a near timer (`None` if it could not be made:
    /// then timers are only as precise as `epoll_wait`'s milliseconds).
    timerfd: Option<TimerFd>,
    buf: Vec<u8>,
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
            out: Outbox {
                tx: events,
                batch: Vec::with_capacity(64),
                batch_bytes: 0,
                blocked: None,
                handed_over: false,
            },
            sockets: HashMap::new(),
            pending_reads: VecDeque::new(),
            timers: Timers::default(),
            periodic: HashMap::new(),
            timerfd: None,
            buf: vec![0; udp::MAX_RECV_BYTES.max(super::DEFAULT_TCP_READ_BYTES)],
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
                self.shutdown_all(CloseReason::Error(NetError::from_io(
                    NetOp::Engine,
                    &e,
                    None,
                )));
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
                self.on_ready(SocketId(ev.token().0 as u64), ev);
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
        if self.out.blocked.is_some() {
            // The UI wakes us when it drains; this is only a safety net
            // (timers still fire on time meanwhile).
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
            // The UI may have drained between our try and the flag: retry once.
            if self.out.flush() {
                self.shared.stalled.store(false, Ordering::Release);
            }
        }
        if std::mem::take(&mut self.out.handed_over) {
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
            Command::Send { id, bytes, to } => self.send(id, bytes, to),
            Command::Close { id, how } => self.close_cmd(id, how),
            Command::Configure { id, option } => match self.sockets.get(&id) {
                Some(Sock::Udp(_)) => udp::configure(self, id, option),
                Some(_) => tcp::configure(self, id, option),
                None => {}
            },
            Command::QueryTcpInfo { id } => tcp::query_info(self, id),
            Command::QueryKernelState { id, local, peer } => {
                // A kernel that cannot be asked (not Linux) leaves the view
                // without it; nothing else depends on it.
                if let Ok(state) = super::sock_diag::state_of(local, peer) {
                    self.out.emit(id, EventKind::KernelState(state));
                }
            }
            Command::Resolved { id, result } => self.resolved(id, result),
            Command::SendEvery {
                id,
                bytes,
                to,
                every,
                count,
            } => periodic::start(self, id, bytes, to, every, count),
            Command::StopSending { id } => periodic::stop(self, id, PeriodicStop::ByUser),
            Command::Shutdown { .. } => {}
        }
    }

    /// Registers `source` for `interest` under the socket's id.
    pub(crate) fn register(
        &self,
        id: SocketId,
        source: &mut impl mio::event::Source,
        interest: Interest,
    ) -> io::Result<()> {
        self.poll
            .registry()
            .register(source, Token(id.0 as usize), interest)
    }

    fn open(&mut self, id: SocketId, spec: SocketSpec) {
        let opened = match spec {
            SocketSpec::TcpListen {
                addr,
                backlog,
                reuse_addr,
            } => tcp::listen(self, id, addr, backlog, reuse_addr),
            SocketSpec::TcpConnect { host, port } => {
                self.start_connect(id, host, port);
                return;
            }
            SocketSpec::Udp {
                addr,
                default_peer,
                recv_bytes,
            } => udp::bind(self, id, addr, default_peer, recv_bytes),
        };
        match opened {
            Ok(sock) => {
                self.sockets.insert(id, sock);
            }
            Err(e) => self.fail_and_close(id, e, 0),
        }
    }

    fn start_connect(&mut self, id: SocketId, host: String, port: u16) {
        let literal = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>();
        if let Ok(ip) = literal {
            self.try_connect(id, VecDeque::from([std::net::SocketAddr::new(ip, port)]));
            return;
        }
        self.out
            .emit(id, EventKind::Resolving { host: host.clone() });
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
        match spawned {
            Ok(_) => {
                self.sockets.insert(id, Sock::Resolving);
            }
            Err(e) => {
                self.fail_and_close(id, NetError::from_io(NetOp::Resolve, &e, Some(&host)), 0)
            }
        }
    }

    fn resolved(&mut self, id: SocketId, result: Result<Vec<std::net::SocketAddr>, NetError>) {
        // Only a client still waiting for DNS goes on; one closed meanwhile
        // drops the answer.
        if !matches!(self.sockets.get(&id), Some(Sock::Resolving)) {
            return;
        }
        self.sockets.remove(&id);
        match result {
            Ok(addrs) => self.try_connect(id, addrs.into()),
            Err(e) => self.fail_and_close(id, e, 0),
        }
    }

    /// Tries the next address of a client; on the last failure, fails.
    pub(crate) fn try_connect(&mut self, id: SocketId, mut addrs: VecDeque<std::net::SocketAddr>) {
        let mut last_err = None;
        while let Some(addr) = addrs.pop_front() {
            match tcp::connect(self, id, addr) {
                Ok(mut conn) => {
                    conn.rest = addrs;
                    conn.timer = Some(self.timers.schedule(
                        Instant::now() + CONNECT_TIMEOUT,
                        id,
                        TimerKind::ConnectTimeout,
                    ));
                    self.out
                        .emit(id, EventKind::Connecting { peer: addr.into() });
                    self.sockets.insert(id, Sock::Connecting(conn));
                    return;
                }
                Err(e) => {
                    self.out.emit(id, EventKind::Failed(e.clone()));
                    last_err = Some(e);
                }
            }
        }
        let err = last_err.unwrap_or_else(|| {
            NetError::refused(
                NetOp::Resolve,
                io::ErrorKind::NotFound,
                None,
                Why::NoAddress,
            )
        });
        self.close_with(id, CloseReason::Error(err), 0);
    }

    fn on_ready(&mut self, id: SocketId, ev: &mio::event::Event) {
        let Some(sock) = self.sockets.get_mut(&id) else {
            return;
        };
        match sock {
            Sock::Resolving => {}
            Sock::Connecting(_) => tcp::on_connect_ready(self, id),
            Sock::Listener(_) => tcp::accept_all(self, id),
            Sock::Stream(s) => {
                if (ev.is_readable() || ev.is_read_closed() || ev.is_error()) && !s.read_closed() {
                    self.mark_readable(id);
                }
                if ev.is_writable() || ev.is_error() {
                    tcp::flush(self, id);
                }
            }
            Sock::Udp(_) => {
                if ev.is_readable() || ev.is_error() {
                    self.mark_readable(id);
                }
                if ev.is_writable() {
                    udp::flush(self, id);
                }
            }
        }
    }

    /// Notes that a socket has data (or an error) to read.
    pub(crate) fn mark_readable(&mut self, id: SocketId) {
        let flag = match self.sockets.get_mut(&id) {
            Some(Sock::Stream(s)) => &mut s.read_pending,
            Some(Sock::Udp(u)) => &mut u.read_pending,
            _ => return,
        };
        if !*flag {
            *flag = true;
            self.pending_reads.push_back(id);
        }
    }

    /// Reads from ready sockets, round robin, while the UI keeps up.
    fn service_reads(&mut self) {
        let mut turns = self.pending_reads.len();
        while turns > 0 && self.out.has_room() {
            turns -= 1;
            let Some(id) = self.pending_reads.pop_front() else {
                break;
            };
            let more = match self.sockets.get(&id) {
                Some(Sock::Stream(_)) => tcp::read_some(self, id, READS_PER_TURN),
                Some(Sock::Udp(_)) => udp::read_some(self, id, UDP_READS_PER_TURN),
                _ => false,
            };
            if more {
                self.pending_reads.push_back(id);
            } else {
                match self.sockets.get_mut(&id) {
                    Some(Sock::Stream(s)) => s.read_pending = false,
                    Some(Sock::Udp(u)) => u.read_pending = false,
                    _ => {}
                }
            }
        }
    }

    /// The read buffer (taken out so a socket can be borrowed beside it).
    pub(crate) fn take_buf(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }

    /// Returns the read buffer.
    pub(crate) fn put_buf(&mut self, buf: Vec<u8>) {
        self.buf = buf;
    }

    /// Runs every timer that is due. A timer the socket no longer wants
    /// (its key is not the one the socket holds) is ignored.
    fn fire_timers(&mut self) {
        let now = Instant::now();
        while let Some(due) = self.timers.pop_due(now) {
            match (due.kind, self.sockets.get_mut(&due.id)) {
                (TimerKind::ConnectTimeout, Some(Sock::Connecting(c)))
                    if c.timer == Some(due.key) =>
                {
                    tcp::connect_timed_out(self, due.id);
                }
                (TimerKind::AcceptRetry, Some(Sock::Listener(l))) if l.retry == Some(due.key) => {
                    l.retry = None;
                    tcp::accept_all(self, due.id);
                }
                (TimerKind::Periodic, _) => periodic::tick(self, due.id, due.key),
                _ => {}
            }
        }
    }

    /// Sends on socket `id` (to every client of a listener).
    pub(crate) fn send(&mut self, id: SocketId, bytes: Vec<u8>, to: Option<Addr>) {
        match self.sockets.get_mut(&id) {
            Some(Sock::Stream(_)) => tcp::send(self, id, bytes),
            Some(Sock::Udp(_)) => udp::send(self, id, bytes, to),
            Some(Sock::Listener(l)) => {
                let children: Vec<SocketId> = l.children.iter().copied().collect();
                if children.is_empty() {
                    self.refuse(id, NetOp::Send, io::ErrorKind::NotConnected, Why::NoClients);
                }
                for child in children {
                    tcp::send(self, child, bytes.clone());
                }
            }
            Some(Sock::Resolving | Sock::Connecting(_)) => {
                self.refuse(
                    id,
                    NetOp::Send,
                    io::ErrorKind::NotConnected,
                    Why::StillConnecting,
                );
            }
            None => {
                let e = NetError::refused(
                    NetOp::Send,
                    io::ErrorKind::NotConnected,
                    None,
                    Why::SocketClosed(id),
                );
                self.out.emit(id, EventKind::Failed(e));
            }
        }
    }

    fn close_cmd(&mut self, id: SocketId, how: CloseHow) {
        match (self.sockets.get_mut(&id), how) {
            (Some(Sock::Stream(_)), _) => tcp::close_stream(self, id, how),
            (Some(Sock::Listener(_)), _) => self.close_with(id, CloseReason::ByUser, 0),
            (Some(_), _) => {
                let unsent = self.unsent_of(id);
                let reason = if how == CloseHow::Reset {
                    CloseReason::Reset
                } else {
                    CloseReason::ByUser
                };
                self.close_with(id, reason, unsent);
            }
            (None, _) => {}
        }
    }

    /// Bytes queued on a socket that never went out.
    pub(crate) fn unsent_of(&self, id: SocketId) -> usize {
        match self.sockets.get(&id) {
            Some(Sock::Stream(s)) => s.queued_bytes(),
            Some(Sock::Udp(u)) => u.queued_bytes(),
            _ => 0,
        }
    }

    /// Reports `call` with the outcome of `res` (its text made by `ok`),
    /// and passes `res` on.
    pub(crate) fn step<T>(
        &mut self,
        id: SocketId,
        call: SockCall,
        res: Result<T, NetError>,
        ok: impl FnOnce(&T) -> CallOk,
    ) -> Result<T, NetError> {
        let result = match &res {
            Ok(v) => Ok(ok(v)),
            Err(e) => Err(e.clone()),
        };
        self.call(id, call, result);
        res
    }

    /// `bind()`s `sock` to `addr`, reported as a call.
    pub(crate) fn bind(
        &mut self,
        id: SocketId,
        sock: &socket2::Socket,
        addr: std::net::SocketAddr,
    ) -> Result<(), NetError> {
        let a = addr.to_string();
        self.step(
            id,
            SockCall::Bind(addr.into()),
            sock.bind(&addr.into())
                .map_err(|e| NetError::from_io(NetOp::Bind, &e, Some(&a))),
            |_| CallOk::Done,
        )
    }

    /// Reports a socket API call and its result (for the lesson view).
    pub(crate) fn call(&mut self, id: SocketId, call: SockCall, result: Result<CallOk, NetError>) {
        self.out.emit(id, EventKind::Call { call, result });
    }

    /// Reports that a command was refused (the socket stays as it was).
    pub(crate) fn refuse(&mut self, id: SocketId, op: NetOp, kind: io::ErrorKind, why: Why) {
        let e = NetError::refused(op, kind, None, why);
        self.out.emit(id, EventKind::Failed(e));
    }

    /// Reports `err`, then closes the socket because of it.
    pub(crate) fn fail_and_close(&mut self, id: SocketId, err: NetError, unsent: usize) {
        self.out.emit(id, EventKind::Failed(err.clone()));
        self.close_with(id, CloseReason::Error(err), unsent);
    }

    /// Drops the socket (closing it) and reports `Closed`.
    pub(crate) fn close_with(&mut self, id: SocketId, reason: CloseReason, unsent_bytes: usize) {
        periodic::stop(self, id, PeriodicStop::SocketClosed);
        if let Some(sock) = self.sockets.remove(&id) {
            if !matches!(sock, Sock::Resolving) {
                self.call(id, SockCall::Close, Ok(CallOk::Done));
            }
            if let Sock::Stream(s) = &sock
                && let Some(parent) = s.parent
                && let Some(Sock::Listener(l)) = self.sockets.get_mut(&parent)
            {
                l.children.remove(&id);
            }
            if let Sock::Listener(l) = sock {
                for child in l.children {
                    let unsent = self.unsent_of(child);
                    self.close_with(child, CloseReason::ListenerClosed, unsent);
                }
            }
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

    /// A fresh id for an accepted connection.
    pub(crate) fn allocate_id(&self) -> SocketId {
        self.shared.allocate_id()
    }
}
