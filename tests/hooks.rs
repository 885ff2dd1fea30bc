//! The engine's hooks for the tools built on it, over loopback: code run
//! on each receive (reply rules), several periodic sends per socket with
//! bytes made per tick, pausing reads (sends pile up and one `recv()`
//! returns them together), a signal when the send queue has drained, and
//! the kernel's sockets on a port.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

use sockbench::engine::{
    EventKind, Payload, ReceiveHook, Received, Reply, SocketId, SocketSpec, TcpState,
};

use crate::util::{Probe, WAIT};

fn loopback0() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
}

pub(crate) fn listener(p: &mut Probe) -> (SocketId, SocketAddr) {
    let id = p
        .engine
        .open(SocketSpec::TcpListen {
            addr: loopback0(),
            backlog: 16,
            reuse_addr: true,
        })
        .unwrap();
    match p.wait_kind(id, "listening", |k| {
        matches!(k, EventKind::Listening { .. })
    }) {
        EventKind::Listening { local, .. } => (id, local.ip().unwrap()),
        _ => unreachable!(),
    }
}

fn client(addr: SocketAddr) -> TcpStream {
    let c = TcpStream::connect_timeout(&addr, WAIT).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    c
}

/// Answers `ping` with `pong` at once and `late` after 30 ms.
struct PingPong;

impl ReceiveHook for PingPong {
    fn on_receive(&mut self, rx: Received<'_>) -> Vec<Reply> {
        if rx.bytes != b"ping" {
            return Vec::new();
        }
        vec![
            Reply {
                bytes: b"pong".to_vec(),
                delay: Duration::ZERO,
            },
            Reply {
                bytes: b"late".to_vec(),
                delay: Duration::from_millis(30),
            },
        ]
    }
}

#[test]
fn a_listeners_receive_hook_answers_each_of_its_clients() {
    let mut p = Probe::new();
    let (l, addr) = listener(&mut p);
    p.engine
        .set_receive_hook(l, Some(Box::new(PingPong)))
        .unwrap();
    let mut a = client(addr);
    let mut b = client(addr);
    for c in [&mut a, &mut b] {
        c.write_all(b"ping").unwrap();
        let mut got = [0u8; 8];
        c.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"ponglate");
    }
    // Bytes that match nothing get no answer.
    a.write_all(b"other").unwrap();
    a.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut buf = [0u8; 1];
    assert!(
        a.read(&mut buf).is_err(),
        "no reply to what matched nothing"
    );
}

/// Echoes every datagram.
struct Echo;

impl ReceiveHook for Echo {
    fn on_receive(&mut self, rx: Received<'_>) -> Vec<Reply> {
        vec![Reply {
            bytes: rx.bytes.to_vec(),
            delay: Duration::ZERO,
        }]
    }
}

#[test]
fn a_datagram_hook_replies_to_the_sender() {
    let mut p = Probe::new();
    let u = p
        .engine
        .open(SocketSpec::Udp {
            addr: loopback0(),
            default_peer: None,
            recv_bytes: 2048,
        })
        .unwrap();
    let addr = match p.wait_kind(u, "bound", |k| matches!(k, EventKind::Bound { .. })) {
        EventKind::Bound { local, .. } => local.ip().unwrap(),
        _ => unreachable!(),
    };
    p.engine.set_receive_hook(u, Some(Box::new(Echo))).unwrap();
    // Commands are applied before the sockets are read in each turn, so
    // the hook is in place before this datagram is read.
    let s = UdpSocket::bind(loopback0()).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.send_to(b"echo me", addr).unwrap();
    let mut buf = [0u8; 64];
    let (n, from) = s.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"echo me");
    assert_eq!(from, addr);
}

#[test]
fn two_periodic_sends_run_side_by_side_with_bytes_made_per_tick() {
    let mut p = Probe::new();
    let (l, addr) = listener(&mut p);
    let mut c = client(addr);
    let child = p
        .wait("accepted", |e| matches!(e.kind, EventKind::Accepted { .. }))
        .id;
    let _ = l;
    p.engine
        .send_every_in(
            child,
            1,
            Payload::Made(Box::new(|n| format!("<{n}>").into_bytes())),
            None,
            Duration::from_millis(5),
            Some(3),
        )
        .unwrap();
    let got = {
        let mut buf = [0u8; 9];
        c.read_exact(&mut buf).unwrap();
        buf.to_vec()
    };
    assert_eq!(got, b"<0><1><2>");
    p.engine
        .send_every_in(
            child,
            2,
            Payload::Fixed(b"x".to_vec()),
            None,
            Duration::from_millis(5),
            None,
        )
        .unwrap();
    p.engine
        .send_every_in(
            child,
            3,
            Payload::Fixed(b"y".to_vec()),
            None,
            Duration::from_millis(5),
            None,
        )
        .unwrap();
    let mut seen = Vec::new();
    while !(seen.contains(&b'x') && seen.contains(&b'y')) {
        let mut buf = [0u8; 16];
        let n = c.read(&mut buf).unwrap();
        seen.extend_from_slice(&buf[..n]);
    }
    p.engine.stop_sending_in(child, 2).unwrap();
    let status = |slot: u32| move |k: &EventKind| matches!(k, EventKind::Periodic(s) if s.slot == slot && !s.running);
    p.wait_kind(child, "slot 2 stopped", status(2));
    p.engine.stop_sending(child).unwrap();
    p.wait_kind(child, "slot 3 stopped", status(3));
}

#[test]
fn paused_reads_pile_up_in_the_kernel_and_come_back_as_one_recv() {
    let mut p = Probe::new();
    let (_l, addr) = listener(&mut p);
    let mut c = client(addr);
    let child = p
        .wait("accepted", |e| matches!(e.kind, EventKind::Accepted { .. }))
        .id;
    p.engine.pause_reading(child, None).unwrap();
    p.wait_kind(child, "paused", |k| {
        matches!(k, EventKind::Reading { on: false, .. })
    });
    for part in [&b"one,"[..], b"two,", b"three"] {
        c.write_all(part).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !p.events
            .iter()
            .any(|e| e.id == child && matches!(e.kind, EventKind::Received { .. })),
        "nothing is read while paused"
    );
    p.engine.resume_reading(child).unwrap();
    match p.wait_kind(child, "the sticky read", |k| {
        matches!(k, EventKind::Received { .. })
    }) {
        EventKind::Received { bytes, .. } => assert_eq!(bytes, b"one,two,three"),
        _ => unreachable!(),
    }

    // A timed pause ends by itself.
    p.engine
        .pause_reading(child, Some(Duration::from_millis(50)))
        .unwrap();
    p.wait_kind(child, "paused", |k| {
        matches!(k, EventKind::Reading { on: false, .. })
    });
    c.write_all(b"later").unwrap();
    p.wait_kind(child, "resumed", |k| {
        matches!(k, EventKind::Reading { on: true, .. })
    });
    assert_eq!(p.receive_bytes(child, 5), b"later");
}

#[test]
fn the_writable_signal_comes_once_the_queue_has_drained() {
    let mut p = Probe::new();
    let (_l, addr) = listener(&mut p);
    let mut c = client(addr);
    let child = p
        .wait("accepted", |e| matches!(e.kind, EventKind::Accepted { .. }))
        .id;
    // More than the kernel's buffers hold while the client does not read.
    let big = vec![7u8; 16 << 20];
    p.engine.send(child, big.clone(), None).unwrap();
    p.engine.watch_writable(child, 0).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        !p.events
            .iter()
            .any(|e| e.id == child && matches!(e.kind, EventKind::Writable { .. })),
        "not while bytes wait"
    );
    let mut got = vec![0u8; big.len()];
    c.read_exact(&mut got).unwrap();
    match p.wait_kind(child, "writable", |k| {
        matches!(k, EventKind::Writable { .. })
    }) {
        EventKind::Writable { queued } => assert_eq!(queued, 0),
        _ => unreachable!(),
    }
}

#[test]
fn a_ports_kernel_sockets_include_its_listener_and_connections() {
    let mut p = Probe::new();
    let (l, addr) = listener(&mut p);
    let _c = client(addr);
    p.wait("accepted", |e| matches!(e.kind, EventKind::Accepted { .. }));
    p.engine.query_port(l, addr.port()).unwrap();
    match p.wait_kind(l, "port state", |k| matches!(k, EventKind::PortState(_))) {
        EventKind::PortState(sockets) => {
            assert!(
                sockets.iter().any(|s| s.state == TcpState::Listen),
                "{sockets:?}"
            );
            assert!(
                sockets.iter().any(|s| s.state == TcpState::Established),
                "{sockets:?}"
            );
        }
        _ => unreachable!(),
    }
}

/// A reconnecting client: its connection ends (the peer closes), it waits,
/// connects again as the same socket; refused connects wait longer each
/// time; a close while it waits ends it.
#[test]
fn a_reconnecting_client_connects_again_as_the_same_socket() {
    use sockbench::engine::Backoff;
    let mut p = Probe::new();
    let l = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = l.local_addr().unwrap();
    let backoff = Backoff {
        first: Duration::from_millis(20),
        max: Duration::from_millis(80),
    };
    let id = p
        .engine
        .open_reconnecting(
            SocketSpec::TcpConnect {
                host: "127.0.0.1".into(),
                port: addr.port(),
            },
            backoff,
        )
        .unwrap();
    p.wait_kind(id, "connected", |k| {
        matches!(k, EventKind::Connected { .. })
    });
    let (first, _) = l.accept().unwrap();
    drop(first);
    match p.wait_kind(id, "reconnecting", |k| {
        matches!(k, EventKind::Reconnecting { .. })
    }) {
        EventKind::Reconnecting { attempt, after } => {
            assert_eq!((attempt, after), (1, Duration::from_millis(20)));
        }
        _ => unreachable!(),
    }
    p.wait_kind(id, "connected again", |k| {
        matches!(k, EventKind::Connected { .. })
    });
    let (mut second, _) = l.accept().unwrap();
    // The same socket sends on the new connection.
    p.engine.send(id, b"again".to_vec(), None).unwrap();
    let mut got = [0u8; 5];
    second.set_read_timeout(Some(WAIT)).unwrap();
    second.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"again");
    // Nothing listens any more: refused connects wait 20, 40, 80, 80 ms.
    drop(l);
    drop(second);
    let mut waits = Vec::new();
    while waits.len() < 4 {
        if let EventKind::Reconnecting { after, .. } = p.wait_kind(id, "a wait", |k| {
            matches!(k, EventKind::Reconnecting { .. })
        }) {
            waits.push(after.as_millis());
        }
    }
    assert_eq!(waits, [20, 40, 80, 80]);
    p.engine
        .close(id, sockbench::engine::CloseHow::Close)
        .unwrap();
    p.wait_kind(id, "closed", |k| matches!(k, EventKind::Closed { .. }));
}
