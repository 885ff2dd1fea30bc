//! The Python program that does what the user clicked for one socket, in
//! the tutorials' style: create it, set its options, bind/listen/accept or
//! connect, then the conversation as it happened (each send, then a wait
//! for the bytes that came back next), and a receive loop. A listener that
//! served several clients, or answers with reply rules, becomes a threaded
//! server (`threading`, or `socketserver` on request) whose `handle()` does
//! what Sockbench did. With the lab's length prefix, messages are sent with
//! `struct.pack` and read with a `recv_exact` helper.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::codec::framing::{Deframer, Framing, LengthWidth};
use crate::codec::text::{TextEncoding, decode_exact, decode_lossy, python_codec};
use crate::engine::{Addr, CloseReason, SocketId, SocketKind};
use crate::i18n::{tr, trf};
use crate::model::Model;
use crate::model::lesson::Talk;
use crate::model::pycall::py_addr;
use crate::model::pyrules::{PeerForm, RulesCtx, rules_body};
use crate::model::session::{Session, SessionState};
use crate::rules::RuleSet;

/// How a threaded server is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ServerStyle {
    /// `threading.Thread(target=handle, args=(conn, addr))` after each
    /// `accept()`, as the multi-client tutorial does.
    #[default]
    Threads,
    /// `socketserver.ThreadingTCPServer` with a request handler.
    SocketServer,
}

/// What the program is written with besides the socket itself.
#[derive(Clone, Copy, Default)]
pub struct PyOptions<'a> {
    /// Every socket's reply rules (those that are on are written as
    /// `if`/`elif`).
    pub rules: Option<&'a BTreeMap<SocketId, RuleSet>>,
    /// The lab's framing: with a length prefix or a fixed size, messages
    /// are sent with `struct.pack` and read with `recv_exact`.
    pub framing: Option<&'a Framing>,
    /// How a threaded server is written.
    pub style: ServerStyle,
}

impl PyOptions<'_> {
    fn rules_for(&self, id: SocketId) -> Option<&RuleSet> {
        self.rules?.get(&id).filter(|r| r.on)
    }
}

/// The program for socket `s` (for an accepted connection: its listener's
/// program, doing with each client what was done with this connection).
pub fn python_program(model: &Model, s: &Session, opts: &PyOptions<'_>) -> String {
    let mut p = Program::default();
    let codec = python_codec(s.encoding);
    let title = trf("{socket} as a Python program.", &[("socket", &s.title())]);
    match s.kind {
        SocketKind::TcpClient | SocketKind::UnixClient => client(&mut p, s, codec, opts),
        SocketKind::TcpListener | SocketKind::UnixListener => {
            let first_child = s
                .children
                .iter()
                .find_map(|c| model.sessions.get(c).map(|c| &**c));
            listener(&mut p, s, first_child, codec, opts);
        }
        SocketKind::TcpAccepted | SocketKind::UnixAccepted => {
            let parent = s.parent.and_then(|id| model.sessions.get(&id));
            match parent {
                Some(l) => listener(&mut p, l, Some(s), codec, opts),
                None => listener(&mut p, s, Some(s), codec, opts),
            }
        }
        SocketKind::Udp | SocketKind::UnixDgram => udp(&mut p, s, codec, opts),
    }
    p.finish(&title)
}

/// A program being written: its imports, helper functions, module-level
/// names and main code, put in that order at the end.
#[derive(Default)]
pub struct Program {
    imports: BTreeSet<&'static str>,
    helpers: Vec<(String, String)>,
    globals: Vec<String>,
    out: String,
}

impl Program {
    /// A line of main code at `indent` levels.
    pub fn line(&mut self, indent: usize, text: &str) {
        let _ = writeln!(self.out, "{}{text}", "    ".repeat(indent));
    }

    /// An empty line of main code.
    pub fn blank(&mut self) {
        self.out.push('\n');
    }

    /// `import module` at the top (once).
    pub fn import(&mut self, module: &'static str) {
        self.imports.insert(module);
    }

    /// A helper function `name` defined before the main code (once).
    pub fn helper(&mut self, name: &str, code: &str) {
        if !self.helpers.iter().any(|(n, _)| n == name) {
            self.helpers.push((name.to_string(), code.to_string()));
        }
    }

    /// A module-level line after the helpers (once).
    pub fn global(&mut self, line: &str) {
        if !self.globals.iter().any(|g| g == line) {
            self.globals.push(line.to_string());
        }
    }

    /// Takes the main code written so far (to make a function of it).
    fn take_body(&mut self) -> String {
        std::mem::take(&mut self.out)
    }

    fn finish(self, title: &str) -> String {
        let mut text = format!("# {title}\nimport socket\n");
        for m in &self.imports {
            let _ = writeln!(text, "import {m}");
        }
        text.push('\n');
        for (_, code) in &self.helpers {
            text.push_str(code);
            text.push('\n');
        }
        for g in &self.globals {
            let _ = writeln!(text, "{g}");
        }
        if !self.globals.is_empty() {
            text.push('\n');
        }
        text.push_str(&self.out);
        text
    }
}

fn family(a: Option<&Addr>) -> &'static str {
    match a {
        Some(Addr::Unix(_)) => "socket.AF_UNIX",
        Some(Addr::Ip(a)) if a.is_ipv6() => "socket.AF_INET6",
        _ => "socket.AF_INET",
    }
}

fn peer_form(a: Option<&Addr>) -> PeerForm {
    match a {
        Some(Addr::Unix(_)) => PeerForm::Unix,
        Some(Addr::Ip(a)) if a.is_ipv6() => PeerForm::V6,
        _ => PeerForm::V4,
    }
}

/// A Python `str` literal.
pub fn py_str(text: &str) -> String {
    let mut out = String::from("'");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A Python `bytes` literal: `b'hi\r\n\x00'`.
pub fn py_bytes(bytes: &[u8]) -> String {
    let mut out = String::from("b'");
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\'' => out.push_str("\\'"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(char::from(b)),
            b => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('\'');
    out
}

/// The payload as Python: `'你好'.encode('gbk')` when it is text in the
/// socket's encoding with non-ASCII characters, a bytes literal otherwise.
pub fn py_payload(bytes: &[u8], encoding: TextEncoding) -> String {
    let printable = |t: &str| {
        t.chars()
            .all(|c| !c.is_control() || matches!(c, '\r' | '\n' | '\t'))
    };
    match decode_exact(encoding, bytes) {
        Some(t) if !t.is_ascii() && printable(&t) => {
            format!("{}.encode('{}')", py_str(&t), python_codec(encoding))
        }
        _ => py_bytes(bytes),
    }
}

fn options(p: &mut Program, indent: usize, name: &str, s: &Session) {
    if s.nodelay == Some(true) {
        p.line(
            indent,
            &format!(
                "{name}.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # {}",
                tr("send small writes at once")
            ),
        );
    }
}

/// `print('received', …)` for `data` just read.
fn print_received(p: &mut Program, indent: usize, codec: &str) {
    p.line(
        indent,
        &format!(
            "print('received', len(data), 'bytes:', data.decode('{codec}', errors='replace'))"
        ),
    );
}

/// `recv_exact(sock, n)`: the helper that reads exactly `n` bytes.
fn need_recv_exact(p: &mut Program) {
    p.helper(
        "recv_exact",
        &format!(
            "def recv_exact(sock, n):\n    \"\"\"{}\"\"\"\n    data = b''\n    while len(data) < n:\n        chunk = sock.recv(n - len(data))\n        if not chunk:  # {}\n            raise ConnectionError('the peer closed after %d of %d bytes' % (len(data), n))\n        data += chunk\n    return data\n",
            tr("Reads exactly n bytes: one recv() returns what has arrived, which may be less."),
            tr("b'': the peer closed")
        ),
    );
}

/// The `struct` format of a length header: `!I`.
fn header_format(width: LengthWidth, big_endian: bool) -> String {
    let order = if big_endian { '!' } else { '<' };
    let code = match width {
        LengthWidth::W1 => 'B',
        LengthWidth::W2 => 'H',
        LengthWidth::W4 => 'I',
        LengthWidth::W8 => 'Q',
    };
    format!("{order}{code}")
}

/// `send_msg` / `recv_msg` for a length prefix or a fixed size; whether
/// the framing has them.
fn need_framing_helpers(p: &mut Program, framing: &Framing) -> bool {
    match framing {
        Framing::LengthPrefix {
            width,
            big_endian,
            includes_header,
        } => {
            p.import("struct");
            need_recv_exact(p);
            let fmt = header_format(*width, *big_endian);
            let w = width.bytes();
            let (plus, minus) = if *includes_header {
                (format!(" + {w}"), format!(" - {w}"))
            } else {
                (String::new(), String::new())
            };
            p.helper(
                "send_msg",
                &format!(
                    "def send_msg(sock, data):\n    \"\"\"{}\"\"\"\n    sock.sendall(struct.pack('{fmt}', len(data){plus}) + data)\n",
                    tr("One message: its length first, then its bytes.")
                ),
            );
            p.helper(
                "recv_msg",
                &format!(
                    "def recv_msg(sock):\n    \"\"\"{}\"\"\"\n    (n,) = struct.unpack('{fmt}', recv_exact(sock, {w}))\n    return recv_exact(sock, n{minus})\n",
                    tr("One message: read the length, then exactly that many bytes.")
                ),
            );
            true
        }
        Framing::Fixed { size } => {
            need_recv_exact(p);
            p.helper(
                "recv_msg",
                &format!(
                    "def recv_msg(sock):\n    \"\"\"{}\"\"\"\n    return recv_exact(sock, {size})\n",
                    trf("One message: exactly {n} bytes.", &[("n", size)])
                ),
            );
            true
        }
        _ => false,
    }
}

/// `bytes` as whole messages of `framing`, if it is exactly that.
fn whole_messages(framing: Option<&Framing>, bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let f = framing?;
    if !matches!(f, Framing::LengthPrefix { .. } | Framing::Fixed { .. }) {
        return None;
    }
    let mut d = Deframer::new(f.clone());
    let msgs = d.push(bytes).ok()?;
    (!msgs.is_empty() && d.pending().is_empty())
        .then(|| msgs.into_iter().map(|m| m.bytes).collect())
}

/// A short comment naming bytes: `# 'pong'` or `# 16 bytes`.
fn preview(bytes: &[u8], encoding: TextEncoding) -> String {
    let text = decode_lossy(encoding, bytes);
    if text.chars().count() <= 40 && !text.chars().any(char::is_control) {
        format!("{text:?}")
    } else {
        trf("{n} bytes", &[("n", &bytes.len())])
    }
}

/// The steps a stream took, in order: each send, and after it a wait for
/// exactly the bytes that arrived next.
fn conversation(
    p: &mut Program,
    indent: usize,
    name: &str,
    s: &Session,
    framing: Option<&Framing>,
    codec: &str,
) {
    let framed = framing.is_some_and(|f| need_framing_helpers(&mut Program::default(), f));
    for step in s.lesson.talk() {
        match step {
            Talk::Sent { bytes, .. } => match whole_messages(framing, bytes) {
                Some(msgs) if framed && matches!(framing, Some(Framing::LengthPrefix { .. })) => {
                    if let Some(f) = framing {
                        need_framing_helpers(p, f);
                    }
                    for m in msgs {
                        p.line(
                            indent,
                            &format!("send_msg({name}, {})", py_payload(&m, s.encoding)),
                        );
                    }
                }
                _ => p.line(
                    indent,
                    &format!("{name}.sendall({})", py_payload(bytes, s.encoding)),
                ),
            },
            Talk::Received { bytes, .. } => match whole_messages(framing, bytes) {
                Some(msgs) if framed => {
                    if let Some(f) = framing {
                        need_framing_helpers(p, f);
                    }
                    for m in msgs {
                        p.line(
                            indent,
                            &format!("data = recv_msg({name})  # {}", preview(&m, s.encoding)),
                        );
                        print_received(p, indent, codec);
                    }
                }
                _ => {
                    need_recv_exact(p);
                    p.line(
                        indent,
                        &format!(
                            "data = recv_exact({name}, {})  # {}",
                            bytes.len(),
                            trf(
                                "wait for what came next: {what}",
                                &[("what", &preview(bytes, s.encoding))]
                            )
                        ),
                    );
                    print_received(p, indent, codec);
                }
            },
        }
    }
    not_kept(p, indent, s);
}

fn not_kept(p: &mut Program, indent: usize, s: &Session) {
    if s.lesson.steps_not_kept() > 0 {
        p.line(
            indent,
            &format!(
                "# {}",
                trf(
                    "… and {n} more sends and receives (not kept)",
                    &[("n", &s.lesson.steps_not_kept())]
                )
            ),
        );
    }
}

/// The sends made before anything arrived (a client's opening, before its
/// reply rules take over).
fn opening_sends(p: &mut Program, indent: usize, name: &str, s: &Session) {
    for step in s.lesson.talk() {
        match step {
            Talk::Sent {
                bytes,
                to: Some(to),
            } if s.kind.is_datagram() => p.line(
                indent,
                &format!(
                    "{name}.sendto({}, {})",
                    py_payload(bytes, s.encoding),
                    py_addr(to)
                ),
            ),
            Talk::Sent { bytes, .. } => p.line(
                indent,
                &format!("{name}.sendall({})", py_payload(bytes, s.encoding)),
            ),
            Talk::Received { .. } => break,
        }
    }
}

fn recv_loop(p: &mut Program, indent: usize, name: &str, size: usize, codec: &str) {
    p.line(indent, "while True:");
    p.line(indent + 1, &format!("data = {name}.recv({size})"));
    p.line(
        indent + 1,
        &format!("if not data:  # {}", tr("b'': the peer closed")),
    );
    p.line(indent + 2, "break");
    print_received(p, indent + 1, codec);
}

/// The loop that reads messages and answers them with `set`'s rules.
fn rules_loop(
    p: &mut Program,
    indent: usize,
    name: &str,
    s: &Session,
    set: &RuleSet,
    codec: &str,
    peer: PeerForm,
) {
    let cx = RulesCtx {
        codec,
        encoding: s.encoding,
        send: &format!("{name}.sendall(reply)"),
        peer,
    };
    p.line(
        indent,
        &format!("# {}", trf("reply rules: {unit}", &[("unit", &set.unit())])),
    );
    match &set.framing {
        Framing::None => {
            p.line(indent, "while True:");
            p.line(indent + 1, &format!("data = {name}.recv({})", s.recv_size));
            p.line(
                indent + 1,
                &format!("if not data:  # {}", tr("b'': the peer closed")),
            );
            p.line(indent + 2, "break");
        }
        f => {
            need_messages(p, f, s.recv_size);
            p.line(indent, &format!("for data in messages({name}):"));
        }
    }
    print_received(p, indent + 1, codec);
    rules_body(p, indent + 1, set, &cx);
}

/// `messages(sock)`: a generator of the messages `framing` cuts out.
fn need_messages(p: &mut Program, framing: &Framing, size: usize) {
    match framing {
        Framing::Delimiter {
            delimiter,
            keep_delimiter,
        } => {
            let delim = py_bytes(delimiter);
            let (yielded, rest) = if *keep_delimiter {
                ("buf[:end + len(DELIM)]", "buf[end + len(DELIM):]")
            } else {
                ("buf[:end]", "buf[end + len(DELIM):]")
            };
            let code = format!(
                "def messages(sock):\n    \"\"\"{}\"\"\"\n    buf = b''\n    while True:\n        end = buf.find(DELIM)\n        if end >= 0:\n            yield {yielded}\n            buf = {rest}\n            continue\n        chunk = sock.recv({size})\n        if not chunk:  # {}\n            return\n        buf += chunk\n",
                trf("Each message ending {d}, however recv() cut them.", &[("d", &delim)]),
                tr("b'': the peer closed")
            )
            .replace("DELIM", &delim);
            p.helper("messages", &code);
        }
        f => {
            need_framing_helpers(p, f);
            p.helper(
                "messages",
                &format!(
                    "def messages(sock):\n    \"\"\"{}\"\"\"\n    while True:\n        try:\n            yield recv_msg(sock)\n        except ConnectionError:  # {}\n            return\n",
                    tr("Each message, however recv() cut them."),
                    tr("the peer closed")
                ),
            );
        }
    }
}

/// How a stream's program ends: a reset, a close, or reading on until the
/// peer closes. Returns whether the socket is closed already.
fn ending(p: &mut Program, indent: usize, name: &str, s: &Session, codec: &str) {
    match &s.state {
        SessionState::Closed(CloseReason::Reset) => {
            p.import("struct");
            p.line(
                indent,
                &format!("{name}.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))  # {}", tr("reset")),
            );
            p.line(indent, &format!("{name}.close()"));
            return;
        }
        SessionState::Closed(CloseReason::ByUser) if !s.peer_closed && !s.write_shut => {
            p.line(indent, &format!("{name}.close()"));
            return;
        }
        _ => {}
    }
    if s.write_shut {
        p.line(
            indent,
            &format!(
                "{name}.shutdown(socket.SHUT_WR)  # {}",
                tr("FIN: no more sends, still receiving")
            ),
        );
    }
    recv_loop(p, indent, name, s.recv_size, codec);
    p.line(indent, &format!("{name}.close()"));
}

/// The `socket()` call.
fn socket_line(p: &mut Program, addr: Option<&Addr>, kind: &str) {
    p.line(
        0,
        &format!("s = socket.socket({}, socket.{kind})", family(addr)),
    );
}

fn client(p: &mut Program, s: &Session, codec: &str, opts: &PyOptions<'_>) {
    let peer = s.peer.as_ref().or(match &s.state {
        SessionState::Connecting(a) => Some(a),
        _ => None,
    });
    let target = match peer {
        Some(a) => py_addr(a),
        None => {
            let (host, port) = s
                .spec
                .trim_start_matches("tcp-connect:")
                .rsplit_once(':')
                .unwrap_or(("127.0.0.1", "0"));
            format!(
                "('{}', {port})",
                host.trim_start_matches('[').trim_end_matches(']')
            )
        }
    };
    socket_line(p, peer, "SOCK_STREAM");
    options(p, 0, "s", s);
    p.line(0, &format!("s.connect({target})"));
    if let Some(set) = opts.rules_for(s.id) {
        opening_sends(p, 0, "s", s);
        rules_loop(p, 0, "s", s, set, codec, peer_form(peer));
        p.line(0, "s.close()");
        return;
    }
    conversation(p, 0, "s", s, opts.framing, codec);
    ending(p, 0, "s", s, codec);
}

fn listener(
    p: &mut Program,
    l: &Session,
    conn: Option<&Session>,
    codec: &str,
    opts: &PyOptions<'_>,
) {
    let local = l.local.clone().or_else(|| {
        l.spec
            .trim_start_matches("tcp-listen:")
            .parse::<std::net::SocketAddr>()
            .ok()
            .map(Addr::from)
    });
    let local = local.as_ref();
    let reuse = l.lesson.lines().any(|x| {
        matches!(
            x,
            crate::model::lesson::LessonLine::Call {
                call: crate::engine::SockCall::SetOption(crate::engine::SetOption::ReuseAddr),
                ..
            }
        )
    });
    let backlog = l.backlog.unwrap_or(128);
    let bind_to = match local {
        Some(a) => py_addr(a),
        None => "('127.0.0.1', 0)".into(),
    };
    let rules = opts.rules_for(l.id);
    let threaded = rules.is_some() || l.children.len() > 1;
    if !threaded {
        accept_loop(p, local, reuse, &bind_to, backlog);
        p.line(1, "print('accepted', addr)");
        match conn {
            Some(c) => {
                options(p, 1, "conn", c);
                conversation(p, 1, "conn", c, opts.framing, codec);
                ending(p, 1, "conn", c, codec);
            }
            None => {
                recv_loop(p, 1, "conn", l.recv_size, codec);
                p.line(1, "conn.close()");
            }
        }
        return;
    }
    // handle(conn, addr): what Sockbench did with each client.
    p.line(0, "def handle(conn, addr):");
    p.line(1, "print('accepted', addr)");
    match (rules, conn) {
        (Some(set), _) => {
            if let Some(c) = conn {
                options(p, 1, "conn", c);
            }
            let size_from = conn.unwrap_or(l);
            rules_loop(p, 1, "conn", size_from, set, codec, peer_form(local));
            p.line(1, "conn.close()");
        }
        (None, Some(c)) => {
            p.line(
                1,
                &format!(
                    "# {}",
                    trf("what Sockbench did with {conn}", &[("conn", &c.title())])
                ),
            );
            options(p, 1, "conn", c);
            conversation(p, 1, "conn", c, opts.framing, codec);
            ending(p, 1, "conn", c, codec);
        }
        (None, None) => {
            recv_loop(p, 1, "conn", l.recv_size, codec);
            p.line(1, "conn.close()");
        }
    }
    let handle = p.take_body();
    p.helper("handle", &handle);
    let unix = matches!(local, Some(Addr::Unix(_)));
    match opts.style {
        ServerStyle::Threads => {
            p.import("threading");
            accept_loop(p, local, reuse, &bind_to, backlog);
            p.line(
                1,
                &format!(
                    "threading.Thread(target=handle, args=(conn, addr), daemon=True).start()  # {}",
                    tr("one thread per client, so clients are served at once")
                ),
            );
        }
        ServerStyle::SocketServer => {
            p.import("socketserver");
            p.line(0, "class Handler(socketserver.BaseRequestHandler):");
            p.line(1, "def handle(self):");
            p.line(2, "handle(self.request, self.client_address)");
            p.blank();
            p.line(
                0,
                &format!(
                    "class Server(socketserver.{}):",
                    if unix {
                        "ThreadingUnixStreamServer"
                    } else {
                        "ThreadingTCPServer"
                    }
                ),
            );
            p.line(
                1,
                &format!(
                    "daemon_threads = True  # {}",
                    tr("one thread per client, so clients are served at once")
                ),
            );
            if matches!(local, Some(Addr::Ip(a)) if a.is_ipv6()) {
                p.line(1, "address_family = socket.AF_INET6");
            }
            if reuse {
                p.line(1, "allow_reuse_address = True  # SO_REUSEADDR");
            }
            p.line(
                1,
                &format!("request_queue_size = {backlog}  # listen({backlog})"),
            );
            p.blank();
            p.line(0, &format!("with Server({bind_to}, Handler) as server:"));
            p.line(1, "print('listening on', server.server_address)");
            p.line(1, "server.serve_forever()");
        }
    }
}

/// `socket()`, SO_REUSEADDR, `bind()`, `listen()` and the head of the
/// `accept()` loop (its body comes next, at indent 1).
fn accept_loop(p: &mut Program, local: Option<&Addr>, reuse: bool, bind_to: &str, backlog: i32) {
    socket_line(p, local, "SOCK_STREAM");
    if reuse {
        p.line(0, "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)");
    }
    p.line(0, &format!("s.bind({bind_to})"));
    p.line(0, &format!("s.listen({backlog})"));
    p.line(0, "print('listening on', s.getsockname())");
    p.line(0, "while True:");
    p.line(
        1,
        &format!(
            "conn, addr = s.accept()  # {}",
            tr("accept() returns a NEW socket for this client")
        ),
    );
}

fn udp(p: &mut Program, s: &Session, codec: &str, opts: &PyOptions<'_>) {
    let local = s.local.clone().or_else(|| {
        s.spec
            .trim_start_matches("udp:")
            .parse::<std::net::SocketAddr>()
            .ok()
            .map(Addr::from)
    });
    let local = local.as_ref();
    socket_line(p, local, "SOCK_DGRAM");
    match local {
        Some(a) => p.line(0, &format!("s.bind({})", py_addr(a))),
        None => p.line(0, "s.bind(('127.0.0.1', 0))"),
    }
    let recvfrom = |p: &mut Program, indent: usize| {
        p.line(
            indent,
            &format!(
                "data, addr = s.recvfrom({})  # {}",
                s.recv_size,
                tr("one datagram")
            ),
        );
        p.line(
            indent,
            &format!(
                "print('from', addr, len(data), 'bytes:', data.decode('{codec}', errors='replace'))"
            ),
        );
    };
    if let Some(set) = opts.rules_for(s.id) {
        opening_sends(p, 0, "s", s);
        p.line(
            0,
            &format!("# {}", trf("reply rules: {unit}", &[("unit", &set.unit())])),
        );
        p.line(0, "while True:");
        recvfrom(p, 1);
        let cx = RulesCtx {
            codec,
            encoding: s.encoding,
            send: "s.sendto(reply, addr)",
            peer: peer_form(local),
        };
        rules_body(p, 1, set, &cx);
        return;
    }
    let mut last_from: Option<&Addr> = None;
    for step in s.lesson.talk() {
        match step {
            Talk::Sent { bytes, to } => {
                let payload = py_payload(bytes, s.encoding);
                match to {
                    Some(to) if last_from == Some(to) => p.line(
                        0,
                        &format!("s.sendto({payload}, addr)  # {}", tr("back to the sender")),
                    ),
                    Some(to) => p.line(0, &format!("s.sendto({payload}, {})", py_addr(to))),
                    None => p.line(0, &format!("s.send({payload})")),
                }
            }
            Talk::Received { from, .. } => {
                recvfrom(p, 0);
                last_from = from.as_ref();
            }
        }
    }
    not_kept(p, 0, s);
    p.line(0, "while True:");
    recvfrom(p, 1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_text_in_their_encoding_or_bytes() {
        assert_eq!(py_payload(b"hi\r\n", TextEncoding::Utf8), "b'hi\\r\\n'");
        assert_eq!(
            py_payload(&[0, 0xff, b'\''], TextEncoding::Utf8),
            "b'\\x00\\xff\\''"
        );
        let gbk = crate::codec::text::encode(TextEncoding::Gbk, "你好").unwrap();
        assert_eq!(py_payload(&gbk, TextEncoding::Gbk), "'你好'.encode('gbk')");
        // The same bytes are not UTF-8 text.
        assert_eq!(
            py_payload(&gbk, TextEncoding::Utf8),
            "b'\\xc4\\xe3\\xba\\xc3'"
        );
        assert_eq!(
            py_payload("é\0".as_bytes(), TextEncoding::Utf8),
            "b'\\xc3\\xa9\\x00'"
        );
    }
}
