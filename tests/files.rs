//! Files over loopback: a file sent on a TCP connection arrives whole and
//! in order, on UDP as datagrams of the chosen size; a send can be
//! cancelled; a listener and a missing file are refused with a clear error.

use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

use sockbench::engine::{
    EventKind, FILE_QUEUE_BYTES, FileEnd, FileSend, NetOp, SocketId, SocketSpec, Why,
};

use crate::util::{Probe, TempDir, WAIT, pattern_at};

fn loopback0() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
}

/// A listener, a client outside Sockbench, and the accepted connection.
fn connection(p: &mut Probe) -> (SocketId, SocketId, TcpStream) {
    let (l, addr) = crate::hooks::listener(p);
    let c = TcpStream::connect_timeout(&addr, WAIT).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    let child = p
        .wait("accepted", |e| matches!(e.kind, EventKind::Accepted { .. }))
        .id;
    (l, child, c)
}

fn stream_file(path: std::path::PathBuf) -> FileSend {
    FileSend {
        path,
        piece: 0,
        gap: Duration::ZERO,
        to: None,
    }
}

fn done(p: &mut Probe, id: SocketId) -> (u64, u64, FileEnd) {
    match p.wait_kind(id, "the file's end", |k| {
        matches!(k, EventKind::FileDone { .. })
    }) {
        EventKind::FileDone { sent, total, end } => (sent, total, end),
        _ => unreachable!(),
    }
}

#[test]
fn a_file_sent_on_a_connection_arrives_whole_and_in_order() {
    let mut p = Probe::new();
    let (_l, child, mut c) = connection(&mut p);
    let dir = TempDir::new("send-file");
    let data = pattern_at(0, 5 * FILE_QUEUE_BYTES + 123);
    std::fs::write(dir.path("f.bin"), &data).unwrap();
    p.engine
        .send_file(child, stream_file(dir.path("f.bin")))
        .unwrap();
    match p.wait_kind(child, "the start", |k| {
        matches!(k, EventKind::FileProgress { .. })
    }) {
        EventKind::FileProgress { sent, total } => {
            assert_eq!((sent, total), (0, data.len() as u64));
        }
        _ => unreachable!(),
    }
    let mut got = vec![0u8; data.len()];
    c.read_exact(&mut got).unwrap();
    assert!(got == data, "the bytes arrive as the file holds them");
    let (sent, total, end) = done(&mut p, child);
    assert_eq!(
        (sent, total, end),
        (total, data.len() as u64, FileEnd::Sent)
    );
    // Each piece went out as a send of at most 64 KiB.
    let pieces: Vec<usize> = p
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Sent { bytes, .. } if e.id == child => Some(bytes.len()),
            _ => None,
        })
        .collect();
    assert_eq!(pieces.iter().sum::<usize>(), data.len());
    assert!(pieces.iter().all(|&n| n <= 64 * 1024));
}

#[test]
fn a_file_on_udp_goes_as_datagrams_of_the_chosen_size() {
    let mut p = Probe::new();
    let rx = UdpSocket::bind(loopback0()).unwrap();
    rx.set_read_timeout(Some(WAIT)).unwrap();
    let u = p
        .engine
        .open(SocketSpec::Udp {
            addr: loopback0(),
            default_peer: None,
            recv_bytes: 2048,
        })
        .unwrap();
    p.wait_kind(u, "bound", |k| matches!(k, EventKind::Bound { .. }));
    let dir = TempDir::new("send-file-udp");
    let data = pattern_at(0, 10_240);
    std::fs::write(dir.path("f.bin"), &data).unwrap();
    p.engine
        .send_file(
            u,
            FileSend {
                path: dir.path("f.bin"),
                piece: 1000,
                gap: Duration::from_millis(2),
                to: Some(rx.local_addr().unwrap().into()),
            },
        )
        .unwrap();
    let mut got = Vec::new();
    let mut sizes = Vec::new();
    let mut buf = [0u8; 2048];
    while got.len() < data.len() {
        let n = rx.recv(&mut buf).unwrap();
        sizes.push(n);
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, data);
    assert_eq!(sizes, [vec![1000; 10], vec![240]].concat());
    assert_eq!(done(&mut p, u).2, FileEnd::Sent);
}

#[test]
fn a_file_send_can_be_cancelled_and_a_listener_or_a_missing_file_is_refused() {
    let mut p = Probe::new();
    let (l, child, _c) = connection(&mut p);
    let dir = TempDir::new("send-file-cancel");
    // Far more than the kernel's buffers hold while the client does not read.
    let data = vec![9u8; 64 << 20];
    std::fs::write(dir.path("big.bin"), &data).unwrap();
    p.engine
        .send_file(child, stream_file(dir.path("big.bin")))
        .unwrap();
    p.wait_kind(child, "the start", |k| {
        matches!(k, EventKind::FileProgress { .. })
    });
    std::thread::sleep(Duration::from_millis(100));
    p.engine.cancel_file(child).unwrap();
    let (sent, total, end) = done(&mut p, child);
    assert_eq!(end, FileEnd::Cancelled);
    assert_eq!(total, data.len() as u64);
    assert!(sent < total, "stopped part way: {sent} of {total}");

    // A listener sends through its connections: refused, nothing sent.
    p.engine
        .send_file(l, stream_file(dir.path("big.bin")))
        .unwrap();
    match p.wait_kind(l, "the refusal", |k| matches!(k, EventKind::Failed(_))) {
        EventKind::Failed(e) => assert_eq!(e.why, Why::FileToListener),
        _ => unreachable!(),
    }
    // A file that is not there: open() fails with ENOENT, named.
    p.engine
        .send_file(child, stream_file(dir.path("missing.bin")))
        .unwrap();
    match p.wait_kind(child, "the error", |k| matches!(k, EventKind::Failed(_))) {
        EventKind::Failed(e) => {
            assert_eq!(e.op, NetOp::OpenFile);
            assert_eq!(e.errno, Some(2));
            assert!(e.addr.unwrap().ends_with("missing.bin"));
        }
        _ => unreachable!(),
    }
}
