//! Network benchmarks on loopback, each against a plain `std` baseline
//! measured in the same run:
//!
//! - **TCP ingest**: one sender streams into a Sockbench listener whose
//!   events are folded into a [`Model`] (log on, and counts only), against a
//!   plain `TcpListener` reading into a 64 KiB buffer.
//! - **UDP ingest**: one thread sends datagrams as fast as it can into a
//!   Sockbench UDP socket (drained into a [`Model`]), against a plain socket
//!   with the same receive buffer read by one thread.
//! - **Latency**: 32-byte ping-pongs through the engine against a plain
//!   blocking `TcpStream`, both to the same kind of echo peer.
//! - **Reply rules**: an outside client's ping-pongs answered by a
//!   Sockbench listener's reply rule, against a plain echo server.
//!
//! Every wait is bounded: a benchmark that cannot finish reports a failed
//! row saying why instead of hanging.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime};

use sockbench::engine::{
    DEFAULT_UDP_RCVBUF_BYTES, DEFAULT_UDP_RECV_BYTES, EngineHandle, Event, EventKind, SocketId,
    SocketSpec,
};
use sockbench::model::Model;
use sockbench::model::log::Retention;
use sockbench::pump::Pump;

use crate::common::{Row, cpu_time, percentile, quick};

/// How long one measured phase may take before it gives up.
const GIVE_UP: Duration = Duration::from_secs(60);
/// How long setting up (listening, binding, connecting, accepting) may take.
const SETUP: Duration = Duration::from_secs(10);
/// The log cap of the models the benchmarks drain into (the app's default).
const LOG_CAP: usize = 256 * 1024 * 1024;
/// The TCP sender's write size, and the baseline's read buffer.
const TCP_CHUNK: usize = 64 * 1024;
/// A UDP receiver stops once no datagram came for this long (after the
/// sender finished).
const UDP_QUIET: Duration = Duration::from_millis(300);
/// Ping-pong payload.
const PING_BYTES: usize = 32;
/// Ping-pongs before measuring.
const WARMUP_ROUNDS: usize = 1_000;

type Res<T> = Result<T, String>;

fn loopback0() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
}

/// A row that says a benchmark could not finish.
fn failed(bench: &str, what: &str, why: &str) -> Row {
    eprintln!("bench: {bench}: {what} FAILED: {why}");
    Row::info(bench, &format!("{what}: FAILED ({why})"), 0.0, "").target("completes", false)
}

/// Printable bytes (the log's text decoding takes its ASCII path, as for
/// a typical text protocol).
fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| b'a' + (i % 26) as u8).collect()
}

fn spawn<T: Send + 'static>(
    name: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Res<JoinHandle<T>> {
    thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .map_err(|e| format!("cannot start thread {name}: {e}"))
}

fn join<T>(h: JoinHandle<io::Result<T>>, what: &str) -> Res<T> {
    match h.join() {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(format!("{what}: {e}")),
        Err(_) => Err(format!("{what} panicked")),
    }
}

/// Accepts one connection within `timeout` (a blocking `accept` bounded by
/// `SO_RCVTIMEO` on the listener, which Linux applies to `accept`).
fn accept_within(l: &TcpListener, timeout: Duration) -> io::Result<TcpStream> {
    socket2::SockRef::from(l).set_read_timeout(Some(timeout))?;
    loop {
        match l.accept() {
            Ok((s, _)) => return Ok(s),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no connection within {timeout:?}"),
                ));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Waits for an event of socket `id` that `f` picks, folding every event
/// into `model`. A `Failed` or `Closed` for `id` first is an error.
fn wait_for_event<T>(
    engine: &EngineHandle,
    model: &mut Model,
    id: SocketId,
    what: &str,
    mut f: impl FnMut(&EventKind) -> Option<T>,
) -> Res<T> {
    let deadline = Instant::now() + SETUP;
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(format!("no {what} event within {SETUP:?}"));
        }
        let Some(batch) =
            engine.recv_batch_timeout((deadline - now).min(Duration::from_millis(50)))
        else {
            continue;
        };
        let mut found = None;
        for ev in batch {
            if ev.id == id && found.is_none() {
                match &ev.kind {
                    EventKind::Failed(e) => return Err(format!("{what}: {}", e.message())),
                    EventKind::Closed { reason, .. } => {
                        return Err(format!("{what}: closed: {reason}"));
                    }
                    k => found = f(k),
                }
            }
            model.apply(ev);
        }
        if let Some(v) = found {
            return Ok(v);
        }
    }
}

fn start_engine() -> Res<EngineHandle> {
    EngineHandle::spawn_headless().map_err(|e| format!("engine did not start: {e}"))
}

fn open(engine: &EngineHandle, model: &mut Model, spec: SocketSpec) -> Res<SocketId> {
    let id = engine
        .open(spec.clone())
        .map_err(|e| format!("open {spec}: {e}"))?;
    model.opening(id, &spec);
    Ok(id)
}

/// A listener on the engine on a free loopback port, listening.
fn engine_listener(engine: &EngineHandle, model: &mut Model) -> Res<(SocketId, SocketAddr)> {
    let spec = SocketSpec::TcpListen {
        addr: loopback0(),
        backlog: 16,
        reuse_addr: false,
    };
    let listener = open(engine, model, spec)?;
    let addr = wait_for_event(engine, model, listener, "listening", |k| match k {
        EventKind::Listening { local, .. } => local.ip(),
        _ => None,
    })?;
    Ok((listener, addr))
}

// ---------------------------------------------------------------- TCP ingest

const TCP: &str = "TCP ingest";

/// The sender both TCP receivers get: connect, write `total` bytes in 64 KiB
/// chunks, close.
fn tcp_sender(addr: SocketAddr, total: u64) -> Res<JoinHandle<io::Result<()>>> {
    spawn("bench-tcp-sender", move || {
        let mut s = TcpStream::connect_timeout(&addr, SETUP)?;
        // A receiver that gave up closes its end, which ends the writes;
        // this only bounds a receiver that hangs without closing.
        s.set_write_timeout(Some(GIVE_UP))?;
        let chunk = pattern(TCP_CHUNK);
        let mut left = total;
        while left > 0 {
            let n = left.min(TCP_CHUNK as u64) as usize;
            s.write_all(&chunk[..n])?;
            left -= n as u64;
        }
        s.shutdown(Shutdown::Write)
    })
}

/// How long a run took, and the CPU time the whole process used meanwhile
/// (every thread: sender, receiver, engine).
#[derive(Clone, Copy)]
struct Measured {
    wall: Duration,
    cpu: Duration,
}

impl Measured {
    fn since(start: Instant, cpu0: Duration) -> Self {
        Measured {
            wall: start.elapsed(),
            cpu: cpu_time().saturating_sub(cpu0),
        }
    }
}

/// Plain `std`: accept, read into a 64 KiB buffer until `total` bytes came.
fn tcp_baseline(total: u64) -> Res<Measured> {
    let l = TcpListener::bind(loopback0()).map_err(|e| format!("bind: {e}"))?;
    let addr = l.local_addr().map_err(|e| format!("local_addr: {e}"))?;
    let (start, cpu0) = (Instant::now(), cpu_time());
    let sender = tcp_sender(addr, total)?;
    let mut s = accept_within(&l, SETUP).map_err(|e| format!("accept: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(1)))
        .map_err(|e| format!("set_read_timeout: {e}"))?;
    let mut buf = vec![0u8; TCP_CHUNK];
    let mut got = 0u64;
    while got < total {
        if start.elapsed() > GIVE_UP {
            return Err(format!("only {got} of {total} bytes after {GIVE_UP:?}"));
        }
        match s.read(&mut buf) {
            Ok(0) => return Err(format!("sender closed after {got} of {total} bytes")),
            Ok(n) => got += n as u64,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(format!("read: {e}")),
        }
    }
    let m = Measured::since(start, cpu0);
    join(sender, "TCP sender")?;
    Ok(m)
}

/// What the log looked like after an engine run.
struct LogStats {
    evicted: u64,
    /// The most the log held after any batch.
    bytes_used: usize,
    cap: usize,
    skipped: u64,
}

/// Sockbench: a listener on the engine, every event folded into a model by
/// the app's own pump thread (as in the window).
fn tcp_engine(total: u64, retention: Retention) -> Res<(Measured, LogStats)> {
    let mut engine = start_engine()?;
    let mut model = Model::with_log_cap(LOG_CAP);
    model.log.set_retention(retention);
    let (listener, addr) = engine_listener(&engine, &mut model)?;
    let shared = Arc::new(parking_lot::Mutex::new(model));
    let mut pump = Pump::start(
        engine.event_source(),
        Arc::clone(&shared),
        Vec::new(),
        Box::new(|_| {}),
    )
    .map_err(|e| format!("pump: {e}"))?;
    let (start, cpu0) = (Instant::now(), cpu_time());
    let mut sender = Some(tcp_sender(addr, total)?);
    let mut max_used = 0;
    loop {
        {
            let m = shared.lock();
            let got: u64 = m.sessions[&listener]
                .children
                .iter()
                .map(|c| m.sessions[c].counters.bytes_in)
                .sum();
            max_used = max_used.max(m.log.bytes_used());
            if got >= total {
                break;
            }
            if start.elapsed() > GIVE_UP {
                return Err(format!("only {got} of {total} bytes after {GIVE_UP:?}"));
            }
        }
        // A sender that failed will never finish the stream.
        if sender.as_ref().is_some_and(|s| s.is_finished())
            && let Some(s) = sender.take()
        {
            join(s, "TCP sender")?;
        }
        thread::sleep(Duration::from_millis(1));
    }
    let m = Measured::since(start, cpu0);
    if let Some(s) = sender {
        join(s, "TCP sender")?;
    }
    engine.shutdown();
    pump.join();
    let model = shared.lock();
    let stats = LogStats {
        evicted: model.log.evicted_entries(),
        bytes_used: max_used.max(model.log.bytes_used()),
        cap: model.log.cap_bytes(),
        skipped: model.log.skipped_entries(),
    };
    Ok((m, stats))
}

fn gbit_per_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 * 8.0 / d.as_secs_f64() / 1e9
}

/// Runs of each kind, taking turns; each figure is the median.
const TCP_RUNS: usize = 5;

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// CPU milliseconds (all threads) per GiB moved.
fn cpu_ms_per_gib(bytes: u64, cpu: Duration) -> f64 {
    cpu.as_secs_f64() * 1e3 / (bytes as f64 / f64::from(1u32 << 30))
}

/// The runs of one kind: throughput and CPU cost of each.
#[derive(Default)]
struct Runs {
    gbit: Vec<f64>,
    cpu: Vec<f64>,
}

impl Runs {
    fn push(&mut self, total: u64, m: Measured) -> f64 {
        let g = gbit_per_s(total, m.wall);
        self.gbit.push(g);
        self.cpu.push(cpu_ms_per_gib(total, m.cpu));
        g
    }
}

/// TCP ingest: 2 GiB (quick: 64 MiB) into Sockbench vs plain `std`.
///
/// Three kinds of run (plain, Sockbench with the log on, Sockbench counting
/// only) take turns, [`TCP_RUNS`] times, so noise on the shared machine
/// falls on all of them; each figure is the median of its runs.
pub fn tcp_ingest() -> Vec<Row> {
    let total: u64 = if quick() { 64 << 20 } else { 2 << 30 };
    let mib = total >> 20;
    let (mut base, mut log_on, mut counts) = (Runs::default(), Runs::default(), Runs::default());
    let mut log_stats: Option<LogStats> = None;
    let mut cap_held = true;
    let mut skipped = 0;
    for run in 1..=TCP_RUNS {
        let b = match tcp_baseline(total) {
            Ok(m) => base.push(total, m),
            Err(e) => return vec![failed(TCP, &format!("{mib} MiB, baseline"), &e)],
        };
        let l = match tcp_engine(total, Retention::Everything) {
            Ok((m, log)) => {
                cap_held &= log.bytes_used <= log.cap;
                log_stats = Some(log);
                log_on.push(total, m)
            }
            Err(e) => return vec![failed(TCP, &format!("{mib} MiB (log on)"), &e)],
        };
        let c = match tcp_engine(total, Retention::CountsOnly) {
            Ok((m, log)) => {
                skipped = log.skipped;
                counts.push(total, m)
            }
            Err(e) => return vec![failed(TCP, &format!("{mib} MiB (counts only)"), &e)],
        };
        eprintln!(
            "bench: tcp run {run}/{TCP_RUNS}: plain {b:.2}, log on {l:.2}, counts only {c:.2} Gbit/s"
        );
    }
    let (base_gbit, base_cpu) = (median(base.gbit), median(base.cpu));
    let mut rows = Vec::new();
    for (label, runs) in [("log on", log_on), ("counts only", counts)] {
        let v = median(runs.gbit);
        rows.push(
            Row::vs(
                TCP,
                &format!("{mib} MiB, median of {TCP_RUNS} ({label})"),
                v,
                base_gbit,
                "Gbit/s",
            )
            .target("ratio ≥ 0.8", v / base_gbit >= 0.8),
        );
        let cpu = median(runs.cpu);
        rows.push(
            Row::vs(
                TCP,
                &format!("CPU, all threads, per GiB ({label})"),
                cpu,
                base_cpu,
                "ms",
            )
            .target("ratio ≤ 1.35", cpu / base_cpu <= 1.35),
        );
    }
    if let Some(log) = log_stats {
        rows.push(Row::info(
            TCP,
            "log entries evicted (log on, last run)",
            log.evicted as f64,
            "entries",
        ));
        let used = log.bytes_used as f64 / (1 << 20) as f64;
        let cap = log.cap as f64 / (1 << 20) as f64;
        rows.push(
            Row::vs(
                TCP,
                "log bytes used, most after any batch (baseline column: the cap)",
                used,
                cap,
                "MiB",
            )
            .target("used ≤ cap (every run)", cap_held),
        );
    }
    rows.push(Row::info(
        TCP,
        "data rows counted, not stored (counts only)",
        skipped as f64,
        "entries",
    ));
    rows
}

// ---------------------------------------------------------------- UDP ingest

const UDP: &str = "UDP ingest";

/// What the sender did.
struct Sent {
    sent: u64,
    errors: u64,
    elapsed: Duration,
}

/// The sender both UDP receivers get: `count` datagrams of `size` bytes,
/// `send_to` in a loop as fast as one thread can.
fn udp_sender(
    to: SocketAddr,
    count: u64,
    size: usize,
    done: Arc<AtomicBool>,
) -> Res<JoinHandle<io::Result<Sent>>> {
    spawn("bench-udp-sender", move || {
        let r = (|| {
            let s = UdpSocket::bind(loopback0())?;
            let payload = pattern(size);
            let start = Instant::now();
            let (mut sent, mut errors) = (0u64, 0u64);
            for i in 0..count {
                match s.send_to(&payload, to) {
                    Ok(_) => sent += 1,
                    Err(_) => errors += 1,
                }
                if i % 4096 == 0 && start.elapsed() > GIVE_UP {
                    break;
                }
            }
            Ok(Sent {
                sent,
                errors,
                elapsed: start.elapsed(),
            })
        })();
        done.store(true, Ordering::Release);
        r
    })
}

/// What a receiver got.
struct Got {
    received: u64,
    /// From the sender's start to the last datagram taken.
    active: Duration,
    /// Sockbench only: the kernel's drop count as the socket reported it.
    kernel_drops: u64,
}

/// One run: the sender's figures, the receiver's and the granted buffer.
struct UdpRun {
    sent: Sent,
    got: Got,
    rcvbuf: usize,
}

/// Plain: a socket2 UDP socket with the engine's receive buffer request,
/// read by one thread with `recv_from` into a buffer as large as the
/// engine's default receive size.
fn udp_plain(count: u64, size: usize) -> Res<UdpRun> {
    use socket2::{Domain, Protocol, Socket, Type};
    let e = |what: &'static str| move |e: io::Error| format!("plain UDP {what}: {e}");
    let sock = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).map_err(e("socket"))?;
    sock.set_recv_buffer_size(DEFAULT_UDP_RCVBUF_BYTES)
        .map_err(e("SO_RCVBUF"))?;
    let rcvbuf = sock.recv_buffer_size().map_err(e("SO_RCVBUF"))?;
    sock.bind(&loopback0().into()).map_err(e("bind"))?;
    let sock: UdpSocket = sock.into();
    sock.set_read_timeout(Some(Duration::from_millis(50)))
        .map_err(e("timeout"))?;
    let addr = sock.local_addr().map_err(e("local_addr"))?;
    let done = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let sender_done = Arc::clone(&done);
    let receiver = spawn("bench-udp-plain-recv", move || -> io::Result<Got> {
        let mut buf = vec![0u8; DEFAULT_UDP_RECV_BYTES];
        let mut received = 0u64;
        let mut last = start;
        while received < count && start.elapsed() < GIVE_UP {
            match sock.recv_from(&mut buf) {
                Ok(_) => {
                    received += 1;
                    last = Instant::now();
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) =>
                {
                    if sender_done.load(Ordering::Acquire) && last.elapsed() >= UDP_QUIET {
                        break;
                    }
                }
                Err(e) => return Err(e),
            }
        }
        if received < count && start.elapsed() >= GIVE_UP {
            eprintln!("bench: udp: plain receiver gave up after {GIVE_UP:?} ({received} received)");
        }
        Ok(Got {
            received,
            active: last - start,
            kernel_drops: 0,
        })
    })?;
    let sender = udp_sender(addr, count, size, done)?;
    let sent = join(sender, "UDP sender")?;
    let got = join(receiver, "plain UDP receiver")?;
    Ok(UdpRun { sent, got, rcvbuf })
}

/// Sockbench: an engine UDP socket (default receive size), every event
/// folded into a model.
fn udp_engine(count: u64, size: usize) -> Res<UdpRun> {
    let engine = start_engine()?;
    let mut model = Model::with_log_cap(LOG_CAP);
    let spec = SocketSpec::Udp {
        addr: loopback0(),
        default_peer: None,
        recv_bytes: DEFAULT_UDP_RECV_BYTES,
    };
    let id = open(&engine, &mut model, spec)?;
    let (addr, rcvbuf) = wait_for_event(&engine, &mut model, id, "bound", |k| match k {
        EventKind::Bound {
            local,
            rcvbuf_bytes,
            ..
        } => local.ip().map(|a| (a, *rcvbuf_bytes)),
        _ => None,
    })?;
    let done = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let sender = udp_sender(addr, count, size, Arc::clone(&done))?;
    let mut last = start;
    loop {
        let received = model.sessions[&id].counters.msgs_in;
        if received >= count {
            break;
        }
        if start.elapsed() >= GIVE_UP {
            eprintln!("bench: udp: gave up waiting after {GIVE_UP:?} ({received} received)");
            break;
        }
        match engine.recv_batch_timeout(Duration::from_millis(50)) {
            Some(batch) => {
                let mut data = false;
                for ev in batch {
                    data |= ev.id == id && matches!(ev.kind, EventKind::Received { .. });
                    model.apply(ev);
                }
                if data {
                    last = Instant::now();
                }
            }
            None => {
                if done.load(Ordering::Acquire) && last.elapsed() >= UDP_QUIET {
                    break;
                }
            }
        }
    }
    let sent = join(sender, "UDP sender")?;
    let session = &model.sessions[&id];
    let got = Got {
        received: session.counters.msgs_in,
        active: last - start,
        kernel_drops: session.kernel_drops,
    };
    drop(engine);
    Ok(UdpRun { sent, got, rcvbuf })
}

fn per_s(n: u64, d: Duration) -> f64 {
    if d.is_zero() {
        0.0
    } else {
        n as f64 / d.as_secs_f64()
    }
}

fn udp_rows(count: u64, size: usize) -> Vec<Row> {
    let what = format!("{count} × {size} B");
    let plain = match udp_plain(count, size) {
        Ok(r) => r,
        Err(e) => return vec![failed(UDP, &format!("{what}, baseline"), &e)],
    };
    let sb = match udp_engine(count, size) {
        Ok(r) => r,
        Err(e) => return vec![failed(UDP, &what, &e)],
    };
    eprintln!(
        "bench: udp {what}: plain sent {} ({} errors) received {}; sockbench sent {} ({} errors) received {}, kernel drops {}",
        plain.sent.sent,
        plain.sent.errors,
        plain.got.received,
        sb.sent.sent,
        sb.sent.errors,
        sb.got.received,
        sb.got.kernel_drops
    );
    let ratio = if plain.got.received == 0 {
        0.0
    } else {
        sb.got.received as f64 / plain.got.received as f64
    };
    // Sockbench: the kernel's own count (SO_RXQ_OVFL); plain: sent − received.
    let mut drops = Row::vs(
        UDP,
        &format!("{what}: dropped (kernel count / sent − received)"),
        sb.got.kernel_drops as f64,
        plain.sent.sent.saturating_sub(plain.got.received) as f64,
        "datagrams",
    );
    drops.ratio = None;
    let unaccounted = Row::info(
        UDP,
        &format!("{what}: Sockbench sent − received"),
        sb.sent.sent.saturating_sub(sb.got.received) as f64,
        "datagrams",
    );
    vec![
        Row::vs(
            UDP,
            &format!("{what}: sent/s"),
            per_s(sb.sent.sent, sb.sent.elapsed),
            per_s(plain.sent.sent, plain.sent.elapsed),
            "datagrams/s",
        ),
        Row::vs(
            UDP,
            &format!("{what}: received/s"),
            per_s(sb.got.received, sb.got.active),
            per_s(plain.got.received, plain.got.active),
            "datagrams/s",
        ),
        Row::vs(
            UDP,
            &format!("{what}: received"),
            sb.got.received as f64,
            plain.got.received as f64,
            "datagrams",
        )
        .target("ratio ≥ 0.95", ratio >= 0.95),
        drops,
        unaccounted,
        Row::vs(
            UDP,
            &format!("{what}: SO_RCVBUF granted"),
            sb.rcvbuf as f64,
            plain.rcvbuf as f64,
            "bytes",
        )
        .target("same", sb.rcvbuf == plain.rcvbuf),
    ]
}

/// UDP ingest: 64-byte and 1400-byte datagrams into Sockbench vs plain.
pub fn udp_ingest() -> Vec<Row> {
    let (small, large) = if quick() {
        (100_000, 50_000)
    } else {
        (1_000_000, 1_000_000)
    };
    let mut rows = udp_rows(small, 64);
    rows.extend(udp_rows(large, 1400));
    rows
}

// ------------------------------------------------------------------- latency

const LAT: &str = "Latency";

/// An echo peer: accepts one connection (`TCP_NODELAY`), then reads 32
/// bytes and writes them back until the client closes. Returns the rounds.
fn echo_peer() -> Res<(SocketAddr, JoinHandle<io::Result<u64>>)> {
    let l = TcpListener::bind(loopback0()).map_err(|e| format!("echo bind: {e}"))?;
    let addr = l
        .local_addr()
        .map_err(|e| format!("echo local_addr: {e}"))?;
    let h = spawn("bench-echo", move || {
        let mut s = accept_within(&l, SETUP)?;
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(GIVE_UP))?;
        let mut b = [0u8; PING_BYTES];
        let mut rounds = 0u64;
        loop {
            match s.read_exact(&mut b) {
                Ok(()) => s.write_all(&b)?,
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(rounds),
                Err(e) => return Err(e),
            }
            rounds += 1;
        }
    })?;
    Ok((addr, h))
}

/// One side of the comparison: does one ping-pong and says how long it took.
trait Pinger {
    fn round(&mut self) -> Res<Duration>;
}

/// Plain: blocking `TcpStream` with `TCP_NODELAY`, write 32 / read_exact 32.
struct PlainPinger {
    s: TcpStream,
    buf: [u8; PING_BYTES],
}

impl Pinger for PlainPinger {
    fn round(&mut self) -> Res<Duration> {
        let t0 = Instant::now();
        self.s
            .write_all(&[b'p'; PING_BYTES])
            .map_err(|e| format!("plain write: {e}"))?;
        self.s
            .read_exact(&mut self.buf)
            .map_err(|e| format!("plain read: {e}"))?;
        Ok(t0.elapsed())
    }
}

/// Sockbench: `engine.send` then wait for 32 bytes of `Received`.
///
/// Each round is also split in three by the events' own timestamps (taken
/// by the engine thread): UI `send` → the engine wrote (`Sent`); → the
/// engine read the echo (`Received`); → the UI thread had the batch.
struct EnginePinger {
    engine: EngineHandle,
    id: SocketId,
    batches: u64,
    events: u64,
    phases: [Vec<Duration>; 3],
}

impl Pinger for EnginePinger {
    fn round(&mut self) -> Res<Duration> {
        let t0 = Instant::now();
        let wall0 = SystemTime::now();
        self.engine
            .send(self.id, vec![b'p'; PING_BYTES], None)
            .map_err(|e| format!("engine send: {e}"))?;
        let deadline = t0 + SETUP;
        let mut got = 0usize;
        let (mut sent_at, mut received_at, mut taken_at) = (None, None, wall0);
        while got < PING_BYTES {
            let now = Instant::now();
            if now >= deadline {
                return Err(format!("no echo within {SETUP:?} ({got} bytes)"));
            }
            let Some(batch) = self.engine.recv_batch_timeout(deadline - now) else {
                continue;
            };
            taken_at = SystemTime::now();
            self.batches += 1;
            for ev in batch {
                self.events += 1;
                if ev.id != self.id {
                    continue;
                }
                match ev.kind {
                    EventKind::Sent { .. } => sent_at = Some(ev.time),
                    EventKind::Received { bytes, .. } => {
                        got += bytes.len();
                        received_at.get_or_insert(ev.time);
                    }
                    EventKind::Failed(e) => return Err(format!("engine: {}", e.message())),
                    EventKind::Closed { reason, .. } => return Err(format!("closed: {reason}")),
                    _ => {}
                }
            }
        }
        let elapsed = t0.elapsed();
        let since = |later: SystemTime, earlier: SystemTime| {
            later.duration_since(earlier).unwrap_or(Duration::ZERO)
        };
        if let (Some(s), Some(r)) = (sent_at, received_at) {
            self.phases[0].push(since(s, wall0));
            self.phases[1].push(since(r, s));
            self.phases[2].push(since(taken_at, r));
        }
        Ok(elapsed)
    }
}

fn engine_pinger(addr: SocketAddr) -> Res<EnginePinger> {
    let engine = start_engine()?;
    let mut model = Model::default();
    let spec = SocketSpec::TcpConnect {
        host: addr.ip().to_string(),
        port: addr.port(),
    };
    let id = open(&engine, &mut model, spec)?;
    wait_for_event(&engine, &mut model, id, "connected", |k| {
        matches!(k, EventKind::Connected { .. }).then_some(())
    })?;
    // Nothing else should be in flight; a late event would only add a batch.
    while let Some(b) = engine.try_recv_batch() {
        b.into_iter().for_each(|ev: Event| model.apply(ev));
    }
    Ok(EnginePinger {
        engine,
        id,
        batches: 0,
        events: 0,
        phases: Default::default(),
    })
}

fn plain_pinger(addr: SocketAddr) -> Res<PlainPinger> {
    let s = TcpStream::connect_timeout(&addr, SETUP).map_err(|e| format!("connect: {e}"))?;
    s.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
    s.set_read_timeout(Some(SETUP))
        .map_err(|e| format!("read timeout: {e}"))?;
    Ok(PlainPinger {
        s,
        buf: [0; PING_BYTES],
    })
}

/// Runs `n` rounds, keeping each time in `into` (when given).
fn rounds(
    p: &mut dyn Pinger,
    n: usize,
    mut into: Option<&mut Vec<Duration>>,
    deadline: Instant,
) -> Res<()> {
    for i in 0..n {
        if i % 256 == 0 && Instant::now() >= deadline {
            return Err(format!("gave up after {GIVE_UP:?}"));
        }
        let d = p.round()?;
        if let Some(v) = into.as_deref_mut() {
            v.push(d);
        }
    }
    Ok(())
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

struct LatencyRun {
    plain: Vec<Duration>,
    engine: Vec<Duration>,
    batches: u64,
    events: u64,
    phases: [Vec<Duration>; 3],
}

fn latency_run(n: usize) -> Res<LatencyRun> {
    let (plain_addr, plain_echo) = echo_peer()?;
    let (engine_addr, engine_echo) = echo_peer()?;
    let mut plain = plain_pinger(plain_addr)?;
    let mut sb = engine_pinger(engine_addr)?;
    let deadline = Instant::now() + 2 * GIVE_UP;
    rounds(&mut plain, WARMUP_ROUNDS, None, deadline)?;
    rounds(&mut sb, WARMUP_ROUNDS, None, deadline)?;
    let (b0, e0) = (sb.batches, sb.events);
    sb.phases = Default::default();
    // Alternate blocks, so noise on the shared machine falls on both alike.
    let block = 1_000.min(n);
    let mut run = LatencyRun {
        plain: Vec::with_capacity(n),
        engine: Vec::with_capacity(n),
        batches: 0,
        events: 0,
        phases: Default::default(),
    };
    let mut done = 0;
    while done < n {
        let k = block.min(n - done);
        rounds(&mut plain, k, Some(&mut run.plain), deadline)?;
        rounds(&mut sb, k, Some(&mut run.engine), deadline)?;
        done += k;
    }
    run.batches = sb.batches - b0;
    run.events = sb.events - e0;
    run.phases = std::mem::take(&mut sb.phases);
    // Closing the clients ends the echo peers.
    drop(plain);
    drop(sb);
    join(plain_echo, "plain echo peer")?;
    join(engine_echo, "engine echo peer")?;
    Ok(run)
}

/// Latency: 100,000 (quick: 5,000) ping-pongs of 32 bytes.
pub fn latency() -> Vec<Row> {
    let n = if quick() { 5_000 } else { 100_000 };
    let mut run = match latency_run(n) {
        Ok(r) => r,
        Err(e) => return vec![failed(LAT, &format!("{n} ping-pongs of 32 B"), &e)],
    };
    let p = |v: &mut Vec<Duration>, q| us(percentile(v, q));
    let (e50, b50) = (p(&mut run.engine, 50.0), p(&mut run.plain, 50.0));
    let (e99, b99) = (p(&mut run.engine, 99.0), p(&mut run.plain, 99.0));
    eprintln!(
        "bench: latency p50 {e50:.1} µs vs {b50:.1} µs; {:.2} batches and {:.2} events per round",
        run.batches as f64 / n as f64,
        run.events as f64 / n as f64
    );
    let ratio = if b50 > 0.0 { e50 / b50 } else { f64::INFINITY };
    let mut rows = vec![
        Row::vs(LAT, &format!("round trip p50 ({n} × 32 B)"), e50, b50, "µs")
            .target("ratio ≤ 2", ratio <= 2.0),
        Row::vs(LAT, &format!("round trip p99 ({n} × 32 B)"), e99, b99, "µs"),
        Row::info(
            LAT,
            "event batches the UI side takes per round",
            run.batches as f64 / n as f64,
            "batches",
        ),
    ];
    let names = [
        "p50 of: UI send → engine wrote (Sent)",
        "p50 of: engine wrote → engine read the echo",
        "p50 of: engine read → UI thread has the batch",
    ];
    for (name, v) in names.iter().zip(run.phases.iter_mut()) {
        rows.push(Row::info(LAT, name, p(v, 50.0), "µs"));
    }
    rows
}

// --------------------------------------------------------------- reply rules

const RULES: &str = "Reply rules";

/// Sockbench as the echo server: a listener whose reply rule (a hex
/// pattern, then `${rx}`) answers each read on the engine thread, its
/// events folded into a model by the app's pump, as in the window.
struct RuleServer {
    engine: EngineHandle,
    pump: Pump,
    addr: SocketAddr,
}

fn rule_server() -> Res<RuleServer> {
    use sockbench::codec::compose::InputMode;
    use sockbench::codec::text::TextEncoding;
    use sockbench::rules::{Rule, RuleSet, When};
    let engine = start_engine()?;
    let mut model = Model::with_log_cap(LOG_CAP);
    let (listener, addr) = engine_listener(&engine, &mut model)?;
    let set = RuleSet {
        on: true,
        rules: vec![Rule {
            when: When::HexPattern,
            value: "70 *".into(),
            reply: "${rx}".into(),
            reply_mode: InputMode::Hex,
            ..Rule::default()
        }],
        ..RuleSet::default()
    };
    let compiled = set
        .compile(TextEncoding::Utf8)
        .map_err(|e| format!("rules: {e}"))?;
    engine
        .set_receive_hook(listener, Some(Box::new(compiled)))
        .map_err(|e| format!("set hook: {e}"))?;
    let shared = Arc::new(parking_lot::Mutex::new(model));
    let pump = Pump::start(engine.event_source(), shared, Vec::new(), Box::new(|_| {}))
        .map_err(|e| format!("pump: {e}"))?;
    Ok(RuleServer { engine, pump, addr })
}

/// One comparison: `n` ping-pongs to each server in alternating blocks;
/// returns (Sockbench's times, plain's times).
fn rules_run(n: usize) -> Res<(Vec<Duration>, Vec<Duration>)> {
    let (plain_addr, plain_echo) = echo_peer()?;
    let mut server = rule_server()?;
    let mut plain = plain_pinger(plain_addr)?;
    let mut sb = plain_pinger(server.addr)?;
    let deadline = Instant::now() + 2 * GIVE_UP;
    rounds(&mut plain, WARMUP_ROUNDS, None, deadline)?;
    rounds(&mut sb, WARMUP_ROUNDS, None, deadline)?;
    let (mut p, mut s) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let block = 1_000.min(n);
    let mut done = 0;
    while done < n {
        let k = block.min(n - done);
        rounds(&mut plain, k, Some(&mut p), deadline)?;
        rounds(&mut sb, k, Some(&mut s), deadline)?;
        done += k;
    }
    drop(plain);
    drop(sb);
    join(plain_echo, "plain echo peer")?;
    server.engine.shutdown();
    server.pump.join();
    Ok((s, p))
}

/// Runs `f` with this thread (and the threads it starts) on one CPU.
fn on_one_cpu<T>(f: impl FnOnce() -> T) -> Res<T> {
    use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
    use nix::unistd::Pid;
    let me = Pid::from_raw(0);
    let all = sched_getaffinity(me).map_err(|e| format!("sched_getaffinity: {e}"))?;
    let first = (0..CpuSet::count())
        .find(|&c| all.is_set(c).unwrap_or(false))
        .ok_or("no CPU allowed")?;
    let mut one = CpuSet::new();
    one.set(first).map_err(|e| format!("CpuSet: {e}"))?;
    sched_setaffinity(me, &one).map_err(|e| format!("sched_setaffinity: {e}"))?;
    let out = f();
    sched_setaffinity(me, &all).map_err(|e| format!("sched_setaffinity: {e}"))?;
    Ok(out)
}

/// Reply rules: 50,000 (quick: 5,000) 32-byte ping-pongs from an outside
/// client to a Sockbench listener answering through a rule, against the
/// same client and a plain blocking echo server, in alternating blocks.
///
/// Run twice: with every thread of both sides on one CPU, where each
/// round's cost is the work done (the target is judged there), and free
/// to move, where on this two-core VM which vCPU each thread lands on
/// (same core: a cheap wake-up; the other: an inter-processor interrupt
/// through the hypervisor) moves either side's figure by 3-4x from run to
/// run, whichever server it is.
pub fn reply_rules() -> Vec<Row> {
    let n = if quick() { 5_000 } else { 50_000 };
    let q = |v: &mut Vec<Duration>, x| us(percentile(v, x));
    let mut rows = Vec::new();
    for pinned in [true, false] {
        let place = if pinned { "one CPU" } else { "threads free" };
        let what = format!("round trip p50, {place} ({n} × 32 B)");
        let got = if pinned {
            on_one_cpu(|| rules_run(n)).and_then(|r| r)
        } else {
            rules_run(n)
        };
        let (mut s, mut p) = match got {
            Ok(r) => r,
            Err(e) => {
                rows.push(failed(RULES, &what, &e));
                continue;
            }
        };
        let (s50, p50) = (q(&mut s, 50.0), q(&mut p, 50.0));
        let (s99, p99) = (q(&mut s, 99.0), q(&mut p, 99.0));
        eprintln!("bench: reply rules ({place}) p50 {s50:.1} µs vs plain echo {p50:.1} µs");
        let ratio = if p50 > 0.0 { s50 / p50 } else { f64::INFINITY };
        let row = Row::vs(RULES, &what, s50, p50, "µs");
        rows.push(if pinned {
            row.target("ratio ≤ 1.5", ratio <= 1.5)
        } else {
            row
        });
        rows.push(Row::vs(
            RULES,
            &format!("round trip p99, {place} ({n} × 32 B)"),
            s99,
            p99,
            "µs",
        ));
    }
    rows
}
