//! Engine tests over real loopback sockets: no GUI, no mocks, every wait
//! bounded.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

use sockbench::engine::{
    CloseHow, CloseReason, DEFAULT_UDP_RECV_BYTES, EventKind, SocketId, SocketSpec,
};

use crate::util::{Probe, WAIT};

fn loopback0() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
}

fn listen_spec(addr: SocketAddr) -> SocketSpec {
    SocketSpec::TcpListen {
        addr,
        backlog: 128,
        reuse_addr: true,
    }
}

fn udp_spec(addr: SocketAddr, recv_bytes: usize) -> SocketSpec {
    SocketSpec::Udp {
        addr,
        default_peer: None,
        recv_bytes,
    }
}

/// Opens a listener and returns its id and bound address.
fn open_listener(p: &mut Probe, addr: SocketAddr) -> (SocketId, SocketAddr) {
    let id = p.engine.open(listen_spec(addr)).unwrap();
    match p.wait_kind(id, "listening", |k| {
        matches!(k, EventKind::Listening { .. } | EventKind::Failed(_))
    }) {
        EventKind::Listening { local, .. } => (id, local.ip().unwrap()),
        other => panic!("listener failed: {other:?}"),
    }
}

fn accepted(p: &mut Probe, listener: SocketId) -> (SocketId, SocketAddr) {
    let ev = p.wait(
        "accepted",
        |e| matches!(e.kind, EventKind::Accepted { parent, .. } if parent == listener),
    );
    match ev.kind {
        EventKind::Accepted { peer, .. } => (ev.id, peer.ip().unwrap()),
        _ => unreachable!(),
    }
}

fn client(addr: SocketAddr) -> TcpStream {
    let c = TcpStream::connect_timeout(&addr, WAIT).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    c
}

fn read_exact(c: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0; n];
    c.read_exact(&mut buf).unwrap();
    buf
}

#[test]
fn listener_with_two_clients_both_directions_and_send_to_all() {
    let mut p = Probe::new();
    let (l, addr) = open_listener(&mut p, loopback0());
    assert_ne!(addr.port(), 0, "the chosen port is reported");

    let mut c1 = client(addr);
    let (id1, peer1) = accepted(&mut p, l);
    let mut c2 = client(addr);
    let (id2, peer2) = accepted(&mut p, l);
    assert_ne!(id1, id2);
    assert_eq!(peer1, c1.local_addr().unwrap());
    assert_eq!(peer2, c2.local_addr().unwrap());

    c1.write_all(b"from one").unwrap();
    c2.write_all(b"from two").unwrap();
    assert_eq!(p.receive_bytes(id1, 8), b"from one");
    assert_eq!(p.receive_bytes(id2, 8), b"from two");

    p.engine.send(id1, b"to one".to_vec(), None).unwrap();
    assert_eq!(read_exact(&mut c1, 6), b"to one");

    p.engine.send(l, b"to all".to_vec(), None).unwrap();
    assert_eq!(read_exact(&mut c1, 6), b"to all");
    assert_eq!(read_exact(&mut c2, 6), b"to all");
    p.wait_kind(
        id2,
        "sent to two",
        |k| matches!(k, EventKind::Sent { bytes, .. } if bytes == b"to all"),
    );

    // Disconnect one client from our side: it sees EOF.
    p.engine.close(id1, CloseHow::Close).unwrap();
    p.wait_kind(id1, "closed", |k| {
        matches!(
            k,
            EventKind::Closed {
                reason: CloseReason::ByUser,
                ..
            }
        )
    });
    let mut buf = [0u8; 1];
    assert_eq!(c1.read(&mut buf).unwrap(), 0);

    // Closing the listener closes the connection it still has.
    p.engine.close(l, CloseHow::Close).unwrap();
    p.wait_kind(id2, "child closed", |k| {
        matches!(
            k,
            EventKind::Closed {
                reason: CloseReason::ListenerClosed,
                ..
            }
        )
    });
    p.wait_kind(l, "listener closed", |k| {
        matches!(k, EventKind::Closed { .. })
    });
}

#[test]
fn peer_close_is_reported_then_socket_closes() {
    let mut p = Probe::new();
    let (l, addr) = open_listener(&mut p, loopback0());
    let mut c = client(addr);
    let (id, _) = accepted(&mut p, l);
    c.write_all(b"bye").unwrap();
    drop(c);
    assert_eq!(p.receive_bytes(id, 3), b"bye");
    p.wait_kind(id, "peer closed", |k| matches!(k, EventKind::PeerClosed));
    p.wait_kind(id, "closed", |k| {
        matches!(
            k,
            EventKind::Closed {
                reason: CloseReason::PeerClosed,
                ..
            }
        )
    });
}

#[test]
fn client_connects_sends_and_receives() {
    let server = TcpListener::bind(loopback0()).unwrap();
    let port = server.local_addr().unwrap().port();
    let mut p = Probe::new();
    let id = p
        .engine
        .open(SocketSpec::TcpConnect {
            host: "localhost".into(),
            port,
        })
        .unwrap();
    let (mut s, _) = server.accept().unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    let (local, peer) = match p.wait_kind(id, "connected", |k| {
        matches!(k, EventKind::Connected { .. })
    }) {
        EventKind::Connected { local, peer } => (local.ip().unwrap(), peer.ip().unwrap()),
        _ => unreachable!(),
    };
    assert_eq!(peer.port(), port);
    assert_eq!(local, s.peer_addr().unwrap());
    p.engine.send(id, b"ping".to_vec(), None).unwrap();
    assert_eq!(read_exact(&mut s, 4), b"ping");
    s.write_all(b"pong").unwrap();
    assert_eq!(p.receive_bytes(id, 4), b"pong");
}

#[test]
fn connection_refused_is_explained() {
    let port = {
        let l = TcpListener::bind(loopback0()).unwrap();
        l.local_addr().unwrap().port()
    };
    let mut p = Probe::new();
    let id = p
        .engine
        .open(SocketSpec::TcpConnect {
            host: "127.0.0.1".into(),
            port,
        })
        .unwrap();
    let err = match p.wait_kind(id, "failed", |k| matches!(k, EventKind::Failed(_))) {
        EventKind::Failed(e) => e,
        _ => unreachable!(),
    };
    assert_eq!(err.errno_name().as_deref(), Some("ECONNREFUSED"));
    assert_eq!(
        err.message(),
        format!("Connection refused (ECONNREFUSED): nothing listens on 127.0.0.1:{port}")
    );
    p.wait_kind(id, "closed", |k| {
        matches!(
            k,
            EventKind::Closed {
                reason: CloseReason::Error(_),
                ..
            }
        )
    });
}

#[test]
fn address_in_use_is_explained() {
    let taken = TcpListener::bind(loopback0()).unwrap();
    let addr = taken.local_addr().unwrap();
    let mut p = Probe::new();
    let id = p.engine.open(listen_spec(addr)).unwrap();
    let err = match p.wait_kind(id, "failed", |k| matches!(k, EventKind::Failed(_))) {
        EventKind::Failed(e) => e,
        _ => unreachable!(),
    };
    assert_eq!(
        err.message(),
        format!("Address already in use (EADDRINUSE): the kernel holds {addr} for another socket")
    );
    p.wait_kind(id, "closed", |k| matches!(k, EventKind::Closed { .. }));
}

#[test]
fn udp_to_self_and_between_two_sockets() {
    let mut p = Probe::new();
    let a = p
        .engine
        .open(udp_spec(loopback0(), DEFAULT_UDP_RECV_BYTES))
        .unwrap();
    let b = p
        .engine
        .open(udp_spec(loopback0(), DEFAULT_UDP_RECV_BYTES))
        .unwrap();
    let bound = |p: &mut Probe, id| match p
        .wait_kind(id, "bound", |k| matches!(k, EventKind::Bound { .. }))
    {
        EventKind::Bound {
            local,
            rcvbuf_bytes,
            ..
        } => {
            assert!(rcvbuf_bytes > 0);
            local
        }
        _ => unreachable!(),
    };
    let a_addr = bound(&mut p, a);
    let b_addr = bound(&mut p, b);

    p.engine
        .send(a, b"to myself".to_vec(), Some(a_addr.clone()))
        .unwrap();
    match p.wait_kind(a, "self datagram", |k| {
        matches!(k, EventKind::Received { .. })
    }) {
        EventKind::Received {
            bytes,
            from,
            truncated,
            ..
        } => {
            assert_eq!(bytes, b"to myself");
            assert_eq!(from, Some(a_addr.clone()));
            assert!(!truncated);
        }
        _ => unreachable!(),
    }

    p.engine
        .send(a, b"a to b".to_vec(), Some(b_addr.clone()))
        .unwrap();
    match p.wait_kind(b, "datagram", |k| matches!(k, EventKind::Received { .. })) {
        EventKind::Received { bytes, from, .. } => {
            assert_eq!(bytes, b"a to b");
            assert_eq!(from, Some(a_addr.clone()));
        }
        _ => unreachable!(),
    }

    // A plain socket elsewhere sees the right sender too.
    let other = UdpSocket::bind(loopback0()).unwrap();
    other.set_read_timeout(Some(WAIT)).unwrap();
    p.engine
        .send(
            b,
            b"hello".to_vec(),
            Some(other.local_addr().unwrap().into()),
        )
        .unwrap();
    let mut buf = [0u8; 64];
    let (n, from) = other.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"hello");
    assert_eq!(Some(from), b_addr.ip());
}

#[test]
fn udp_without_destination_sends_nothing_and_says_why() {
    let mut p = Probe::new();
    let a = p
        .engine
        .open(udp_spec(loopback0(), DEFAULT_UDP_RECV_BYTES))
        .unwrap();
    p.engine.send(a, b"x".to_vec(), None).unwrap();
    match p.wait_kind(a, "failed", |k| matches!(k, EventKind::Failed(_))) {
        EventKind::Failed(e) => {
            assert!(e.message().starts_with("No destination"), "{}", e.message())
        }
        _ => unreachable!(),
    }
}

#[test]
fn udp_truncation_is_reported() {
    let mut p = Probe::new();
    let a = p.engine.open(udp_spec(loopback0(), 16)).unwrap();
    let addr = match p.wait_kind(a, "bound", |k| matches!(k, EventKind::Bound { .. })) {
        EventKind::Bound { local, .. } => local.ip().unwrap(),
        _ => unreachable!(),
    };
    let s = UdpSocket::bind(loopback0()).unwrap();
    s.send_to(&[7u8; 100], addr).unwrap();
    match p.wait_kind(a, "received", |k| matches!(k, EventKind::Received { .. })) {
        EventKind::Received {
            bytes,
            truncated,
            datagram_len,
            ..
        } => {
            assert_eq!(bytes.len(), 16);
            assert!(truncated, "a 100-byte datagram into 16 bytes is truncated");
            assert_eq!(
                datagram_len,
                Some(100),
                "the kernel says how long the whole datagram was (MSG_TRUNC)"
            );
        }
        _ => unreachable!(),
    }
}

#[test]
fn udp_datagram_over_the_limit_is_refused() {
    let mut p = Probe::new();
    let a = p
        .engine
        .open(udp_spec(loopback0(), DEFAULT_UDP_RECV_BYTES))
        .unwrap();
    let addr = match p.wait_kind(a, "bound", |k| matches!(k, EventKind::Bound { .. })) {
        EventKind::Bound { local, .. } => local,
        _ => unreachable!(),
    };
    p.engine.send(a, vec![0; 65_508], Some(addr)).unwrap();
    match p.wait_kind(a, "failed", |k| matches!(k, EventKind::Failed(_))) {
        EventKind::Failed(e) => assert!(
            e.message().starts_with("Message too long (EMSGSIZE)"),
            "{}",
            e.message()
        ),
        _ => unreachable!(),
    }
}

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

#[test]
fn sixteen_mib_each_way_arrive_complete_and_in_order() {
    const N: usize = 16 * 1024 * 1024;
    let mut p = Probe::new();
    let (l, addr) = open_listener(&mut p, loopback0());
    let c = client(addr);
    let (id, _) = accepted(&mut p, l);
    let data = pattern(N);

    // Client → engine, while this test does not drain for a while: the
    // engine must pause reading, not drop.
    let mut writer = c.try_clone().unwrap();
    let sent = data.clone();
    let t = thread::Builder::new()
        .name("test-writer".into())
        .spawn(move || {
            for chunk in sent.chunks(64 * 1024) {
                writer.write_all(chunk).unwrap();
            }
        })
        .unwrap();
    thread::sleep(Duration::from_millis(300));
    let got = p.receive_bytes(id, N);
    t.join().unwrap();
    assert_eq!(got.len(), N);
    assert!(got == data, "bytes differ");

    // Engine → client: one 16 MiB send is queued and finished on writable.
    p.engine.send(id, data.clone(), None).unwrap();
    let mut reader = c;
    let got = read_exact(&mut reader, N);
    assert!(got == data, "bytes differ");
    p.wait_kind(
        id,
        "sent",
        |k| matches!(k, EventKind::Sent { bytes, .. } if bytes.len() == N),
    );
}

#[test]
fn sends_keep_their_order_when_the_kernel_buffer_is_full() {
    let mut p = Probe::new();
    let (l, addr) = open_listener(&mut p, loopback0());
    let mut c = client(addr);
    let (id, _) = accepted(&mut p, l);
    // Many sends while the client reads nothing: most of them queue.
    let mut expect = Vec::new();
    for i in 0..200u32 {
        let chunk: Vec<u8> = (0..32 * 1024).map(|j| (i as usize + j) as u8).collect();
        expect.extend_from_slice(&chunk);
        p.engine.send(id, chunk, None).unwrap();
    }
    let got = read_exact(&mut c, expect.len());
    assert!(got == expect, "bytes reordered or lost");
}

#[test]
fn reset_is_seen_by_the_peer() {
    let mut p = Probe::new();
    let (l, addr) = open_listener(&mut p, loopback0());
    let mut c = client(addr);
    let (id, _) = accepted(&mut p, l);
    p.engine.close(id, CloseHow::Reset).unwrap();
    p.wait_kind(id, "closed", |k| {
        matches!(
            k,
            EventKind::Closed {
                reason: CloseReason::Reset,
                ..
            }
        )
    });
    let mut buf = [0u8; 8];
    let err = c.read(&mut buf).expect_err("a reset connection errors");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
}

#[test]
fn half_close_sends_fin_and_keeps_receiving() {
    let mut p = Probe::new();
    let (l, addr) = open_listener(&mut p, loopback0());
    let mut c = client(addr);
    let (id, _) = accepted(&mut p, l);
    p.engine.close(id, CloseHow::ShutdownWrite).unwrap();
    p.wait_kind(id, "write shutdown", |k| {
        matches!(k, EventKind::WriteShutdown)
    });
    let mut buf = [0u8; 8];
    assert_eq!(c.read(&mut buf).unwrap(), 0, "the client sees FIN");
    c.write_all(b"still").unwrap();
    assert_eq!(p.receive_bytes(id, 5), b"still");
    // Sending after a half-close is refused, not silently dropped.
    p.engine.send(id, b"no".to_vec(), None).unwrap();
    p.wait_kind(id, "send refused", |k| matches!(k, EventKind::Failed(_)));
}

#[test]
fn ipv6_loopback_where_available() {
    let any6: SocketAddr = "[::1]:0".parse().unwrap();
    if TcpListener::bind(any6).is_err() {
        eprintln!("skipped: this machine has no IPv6 loopback");
        return;
    }
    let mut p = Probe::new();
    let (l, addr) = open_listener(&mut p, any6);
    assert!(addr.is_ipv6());
    let id = p
        .engine
        .open(SocketSpec::TcpConnect {
            host: "::1".into(),
            port: addr.port(),
        })
        .unwrap();
    p.wait_kind(id, "connected", |k| {
        matches!(k, EventKind::Connected { .. })
    });
    let (child, peer) = accepted(&mut p, l);
    assert!(peer.is_ipv6());
    p.engine.send(id, b"v6".to_vec(), None).unwrap();
    assert_eq!(p.receive_bytes(child, 2), b"v6");
}

#[test]
fn shutdown_with_clients_connected_and_data_flowing_is_prompt() {
    let mut p = Probe::new();
    let (l, addr) = open_listener(&mut p, loopback0());
    let mut writers = Vec::new();
    for _ in 0..20 {
        let mut c = client(addr);
        writers.push(
            thread::Builder::new()
                .name("test-flood".into())
                .spawn(move || {
                    let chunk = [0x55u8; 16 * 1024];
                    let deadline = Instant::now() + WAIT;
                    // Ends when the engine closes the connection.
                    while Instant::now() < deadline && c.write_all(&chunk).is_ok() {}
                })
                .unwrap(),
        );
        accepted(&mut p, l);
    }
    thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    p.engine.shutdown();
    let took = start.elapsed();
    assert!(took < Duration::from_secs(2), "shutdown took {took:?}");
    for w in writers {
        w.join().unwrap();
    }
}

fn calls_of(p: &Probe, id: SocketId) -> Vec<(String, Result<String, String>)> {
    p.events
        .iter()
        .filter(|e| e.id == id)
        .filter_map(|e| match &e.kind {
            EventKind::Call { call, result } => Some((
                call.to_string(),
                result
                    .as_ref()
                    .map(|ok| sockbench::model::pycall::result_text(call, ok))
                    .map_err(|e| e.message()),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn the_socket_calls_are_reported_in_order() {
    let mut p = Probe::new();
    let (l, addr) = open_listener(&mut p, loopback0());
    let c = client(addr);
    let (child, peer) = accepted(&mut p, l);
    drop(c);
    p.wait_kind(child, "closed", |k| matches!(k, EventKind::Closed { .. }));
    let listener: Vec<String> = calls_of(&p, l).into_iter().map(|(c, _)| c).collect();
    assert_eq!(
        listener,
        [
            "s = socket(AF_INET, SOCK_STREAM)",
            "s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)",
            "s.bind(('127.0.0.1', 0))",
            "s.listen(128)",
            "conn, addr = s.accept()",
        ]
    );
    let results: Vec<_> = calls_of(&p, l).into_iter().map(|(_, r)| r).collect();
    assert!(
        results[0].as_ref().is_ok_and(|r| r.starts_with("fd ")),
        "{results:?}"
    );
    assert_eq!(results[4], Ok(format!("{child} from {peer}")));
    let conn: Vec<String> = calls_of(&p, child).into_iter().map(|(c, _)| c).collect();
    assert_eq!(conn.last().map(String::as_str), Some("s.close()"));

    // A failing call carries its error.
    let taken = TcpListener::bind(loopback0()).unwrap();
    let busy = taken.local_addr().unwrap();
    let id = p.engine.open(listen_spec(busy)).unwrap();
    p.wait_kind(id, "closed", |k| matches!(k, EventKind::Closed { .. }));
    let calls = calls_of(&p, id);
    let (call, result) = calls.last().unwrap();
    assert_eq!(call, &format!("s.bind(('127.0.0.1', {}))", busy.port()));
    assert!(
        result.as_ref().is_err_and(|e| e.contains("EADDRINUSE")),
        "{result:?}"
    );
}
