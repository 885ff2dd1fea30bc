//! The engineer's tools driven from the window: reply rules (echo, a
//! template reply, the test box, a bad rule), with real clients outside
//! Sockbench talking to a Sockbench listener.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

use eframe::egui;
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

/// Opens a UDP socket on loopback (port 0); its id and bound address.
pub(crate) fn open_udp(
    h: &mut egui_kittest::Harness<'static, sockbench::app::WorkbenchApp>,
) -> (sockbench::engine::SocketId, SocketAddr) {
    let id = h
        .state_mut()
        .open(SocketSpec::Udp {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            default_peer: None,
            recv_bytes: sockbench::engine::DEFAULT_UDP_RECV_BYTES,
        })
        .unwrap();
    run_until(h, "the UDP socket to bind", |a| {
        a.model().sessions[&id].local.is_some()
    });
    let addr = crate::util::ip_of(&h.state().model().sessions[&id].local);
    (id, addr)
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
    let (id, addr) = open_udp(&mut h);
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

#[test]
fn quick_send_items_repeat_sequences_and_a_bad_item() {
    use sockbench::quick::{Sequence, Step};
    let mut h = harness();
    h.get_by_label("Quick send panel").click();
    h.run();
    let port = open_listener(&mut h);
    let (_, accepted) = crate::ui::open_client(&mut h, port);
    // The examples: a numbered line, a Modbus request with its CRC.
    h.get_by_label("Send PING").click();
    h.run();
    h.get_by_label("Send Modbus read").click();
    let mut want = b"PING 1\r\n".to_vec();
    want.extend_from_slice(&[1, 3, 0, 0, 0, 0x0A, 0xC5, 0xCD]);
    run_until(&mut h, "both items to arrive", |a| {
        crate::ui::received_on(a, accepted) == want
    });

    // Every 5 ms, timed by the engine, until stopped.
    h.state_mut().settings.quick.items[0].every_ms = 5;
    h.run();
    h.get_by_label("Repeat PING").click();
    run_until(&mut h, "three repeats", |a| {
        let got = crate::ui::received_on(a, accepted);
        String::from_utf8_lossy(&got).matches("PING").count() >= 4
    });
    h.get_by_label("Stop PING").click();
    let client = find_session(h.state(), SocketKind::TcpClient).unwrap();
    run_until(&mut h, "the repeat to stop", |a| {
        a.model().sessions[&client]
            .periodic_in(a.settings.quick.items[0].slot())
            .is_some_and(|p| !p.running)
    });

    // A sequence: both items, 50 ms apart.
    h.state_mut().settings.quick.sequences.push(Sequence {
        name: "poll".into(),
        steps: vec![
            Step {
                item: "Modbus read".into(),
                delay_ms: 50,
            },
            Step {
                item: "Modbus read".into(),
                delay_ms: 0,
            },
        ],
    });
    h.run();
    let before = crate::ui::received_on(h.state(), accepted).len();
    h.get_by_label("Run poll").click();
    run_until(&mut h, "the sequence's two sends", |a| {
        crate::ui::received_on(a, accepted).len() == before + 16
    });
    let sent: Vec<_> = h
        .state()
        .model()
        .log
        .entries()
        .filter(|e| e.socket == client && e.kind == sockbench::model::log::EntryKind::Sent)
        .map(|e| e.time_us)
        .collect();
    let gap = Duration::from_micros(sent[sent.len() - 1] - sent[sent.len() - 2]);
    assert!(
        gap >= Duration::from_millis(45),
        "the steps were {gap:?} apart"
    );

    // A macro that does not exist: an error naming the item, nothing sent.
    h.state_mut().settings.quick.items[0].text = "${bogus}".into();
    h.run();
    let before = crate::ui::received_on(h.state(), accepted).len();
    h.get_by_label("Send PING").click();
    h.run();
    assert!(
        h.query_by_label_contains("PING: unknown macro ${bogus}")
            .is_some()
    );
    h.run_steps(10);
    assert_eq!(crate::ui::received_on(h.state(), accepted).len(), before);
}

/// A GBK character cut across two reads: each row shows only its own
/// bytes, the pieces marked partial; the expanded row shows the whole
/// character, the text and an offset hex dump; the menu copies.
#[test]
fn rows_show_their_own_bytes_expand_and_copy() {
    let mut h = harness();
    h.state_mut().settings.display_encoding = sockbench::codec::text::TextEncoding::Gbk;
    let port = open_listener(&mut h);
    let mut c = client(port);
    c.set_nodelay(true).unwrap();
    c.write_all(&[0x01, 0x03, 0xD0]).unwrap();
    run_until(&mut h, "the first read", |a| {
        find_session(a, SocketKind::TcpAccepted)
            .is_some_and(|id| crate::ui::received_on(a, id).len() == 3)
    });
    c.write_all(&[0xC4, 0xCC, 0xF8]).unwrap();
    run_until(&mut h, "the second read", |a| {
        find_session(a, SocketKind::TcpAccepted)
            .is_some_and(|id| crate::ui::received_on(a, id).len() == 6)
    });
    assert!(
        h.query_by_label("\\x01\\x03\\xD0…").is_some(),
        "the first row ends with the lead byte, marked partial"
    );
    assert!(
        h.query_by_label("…\\xC4跳").is_some(),
        "the second row starts with the rest, marked partial"
    );
    h.get_by_label("…\\xC4跳").click();
    h.run();
    assert!(
        h.query_by_label_contains("Starts with the end of 心 (D0 C4)")
            .is_some(),
        "the expanded row shows the whole character"
    );
    assert!(h.query_by_label_contains("00000000  C4 CC F8").is_some());
    h.get_by_label_contains("Starts with the end of")
        .click_secondary();
    h.run();
    h.get_by_label("Copy as Python bytes").click();
    h.run();
    assert!(h.query_by_label("Copied Python bytes").is_some());
}

/// Right-click a datagram's row, "Reply to this sender": the socket is
/// selected and the composer sends to that sender.
#[test]
fn reply_to_a_udp_sender_from_its_row() {
    let mut h = harness();
    let (id, addr) = open_udp(&mut h);
    let u = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    u.send_to(b"hello there", addr).unwrap();
    run_until(&mut h, "the datagram", |a| {
        crate::ui::received_on(a, id) == b"hello there"
    });
    h.state_mut().selected = None;
    h.run();
    h.get_by_label("hello there").click_secondary();
    h.run();
    h.get_by_label("Reply to this sender").click();
    h.run();
    assert_eq!(h.state().selected, Some(id));
    assert_eq!(
        h.state().settings.composer.udp_to,
        u.local_addr().unwrap().to_string()
    );
}

/// ↑ brings back a hex payload as hex; the composer's encoding is the
/// selected socket's (the one its rows are shown in).
#[test]
fn history_keeps_the_mode_and_the_encoding_is_the_sockets() {
    let mut h = harness();
    let port = open_listener(&mut h);
    let (client, accepted) = crate::ui::open_client(&mut h, port);
    h.get_by_label("Hex").click();
    h.run();
    type_into(&mut h, "Payload", "01 02");
    h.get_by_label("Send").click();
    run_until(&mut h, "two bytes", |a| {
        crate::ui::received_on(a, accepted) == [1, 2]
    });
    h.get_by_label("Text").click();
    h.run();
    h.get_by_label("Payload").focus();
    h.run();
    h.key_press(egui::Key::ArrowUp);
    h.run();
    let c = &h.state().settings.composer;
    assert_eq!(
        (c.text.as_str(), c.mode),
        ("01 02", sockbench::codec::InputMode::Hex)
    );

    h.get_by_label("Text").click();
    h.run();
    h.get_by_label("Encoding").click();
    h.run();
    h.get_by_label("GBK").click();
    h.run();
    assert_eq!(
        h.state().model().sessions[&client].encoding,
        sockbench::codec::text::TextEncoding::Gbk,
        "the socket's rows are shown in what it sends"
    );
}

/// The bind menu lists this machine's addresses; picking one fills in the
/// address (loopback, here: tests bind nothing else).
#[test]
fn the_bind_menu_lists_this_machines_addresses() {
    let list = sockbench::ui::new_socket::interface_addresses();
    assert!(
        list.iter().any(|(_, ip)| ip.is_loopback()),
        "lo is listed: {list:?}"
    );
    let mut h = harness();
    h.get_by_label("Bind address").click();
    h.run();
    h.get_by_label_contains("127.0.0.1 (lo").click();
    h.run();
    let form = &h.state().settings.form;
    assert_eq!(form.bind, sockbench::ui::new_socket::BindChoice::Other);
    assert_eq!(form.other_address, "127.0.0.1");
}

/// A long error (a connect to a missing Unix path of 100 bytes) wraps in
/// the left panel: the panel keeps its width; the new socket is selected.
#[test]
fn a_long_error_wraps_and_the_left_panel_keeps_its_width() {
    use sockbench::engine::UnixAddr;
    let mut h = harness();
    h.run();
    let before = h.get_by_label("Traffic").rect().left();
    let dir = crate::util::TempDir::new("wrap");
    let path = dir
        .0
        .join("x".repeat(100 - dir.0.as_os_str().len().min(90)));
    let id = h
        .state_mut()
        .open(SocketSpec::UnixConnect {
            path: UnixAddr::parse(&path.to_string_lossy()).unwrap(),
        })
        .unwrap();
    run_until(&mut h, "the connect to fail", |a| {
        a.model().sessions[&id].state.is_closed()
    });
    h.run();
    assert_eq!(h.state().selected, Some(id), "the new socket is selected");
    let after = h.get_by_label("Traffic").rect().left();
    assert!(
        (after - before).abs() < 1.0,
        "the left panel grew from {before} to {after}"
    );
}

/// A client opened with "Reconnect automatically": when its connection is
/// dropped it waits and connects again, the same socket in the list.
#[test]
fn a_client_from_the_form_reconnects() {
    let mut h = harness();
    let port = open_listener(&mut h);
    h.state_mut().settings.form.reconnect = true;
    h.state_mut().settings.form.reconnect_first_ms = 20;
    let (client, accepted) = crate::ui::open_client(&mut h, port);
    h.state_mut().execute(sockbench::ui::Action::Close {
        id: accepted,
        how: sockbench::engine::CloseHow::Close,
    });
    let listener = find_session(h.state(), SocketKind::TcpListener).unwrap();
    run_until(&mut h, "a second connection", |a| {
        let m = a.model();
        m.sessions[&listener].children.len() == 2
            && m.sessions[&client].state == sockbench::model::session::SessionState::Connected
    });
    assert_eq!(h.state().model().sessions[&client].reconnects, 1);
    assert!(
        h.query_by_label_contains("connecting again in 0.0 s (attempt 1)")
            .is_some()
    );
}

/// The Statistics tab: a connection that asks (Sockbench sends) and gets
/// answers shows its round trips' percentiles and its rates; all sockets
/// together show the same traffic.
#[test]
fn statistics_show_rates_and_round_trips() {
    let mut h = harness();
    let port = open_listener(&mut h);
    let mut c = client(port);
    run_until(&mut h, "the connection", |a| {
        find_session(a, SocketKind::TcpAccepted).is_some()
    });
    let conn = find_session(h.state(), SocketKind::TcpAccepted).unwrap();
    h.state_mut()
        .execute(sockbench::ui::Action::Select(Some(conn)));
    for i in 0..5u8 {
        h.state_mut().execute(sockbench::ui::Action::Send {
            id: conn,
            bytes: vec![b'?', i],
            to: None,
        });
        h.run();
        assert_eq!(read_n(&mut c, 2), [b'?', i]);
        c.write_all(&[b'!', i]).unwrap();
        run_until(&mut h, "the answer", |a| {
            a.model().sessions[&conn].counters.msgs_in == u64::from(i) + 1
        });
    }
    h.get_by_label("Statistics").click();
    h.run();
    assert!(
        h.query_by_label_contains("Round trip (a send to the next receive), newest 5: p50 ")
            .is_some(),
        "the percentiles show"
    );
    assert!(h.query_by_label("Bytes a second").is_some());
    assert!(h.query_by_label("Messages a second").is_some());
    let listener = find_session(h.state(), SocketKind::TcpListener).unwrap();
    let m = h.state().model();
    let total: u64 = m.stats.total.seconds().map(|(_, b)| b.bytes_in).sum();
    assert_eq!(total, 10);
    let of_listener: u64 = m.stats.sockets[&listener]
        .seconds()
        .map(|(_, b)| b.bytes_out)
        .sum();
    assert_eq!(of_listener, 10, "a listener sums its connections");
}

/// GBK vs UTF-8: an expanded row shows its bytes decoded both ways, the
/// text and the mojibake side by side.
#[test]
fn an_expanded_row_shows_its_bytes_as_utf8_and_as_gbk() {
    let mut h = harness();
    let port = open_listener(&mut h);
    let mut c = client(port);
    // 你好 in GBK, shown in the socket's UTF-8 first.
    c.write_all(&[0xC4, 0xE3, 0xBA, 0xC3]).unwrap();
    run_until(&mut h, "the read", |a| {
        find_session(a, SocketKind::TcpAccepted)
            .is_some_and(|id| crate::ui::received_on(a, id).len() == 4)
    });
    h.get_by_label_contains("\\xC4\\xE3\\xBA").click();
    h.run();
    assert!(
        h.query_by_label("The same bytes decoded both ways:")
            .is_some()
    );
    assert!(h.query_by_label("as GBK").is_some());
    assert!(h.query_by_label("你好").is_some(), "the GBK reading");
    assert!(h.query_all_by_label_contains("\\xC4\\xE3\\xBA").count() >= 2);
}
