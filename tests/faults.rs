//! Faults and bad input: peers that reset, half-close, go silent or trickle
//! one byte at a time; floods beyond the log cap and past what the engine
//! will buffer; UDP size limits; shutdown under load; and the parsers fed
//! arbitrary strings. Every check looks at the engine's events and at the
//! [`Model`] they fold into. Real loopback sockets, every wait bounded.

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpStream, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use sockbench::engine::{
    CloseHow, CloseReason, DEFAULT_UDP_RECV_BYTES, EngineHandle, EventKind, MAX_UDP_PAYLOAD_BYTES,
    NetError, NetOp, SocketId, SocketSpec,
};
use sockbench::model::Model;
use sockbench::model::session::SessionState;
use socket2::SockRef;

use crate::util::{
    ChildProc, PATTERN_SLICE_MAX, Recorder, WAIT, check_pattern, child_arg, child_watchdog,
    pattern_at, pattern_byte, pattern_slice,
};

const MIB: usize = 1024 * 1024;

fn v4_loopback0() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
}

fn v6_loopback0() -> SocketAddr {
    SocketAddr::from((Ipv6Addr::LOCALHOST, 0))
}

/// Whether this machine has an IPv6 loopback (containers often do not).
fn have_ipv6() -> bool {
    UdpSocket::bind(v6_loopback0()).is_ok()
}

fn listen_spec(addr: SocketAddr, backlog: i32) -> SocketSpec {
    SocketSpec::TcpListen {
        addr,
        backlog,
        reuse_addr: true,
    }
}

/// Opens a listener on 127.0.0.1, port 0; returns its id and address.
fn listen(r: &mut Recorder) -> (SocketId, SocketAddr) {
    let id = r.open(listen_spec(v4_loopback0(), 128));
    match r.wait_kind(id, "listening", |k| {
        matches!(k, EventKind::Listening { .. } | EventKind::Failed(_))
    }) {
        EventKind::Listening { local, .. } => (id, local.ip().unwrap()),
        other => panic!("listener failed: {other:?}"),
    }
}

/// Waits for the (only) connection `listener` accepted.
fn accepted(r: &mut Recorder, listener: SocketId) -> SocketId {
    let mut id = None;
    r.wait_until("a connection to be accepted", |_, evs| {
        id = evs.iter().find_map(|e| match e.kind {
            EventKind::Accepted { parent, .. } if parent == listener => Some(e.id),
            _ => None,
        });
        id.is_some()
    });
    id.expect("accepted")
}

fn client(addr: SocketAddr) -> TcpStream {
    let c = TcpStream::connect_timeout(&addr, WAIT).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    c
}

/// The error of `id`'s first `Failed` event.
fn failure(r: &Recorder, id: SocketId) -> NetError {
    r.kinds(id)
        .into_iter()
        .find_map(|k| match k {
            EventKind::Failed(e) => Some(e.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{id} never failed:\n{}", r.summary()))
}

/// The reason of `id`'s `Closed` event.
fn close_reason(r: &Recorder, id: SocketId) -> CloseReason {
    r.kinds(id)
        .into_iter()
        .find_map(|k| match k {
            EventKind::Closed { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{id} never closed:\n{}", r.summary()))
}

fn wait_closed(r: &mut Recorder, id: SocketId) {
    r.wait_kind(id, "closed", |k| matches!(k, EventKind::Closed { .. }));
}

/// Reads until EOF (or [`WAIT`]), returning everything read.
fn read_to_eof(c: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    c.read_to_end(&mut got)
        .expect("the connection ends with EOF, within the wait");
    got
}

// ---------------------------------------------------------------------------
// 1. A peer that resets mid-transfer.

#[test]
fn peer_reset_mid_transfer_reports_what_was_read_then_econnreset() {
    let mut r = Recorder::new();
    let (l, addr) = listen(&mut r);
    let mut c = client(addr);
    let id = accepted(&mut r, l);

    let data = pattern_at(0, 10_000);
    c.write_all(&data).unwrap();
    // SO_LINGER 0: close() sends RST instead of FIN.
    SockRef::from(&c).set_linger(Some(Duration::ZERO)).unwrap();
    drop(c);
    wait_closed(&mut r, id);

    assert_eq!(
        r.names(id),
        ["accepted", "received", "failed", "closed"],
        "{}",
        r.summary()
    );
    // What reached our kernel before the reset is read and reported.
    assert_eq!(r.received(id), data, "every byte sent before the reset");
    let err = failure(&r, id);
    assert_eq!(err.errno_name().as_deref(), Some("ECONNRESET"), "{err:?}");
    assert_eq!(err.op, NetOp::Recv);
    assert_eq!(err.kind, ErrorKind::ConnectionReset);
    assert!(
        err.message().starts_with("Connection reset (ECONNRESET):"),
        "{}",
        err.message()
    );
    assert_eq!(
        close_reason(&r, id),
        CloseReason::Error(Box::new(err.clone()))
    );

    let s = r.session(id);
    assert_eq!(
        s.state,
        SessionState::Closed(CloseReason::Error(Box::new(err.clone())))
    );
    assert_eq!(s.last_error.as_ref(), Some(&err));
    assert_eq!(s.counters.bytes_in, data.len() as u64);
    // The listener is untouched and forgets the connection.
    assert_eq!(r.session(l).state, SessionState::Listening);
    assert!(r.model.open_children(l).is_empty());
}

// ---------------------------------------------------------------------------
// 2. A peer that half-closes after sending.

#[test]
fn peer_half_close_delivers_everything_both_ways_then_closes() {
    let mut r = Recorder::new();
    let (l, addr) = listen(&mut r);
    let mut c = client(addr);
    let id = accepted(&mut r, l);

    // We send more than the socket buffers take at once, so part of it is
    // still queued in the engine when the peer's FIN arrives.
    const OUT: usize = 8 * MIB;
    let out = pattern_at(0, OUT);
    r.engine.send(id, out.clone(), None).unwrap();
    // The first byte proves the engine has taken the send before the FIN.
    let mut first = [0u8; 1];
    c.read_exact(&mut first).unwrap();
    assert_eq!(first[0], out[0]);

    const IN: usize = 100_000;
    let data = pattern_at(7, IN);
    c.write_all(&data).unwrap();
    c.shutdown(Shutdown::Write).unwrap();

    // All our data still reaches the peer, then our side closes (EOF).
    let rest = read_to_eof(&mut c);
    assert_eq!(rest.len(), OUT - 1, "every byte we sent reached the peer");
    assert!(rest == out[1..], "bytes differ");

    wait_closed(&mut r, id);
    assert_eq!(r.received(id), data, "every byte the peer sent arrived");
    let names = r.names(id);
    assert_eq!(names.first(), Some(&"accepted"));
    assert_eq!(names.last(), Some(&"closed"));
    let pos = |n: &str| names.iter().position(|x| *x == n);
    assert!(
        pos("received") < pos("peer_closed"),
        "data, then FIN: {names:?}"
    );
    assert!(pos("sent").is_some(), "the send completed: {names:?}");
    assert!(!names.contains(&"failed"), "{}", r.summary());
    match r.kinds(id).last() {
        Some(EventKind::Closed {
            reason: CloseReason::PeerClosed,
            unsent_bytes: 0,
        }) => {}
        other => panic!("expected Closed(PeerClosed, 0 unsent), got {other:?}"),
    }

    let s = r.session(id);
    assert_eq!(s.state, SessionState::Closed(CloseReason::PeerClosed));
    assert!(s.peer_closed);
    assert_eq!(s.counters.bytes_in, IN as u64);
    assert_eq!((s.counters.bytes_out, s.counters.msgs_out), (OUT as u64, 1));
}

// ---------------------------------------------------------------------------
// 3. A peer that connects and never sends.

#[test]
fn silent_peer_stays_connected_and_sees_eof_when_we_close() {
    let mut r = Recorder::new();
    let (l, addr) = listen(&mut r);
    let mut c = client(addr);
    let id = accepted(&mut r, l);

    r.pump_for(Duration::from_millis(300));
    assert_eq!(r.names(id), ["accepted"], "{}", r.summary());
    let s = r.session(id);
    assert_eq!(s.state, SessionState::Connected);
    assert_eq!(s.counters, Default::default());

    r.engine.close(id, CloseHow::Close).unwrap();
    wait_closed(&mut r, id);
    assert_eq!(close_reason(&r, id), CloseReason::ByUser);
    assert_eq!(
        r.session(id).state,
        SessionState::Closed(CloseReason::ByUser)
    );
    let mut buf = [0u8; 16];
    assert_eq!(c.read(&mut buf).unwrap(), 0, "the peer sees EOF");
}

// ---------------------------------------------------------------------------
// 4. A peer that sends one byte at a time.

#[test]
fn byte_at_a_time_peer_arrives_complete_and_in_order() {
    const N: usize = 2000;
    let mut r = Recorder::new();
    let (l, addr) = listen(&mut r);
    let mut c = client(addr);
    c.set_nodelay(true).unwrap();
    let id = accepted(&mut r, l);

    for i in 0..N {
        c.write_all(&[pattern_byte(i)]).unwrap();
    }
    r.wait_until("2000 bytes", |m, _| {
        m.sessions[&id].counters.bytes_in >= N as u64
    });
    assert_eq!(r.received(id), pattern_at(0, N));
    let counters = r.session(id).counters;
    assert_eq!(counters.bytes_in, N as u64);
    assert!((1..=N as u64).contains(&counters.msgs_in), "{counters:?}");
    assert_eq!(r.session(id).state, SessionState::Connected);
}

// ---------------------------------------------------------------------------
// 5. Floods: beyond the log cap, and beyond what the engine will buffer.

/// Writes `n` pattern bytes to `c` on a thread of its own; the thread
/// gives the stream back (still open).
fn flood(mut c: TcpStream, n: usize) -> thread::JoinHandle<TcpStream> {
    thread::Builder::new()
        .name("test-flood".into())
        .spawn(move || {
            let mut at = 0;
            while at < n {
                let len = PATTERN_SLICE_MAX.min(n - at);
                c.write_all(pattern_slice(at, len)).unwrap();
                at += len;
            }
            c
        })
        .unwrap()
}

#[test]
fn flood_beyond_the_log_cap_keeps_the_log_bounded_and_counts_every_byte() {
    const CAP: usize = MIB;
    const N: usize = 32 * MIB;
    let mut r = Recorder::with_model(Model::with_log_cap(CAP));
    let (l, addr) = listen(&mut r);
    let c = client(addr);
    let id = accepted(&mut r, l);
    let writer = flood(c, N);

    // Drain into the model as the app does, checking the cap as we go.
    // (Not through the recorder, which would keep a copy of every byte.)
    let deadline = Instant::now() + WAIT;
    let mut at = 0;
    while at < N {
        assert!(
            Instant::now() < deadline,
            "timed out: {at} of {N} bytes arrived"
        );
        let Some(batch) = r.engine.recv_batch_timeout(Duration::from_millis(50)) else {
            continue;
        };
        for ev in batch {
            if ev.id == id
                && let EventKind::Received { bytes, .. } = &ev.kind
            {
                check_pattern(at, bytes);
                at += bytes.len();
            }
            r.model.apply(ev);
            assert!(
                r.model.log.bytes_used() <= CAP,
                "the log holds {} bytes, over its cap of {CAP}",
                r.model.log.bytes_used()
            );
        }
    }
    let _c = writer.join().unwrap();
    assert_eq!(at, N);
    let s = &r.model.sessions[&id];
    assert_eq!(s.counters.bytes_in, N as u64, "nothing dropped");
    assert_eq!(s.state, SessionState::Connected);
    let log = &r.model.log;
    assert!(log.evicted_entries() > 0, "old rows were evicted");
    assert!(log.evicted_bytes() >= (N - CAP) as u64);
    assert!(!log.is_empty());
    assert!(log.bytes_used() <= CAP);
}

#[test]
fn an_undrained_engine_stops_reading_so_the_sender_blocks_and_nothing_is_lost() {
    const LIMIT: usize = 256 * MIB;
    const LIMIT_TIME: Duration = Duration::from_secs(10);
    /// Blocked this long without a byte taken: the engine has stopped reading.
    const STUCK: Duration = Duration::from_millis(500);
    let mut r = Recorder::new();
    let (l, addr) = listen(&mut r);
    let mut c = client(addr);
    let id = accepted(&mut r, l);

    // The test does not drain now: the engine's event channel fills, the
    // engine stops reading, the kernel buffers fill, and writes block.
    c.set_nonblocking(true).unwrap();
    let start = Instant::now();
    let mut written = 0;
    let mut blocked_since: Option<Instant> = None;
    loop {
        assert!(
            written < LIMIT && start.elapsed() < LIMIT_TIME,
            "the engine took {written} bytes in {:?} without the UI draining: it buffers without bound",
            start.elapsed()
        );
        match c.write(pattern_slice(written, PATTERN_SLICE_MAX)) {
            Ok(n) => {
                written += n;
                blocked_since = None;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                if blocked_since.get_or_insert_with(Instant::now).elapsed() >= STUCK {
                    break;
                }
                thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("write failed after {written} bytes: {e}"),
        }
    }
    eprintln!(
        "backpressure: the sender blocked after {} MiB",
        written / MIB
    );

    // Now drain: every byte arrives, in order, then the FIN.
    c.shutdown(Shutdown::Write).unwrap();
    let deadline = Instant::now() + WAIT;
    let mut at = 0;
    let mut peer_closed = false;
    while !peer_closed {
        assert!(
            Instant::now() < deadline,
            "timed out: {at} of {written} bytes arrived"
        );
        let Some(batch) = r.engine.recv_batch_timeout(Duration::from_millis(50)) else {
            continue;
        };
        for ev in batch {
            if ev.id == id {
                match &ev.kind {
                    EventKind::Received { bytes, .. } => {
                        check_pattern(at, bytes);
                        at += bytes.len();
                    }
                    EventKind::PeerClosed => peer_closed = true,
                    _ => {}
                }
            }
            r.model.apply(ev);
        }
    }
    assert_eq!(at, written, "every byte the kernel took arrived");
    assert_eq!(r.model.sessions[&id].counters.bytes_in, written as u64);
}

// ---------------------------------------------------------------------------
// 6. UDP size limits.

fn udp_spec(addr: SocketAddr, recv_bytes: usize) -> SocketSpec {
    SocketSpec::Udp {
        addr,
        default_peer: None,
        recv_bytes,
    }
}

fn bound(r: &mut Recorder, id: SocketId) -> SocketAddr {
    match r.wait_kind(id, "bound", |k| {
        matches!(k, EventKind::Bound { .. } | EventKind::Failed(_))
    }) {
        EventKind::Bound { local, .. } => local.ip().unwrap(),
        other => panic!("bind failed: {other:?}"),
    }
}

/// Sends `marker` from `id` to `to` and waits until it has been sent: the
/// engine works through a socket's sends in order, so any event of an
/// earlier send is in by then.
fn send_marker(r: &mut Recorder, id: SocketId, to: SocketAddr, marker: &[u8]) {
    r.engine.send(id, marker.to_vec(), Some(to.into())).unwrap();
    r.wait_kind(
        id,
        "the marker to be sent",
        |k| matches!(k, EventKind::Sent { bytes, .. } if bytes == marker),
    );
}

#[test]
fn udp_truncation_over_ipv6_is_reported() {
    if !have_ipv6() {
        eprintln!("skipped: this machine has no IPv6 loopback");
        return;
    }
    let mut r = Recorder::new();
    let a = r.open(udp_spec(v6_loopback0(), 16));
    let addr = bound(&mut r, a);
    assert!(addr.is_ipv6());
    let s = UdpSocket::bind(v6_loopback0()).unwrap();
    s.send_to(&pattern_at(0, 100), addr).unwrap();
    s.send_to(b"short", addr).unwrap();
    r.wait_until("two datagrams", |m, _| m.sessions[&a].counters.msgs_in == 2);
    let got: Vec<(Vec<u8>, Option<SocketAddr>, bool)> = r
        .kinds(a)
        .into_iter()
        .filter_map(|k| match k {
            EventKind::Received {
                bytes,
                from,
                truncated,
                ..
            } => Some((
                bytes.clone(),
                from.as_ref().and_then(|a| a.ip()),
                *truncated,
            )),
            _ => None,
        })
        .collect();
    let from = Some(s.local_addr().unwrap());
    assert_eq!(
        got,
        [
            (pattern_at(0, 16), from, true),
            (b"short".to_vec(), from, false)
        ]
    );
    let session = r.session(a);
    assert_eq!(session.truncated, 1);
    assert_eq!(session.counters.bytes_in, 16 + 5);
    let truncated_rows = r.model.log.entries().filter(|e| e.truncated).count();
    assert_eq!(truncated_rows, 1, "the log row is marked truncated");
}

#[test]
fn udp_over_the_ipv4_limit_says_nothing_was_sent_and_sends_nothing() {
    let mut r = Recorder::new();
    let a = r.open(udp_spec(v4_loopback0(), DEFAULT_UDP_RECV_BYTES));
    let addr = bound(&mut r, a);
    r.engine
        .send(a, vec![0x5A; MAX_UDP_PAYLOAD_BYTES + 1], Some(addr.into()))
        .unwrap();
    send_marker(&mut r, a, addr, b"marker");
    r.wait_until("the marker to arrive", |m, _| {
        m.sessions[&a].counters.msgs_in == 1
    });

    let err = failure(&r, a);
    assert!(err.message().contains("EMSGSIZE"), "{}", err.message());
    assert!(err.message().contains("65508 bytes"), "{}", err.message());
    assert!(
        err.message().contains("nothing was sent"),
        "{}",
        err.message()
    );
    assert_eq!(err.op, NetOp::Send);
    assert_eq!(
        r.names(a),
        ["bound", "failed", "sent", "received"],
        "no Sent (or Received) for the refused datagram:\n{}",
        r.summary()
    );
    let s = r.session(a);
    assert_eq!((s.counters.msgs_out, s.counters.bytes_out), (1, 6));
    assert_eq!((s.counters.msgs_in, s.counters.bytes_in), (1, 6));
    assert_eq!(s.state, SessionState::Bound, "the socket stays open");
    assert_eq!(s.last_error.as_ref(), Some(&err));
}

#[test]
fn udp_over_ipv6_allows_65527_bytes_and_refuses_one_more() {
    if !have_ipv6() {
        eprintln!("skipped: this machine has no IPv6 loopback");
        return;
    }
    const V6_MAX: usize = 65_527;
    let mut r = Recorder::new();
    let a = r.open(udp_spec(v6_loopback0(), DEFAULT_UDP_RECV_BYTES));
    let addr = bound(&mut r, a);
    // Over IPv6 the largest datagram is 20 bytes longer than over IPv4.
    let big = pattern_at(0, V6_MAX);
    r.engine.send(a, big.clone(), Some(addr.into())).unwrap();
    r.engine
        .send(a, vec![0; V6_MAX + 1], Some(addr.into()))
        .unwrap();
    send_marker(&mut r, a, addr, b"marker");
    r.wait_until("two datagrams", |m, _| m.sessions[&a].counters.msgs_in == 2);

    let err = failure(&r, a);
    assert_eq!(err.errno_name().as_deref(), Some("EMSGSIZE"), "{err:?}");
    assert!(
        err.message().starts_with("Message too long (EMSGSIZE)"),
        "{}",
        err.message()
    );
    // (Receiving interleaves with sending as the kernel pleases.)
    let sends: Vec<&str> = r
        .names(a)
        .into_iter()
        .filter(|n| *n != "received")
        .collect();
    assert_eq!(
        sends,
        ["bound", "sent", "failed", "sent"],
        "{}",
        r.summary()
    );
    assert_eq!(r.received(a), [big.as_slice(), b"marker"].concat());
    let s = r.session(a);
    assert_eq!(s.truncated, 0);
    assert_eq!(
        s.counters.msgs_out, 2,
        "the refused datagram is not counted"
    );
    assert_eq!(s.counters.bytes_out, (V6_MAX + 6) as u64);
}

// ---------------------------------------------------------------------------
// 7. Shutdown with a thousand busy connections.

const CONNECTIONS: usize = 1000;

/// Raises the soft limit on open files to the hard limit; false if even
/// that is too low for this test.
fn raise_fd_limit(need: u64) -> bool {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else {
        return false;
    };
    if hard < need {
        eprintln!("skipped: the hard limit on open files is {hard}, under {need}");
        return false;
    }
    // An unlimited hard limit is still capped by fs.nr_open (2^20 by default).
    let target = hard.min(1 << 20);
    if soft < target && setrlimit(Resource::RLIMIT_NOFILE, target, hard).is_err() {
        eprintln!("skipped: could not raise the soft limit on open files from {soft}");
        return false;
    }
    true
}

/// Takes every waiting batch, counting accepted connections and received bytes.
fn drain_counting(engine: &EngineHandle, accepted: &mut usize, received: &mut usize) {
    while let Some(batch) = engine.try_recv_batch() {
        for ev in batch {
            match ev.kind {
                EventKind::Accepted { .. } => *accepted += 1,
                EventKind::Received { bytes, .. } => *received += bytes.len(),
                EventKind::Failed(e) => panic!("{}: {e}", ev.id),
                _ => {}
            }
        }
    }
}

#[test]
fn shutdown_with_a_thousand_busy_connections_is_prompt_and_every_client_sees_the_end() {
    if !raise_fd_limit(2500) {
        return;
    }
    let mut engine = EngineHandle::spawn_headless().unwrap();
    let l = engine
        .open(listen_spec(v4_loopback0(), 1024))
        .expect("engine takes the command");
    let mut addr = None;
    assert!(
        engine.wait_for(Instant::now() + WAIT, |e| match &e.kind {
            EventKind::Listening { local, .. } if e.id == l => {
                addr = local.ip();
                true
            }
            _ => false,
        }),
        "the listener listens"
    );
    let addr = addr.expect("listening");

    let (mut accepted, mut received) = (0, 0);
    let mut clients = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        clients.push(TcpStream::connect_timeout(&addr, WAIT).unwrap());
        drain_counting(&engine, &mut accepted, &mut received);
    }
    let deadline = Instant::now() + WAIT;
    while accepted < CONNECTIONS || engine.open_sockets() != CONNECTIONS + 1 {
        assert!(
            Instant::now() < deadline,
            "{accepted} accepted, the engine holds {} sockets",
            engine.open_sockets()
        );
        thread::sleep(Duration::from_millis(5));
        drain_counting(&engine, &mut accepted, &mut received);
    }

    // A few threads keep writing on every connection, round robin.
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|i| {
            let mine: Vec<TcpStream> = clients
                .iter()
                .skip(i)
                .step_by(4)
                .map(|c| c.try_clone().unwrap())
                .collect();
            let stop = Arc::clone(&stop);
            thread::Builder::new()
                .name(format!("test-writer-{i}"))
                .spawn(move || {
                    let chunk = [0xA5u8; 1024];
                    for c in &mine {
                        c.set_nonblocking(true).unwrap();
                    }
                    let mut alive = vec![true; mine.len()];
                    let deadline = Instant::now() + WAIT;
                    while !stop.load(Ordering::Relaxed)
                        && Instant::now() < deadline
                        && alive.contains(&true)
                    {
                        for (c, alive) in mine.iter().zip(&mut alive) {
                            if *alive {
                                match (&*c).write(&chunk) {
                                    Ok(_) => {}
                                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                                    Err(_) => *alive = false,
                                }
                            }
                        }
                        thread::sleep(Duration::from_millis(1));
                    }
                })
                .unwrap()
        })
        .collect();

    // Data flows for a moment (the test drains, as the UI would).
    let flowing = Instant::now() + Duration::from_millis(300);
    while Instant::now() < flowing {
        drain_counting(&engine, &mut accepted, &mut received);
        thread::sleep(Duration::from_millis(5));
    }
    assert!(received > 0, "data was flowing");
    assert_eq!(engine.open_sockets(), CONNECTIONS + 1);

    let start = Instant::now();
    engine.shutdown();
    let took = start.elapsed();
    assert!(took < Duration::from_secs(2), "shutdown took {took:?}");
    assert_eq!(engine.open_sockets(), 0, "the engine closed everything");
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }

    // Every client sees the end: EOF, or a reset (data it sent was unread).
    let mut open: Vec<TcpStream> = clients;
    for c in &open {
        c.set_nonblocking(true).unwrap();
    }
    let deadline = Instant::now() + WAIT;
    let mut buf = [0u8; 4096];
    while !open.is_empty() {
        assert!(
            Instant::now() < deadline,
            "{} clients never saw EOF or a reset",
            open.len()
        );
        open.retain_mut(|c| {
            loop {
                match c.read(&mut buf) {
                    Ok(0) => return false,
                    Ok(_) => panic!("the engine never sent anything"),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(_) => return false,
                }
            }
        });
        thread::sleep(Duration::from_millis(5));
    }
}

// ---------------------------------------------------------------------------
// 8. The parsers, fed arbitrary strings. (src/codec/{hex,compose}.rs already
// check "never panics" and positions on their own generators; these add
// messages, cross-checks and input shaped to reach deep into each parser.
// src/model/spec.rs has no property tests: these are its first.)

mod parsers {
    use proptest::prelude::*;
    use proptest::sample::select;

    use sockbench::codec::compose::{ComposeError, InputMode, LineEnding, build_payload};
    use sockbench::codec::escape::EscapeError;
    use sockbench::codec::hex::{HexError, format_hex, parse_hex};
    use sockbench::codec::text::{EncodeError, TextEncoding};
    use sockbench::engine::SocketSpec;
    use sockbench::model::spec::{FieldError, connect_spec, listen_spec, parse_cli_spec, udp_spec};

    const CASES: u32 = 2000;
    /// Errors quote at most 40 characters of the input; with the sentence
    /// around them, anything longer than this is not "short".
    const MAX_MESSAGE_BYTES: usize = 1024;

    /// Arbitrary text, or text made of the characters a parser cares about.
    fn text(alphabet: &'static str, max: usize) -> BoxedStrategy<String> {
        prop_oneof![
            any::<String>(),
            proptest::collection::vec(select(alphabet.chars().collect::<Vec<_>>()), 0..max)
                .prop_map(|v| v.into_iter().collect()),
        ]
        .boxed()
    }

    fn hexish() -> BoxedStrategy<String> {
        text("0123456789abcdefABCDEFxX \t\n,:;-g\u{0}é中", 40)
    }

    fn escapish() -> BoxedStrategy<String> {
        text("\\\\\\xXrnt0aF9 é中😀€ÿ\u{0}\u{7f}", 40)
    }

    const ADDRESSES: &[&str] = &[
        "127.0.0.1",
        "0.0.0.0",
        "::1",
        "[::1]",
        "::",
        "localhost",
        "192.168.1.20",
        "::ffff:127.0.0.1",
    ];
    const PORTS: &[&str] = &["0", "1", "9000", "65535", "+80", "00080", " 7 "];
    const PEERS: &[&str] = &["127.0.0.1:9", "[::1]:9", "localhost:9000", "0.0.0.0:1", ""];
    const NUMBERS: &[&str] = &["", "1", "128", "1500", "65535", "65536"];
    const HOSTS: &[&str] = &[
        "example.com",
        "localhost",
        "127.0.0.1",
        "::1",
        "[::1]",
        "my_host-1.lan",
        "example.com.",
        "a-b.c_d",
    ];
    const GARBAGE: &[&str] = &[
        "",
        " ",
        "   ",
        "-1",
        "99999",
        "-0",
        "1.5",
        "::1",
        "[::1]:0",
        "[",
        "]",
        ":",
        "%",
        "fe80::1%eth0",
        "[127.0.0.1]",
        "1:2:3",
        "999.1.1.1",
    ];

    /// A valid sample with up to three characters inserted, deleted or
    /// replaced: the near misses where parsers go wrong.
    fn near(samples: &'static [&'static str]) -> BoxedStrategy<String> {
        let edit_chars: Vec<char> = "0123456789.:[]%-+ ,=\u{0}aéx".chars().collect();
        (
            select(samples.to_vec()),
            prop_oneof![
                Just(Vec::new()),
                proptest::collection::vec(
                    (0..3u8, any::<prop::sample::Index>(), select(edit_chars)),
                    1..4
                ),
            ],
        )
            .prop_map(|(sample, edits)| {
                let mut chars: Vec<char> = sample.chars().collect();
                for (op, at, c) in edits {
                    let i = at.index(chars.len() + 1);
                    match op {
                        0 => chars.insert(i, c),
                        1 if i < chars.len() => {
                            chars.remove(i);
                        }
                        _ if i < chars.len() => chars[i] = c,
                        _ => chars.push(c),
                    }
                }
                chars.into_iter().collect()
            })
            .boxed()
    }

    /// Anything at all, or shaped like field input.
    fn wild() -> BoxedStrategy<String> {
        prop_oneof![
            text("0123456789-+. :[]%abcdefx,=lhost", 50),
            "[-+]?[0-9]{0,25}(\\.[0-9]{0,3})?",
            "\\[?[0-9a-fA-F:.%]{0,45}\\]?(:[0-9]{0,6})?",
            select(GARBAGE.to_vec()).prop_map(str::to_owned),
        ]
        .boxed()
    }

    /// Mostly near-valid values for one field, sometimes anything.
    fn field(samples: &'static [&'static str]) -> BoxedStrategy<String> {
        prop_oneof![3 => near(samples), 1 => wild()].boxed()
    }

    /// Strings shaped like a CLI socket spec.
    fn specish() -> BoxedStrategy<String> {
        let head = prop_oneof![
            field(PORTS),
            (near(ADDRESSES), near(PORTS)).prop_map(|(a, p)| format!("{a}:{p}")),
            (near(HOSTS), near(PORTS)).prop_map(|(h, p)| format!("{h}:{p}")),
        ];
        let opt = prop_oneof![
            field(PEERS).prop_map(|v| format!("peer={v}")),
            field(NUMBERS).prop_map(|v| format!("recv={v}")),
            field(NUMBERS).prop_map(|v| format!("backlog={v}")),
            wild(),
        ];
        prop_oneof![
            1 => any::<String>(),
            6 => (
                prop_oneof![
                    4 => select(vec!["tcp-listen", "tcp-connect", "udp", "UDP", "Tcp-Listen"])
                        .prop_map(str::to_owned),
                    1 => near(&["tcp-listen", "tcp-connect", "udp", "tcp"]),
                ],
                head,
                proptest::collection::vec(opt, 0..3),
            )
                .prop_map(|(kind, head, opts)| {
                    let mut s = format!("{kind}:{head}");
                    for o in opts {
                        s.push(',');
                        s.push_str(&o);
                    }
                    s
                }),
        ]
        .boxed()
    }

    /// A message is shown under a field: it says something, briefly, and
    /// shows control characters escaped (the input's are never raw).
    fn check_message(m: &str) -> Result<(), TestCaseError> {
        prop_assert!(!m.trim().is_empty(), "empty message");
        prop_assert!(m.len() <= MAX_MESSAGE_BYTES, "{} bytes: {m:?}", m.len());
        prop_assert!(
            !m.chars().any(char::is_control),
            "raw control character in {m:?}"
        );
        Ok(())
    }

    fn check_errors(errors: &[FieldError]) -> Result<(), TestCaseError> {
        prop_assert!(!errors.is_empty(), "an Err with no error in it");
        for e in errors {
            check_message(&e.message)?;
        }
        Ok(())
    }

    /// Checks what a parsed spec promises.
    fn check_spec(spec: &SocketSpec) -> Result<(), TestCaseError> {
        match spec {
            SocketSpec::TcpListen { backlog, .. } => {
                prop_assert!((1..=65_535).contains(backlog));
            }
            SocketSpec::TcpConnect { host, port } => {
                prop_assert!(*port != 0);
                prop_assert!(!host.is_empty() && host.len() <= 254);
                prop_assert!(!host.starts_with('['), "{host}");
            }
            SocketSpec::Udp {
                addr,
                default_peer,
                recv_bytes,
            } => {
                prop_assert!((1..=65_536).contains(recv_bytes));
                if let Some(p) = default_peer {
                    prop_assert_eq!(p.is_ipv4(), addr.is_ipv4(), "peer family");
                    prop_assert!(p.port() != 0);
                }
            }
            SocketSpec::UnixListen { path, backlog, .. } => {
                prop_assert!((1..=65_535).contains(backlog));
                prop_assert!(!path.name_bytes().is_empty());
            }
            SocketSpec::UnixConnect { path } => {
                prop_assert!(!path.name_bytes().is_empty());
            }
            SocketSpec::UnixDgram {
                path, recv_bytes, ..
            } => {
                prop_assert!((1..=65_536).contains(recv_bytes));
                prop_assert!(!path.name_bytes().is_empty());
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(CASES))]

        #[test]
        fn parse_hex_errors_name_the_character_and_ok_round_trips(s in hexish()) {
            match parse_hex(&s) {
                Ok(bytes) => prop_assert_eq!(parse_hex(&format_hex(&bytes)), Ok(bytes)),
                Err(e) => {
                    let m = e.to_string();
                    let n = s.chars().count();
                    let position = match e {
                        HexError::InvalidChar { ch, position } => {
                            prop_assert_eq!(s.chars().nth(position), Some(ch));
                            position
                        }
                        HexError::OddDigits { count, position } => {
                            prop_assert!(position < n && count % 2 == 1);
                            prop_assert!(s.chars().nth(position).is_some_and(|c| c.is_ascii_hexdigit()));
                            position
                        }
                    };
                    let at = format!("character {}", position + 1);
                    prop_assert!(m.contains(&at), "{}", m);
                }
            }
        }

        #[test]
        fn build_payload_errors_are_explained_and_modes_agree(
            s in prop_oneof![hexish(), escapish()],
            hex in any::<bool>(),
            escapes in any::<bool>(),
            enc in select(TextEncoding::ALL.to_vec()),
            le in select(LineEnding::ALL.to_vec()),
        ) {
            let mode = if hex { InputMode::Hex } else { InputMode::Text };
            let got = build_payload(&s, mode, enc, le, escapes);
            match &got {
                Err(e) => {
                    let m = e.to_string();
                    prop_assert!(!m.trim().is_empty());
                    let position = match e {
                        ComposeError::Hex(
                            HexError::InvalidChar { position, .. } | HexError::OddDigits { position, .. },
                        ) => *position,
                        ComposeError::Escape(
                            EscapeError::UnknownEscape { position, .. }
                            | EscapeError::BadHexEscape { position }
                            | EscapeError::TrailingBackslash { position },
                        ) => {
                            prop_assert_eq!(s.chars().nth(*position), Some('\\'), "{}", m);
                            *position
                        }
                        ComposeError::Encode(EncodeError::Unmappable { char_index, .. }) => *char_index,
                    };
                    prop_assert!(m.contains(&format!("character {}", position + 1)), "{}", m);
                }
                Ok(bytes) if !hex => prop_assert!(bytes.ends_with(le.bytes())),
                Ok(_) => {}
            }
            if hex {
                // Hex ignores the encoding, the line ending and escapes.
                prop_assert_eq!(got.map_err(|e| e.to_string()), parse_hex(&s).map_err(|e| e.to_string()));
            } else if !s.contains('\\') {
                // Without a backslash, escapes on or off is the same.
                prop_assert_eq!(got, build_payload(&s, mode, enc, le, !escapes));
            }
        }

        #[test]
        fn parse_cli_spec_never_panics_and_explains_every_refusal(s in specish()) {
            match parse_cli_spec(&s) {
                Ok(spec) => {
                    check_spec(&spec)?;
                    // What it shows parses back to the same socket.
                    let again = parse_cli_spec(&spec.to_string());
                    prop_assert!(again.is_ok(), "{} → {:?}", spec, again);
                    let again = again.unwrap_or_else(|_| spec.clone());
                    prop_assert_eq!(again.kind(), spec.kind());
                    prop_assert_eq!(again.to_string(), spec.to_string());
                }
                Err(e) => check_message(&e.message)?,
            }
        }

        #[test]
        fn listen_spec_never_panics_and_explains_every_refusal(
            address in field(ADDRESSES), port in field(PORTS), backlog in field(NUMBERS),
            reuse in any::<bool>(),
        ) {
            match listen_spec(&address, &port, &backlog, reuse) {
                Ok(spec) => check_spec(&spec)?,
                Err(errors) => check_errors(&errors)?,
            }
        }

        #[test]
        fn connect_spec_never_panics_and_explains_every_refusal(
            host in prop_oneof![field(HOSTS), "[a-zA-Z0-9._-]{0,70}"], port in field(PORTS),
        ) {
            match connect_spec(&host, &port) {
                Ok(spec) => check_spec(&spec)?,
                Err(errors) => check_errors(&errors)?,
            }
        }

        #[test]
        fn udp_spec_never_panics_and_explains_every_refusal(
            address in field(ADDRESSES), port in field(PORTS), peer in field(PEERS),
            recv in field(NUMBERS),
        ) {
            match udp_spec(&address, &port, &peer, &recv) {
                Ok(spec) => check_spec(&spec)?,
                Err(errors) => check_errors(&errors)?,
            }
        }

        #[test]
        fn spec_parsers_take_any_string(s in any::<String>()) {
            for r in [
                listen_spec(&s, &s, &s, true).map(|_| ()),
                connect_spec(&s, &s).map(|_| ()),
                udp_spec(&s, &s, &s, &s).map(|_| ()),
                udp_spec("127.0.0.1", "0", &s, "").map(|_| ()),
                listen_spec("127.0.0.1", "0", &s, true).map(|_| ()),
            ] {
                if let Err(errors) = r {
                    check_errors(&errors)?;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// 8. A listener that runs out of descriptors.

/// Helper, not a test of its own: re-run by the next test with a low limit
/// on open files; runs an engine with one listener, prints its port, says
/// "hi" on every connection it accepts and prints each failed `accept()`.
#[test]
fn helper_listens_with_few_descriptors() {
    let Some(limit) = child_arg("faults::helper_listens_with_few_descriptors") else {
        return;
    };
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    child_watchdog(Duration::from_secs(120));
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    setrlimit(Resource::RLIMIT_NOFILE, limit.parse().unwrap(), hard).unwrap();
    let engine = EngineHandle::spawn_headless().unwrap();
    let l = engine
        .open(SocketSpec::TcpListen {
            addr: v4_loopback0(),
            backlog: 512,
            reuse_addr: false,
        })
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(100);
    while Instant::now() < deadline {
        for ev in engine
            .recv_batch_timeout(Duration::from_millis(100))
            .unwrap_or_default()
        {
            match &ev.kind {
                EventKind::Listening { local, .. } => {
                    println!("port {}", local.ip().map_or(0, |a| a.port()));
                }
                EventKind::Accepted { .. } => {
                    let _ = engine.send(ev.id, b"hi".to_vec(), None);
                }
                EventKind::Failed(e) if ev.id == l => {
                    println!("accept failed {}", e.errno_name().unwrap_or_default());
                }
                _ => {}
            }
        }
    }
}

/// After `accept()` fails with EMFILE the listener keeps the rest of its
/// queue and new clients: it retries on the engine's timer (the poll is
/// edge-triggered, so no new readiness would come for connections already
/// queued), and reports the failure once.
#[test]
fn a_listener_accepts_again_after_running_out_of_descriptors() {
    let helper = ChildProc::start("faults::helper_listens_with_few_descriptors", "48");
    let port: u16 = helper.expect_line("port ").parse().unwrap();
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    // More clients than the helper has descriptors: the kernel completes
    // every handshake; the helper runs out part way.
    let clients: Vec<TcpStream> = (0..120)
        .map(|_| TcpStream::connect_timeout(&addr, WAIT).unwrap())
        .collect();
    assert_eq!(helper.expect_line("accept failed "), "EMFILE");
    // Their ends close; the helper's descriptors free up as it sees them go.
    drop(clients);
    let mut late = TcpStream::connect_timeout(&addr, WAIT).unwrap();
    late.set_read_timeout(Some(WAIT * 2)).unwrap();
    let mut hi = [0u8; 2];
    late.read_exact(&mut hi)
        .expect("the listener accepts again");
    assert_eq!(&hi, b"hi");
}

// ---------------------------------------------------------------------------
// 9. A peer that does not read: the send queue has a cap.

/// Sends to a peer that reads nothing are queued up to
/// `MAX_SEND_QUEUE_BYTES`; the next is refused with a clear error and
/// nothing of it is sent; once the peer reads, everything taken arrives in
/// order and nothing refused does.
#[test]
fn the_send_queue_of_a_connection_has_a_cap() {
    use sockbench::engine::MAX_SEND_QUEUE_BYTES;
    let plain = std::net::TcpListener::bind(v4_loopback0()).unwrap();
    let port = plain.local_addr().unwrap().port();
    let mut probe = crate::util::Probe::new();
    let c = probe
        .engine
        .open(SocketSpec::TcpConnect {
            host: "127.0.0.1".into(),
            port,
        })
        .unwrap();
    probe.wait_kind(c, "connected", |k| matches!(k, EventKind::Connected { .. }));
    let (mut peer, _) = plain.accept().unwrap();
    // 1 MiB payloads, each filled with its number, well past the cap.
    let chunk = MIB;
    let sends = MAX_SEND_QUEUE_BYTES / chunk + 40;
    for i in 0..sends {
        probe.engine.send(c, vec![i as u8; chunk], None).unwrap();
    }
    let failed = probe.wait_kind(c, "a refused send", |k| matches!(k, EventKind::Failed(_)));
    let EventKind::Failed(e) = failed else {
        unreachable!()
    };
    assert!(
        e.message().starts_with("Send queue full"),
        "{}",
        e.message()
    );
    assert!(e.message().contains("64 MiB"), "{}", e.message());
    // Everything the engine took arrives, whole and in order (the end is
    // a second with nothing more).
    peer.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let mut got = vec![0u8; chunk];
    let mut taken = 0;
    loop {
        match peer.read_exact(&mut got) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) => panic!("{e}"),
        }
        assert!(got.iter().all(|&b| b == taken as u8), "send {taken} whole");
        taken += 1;
        if taken == sends {
            break;
        }
    }
    assert!(taken < sends, "some sends were refused");
    assert!(
        taken * chunk >= MAX_SEND_QUEUE_BYTES,
        "the queue took at least its cap: {taken} MiB"
    );
    // The engine reported exactly the sends it took as sent.
    let mut sent = 0;
    let deadline = Instant::now() + WAIT;
    while sent < taken && Instant::now() < deadline {
        if let Some(batch) = probe.engine.recv_batch_timeout(Duration::from_millis(50)) {
            probe.events.extend(batch);
        }
        sent = probe
            .events
            .iter()
            .filter(|e| e.id == c && matches!(e.kind, EventKind::Sent { .. }))
            .count();
    }
    assert_eq!(sent, taken);
}
