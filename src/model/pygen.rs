//! The Python program that does what the user clicked for one socket:
//! create it, set its options, bind/listen/accept or connect, make the
//! sends that were made, and a receive loop, in the tutorials' style.

use crate::engine::Addr;
use crate::model::pycall::py_addr;
use std::fmt::Write as _;

use crate::codec::text::{TextEncoding, decode_exact, python_codec};
use crate::engine::SocketKind;
use crate::i18n::{tr, trf};
use crate::model::Model;
use crate::model::session::{Session, SessionState};

/// The program for socket `s` (for an accepted connection: its listener's
/// program, with this connection's sends).
pub fn python_program(model: &Model, s: &Session) -> String {
    let mut p = Program::default();
    let codec = python_codec(s.encoding);
    match s.kind {
        SocketKind::TcpClient | SocketKind::UnixClient => client(&mut p, s, codec),
        SocketKind::TcpListener | SocketKind::UnixListener => {
            let first_child = s
                .children
                .iter()
                .find_map(|c| model.sessions.get(c).map(|c| &**c));
            listener(&mut p, s, first_child, codec);
        }
        SocketKind::TcpAccepted | SocketKind::UnixAccepted => {
            let parent = s.parent.and_then(|id| model.sessions.get(&id));
            match parent {
                Some(l) => listener(&mut p, l, Some(s), codec),
                None => listener(&mut p, s, Some(s), codec),
            }
        }
        SocketKind::Udp | SocketKind::UnixDgram => udp(&mut p, s, codec),
    }
    p.out
}

#[derive(Default)]
struct Program {
    out: String,
}

impl Program {
    fn line(&mut self, indent: usize, text: &str) {
        let _ = writeln!(self.out, "{}{text}", "    ".repeat(indent));
    }
    fn blank(&mut self) {
        self.out.push('\n');
    }
}

fn family(a: Option<&Addr>) -> &'static str {
    match a {
        Some(Addr::Unix(_)) => "socket.AF_UNIX",
        Some(Addr::Ip(a)) if a.is_ipv6() => "socket.AF_INET6",
        _ => "socket.AF_INET",
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

fn sends(p: &mut Program, indent: usize, name: &str, s: &Session) {
    let kept = s.lesson.sent();
    if kept.is_empty() {
        return;
    }
    for (bytes, to) in kept {
        match to {
            Some(to) if s.kind.is_datagram() => p.line(
                indent,
                &format!(
                    "{name}.sendto({}, {})",
                    py_payload(bytes, s.encoding),
                    py_addr(to)
                ),
            ),
            _ => p.line(
                indent,
                &format!("{name}.sendall({})", py_payload(bytes, s.encoding)),
            ),
        }
    }
    if s.lesson.sends_not_kept() > 0 {
        p.line(
            indent,
            &format!(
                "# {}",
                trf(
                    "… and {n} more sends (not kept)",
                    &[("n", &s.lesson.sends_not_kept())]
                )
            ),
        );
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
    p.line(
        indent + 1,
        &format!(
            "print('received', len(data), 'bytes:', data.decode('{codec}', errors='replace'))"
        ),
    );
}

fn closing(p: &mut Program, indent: usize, name: &str, s: &Session) -> bool {
    match &s.state {
        SessionState::Closed(crate::engine::CloseReason::Reset) => {
            p.line(indent, "import struct");
            p.line(
                indent,
                &format!("{name}.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))  # {}", tr("reset")),
            );
            p.line(indent, &format!("{name}.close()"));
            true
        }
        _ if s.write_shut => {
            p.line(
                indent,
                &format!(
                    "{name}.shutdown(socket.SHUT_WR)  # {}",
                    tr("FIN: no more sends, still receiving")
                ),
            );
            false
        }
        _ => false,
    }
}

/// The title comment, `import socket` and the `socket()` call.
fn begin(p: &mut Program, s: &Session, addr: Option<&Addr>, kind: &str) {
    p.line(
        0,
        &format!(
            "# {}",
            trf("{socket} as a Python program.", &[("socket", &s.title())])
        ),
    );
    p.line(0, "import socket");
    p.blank();
    p.line(
        0,
        &format!("s = socket.socket({}, socket.{kind})", family(addr)),
    );
}

fn client(p: &mut Program, s: &Session, codec: &str) {
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
    begin(p, s, peer, "SOCK_STREAM");
    options(p, 0, "s", s);
    p.line(0, &format!("s.connect({target})"));
    sends(p, 0, "s", s);
    if closing(p, 0, "s", s) {
        return;
    }
    recv_loop(p, 0, "s", s.recv_size, codec);
    p.line(0, "s.close()");
}

fn listener(p: &mut Program, l: &Session, conn: Option<&Session>, codec: &str) {
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
    begin(p, l, local, "SOCK_STREAM");
    if reuse {
        p.line(0, "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)");
    }
    match local {
        Some(a) => p.line(0, &format!("s.bind({})", py_addr(a))),
        None => p.line(0, "s.bind(('127.0.0.1', 0))"),
    }
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
    p.line(1, "print('accepted', addr)");
    let size = conn.map_or(l.recv_size, |c| c.recv_size);
    if let Some(c) = conn {
        options(p, 1, "conn", c);
        sends(p, 1, "conn", c);
        if closing(p, 1, "conn", c) {
            return;
        }
    }
    recv_loop(p, 1, "conn", size, codec);
    p.line(1, "conn.close()");
}

fn udp(p: &mut Program, s: &Session, codec: &str) {
    let local = s.local.clone().or_else(|| {
        s.spec
            .trim_start_matches("udp:")
            .parse::<std::net::SocketAddr>()
            .ok()
            .map(Addr::from)
    });
    let local = local.as_ref();
    begin(p, s, local, "SOCK_DGRAM");
    match local {
        Some(a) => p.line(0, &format!("s.bind({})", py_addr(a))),
        None => p.line(0, "s.bind(('127.0.0.1', 0))"),
    }
    sends(p, 0, "s", s);
    p.line(0, "while True:");
    p.line(
        1,
        &format!(
            "data, addr = s.recvfrom({})  # {}",
            s.recv_size,
            tr("one datagram")
        ),
    );
    p.line(
        1,
        &format!(
            "print('from', addr, len(data), 'bytes:', data.decode('{codec}', errors='replace'))"
        ),
    );
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
