//! The settings of a TCP stream the user can change while it runs (recv
//! size, `TCP_NODELAY`, closing on the peer's close), and the kernel's view
//! of a TCP socket (`TCP_INFO`) for the lesson view.

use std::io;

use crate::engine::call::{CallOk, SetOption, SockCall};
use crate::engine::error::{NetError, NetOp, Why};
use crate::engine::message::{
    DEFAULT_TCP_READ_BYTES, EventKind, MAX_RECV_SIZE, SockOption, SocketId,
};
use crate::engine::reactor::{Reactor, Sock};
use crate::engine::tcp_info::tcp_info;

/// The settings of a stream the user can change.
#[derive(Clone, Copy, Debug)]
pub(super) struct StreamOptions {
    /// Bytes one `recv()` asks for.
    pub(super) recv_size: usize,
    /// `TCP_NODELAY`, when the user set it.
    pub(super) nodelay: Option<bool>,
    /// Close our side as soon as the peer closes.
    pub(super) close_on_peer_close: bool,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            recv_size: DEFAULT_TCP_READ_BYTES,
            nodelay: None,
            close_on_peer_close: true,
        }
    }
}

/// Applies a setting to a stream or a listener (whose connections, current
/// and future, take it), and reports it.
pub(crate) fn configure(r: &mut Reactor, id: SocketId, option: SockOption) {
    let children: Vec<SocketId> = match r.sockets.get_mut(&id) {
        Some(Sock::Listener(l)) => {
            match option {
                SockOption::RecvSize(n) => l.child_options.recv_size = n.clamp(1, MAX_RECV_SIZE),
                SockOption::NoDelay(on) => l.child_options.nodelay = Some(on),
                SockOption::CloseOnPeerClose(on) => l.child_options.close_on_peer_close = on,
            }
            l.children.iter().copied().collect()
        }
        Some(Sock::Stream(s)) => {
            match option {
                SockOption::RecvSize(n) => s.options.recv_size = n.clamp(1, MAX_RECV_SIZE),
                SockOption::NoDelay(on) => {
                    let set = s.stream.set_nodelay(on).map_err(|e| {
                        NetError::from_io(NetOp::Create, &e, Some(&s.peer.to_string()))
                    });
                    let call = SockCall::SetOption(SetOption::NoDelay(on));
                    if r.step(id, call, set, |_| CallOk::Done).is_err() {
                        return;
                    }
                    if let Some(Sock::Stream(s)) = r.sockets.get_mut(&id) {
                        s.options.nodelay = Some(on);
                    }
                }
                SockOption::CloseOnPeerClose(on) => s.options.close_on_peer_close = on,
            }
            Vec::new()
        }
        Some(Sock::Resolving | Sock::Connecting(_)) => {
            r.refuse(
                id,
                NetOp::Create,
                io::ErrorKind::NotConnected,
                Why::ConfigureBeforeConnected,
            );
            return;
        }
        _ => return,
    };
    let option = match option {
        SockOption::RecvSize(n) => SockOption::RecvSize(n.clamp(1, MAX_RECV_SIZE)),
        other => other,
    };
    r.out.emit(id, EventKind::Configured(option));
    for child in children {
        configure(r, child, option);
    }
}

/// Reports what the kernel says about a TCP socket (nothing for others).
pub(crate) fn query_info(r: &mut Reactor, id: SocketId) {
    let info = match r.sockets.get(&id) {
        Some(Sock::Stream(s)) => tcp_info(&s.stream),
        Some(Sock::Listener(l)) => tcp_info(&l.listener),
        Some(Sock::Connecting(c)) => tcp_info(&c.stream),
        _ => return,
    };
    // A failure here (an old kernel) leaves the view without kernel state;
    // the socket itself is fine, so nothing is reported.
    if let Ok(info) = info {
        r.out.emit(id, EventKind::TcpInfo(info));
    }
}
