//! Closed sockets stay bounded: the newest in full, older ones compacted,
//! past the cap the oldest removed and counted.

use std::net::SocketAddr;
use std::time::SystemTime;

use super::*;
use crate::engine::CloseReason;

fn ev(id: u64, kind: EventKind) -> Event {
    Event {
        id: SocketId(id),
        time: SystemTime::now(),
        kind,
    }
}

fn addr(port: u16) -> crate::engine::Addr {
    SocketAddr::from(([127, 0, 0, 1], port)).into()
}

/// A listener (#1) that accepted and closed `n` connections (#2 …), each
/// after one recv and one call line.
fn listener_with_closed(n: u64) -> Model {
    let mut m = Model::default();
    let spec = SocketSpec::TcpListen {
        addr: SocketAddr::from(([127, 0, 0, 1], 9000)),
        backlog: 128,
        reuse_addr: true,
    };
    m.opening(SocketId(1), &spec);
    m.apply(ev(
        1,
        EventKind::Listening {
            local: addr(9000),
            backlog: 128,
        },
    ));
    for i in 0..n {
        let id = i + 2;
        m.apply(ev(
            id,
            EventKind::Accepted {
                parent: SocketId(1),
                local: addr(9000),
                peer: addr(40000 + (i % 20000) as u16),
            },
        ));
        m.apply(ev(
            id,
            EventKind::Received {
                bytes: b"hello".to_vec(),
                from: None,
                truncated: false,
                datagram_len: None,
            },
        ));
        m.apply(ev(
            id,
            EventKind::Closed {
                reason: CloseReason::PeerClosed,
                unsent_bytes: 0,
            },
        ));
    }
    m
}

#[test]
fn the_newest_closed_keep_every_detail_and_older_ones_are_compacted() {
    let n = KEEP_CLOSED_DETAILED as u64 + 10;
    let m = listener_with_closed(n);
    let compacted: Vec<u64> = m
        .sessions
        .values()
        .filter(|s| s.compacted)
        .map(|s| s.id.0)
        .collect();
    assert_eq!(compacted, (2..12).collect::<Vec<_>>(), "the ten oldest");
    let old = &m.sessions[&SocketId(2)];
    assert!(old.lab.recvs().is_empty());
    let kept = old.lesson_view();
    assert!((1..=session::COMPACT_CALL_LINES).contains(&kept.lines().len()));
    assert_eq!(
        kept.lines().last(),
        m.sessions[&SocketId(n + 1)].lesson.lines().last(),
        "the newest calls are the ones kept"
    );
    let (a, b) = (&old.closed_calls, &m.sessions[&SocketId(3)].closed_calls);
    assert!(
        a.as_ref()
            .zip(b.as_ref())
            .is_some_and(|(a, b)| std::sync::Arc::ptr_eq(a, b)),
        "connections that ended alike share one copy of their calls"
    );
    assert_eq!(old.counters.bytes_in, 5, "counters stay");
    assert!(matches!(
        old.state,
        SessionState::Closed(CloseReason::PeerClosed)
    ));
    let recent = &m.sessions[&SocketId(n + 1)];
    assert!(!recent.compacted);
    assert_eq!(recent.lab.recvs().len(), 1);
    assert_eq!(m.closed_removed, 0);
    assert!(
        !m.sessions[&SocketId(1)].compacted,
        "a listener is never compacted"
    );
}

#[test]
fn past_the_cap_the_oldest_closed_are_removed_and_counted() {
    let n = MAX_CLOSED as u64 + 25;
    let m = listener_with_closed(n);
    assert_eq!(m.closed_removed, 25);
    assert_eq!(m.sessions.len(), MAX_CLOSED + 1, "the listener and the cap");
    assert!(!m.sessions.contains_key(&SocketId(2)), "the oldest went");
    assert!(m.sessions.contains_key(&SocketId(27)));
    let children = &m.sessions[&SocketId(1)].children;
    assert_eq!(children.len(), MAX_CLOSED);
    assert_eq!(children.first(), Some(&SocketId(27)));
}

#[test]
fn a_socket_the_user_removed_is_not_counted_again() {
    let mut m = listener_with_closed(3);
    assert!(m.remove(SocketId(2)));
    // Enough later closings to push #2's stale entry out of the order.
    for i in 0..MAX_CLOSED as u64 {
        let id = 100 + i;
        m.apply(ev(
            id,
            EventKind::Accepted {
                parent: SocketId(1),
                local: addr(9000),
                peer: addr(50000),
            },
        ));
        m.apply(ev(
            id,
            EventKind::Closed {
                reason: CloseReason::PeerClosed,
                unsent_bytes: 0,
            },
        ));
    }
    // #3 and #4 were removed by the cap; #2 the user removed earlier.
    assert_eq!(m.closed_removed, 2);
}

#[test]
fn a_compacted_socket_keeps_showing_its_calls_after_a_later_write() {
    let n = KEEP_CLOSED_DETAILED as u64 + 10;
    let mut m = listener_with_closed(n);
    let before = m.sessions[&SocketId(2)].lesson_view().lines().count();
    assert!(before > 0);
    // A kernel sample asked for while the user looks at it.
    m.apply(ev(2, EventKind::KernelState(None)));
    let s = &m.sessions[&SocketId(2)];
    assert!(s.compacted);
    assert_eq!(s.lesson_view().lines().count(), before);
}
