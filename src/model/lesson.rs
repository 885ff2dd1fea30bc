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
/// Steps of the conversation kept for the Python program (the first ones).
pub const MAX_KEPT_STEPS: usize = 64;
/// Bytes of the conversation (sent and received) kept for the Python
/// program, in all.
pub const MAX_KEPT_BYTES: usize = 16 * 1024;

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

/// One step of the conversation, in the order it happened: what the
/// Python program does again (sends) and waits for (what arrived).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Talk {
    /// One send, with its datagram destination.
    Sent {
        /// The bytes sent.
        bytes: Vec<u8>,
        /// UDP: where to.
        to: Option<Addr>,
    },
    /// What arrived before the next send: on a stream, the bytes of every
    /// `recv()` in between, together (how they were cut into reads is the
    /// kernel's doing, not the peer's); a datagram, one each.
    Received {
        /// The bytes.
        bytes: Vec<u8>,
        /// UDP: the sender.
        from: Option<Addr>,
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
    /// The first steps of the conversation, for the Python program.
    talk: Vec<Talk>,
    talk_bytes: usize,
    /// Steps not kept (past the limits): once one is dropped, every later
    /// one is too, so what is kept is always a true beginning.
    steps_not_kept: u64,
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
            talk: Vec::new(),
            talk_bytes: 0,
            steps_not_kept: 0,
        }
    }

    /// A lesson holding just `lines` (a compacted socket's newest calls).
    pub fn from_lines(kind: SocketKind, lines: &[LessonLine]) -> Self {
        let mut l = Lesson::new(kind);
        l.lines = lines.iter().cloned().collect();
        l
    }

    /// Keeps a send for the Python program, within the limits.
    pub fn keep_sent(&mut self, bytes: &[u8], to: Option<&Addr>) {
        if self.steps_not_kept > 0 || self.talk_bytes + bytes.len() > MAX_KEPT_BYTES {
            self.steps_not_kept += 1;
            return;
        }
        self.keep(Talk::Sent {
            bytes: bytes.to_vec(),
            to: to.cloned(),
        });
    }

    /// Keeps what one `recv()` returned: on a stream (`stream`), added to
    /// the bytes received since the last send; a datagram is a step of its
    /// own.
    pub fn keep_received(&mut self, bytes: &[u8], from: Option<&Addr>, stream: bool) {
        // Full: count it without copying (this runs for every read).
        if self.steps_not_kept > 0 || self.talk_bytes + bytes.len() > MAX_KEPT_BYTES {
            self.steps_not_kept += 1;
            return;
        }
        if stream && let Some(Talk::Received { bytes: kept, .. }) = self.talk.last_mut() {
            self.talk_bytes += bytes.len();
            kept.extend_from_slice(bytes);
            return;
        }
        self.keep(Talk::Received {
            bytes: bytes.to_vec(),
            from: from.cloned(),
        });
    }

    fn keep(&mut self, step: Talk) {
        let len = match &step {
            Talk::Sent { bytes, .. } | Talk::Received { bytes, .. } => bytes.len(),
        };
        if self.steps_not_kept == 0
            && self.talk.len() < MAX_KEPT_STEPS
            && self.talk_bytes + len <= MAX_KEPT_BYTES
        {
            self.talk_bytes += len;
            self.talk.push(step);
        } else {
            self.steps_not_kept += 1;
        }
    }

    /// The conversation's first steps, in order.
    pub fn talk(&self) -> &[Talk] {
        &self.talk
    }

    /// Steps made past the kept ones.
    pub fn steps_not_kept(&self) -> u64 {
        self.steps_not_kept
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
        self.steps_not_kept += self.talk.len() as u64;
        self.talk = Vec::new();
        self.talk_bytes = 0;
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
    fn keeps_the_first_steps_within_the_limits() {
        let mut l = Lesson::new(SocketKind::TcpClient);
        for _ in 0..MAX_KEPT_STEPS + 3 {
            l.keep_sent(b"abc", None);
        }
        l.keep_sent(&vec![0; MAX_KEPT_BYTES], None);
        assert_eq!(l.talk().len(), MAX_KEPT_STEPS);
        assert_eq!(l.steps_not_kept(), 4);
    }

    #[test]
    fn a_stream_keeps_the_reads_between_two_sends_together_and_datagrams_apart() {
        let mut l = Lesson::new(SocketKind::TcpClient);
        l.keep_sent(b"ping", None);
        l.keep_received(b"po", None, true);
        l.keep_received(b"ng", None, true);
        l.keep_sent(b"bye", None);
        let bytes = |b: &[u8]| b.to_vec();
        assert_eq!(
            l.talk(),
            &[
                Talk::Sent {
                    bytes: bytes(b"ping"),
                    to: None
                },
                Talk::Received {
                    bytes: bytes(b"pong"),
                    from: None
                },
                Talk::Sent {
                    bytes: bytes(b"bye"),
                    to: None
                },
            ]
        );
        let mut u = Lesson::new(SocketKind::Udp);
        u.keep_received(b"a", None, false);
        u.keep_received(b"b", None, false);
        assert_eq!(u.talk().len(), 2);
    }

    #[test]
    fn once_a_step_is_dropped_no_later_one_is_kept() {
        let mut l = Lesson::new(SocketKind::TcpClient);
        l.keep_sent(&vec![0; MAX_KEPT_BYTES], None);
        l.keep_received(b"x", None, true);
        l.keep_sent(b"", None);
        assert_eq!(l.talk().len(), 1);
        assert_eq!(l.steps_not_kept(), 2);
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
