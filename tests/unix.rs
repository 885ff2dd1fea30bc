//! Unix domain sockets through the engine, in temporary directories and
//! under abstract names: stream listener and client, datagrams, the calls
//! they report, a stale socket file, and a path that is not a socket.

use std::io::{Read, Write};
use std::os::unix::net::{UnixDatagram, UnixListener, UnixStream};
use std::path::PathBuf;

use sockbench::engine::{Addr, CloseHow, EventKind, SocketId, SocketSpec, UnixAddr, Why};
use sockbench::model::pycall::result_text;

use crate::util::{Probe, TempDir, WAIT};

fn path_addr(p: &std::path::Path) -> UnixAddr {
    UnixAddr::Path(p.to_path_buf())
}

fn calls_of(p: &Probe, id: SocketId) -> Vec<String> {
    p.events
        .iter()
        .filter(|e| e.id == id)
        .filter_map(|e| match &e.kind {
            EventKind::Call { call, result } => Some(format!(
                "{call} -> {}",
                match result {
                    Ok(ok) => result_text(call, ok),
                    Err(e) => e.message(),
                }
            )),
            _ => None,
        })
        .collect()
}

fn listen(p: &mut Probe, path: UnixAddr, remove_stale: bool) -> SocketId {
    p.engine
        .open(SocketSpec::UnixListen {
            path,
            backlog: 16,
            remove_stale,
        })
        .unwrap()
}

#[test]
fn a_unix_listener_serves_a_client_and_removes_its_socket_file() {
    let dir = TempDir::new("unix-listen");
    let path = dir.path("echo.sock");
    let mut p = Probe::new();
    let l = listen(&mut p, path_addr(&path), false);
    p.wait_kind(l, "listening", |k| matches!(k, EventKind::Listening { .. }));
    assert!(path.exists(), "bind() made the socket file");

    let mut client = UnixStream::connect(&path).unwrap();
    client.set_read_timeout(Some(WAIT)).unwrap();
    let (child, peer) = match p.wait("accepted", |e| matches!(e.kind, EventKind::Accepted { .. })) {
        sockbench::engine::Event {
            id,
            kind: EventKind::Accepted { peer, parent, .. },
            ..
        } => {
            assert_eq!(parent, l);
            (id, peer)
        }
        _ => unreachable!(),
    };
    assert_eq!(
        peer,
        Addr::Unix(UnixAddr::Unnamed),
        "a client that never bound"
    );
    client.write_all(b"hello unix").unwrap();
    assert_eq!(p.receive_bytes(child, 10), b"hello unix");
    p.engine.send(child, b"back".to_vec(), None).unwrap();
    let mut buf = [0u8; 4];
    client.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"back");

    p.engine.close(l, CloseHow::Close).unwrap();
    p.wait_kind(l, "closed", |k| matches!(k, EventKind::Closed { .. }));
    let calls = calls_of(&p, l);
    let shown = path.display().to_string();
    assert_eq!(
        calls[0].split(" -> ").next(),
        Some("s = socket(AF_UNIX, SOCK_STREAM)")
    );
    assert!(
        calls.contains(&format!("s.bind('{shown}') -> ok")),
        "{calls:#?}"
    );
    assert!(
        calls.contains(&"s.listen(16) -> ok".to_owned()),
        "{calls:#?}"
    );
    assert!(
        calls.last() == Some(&format!("os.unlink('{shown}') -> ok")),
        "{calls:#?}"
    );
    assert!(!path.exists(), "closing removed the socket file it made");
}

#[test]
fn a_unix_client_connects_by_path_and_by_abstract_name() {
    let dir = TempDir::new("unix-connect");
    let path = dir.path("server.sock");
    let server = UnixListener::bind(&path).unwrap();
    let mut p = Probe::new();
    let c = p
        .engine
        .open(SocketSpec::UnixConnect {
            path: path_addr(&path),
        })
        .unwrap();
    match p.wait_kind(c, "connected", |k| matches!(k, EventKind::Connected { .. })) {
        EventKind::Connected { peer, .. } => assert_eq!(peer, Addr::Unix(path_addr(&path))),
        _ => unreachable!(),
    }
    let (mut conn, _) = server.accept().unwrap();
    conn.set_read_timeout(Some(WAIT)).unwrap();
    p.engine.send(c, b"ping".to_vec(), None).unwrap();
    let mut buf = [0u8; 4];
    conn.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ping");
    conn.write_all(b"pong").unwrap();
    assert_eq!(p.receive_bytes(c, 4), b"pong");
    drop(conn);
    p.wait_kind(c, "closed after the peer closed", |k| {
        matches!(k, EventKind::Closed { .. })
    });

    // An abstract name: no file at all.
    let name = format!("sockbench-test-{}", std::process::id());
    let abstract_addr = UnixAddr::Abstract(name.clone().into_bytes().into());
    let l = listen(&mut p, abstract_addr.clone(), false);
    p.wait_kind(l, "listening", |k| matches!(k, EventKind::Listening { .. }));
    let c2 = p
        .engine
        .open(SocketSpec::UnixConnect {
            path: abstract_addr,
        })
        .unwrap();
    p.wait_kind(c2, "connected", |k| {
        matches!(k, EventKind::Connected { .. })
    });
    let child = p
        .wait("accepted", |e| matches!(e.kind, EventKind::Accepted { .. }))
        .id;
    p.engine.send(c2, b"abstract".to_vec(), None).unwrap();
    assert_eq!(p.receive_bytes(child, 8), b"abstract");
    assert!(
        calls_of(&p, l)
            .iter()
            .any(|c| c == &format!("s.bind('\\0{name}') -> ok")),
        "{:#?}",
        calls_of(&p, l)
    );
}

#[test]
fn unix_datagrams_keep_their_boundaries_and_their_senders() {
    let dir = TempDir::new("unix-dgram");
    let here = dir.path("here.sock");
    let there = dir.path("there.sock");
    let other = UnixDatagram::bind(&there).unwrap();
    other.set_read_timeout(Some(WAIT)).unwrap();
    let mut p = Probe::new();
    let d = p
        .engine
        .open(SocketSpec::UnixDgram {
            path: path_addr(&here),
            peer: Some(path_addr(&there)),
            recv_bytes: 2048,
            remove_stale: false,
        })
        .unwrap();
    p.wait_kind(d, "bound", |k| matches!(k, EventKind::Bound { .. }));
    // To the default peer, then to an explicit one.
    p.engine.send(d, b"one".to_vec(), None).unwrap();
    p.engine
        .send(d, b"two!".to_vec(), Some(Addr::Unix(path_addr(&there))))
        .unwrap();
    let mut buf = [0u8; 64];
    let (n, from) = other.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"one");
    assert_eq!(from.as_pathname(), Some(here.as_path()));
    let (n, _) = other.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"two!", "one sendto() is one recvfrom()");

    other.send_to(b"a", &here).unwrap();
    other.send_to(b"bc", &here).unwrap();
    let unnamed = UnixDatagram::unbound().unwrap();
    unnamed.send_to(b"who", &here).unwrap();
    let mut got = Vec::new();
    while got.len() < 3 {
        match p.wait_kind(d, "datagram", |k| matches!(k, EventKind::Received { .. })) {
            EventKind::Received { bytes, from, .. } => got.push((bytes, from)),
            _ => unreachable!(),
        }
    }
    assert_eq!(got[0], (b"a".to_vec(), Some(Addr::Unix(path_addr(&there)))));
    assert_eq!(got[1].0, b"bc");
    assert_eq!(
        got[2],
        (b"who".to_vec(), Some(Addr::Unix(UnixAddr::Unnamed)))
    );

    // An IP destination is the wrong family: refused, nothing sent.
    p.engine
        .send(
            d,
            b"x".to_vec(),
            Some(
                "127.0.0.1:9"
                    .parse::<std::net::SocketAddr>()
                    .unwrap()
                    .into(),
            ),
        )
        .unwrap();
    match p.wait_kind(d, "refusal", |k| matches!(k, EventKind::Failed(_))) {
        EventKind::Failed(e) => assert_eq!(e.why, Why::WrongFamily),
        _ => unreachable!(),
    }
    p.engine.close(d, CloseHow::Close).unwrap();
    p.wait_kind(d, "closed", |k| matches!(k, EventKind::Closed { .. }));
    assert!(!here.exists(), "its socket file is removed on close");
    assert!(there.exists(), "another program's socket file is not");
}

#[test]
fn a_stale_socket_file_is_removed_only_when_asked_and_other_files_never() {
    let dir = TempDir::new("unix-stale");
    let path = dir.path("stale.sock");
    drop(UnixListener::bind(&path).unwrap());
    assert!(path.exists(), "a socket file left behind");
    let mut p = Probe::new();
    let l = listen(&mut p, path_addr(&path), false);
    match p.wait_kind(l, "refused", |k| matches!(k, EventKind::Failed(_))) {
        EventKind::Failed(e) => {
            assert_eq!(e.why, Why::StaleSocket);
            assert!(e.message().contains("Stale socket file"), "{}", e.message());
        }
        _ => unreachable!(),
    }
    p.wait_kind(l, "closed", |k| matches!(k, EventKind::Closed { .. }));
    assert!(path.exists(), "nothing was removed without asking");

    let l = listen(&mut p, path_addr(&path), true);
    p.wait_kind(l, "listening", |k| matches!(k, EventKind::Listening { .. }));
    let calls = calls_of(&p, l);
    let shown = path.display().to_string();
    assert!(
        calls.contains(&format!("os.unlink('{shown}') -> ok")),
        "{calls:#?}"
    );
    assert!(UnixStream::connect(&path).is_ok(), "it listens there now");

    // A live listener's file is not stale: bind fails, the file stays.
    let again = listen(&mut p, path_addr(&path), true);
    match p.wait_kind(again, "refused", |k| matches!(k, EventKind::Failed(_))) {
        EventKind::Failed(e) => assert_eq!(e.errno_name().as_deref(), Some("EADDRINUSE")),
        _ => unreachable!(),
    }
    assert!(
        UnixStream::connect(&path).is_ok(),
        "the first still listens"
    );

    // A regular file is never removed, asked or not.
    let file: PathBuf = dir.path("notes.txt");
    std::fs::write(&file, b"keep me").unwrap();
    let id = listen(&mut p, path_addr(&file), true);
    match p.wait_kind(id, "refused", |k| matches!(k, EventKind::Failed(_))) {
        EventKind::Failed(e) => assert_eq!(e.why, Why::NotASocket),
        _ => unreachable!(),
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
}
