//! The quick-send panel: saved payloads sent to the selected socket in one
//! click or every N ms (timed by the engine, each in a slot of its own),
//! an editor for them with a live preview of the exact bytes, and
//! sequences of them with a delay after each step.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use eframe::egui::{self, RichText};

use crate::codec::checksum::{ByteOrder, Checksum};
use crate::codec::compose::{InputMode, LineEnding};
use crate::codec::hex::format_hex;
use crate::codec::template::Vars;
use crate::codec::text::TextEncoding;
use crate::engine::SocketId;
use crate::i18n::{tr, trf};
use crate::model::Model;
use crate::quick::{MAX_STEP_DELAY_MS, QuickItem, QuickSend, Sequence, Step};

use super::composer::{check_size, send_target};
use super::{Action, accessible_name, error_color, labelled_combo_salted};

/// The panel's state that is not remembered.
#[derive(Debug, Default)]
pub struct QuickState {
    /// The item being edited.
    pub editing: Option<usize>,
    /// The sequence being edited.
    pub editing_seq: Option<usize>,
    /// The last click's error.
    pub error: Option<String>,
    /// Sequences running: the socket and when the last step goes.
    pub running: HashMap<SocketId, Instant>,
}

/// An encoding choice's name: the socket's, or one named.
fn encoding_name(e: Option<TextEncoding>) -> &'static str {
    e.map_or(tr("the socket's"), TextEncoding::label)
}

/// A checksum choice's name, or "none".
fn checksum_name(c: Option<Checksum>) -> &'static str {
    c.map_or(tr("none"), Checksum::label)
}

/// Draws the panel; returns the sends asked for.
pub fn quick_ui(
    ui: &mut egui::Ui,
    q: &mut QuickSend,
    state: &mut QuickState,
    model: &Model,
    target: Option<SocketId>,
    send_to: &str,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let socket = target.and_then(|id| model.sessions.get(&id));
    let encoding = socket.map_or(TextEncoding::Utf8, |s| s.encoding);
    ui.horizontal(|ui| {
        ui.heading(tr("Quick send"));
        if ui.button(tr("Add item")).clicked() {
            let id = q.next_id();
            q.items.push(QuickItem {
                id,
                name: trf("Item {n}", &[("n", &(q.items.len() + 1))]),
                ..QuickItem::default()
            });
            state.editing = Some(q.items.len() - 1);
        }
    });
    ui.label(
        RichText::new(match socket {
            Some(s) => trf("to {socket}", &[("socket", &s.title())]),
            None => tr("Select a socket to send to.").to_string(),
        })
        .small()
        .weak(),
    );
    if let Some(e) = &state.error {
        ui.colored_label(error_color(ui), e);
    }
    let mut delete = None;
    let mut toggle_edit = None;
    egui::Grid::new("quick-items")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            for (i, item) in q.items.iter_mut().enumerate() {
                let running = socket
                    .and_then(|s| s.periodic_in(item.slot()))
                    .filter(|p| p.running);
                let send_name = trf("Send {name}", &[("name", &item.name)]);
                let b = ui.button(&item.name).on_hover_text(&send_name);
                if accessible_name(b, &send_name).clicked() {
                    let sent = send_target(model, target, send_to).and_then(|(id, to)| {
                        let bytes = item.click(encoding).map_err(|e| {
                            trf(
                                "{name}: {e}; nothing was sent.",
                                &[("name", &item.name), ("e", &e)],
                            )
                        })?;
                        check_size(model, id, to.as_ref(), bytes.len())?;
                        Ok(Action::Send { id, bytes, to })
                    });
                    match sent {
                        Ok(a) => {
                            state.error = None;
                            actions.push(a);
                        }
                        Err(e) => state.error = Some(e),
                    }
                }
                if let Some(p) = running {
                    let b = ui.button(tr("Stop")).on_hover_text(trf(
                        "{sent} sent, {missed} missed",
                        &[("sent", &p.sent), ("missed", &p.missed)],
                    ));
                    if accessible_name(b, &trf("Stop {name}", &[("name", &item.name)])).clicked()
                        && let Some(id) = target
                    {
                        actions.push(Action::StopSending {
                            id,
                            slot: item.slot(),
                        });
                    }
                } else {
                    let b = ui
                        .button(trf("every {ms} ms", &[("ms", &item.every_ms)]))
                        .on_hover_text(trf(
                            "Send it every {ms} ms until stopped, timed by the engine",
                            &[("ms", &item.every_ms)],
                        ));
                    if accessible_name(b, &trf("Repeat {name}", &[("name", &item.name)])).clicked()
                    {
                        let started = send_target(model, target, send_to).and_then(|(id, to)| {
                            let template = item.template(encoding).map_err(|e| {
                                trf(
                                    "{name}: {e}; nothing was sent.",
                                    &[("name", &item.name), ("e", &e)],
                                )
                            })?;
                            let one = template.expand(&Vars::send(1, encoding));
                            check_size(model, id, to.as_ref(), one.len())?;
                            Ok(Action::SendEveryIn {
                                id,
                                slot: item.slot(),
                                template,
                                encoding: item.encoding.unwrap_or(encoding),
                                to,
                                every: Duration::from_millis(u64::from(item.every_ms.max(1))),
                            })
                        });
                        match started {
                            Ok(a) => {
                                state.error = None;
                                actions.push(a);
                            }
                            Err(e) => state.error = Some(e),
                        }
                    }
                }
                let editing = state.editing == Some(i);
                let b = ui.selectable_label(editing, tr("Edit"));
                if accessible_name(b, &trf("Edit {name}", &[("name", &item.name)])).clicked() {
                    toggle_edit = Some(i);
                }
                ui.end_row();
            }
        });
    if let Some(i) = toggle_edit {
        state.editing = if state.editing == Some(i) {
            None
        } else {
            Some(i)
        };
    }
    if let Some(i) = state.editing
        && let Some(item) = q.items.get_mut(i)
    {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            if item_editor_ui(ui, item, encoding) {
                delete = Some(i);
            }
        });
    }
    if let Some(i) = delete {
        q.items.remove(i);
        state.editing = None;
    }
    ui.separator();
    sequences_ui(ui, q, state, model, target, send_to, encoding, &mut actions);
    actions
}

/// The editor of one item; returns true when Delete was clicked.
fn item_editor_ui(ui: &mut egui::Ui, item: &mut QuickItem, socket_encoding: TextEncoding) -> bool {
    let salt = |what: &str| format!("quick-{}-{what}", item.id);
    let mut delete = false;
    egui::Grid::new(salt("grid")).num_columns(2).show(ui, |ui| {
        let l = ui.label(tr("Name"));
        ui.add(egui::TextEdit::singleline(&mut item.name).desired_width(180.0))
            .labelled_by(l.id);
        ui.end_row();
        let l = ui.label(tr("Item payload"));
        ui.add(
            egui::TextEdit::singleline(&mut item.text)
                .desired_width(220.0)
                .font(egui::TextStyle::Monospace)
                .hint_text(tr("e.g. PING ${seq} or AA ${seq:u8} ${sum8}")),
        )
        .labelled_by(l.id);
        ui.end_row();
    });
    ui.horizontal_wrapped(|ui| {
        labelled_combo_salted(
            ui,
            &salt("mode"),
            tr("as"),
            &mut item.mode,
            &InputMode::ALL,
            InputMode::label,
        );
        if item.mode == InputMode::Text {
            let encodings: Vec<Option<TextEncoding>> = std::iter::once(None)
                .chain(TextEncoding::ALL.into_iter().map(Some))
                .collect();
            labelled_combo_salted(
                ui,
                &salt("encoding"),
                tr("Encoding"),
                &mut item.encoding,
                &encodings,
                encoding_name,
            );
            labelled_combo_salted(
                ui,
                &salt("le"),
                tr("Line ending"),
                &mut item.line_ending,
                &LineEnding::ALL,
                LineEnding::label,
            );
        }
    });
    ui.horizontal_wrapped(|ui| {
        let choices: Vec<Option<Checksum>> = std::iter::once(None)
            .chain(Checksum::ALL.into_iter().map(Some))
            .collect();
        let before = item.checksum;
        labelled_combo_salted(
            ui,
            &salt("sum"),
            tr("Append checksum"),
            &mut item.checksum,
            &choices,
            checksum_name,
        );
        if let Some(c) = item.checksum {
            if before != item.checksum {
                item.order = c.usual_order();
            }
            labelled_combo_salted(
                ui,
                &salt("order"),
                tr("order"),
                &mut item.order,
                &ByteOrder::ALL,
                ByteOrder::label,
            );
        }
        let l = ui.label(tr("Every (ms)"));
        ui.add(egui::DragValue::new(&mut item.every_ms).range(1..=86_400_000))
            .labelled_by(l.id);
    });
    // The exact bytes the next click sends.
    match item.template(socket_encoding) {
        Ok(t) => {
            let bytes = t.expand(&Vars::send(
                item.clicks + 1,
                item.encoding.unwrap_or(socket_encoding),
            ));
            ui.label(
                RichText::new(trf(
                    "next: {n} bytes: {hex}",
                    &[("n", &bytes.len()), ("hex", &format_hex(&bytes))],
                ))
                .monospace()
                .small(),
            );
        }
        Err(e) => {
            ui.colored_label(error_color(ui), e.to_string());
        }
    }
    if ui.button(tr("Delete item")).clicked() {
        delete = true;
    }
    delete
}

/// The sequences: run, stop, edit.
#[allow(clippy::too_many_arguments)]
fn sequences_ui(
    ui: &mut egui::Ui,
    q: &mut QuickSend,
    state: &mut QuickState,
    model: &Model,
    target: Option<SocketId>,
    send_to: &str,
    encoding: TextEncoding,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(tr("Sequences")).strong());
        if ui.button(tr("Add sequence")).clicked() {
            let first = q.items.first().map(|i| i.name.clone()).unwrap_or_default();
            q.sequences.push(Sequence {
                name: trf("Sequence {n}", &[("n", &(q.sequences.len() + 1))]),
                steps: vec![Step {
                    item: first,
                    delay_ms: 100,
                }],
            });
            state.editing_seq = Some(q.sequences.len() - 1);
        }
    });
    let now = Instant::now();
    state.running.retain(|_, end| *end > now);
    if let Some(id) = target
        && let Some(end) = state.running.get(&id).copied()
    {
        ui.horizontal(|ui| {
            ui.label(trf(
                "a sequence is running ({ms} ms left)",
                &[("ms", &end.saturating_duration_since(now).as_millis())],
            ));
            if ui.button(tr("Stop sequence")).clicked() {
                actions.push(Action::CancelLater(id));
                state.running.remove(&id);
            }
        });
        ui.ctx().request_repaint_after(Duration::from_millis(100));
    }
    let mut delete = None;
    let names: Vec<String> = q.items.iter().map(|i| i.name.clone()).collect();
    for i in 0..q.sequences.len() {
        let seq = q.sequences[i].clone();
        ui.horizontal_wrapped(|ui| {
            let b = ui.button(trf("Run {name}", &[("name", &seq.name)]));
            if b.clicked() {
                let run = send_target(model, target, send_to).and_then(|(id, to)| {
                    let plan = q.plan(&seq, encoding).map_err(|e| {
                        trf(
                            "{name}: {e}; nothing was sent.",
                            &[("name", &seq.name), ("e", &e)],
                        )
                    })?;
                    for (bytes, _) in &plan {
                        check_size(model, id, to.as_ref(), bytes.len())?;
                    }
                    Ok((id, to, plan))
                });
                match run {
                    Ok((id, to, plan)) => {
                        state.error = None;
                        let last = plan.last().map_or(Duration::ZERO, |(_, at)| *at);
                        state.running.insert(id, Instant::now() + last);
                        actions.push(Action::SendSequence {
                            id,
                            to,
                            steps: plan,
                        });
                    }
                    Err(e) => state.error = Some(e),
                }
            }
            let editing = state.editing_seq == Some(i);
            let b = ui.selectable_label(editing, tr("Edit"));
            if accessible_name(b, &trf("Edit {name}", &[("name", &seq.name)])).clicked() {
                state.editing_seq = if editing { None } else { Some(i) };
            }
        });
        if state.editing_seq == Some(i) {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                if sequence_editor_ui(ui, &mut q.sequences[i], &names) {
                    delete = Some(i);
                }
            });
        }
    }
    if let Some(i) = delete {
        q.sequences.remove(i);
        state.editing_seq = None;
    }
}

/// The editor of one sequence; returns true when Delete was clicked.
fn sequence_editor_ui(ui: &mut egui::Ui, seq: &mut Sequence, names: &[String]) -> bool {
    let l = ui.label(tr("Sequence name"));
    ui.add(egui::TextEdit::singleline(&mut seq.name).desired_width(180.0))
        .labelled_by(l.id);
    let mut remove = None;
    for (n, step) in seq.steps.iter_mut().enumerate() {
        ui.horizontal_wrapped(|ui| {
            let l = ui.label(trf("Step {n}", &[("n", &(n + 1))]));
            egui::ComboBox::from_id_salt(("seq-step", n))
                .selected_text(step.item.clone())
                .show_ui(ui, |ui| {
                    for name in names {
                        ui.selectable_value(&mut step.item, name.clone(), name);
                    }
                })
                .response
                .labelled_by(l.id);
            let l = ui.label(tr("then wait (ms)"));
            ui.add(egui::DragValue::new(&mut step.delay_ms).range(0..=MAX_STEP_DELAY_MS))
                .labelled_by(l.id);
            if ui
                .small_button(trf("Remove step {n}", &[("n", &(n + 1))]))
                .clicked()
            {
                remove = Some(n);
            }
        });
    }
    if let Some(n) = remove {
        seq.steps.remove(n);
    }
    let mut delete = false;
    ui.horizontal(|ui| {
        if ui.button(tr("Add step")).clicked() {
            let item = names.first().cloned().unwrap_or_default();
            seq.steps.push(Step {
                item,
                delay_ms: 100,
            });
        }
        if ui.button(tr("Delete sequence")).clicked() {
            delete = true;
        }
    });
    delete
}
