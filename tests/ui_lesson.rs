//! The teaching views driven like a user would, with egui_kittest: the
//! calls and the kernel's states through a half-close, the Python program
//! and its Copy button, and the sticky-packet lab splitting three quick
//! sends apart again, in English and in Chinese. Real loopback sockets.

use egui_kittest::kittest::Queryable;

use sockbench::engine::{SocketId, TcpState};
use sockbench::ui::lab::FramingKind;

use crate::ui::{harness, open_client, open_listener, run_until, type_into};

fn select(h: &mut egui_kittest::Harness<'_, sockbench::app::WorkbenchApp>, id: SocketId) {
    if h.state().selected == Some(id) {
        return;
    }
    let title = h.state().model().sessions[&id].title();
    h.get_by_label(&title).click();
    h.run();
    assert_eq!(h.state().selected, Some(id));
}

fn kernel_state(app: &sockbench::app::WorkbenchApp, id: SocketId) -> Option<TcpState> {
    app.model().sessions[&id].tcp_info.map(|(_, i)| i.state)
}

#[test]
fn the_lesson_view_shows_the_kernel_state_through_a_half_close() {
    let mut h = harness();
    let port = open_listener(&mut h);
    let (client, accepted) = open_client(&mut h, port);
    h.get_by_label("Calls & states").click();
    h.run();
    select(&mut h, accepted);
    run_until(&mut h, "ESTABLISHED from TCP_INFO", |a| {
        kernel_state(a, accepted) == Some(TcpState::Established)
    });
    assert!(h.query_by_label_contains("state ESTABLISHED").is_some());
    assert!(
        h.query_by_label("conn.send() / conn.recv()").is_some(),
        "the life diagram"
    );
    assert!(
        h.query_by_label_contains("returned this new socket")
            .is_some(),
        "an accepted socket is shown born from its listener"
    );

    h.get_by_label("Stay open when the peer closes (watch CLOSE_WAIT)")
        .click();
    run_until(&mut h, "stay open", |a| {
        !a.model().sessions[&accepted].close_on_peer_close
    });
    select(&mut h, client);
    h.get_by_label("shutdown(SHUT_WR)").click();
    run_until(&mut h, "the FIN to arrive", |a| {
        a.model().sessions[&accepted].peer_closed
    });
    run_until(&mut h, "FIN_WAIT_2 on the client", |a| {
        kernel_state(a, client) == Some(TcpState::FinWait2)
    });
    assert!(h.query_by_label("→ ok: FIN sent").is_some());
    select(&mut h, accepted);
    run_until(&mut h, "CLOSE_WAIT on the accepted side", |a| {
        kernel_state(a, accepted) == Some(TcpState::CloseWait)
    });
    assert!(h.query_by_label_contains("state CLOSE_WAIT").is_some());
    assert!(h.query_by_label("→ b'' (the peer closed)").is_some());
    assert!(
        h.query_by_label("The peer closed its side: recv() returned b''.")
            .is_some()
    );
    assert!(!h.state().model().sessions[&accepted].state.is_closed());

    // The accepted side closes now; the client, which closed first, ends
    // in TIME_WAIT, read from the kernel's TCP table.
    h.get_by_label("close()").click();
    run_until(&mut h, "the accepted side to close", |a| {
        a.model().sessions[&accepted].state.is_closed()
    });
    select(&mut h, client);
    run_until(&mut h, "TIME_WAIT for the client", |a| {
        a.model().sessions[&client].kernel_state() == Some(Some(TcpState::TimeWait))
    });
    assert!(
        h.query_by_label_contains("TIME_WAIT: this side closed first")
            .is_some()
    );
}

#[test]
fn the_python_view_shows_the_program_and_copies_it() {
    let mut h = harness();
    let port = open_listener(&mut h);
    let (client, accepted) = open_client(&mut h, port);
    type_into(&mut h, "Payload", "hello");
    h.get_by_label("Send").click();
    run_until(&mut h, "hello to arrive", |a| {
        a.model().sessions[&accepted].counters.bytes_in == 5
    });
    h.get_by_label("Python").click();
    h.run();
    select(&mut h, client);
    let code = h
        .get_by_label("Python program")
        .value()
        .expect("the program is the editor's value");
    assert!(code.contains("s.connect(('127.0.0.1', "), "{code}");
    assert!(code.contains("s.sendall(b'hello')"), "{code}");
    assert!(code.contains("data = s.recv(65536)"), "{code}");
    h.get_by_label("Copy").click();
    // The command is in the output of the frame that saw the click.
    h.step();
    let copied = h
        .output()
        .platform_output
        .commands
        .iter()
        .any(|c| matches!(c, eframe::egui::OutputCommand::CopyText(t) if *t == code));
    assert!(copied, "Copy puts the program on the clipboard");
    h.run();
    assert!(
        h.query_by_label("Copied the program").is_some(),
        "Copy says so"
    );
}

#[test]
fn a_listener_with_two_clients_is_written_as_a_threaded_server_either_way() {
    let mut h = harness();
    let port = open_listener(&mut h);
    let listener = h.state().selected.expect("the new listener is selected");
    let _a = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let _b = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    run_until(&mut h, "two clients accepted", |a| {
        a.model().sessions[&listener].children.len() == 2
    });
    select(&mut h, listener);
    h.get_by_label("Python").click();
    h.run();
    let code = h.get_by_label("Python program").value().unwrap();
    assert!(code.contains("threading.Thread(target=handle"), "{code}");
    h.get_by_label("socketserver.ThreadingTCPServer").click();
    h.run();
    let code = h.get_by_label("Python program").value().unwrap();
    assert!(
        code.contains("class Server(socketserver.ThreadingTCPServer):"),
        "{code}"
    );
    assert!(code.contains("def handle(conn, addr):"), "{code}");
}

#[test]
fn the_lab_splits_three_quick_sends_with_a_length_prefix() {
    let mut h = harness();
    let port = open_listener(&mut h);
    let (client, accepted) = open_client(&mut h, port);
    h.get_by_label("Sticky-packet lab").click();
    h.run();
    h.get_by_label("Framing").click();
    h.run();
    h.get_by_label("Length prefix").click();
    h.run();
    assert_eq!(h.state().settings.lab.kind, FramingKind::LengthPrefix);
    assert!(
        h.query_by_label_contains("struct.pack('!I', len(data)) + data")
            .is_some()
    );
    h.get_by_label("Add the lab's framing").click();
    h.state_mut().settings.composer.repeat = 3;
    type_into(&mut h, "Payload", "hello");
    assert!(
        h.query_by_label("9 bytes: 00 00 00 05 68 65 6C 6C 6F")
            .is_some(),
        "the preview shows the header"
    );
    h.get_by_label("Send").click();
    run_until(&mut h, "three framed messages", |a| {
        a.model().sessions[&accepted].counters.bytes_in == 27
    });
    assert_eq!(h.state().model().sessions[&client].counters.msgs_out, 3);
    select(&mut h, accepted);
    assert_eq!(h.query_all_by_label("hello").count(), 3, "three messages");
    if h.state().model().sessions[&accepted].lab.recvs().len() == 1 {
        assert!(
            h.query_by_label("send 1, send 2, send 3").is_some(),
            "one recv() holds the three sends"
        );
    }
    // The same messages decoded with a struct format.
    type_into(&mut h, "Decode messages with struct format", "5s");
    assert_eq!(h.query_all_by_label("b'hello'").count(), 3);

    // A smaller recv() size is a click away.
    h.get_by_label("recv() size").click();
    h.run();
    h.get_by_label("recv(4)").click();
    run_until(&mut h, "recv(4)", |a| {
        a.model().sessions[&accepted].recv_size == 4
    });
}

/// The README's one-minute lesson, exactly as written there.
#[test]
fn paused_reading_shows_three_sends_stuck_in_one_recv_and_a_slow_send_split_in_five() {
    let mut h = harness();
    let port = open_listener(&mut h);
    let (client, accepted) = open_client(&mut h, port);
    h.get_by_label("Sticky-packet lab").click();
    h.run();
    select(&mut h, accepted);
    // Showing a connection makes each of its reads one real recv().
    run_until(&mut h, "exact reads", |a| {
        a.model().sessions[&accepted].recv_size_chosen
    });
    h.get_by_label("Pause reading").click();
    run_until(&mut h, "paused", |a| {
        a.model().sessions[&accepted].reading_paused
    });
    assert!(h.query_by_label("Resume reading").is_some());
    select(&mut h, client);
    h.state_mut().settings.composer.repeat = 3;
    type_into(&mut h, "Payload", "hello");
    h.get_by_label("Send").click();
    run_until(&mut h, "three sends", |a| {
        a.model().sessions[&client].counters.msgs_out == 3
    });
    // The bytes are in the kernel; Sockbench has not read them.
    h.run();
    assert_eq!(h.state().model().sessions[&accepted].counters.bytes_in, 0);
    select(&mut h, accepted);
    h.get_by_label("Resume reading").click();
    run_until(&mut h, "the three sends read", |a| {
        a.model().sessions[&accepted].counters.bytes_in == 15
    });
    assert_eq!(
        h.state().model().sessions[&accepted].counters.msgs_in,
        1,
        "one recv() returned the three sends"
    );
    assert!(h.query_by_label("send 1, send 2, send 3").is_some());

    // The slow sender: one send of five bytes, one byte per send().
    select(&mut h, client);
    h.state_mut().settings.composer.repeat = 1;
    h.state_mut().settings.composer.slow_piece = 1;
    h.state_mut().settings.composer.slow_gap_ms = 50;
    h.get_by_label("Send slowly").click();
    run_until(&mut h, "five pieces", |a| {
        a.model().sessions[&accepted].counters.bytes_in == 20
    });
    assert_eq!(h.state().model().sessions[&client].counters.msgs_out, 8);
    assert_eq!(
        h.state().model().sessions[&accepted].counters.msgs_in,
        6,
        "each piece came in a recv() of its own"
    );
}

#[test]
fn the_lab_shows_udp_keeping_each_datagram_whole_and_a_small_recv_size_cutting_one() {
    let mut h = harness();
    let (udp, addr) = crate::ui_tools::open_udp(&mut h);
    h.get_by_label("Sticky-packet lab").click();
    h.run();
    select(&mut h, udp);
    h.get_by_label("Pause reading").click();
    run_until(&mut h, "paused", |a| {
        a.model().sessions[&udp].reading_paused
    });
    let sender = std::net::UdpSocket::bind(("127.0.0.1", 0)).unwrap();
    for d in ["one", "two", "three"] {
        sender.send_to(d.as_bytes(), addr).unwrap();
    }
    h.run();
    assert_eq!(h.state().model().sessions[&udp].counters.bytes_in, 0);
    h.get_by_label("Resume reading").click();
    run_until(&mut h, "three datagrams", |a| {
        a.model().sessions[&udp].counters.bytes_in == 11
    });
    assert_eq!(
        h.state().model().sessions[&udp].counters.msgs_in,
        3,
        "each recvfrom() returned one datagram, none stuck together"
    );
    h.get_by_label("recv() size").click();
    h.run();
    h.get_by_label("recv(4)").click();
    run_until(&mut h, "recv(4)", |a| {
        a.model().sessions[&udp].recv_size == 4
    });
    sender.send_to(b"hello world", addr).unwrap();
    run_until(&mut h, "the long datagram", |a| {
        a.model().sessions[&udp].counters.msgs_in == 4
    });
    assert_eq!(h.state().model().sessions[&udp].counters.bytes_in, 15);
    assert!(
        h.query_by_label("4 datagrams kept, 1 of them cut off by recvfrom(4)")
            .is_some()
    );
}

/// A listener (with SO_REUSEADDR or not) whose connection this side
/// closed first, so it is in TIME_WAIT on the listener's port; then a
/// listener without SO_REUSEADDR on that port, refused. Returns the harness,
/// the refused socket and the port, with the kernel's answer in.
fn refused_after_time_wait(
    first_reuse: bool,
) -> (
    egui_kittest::Harness<'static, sockbench::app::WorkbenchApp>,
    SocketId,
    u16,
) {
    use sockbench::engine::{CloseHow, SocketSpec};
    use std::net::{Ipv4Addr, SocketAddr};
    let mut h = harness();
    let spec = |port: u16, reuse_addr: bool| SocketSpec::TcpListen {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        backlog: 8,
        reuse_addr,
    };
    let first = h.state_mut().open(spec(0, first_reuse)).unwrap();
    run_until(&mut h, "listening", |a| {
        a.model().sessions[&first].local.is_some()
    });
    let port = crate::util::ip_of(&h.state().model().sessions[&first].local).port();
    let client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    run_until(&mut h, "accepted", |a| {
        a.model().sessions[&first].children.len() == 1
    });
    let conn = h.state().model().sessions[&first].children[0];
    for id in [conn, first] {
        h.state_mut().execute(sockbench::ui::Action::Close {
            id,
            how: CloseHow::Close,
        });
        run_until(&mut h, "closed", |a| {
            a.model().sessions[&id].state.is_closed()
        });
    }
    drop(client);
    let second = h.state_mut().open(spec(port, false)).unwrap();
    run_until(&mut h, "bind refused", |a| {
        a.model().sessions[&second].last_error.is_some()
    });
    select(&mut h, second);
    run_until(&mut h, "the kernel's answer", |a| {
        a.model().sessions[&second].port_state.is_some()
    });
    h.run();
    assert!(
        h.query_by_label_contains("in TIME_WAIT: a connection on this port closed a moment ago")
            .is_some(),
        "the explanation names TIME_WAIT"
    );
    (h, second, port)
}

#[test]
fn address_in_use_after_a_close_is_time_wait_and_reuseaddr_opens_the_port() {
    let (mut h, _, port) = refused_after_time_wait(true);
    h.get_by_label("Open again with SO_REUSEADDR").click();
    h.run();
    run_until(&mut h, "a listener with SO_REUSEADDR", |a| {
        a.model().sessions.values().any(|s| {
            s.state == sockbench::model::session::SessionState::Listening
                && s.local.as_ref().and_then(|l| l.ip()).map(|l| l.port()) == Some(port)
        })
    });
}

#[test]
fn time_wait_left_by_a_listener_without_reuseaddr_says_to_wait() {
    let (h, _, _) = refused_after_time_wait(false);
    assert!(
        h.query_by_label_contains("had SO_REUSEADDR too, and #1 TCP listener")
            .is_some()
    );
    assert!(h.query_by_label("Open again with SO_REUSEADDR").is_none());
}

#[test]
fn the_lab_and_the_lesson_read_in_chinese() {
    let mut h = harness();
    let port = open_listener(&mut h);
    let (_, accepted) = open_client(&mut h, port);
    h.get_by_label("Language").click();
    h.run();
    h.get_by_label("简体中文").click();
    h.run();
    h.get_by_label("粘包实验室").click();
    h.run();
    select(&mut h, accepted);
    assert!(h.query_by_label("分帧后的消息").is_some());
    assert!(h.query_by_label("每次 recv() 的实际情况").is_some());
    h.get_by_label("调用与状态").click();
    h.run();
    run_until(&mut h, "ESTABLISHED", |a| {
        kernel_state(a, accepted) == Some(TcpState::Established)
    });
    assert!(h.query_by_label("套接字的生命周期").is_some());
    assert!(h.query_by_label_contains("状态 ESTABLISHED").is_some());
    h.get_by_label("Python").click();
    h.run();
    let code = h.get_by_label("Python 程序").value().unwrap();
    assert!(
        code.contains("accept() 为这个客户端返回一个新的套接字"),
        "{code}"
    );
}

#[test]
fn a_failed_call_shows_its_errno_and_a_one_line_explanation() {
    // A port already taken by a listener outside Sockbench.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let mut h = harness();
    h.get_by_label("TCP listener").click();
    h.run();
    h.state_mut().settings.form.listen_port.clear();
    type_into(&mut h, "Port", &port.to_string());
    h.get_by_label("Open TCP listener").click();
    run_until(&mut h, "the bind to fail", |a| {
        a.model().sessions.values().any(|s| s.state.is_closed())
    });
    h.get_by_label("Calls & states").click();
    h.run();
    assert!(
        h.query_by_label(&format!("s.bind(('127.0.0.1', {port}))"))
            .is_some()
    );
    assert!(h.query_by_label("→ EADDRINUSE").is_some());
    assert!(
        h.query_by_label_contains("The kernel holds this address and port for another socket")
            .is_some()
    );
    assert!(
        h.query_by_label("s.listen(128)").is_none(),
        "nothing after the failure"
    );
    // The socket's details ask the kernel what holds the port: a listener
    // that is not Sockbench's.
    let id = h.state().selected.expect("the new socket is selected");
    run_until(&mut h, "the kernel's answer", |a| {
        a.model().sessions[&id].port_state.is_some()
    });
    h.run();
    assert!(
        h.query_by_label_contains(&format!(
            "The kernel says a socket is listening on port {port}: 127.0.0.1:{port}: another program"
        ))
        .is_some()
    );
    drop(taken);
}

#[test]
fn the_struct_builder_packs_values_and_the_lab_unpacks_them() {
    let mut h = harness();
    let port = open_listener(&mut h);
    let (_, accepted) = open_client(&mut h, port);
    h.get_by_label("Struct").click();
    h.run();
    h.state_mut().settings.composer.struct_format.clear();
    type_into(&mut h, "Struct format", "!HI5s");
    type_into(&mut h, "Payload", "1, 2, b'hello'");
    assert!(
        h.query_by_label("11 bytes: 00 01 00 00 00 02 68 65 6C 6C 6F")
            .is_some(),
        "the preview shows the packed bytes"
    );
    h.get_by_label("Send").click();
    run_until(&mut h, "the record", |a| {
        crate::ui::received_on(a, accepted) == b"\x00\x01\x00\x00\x00\x02hello"
    });
    // Bad values are refused with the reason, and nothing is sent.
    h.state_mut().settings.composer.text = "1, 99999999999, b'hello'".into();
    h.get_by_label("Send").click();
    h.run();
    assert!(h.query_by_label_contains("nothing was sent").is_some());

    h.get_by_label("Sticky-packet lab").click();
    h.run();
    select(&mut h, accepted);
    h.get_by_label("Framing").click();
    h.run();
    h.get_by_label("Fixed size").click();
    h.run();
    h.state_mut().settings.lab.fixed_size = "11".into();
    h.get_by_label("Use the composer's format").click();
    h.run();
    assert_eq!(h.state().settings.lab.struct_format, "!HI5s");
    assert!(h.query_by_label("1, 2, b'hello'").is_some());
}

/// A client refused before it connected: the states view says the kernel
/// keeps nothing for it, rather than asking forever.
#[test]
fn a_client_refused_before_connecting_is_not_asked_about_forever() {
    let mut h = harness();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let id = h
        .state_mut()
        .open(sockbench::engine::SocketSpec::TcpConnect {
            host: "127.0.0.1".into(),
            port,
        })
        .unwrap();
    run_until(&mut h, "the refusal", |a| {
        a.model().sessions[&id].state.is_closed()
    });
    h.get_by_label("Calls & states").click();
    h.run();
    assert!(
        h.query_by_label("Closed before a connection was made: the kernel keeps no record of it.")
            .is_some()
    );
    assert!(h.query_by_label_contains("asking").is_none());
}
