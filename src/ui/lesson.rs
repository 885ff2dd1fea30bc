//! The lesson views of the selected socket: its life as a diagram with the
//! current step lit, the kernel's own TCP state (`TCP_INFO`), the socket
//! calls the engine made for it with their results, and the equivalent
//! Python program with a Copy button.

use std::time::SystemTime;

use eframe::egui::{self, Color32, RichText, Stroke};

use crate::engine::{CloseReason, SockOption, SocketKind, TcpState};
use crate::i18n::{tr, trf};
use crate::model::Model;
use crate::model::pygen::{PyOptions, ServerStyle, python_program};
use crate::model::session::{Session, SessionState};

use super::{Action, CloseLabels, close_buttons, error_color};

/// One step of a socket's life, and where the socket is relative to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepState {
    /// Done.
    Done,
    /// Where the socket is now.
    Current,
    /// Not reached (yet).
    Ahead,
}

/// The steps of `s`'s life (in the calls' notation) and the index of the current one.
pub fn life_steps(s: &Session) -> (Vec<String>, usize) {
    let closed = s.state.is_closed();
    let name = if s.kind.is_accepted() { "conn" } else { "s" };
    match s.kind {
        SocketKind::TcpListener | SocketKind::UnixListener => {
            let steps = vec![
                "socket()".to_owned(),
                "bind()".to_owned(),
                "listen()".to_owned(),
                "while True: accept()".to_owned(),
                "close()".to_owned(),
            ];
            let at = match s.state {
                SessionState::Opening => 0,
                SessionState::Listening => 3,
                _ if closed => 4,
                _ => 2,
            };
            (steps, at)
        }
        SocketKind::TcpClient
        | SocketKind::TcpAccepted
        | SocketKind::UnixClient
        | SocketKind::UnixAccepted => {
            let mut steps = if !s.kind.is_accepted() {
                vec!["socket()".to_owned(), "connect()".to_owned()]
            } else {
                let parent = s.parent.map_or_else(String::new, |p| p.to_string());
                vec![trf(
                    "accept() on {parent} → a new socket",
                    &[("parent", &parent)],
                )]
            };
            let base = steps.len();
            steps.push(format!("{name}.send() / {name}.recv()"));
            steps.push(format!("{name}.shutdown(SHUT_WR)"));
            steps.push(format!("{name}.close()"));
            let at = match &s.state {
                SessionState::Opening => 0,
                SessionState::Resolving | SessionState::Connecting(_) => 1,
                SessionState::Connected if s.write_shut => base + 1,
                SessionState::Connected => base,
                SessionState::Closed(_) => base + 2,
                _ => base,
            };
            (steps, at)
        }
        SocketKind::Udp | SocketKind::UnixDgram => (
            vec![
                "socket()".to_owned(),
                "bind()".to_owned(),
                "sendto() / recvfrom()".to_owned(),
                "close()".to_owned(),
            ],
            match s.state {
                SessionState::Opening => 0,
                SessionState::Bound => 2,
                _ if closed => 3,
                _ => 1,
            },
        ),
    }
}

/// A row of boxes joined by arrows, one lit.
fn boxes(ui: &mut egui::Ui, steps: &[String], lit: Option<usize>, done_before_lit: bool) {
    ui.horizontal_wrapped(|ui| {
        for (i, step) in steps.iter().enumerate() {
            if i > 0 {
                ui.label("→");
            }
            let state = match lit {
                Some(l) if i == l => StepState::Current,
                Some(l) if i < l && done_before_lit => StepState::Done,
                _ => StepState::Ahead,
            };
            step_box(ui, step, state);
        }
    });
}

fn step_box(ui: &mut egui::Ui, text: &str, state: StepState) {
    let v = ui.visuals();
    let (fill, stroke, color) = match state {
        StepState::Current => (
            v.selection.bg_fill,
            Stroke::new(2.0, v.selection.stroke.color),
            v.strong_text_color(),
        ),
        StepState::Done => (
            Color32::TRANSPARENT,
            Stroke::new(1.0, v.text_color()),
            v.text_color(),
        ),
        StepState::Ahead => (
            Color32::TRANSPARENT,
            Stroke::new(1.0, v.weak_text_color()),
            v.weak_text_color(),
        ),
    };
    egui::Frame::new()
        .fill(fill)
        .stroke(stroke)
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(6, 3))
        .show(ui, |ui| {
            let mut t = RichText::new(text).monospace().color(color);
            if state == StepState::Current {
                t = t.strong();
            }
            ui.label(t);
        });
}

/// The kernel state paths shown for TCP: opening, active close, passive close.
fn kernel_paths(kind: SocketKind) -> Vec<Vec<TcpState>> {
    use TcpState::*;
    let open = match kind {
        SocketKind::TcpListener => vec![Listen],
        SocketKind::TcpClient => vec![SynSent, Established],
        _ => vec![SynRecv, Established],
    };
    if kind.is_listener() {
        return vec![open];
    }
    vec![
        open,
        vec![Established, FinWait1, FinWait2, TimeWait],
        vec![Established, CloseWait, LastAck, Closed],
    ]
}

fn path_caption(i: usize) -> &'static str {
    match i {
        0 => tr("handshake"),
        1 => tr("we close first"),
        _ => tr("the peer closes first"),
    }
}

/// The life diagram, the kernel's state and the close controls.
pub fn states_ui(ui: &mut egui::Ui, s: &Session) -> Vec<Action> {
    let mut actions = Vec::new();
    ui.horizontal(|ui| {
        ui.heading(s.title());
        ui.label(RichText::new(s.state.label()).strong());
    });
    if let Some(parent) = s.parent {
        ui.label(trf(
            "accept() on listener {parent} returned this new socket: the listener keeps listening, and each client gets a socket of its own.",
            &[("parent", &parent)],
        ));
    }
    if s.kind.is_listener() && !s.children.is_empty() {
        let kids: Vec<String> = s.children.iter().map(ToString::to_string).collect();
        ui.label(trf(
            "accept() returned new sockets: {list}",
            &[("list", &kids.join(", "))],
        ));
    }
    ui.add_space(4.0);
    ui.strong(tr("The socket's life"));
    let (steps, at) = life_steps(s);
    boxes(ui, &steps, Some(at), true);
    if s.peer_closed {
        ui.label(
            RichText::new(tr("The peer closed its side: recv() returned b''."))
                .color(ui.visuals().warn_fg_color),
        );
    }
    if let SessionState::Closed(reason) = &s.state {
        let why = match reason {
            CloseReason::Error(e) => e.to_string(),
            r => r.to_string(),
        };
        ui.label(trf("Closed: {why}", &[("why", &why)]));
    }

    if s.kind.is_tcp() {
        ui.add_space(6.0);
        ui.strong(tr("The kernel's TCP state (getsockopt TCP_INFO)"));
        let info = s.tcp_info.filter(|_| !s.fd_closed_or_done());
        let current = s.kernel_state().flatten();
        for (i, path) in kernel_paths(s.kind).iter().enumerate() {
            ui.horizontal(|ui| {
                ui.add_sized(
                    [150.0, 18.0],
                    egui::Label::new(RichText::new(path_caption(i)).weak()),
                );
                let names: Vec<String> = path.iter().map(|st| st.name().to_owned()).collect();
                let lit = current.and_then(|c| path.iter().position(|st| *st == c));
                boxes(ui, &names, lit, true);
            });
        }
        match info {
            Some((when, i)) => {
                let age = SystemTime::now()
                    .duration_since(when)
                    .map_or(0.0, |d| d.as_secs_f64());
                let mut parts = vec![trf("state {s}", &[("s", &i.state.name())])];
                if let Some((queued, max)) = i.accept_queue {
                    parts.push(trf(
                        "accept queue {n} of {max} (connections the kernel completed, waiting for accept())",
                        &[("n", &queued), ("max", &max)],
                    ));
                } else {
                    parts.push(trf(
                        "RTT {rtt} ms ± {var}",
                        &[
                            ("rtt", &format!("{:.3}", f64::from(i.rtt_us) / 1000.0)),
                            ("var", &format!("{:.3}", f64::from(i.rttvar_us) / 1000.0)),
                        ],
                    ));
                    match i.unacked_bytes {
                        Some(b) => parts.push(trf(
                            "unacknowledged {b} B ({n} segments)",
                            &[("b", &b), ("n", &i.unacked_segments)],
                        )),
                        None => parts.push(trf(
                            "unacknowledged {n} segments",
                            &[("n", &i.unacked_segments)],
                        )),
                    }
                    if let Some(n) = i.notsent_bytes {
                        parts.push(trf("not yet sent {n} B", &[("n", &n)]));
                    }
                    parts.push(trf("retransmitted {n}", &[("n", &i.total_retrans)]));
                }
                parts.push(trf("{t} s ago", &[("t", &format!("{age:.1}"))]));
                ui.monospace(parts.join(" · "));
            }
            None => match s.kernel_state() {
                Some(Some(TcpState::TimeWait)) => {
                    ui.label(tr("TIME_WAIT: this side closed first, so the kernel keeps the connection's record for a minute after the socket is gone (asked of the kernel as `ss -tan` asks it). Stray late packets of this connection cannot confuse a new one on the same ports."));
                }
                Some(Some(st)) => {
                    ui.monospace(trf("state {s}", &[("s", &st.name())]));
                    ui.label(RichText::new(tr("Asked of the kernel's socket table (NETLINK_SOCK_DIAG, as `ss` asks): the socket itself cannot be asked any more.")).weak());
                }
                Some(None) => {
                    ui.label(RichText::new(tr("The kernel holds no record of this connection any more: it is fully closed.")).weak());
                }
                None if s.state.is_closed() && (s.local.is_none() || s.peer.is_none()) => {
                    ui.label(RichText::new(tr("Closed before a connection was made: the kernel keeps no record of it.")).weak());
                }
                None => {
                    use super::in_use::{Asking, asking};
                    let key = egui::Id::unique(("kernel-state-asked", s.id, s.state.is_closed()));
                    let text = match asking(ui.ctx(), key) {
                        Asking::AskNow | Asking::Waiting if s.state.is_closed() => {
                            tr("Closed: asking the kernel's TCP table…").to_owned()
                        }
                        Asking::AskNow | Asking::Waiting => tr("Asking the kernel…").to_owned(),
                        Asking::NoAnswer => {
                            let port = |a: &Option<crate::engine::Addr>| {
                                a.as_ref().and_then(|a| a.ip()).map_or(0, |a| a.port())
                            };
                            trf(
                                "The kernel did not answer within 3 s. `ss -tan 'sport = :{local} and dport = :{peer}'` shows the connection's state.",
                                &[("local", &port(&s.local)), ("peer", &port(&s.peer))],
                            )
                        }
                    };
                    ui.add(egui::Label::new(RichText::new(text).weak()).wrap());
                }
            },
        }
    }

    if !s.state.is_closed() && s.kind.is_tcp() {
        ui.add_space(6.0);
        ui.horizontal_wrapped(|ui| {
            let mut stay = !s.close_on_peer_close;
            if ui
                .checkbox(
                    &mut stay,
                    tr("Stay open when the peer closes (watch CLOSE_WAIT)"),
                )
                .on_hover_text(tr("Off: Sockbench calls close() as soon as recv() returns b''. On: the socket stays in CLOSE_WAIT until you close it."))
                .changed()
            {
                actions.push(Action::Configure {
                    id: s.id,
                    option: SockOption::CloseOnPeerClose(!stay),
                });
            }
        });
        if s.kind.is_stream() && s.state == SessionState::Connected {
            ui.horizontal_wrapped(|ui| {
                let labels = CloseLabels {
                    close: "close()",
                    half_close: "shutdown(SHUT_WR)",
                    reset: tr("Reset (SO_LINGER 0)"),
                };
                close_buttons(ui, s, &labels, &mut actions);
            });
        }
    }
    actions
}

/// A one-line explanation of an errno, in the user's language.
pub fn errno_hint(code: i32) -> Option<&'static str> {
    use nix::errno::Errno;
    Some(match Errno::from_raw(code) {
        Errno::EADDRINUSE => tr(
            "The kernel holds this address and port for another socket (a listener, a connection, or one in TIME_WAIT); the socket's details say which.",
        ),
        Errno::ECONNREFUSED => {
            tr("Nothing listens on that address and port: the peer answered with RST.")
        }
        Errno::EACCES | Errno::EPERM => {
            tr("Not allowed: ports below 1024 need root, or a firewall refused.")
        }
        Errno::EADDRNOTAVAIL => tr("That address is not one of this machine's."),
        Errno::ENETUNREACH => tr("There is no route to that network."),
        Errno::EHOSTUNREACH => tr("That host cannot be reached."),
        Errno::ETIMEDOUT => tr("The peer did not answer in time."),
        Errno::ECONNRESET => {
            tr("The peer reset the connection (RST): it closed with data unread, or crashed.")
        }
        Errno::EPIPE => tr("The peer has closed: writing to a closed connection."),
        Errno::EMSGSIZE => tr("Too long for one datagram."),
        Errno::EMFILE | Errno::ENFILE => {
            tr("Too many open files: the limit on sockets is reached.")
        }
        Errno::EINVAL => tr("Invalid argument: e.g. binding a socket twice."),
        _ => return None,
    })
}

/// The socket calls made for `s`, in the tutorials' notation.
pub fn calls_ui(ui: &mut egui::Ui, s: &Session) {
    ui.strong(tr("Socket calls (as in Python)"));
    let lesson = s.lesson_view();
    if lesson.omitted() > 0 {
        ui.label(
            RichText::new(trf(
                "… {n} earlier calls not kept",
                &[("n", &lesson.omitted())],
            ))
            .weak(),
        );
    }
    egui::ScrollArea::both()
        .id_salt(("lesson-scroll", s.id.0))
        .auto_shrink([false, true])
        .stick_to_bottom(true)
        .show(ui, |ui| {
            egui::Grid::new(("lesson-grid", s.id.0))
                .num_columns(3)
                .striped(true)
                .show(ui, |ui| {
                    for line in lesson.lines() {
                        let (call, result) = lesson.render(line);
                        ui.monospace(call);
                        match result {
                            Ok(r) => {
                                ui.monospace(format!("→ {r}"));
                                ui.label("");
                            }
                            Err(e) => {
                                let name = e.errno_name().unwrap_or_else(|| tr("error").to_owned());
                                ui.colored_label(error_color(ui), format!("→ {name}"));
                                let message = e.message();
                                let hint = e.errno.and_then(errno_hint);
                                ui.colored_label(error_color(ui), hint.unwrap_or(&message))
                                    .on_hover_text(&message);
                            }
                        }
                        ui.end_row();
                    }
                });
        });
}

/// The Lesson tab: states, then calls.
pub fn lesson_ui(
    ui: &mut egui::Ui,
    model: &Model,
    selected: Option<crate::engine::SocketId>,
) -> Vec<Action> {
    let Some(s) = selected.and_then(|id| model.sessions.get(&id)) else {
        ui.label(tr(
            "Select a socket on the left to see its calls, its states and its Python code.",
        ));
        return Vec::new();
    };
    let actions = states_ui(ui, s);
    ui.separator();
    calls_ui(ui, s);
    actions
}

/// The Python tab: the program, a Copy button, and for a threaded server
/// the choice of `threading` or `socketserver`.
pub fn python_ui(
    ui: &mut egui::Ui,
    model: &Model,
    selected: Option<crate::engine::SocketId>,
    opts: PyOptions<'_>,
    style: &mut ServerStyle,
) {
    let Some(s) = selected.and_then(|id| model.sessions.get(&id)) else {
        ui.label(tr(
            "Select a socket on the left to see its calls, its states and its Python code.",
        ));
        return;
    };
    let code = python_program(model, s, &opts);
    if code.contains("def handle(conn, addr):") {
        ui.horizontal(|ui| {
            ui.label(tr("Serve each client with"));
            ui.radio_value(style, ServerStyle::Threads, tr("a thread (threading)"));
            ui.radio_value(
                style,
                ServerStyle::SocketServer,
                tr("socketserver.ThreadingTCPServer"),
            );
        });
    }
    ui.horizontal(|ui| {
        ui.strong(tr("The same in Python"));
        let copied_at = egui::Id::unique("python-copied-at");
        if ui.button(tr("Copy")).clicked() {
            ui.ctx().copy_text(code.clone());
            ui.ctx()
                .data_mut(|d| d.insert_temp(copied_at, std::time::Instant::now()));
        }
        // Said for a few seconds after the click.
        if let Some(at) = ui
            .ctx()
            .data(|d| d.get_temp::<std::time::Instant>(copied_at))
            && at.elapsed() < std::time::Duration::from_secs(3)
        {
            ui.label(RichText::new(tr("Copied the program")).strong());
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(500));
        }
        ui.label(
            RichText::new(tr(
                "Run it with python3 against another socket, or the other way round.",
            ))
            .weak(),
        );
    });
    egui::ScrollArea::both()
        .id_salt("python-code")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let mut shown = code.as_str();
            let l = ui.label(tr("Python program"));
            ui.add(
                egui::TextEdit::multiline(&mut shown)
                    .font(egui::TextStyle::Monospace)
                    .desired_width(f32::INFINITY)
                    .code_editor(),
            )
            .labelled_by(l.id);
        });
}
