//! A connected byte stream, TCP or Unix: reads reported as they come
//! (each one `recv()` once the user chose a size), an ordered send queue
//! (bounded by [`MAX_SEND_QUEUE_BYTES`]) finished on writable, never
//! dropped or reordered, and the ways to end it (close after the queue,
//! `shutdown(SHUT_WR)`, reset).

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use socket2::SockRef;

use super::addr::Addr;
use super::call::{CallOk, SetOption, SockCall};
use super::endpoint::{Cx, Endpoint, Ready, Request};
use super::error::{NetError, NetOp, Why};
use super::message::{
    CloseHow, CloseReason, DEFAULT_TCP_READ_BYTES, EventKind, MAX_RECV_SIZE, MAX_SEND_QUEUE_BYTES,
    SockOption, SocketId,
};

/// The settings of a stream the user can change.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StreamOptions {
    /// Bytes one `recv()` asks for.
    pub(crate) recv_size: usize,
    /// `TCP_NODELAY`, when the user set it.
    pub(crate) nodelay: Option<bool>,
    /// Close our side as soon as the peer closes.
    pub(crate) close_on_peer_close: bool,
    /// The user chose the `recv()` size: each read is one `recv()` of it.
    pub(crate) exact: bool,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            recv_size: DEFAULT_TCP_READ_BYTES,
            nodelay: None,
            close_on_peer_close: true,
            exact: false,
        }
    }
}

impl StreamOptions {
    /// Takes a setting (for the connections a listener will accept);
    /// returns it as applied (a recv size clamped to what is allowed).
    pub(crate) fn apply(&mut self, option: SockOption) -> SockOption {
        match option {
            SockOption::RecvSize(n) => {
                self.recv_size = n.clamp(1, MAX_RECV_SIZE);
                self.exact = true;
                SockOption::RecvSize(self.recv_size)
            }
            SockOption::NoDelay(on) => {
                self.nodelay = Some(on);
                option
            }
            SockOption::CloseOnPeerClose(on) => {
                self.close_on_peer_close = on;
                option
            }
        }
    }
}

/// The descriptor under a stream. Kept as std types (registration with the
/// poll belongs to the descriptor): std reads into a `Vec`'s spare
/// capacity without zeroing it (see [`Stream::read_once`]).
pub(crate) enum StreamSock {
    /// A TCP connection.
    Tcp(std::net::TcpStream),
    /// A Unix stream connection.
    Unix(UnixStream),
}

impl From<mio::net::TcpStream> for StreamSock {
    fn from(s: mio::net::TcpStream) -> Self {
        StreamSock::Tcp(s.into())
    }
}

impl From<mio::net::UnixStream> for StreamSock {
    fn from(s: mio::net::UnixStream) -> Self {
        StreamSock::Unix(s.into())
    }
}

impl StreamSock {
    fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            StreamSock::Tcp(s) => (&*s).read(buf),
            StreamSock::Unix(s) => (&*s).read(buf),
        }
    }

    /// Up to `cap` bytes appended to `chunk` without zeroing them first.
    fn read_into(&self, cap: usize, chunk: &mut Vec<u8>) -> io::Result<usize> {
        match self {
            StreamSock::Tcp(s) => s.take(cap as u64).read_to_end(chunk),
            StreamSock::Unix(s) => s.take(cap as u64).read_to_end(chunk),
        }
    }

    fn write(&self, buf: &[u8]) -> io::Result<usize> {
        match self {
            StreamSock::Tcp(s) => (&*s).write(buf),
            StreamSock::Unix(s) => (&*s).write(buf),
        }
    }

    fn shutdown_write(&self) -> io::Result<()> {
        match self {
            StreamSock::Tcp(s) => s.shutdown(Shutdown::Write),
            StreamSock::Unix(s) => s.shutdown(Shutdown::Write),
        }
    }
}

/// What to do once the send queue is empty.
#[derive(Debug)]
enum AfterFlush {
    Shutdown,
    Close(CloseReason),
}

/// One payload being written.
struct Pending {
    bytes: Vec<u8>,
    offset: usize,
}

/// What a read found after its bytes.
enum AfterRead {
    /// There may be more: read again.
    More,
    /// Nothing more for now (`WouldBlock`).
    Drained,
    /// The peer closed its side.
    Eof,
    /// The read failed.
    Error(io::Error),
}

/// A connected stream.
pub(crate) struct Stream {
    sock: StreamSock,
    peer: Addr,
    out: VecDeque<Pending>,
    /// Bytes in `out` not yet written.
    queued: usize,
    /// The last read filled the whole read size: data is streaming in.
    bulk: bool,
    /// The poll said the peer's FIN (or an error) has arrived: reads go
    /// on to `recv()` returning 0 (or the error) even after a short one.
    end_seen: bool,
    read_closed: bool,
    write_shut: bool,
    after_flush: Option<AfterFlush>,
    pub(crate) options: StreamOptions,
}

impl Stream {
    /// A stream connected to `peer`.
    pub(crate) fn new(sock: StreamSock, peer: Addr) -> Self {
        Stream {
            sock,
            peer,
            out: VecDeque::new(),
            queued: 0,
            bulk: false,
            end_seen: false,
            read_closed: false,
            write_shut: false,
            after_flush: None,
            options: StreamOptions::default(),
        }
    }

    /// Whether each read must be exactly one `recv()` of the asked size
    /// (the user chose a size, even the default one, as the lab does for
    /// the connection it shows), rather than the bulk path.
    fn exact_reads(&self) -> bool {
        self.options.exact || self.options.recv_size != DEFAULT_TCP_READ_BYTES
    }

    /// Bytes queued and not yet written.
    pub(crate) fn queued_bytes(&self) -> usize {
        self.queued
    }

    /// Whether a send would be taken (not shut down for writing, not
    /// closing).
    pub(crate) fn can_send(&self) -> bool {
        !self.write_shut && self.after_flush.is_none()
    }

    /// Whether reading is still useful (the peer has not closed).
    pub(crate) fn wants_reads(&self) -> bool {
        !self.read_closed
    }

    fn peer_text(&self) -> String {
        self.peer.to_string()
    }

    /// Reads once: the bytes read (maybe none) and what came after them.
    ///
    /// A small read is copied out of the shared `buf` into a payload of its
    /// exact size. While the stream is in bulk (the last read filled `buf`),
    /// the read goes straight into the payload instead (a `Take` of the std
    /// stream fills a `Vec`'s spare capacity without zeroing it, in a few
    /// `recv` calls of growing size), which saves copying every byte a
    /// second time on the engine thread.
    fn read_once(&mut self, buf: &mut [u8]) -> (Vec<u8>, AfterRead) {
        let cap = buf.len();
        if self.bulk {
            let mut chunk = Vec::with_capacity(cap);
            let res = self.sock.read_into(cap, &mut chunk);
            let n = chunk.len();
            self.bulk = n == cap;
            // Bytes read before an error or end of stream are in `chunk` too.
            let after = match res {
                Ok(_) if n == cap => AfterRead::More,
                // Short of the limit without an error: `recv()` returned 0.
                Ok(_) => AfterRead::Eof,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => AfterRead::Drained,
                Err(e) => AfterRead::Error(e),
            };
            chunk.shrink_to_fit();
            return (chunk, after);
        }
        match self.sock.read(buf) {
            Ok(0) => (Vec::new(), AfterRead::Eof),
            Ok(n) => {
                self.bulk = n == cap;
                // A short read took all the kernel held: data arriving
                // later raises a new edge, so no second `recv()` just to
                // see EAGAIN (a syscall per message saved). Unless the
                // end of stream is already in: its edge came and went.
                let after = if n < cap && !self.end_seen {
                    AfterRead::Drained
                } else {
                    AfterRead::More
                };
                (buf[..n].to_vec(), after)
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => (Vec::new(), AfterRead::Drained),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => (Vec::new(), AfterRead::More),
            Err(e) => (Vec::new(), AfterRead::Error(e)),
        }
    }

    /// Reads up to `max_reads` chunks. Returns true if there may be more.
    pub(crate) fn read_some(&mut self, cx: &mut Cx<'_>, buf: &mut [u8], max_reads: usize) -> bool {
        for _ in 0..max_reads {
            if !cx.out.has_room() {
                return true;
            }
            if self.read_closed {
                return false;
            }
            let cap = self.options.recv_size.clamp(1, buf.len());
            if self.exact_reads() {
                self.bulk = false;
            }
            let (bytes, after) = self.read_once(&mut buf[..cap]);
            if !bytes.is_empty() {
                cx.received(bytes, Some(self.peer.clone()), None, true);
            }
            match after {
                AfterRead::More => {}
                AfterRead::Drained => return false,
                AfterRead::Eof => {
                    self.peer_closed(cx);
                    return false;
                }
                AfterRead::Error(e) => {
                    let err = NetError::from_io(NetOp::Recv, &e, Some(&self.peer_text()));
                    cx.fail_and_close(err, self.queued);
                    self.read_closed = true;
                    return false;
                }
            }
        }
        true
    }

    /// `recv()` returned 0: the peer sent FIN.
    fn peer_closed(&mut self, cx: &mut Cx<'_>) {
        self.read_closed = true;
        cx.emit(EventKind::PeerClosed);
        if !self.options.close_on_peer_close {
            // The user watches CLOSE_WAIT: our side stays open until they close it.
            return;
        }
        if self.write_shut || self.out.is_empty() {
            cx.close(CloseReason::PeerClosed, 0);
        } else {
            self.after_flush = Some(AfterFlush::Close(CloseReason::PeerClosed));
        }
    }

    /// Queues `bytes` and writes what the kernel takes now.
    pub(crate) fn send(&mut self, cx: &mut Cx<'_>, bytes: Vec<u8>) {
        if self.write_shut || self.after_flush.is_some() {
            let e = NetError::refused(
                NetOp::Send,
                io::ErrorKind::BrokenPipe,
                Some(&self.peer_text()),
                Why::WriteShut,
            );
            cx.fail(e);
            return;
        }
        if self.queued > 0 && self.queued + bytes.len() > MAX_SEND_QUEUE_BYTES {
            let e = NetError::refused(
                NetOp::Send,
                io::ErrorKind::WouldBlock,
                Some(&self.peer_text()),
                Why::QueueFull {
                    queued: self.queued,
                    len: bytes.len(),
                    datagrams: false,
                },
            );
            cx.fail(e);
            return;
        }
        self.queued += bytes.len();
        self.out.push_back(Pending { bytes, offset: 0 });
        if self.out.len() == 1 {
            self.flush(cx);
        }
    }

    /// Writes queued payloads until the kernel buffer is full.
    pub(crate) fn flush(&mut self, cx: &mut Cx<'_>) {
        loop {
            let Some(front) = self.out.front_mut() else {
                match self.after_flush.take() {
                    Some(AfterFlush::Shutdown) => self.shutdown_write(cx),
                    Some(AfterFlush::Close(reason)) => cx.close(reason, 0),
                    None => {}
                }
                return;
            };
            let rest = front.bytes.get(front.offset..).unwrap_or_default();
            let wrote = if rest.is_empty() {
                Ok(0)
            } else {
                match self.sock.write(rest) {
                    Ok(0) => Err(io::Error::from(io::ErrorKind::WriteZero)),
                    other => other,
                }
            };
            match wrote {
                Ok(n) => {
                    front.offset += n;
                    self.queued = self.queued.saturating_sub(n);
                    if front.offset >= front.bytes.len()
                        && let Some(done) = self.out.pop_front()
                    {
                        cx.emit(EventKind::Sent {
                            bytes: done.bytes,
                            to: Some(self.peer.clone()),
                        });
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let err = NetError::from_io(NetOp::Send, &e, Some(&self.peer_text()));
                    cx.fail_and_close(err, self.queued);
                    self.out.clear();
                    self.write_shut = true;
                    return;
                }
            }
        }
    }

    fn shutdown_write(&mut self, cx: &mut Cx<'_>) {
        let res = self.sock.shutdown_write();
        let result = match &res {
            Ok(()) => Ok(CallOk::FinSent),
            Err(e) => Err(NetError::from_io(NetOp::Close, e, Some(&self.peer_text()))),
        };
        cx.call(SockCall::ShutdownWrite, result);
        match res {
            Ok(()) => {
                self.write_shut = true;
                cx.emit(EventKind::WriteShutdown);
                if self.read_closed && self.options.close_on_peer_close {
                    cx.close(CloseReason::PeerClosed, 0);
                }
            }
            Err(e) => {
                let err = NetError::from_io(NetOp::Close, &e, Some(&self.peer_text()));
                cx.fail_and_close(err, self.queued);
            }
        }
    }

    /// Close, half-close or reset.
    pub(crate) fn close(&mut self, cx: &mut Cx<'_>, how: CloseHow) {
        match how {
            CloseHow::Close => {
                if self.out.is_empty() {
                    cx.close(CloseReason::ByUser, 0);
                } else {
                    self.after_flush = Some(AfterFlush::Close(CloseReason::ByUser));
                }
            }
            CloseHow::ShutdownWrite => {
                if self.write_shut || self.after_flush.is_some() {
                    return;
                }
                if self.out.is_empty() {
                    self.shutdown_write(cx);
                } else {
                    self.after_flush = Some(AfterFlush::Shutdown);
                }
            }
            CloseHow::Reset => {
                if let StreamSock::Tcp(s) = &self.sock {
                    // SO_LINGER 0 makes close() send RST; failing to set it
                    // only weakens the reset to a normal close.
                    let result = match SockRef::from(s).set_linger(Some(Duration::ZERO)) {
                        Ok(()) => Ok(CallOk::Done),
                        Err(e) => Err(NetError::from_io(NetOp::Close, &e, None)),
                    };
                    cx.call(SockCall::SetOption(SetOption::LingerZero), result);
                }
                cx.close(CloseReason::Reset, self.queued);
            }
        }
    }

    /// Applies a setting and reports it.
    pub(crate) fn configure(&mut self, cx: &mut Cx<'_>, option: SockOption) {
        if let SockOption::NoDelay(on) = option {
            let StreamSock::Tcp(s) = &self.sock else {
                cx.refuse(NetOp::Create, io::ErrorKind::Unsupported, Why::TcpOnly);
                return;
            };
            let set = s
                .set_nodelay(on)
                .map_err(|e| NetError::from_io(NetOp::Create, &e, Some(&self.peer_text())));
            let call = SockCall::SetOption(SetOption::NoDelay(on));
            if cx.step(call, set, |_| CallOk::Done).is_err() {
                return;
            }
        }
        let option = self.options.apply(option);
        cx.emit(EventKind::Configured(option));
    }

    /// Reports what the kernel says about a TCP stream.
    pub(crate) fn query_tcp_info(&self, cx: &mut Cx<'_>) {
        if let StreamSock::Tcp(s) = &self.sock
            && let Ok(info) = super::tcp_info::tcp_info(s)
        {
            cx.emit(EventKind::TcpInfo(info));
        }
    }
}

/// An open stream connection as an endpoint: a Unix client, a connection a
/// listener accepted (TCP or Unix), or a TCP client once connected.
pub(crate) struct Connected {
    stream: Stream,
    /// The listener that accepted it.
    parent: Option<SocketId>,
}

impl Connected {
    /// An open connection (accepted by `parent`, if any).
    pub(crate) fn new(stream: Stream, parent: Option<SocketId>) -> Self {
        Connected { stream, parent }
    }
}

impl Endpoint for Connected {
    fn ready(&mut self, cx: &mut Cx<'_>, ready: Ready) -> bool {
        self.stream.end_seen |= ready.read_closed || ready.error;
        if ready.writable || ready.error {
            self.stream.flush(cx);
        }
        (ready.readable || ready.error) && self.stream.wants_reads()
    }

    fn read(&mut self, cx: &mut Cx<'_>, buf: &mut Vec<u8>, budget: usize) -> bool {
        self.stream.read_some(cx, buf, budget)
    }

    fn request(&mut self, cx: &mut Cx<'_>, request: Request) {
        match request {
            Request::Send { bytes, .. } => self.stream.send(cx, bytes),
            Request::Close(how) => self.stream.close(cx, how),
            Request::Configure(option) => self.stream.configure(cx, option),
            Request::QueryTcpInfo => self.stream.query_tcp_info(cx),
            Request::Resolved(_) => {}
        }
    }

    fn queued_bytes(&self) -> usize {
        self.stream.queued_bytes()
    }

    fn can_send(&self, _to: Option<&Addr>) -> bool {
        self.stream.can_send()
    }

    fn wants_reads(&self) -> bool {
        self.stream.wants_reads()
    }

    fn parent(&self) -> Option<SocketId> {
        self.parent
    }
}
