//! The traffic log view: a virtualised table (only the rows on screen are
//! decoded and laid out, so a million rows scroll smoothly), payloads as
//! text, hex or both, undecodable bytes in a distinct colour, a per-socket
//! filter, clear, and auto-scroll that stops when the user scrolls up.

use eframe::egui::{self, Color32, RichText, text::LayoutJob};
use egui_extras::{Column, TableBuilder};

use crate::codec::hex::format_hex_into;
use crate::codec::text::{SegmentKind, TextEncoding, decode_segments};
use crate::engine::SocketId;
use crate::i18n::{tr, trf};
use crate::model::Model;
use crate::model::log::{EntryKind, LogEntry, Retention};

use super::{Action, human_bytes, labelled_combo_salted};

/// Bytes of one payload shown in its row (the rest is summarised).
pub const ROW_PREVIEW_BYTES: usize = 512;

/// How payloads are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum PayloadView {
    /// Decoded text.
    Text,
    /// Hex bytes.
    Hex,
    /// Text above hex.
    #[default]
    Both,
}

impl PayloadView {
    const ALL: [PayloadView; 3] = [PayloadView::Text, PayloadView::Hex, PayloadView::Both];

    fn label(self) -> &'static str {
        match self {
            PayloadView::Text => tr("Text"),
            PayloadView::Hex => tr("Hex"),
            PayloadView::Both => tr("Text + hex"),
        }
    }
}

/// The log view's settings.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct LogViewState {
    /// How payloads are shown.
    pub view: PayloadView,
    /// Keep the newest row in view (until the user scrolls up).
    pub auto_scroll: bool,
    /// Show only the selected socket (and its connections).
    pub only_selected: bool,
    /// The log's byte cap in MiB.
    pub cap_mib: u32,
}

impl Default for LogViewState {
    fn default() -> Self {
        LogViewState {
            view: PayloadView::Both,
            auto_scroll: true,
            only_selected: false,
            cap_mib: (crate::model::log::DEFAULT_LOG_CAP_BYTES >> 20) as u32,
        }
    }
}

/// Formats a timestamp (µs since the epoch) as local `HH:MM:SS.mmm`.
pub fn format_time(time_us: u64) -> String {
    i64::try_from(time_us)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_micros)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%H:%M:%S%.3f")
                .to_string()
        })
        .unwrap_or_else(|| "?".into())
}

fn text_job(ui: &egui::Ui, encoding: TextEncoding, bytes: &[u8], extra: usize) -> LayoutJob {
    let mono = egui::TextStyle::Monospace.resolve(ui.style());
    let plain = ui.visuals().text_color();
    let control = Color32::from_rgb(0x4a, 0x90, 0xd9);
    let invalid = Color32::from_rgb(0xe0, 0x6c, 0x00);
    let mut job = LayoutJob::default();
    for seg in decode_segments(encoding, bytes) {
        let color = match seg.kind {
            SegmentKind::Plain => plain,
            SegmentKind::Control => control,
            SegmentKind::Invalid => invalid,
        };
        job.append(
            &seg.text,
            0.0,
            egui::TextFormat::simple(mono.clone(), color),
        );
    }
    if extra > 0 {
        job.append(
            &format!(" {}", trf("… +{n} bytes", &[("n", &extra)])),
            0.0,
            egui::TextFormat::simple(mono, ui.visuals().weak_text_color()),
        );
    }
    job
}

fn hex_text(bytes: &[u8], extra: usize) -> String {
    let mut s = String::with_capacity(bytes.len() * 3 + 16);
    format_hex_into(&mut s, bytes);
    if extra > 0 {
        s.push(' ');
        s.push_str(&trf("… +{n} bytes", &[("n", &extra)]));
    }
    s
}

fn data_cell_ui(ui: &mut egui::Ui, view: PayloadView, e: &LogEntry, encoding: TextEncoding) {
    let shown = e.payload.len().min(ROW_PREVIEW_BYTES);
    let extra = e.payload.len() - shown;
    let preview = e.payload.get(..shown).unwrap_or(&e.payload);
    // Characters cut across TCP reads are shown whole in the row where
    // they complete (the carry), never as two broken halves.
    let text_bytes = if extra == 0 {
        e.chunk.text_bytes(preview)
    } else {
        std::borrow::Cow::Borrowed(preview)
    };
    let text = text_job(ui, encoding, &text_bytes, extra);
    match view {
        PayloadView::Text => {
            ui.label(text);
        }
        PayloadView::Hex => {
            ui.monospace(hex_text(preview, extra));
        }
        PayloadView::Both => {
            ui.vertical(|ui| {
                ui.label(text);
                ui.label(RichText::new(hex_text(preview, extra)).monospace().weak());
            });
        }
    }
}

/// Draws the toolbar and the table. `selected` is the socket the filter
/// shows when "only selected" is on.
pub fn log_view_ui(
    ui: &mut egui::Ui,
    model: &mut Model,
    state: &mut LogViewState,
    selected: Option<SocketId>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    ui.horizontal_wrapped(|ui| {
        labelled_combo_salted(
            ui,
            "payload-view",
            tr("Show"),
            &mut state.view,
            &PayloadView::ALL,
            PayloadView::label,
        );
        ui.checkbox(&mut state.auto_scroll, tr("Auto-scroll"));
        ui.checkbox(&mut state.only_selected, tr("Only selected socket"));
        let mut counts_only = model.log.retention() == Retention::CountsOnly;
        if ui
            .checkbox(&mut counts_only, tr("Counts only"))
            .on_hover_text(tr(
                "Stop storing payloads (counters and control rows go on); for floods",
            ))
            .changed()
        {
            model.log.set_retention(if counts_only {
                Retention::CountsOnly
            } else {
                Retention::Everything
            });
        }
        let l = ui.label(tr("Log cap (MiB)"));
        ui.add(egui::DragValue::new(&mut state.cap_mib).range(1..=65_536))
            .labelled_by(l.id)
            .on_hover_text(tr("The oldest rows are evicted (and counted) beyond this"));
        let cap_bytes = (state.cap_mib.max(1) as usize) << 20;
        if model.log.cap_bytes() != cap_bytes {
            model.log.set_cap_bytes(cap_bytes);
        }
        if ui.button(tr("Clear log")).clicked() {
            actions.push(Action::ClearLog);
        }
        let log = &model.log;
        let mut status = trf(
            "{rows} rows · {used} of {cap}",
            &[
                ("rows", &log.len()),
                ("used", &human_bytes(log.bytes_used() as u64)),
                ("cap", &human_bytes(log.cap_bytes() as u64)),
            ],
        );
        if log.evicted_entries() > 0 {
            status.push_str(" · ");
            status.push_str(&trf(
                "{rows} oldest rows evicted ({bytes})",
                &[
                    ("rows", &log.evicted_entries()),
                    ("bytes", &human_bytes(log.evicted_bytes())),
                ],
            ));
        }
        if log.skipped_entries() > 0 {
            status.push_str(" · ");
            status.push_str(&trf(
                "{rows} data rows counted only",
                &[("rows", &log.skipped_entries())],
            ));
        }
        ui.label(RichText::new(status).weak());
    });

    // Keep the filter in step with the selection.
    let want: Option<Vec<SocketId>> = match (state.only_selected, selected) {
        (true, Some(id)) => {
            let mut ids = vec![id];
            if let Some(s) = model.sessions.get(&id) {
                ids.extend(s.children.iter().copied());
            }
            Some(ids)
        }
        _ => None,
    };
    let current = model.log.filter().map(|f| f.first().copied());
    if current != want.as_ref().map(|w| w.first().copied()) {
        model.log.set_filter(want);
    }

    let model = &*model;
    let view = state.view;
    let line = ui
        .text_style_height(&egui::TextStyle::Monospace)
        .max(ui.text_style_height(&egui::TextStyle::Body))
        + 4.0;
    let row_height = if view == PayloadView::Both {
        line * 2.0
    } else {
        line
    };
    let n = model.log.visible_len();
    ui.separator();
    TableBuilder::new(ui)
        .id_salt("traffic-log")
        .striped(true)
        .stick_to_bottom(state.auto_scroll)
        .auto_shrink([false, false])
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::exact(104.0))
        .column(Column::exact(44.0))
        .column(Column::exact(18.0))
        .column(Column::exact(78.0))
        .column(
            Column::initial(150.0)
                .at_least(60.0)
                .resizable(true)
                .clip(true),
        )
        .column(Column::exact(60.0))
        .column(Column::remainder().clip(true))
        .header(20.0, |mut h| {
            let titles = [
                tr("Time"),
                tr("Socket"),
                "",
                tr("Event"),
                tr("Peer"),
                tr("Bytes"),
                tr("Data"),
            ];
            for title in titles {
                h.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(row_height, n, |mut row| {
                let Some(index) = model.log.visible_index(row.index()) else {
                    return;
                };
                let Some(e) = model.log.get(index) else {
                    return;
                };
                let encoding = model
                    .sessions
                    .get(&e.socket.id())
                    .map_or(model.default_encoding, |s| s.encoding);
                row.col(|ui| {
                    ui.monospace(format_time(e.time_us));
                });
                row.col(|ui| {
                    ui.label(e.socket.to_string());
                });
                row.col(|ui| {
                    ui.label(e.kind.direction());
                });
                row.col(|ui| {
                    let t = RichText::new(e.kind.label());
                    ui.label(if e.kind == EntryKind::Failed {
                        t.color(ui.visuals().error_fg_color)
                    } else {
                        t
                    });
                });
                row.col(|ui| {
                    if let Some(p) = model.log.peer(e.peer) {
                        ui.label(crate::model::explain::Shown(p).to_string());
                    }
                });
                row.col(|ui| {
                    if e.kind.is_data() {
                        let t = e.payload.len().to_string();
                        ui.label(if e.truncated {
                            trf("{n} (truncated)", &[("n", &t)])
                        } else {
                            t
                        });
                    }
                });
                row.col(|ui| {
                    if e.kind.is_data() {
                        data_cell_ui(ui, view, e, encoding);
                    } else if e.kind == EntryKind::Failed {
                        ui.colored_label(ui.visuals().error_fg_color, model.log.message(index));
                    } else {
                        ui.label(model.log.message(index));
                    }
                });
            });
        });
    actions
}
