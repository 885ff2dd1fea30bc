//! The traffic log view: a virtualised table (only the rows on screen are
//! decoded and laid out, so a million rows scroll smoothly), payloads as
//! text, hex or both, undecodable bytes in a distinct colour, a per-socket
//! filter, clear, and auto-scroll that stops when the user scrolls up.

use eframe::egui::{self, Color32, RichText, text::LayoutJob};
use egui_extras::{Column, TableBuilder};

use crate::codec::hex::{format_hex, format_hex_into, hex_dump_line};
use crate::codec::text::{OwnParts, SegmentKind, TextEncoding, decode_display, decode_segments};
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
    /// The row shown expanded (its absolute log index).
    #[serde(skip)]
    pub expanded: Option<u64>,
    /// What was last copied from a row, and when (said for a moment).
    #[serde(skip)]
    pub copied: Option<(std::time::Instant, String)>,
}

impl Default for LogViewState {
    fn default() -> Self {
        LogViewState {
            view: PayloadView::Both,
            auto_scroll: true,
            only_selected: false,
            cap_mib: (crate::model::log::DEFAULT_LOG_CAP_BYTES >> 20) as u32,
            expanded: None,
            copied: None,
        }
    }
}

/// Formats a timestamp (µs since the epoch) as local `HH:MM:SS.mmm`.
pub fn format_time(time_us: u64) -> String {
    crate::model::export::local_time_as(time_us, "%H:%M:%S%.3f")
}

/// The colour of the pieces of a character cut across reads.
fn partial_color() -> Color32 {
    Color32::from_rgb(0xb0, 0x78, 0xe0)
}

/// `\xNN` for each byte.
fn escaped(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\x{b:02X}")).collect()
}

/// A row's text: exactly its own bytes; a head finishing a character begun
/// in an earlier read and a tail beginning one finished in a later read
/// are shown as partial bytes (`…\xC4`, `\xD0…`) in their own colour.
fn text_job(
    ui: &egui::Ui,
    encoding: TextEncoding,
    bytes: &[u8],
    parts: OwnParts,
    extra: usize,
) -> LayoutJob {
    let mono = egui::TextStyle::Monospace.resolve(ui.style());
    let plain = ui.visuals().text_color();
    let control = Color32::from_rgb(0x4a, 0x90, 0xd9);
    let invalid = Color32::from_rgb(0xe0, 0x6c, 0x00);
    let mut job = LayoutJob::default();
    let head = parts.head.min(bytes.len());
    let tail = parts.tail.min(bytes.len() - head);
    let partial = egui::TextFormat {
        underline: egui::Stroke::new(1.0, partial_color()),
        ..egui::TextFormat::simple(mono.clone(), partial_color())
    };
    if head > 0 {
        job.append(
            &format!("…{}", escaped(&bytes[..head])),
            0.0,
            partial.clone(),
        );
    }
    for seg in decode_segments(encoding, &bytes[head..bytes.len() - tail]) {
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
    if tail > 0 {
        job.append(
            &format!("{}…", escaped(&bytes[bytes.len() - tail..])),
            0.0,
            partial,
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
    let mut parts = e.chunk.own_parts(encoding, &e.payload);
    if extra > 0 {
        // The tail is past the preview.
        parts.tail = 0;
    }
    let text = text_job(ui, encoding, preview, parts, extra);
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

/// Below this width the log leaves out its peer and byte count columns.
pub const COMPACT_BELOW: f32 = 760.0;

/// Bytes an expanded row shows in full (text and hex dump).
pub const EXPANDED_MAX_BYTES: usize = 64 * 1024;
/// The most an expanded row adds to the table's height; longer payloads
/// scroll inside it.
const EXPANDED_MAX_HEIGHT: f32 = 360.0;

/// The height of an expanded row showing `payload`.
fn expanded_height(line: f32, payload: &[u8]) -> f32 {
    let len = payload.len().min(EXPANDED_MAX_BYTES);
    let hex_lines = len.div_ceil(16) as f32;
    let text_lines = (len / 80 + 1) as f32;
    let both_ways = if payload.is_ascii() {
        0.0
    } else {
        2.0 + (len.min(BOTH_WAYS_MAX_BYTES) / 40 + 1) as f32
    };
    (line * (4.0 + hex_lines + text_lines + both_ways)).clamp(line * 5.0, EXPANDED_MAX_HEIGHT)
}

/// Bytes of a non-ASCII row decoded both as UTF-8 and as GBK, side by side.
const BOTH_WAYS_MAX_BYTES: usize = 2048;

/// An expanded data row: the whole payload as wrapped text and as an
/// offset hex dump, and the whole form of a character cut across reads.
fn expanded_cell_ui(
    ui: &mut egui::Ui,
    model: &Model,
    index: u64,
    e: &LogEntry,
    encoding: TextEncoding,
) {
    let parts = e.chunk.own_parts(encoding, &e.payload);
    let shown = &e.payload[..e.payload.len().min(EXPANDED_MAX_BYTES)];
    let width = ui.available_width();
    egui::ScrollArea::vertical()
        .id_salt(("expanded-row", index))
        .max_height(EXPANDED_MAX_HEIGHT - 8.0)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            ui.set_max_width(width);
            if parts.head > 0 {
                let mut whole = e.chunk.carry_in.as_slice().to_vec();
                whole.extend_from_slice(&e.payload[..parts.head]);
                ui.label(
                    RichText::new(trf(
                        "Starts with the end of {ch} ({hex}): its first bytes came in the read before.",
                        &[("ch", &decode_display(encoding, &whole)), ("hex", &format_hex(&whole))],
                    ))
                    .color(partial_color()),
                );
            }
            if parts.tail > 0 {
                let start = &e.payload[e.payload.len() - parts.tail..];
                let rest = model
                    .log
                    .next_of_stream(index, 10_000)
                    .map(|n| n.chunk.own_parts(encoding, &n.payload).head.min(n.payload.len()))
                    .zip(model.log.next_of_stream(index, 10_000))
                    .map(|(h, n)| n.payload[..h].to_vec());
                let text = match rest {
                    Some(rest) if !rest.is_empty() => {
                        let mut whole = start.to_vec();
                        whole.extend_from_slice(&rest);
                        trf(
                            "Ends with the start of {ch} ({hex}): the rest came in the next read.",
                            &[("ch", &decode_display(encoding, &whole)), ("hex", &format_hex(&whole))],
                        )
                    }
                    _ => trf(
                        "Ends with {hex}, the start of a character whose rest has not arrived.",
                        &[("hex", &format_hex(start))],
                    ),
                };
                ui.label(RichText::new(text).color(partial_color()));
            }
            ui.add(
                egui::Label::new(
                    RichText::new(decode_display(encoding, shown)).monospace(),
                )
                .wrap(),
            );
            // The same bytes read as UTF-8 and as GBK: one is the text,
            // the other mojibake (乱码).
            if !shown.is_ascii() {
                let both = &shown[..shown.len().min(BOTH_WAYS_MAX_BYTES)];
                ui.label(RichText::new(tr("The same bytes decoded both ways:")).weak());
                egui::Grid::new(("both-ways", index)).num_columns(2).show(ui, |ui| {
                    for enc in [TextEncoding::Utf8, TextEncoding::Gbk] {
                        ui.label(trf("as {enc}", &[("enc", &enc.label())]));
                        ui.add(
                            egui::Label::new(
                                RichText::new(decode_display(enc, both)).monospace(),
                            )
                            .wrap(),
                        );
                        ui.end_row();
                    }
                });
            }
            // 16 bytes a line when they fit, else 8.
            let font = egui::TextStyle::Monospace.resolve(ui.style());
            let glyph = ui.ctx().fonts_mut(|f| f.glyph_width(&font, '0')).max(1.0);
            let per_line = if width >= glyph * 80.0 { 16 } else { 8 };
            for (i, line) in shown.chunks(per_line).enumerate() {
                ui.add(
                    egui::Label::new(
                        RichText::new(hex_dump_line(line, i * per_line, per_line))
                            .monospace()
                            .weak(),
                    )
                    .extend(),
                );
            }
            if e.payload.len() > shown.len() {
                ui.label(
                    RichText::new(trf(
                        "… +{n} bytes (export the log or save the socket's bytes to see them all)",
                        &[("n", &(e.payload.len() - shown.len()))],
                    ))
                    .weak(),
                );
            }
        });
}

/// `bytes` as a C array initialiser: `{ 0x01, 0x03 }`, 16 to a line.
pub fn c_array(bytes: &[u8]) -> String {
    let lines: Vec<String> = bytes
        .chunks(16)
        .map(|c| {
            c.iter()
                .map(|b| format!("0x{b:02X}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    if lines.len() <= 1 {
        format!("{{ {} }}", lines.join(""))
    } else {
        format!("{{\n    {}\n}}", lines.join(",\n    "))
    }
}

/// A row as tab-separated text: time, socket, event, peer, bytes, data.
fn row_text(model: &Model, index: u64, e: &LogEntry, encoding: TextEncoding) -> String {
    let peer = model
        .log
        .peer(e.peer)
        .map(|p| crate::model::explain::Shown(p).to_string())
        .unwrap_or_default();
    let (n, data) = if e.kind.is_data() {
        (
            e.payload.len().to_string(),
            decode_display(encoding, &e.payload),
        )
    } else {
        (String::new(), model.log.message(index))
    };
    [
        format_time(e.time_us),
        e.socket.to_string(),
        e.kind.label().to_string(),
        peer,
        n,
        data,
    ]
    .join("\t")
}

/// The right-click menu of a row.
fn row_menu_ui(
    ui: &mut egui::Ui,
    model: &Model,
    index: u64,
    e: &LogEntry,
    encoding: TextEncoding,
    state: &mut LogViewState,
    actions: &mut Vec<Action>,
) {
    let mut copy = |ui: &mut egui::Ui, what: &str, text: String| {
        ui.ctx().copy_text(text);
        state.copied = Some((std::time::Instant::now(), what.to_string()));
        ui.close();
    };
    if e.kind.is_data() {
        if ui.button(tr("Copy as text")).clicked() {
            copy(ui, tr("text"), decode_display(encoding, &e.payload));
        }
        if ui.button(tr("Copy as hex")).clicked() {
            copy(ui, tr("hex"), format_hex(&e.payload));
        }
        if ui.button(tr("Copy as Python bytes")).clicked() {
            copy(
                ui,
                tr("Python bytes"),
                crate::model::pygen::py_bytes(&e.payload),
            );
        }
        if ui.button(tr("Copy as C array")).clicked() {
            copy(ui, tr("C array"), c_array(&e.payload));
        }
    }
    if ui.button(tr("Copy row")).clicked() {
        copy(ui, tr("the row"), row_text(model, index, e, encoding));
    }
    ui.separator();
    let id = e.socket.id();
    if e.kind == EntryKind::Received
        && let Some(s) = model.sessions.get(&id)
        && s.can_send()
        && ui.button(tr("Reply to this sender")).clicked()
    {
        let to = if s.kind.is_datagram() {
            model.log.peer(e.peer).cloned()
        } else {
            None
        };
        actions.push(Action::ReplyTo { id, to });
        ui.close();
    }
    if ui.button(tr("Select its socket")).clicked() {
        actions.push(Action::Select(Some(id)));
        ui.close();
    }
    let expanded = state.expanded == Some(index);
    if ui
        .button(if expanded {
            tr("Collapse")
        } else {
            tr("Expand")
        })
        .clicked()
    {
        state.expanded = if expanded { None } else { Some(index) };
        ui.close();
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
        if ui
            .button(tr("Export the log…"))
            .on_hover_text(tr(
                "Write the log's rows to a file: text, hex dump, CSV or JSON lines",
            ))
            .clicked()
        {
            actions.push(Action::ShowFileWindow(super::files::FileWindow::Export));
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
        if let Some((at, what)) = &state.copied {
            if at.elapsed() < std::time::Duration::from_secs(3) {
                ui.label(RichText::new(trf("Copied {what}", &[("what", what)])).strong());
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(500));
            } else {
                state.copied = None;
            }
        }
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
    let expanded = state
        .expanded
        .and_then(|i| Some((model.log.visible_row(i)?, model.log.get(i)?)))
        .map(|(r, e)| (r, row_height + expanded_height(line, &e.payload)));
    if expanded.is_none() {
        state.expanded = None;
    }
    ui.separator();
    let mut clicked: Option<u64> = None;
    let mut menu_actions = Vec::new();
    // Beside the lessons or quick-send panel the log is narrow: the peer
    // and byte count columns give their room to the data (an expanded
    // row shows them).
    let compact = ui.available_width() < COMPACT_BELOW;
    let mut table = TableBuilder::new(ui)
        .id_salt("traffic-log")
        .striped(true)
        .sense(egui::Sense::click())
        .stick_to_bottom(state.auto_scroll && expanded.is_none())
        .auto_shrink([false, false])
        .cell_layout(egui::Layout::left_to_right(egui::Align::Min))
        .column(Column::exact(104.0))
        .column(Column::exact(44.0))
        .column(Column::exact(18.0))
        .column(Column::exact(78.0));
    if !compact {
        table = table
            .column(
                Column::initial(150.0)
                    .at_least(60.0)
                    .resizable(true)
                    .clip(true),
            )
            .column(Column::exact(60.0));
    }
    let table = table
        .column(Column::remainder().clip(true))
        .header(20.0, |mut h| {
            let titles = [
                (tr("Time"), true),
                (tr("Socket"), true),
                ("", true),
                (tr("Event"), true),
                (tr("Peer"), !compact),
                (tr("Bytes"), !compact),
                (tr("Data"), true),
            ];
            for (title, shown) in titles {
                if shown {
                    h.col(|ui| {
                        ui.strong(title);
                    });
                }
            }
        });
    let mut draw_row = |mut row: egui_extras::TableRow<'_, '_>| {
        let Some(index) = model.log.visible_index(row.index()) else {
            return;
        };
        let Some(e) = model.log.get(index) else {
            return;
        };
        let is_expanded = state.expanded == Some(index);
        let encoding = model
            .sessions
            .get(&e.socket.id())
            .map_or(model.default_encoding, |s| s.encoding);
        row.col(|ui| {
            ui.style_mut().interaction.selectable_labels = false;
            ui.monospace(format_time(e.time_us));
        });
        row.col(|ui| {
            ui.style_mut().interaction.selectable_labels = false;
            ui.label(e.socket.to_string());
        });
        row.col(|ui| {
            ui.style_mut().interaction.selectable_labels = false;
            ui.label(e.kind.direction());
        });
        row.col(|ui| {
            ui.style_mut().interaction.selectable_labels = false;
            let t = RichText::new(e.kind.label());
            ui.label(if e.kind == EntryKind::Failed {
                t.color(ui.visuals().error_fg_color)
            } else {
                t
            });
        });
        let peer = model
            .log
            .peer(e.peer)
            .map(|p| crate::model::explain::Shown(p).to_string());
        let bytes = e.kind.is_data().then(|| {
            let t = e.payload.len().to_string();
            if e.truncated {
                trf("{n} (truncated)", &[("n", &t)])
            } else {
                t
            }
        });
        if !compact {
            row.col(|ui| {
                ui.style_mut().interaction.selectable_labels = false;
                if let Some(p) = &peer {
                    ui.label(p);
                }
            });
            row.col(|ui| {
                ui.style_mut().interaction.selectable_labels = false;
                if let Some(b) = &bytes {
                    ui.label(b);
                }
            });
        }
        row.col(|ui| {
            ui.style_mut().interaction.selectable_labels = false;
            if e.kind.is_data() {
                if is_expanded {
                    ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
                        if compact {
                            let n = bytes.clone().unwrap_or_default();
                            let text = match &peer {
                                Some(p) => trf("{peer} · {n} bytes", &[("peer", p), ("n", &n)]),
                                None => trf("{n} bytes", &[("n", &n)]),
                            };
                            ui.label(RichText::new(text).weak());
                        }
                        expanded_cell_ui(ui, model, index, e, encoding);
                    });
                } else {
                    data_cell_ui(ui, view, e, encoding);
                }
            } else if e.kind == EntryKind::Failed {
                ui.colored_label(ui.visuals().error_fg_color, model.log.message(index));
            } else {
                ui.label(model.log.message(index));
            }
        });
        let response = row.response();
        if response.clicked() && e.kind.is_data() {
            clicked = Some(index);
        }
        response.context_menu(|ui| {
            row_menu_ui(ui, model, index, e, encoding, state, &mut menu_actions);
        });
    };
    table.body(|body| match expanded {
        None => body.rows(row_height, n, &mut draw_row),
        Some((er, h)) => body.heterogeneous_rows(
            (0..n).map(|r| if r == er { h } else { row_height }),
            &mut draw_row,
        ),
    });
    if let Some(i) = clicked {
        state.expanded = if state.expanded == Some(i) {
            None
        } else {
            Some(i)
        };
    }
    actions.extend(menu_actions);
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_forms() {
        assert_eq!(
            crate::model::pygen::py_bytes(b"GET /\r\n\x00'\\"),
            r"b'GET /\r\n\x00\'\\'"
        );
        assert_eq!(c_array(&[1, 3, 0xAB]), "{ 0x01, 0x03, 0xAB }");
        assert_eq!(c_array(&[0; 17]).lines().count(), 4);
        assert_eq!(
            hex_dump_line(b"Hello\x00", 16, 16),
            "00000010  48 65 6C 6C 6F 00                                 |Hello.|"
        );
    }
}
