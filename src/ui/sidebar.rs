//! The socket list: every socket with its state and counters, connections
//! accepted by a listener indented under it, closed sockets greyed with why
//! they closed; plus the details and close buttons of the selected one.

use crate::model::explain::Shown;
use eframe::egui::{self, RichText};

use crate::engine::{CloseHow, SocketId, SocketKind, SocketSpec, Why};
use crate::model::Model;
use crate::model::session::{Session, SessionState};

use super::{Action, CloseLabels, close_buttons, error_color, human_bytes};
use crate::i18n::{tr, trf};

fn counters_text(s: &Session) -> String {
    let c = s.counters;
    trf(
        "in {bytes_in} / {msgs_in} · out {bytes_out} / {msgs_out}",
        &[
            ("bytes_in", &human_bytes(c.bytes_in)),
            ("msgs_in", &c.msgs_in),
            ("bytes_out", &human_bytes(c.bytes_out)),
            ("msgs_out", &c.msgs_out),
        ],
    )
}

fn state_text(s: &Session) -> String {
    match &s.state {
        SessionState::Connecting(peer) => trf("connecting to {peer}", &[("peer", peer)]),
        SessionState::Reconnecting { attempt, after } => trf(
            "connecting again in {secs} s (attempt {n})",
            &[
                ("secs", &format!("{:.1}", after.as_secs_f64())),
                ("n", attempt),
            ],
        ),
        SessionState::Closed(reason) => trf("closed: {reason}", &[("reason", reason)]),
        SessionState::Connected if s.peer_closed => tr("connected, peer closed its side").into(),
        SessionState::Connected if s.write_shut => tr("connected, our side shut down").into(),
        other => other.label().into(),
    }
}

fn session_row_ui(
    ui: &mut egui::Ui,
    s: &Session,
    selected: Option<SocketId>,
    actions: &mut Vec<Action>,
) {
    let closed = s.state.is_closed();
    let mut title = RichText::new(s.title()).strong();
    if closed {
        title = title.weak();
    }
    let r = ui.selectable_label(selected == Some(s.id), title);
    if r.clicked() {
        actions.push(Action::Select(Some(s.id)));
    }
    let mut state = RichText::new(format!("{} · {}", state_text(s), counters_text(s))).small();
    if closed {
        state = state.weak();
    }
    ui.label(state);
}

/// Draws the list of sockets in a scroll area at most `max_height` tall,
/// scrolled to show `scroll_to` (a socket just opened). Only the rows on
/// screen are laid out, so ten thousand connections cost what a screenful
/// does.
pub fn sidebar_ui(
    ui: &mut egui::Ui,
    model: &Model,
    selected: Option<SocketId>,
    max_height: f32,
    scroll_to: Option<SocketId>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    if model.sessions.is_empty() {
        ui.label(RichText::new(tr("No sockets yet: open one above.")).weak());
        return actions;
    }
    if model.closed_removed > 0 {
        ui.label(
            RichText::new(trf(
                "{n} older closed connections removed (at most {max} closed ones are kept)",
                &[
                    ("n", &model.closed_removed),
                    ("max", &crate::model::MAX_CLOSED),
                ],
            ))
            .weak(),
        );
    }
    // (socket, indented) in display order: connections under their listener.
    let mut rows: Vec<(&Session, bool)> = Vec::with_capacity(model.sessions.len());
    for s in model.top_level() {
        rows.push((s, false));
        rows.extend(
            s.children
                .iter()
                .filter_map(|c| model.sessions.get(c))
                .map(|c| (&**c, true)),
        );
    }
    let spacing = ui.spacing().item_spacing.y;
    let row_height = ui.text_style_height(&egui::TextStyle::Button)
        + ui.text_style_height(&egui::TextStyle::Small)
        + ui.spacing().button_padding.y * 2.0
        + spacing * 2.0;
    let mut area = egui::ScrollArea::vertical()
        .id_salt("socket-list")
        .max_height(max_height)
        .auto_shrink([false, true]);
    if let Some(i) = scroll_to.and_then(|id| rows.iter().position(|(s, _)| s.id == id)) {
        // The row at the bottom of the view, unless it fits higher up.
        let top = (i as f32 + 1.0) * row_height - max_height;
        area = area.vertical_scroll_offset(top.max(0.0));
    }
    area.show_rows(ui, row_height - spacing, rows.len(), |ui, range| {
        // One line each (the rows are all one height); the details wrap.
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
        for &(s, indented) in rows.get(range).unwrap_or_default() {
            ui.horizontal(|ui| {
                if indented {
                    ui.add_space(18.0);
                }
                ui.vertical(|ui| session_row_ui(ui, s, selected, &mut actions));
            });
        }
    });
    actions
}

/// Draws the selected socket's details and its buttons.
pub fn details_ui(ui: &mut egui::Ui, model: &Model, s: &Session) -> Vec<Action> {
    let mut actions = Vec::new();
    ui.heading(s.title());
    if s.compacted {
        ui.label(
            RichText::new(tr(
                "Closed a while ago: only its counters and newest socket calls are kept",
            ))
            .weak(),
        );
    }
    // The values wrap at what the panel leaves them.
    let value_width = (ui.available_width() - 100.0).max(120.0);
    egui::Grid::new("socket-details")
        .num_columns(2)
        .max_col_width(value_width)
        .striped(true)
        .show(ui, |ui| {
            ui.label(tr("State"));
            ui.label(state_text(s));
            ui.end_row();
            if let Some(local) = &s.local {
                ui.label(tr("Local"));
                ui.label(Shown(local).to_string());
                ui.end_row();
            }
            if let Some(peer) = &s.peer {
                ui.label(tr("Peer"));
                ui.label(Shown(peer).to_string());
                ui.end_row();
            }
            if let Some(p) = &s.default_peer {
                ui.label(tr("Default peer"));
                ui.label(p.to_string());
                ui.end_row();
            }
            if let Some(parent) = s.parent {
                ui.label(tr("Accepted by"));
                ui.label(parent.to_string());
                ui.end_row();
            }
            if s.kind.is_listener() {
                ui.label(tr("Clients"));
                ui.label(trf(
                    "{open} connected, {all} accepted in all",
                    &[
                        ("open", &model.open_children(s.id).len()),
                        ("all", &s.children.len()),
                    ],
                ));
                ui.end_row();
            }
            ui.label(tr("Received"));
            let args: [(&str, &dyn std::fmt::Display); 2] = [
                ("bytes", &human_bytes(s.counters.bytes_in)),
                ("n", &s.counters.msgs_in),
            ];
            ui.label(if s.kind.is_datagram() {
                trf("{bytes} in {n} datagrams", &args)
            } else {
                trf("{bytes} in {n} reads", &args)
            });
            ui.end_row();
            if s.reconnects > 0 {
                ui.label(tr("Reconnects"));
                ui.label(s.reconnects.to_string());
                ui.end_row();
            }
            ui.label(tr("Sent"));
            ui.label(trf(
                "{bytes} in {n} sends",
                &[
                    ("bytes", &human_bytes(s.counters.bytes_out)),
                    ("n", &s.counters.msgs_out),
                ],
            ));
            ui.end_row();
            if let Some(rcvbuf) = s.rcvbuf_bytes {
                ui.label("SO_RCVBUF");
                ui.label(trf(
                    "{size} (asked for 4 MiB)",
                    &[("size", &human_bytes(rcvbuf as u64))],
                ));
                ui.end_row();
                ui.label(tr("Kernel drops"));
                ui.label(if s.drop_counting {
                    s.kernel_drops.to_string()
                } else {
                    tr("not counted on this system").into()
                });
                ui.end_row();
                ui.label(tr("Truncated"));
                ui.label(s.truncated.to_string());
                ui.end_row();
            }
        });
    if let Some(e) = &s.last_error {
        ui.colored_label(error_color(ui), e.message());
        super::in_use::in_use_ui(ui, model, s, &mut actions);
        // A stale socket file is removed only on this explicit request.
        if e.why == Why::StaleSocket
            && s.state.is_closed()
            && let Some(spec) = s.opened_as.as_ref().and_then(SocketSpec::removing_stale)
            && ui
                .button(tr("Remove the stale socket file and open again"))
                .clicked()
        {
            actions.push(Action::Open(spec));
        }
    }
    ui.horizontal_wrapped(|ui| {
        if s.state.is_closed() {
            if ui.button(tr("Remove")).clicked() {
                actions.push(Action::Remove(s.id));
            }
            return;
        }
        if s.kind.is_stream() && s.state == SessionState::Connected {
            let labels = CloseLabels {
                close: if s.kind.is_accepted() {
                    tr("Disconnect")
                } else {
                    tr("Close")
                },
                half_close: tr("Half-close"),
                reset: tr("Reset"),
            };
            close_buttons(ui, s, &labels, &mut actions);
            return;
        }
        let (label, hint) = match s.kind {
            SocketKind::TcpListener | SocketKind::UnixListener => (
                tr("Stop listening"),
                tr("close() the listener and every connection it accepted"),
            ),
            SocketKind::TcpAccepted | SocketKind::UnixAccepted => (
                tr("Disconnect"),
                tr("close(): finish queued sends, then close"),
            ),
            _ => (tr("Close"), tr("close(): finish queued sends, then close")),
        };
        if ui.button(label).on_hover_text(hint).clicked() {
            actions.push(Action::Close {
                id: s.id,
                how: CloseHow::Close,
            });
        }
    });
    actions
}
