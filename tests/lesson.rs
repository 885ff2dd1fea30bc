//! The teaching features over real loopback sockets: the recv size and
//! TCP_NODELAY knobs, the kernel's TCP states (TCP_INFO) through a close,
//! and the sticky-packet record (the generated Python programs are in
//! `python.rs`).

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use sockbench::engine::{CloseHow, SockOption, SocketId, SocketSpec, TcpState};
use sockbench::model::lab::{Part, sends_in};

use crate::util::{ChildProc, Recorder, WAIT, child_arg, child_watchdog, raise_open_files};

pub(crate) fn listen_spec() -> SocketSpec {
    SocketSpec::TcpListen {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        backlog: 128,
        reuse_addr: true,
    }
}

pub(crate) fn connect_spec(port: u16) -> SocketSpec {
    SocketSpec::TcpConnect {
        host: "127.0.0.1".into(),
        port,
    }
}

/// A listener, a client connected to it, and the accepted connection.
pub(crate) fn pair(r: &mut Recorder) -> (SocketId, SocketId, SocketId) {
    let l = r.open(listen_spec());
    r.wait_until("listening", |m, _| m.sessions[&l].local.is_some());
    let port = crate::util::ip_of(&r.model.sessions[&l].local).port();
    let c = r.open(connect_spec(port));
    r.wait_until("connected and accepted", |m, _| {
        m.sessions[&c].peer.is_some() && !m.sessions[&l].children.is_empty()
    });
    let a = r.model.sessions[&l].children[0];
    (l, c, a)
}

/// Asks for TCP_INFO until `id` is in `state` (or fails after [`WAIT`]).
fn wait_state(r: &mut Recorder, id: SocketId, state: TcpState) {
    let deadline = Instant::now() + WAIT;
    loop {
        r.engine.query_tcp_info(id).unwrap();
        r.pump_for(Duration::from_millis(20));
        let now = r.model.sessions[&id].tcp_info.map(|(_, i)| i.state);
        if now == Some(state) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{id} never reached {state:?}; last {now:?}"
        );
    }
}

#[test]
fn the_kernel_states_of_a_close_can_be_watched() {
    let mut r = Recorder::new();
    let (l, c, a) = pair(&mut r);
    wait_state(&mut r, l, TcpState::Listen);
    let queue = r.model.sessions[&l].tcp_info.unwrap().1.accept_queue;
    assert_eq!(queue, Some((0, 128)), "nothing waits; the backlog is 128");
    wait_state(&mut r, c, TcpState::Established);
    wait_state(&mut r, a, TcpState::Established);
    let info = r.model.sessions[&c].tcp_info.unwrap().1;
    assert_eq!(info.unacked_bytes.unwrap_or(0), 0, "{info:?}");
    // Both stay open after the peer's FIN, as a learner would set it.
    for id in [c, a] {
        r.engine
            .configure(id, SockOption::CloseOnPeerClose(false))
            .unwrap();
    }
    r.wait_until("both configured", |m, _| {
        !m.sessions[&c].close_on_peer_close && !m.sessions[&a].close_on_peer_close
    });
    r.engine.close(c, CloseHow::ShutdownWrite).unwrap();
    r.wait_until("the accepted side sees the FIN", |m, _| {
        m.sessions[&a].peer_closed
    });
    wait_state(&mut r, c, TcpState::FinWait2);
    wait_state(&mut r, a, TcpState::CloseWait);
    assert!(
        !r.model.sessions[&a].state.is_closed(),
        "stays in CLOSE_WAIT"
    );
    // Now the accepted side closes too. The client, which closed first,
    // hands its TIME_WAIT to a kernel-held record: its own socket reads
    // CLOSED, as does the side that closed last once its FIN is acknowledged.
    r.engine.close(a, CloseHow::ShutdownWrite).unwrap();
    r.wait_until("the client sees the FIN", |m, _| m.sessions[&c].peer_closed);
    wait_state(&mut r, c, TcpState::Closed);
    wait_state(&mut r, a, TcpState::Closed);
    // The kernel's TCP table still has the client's side, in TIME_WAIT.
    let (local, peer) = {
        let s = &r.model.sessions[&c];
        (crate::util::ip_of(&s.local), crate::util::ip_of(&s.peer))
    };
    r.engine.query_kernel_state(c, local, peer).unwrap();
    r.wait_until("the table's answer", |m, _| {
        m.sessions[&c].table_state.is_some()
    });
    assert_eq!(
        r.model.sessions[&c].table_state.unwrap().1,
        Some(TcpState::TimeWait)
    );
    assert_eq!(
        r.model.sessions[&c].kernel_state(),
        Some(Some(TcpState::TimeWait))
    );
    let calls: Vec<String> = r.model.sessions[&c]
        .lesson
        .lines()
        .map(|x| r.model.sessions[&c].lesson.render(x).0)
        .collect();
    assert!(
        calls.contains(&"s.shutdown(SHUT_WR)".to_owned()),
        "{calls:?}"
    );
    assert!(
        calls.contains(&"data = s.recv(65536)".to_owned()),
        "{calls:?}"
    );
}

/// Closes the client of a fresh pair and waits until the kernel says: the
/// client's side (which closed first) is in `TIME_WAIT`, the accepted
/// side's record is gone.
fn client_ends_in_time_wait(r: &mut Recorder) {
    let (_, c, a) = pair(r);
    r.engine.close(c, CloseHow::Close).unwrap();
    r.wait_until("both closed", |m, _| {
        m.sessions[&c].state.is_closed() && m.sessions[&a].state.is_closed()
    });
    let s = &r.model.sessions[&c];
    let (local, peer) = (crate::util::ip_of(&s.local), crate::util::ip_of(&s.peer));
    let deadline = Instant::now() + WAIT;
    loop {
        r.engine.query_kernel_state(c, local, peer).unwrap();
        r.engine.query_kernel_state(a, peer, local).unwrap();
        r.pump_for(Duration::from_millis(20));
        let st = |id| r.model.sessions[&id].kernel_state();
        // The accepted side closed last: LAST_ACK until the final ACK, then
        // no record at all.
        if st(c) == Some(Some(TcpState::TimeWait)) && st(a) == Some(None) {
            break;
        }
        assert!(Instant::now() < deadline, "{:?} {:?}", st(c), st(a));
    }
}

#[test]
fn after_a_plain_close_the_side_that_closed_first_is_in_time_wait() {
    client_ends_in_time_wait(&mut Recorder::new());
}

/// Connections another process holds while the next test runs.
const HELD_CONNECTIONS: usize = 3_000;

/// Helper, not a test of its own: re-run by the next test to hold `N`
/// idle loopback connections (2N sockets in the kernel's table) until
/// killed (at most two minutes).
#[test]
fn helper_holds_idle_connections() {
    let Some(n) = child_arg("lesson::helper_holds_idle_connections") else {
        return;
    };
    let n: usize = n.parse().unwrap();
    child_watchdog(Duration::from_secs(120));
    raise_open_files(2 * n as u64 + 64);
    let l = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = l.local_addr().unwrap();
    let mut held = Vec::with_capacity(2 * n);
    for _ in 0..n {
        held.push(std::net::TcpStream::connect_timeout(&addr, WAIT).unwrap());
        held.push(l.accept().unwrap().0);
    }
    println!("holding {}", held.len());
    std::thread::sleep(Duration::from_secs(120));
}

/// The kernel-state lookup asks for the one connection, so thousands of
/// others on the machine neither slow it nor hide the answer (reading and
/// scanning the whole text table did).
#[test]
fn time_wait_is_seen_while_another_process_holds_thousands_of_connections() {
    use nix::sys::resource::{Resource, getrlimit};
    let need = 2 * HELD_CONNECTIONS as u64 + 64;
    if getrlimit(Resource::RLIMIT_NOFILE).is_ok_and(|(_, hard)| hard < need) {
        eprintln!("skipped: the hard limit on open files is under {need}");
        return;
    }
    let helper = ChildProc::start(
        "lesson::helper_holds_idle_connections",
        &HELD_CONNECTIONS.to_string(),
    );
    let held: usize = helper.expect_line("holding ").parse().unwrap();
    assert_eq!(held, 2 * HELD_CONNECTIONS);
    client_ends_in_time_wait(&mut Recorder::new());
}

#[test]
fn the_recv_size_splits_one_send_into_reads_of_that_size() {
    let mut r = Recorder::new();
    let (_, c, a) = pair(&mut r);
    r.engine.configure(a, SockOption::RecvSize(4)).unwrap();
    r.wait_until("configured", |m, _| m.sessions[&a].recv_size == 4);
    r.engine.send(c, b"0123456789".to_vec(), None).unwrap();
    r.wait_until("10 bytes", |m, _| m.sessions[&a].counters.bytes_in == 10);
    let sizes: Vec<u64> = r.model.sessions[&a]
        .lab
        .recvs()
        .iter()
        .map(|x| x.len)
        .collect();
    assert_eq!(sizes, vec![4, 4, 2]);
    let recvs = r.model.sessions[&a].lab.recvs().clone();
    let sends = r.model.sessions[&c].lab.sends().clone();
    assert_eq!(sends_in(&recvs[0], &sends), vec![(1, Part::Piece)]);
    let lines: Vec<String> = r.model.sessions[&a]
        .lesson
        .lines()
        .map(|x| r.model.sessions[&a].lesson.render(x).0)
        .collect();
    assert!(
        lines.contains(&"data = conn.recv(4)".to_owned()),
        "{lines:?}"
    );
}

#[test]
fn three_quick_sends_are_recorded_against_the_reads() {
    let mut r = Recorder::new();
    let (_, c, a) = pair(&mut r);
    for m in ["one", "two", "three"] {
        r.engine.send(c, m.as_bytes().to_vec(), None).unwrap();
    }
    r.wait_until("11 bytes", |m, _| m.sessions[&a].counters.bytes_in == 11);
    let recvs = r.model.sessions[&a].lab.recvs().clone();
    let sends = r.model.sessions[&c].lab.sends().clone();
    assert_eq!(sends.len(), 3);
    let covered: Vec<u64> = recvs
        .iter()
        .flat_map(|x| sends_in(x, &sends))
        .filter(|(_, p)| *p == Part::Whole)
        .map(|(n, _)| n)
        .collect();
    // However the kernel grouped them, every send lies whole in some read
    // (each is smaller than a read), in order.
    assert_eq!(covered, vec![1, 2, 3], "{recvs:?}");
}

#[test]
fn tcp_nodelay_is_set_and_reported_as_a_call() {
    let mut r = Recorder::new();
    let (l, c, _) = pair(&mut r);
    r.engine.configure(c, SockOption::NoDelay(true)).unwrap();
    r.wait_until("nodelay", |m, _| m.sessions[&c].nodelay == Some(true));
    let (call, result) = {
        let s = &r.model.sessions[&c];
        s.lesson
            .lines()
            .map(|x| s.lesson.render(x))
            .next_back()
            .unwrap()
    };
    assert_eq!(call, "s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)");
    assert_eq!(result, Ok("ok".to_owned()));
    // On a listener it reaches the connections it accepts later.
    r.engine.configure(l, SockOption::NoDelay(true)).unwrap();
    let port = crate::util::ip_of(&r.model.sessions[&l].local).port();
    let c2 = r.open(connect_spec(port));
    r.wait_until("both connections have it", |m, _| {
        m.sessions[&c2].peer.is_some()
            && m.sessions[&l].children.len() == 2
            && m.sessions[&l]
                .children
                .iter()
                .all(|k| m.sessions[k].nodelay == Some(true))
    });
}

#[test]
fn a_udp_socket_refuses_tcp_options_with_a_reason() {
    let mut r = Recorder::new();
    let u = r.open(SocketSpec::Udp {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        default_peer: None,
        recv_bytes: 65536,
    });
    r.wait_until("bound", |m, _| m.sessions[&u].local.is_some());
    r.engine.configure(u, SockOption::NoDelay(true)).unwrap();
    r.wait_until("refused", |m, _| {
        m.sessions[&u]
            .last_error
            .as_ref()
            .is_some_and(|e| e.message().contains("TCP only"))
    });
    r.engine.configure(u, SockOption::RecvSize(8)).unwrap();
    r.wait_until("recv size", |m, _| m.sessions[&u].recv_size == 8);
}

#[test]
fn a_connection_shows_the_settings_it_took_from_its_listener() {
    let mut r = Recorder::new();
    let l = r.open(listen_spec());
    r.wait_until("listening", |m, _| m.sessions[&l].local.is_some());
    r.engine
        .configure(l, SockOption::CloseOnPeerClose(false))
        .unwrap();
    r.engine.configure(l, SockOption::RecvSize(16)).unwrap();
    r.wait_until("configured", |m, _| {
        !m.sessions[&l].close_on_peer_close && m.sessions[&l].recv_size == 16
    });
    let port = crate::util::ip_of(&r.model.sessions[&l].local).port();
    let c = r.open(connect_spec(port));
    r.wait_until("accepted", |m, _| m.sessions[&l].children.len() == 1);
    let a = r.model.sessions[&l].children[0];
    assert!(!r.model.sessions[&a].close_on_peer_close);
    assert_eq!(r.model.sessions[&a].recv_size, 16);
    // And it does stay open in CLOSE_WAIT when the peer closes.
    r.engine.close(c, CloseHow::Close).unwrap();
    r.wait_until("peer closed", |m, _| m.sessions[&a].peer_closed);
    r.pump_for(Duration::from_millis(100));
    assert!(!r.model.sessions[&a].state.is_closed());
}
