//! A socket's lesson: the socket API calls made for it, in order, written
//! the way the Python tutorials write them (`s.bind(('127.0.0.1', 9000))`
//! → `ok`). Setup and close calls come from the engine as it makes them;
//! reads and writes are the traffic events themselves (each `Received` is
//! one `recv()`). Bounded: the newest [`MAX_LINES`] are kept, and the rest
//! are counted.

use crate::engine::Addr;
use std::collections::VecDeque;

use crate::engine::{CallOk, NetError, SockCall, SocketKind};
use crate::i18n::{tr, trf};
use crate::model::pycall::{call_text, py_addr, result_text};

/// Lines kept per socket.
pub const MAX_LINES: usize = 500;
/// Payloads sent that are kept for the Python program (the first ones).
pub const MAX_KEPT_SENDS: usize = 32;
/// Bytes of sent payloads kept for the Python program, in all.
pub const MAX_KEPT_SEND_BYTES: usize = 64 * 1024;

/// One call.
#[derive(Clone, Debug, PartialEq)]
pub enum LessonLine {
    /// A call the engine reported, with its result or its error.
    Call {
        /// The call, e.g. `s.listen(128)`.
        call: SockCall,
        /// What it returned, or why it failed.
        result: Result<CallOk, Box<NetError>>,
    },
    /// `recv()` / `recvfrom()` returned `n` bytes.
    Recv {
        /// Bytes returned.
        n: usize,
        /// The size asked for (`recv(1024)`).
        size: usize,
        /// UDP: the sender.
        from: Option<Addr>,
    },
    /// `recv()` returned `b''`: the peer closed.
    RecvEof {
        /// The size asked for.
        size: usize,
    },
    /// `sendall()` / `sendto()` sent `n` bytes.
    Send {
        /// Bytes sent.
        n: usize,
        /// UDP: the destination.
        to: Option<Addr>,
    },
}

/// The calls of one socket.
#[derive(Clone, Debug)]
pub struct Lesson {
    lines: VecDeque<LessonLine>,
    omitted: u64,
    udp: bool,
    /// `conn` for a socket `accept()` returned, `s` otherwise.
    name: &'static str,
    /// The first payloads sent, for the Python program.
    sent: Vec<(Vec<u8>, Option<Addr>)>,
    sent_bytes: usize,
    /// Sends not kept (past the limits).
    sends_not_kept: u64,
}

impl Lesson {
    /// An empty lesson for a socket of `kind`.
    pub fn new(kind: SocketKind) -> Self {
        Lesson {
            lines: VecDeque::new(),
            omitted: 0,
            udp: kind.is_datagram(),
            name: if kind == SocketKind::TcpAccepted {
                "conn"
            } else {
                "s"
            },
            sent: Vec::new(),
            sent_bytes: 0,
            sends_not_kept: 0,
        }
    }

    /// A lesson holding just `lines` (a compacted socket's newest calls).
    pub fn from_lines(kind: SocketKind, lines: &[LessonLine]) -> Self {
        let mut l = Lesson::new(kind);
        l.lines = lines.iter().cloned().collect();
        l
    }

    /// Keeps a sent payload for the Python program, within the limits.
    pub fn keep_sent(&mut self, bytes: &[u8], to: Option<&Addr>) {
        if self.sent.len() < MAX_KEPT_SENDS && self.sent_bytes + bytes.len() <= MAX_KEPT_SEND_BYTES
        {
            self.sent_bytes += bytes.len();
            self.sent.push((bytes.to_vec(), to.cloned()));
        } else {
            self.sends_not_kept += 1;
        }
    }

    /// The payloads sent that were kept, in order, with their UDP destination.
    pub fn sent(&self) -> &[(Vec<u8>, Option<Addr>)] {
        &self.sent
    }

    /// Sends made past the kept ones.
    pub fn sends_not_kept(&self) -> u64 {
        self.sends_not_kept
    }

    /// Adds a line, dropping the oldest beyond [`MAX_LINES`].
    pub fn push(&mut self, line: LessonLine) {
        if self.lines.len() >= MAX_LINES {
            self.lines.pop_front();
            self.omitted += 1;
        }
        self.lines.push_back(line);
    }

    /// Keeps only the newest `max` lines (the rest counted as omitted) and
    /// forgets the kept sends: what a long-closed connection still needs.
    pub fn compact(&mut self, max: usize) {
        while self.lines.len() > max {
            self.lines.pop_front();
            self.omitted += 1;
        }
        self.lines.shrink_to_fit();
        self.sends_not_kept += self.sent.len() as u64;
        self.sent = Vec::new();
        self.sent_bytes = 0;
    }

    /// The lines kept, oldest first.
    pub fn lines(&self) -> impl DoubleEndedIterator<Item = &LessonLine> + ExactSizeIterator {
        self.lines.iter()
    }

    /// Older lines no longer kept.
    pub fn omitted(&self) -> u64 {
        self.omitted
    }

    /// A line as `(call, result)` text in the tutorials' notation and
    /// this thread's language.
    pub fn render(&self, line: &LessonLine) -> (String, Result<String, NetError>) {
        let n = self.name;
        match line {
            LessonLine::Call { call, result } => (
                call_text(call, n),
                match result {
                    Ok(ok) => Ok(result_text(call, ok)),
                    Err(e) => Err((**e).clone()),
                },
            ),
            LessonLine::Recv { n: got, from, size } if self.udp => (
                format!("data, addr = {n}.recvfrom({size})"),
                Ok(match from {
                    Some(a) => trf(
                        "{n} bytes from {addr}",
                        &[("n", got), ("addr", &crate::model::explain::Shown(a))],
                    ),
                    None => trf("{n} bytes", &[("n", got)]),
                }),
            ),
            LessonLine::Recv { n: got, size, .. } => (
                format!("data = {n}.recv({size})"),
                Ok(trf("{n} bytes", &[("n", got)])),
            ),
            LessonLine::RecvEof { size } => (
                format!("data = {n}.recv({size})"),
                Ok(tr("b'' (the peer closed)").into()),
            ),
            LessonLine::Send {
                n: sent,
                to: Some(a),
            } if self.udp => (
                format!("{n}.sendto(data, {})", py_addr(a)),
                Ok(trf("{n} bytes", &[("n", sent)])),
            ),
            LessonLine::Send { n: sent, .. } => (
                format!("{n}.sendall(data)"),
                Ok(trf("{n} bytes", &[("n", sent)])),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_sockets_are_conn_and_reads_show_the_recv_size() {
        let mut l = Lesson::new(SocketKind::TcpAccepted);
        l.push(LessonLine::Call {
            call: SockCall::Close,
            result: Ok(CallOk::Done),
        });
        l.push(LessonLine::Recv {
            n: 13,
            size: 1024,
            from: None,
        });
        l.push(LessonLine::RecvEof { size: 1024 });
        let text: Vec<_> = l.lines().map(|x| l.render(x)).collect();
        assert_eq!(text[0].0, "conn.close()");
        assert_eq!(
            text[1],
            (
                "data = conn.recv(1024)".to_owned(),
                Ok("13 bytes".to_owned())
            )
        );
        assert_eq!(text[2].1, Ok("b'' (the peer closed)".to_owned()));
    }

    #[test]
    fn keeps_the_first_sends_within_the_limits() {
        let mut l = Lesson::new(SocketKind::TcpClient);
        for _ in 0..MAX_KEPT_SENDS + 3 {
            l.keep_sent(b"abc", None);
        }
        l.keep_sent(&vec![0; MAX_KEPT_SEND_BYTES], None);
        assert_eq!(l.sent().len(), MAX_KEPT_SENDS);
        assert_eq!(l.sends_not_kept(), 4);
    }

    #[test]
    fn keeps_the_newest_lines_and_counts_the_rest() {
        let mut l = Lesson::new(SocketKind::TcpClient);
        for n in 0..MAX_LINES + 10 {
            l.push(LessonLine::Send { n, to: None });
        }
        assert_eq!(l.lines().len(), MAX_LINES);
        assert_eq!(l.omitted(), 10);
        assert_eq!(
            l.lines().next(),
            Some(&LessonLine::Send { n: 10, to: None })
        );
    }
}
