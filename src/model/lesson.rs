//! A socket's lesson: the socket API calls made for it, in order, written
//! the way the Python tutorials write them (`s.bind(('127.0.0.1', 9000))`
//! → `ok`). Setup and close calls come from the engine as it makes them;
//! reads and writes are the traffic events themselves (each `Received` is
//! one `recv()`). Bounded: the newest [`MAX_LINES`] are kept, and the rest
//! are counted.

use std::collections::VecDeque;
use std::net::SocketAddr;

use crate::engine::SocketKind;

/// Lines kept per socket.
pub const MAX_LINES: usize = 500;

/// One call.
#[derive(Clone, Debug, PartialEq)]
pub enum LessonLine {
    /// A call the engine reported, with its result or its error message.
    Call {
        /// The call, e.g. `s.listen(128)`.
        call: String,
        /// `Ok("ok")`, `Ok("fd 7")`, or the error explained.
        result: Result<String, String>,
    },
    /// `recv()` / `recvfrom()` returned `n` bytes.
    Recv {
        /// Bytes returned.
        n: usize,
        /// UDP: the sender.
        from: Option<SocketAddr>,
    },
    /// `recv()` returned `b''`: the peer closed.
    RecvEof,
    /// `sendall()` / `sendto()` sent `n` bytes.
    Send {
        /// Bytes sent.
        n: usize,
        /// UDP: the destination.
        to: Option<SocketAddr>,
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
    recv_size: usize,
}

impl Lesson {
    /// An empty lesson for a socket of `kind` that reads `recv_size` bytes at a time.
    pub fn new(kind: SocketKind, recv_size: usize) -> Self {
        Lesson {
            lines: VecDeque::new(),
            omitted: 0,
            udp: kind == SocketKind::Udp,
            name: if kind == SocketKind::TcpAccepted {
                "conn"
            } else {
                "s"
            },
            recv_size,
        }
    }

    /// Adds a line, dropping the oldest beyond [`MAX_LINES`].
    pub fn push(&mut self, line: LessonLine) {
        if self.lines.len() >= MAX_LINES {
            self.lines.pop_front();
            self.omitted += 1;
        }
        self.lines.push_back(line);
    }

    /// The lines kept, oldest first.
    pub fn lines(&self) -> impl DoubleEndedIterator<Item = &LessonLine> + ExactSizeIterator {
        self.lines.iter()
    }

    /// Older lines no longer kept.
    pub fn omitted(&self) -> u64 {
        self.omitted
    }

    /// A line as `(call, result)` text in the tutorials' notation.
    pub fn render(&self, line: &LessonLine) -> (String, Result<String, String>) {
        let n = self.name;
        match line {
            LessonLine::Call { call, result } => {
                let call = match call.strip_prefix("s.") {
                    Some(rest) if n != "s" => format!("{n}.{rest}"),
                    _ => call.clone(),
                };
                (call, result.clone())
            }
            LessonLine::Recv { n: got, from } if self.udp => (
                format!("data, addr = {n}.recvfrom({})", self.recv_size),
                Ok(match from {
                    Some(a) => format!("{got} bytes from {a}"),
                    None => format!("{got} bytes"),
                }),
            ),
            LessonLine::Recv { n: got, .. } => (
                format!("data = {n}.recv({})", self.recv_size),
                Ok(format!("{got} bytes")),
            ),
            LessonLine::RecvEof => (
                format!("data = {n}.recv({})", self.recv_size),
                Ok("b'' (the peer closed)".into()),
            ),
            LessonLine::Send {
                n: sent,
                to: Some(a),
            } if self.udp => (
                format!("{n}.sendto(data, ('{}', {}))", a.ip(), a.port()),
                Ok(format!("{sent} bytes")),
            ),
            LessonLine::Send { n: sent, .. } => {
                (format!("{n}.sendall(data)"), Ok(format!("{sent} bytes")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_sockets_are_conn_and_reads_show_the_recv_size() {
        let mut l = Lesson::new(SocketKind::TcpAccepted, 1024);
        l.push(LessonLine::Call {
            call: "s.close()".into(),
            result: Ok("ok".into()),
        });
        l.push(LessonLine::Recv { n: 13, from: None });
        l.push(LessonLine::RecvEof);
        let text: Vec<_> = l.lines().map(|x| l.render(x)).collect();
        assert_eq!(text[0].0, "conn.close()");
        assert_eq!(
            text[1],
            ("data = conn.recv(1024)".into(), Ok("13 bytes".into()))
        );
        assert_eq!(text[2].1, Ok("b'' (the peer closed)".into()));
    }

    #[test]
    fn keeps_the_newest_lines_and_counts_the_rest() {
        let mut l = Lesson::new(SocketKind::TcpClient, 65536);
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
