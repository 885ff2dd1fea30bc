//! `bind()` failed with EADDRINUSE: what the kernel really holds on that
//! port, asked over NETLINK_SOCK_DIAG, and what to do about it — a
//! listener (which Sockbench socket, or another program), connections in
//! TIME_WAIT (what SO_REUSEADDR changes, with a button to open again with
//! it), live connections, or nothing any more.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use eframe::egui;

use crate::engine::{Addr, NetOp, PortSocket, SocketSpec, TcpState};
use crate::i18n::{tr, trf};
use crate::model::Model;
use crate::model::session::{Session, SessionState};

use super::Action;

/// How long to wait for the kernel's answer before saying it did not come.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(3);

/// Where a question to the kernel stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asking {
    /// Not asked yet: ask now.
    AskNow,
    /// Asked, and still inside [`ANSWER_WITHIN`].
    Waiting,
    /// Asked longer than [`ANSWER_WITHIN`] ago without an answer.
    NoAnswer,
}

/// Where a question keyed `key` stands; the first call notes the time it
/// was asked (in the context's memory, so it lasts while the window does).
pub fn asking(ctx: &egui::Context, key: egui::Id) -> Asking {
    match ctx.data(|d| d.get_temp::<Instant>(key)) {
        None => {
            ctx.data_mut(|d| d.insert_temp(key, Instant::now()));
            Asking::AskNow
        }
        Some(at) if at.elapsed() < ANSWER_WITHIN => {
            ctx.request_repaint_after(Duration::from_millis(250));
            Asking::Waiting
        }
        Some(_) => Asking::NoAnswer,
    }
}

/// The address a TCP listener's `bind()` found in use, if that is how it
/// failed.
fn failed_bind(s: &Session) -> Option<SocketAddr> {
    let e = s.last_error.as_ref()?;
    let in_use = e.errno == Some(nix::libc::EADDRINUSE) && e.op == NetOp::Bind;
    if !in_use || !s.kind.is_listener() {
        return None;
    }
    match &s.opened_as {
        Some(SocketSpec::TcpListen { addr, .. }) => Some(*addr),
        _ => e.addr.as_deref()?.parse().ok(),
    }
}

/// The explanation under the error, asking the kernel first.
pub fn in_use_ui(ui: &mut egui::Ui, model: &Model, s: &Session, actions: &mut Vec<Action>) {
    let Some(addr) = failed_bind(s) else { return };
    let asked_at = egui::Id::unique(("port-asked", s.id));
    let Some((_, sockets)) = &s.port_state else {
        match asking(ui.ctx(), asked_at) {
            Asking::AskNow => {
                actions.push(Action::QueryPort {
                    id: s.id,
                    port: addr.port(),
                });
                ui.label(tr("Asking the kernel what holds this port…"));
            }
            Asking::Waiting => {
                ui.label(tr("Asking the kernel what holds this port…"));
            }
            Asking::NoAnswer => {
                ui.label(trf(
                    "The kernel's socket table did not answer. `ss -tan 'sport = :{port}'` shows what holds the port.",
                    &[("port", &addr.port())],
                ));
            }
        }
        return;
    };
    let reuse = matches!(
        s.opened_as,
        Some(SocketSpec::TcpListen {
            reuse_addr: true,
            ..
        })
    );
    ui.label(in_use_text(model, addr, sockets, reuse));
    let time_wait = sockets.iter().any(|p| p.state == TcpState::TimeWait);
    let listening = sockets.iter().any(|p| p.state == TcpState::Listen);
    let blocked = before_without_reuse(model, s, addr.port());
    if let Some(old) = blocked.filter(|_| time_wait && !listening) {
        ui.label(trf(
            "Linux lets a socket with SO_REUSEADDR share a port with TIME_WAIT only when the socket that left them had SO_REUSEADDR too, and {old} did not: wait about 60 seconds for TIME_WAIT to end. Tick SO_REUSEADDR on every listener (the tutorials do), and the next restart binds at once.",
            &[("old", &old.title())],
        ));
    }
    if time_wait
        && !listening
        && !reuse
        && blocked.is_none()
        && s.state.is_closed()
        && let Some(SocketSpec::TcpListen { addr, backlog, .. }) = s.opened_as.clone()
        && ui.button(tr("Open again with SO_REUSEADDR")).clicked()
    {
        actions.push(Action::Open(SocketSpec::TcpListen {
            addr,
            backlog,
            reuse_addr: true,
        }));
    }
}

/// The Sockbench listener that last had this port before `s`, if it was
/// opened without SO_REUSEADDR (its connections' TIME_WAIT then blocks
/// even a listener that sets it).
fn before_without_reuse<'a>(model: &'a Model, s: &Session, port: u16) -> Option<&'a Session> {
    model
        .sessions
        .values()
        .filter(|o| o.id < s.id && o.kind.is_listener())
        .filter(|o| o.local.as_ref().and_then(Addr::ip).map(|a| a.port()) == Some(port))
        .max_by_key(|o| o.id)
        .filter(|o| {
            matches!(
                o.opened_as,
                Some(SocketSpec::TcpListen {
                    reuse_addr: false,
                    ..
                })
            )
        })
        .map(|o| &**o)
}

/// Why `bind()` to `addr` failed, from the kernel's TCP sockets on its
/// port (`sockets`); `reuse`: SO_REUSEADDR was set.
pub fn in_use_text(model: &Model, addr: SocketAddr, sockets: &[PortSocket], reuse: bool) -> String {
    let port = addr.port();
    let listeners: Vec<&PortSocket> = sockets
        .iter()
        .filter(|p| p.state == TcpState::Listen)
        .collect();
    if !listeners.is_empty() {
        let who: Vec<String> = listeners
            .iter()
            .map(|p| {
                let ours = model.sessions.values().find(|o| {
                    o.kind.is_listener()
                        && o.state == SessionState::Listening
                        && o.local == Some(Addr::Ip(p.local))
                });
                match ours {
                    Some(o) => trf(
                        "{addr}: Sockbench's {socket}",
                        &[("addr", &p.local), ("socket", &o.title())],
                    ),
                    None => trf(
                        "{addr}: another program (`ss -ltnp` names it)",
                        &[("addr", &p.local)],
                    ),
                }
            })
            .collect();
        return trf(
            "The kernel says a socket is listening on port {port}: {who}. One address and port take one listener; close that one or choose another port.",
            &[("port", &port), ("who", &who.join("; "))],
        );
    }
    let time_wait = sockets
        .iter()
        .filter(|p| p.state == TcpState::TimeWait)
        .count();
    if time_wait > 0 {
        if reuse {
            return trf(
                "The kernel holds {n} connections of port {port} in TIME_WAIT, and SO_REUSEADDR was set: another socket must be bound to it as well.",
                &[("n", &time_wait), ("port", &port)],
            );
        }
        return trf(
            "Nothing listens on port {port}, but the kernel still holds {n} of its connections in TIME_WAIT: a connection on this port closed a moment ago, this side first, and its record stays for about 60 seconds so late packets cannot reach a new connection. Without SO_REUSEADDR, bind() refuses the port until they are gone. SO_REUSEADDR lets a listener bind it now, if the socket that left them set it too: that is what the option is for (s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1) before bind()).",
            &[("n", &time_wait), ("port", &port)],
        );
    }
    if !sockets.is_empty() {
        let states: Vec<&str> = sockets.iter().map(|p| p.state.name()).collect();
        return trf(
            "Connections still use port {port} ({states}). A listener cannot bind a port a live connection uses without SO_REUSEADDR.",
            &[("port", &port), ("states", &states.join(", "))],
        );
    }
    trf(
        "The kernel now shows no TCP socket on port {port}: what held it is gone. Opening again should work.",
        &[("port", &port)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_is_asked_once_waited_for_then_given_up() {
        let ctx = egui::Context::default();
        let key = egui::Id::unique("q");
        assert_eq!(asking(&ctx, key), Asking::AskNow);
        assert_eq!(asking(&ctx, key), Asking::Waiting);
        let long_ago = Instant::now()
            .checked_sub(ANSWER_WITHIN + Duration::from_millis(10))
            .expect("the clock is past the epoch");
        ctx.data_mut(|d| d.insert_temp(key, long_ago));
        assert_eq!(asking(&ctx, key), Asking::NoAnswer);
    }
}
