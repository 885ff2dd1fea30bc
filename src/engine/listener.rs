//! A listening stream socket, TCP or Unix, as an endpoint: it accepts
//! every waiting connection as a socket of its own, sends to all of them,
//! passes settings on to them, and after `EMFILE` and the like retries
//! `accept()` on a timer (the poll is edge-triggered: no new readiness
//! would come for connections already queued).

use std::collections::BTreeSet;
use std::io;
use std::time::{Duration, Instant};

use mio::Interest;
use nix::errno::Errno;

use super::addr::Addr;
use super::call::{CallOk, SockCall};
use super::endpoint::{After, Cx, Endpoint, Ready, Request};
use super::error::{NetError, NetOp, Why};
use super::message::{CloseReason, EventKind, SockOption, SocketId};
use super::stream::{Connected, Stream, StreamOptions, StreamSock};
use super::timer::{TimerKey, TimerKind};
use super::unix::BoundFile;

/// How soon `accept()` is tried again after it failed for want of
/// descriptors or memory.
pub(crate) const ACCEPT_RETRY: Duration = Duration::from_millis(100);

/// The listening descriptor.
pub(crate) enum Acceptor {
    /// A TCP listener.
    Tcp(mio::net::TcpListener),
    /// A Unix stream listener, with the socket file it made (removed when
    /// it closes).
    Unix(mio::net::UnixListener, Option<BoundFile>),
}

impl Acceptor {
    /// One `accept()`: the connection, our end and the peer.
    fn accept(&self) -> io::Result<(StreamSock, Addr, Addr)> {
        match self {
            Acceptor::Tcp(l) => {
                let (s, peer) = l.accept()?;
                let local = s.local_addr()?;
                Ok((s.into(), local.into(), peer.into()))
            }
            Acceptor::Unix(l, _) => {
                let (s, peer) = l.accept()?;
                let local = s.local_addr()?;
                Ok((
                    s.into(),
                    Addr::Unix(super::unix::from_std(&local)),
                    Addr::Unix(super::unix::from_std(&peer)),
                ))
            }
        }
    }
}

/// A listening socket and the connections it accepted that are still open.
pub(crate) struct Listener {
    acceptor: Acceptor,
    children: BTreeSet<SocketId>,
    /// Settings its connections start with.
    child_options: StreamOptions,
    /// The timer that retries `accept()` after the process or the system
    /// ran out of descriptors or memory.
    retry: Option<TimerKey>,
    /// `accept()` failed for want of resources and has not worked since
    /// (the failure is reported once, not at every retry).
    starved: bool,
}

impl Listener {
    /// A listener over a bound, listening, registered descriptor.
    pub(crate) fn new(acceptor: Acceptor) -> Self {
        Listener {
            acceptor,
            children: BTreeSet::new(),
            child_options: StreamOptions::default(),
            retry: None,
            starved: false,
        }
    }

    /// Accepts every waiting connection; each becomes a socket of its own.
    fn accept_all(&mut self, cx: &mut Cx<'_>) {
        loop {
            match self.acceptor.accept() {
                Ok((sock, local, peer)) => {
                    self.starved = false;
                    self.adopt(cx, sock, local, peer);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.starved = false;
                    return;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_per_connection(&e) => {
                    // That connection died in the queue (ECONNABORTED, …):
                    // report it and take the next one.
                    cx.fail(NetError::from_io(NetOp::Accept, &e, None));
                }
                Err(e) => {
                    // EMFILE, ENFILE, ENOBUFS, ENOMEM or worse: the
                    // connection stays queued in the kernel, and with
                    // edge-triggered polling no new readiness would come
                    // for it. Try again on a timer; report the failure
                    // once, not at every retry.
                    let first = !self.starved;
                    self.starved = true;
                    if self.retry.is_none() {
                        let at = Instant::now() + ACCEPT_RETRY;
                        self.retry = Some(cx.schedule(at, TimerKind::AcceptRetry));
                    }
                    if first {
                        cx.fail(NetError::from_io(NetOp::Accept, &e, None));
                    }
                    return;
                }
            }
        }
    }

    /// A connection `accept()` returned becomes a socket of its own.
    fn adopt(&mut self, cx: &mut Cx<'_>, sock: StreamSock, local: Addr, peer: Addr) {
        let child = cx.allocate_id();
        let registered = match &sock {
            StreamSock::Tcp(s) => cx.register_fd(child, s, Interest::READABLE | Interest::WRITABLE),
            StreamSock::Unix(s) => {
                cx.register_fd(child, s, Interest::READABLE | Interest::WRITABLE)
            }
        };
        if let Err(e) = registered {
            cx.fail(NetError::from_io(
                NetOp::Engine,
                &e,
                Some(&peer.to_string()),
            ));
            return;
        }
        self.children.insert(child);
        cx.call(
            SockCall::Accept,
            Ok(CallOk::Accepted {
                child,
                peer: peer.clone(),
            }),
        );
        cx.emit_for(
            child,
            EventKind::Accepted {
                parent: cx.id,
                local,
                peer: peer.clone(),
            },
        );
        cx.emit_for(
            child,
            EventKind::Call {
                call: SockCall::AcceptedBy { listener: cx.id },
                result: Ok(CallOk::NewSocket { peer: peer.clone() }),
            },
        );
        let mut s = Stream::new(sock, peer);
        s.options = self.child_options;
        cx.then(After::Adopt {
            id: child,
            endpoint: Box::new(Connected::new(s, Some(cx.id))),
        });
        if let Some(on) = self.child_options.nodelay {
            cx.then(After::Request {
                id: child,
                request: Request::Configure(SockOption::NoDelay(on)),
            });
        }
    }
}

impl Endpoint for Listener {
    fn ready(&mut self, cx: &mut Cx<'_>, _ready: Ready) -> bool {
        self.accept_all(cx);
        false
    }

    fn request(&mut self, cx: &mut Cx<'_>, request: Request) {
        match request {
            Request::Send { bytes, .. } => {
                if self.children.is_empty() {
                    cx.refuse(NetOp::Send, io::ErrorKind::NotConnected, Why::NoClients);
                }
                for &child in &self.children {
                    cx.then(After::Request {
                        id: child,
                        request: Request::Send {
                            bytes: bytes.clone(),
                            to: None,
                        },
                    });
                }
            }
            Request::Close(_) => cx.close(CloseReason::ByUser, 0),
            Request::Configure(SockOption::NoDelay(_))
                if matches!(self.acceptor, Acceptor::Unix(..)) =>
            {
                cx.refuse(NetOp::Create, io::ErrorKind::Unsupported, Why::TcpOnly);
            }
            Request::Configure(option) => {
                let option = self.child_options.apply(option);
                cx.emit(EventKind::Configured(option));
                for &child in &self.children {
                    cx.then(After::Request {
                        id: child,
                        request: Request::Configure(option),
                    });
                }
            }
            Request::QueryTcpInfo => {
                if let Acceptor::Tcp(l) = &self.acceptor
                    && let Ok(info) = super::tcp_info::tcp_info(l)
                {
                    cx.emit(EventKind::TcpInfo(info));
                }
            }
            Request::Resolved(_) => {}
        }
    }

    fn timer(&mut self, cx: &mut Cx<'_>, kind: TimerKind, key: TimerKey) {
        if kind == TimerKind::AcceptRetry && self.retry == Some(key) {
            self.retry = None;
            self.accept_all(cx);
        }
    }

    fn can_send(&self, _to: Option<&Addr>) -> bool {
        !self.children.is_empty()
    }

    fn is_listener(&self) -> bool {
        true
    }

    fn child_gone(&mut self, child: SocketId) {
        self.children.remove(&child);
    }

    fn close_fd(&mut self, cx: &mut Cx<'_>) -> Vec<SocketId> {
        cx.call(SockCall::Close, Ok(CallOk::Done));
        if let Acceptor::Unix(_, Some(file)) = &mut self.acceptor {
            file.remove(cx);
        }
        std::mem::take(&mut self.children).into_iter().collect()
    }
}

/// Errors of one queued connection, after which `accept()` goes on with the
/// next (Linux passes these up from the new connection; see `accept(2)`).
fn is_per_connection(e: &io::Error) -> bool {
    let Some(code) = e.raw_os_error() else {
        return false;
    };
    [
        Errno::ECONNABORTED,
        Errno::EPROTO,
        Errno::ENETDOWN,
        Errno::ENOPROTOOPT,
        Errno::EHOSTDOWN,
        Errno::ENONET,
        Errno::EHOSTUNREACH,
        Errno::EOPNOTSUPP,
        Errno::ENETUNREACH,
        Errno::EPERM,
    ]
    .iter()
    .any(|&x| x as i32 == code)
}
