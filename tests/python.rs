//! The generated Python programs, run with python3 against Sockbench's
//! own sockets: every kind of socket, the conversation kept in order (each
//! send, then a wait for what came back), threaded servers, reply rules as
//! `if`/`elif`, and the lab's length prefix as `struct.pack`.

use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sockbench::codec::text::TextEncoding;
use sockbench::engine::{Addr, CloseHow, SocketId, SocketSpec, UnixAddr};
use sockbench::model::pygen::{PyOptions, ServerStyle, python_program};
use sockbench::model::session::SessionState;

use crate::lesson::{connect_spec, listen_spec, pair};
use crate::util::{Recorder, WAIT};

/// Socket `id`'s program.
fn program(r: &Recorder, id: SocketId, opts: &PyOptions<'_>) -> String {
    let code = python_program(&r.model, &r.model.sessions[&id], opts);
    if std::env::var_os("SHOW_PY").is_some() {
        eprintln!("{code}");
    }
    code
}

/// python3, or `None` (and a message) when this machine has none.
fn python3() -> Option<&'static str> {
    let ok = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: python3 is not installed, so the generated program cannot be run");
    }
    ok.then_some("python3")
}

/// Kills the child when the test ends, however it ends.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run_python(code: &str) -> Reaped {
    let child = Command::new("python3")
        .args(["-u", "-c", code])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    Reaped(child)
}

/// Waits (bounded) for the child to exit; returns its stdout and stderr.
fn finish(mut p: Reaped) -> (bool, String, String) {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(status) = p.0.try_wait().unwrap() {
            let mut out = String::new();
            let mut err = String::new();
            // (None when a test reads it line by line.)
            if let Some(mut o) = p.0.stdout.take() {
                o.read_to_string(&mut out).unwrap();
            }
            p.0.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            return (status.success(), out, err);
        }
        assert!(Instant::now() < deadline, "python did not finish");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn the_client_program_runs_in_python_and_exchanges_the_same_bytes() {
    let Some(_) = python3() else { return };
    // What the user clicked: a client, GBK text and binary sends.
    let mut r = Recorder::new();
    let (l, c, a) = pair(&mut r);
    r.model
        .sessions
        .get_mut(&c)
        .unwrap()
        .set_encoding(TextEncoding::Gbk);
    let sends: Vec<Vec<u8>> = vec![
        b"hello\r\n".to_vec(),
        vec![0xC4, 0xE3, 0xBA, 0xC3],
        vec![0, 1, 0xff, b'\'', b'\\'],
    ];
    for s in &sends {
        r.engine.send(c, s.clone(), None).unwrap();
    }
    r.wait_until("sent", |m, _| m.sessions[&a].counters.bytes_in == 16);
    let code = program(&r, c, &PyOptions::default());
    assert!(code.contains("s.sendall('你好'.encode('gbk'))"), "{code}");
    // The program connects to the same listener; its connection is the
    // listener's second child.
    let py = run_python(&code);
    r.wait_until("python connected", |m, _| {
        m.sessions[&l].children.len() == 2
    });
    let a2 = r.model.sessions[&l].children[1];
    let want: Vec<u8> = sends.concat();
    r.wait_until("python's bytes", |m, _| {
        m.sessions[&a2].counters.bytes_in == want.len() as u64
    });
    assert_eq!(r.received(a2), want);
    r.engine.send(a2, b"reply".to_vec(), None).unwrap();
    r.wait_until("reply sent", |m, _| m.sessions[&a2].counters.bytes_out == 5);
    r.engine.close(a2, CloseHow::Close).unwrap();
    let (ok, out, err) = finish(py);
    assert!(ok, "python failed: {err}\n{code}");
    assert!(out.contains("received 5 bytes: reply"), "{out}");
}

#[test]
fn the_listener_program_runs_in_python_and_serves_a_client() {
    let Some(_) = python3() else { return };
    let mut r = Recorder::new();
    let (l, _, a) = pair(&mut r);
    r.engine.send(a, b"welcome\n".to_vec(), None).unwrap();
    r.wait_until("sent", |m, _| m.sessions[&a].counters.bytes_out == 8);
    // The program binds the listener's address: close ours first.
    r.engine.close(l, CloseHow::Close).unwrap();
    r.wait_until("closed", |m, _| m.sessions[&l].state.is_closed());
    let code = program(&r, a, &PyOptions::default());
    assert!(code.contains("conn, addr = s.accept()"), "{code}");
    assert!(code.contains("conn.sendall(b'welcome\\n')"), "{code}");
    let mut py = run_python(&code);
    let mut lines = BufReader::new(py.0.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.starts_with("listening on"), "{first}");
    let port = crate::util::ip_of(&r.model.sessions[&l].local).port();
    let c = r.open(connect_spec(port));
    r.wait_until("the welcome", |m, _| m.sessions[&c].counters.bytes_in == 8);
    assert_eq!(r.received(c), b"welcome\n");
    r.engine.send(c, "你好".as_bytes().to_vec(), None).unwrap();
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    loop {
        let line = lines.next().unwrap().unwrap();
        seen.push(line.clone());
        if line.contains("received 6 bytes: 你好") {
            break;
        }
        assert!(Instant::now() < deadline, "{seen:?}");
    }
    r.engine.close(c, CloseHow::Close).unwrap();
}

#[test]
fn the_udp_program_runs_in_python() {
    let Some(_) = python3() else { return };
    let mut r = Recorder::new();
    let any = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let u = r.open(SocketSpec::Udp {
        addr: any,
        default_peer: None,
        recv_bytes: 2048,
    });
    let v = r.open(SocketSpec::Udp {
        addr: any,
        default_peer: None,
        recv_bytes: 2048,
    });
    r.wait_until("bound", |m, _| {
        m.sessions[&u].local.is_some() && m.sessions[&v].local.is_some()
    });
    let to = crate::util::ip_of(&r.model.sessions[&v].local);
    r.engine.send(u, b"ping".to_vec(), Some(to.into())).unwrap();
    r.wait_until("ping", |m, _| m.sessions[&v].counters.bytes_in == 4);
    r.engine.close(u, CloseHow::Close).unwrap();
    r.wait_until("closed", |m, _| m.sessions[&u].state.is_closed());
    let code = program(&r, u, &PyOptions::default());
    assert!(code.contains("socket.SOCK_DGRAM"), "{code}");
    let mut py = run_python(&code);
    r.wait_until("python's ping", |m, _| {
        m.sessions[&v].counters.bytes_in == 8
    });
    let from = crate::util::ip_of(&r.model.sessions[&u].local);
    r.engine
        .send(v, b"pong".to_vec(), Some(from.into()))
        .unwrap();
    let mut out = BufReader::new(py.0.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.contains("4 bytes: pong"), "{line}");
}

#[test]
fn the_unix_client_program_runs_in_python() {
    let Some(_) = python3() else { return };
    let dir = crate::util::TempDir::new("py-unix");
    let path = UnixAddr::Path(dir.path("py.sock"));
    let mut r = Recorder::new();
    let l = r.open(SocketSpec::UnixListen {
        path: path.clone(),
        backlog: 8,
        remove_stale: false,
    });
    let c = r.open(SocketSpec::UnixConnect { path: path.clone() });
    r.wait_until("accepted", |m, _| m.sessions[&l].children.len() == 1);
    r.engine.send(c, b"hi".to_vec(), None).unwrap();
    let a = r.model.sessions[&l].children[0];
    r.wait_until("hi", |m, _| m.sessions[&a].counters.bytes_in == 2);
    let code = program(&r, c, &PyOptions::default());
    assert!(code.contains("socket.AF_UNIX"), "{code}");
    assert!(code.contains(&format!("s.connect('{path}')")), "{code}");
    let py = run_python(&code);
    r.wait_until("python connected", |m, _| {
        m.sessions[&l].children.len() == 2
    });
    let a2 = r.model.sessions[&l].children[1];
    r.wait_until("python's hi", |m, _| m.sessions[&a2].counters.bytes_in == 2);
    assert_eq!(r.received(a2), b"hi");
    r.engine.send(a2, b"reply".to_vec(), None).unwrap();
    r.wait_until("reply sent", |m, _| m.sessions[&a2].counters.bytes_out == 5);
    r.engine.close(a2, CloseHow::Close).unwrap();
    let (ok, out, err) = finish(py);
    assert!(ok, "python failed: {err}\n{code}");
    assert!(out.contains("received 5 bytes: reply"), "{out}");
}

#[test]
fn the_unix_datagram_program_runs_in_python() {
    let Some(_) = python3() else { return };
    let dir = crate::util::TempDir::new("py-unix-dgram");
    let (pu, pv) = (
        UnixAddr::Path(dir.path("u.sock")),
        UnixAddr::Path(dir.path("v.sock")),
    );
    let mut r = Recorder::new();
    let dgram = |path: &UnixAddr| SocketSpec::UnixDgram {
        path: path.clone(),
        peer: None,
        recv_bytes: 2048,
        remove_stale: false,
    };
    let u = r.open(dgram(&pu));
    let v = r.open(dgram(&pv));
    r.wait_until("bound", |m, _| {
        m.sessions[&u].state == SessionState::Bound && m.sessions[&v].state == SessionState::Bound
    });
    r.engine
        .send(u, b"ping".to_vec(), Some(Addr::Unix(pv.clone())))
        .unwrap();
    r.wait_until("ping", |m, _| m.sessions[&v].counters.bytes_in == 4);
    // Closing removes u's socket file, so the program can bind it.
    r.engine.close(u, CloseHow::Close).unwrap();
    r.wait_until("closed", |m, _| m.sessions[&u].state.is_closed());
    let code = program(&r, u, &PyOptions::default());
    assert!(code.contains("socket.AF_UNIX"), "{code}");
    let mut py = run_python(&code);
    r.wait_until("python's ping", |m, _| {
        m.sessions[&v].counters.bytes_in == 8
    });
    r.engine
        .send(v, b"pong".to_vec(), Some(Addr::Unix(pu.clone())))
        .unwrap();
    let mut out = BufReader::new(py.0.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.contains("4 bytes: pong"), "{line}");
}

/// Lines the program prints, read on a thread of their own.
fn lines_of(py: &mut Reaped) -> crossbeam_channel::Receiver<String> {
    crate::util::stdout_lines(&mut py.0)
}

/// Waits (bounded) for a printed line containing `want`; returns it.
fn expect_line(lines: &crossbeam_channel::Receiver<String>, want: &str) -> String {
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(want) => return line,
            Ok(line) => seen.push(line),
            Err(_) => panic!("no line with {want:?}; saw {seen:?}"),
        }
    }
}

/// The port a program printed it listens on (`listening on ('127.0.0.1', 5000)`).
fn listening_port(lines: &crossbeam_channel::Receiver<String>) -> u16 {
    let line = expect_line(lines, "listening on");
    let port = line
        .trim_end_matches(')')
        .rsplit(", ")
        .next()
        .and_then(|p| p.parse().ok());
    port.unwrap_or_else(|| panic!("no port in {line:?}"))
}

#[test]
fn the_client_program_keeps_the_conversation_in_order() {
    let Some(_) = python3() else { return };
    // ping → pong, bye → ok: each send waits for its answer.
    let mut r = Recorder::new();
    let (l, c, a) = pair(&mut r);
    for (ask, answer, total) in [(&b"ping"[..], &b"pong"[..], 4u64), (b"bye", b"ok", 6)] {
        r.engine.send(c, ask.to_vec(), None).unwrap();
        let want_in = if total == 4 { 4 } else { 7 };
        r.wait_until("asked", |m, _| m.sessions[&a].counters.bytes_in == want_in);
        r.engine.send(a, answer.to_vec(), None).unwrap();
        r.wait_until("answered", |m, _| m.sessions[&c].counters.bytes_in == total);
    }
    let code = program(&r, c, &PyOptions::default());
    assert!(
        code.contains("s.sendall(b'ping')\ndata = recv_exact(s, 4)"),
        "{code}"
    );
    let mut py = run_python(&code);
    let lines = lines_of(&mut py);
    r.wait_until("python connected", |m, _| {
        m.sessions[&l].children.len() == 2
    });
    let a2 = r.model.sessions[&l].children[1];
    r.wait_until("python's ping", |m, _| {
        m.sessions[&a2].counters.bytes_in == 4
    });
    // It waits for the answer before its next send: nothing more comes.
    r.pump_for(Duration::from_millis(300));
    assert_eq!(
        r.received(a2),
        b"ping",
        "the second send came before the answer"
    );
    r.engine.send(a2, b"pong".to_vec(), None).unwrap();
    expect_line(&lines, "received 4 bytes: pong");
    r.wait_until("python's bye", |m, _| {
        m.sessions[&a2].counters.bytes_in == 7
    });
    assert_eq!(r.received(a2), b"pingbye");
    // An answer cut in two reads is still one wait.
    r.engine.send(a2, b"o".to_vec(), None).unwrap();
    r.pump_for(Duration::from_millis(100));
    r.engine.send(a2, b"k".to_vec(), None).unwrap();
    expect_line(&lines, "received 2 bytes: ok");
    r.engine.send(a2, b"later".to_vec(), None).unwrap();
    expect_line(&lines, "received 5 bytes: later");
    r.engine.close(a2, CloseHow::Close).unwrap();
    let (ok, _, err) = finish(py);
    assert!(ok, "python failed: {err}\n{code}");
}

/// A listener that served two clients (each sent `hi`, got `hello`), closed
/// so its program can bind the same port.
fn served_two(r: &mut Recorder) -> SocketId {
    let l = r.open(listen_spec());
    r.wait_until("listening", |m, _| m.sessions[&l].local.is_some());
    let port = crate::util::ip_of(&r.model.sessions[&l].local).port();
    for n in 1..=2 {
        let c = r.open(connect_spec(port));
        r.wait_until("accepted", |m, _| m.sessions[&l].children.len() == n);
        let a = r.model.sessions[&l].children[n - 1];
        r.engine.send(c, b"hi".to_vec(), None).unwrap();
        r.wait_until("hi", |m, _| m.sessions[&a].counters.bytes_in == 2);
        r.engine.send(a, b"hello".to_vec(), None).unwrap();
        r.wait_until("hello", |m, _| m.sessions[&c].counters.bytes_in == 5);
        r.engine.close(c, CloseHow::Close).unwrap();
        r.wait_until("client gone", |m, _| m.sessions[&a].state.is_closed());
    }
    r.engine.close(l, CloseHow::Close).unwrap();
    r.wait_until("closed", |m, _| m.sessions[&l].state.is_closed());
    l
}

/// Two clients of a program's server: the second is answered while the
/// first, connected before it, has sent nothing yet.
fn serves_at_once(r: &mut Recorder, code: &str) {
    let mut py = run_python(code);
    let lines = lines_of(&mut py);
    let port = listening_port(&lines);
    let c1 = r.open(connect_spec(port));
    r.wait_until("first connected", |m, _| m.sessions[&c1].peer.is_some());
    expect_line(&lines, "accepted");
    let c2 = r.open(connect_spec(port));
    r.wait_until("second connected", |m, _| m.sessions[&c2].peer.is_some());
    r.engine.send(c2, b"hi".to_vec(), None).unwrap();
    r.wait_until("the second is served", |m, _| {
        m.sessions[&c2].counters.bytes_in == 5
    });
    assert_eq!(r.received(c2), b"hello");
    r.engine.send(c1, b"hi".to_vec(), None).unwrap();
    r.wait_until("the first is served", |m, _| {
        m.sessions[&c1].counters.bytes_in == 5
    });
    assert_eq!(r.received(c1), b"hello");
    assert!(r.model.sessions[&c1].counters.bytes_in == 5, "{code}");
}

#[test]
fn a_listener_that_served_several_clients_is_a_threaded_server() {
    let Some(_) = python3() else { return };
    let mut r = Recorder::new();
    let l = served_two(&mut r);
    let code = program(&r, l, &PyOptions::default());
    assert!(
        code.contains("threading.Thread(target=handle, args=(conn, addr)"),
        "{code}"
    );
    assert!(code.contains("data = recv_exact(conn, 2)"), "{code}");
    serves_at_once(&mut r, &code);
}

#[test]
fn the_threaded_server_can_be_written_with_socketserver() {
    let Some(_) = python3() else { return };
    let mut r = Recorder::new();
    let l = served_two(&mut r);
    let opts = PyOptions {
        style: ServerStyle::SocketServer,
        ..PyOptions::default()
    };
    let code = program(&r, l, &opts);
    assert!(code.contains("socketserver.ThreadingTCPServer"), "{code}");
    assert!(code.contains("allow_reuse_address = True"), "{code}");
    serves_at_once(&mut r, &code);
}

#[test]
fn a_listeners_reply_rules_become_if_elif_that_answer_as_sockbench_does() {
    let Some(_) = python3() else { return };
    use sockbench::codec::checksum::Checksum;
    use sockbench::codec::compose::InputMode;
    use sockbench::rules::{Rule, RuleSet, When};
    let mut r = Recorder::new();
    let l = r.open(listen_spec());
    r.wait_until("listening", |m, _| m.sessions[&l].local.is_some());
    r.engine.close(l, CloseHow::Close).unwrap();
    r.wait_until("closed", |m, _| m.sessions[&l].state.is_closed());
    let set = RuleSet {
        on: true,
        framing: sockbench::codec::framing::Framing::Delimiter {
            delimiter: b"\n".to_vec(),
            keep_delimiter: true,
        },
        rules: vec![
            Rule {
                when: When::StartsWith,
                value: "PING".into(),
                reply: "PONG ${seq}\\n".into(),
                ..Rule::default()
            },
            Rule {
                when: When::HexPattern,
                value: "01 03 ?? ?? *".into(),
                reply: "01 03 02 ${rx:2:4}".into(),
                reply_mode: InputMode::Hex,
                reply_checksum: Some(Checksum::Crc16Modbus),
                ..Rule::default()
            },
            Rule {
                when: When::Regex,
                value: r"name=(\w+)".into(),
                reply: "你好 ${1}, ${crc8}\\n".into(),
                ..Rule::default()
            },
            Rule {
                reply:
                    "? ${xor8} ${sum8:be}${crc16-xmodem}${crc16-ccitt-false}${crc32}${crc8-maxim}"
                        .into(),
                ..Rule::default()
            },
        ],
        ..RuleSet::default()
    };
    let compiled = set.compile(TextEncoding::Utf8).unwrap();
    let sets = std::collections::BTreeMap::from([(l, set)]);
    let opts = PyOptions {
        rules: Some(&sets),
        ..PyOptions::default()
    };
    let code = program(&r, l, &opts);
    assert!(code.contains("if data.startswith(b'PING'):"), "{code}");
    assert!(
        code.contains("elif re.fullmatch(rb'\\x01\\x03...*', data, re.DOTALL):"),
        "{code}"
    );
    let mut py = run_python(&code);
    let lines = lines_of(&mut py);
    let port = listening_port(&lines);
    let c = r.open(connect_spec(port));
    r.wait_until("connected", |m, _| m.sessions[&c].peer.is_some());
    let asks: [&[u8]; 5] = [
        b"PING\n",
        b"\x01\x03\x00\x10\n",
        "name=小明\n".as_bytes(),
        b"what\n",
        b"PING again\n",
    ];
    let mut want = Vec::new();
    for (i, ask) in asks.iter().enumerate() {
        let mut expected = compiled.answer(ask, None, i == 0 || i == 4)[0]
            .bytes
            .clone();
        if i == 4 {
            expected = b"PONG 2\n".to_vec();
        }
        want.extend_from_slice(&expected);
        r.engine.send(c, ask.to_vec(), None).unwrap();
        r.wait_until("answered", |m, _| {
            m.sessions[&c].counters.bytes_in == want.len() as u64
        });
        assert_eq!(r.received(c), want, "after {ask:?}:\n{code}");
    }
    r.engine.close(c, CloseHow::Close).unwrap();
}

#[test]
fn the_udp_program_answers_the_sender_as_sockbench_did() {
    let Some(_) = python3() else { return };
    let mut r = Recorder::new();
    let any = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let udp = || SocketSpec::Udp {
        addr: any,
        default_peer: None,
        recv_bytes: 2048,
    };
    let (u, v) = (r.open(udp()), r.open(udp()));
    r.wait_until("bound", |m, _| {
        m.sessions[&u].local.is_some() && m.sessions[&v].local.is_some()
    });
    let (ua, va) = (
        crate::util::ip_of(&r.model.sessions[&u].local),
        crate::util::ip_of(&r.model.sessions[&v].local),
    );
    r.engine.send(v, b"ping".to_vec(), Some(ua.into())).unwrap();
    r.wait_until("ping", |m, _| m.sessions[&u].counters.bytes_in == 4);
    r.engine.send(u, b"pong".to_vec(), Some(va.into())).unwrap();
    r.wait_until("pong", |m, _| m.sessions[&v].counters.bytes_in == 4);
    r.engine.close(u, CloseHow::Close).unwrap();
    r.wait_until("closed", |m, _| m.sessions[&u].state.is_closed());
    let code = program(&r, u, &PyOptions::default());
    assert!(code.contains("s.sendto(b'pong', addr)"), "{code}");
    let mut py = run_python(&code);
    let lines = lines_of(&mut py);
    // The program is bound once it waits; send until it answers.
    let deadline = Instant::now() + WAIT;
    while r.model.sessions[&v].counters.bytes_in < 8 {
        r.engine.send(v, b"ping".to_vec(), Some(ua.into())).unwrap();
        r.pump_for(Duration::from_millis(100));
        assert!(Instant::now() < deadline, "no answer");
    }
    assert_eq!(r.received(v), b"pongpong");
    expect_line(&lines, "4 bytes: ping");
}

#[test]
fn with_the_labs_length_prefix_messages_go_out_with_struct_pack_and_come_in_whole() {
    let Some(_) = python3() else { return };
    use sockbench::codec::framing::{Framing, LengthWidth, frame};
    let framing = Framing::LengthPrefix {
        width: LengthWidth::W4,
        big_endian: true,
        includes_header: false,
    };
    let mut r = Recorder::new();
    let (l, c, a) = pair(&mut r);
    r.engine
        .send(c, frame(&framing, b"hello").unwrap(), None)
        .unwrap();
    r.wait_until("hello", |m, _| m.sessions[&a].counters.bytes_in == 9);
    r.engine
        .send(a, frame(&framing, b"ok").unwrap(), None)
        .unwrap();
    r.wait_until("ok", |m, _| m.sessions[&c].counters.bytes_in == 6);
    let opts = PyOptions {
        framing: Some(&framing),
        ..PyOptions::default()
    };
    let code = program(&r, c, &opts);
    assert!(
        code.contains("sock.sendall(struct.pack('!I', len(data)) + data)"),
        "{code}"
    );
    assert!(code.contains("send_msg(s, b'hello')"), "{code}");
    assert!(code.contains("data = recv_msg(s)"), "{code}");
    let mut py = run_python(&code);
    let lines = lines_of(&mut py);
    r.wait_until("python connected", |m, _| {
        m.sessions[&l].children.len() == 2
    });
    let a2 = r.model.sessions[&l].children[1];
    r.wait_until("python's hello", |m, _| {
        m.sessions[&a2].counters.bytes_in == 9
    });
    assert_eq!(r.received(a2), b"\x00\x00\x00\x05hello");
    // The header and the body in two sends: recv_exact waits for both.
    let framed = frame(&framing, b"ok").unwrap();
    r.engine.send(a2, framed[..3].to_vec(), None).unwrap();
    r.pump_for(Duration::from_millis(100));
    r.engine.send(a2, framed[3..].to_vec(), None).unwrap();
    expect_line(&lines, "received 2 bytes: ok");
    r.engine.close(a2, CloseHow::Close).unwrap();
    let (ok, _, err) = finish(py);
    assert!(ok, "python failed: {err}\n{code}");
}
