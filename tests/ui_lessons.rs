//! Each lesson walked like a student would, with egui_kittest: open the
//! lessons panel, pick the lesson, Start, click what the steps say, and
//! see every step ticked off. Real loopback and Unix sockets.

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use sockbench::app::WorkbenchApp;
use sockbench::engine::SocketId;
use sockbench::lessons::{LessonId, Role};

use crate::ui::{harness_sized, received_on, run_until, type_into};
use crate::util::WAIT;

/// Opens the lessons panel, picks lesson `id` and clicks Start; waits for
/// its first step (everything opened and connected).
fn start(id: LessonId) -> Harness<'static, WorkbenchApp> {
    // Tall enough for a whole lesson page: kittest clicks where a widget
    // is, and does not scroll the panel to it.
    let mut h = harness_sized(eframe::egui::vec2(1280.0, 1200.0));
    h.get_by_label("Lessons").click();
    h.run();
    if h.state().settings.lesson != id {
        h.get_by_label("Lesson").click();
        h.run();
        h.get_by_label(id.title()).click();
        h.run();
    }
    assert_eq!(h.state().settings.lesson, id);
    assert!(
        h.query_by_label("Step 1: not yet").is_some(),
        "nothing is done before Start"
    );
    h.get_by_label(&format!("Start: {}", id.title())).click();
    // Sockets open and scroll into view: the UI repaints a while.
    h.run_steps(2);
    wait_step(&mut h, 1);
    h
}

/// Runs frames until step `n` shows done (or fails after [`WAIT`]).
fn wait_step(h: &mut Harness<'static, WorkbenchApp>, n: usize) {
    let label = format!("Step {n}: done");
    let deadline = Instant::now() + WAIT;
    while h.query_by_label(&label).is_none() {
        assert!(Instant::now() < deadline, "timed out waiting for {label}");
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The lesson's socket playing `role`.
fn role(h: &Harness<'static, WorkbenchApp>, role: Role) -> SocketId {
    let app = h.state();
    let run = app.lesson.as_ref().expect("a lesson runs");
    run.socket(&app.model(), role).expect("the socket").id
}

/// Clicks a step's button by its accessible name.
fn click_step(h: &mut Harness<'static, WorkbenchApp>, button: &str, n: usize) {
    h.get_by_label(&format!("{button} (step {n})")).click();
    h.run();
}

/// Replaces the composer's payload with `text` and clicks Send.
fn send(h: &mut Harness<'static, WorkbenchApp>, text: &str) {
    h.state_mut().settings.composer.text.clear();
    type_into(h, "Payload", text);
    h.get_by_label("Send").click();
    h.run();
}

fn python(h: &Harness<'static, WorkbenchApp>) -> String {
    h.get_by_label("Python program")
        .value()
        .expect("the program is the editor's value")
}

#[test]
fn lesson_tcp_echo() {
    let mut h = start(LessonId::TcpEcho);
    click_step(&mut h, "Select the client", 2);
    send(&mut h, "hello");
    wait_step(&mut h, 2);
    wait_step(&mut h, 3);
    let client = role(&h, Role::Client(0));
    assert_eq!(received_on(h.state(), client), b"hello", "echoed");
    click_step(&mut h, "Show its Python", 4);
    wait_step(&mut h, 4);
    let code = python(&h);
    assert!(code.contains("s.listen("), "{code}");
    assert!(code.contains("sendall("), "{code}");
}

#[test]
fn lesson_two_way_chat() {
    let mut h = start(LessonId::Chat);
    click_step(&mut h, "Select the client", 2);
    send(&mut h, "你好");
    wait_step(&mut h, 2);
    click_step(&mut h, "Select the connection", 3);
    send(&mut h, "hi");
    wait_step(&mut h, 3);
    let client = role(&h, Role::Client(0));
    assert_eq!(received_on(h.state(), client), b"hi");
    click_step(&mut h, "Show its Python", 4);
    wait_step(&mut h, 4);
    let code = python(&h);
    let sent = code.find("sendall('你好'.encode('utf-8'))").expect(&code);
    let read = code.find("recv_exact(s, 2)").expect(&code);
    assert!(sent < read, "the send, then the answer: {code}");
}

#[test]
fn lesson_multi_client_server() {
    let mut h = start(LessonId::MultiClient);
    for (i, name) in ["Michael", "Tracy", "Sarah"].into_iter().enumerate() {
        let c = role(&h, Role::Client(i));
        h.state_mut()
            .execute(sockbench::ui::Action::Select(Some(c)));
        h.run();
        send(&mut h, name);
        run_until(&mut h, "the greeting", |a| {
            received_on(a, c) == format!("Hello, {name}!").as_bytes()
        });
    }
    wait_step(&mut h, 2);
    click_step(&mut h, "Select the listener", 3);
    send(&mut h, "bye");
    wait_step(&mut h, 3);
    for i in 0..3 {
        let c = role(&h, Role::Client(i));
        run_until(&mut h, "bye to every client", |a| {
            received_on(a, c).ends_with(b"bye")
        });
    }
    click_step(&mut h, "Show its Python", 4);
    wait_step(&mut h, 4);
    let code = python(&h);
    eprintln!("CODE\n{code}");
    assert!(
        code.contains("threading.Thread(target=handle, args=(conn, addr)"),
        "{code}"
    );
}

#[test]
fn lesson_udp_datagrams() {
    let mut h = start(LessonId::Udp);
    click_step(&mut h, "Select the sender", 2);
    h.state_mut().settings.composer.repeat = 3;
    send(&mut h, "ping");
    wait_step(&mut h, 2);
    let server = role(&h, Role::Server);
    run_until(&mut h, "three datagrams", |a| {
        a.model().sessions[&server].counters.msgs_in == 3
    });
    assert_eq!(h.state().model().sessions[&server].counters.bytes_in, 12);
    click_step(&mut h, "Show it in the lab", 3);
    wait_step(&mut h, 3);
    h.get_by_label("Traffic").click();
    h.run();
    h.state_mut().settings.composer.repeat = 1;
    // The newest row is the third datagram, as received.
    h.query_all_by_label("ping")
        .last()
        .expect("a row")
        .click_secondary();
    h.run();
    h.get_by_label("Reply to this sender").click();
    h.run();
    assert_eq!(h.state().selected, Some(server));
    send(&mut h, "pong");
    wait_step(&mut h, 4);
    let client = role(&h, Role::Client(0));
    assert_eq!(received_on(h.state(), client), b"pong");
}

#[test]
fn lesson_sticky_packets() {
    let mut h = start(LessonId::Sticky);
    let conn = role(&h, Role::Conn(0));
    assert_eq!(
        h.state().selected,
        Some(conn),
        "the lab shows the connection"
    );
    run_until(&mut h, "exact reads", |a| {
        a.model().sessions[&conn].recv_size_chosen
    });
    h.get_by_label("Pause reading").click();
    wait_step(&mut h, 2);
    click_step(&mut h, "Select the client", 3);
    h.state_mut().settings.composer.repeat = 3;
    send(&mut h, "hello");
    wait_step(&mut h, 3);
    click_step(&mut h, "Show the connection", 4);
    h.get_by_label("Resume reading").click();
    wait_step(&mut h, 4);
    assert!(h.query_by_label("send 1, send 2, send 3").is_some());
    assert!(
        h.query_by_label("Step 2: done").is_some(),
        "a step done stays done after reading resumed"
    );
    click_step(&mut h, "Select the client", 5);
    h.state_mut().settings.composer.repeat = 1;
    h.state_mut().settings.composer.slow_piece = 1;
    h.state_mut().settings.composer.slow_gap_ms = 20;
    h.get_by_label("Send slowly").click();
    wait_step(&mut h, 5);
}

#[test]
fn lesson_struct_length_prefix() {
    let mut h = start(LessonId::LengthPrefix);
    click_step(&mut h, "Show the connection", 2);
    h.get_by_label("Pause reading").click();
    wait_step(&mut h, 2);
    click_step(&mut h, "Select the client", 3);
    h.get_by_label("Add the lab's framing").click();
    h.run();
    h.state_mut().settings.composer.repeat = 3;
    send(&mut h, "hello");
    wait_step(&mut h, 3);
    let conn = role(&h, Role::Conn(0));
    click_step(&mut h, "Show the connection", 4);
    h.get_by_label("Resume reading").click();
    wait_step(&mut h, 4);
    assert_eq!(h.state().model().sessions[&conn].counters.bytes_in, 27);
    click_step(&mut h, "Show its Python", 5);
    wait_step(&mut h, 5);
    let code = python(&h);
    assert!(
        code.contains("struct.pack('!I', len(data)) + data"),
        "{code}"
    );
}

#[test]
fn lesson_gbk_vs_utf8() {
    let mut h = start(LessonId::Encoding);
    click_step(&mut h, "Select the client", 2);
    send(&mut h, "你好");
    wait_step(&mut h, 2);
    let conn = role(&h, Role::Conn(0));
    run_until(&mut h, "four bytes", |a| {
        received_on(a, conn) == [0xC4, 0xE3, 0xBA, 0xC3]
    });
    h.get_by_label_contains("\\xC4\\xE3\\xBA").click();
    h.run();
    assert!(
        h.query_by_label("The same bytes decoded both ways:")
            .is_some()
    );
    click_step(&mut h, "Select the connection", 4);
    h.get_by_label("Encoding").click();
    h.run();
    h.get_by_label("GBK").click();
    h.run();
    wait_step(&mut h, 4);
}

/// The AF_UNIX and IPv6 lessons' steps 2 and 3: the client sends, the
/// listener's calls show the socket's family.
fn send_then_show_calls(h: &mut Harness<'static, WorkbenchApp>, family: &str) {
    click_step(h, "Select the client", 2);
    send(h, "hello");
    wait_step(h, 2);
    click_step(h, "Show its calls", 3);
    wait_step(h, 3);
    assert!(
        h.query_all_by_label_contains(&format!("= socket({family}"))
            .next()
            .is_some()
    );
}

#[test]
fn lesson_af_unix() {
    let mut h = start(LessonId::Unix);
    let path = h.state().lesson.as_ref().unwrap().path.clone().unwrap();
    assert!(
        path.exists(),
        "the socket file is there: {}",
        path.display()
    );
    send_then_show_calls(&mut h, "AF_UNIX");
}

#[test]
fn lesson_ipv6() {
    let mut h = start(LessonId::Ipv6);
    send_then_show_calls(&mut h, "AF_INET6");
}

#[test]
fn lesson_reuseaddr_and_time_wait() {
    let mut h = start(LessonId::ReuseAddr);
    click_step(&mut h, "Close the connection", 2);
    wait_step(&mut h, 2);
    click_step(&mut h, "Close the listener", 3);
    wait_step(&mut h, 3);
    click_step(&mut h, "Listen again without SO_REUSEADDR", 4);
    wait_step(&mut h, 4);
    // The refused listener is selected: its details say why, from the
    // kernel's table.
    let deadline = Instant::now() + WAIT;
    while h.query_all_by_label_contains("TIME_WAIT").count() < 2 {
        assert!(Instant::now() < deadline, "the TIME_WAIT explanation");
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    click_step(&mut h, "Listen again with SO_REUSEADDR", 5);
    wait_step(&mut h, 5);
}

/// A `python3 -m http.server` on a free loopback port, killed on drop.
struct HttpServer {
    child: std::process::Child,
    port: u16,
    _dir: crate::util::TempDir,
}

impl HttpServer {
    fn start() -> HttpServer {
        let dir = crate::util::TempDir::new("http-server");
        std::fs::write(dir.path("index.html"), "<p>python</p>\n").unwrap();
        let mut child = std::process::Command::new("python3")
            .args(["-u", "-m", "http.server", "0", "--bind", "127.0.0.1"])
            .current_dir(&dir.0)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3 runs");
        let out = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("http-server-out".into())
            .spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    // "Serving HTTP on 127.0.0.1 port 40123 (http://…) ..."
                    if let Some(p) = line
                        .split(" port ")
                        .nth(1)
                        .and_then(|r| r.split_whitespace().next())
                        .and_then(|p| p.parse::<u16>().ok())
                    {
                        let _ = tx.try_send(p);
                    }
                }
            })
            .unwrap();
        let port = rx.recv_timeout(WAIT).expect("http.server says its port");
        HttpServer {
            child,
            port,
            _dir: dir,
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn lesson_http_get_by_hand() {
    let mut h = start(LessonId::HttpGet);
    click_step(&mut h, "Select the client", 2);
    h.get_by_label("Send").click();
    h.run();
    wait_step(&mut h, 2);
    wait_step(&mut h, 3);
    let client = role(&h, Role::Client(0));
    let reply = received_on(h.state(), client);
    assert!(reply.starts_with(b"HTTP/1.0 200 OK\r\n"));
    assert!(reply.ends_with(sockbench::lessons::WEB_PAGE.as_bytes()));
    // The whole reply is readable in the window: its row expands.
    // Two rows: the connection's reply (sent) and the client's (received).
    assert_eq!(
        h.query_all_by_label_contains("This page is a reply rule.</p></body></html>")
            .count(),
        2,
    );
    h.query_all_by_label_contains("HTTP/1.0 200 OK")
        .next()
        .expect("the reply's row")
        .click();
    h.run();
    let expanded = h
        .query_all_by_label_contains("This page is a reply rule.</p></body></html>")
        .map(|n| n.rect())
        .max_by(|a, b| a.height().total_cmp(&b.height()))
        .expect("the reply");
    assert!(
        expanded.width() >= 150.0 && expanded.height() > 3.0 * 14.0,
        "the expanded row wraps the reply in a readable width: {expanded:?}"
    );

    // A port that is not one is explained, and nothing opens.
    h.state_mut().lesson_port.clear();
    type_into(&mut h, "Port of the other web server", "80a");
    click_step(&mut h, "Connect", 5);
    assert!(h.query_by_label_contains("80a").is_some());
    assert!(h.state().lesson.as_ref().unwrap().other.is_none());

    let server = HttpServer::start();
    h.state_mut().lesson_port.clear();
    type_into(
        &mut h,
        "Port of the other web server",
        &server.port.to_string(),
    );
    click_step(&mut h, "Connect", 5);
    let other = h.state().lesson.as_ref().unwrap().other.expect("a client");
    run_until(&mut h, "connected to http.server", |a| {
        a.model().sessions[&other].peer.is_some()
    });
    assert_eq!(h.state().selected, Some(other));
    h.get_by_label("Send").click();
    h.run();
    wait_step(&mut h, 5);
    run_until(&mut h, "the page from http.server", |a| {
        received_on(a, other).ends_with(b"<p>python</p>\n")
    });
}
