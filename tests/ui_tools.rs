//! The engineer's tools driven from the window: reply rules (echo, a
//! template reply, the test box, a bad rule), with real clients outside
//! Sockbench talking to a Sockbench listener.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

use egui_kittest::kittest::Queryable;

use sockbench::engine::{SocketKind, SocketSpec};
use sockbench::rules::{Rule, RuleSet, When};

use crate::ui::{find_session, harness, open_listener, run_until, type_into};
use crate::util::WAIT;

fn client(port: u16) -> TcpStream {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let c = TcpStream::connect_timeout(&addr, WAIT).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    c
}

fn read_n(c: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    c.read_exact(&mut buf).unwrap();
    buf
}

#[test]
fn echo_in_one_click_answers_every_client_and_counts_hits() {
    let mut h = harness();
    let port = open_listener(&mut h);
    h.get_by_label("Auto-reply").click();
    h.run();
    h.get_by_label("Echo").click();
    h.run();
    let listener = find_session(h.state(), SocketKind::TcpListener).unwrap();
    assert!(h.state().rules.running(listener));
    let mut a = client(port);
    let mut b = client(port);
    a.write_all(b"hello").unwrap();
    b.write_all("你好".as_bytes()).unwrap();
    assert_eq!(read_n(&mut a, 5), b"hello");
    assert_eq!(read_n(&mut b, 6), "你好".as_bytes());
    run_until(&mut h, "the hits to show", |app| {
        app.rules.sets[&listener].rules[0].hit_count() == 2
    });
    assert!(h.query_by_label("2 hits").is_some());
    // Off: nothing more comes back.
    h.get_by_label("Reply automatically").click();
    h.run();
    assert!(!h.state().rules.running(listener));
    a.write_all(b"again").unwrap();
    a.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut one = [0u8; 1];
    assert!(a.read(&mut one).is_err(), "no echo once rules are off");
}

#[test]
fn a_template_reply_a_test_box_and_a_bad_rule_that_sends_nothing() {
    let mut h = harness();
    let port = open_listener(&mut h);
    h.get_by_label("Auto-reply").click();
    h.run();
    h.get_by_label("Add rule").click();
    h.run();
    type_into(&mut h, "Rule 1 reply", "OK ${seq}\\r\\n");
    let mut c = client(port);
    c.write_all(b"x").unwrap();
    assert_eq!(read_n(&mut c, 6), b"OK 1\r\n");
    c.write_all(b"y").unwrap();
    assert_eq!(read_n(&mut c, 6), b"OK 2\r\n");

    // The test box says which rule answers and with what, and sends nothing.
    type_into(&mut h, "Test input", "abc");
    assert!(
        h.query_by_label_contains("Rule 1 answers: 6 bytes out: 4F 4B 20 33 0D 0A")
            .is_some(),
        "the test box shows the reply"
    );

    // A macro that does not exist: a clear error, the rules stop.
    type_into(&mut h, "Rule 1 reply", "${nope}");
    assert!(
        h.query_by_label_contains("Rules not running: rule 1, reply: unknown macro ${nope}")
            .is_some(),
        "the error names the rule, the part and the macro"
    );
    c.write_all(b"z").unwrap();
    c.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut one = [0u8; 1];
    assert!(c.read(&mut one).is_err(), "a wrong rule sends nothing");
}

/// A UDP socket with a regex rule answers each sender, filling in the
/// capture group and the sender's address.
#[test]
fn udp_regex_rule_answers_the_sender() {
    let mut h = harness();
    let id = h
        .state_mut()
        .open(SocketSpec::Udp {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            default_peer: None,
            recv_bytes: sockbench::engine::DEFAULT_UDP_RECV_BYTES,
        })
        .unwrap();
    run_until(&mut h, "the UDP socket to bind", |a| {
        a.model().sessions[&id].local.is_some()
    });
    let addr = crate::util::ip_of(&h.state().model().sessions[&id].local);
    let set = RuleSet {
        on: true,
        rules: vec![Rule {
            when: When::Regex,
            value: r"^temp=(\d+)$".into(),
            reply: "ack ${1} to ${peer}".into(),
            ..Rule::default()
        }],
        ..RuleSet::default()
    };
    h.state_mut().rules.sets.insert(id, set);
    h.state_mut().execute(sockbench::ui::Action::ApplyRules(id));
    let u = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    u.set_read_timeout(Some(WAIT)).unwrap();
    u.send_to(b"temp=25", addr).unwrap();
    let mut buf = [0u8; 256];
    let (n, from) = u.recv_from(&mut buf).unwrap();
    assert_eq!(from, addr);
    let me = u.local_addr().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&buf[..n]),
        format!("ack 25 to {me}")
    );
}
