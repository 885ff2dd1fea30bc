//! Periodic sends timed by the engine, over real loopback sockets: a count
//! is kept exactly, every client of a listener gets each tick, Stop stops,
//! and a socket that closes or cannot send ends it with the reason.

use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use sockbench::engine::{EventKind, PeriodicStatus, PeriodicStop, SocketId, SocketSpec};

use crate::util::{Probe, WAIT};

fn loopback0() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
}

fn udp_spec() -> SocketSpec {
    SocketSpec::Udp {
        addr: loopback0(),
        default_peer: None,
        recv_bytes: 65_536,
    }
}

/// Waits for the periodic send of `id` to end; returns its last status.
fn ended(p: &mut Probe, id: SocketId) -> PeriodicStatus {
    match p.wait_kind(
        id,
        "the periodic send to end",
        |k| matches!(k, EventKind::Periodic(s) if !s.running),
    ) {
        EventKind::Periodic(s) => s,
        _ => unreachable!(),
    }
}

#[test]
fn a_udp_periodic_send_sends_exactly_its_count() {
    let rx = UdpSocket::bind(loopback0()).unwrap();
    rx.set_read_timeout(Some(WAIT)).unwrap();
    let mut p = Probe::new();
    let u = p.engine.open(udp_spec()).unwrap();
    p.wait_kind(u, "bound", |k| matches!(k, EventKind::Bound { .. }));
    let to = rx.local_addr().unwrap();
    p.engine
        .send_every(
            u,
            b"tick".to_vec(),
            Some(to.into()),
            Duration::from_millis(5),
            Some(20),
        )
        .unwrap();
    let end = ended(&mut p, u);
    assert_eq!((end.sent, end.stopped), (20, None));
    let mut buf = [0u8; 16];
    for _ in 0..20 {
        let (n, _) = rx.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"tick");
    }
    rx.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    assert!(rx.recv_from(&mut buf).is_err(), "no 21st datagram");
}

#[test]
fn every_client_of_a_listener_gets_each_tick_until_stopped() {
    let mut p = Probe::new();
    let l = p
        .engine
        .open(SocketSpec::TcpListen {
            addr: loopback0(),
            backlog: 16,
            reuse_addr: true,
        })
        .unwrap();
    let addr = match p.wait_kind(l, "listening", |k| matches!(k, EventKind::Listening { .. })) {
        EventKind::Listening { local, .. } => local.ip().unwrap(),
        _ => unreachable!(),
    };
    let mut clients: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(addr).unwrap()).collect();
    for _ in 0..2 {
        p.wait(
            "accepted",
            |e| matches!(e.kind, EventKind::Accepted { parent, .. } if parent == l),
        );
    }
    p.engine
        .send_every(l, b"ping".to_vec(), None, Duration::from_millis(2), None)
        .unwrap();
    for c in &mut clients {
        c.set_read_timeout(Some(WAIT)).unwrap();
        let mut got = [0u8; 20];
        c.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"pingpingpingpingping", "five whole ticks");
    }
    p.engine.stop_sending(l).unwrap();
    let end = ended(&mut p, l);
    assert_eq!(end.stopped, Some(PeriodicStop::ByUser));
    assert!(end.sent >= 5);
}

#[test]
fn a_periodic_send_ends_when_its_socket_closes_or_cannot_send() {
    let plain = TcpListener::bind(loopback0()).unwrap();
    let port = plain.local_addr().unwrap().port();
    let mut p = Probe::new();
    let c = p
        .engine
        .open(SocketSpec::TcpConnect {
            host: "127.0.0.1".into(),
            port,
        })
        .unwrap();
    p.wait_kind(c, "connected", |k| matches!(k, EventKind::Connected { .. }));
    let (peer, _) = plain.accept().unwrap();
    p.engine
        .send_every(c, b"x".to_vec(), None, Duration::from_millis(10), None)
        .unwrap();
    p.wait_kind(c, "a send", |k| matches!(k, EventKind::Sent { .. }));
    drop(peer);
    assert_eq!(ended(&mut p, c).stopped, Some(PeriodicStop::SocketClosed));

    // A connection shut down for writing cannot send either.
    let c2 = p
        .engine
        .open(SocketSpec::TcpConnect {
            host: "127.0.0.1".into(),
            port,
        })
        .unwrap();
    p.wait_kind(c2, "connected", |k| {
        matches!(k, EventKind::Connected { .. })
    });
    let _peer2 = plain.accept().unwrap();
    p.engine
        .close(c2, sockbench::engine::CloseHow::ShutdownWrite)
        .unwrap();
    p.wait_kind(c2, "write shut", |k| matches!(k, EventKind::WriteShutdown));
    p.engine
        .send_every(c2, b"x".to_vec(), None, Duration::from_millis(10), None)
        .unwrap();
    assert_eq!(ended(&mut p, c2).stopped, Some(PeriodicStop::CannotSend));

    // A UDP socket with no destination and no default peer cannot send.
    let u = p.engine.open(udp_spec()).unwrap();
    p.wait_kind(u, "bound", |k| matches!(k, EventKind::Bound { .. }));
    p.engine
        .send_every(u, b"x".to_vec(), None, Duration::from_millis(10), None)
        .unwrap();
    let deadline = Instant::now() + WAIT;
    let end = ended(&mut p, u);
    assert!(Instant::now() < deadline);
    assert_eq!((end.sent, end.stopped), (0, Some(PeriodicStop::CannotSend)));
}
