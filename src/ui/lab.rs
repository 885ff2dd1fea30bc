//! The sticky-packet (粘包) lab: how a TCP byte stream really arrived. Each
//! `recv()` is drawn with its size and boundaries, side by side with the
//! sends that made the bytes (when the sender is a socket in Sockbench too),
//! and a framing decoder splits the stream back into messages, which a
//! `struct` format can decode into fields. Knobs: the `recv()` size and
//! `TCP_NODELAY`.

use eframe::egui::{self, Color32, RichText, Stroke};

use crate::codec::escape::unescape_utf8;
use crate::codec::framing::{Framing, LengthWidth};
use crate::codec::pack::{Format, parse_format, unpack};
use crate::codec::text::decode_display;
use crate::engine::{Addr, SockOption, SocketId};
use crate::i18n::{tr, trf};
use crate::model::Model;
use crate::model::lab::{Framed, Part, Span, sends_in};
use crate::model::session::Session;

use super::{Action, error_color, labelled_text_edit};

/// Which framing the decoder uses.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum FramingKind {
    /// None: each `recv()` taken as a message (the mistake the lab shows).
    #[default]
    None,
    /// Messages end with a delimiter.
    Delimiter,
    /// A length header before each message.
    LengthPrefix,
    /// Every message has the same size.
    Fixed,
}

impl FramingKind {
    /// Every kind, in menu order.
    pub const ALL: [FramingKind; 4] = [
        FramingKind::None,
        FramingKind::Delimiter,
        FramingKind::LengthPrefix,
        FramingKind::Fixed,
    ];

    /// The name shown.
    pub fn label(self) -> &'static str {
        match self {
            FramingKind::None => tr("None (each recv() is a message)"),
            FramingKind::Delimiter => tr("Delimiter"),
            FramingKind::LengthPrefix => tr("Length prefix"),
            FramingKind::Fixed => tr("Fixed size"),
        }
    }
}

/// The recv sizes offered (like `recv(1024)`).
pub const RECV_SIZES: [usize; 9] = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536];

/// The lab's settings, shared with the composer (which can add the header).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct LabSettings {
    /// The framing in use.
    pub kind: FramingKind,
    /// The delimiter, with escapes (`\n`, `\r\n`, `\x00`).
    pub delimiter: String,
    /// The length header's size.
    pub width: LengthWidth,
    /// Network order (`!`) or little-endian (`<`).
    pub big_endian: bool,
    /// Whether the length counts the header too.
    pub includes_header: bool,
    /// The fixed message size, as typed.
    pub fixed_size: String,
    /// A `struct` format to decode each message with (empty: none).
    pub struct_format: String,
    /// How long "Pause reading" stops `recv()`, in ms (0: until resumed).
    pub pause_ms: u32,
}

impl Default for LabSettings {
    fn default() -> Self {
        LabSettings {
            kind: FramingKind::None,
            delimiter: "\\n".into(),
            width: LengthWidth::W4,
            big_endian: true,
            includes_header: false,
            fixed_size: "8".into(),
            struct_format: String::new(),
            pause_ms: 0,
        }
    }
}

impl LabSettings {
    /// The framing chosen, or why the settings do not make one.
    pub fn framing(&self) -> Result<Framing, String> {
        let f = match self.kind {
            FramingKind::None => Framing::None,
            FramingKind::Delimiter => Framing::Delimiter {
                delimiter: unescape_utf8(&self.delimiter)
                    .map_err(|e| trf("Delimiter: {e}", &[("e", &e)]))?,
                keep_delimiter: false,
            },
            FramingKind::LengthPrefix => Framing::LengthPrefix {
                width: self.width,
                big_endian: self.big_endian,
                includes_header: self.includes_header,
            },
            FramingKind::Fixed => Framing::Fixed {
                size: self.fixed_size.trim().parse().map_err(|_| {
                    trf(
                        "Fixed size: \"{v}\" is not a whole number of bytes",
                        &[("v", &self.fixed_size)],
                    )
                })?,
            },
        };
        f.validate().map_err(|e| e.to_string())?;
        Ok(f)
    }

    /// The same framing written as Python: `struct.pack('!I', len(data)) + data`.
    pub fn python_hint(&self) -> Option<String> {
        match self.kind {
            FramingKind::LengthPrefix => {
                let order = if self.big_endian { '!' } else { '<' };
                let code = match self.width {
                    LengthWidth::W1 => 'B',
                    LengthWidth::W2 => 'H',
                    LengthWidth::W4 => 'I',
                    LengthWidth::W8 => 'Q',
                };
                let plus = if self.includes_header {
                    format!(" + {}", self.width.bytes())
                } else {
                    String::new()
                };
                Some(format!(
                    "struct.pack('{order}{code}', len(data){plus}) + data"
                ))
            }
            FramingKind::Delimiter => Some(format!("data + b'{}'", self.delimiter)),
            _ => None,
        }
    }
}

/// The socket in Sockbench at the other end of `s`'s connection, if any.
pub fn peer_session<'a>(model: &'a Model, s: &Session) -> Option<&'a Session> {
    let (local, peer) = (s.local.as_ref()?, s.peer.as_ref()?);
    model
        .sessions
        .values()
        .find(|o| {
            o.id != s.id
                && o.kind.is_stream()
                && o.local.as_ref() == Some(peer)
                && o.peer.as_ref() == Some(local)
        })
        .map(|o| &**o)
}

/// Draws the lab for the selected socket.
pub fn lab_ui(
    ui: &mut egui::Ui,
    model: &Model,
    lab: &mut LabSettings,
    composer_format: &str,
    selected: Option<SocketId>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let Some(s) = selected.and_then(|id| model.sessions.get(&id)) else {
        ui.label(tr("Select a TCP connection on the left (a client, or one a listener accepted) to see how its bytes arrived."));
        return actions;
    };
    if !s.kind.is_datagram() {
        ui.label(
            RichText::new(tr("TCP is a byte stream: it keeps the bytes in order but not the sender's message boundaries. Three quick sends may arrive as one recv() (粘包, sticky packets), and one send may be split over two. A protocol marks its own messages: a delimiter, a length prefix or a fixed size."))
                .weak(),
        );
    }
    knobs(ui, s, &mut actions);
    if !s.kind.is_listener() && !s.state.is_closed() {
        reading_knobs(ui, s, lab, &mut actions);
    }
    if s.kind.is_stream() && !s.state.is_closed() {
        // Each read the picture shows is one real recv() of the chosen
        // size: asking for the size makes the engine read exactly so.
        let asked = egui::Id::unique(("lab-exact-reads", s.id));
        if !s.recv_size_chosen
            && !ui
                .ctx()
                .data(|d| d.get_temp::<bool>(asked).unwrap_or(false))
        {
            ui.ctx().data_mut(|d| d.insert_temp(asked, true));
            actions.push(Action::Configure {
                id: s.id,
                option: SockOption::RecvSize(s.recv_size),
            });
        }
    }
    ui.separator();
    if s.kind.is_datagram() {
        datagram_picture(ui, model, s);
        return actions;
    }
    framing_form(ui, lab, composer_format);
    let framing = lab.framing();
    if let Err(e) = &framing {
        ui.colored_label(error_color(ui), e);
    }
    let format = if lab.struct_format.trim().is_empty() {
        None
    } else {
        match parse_format(&lab.struct_format) {
            Ok(f) => Some(f),
            Err(e) => {
                ui.colored_label(error_color(ui), trf("Struct format: {e}", &[("e", &e)]));
                None
            }
        }
    };
    ui.separator();
    if !s.kind.is_stream() {
        ui.label(tr("The lab shows stream connections (TCP or Unix): select a client or an accepted connection (a listener's connections are under it)."));
        return actions;
    }
    let peer = peer_session(model, s);
    let framed = match &framing {
        Ok(f) if *f != Framing::None => Some((f, s.lab.messages(f, &model.log))),
        _ => None,
    };
    stream_picture(ui, s, peer, framed.as_ref().map(|(f, m)| (*f, m)));
    ui.columns(2, |cols| {
        recv_table(&mut cols[0], s, peer);
        messages_table(
            &mut cols[1],
            s,
            framed.as_ref().map(|(_, m)| m),
            format.as_ref(),
        );
    });
    actions
}

fn knobs(ui: &mut egui::Ui, s: &Session, actions: &mut Vec<Action>) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(s.title()).strong());
        ui.separator();
        let mut size = s.recv_size;
        let l = ui.label(tr("recv() size"));
        egui::ComboBox::from_id_salt("lab-recv-size")
            .selected_text(format!("recv({size})"))
            .show_ui(ui, |ui| {
                for n in RECV_SIZES {
                    ui.selectable_value(&mut size, n, format!("recv({n})"));
                }
            })
            .response
            .labelled_by(l.id)
            .on_hover_text(tr("How many bytes each recv() asks for. A smaller size splits the stream into more, smaller reads."));
        if size != s.recv_size && !s.state.is_closed() {
            actions.push(Action::Configure {
                id: s.id,
                option: SockOption::RecvSize(size),
            });
        }
        if s.kind.is_tcp() {
            let mut nodelay = s.nodelay.unwrap_or(false);
            if ui
                .add_enabled(
                    !s.state.is_closed(),
                    egui::Checkbox::new(&mut nodelay, "TCP_NODELAY"),
                )
                .on_hover_text(tr("On: small writes go out at once. Off (the default): Nagle's algorithm may hold a small write back to merge it with the next."))
                .changed()
            {
                actions.push(Action::Configure {
                    id: s.id,
                    option: SockOption::NoDelay(nodelay),
                });
            }
        }
        if s.kind.is_listener() {
            ui.label(RichText::new(tr("(set on the listener: its connections take it)")).weak());
        }
    });
}

/// Pause reading: stop calling `recv()` so sends pile up in the kernel and
/// the next `recv()` returns them together.
fn reading_knobs(ui: &mut egui::Ui, s: &Session, lab: &mut LabSettings, actions: &mut Vec<Action>) {
    ui.horizontal_wrapped(|ui| {
        if s.reading_paused {
            if ui.button(tr("Resume reading")).clicked() {
                actions.push(Action::ResumeReading(s.id));
            }
            ui.label(
                RichText::new(tr(
                    "recv() is not called: what arrives waits in the kernel's receive buffer, and the next recv() takes it together",
                ))
                .strong(),
            );
        } else {
            if ui
                .button(tr("Pause reading"))
                .on_hover_text(tr("Stop calling recv(): send a few messages, then resume, and one recv() returns them stuck together (粘包)"))
                .clicked()
            {
                let for_ = (lab.pause_ms > 0)
                    .then(|| std::time::Duration::from_millis(u64::from(lab.pause_ms)));
                actions.push(Action::PauseReading { id: s.id, for_ });
            }
            let l = ui.label(tr("for (ms, 0: until resumed)"));
            ui.add(egui::DragValue::new(&mut lab.pause_ms).range(0..=600_000))
                .labelled_by(l.id);
        }
    });
}

/// The framing decoder's settings.
pub fn framing_form(ui: &mut egui::Ui, lab: &mut LabSettings, composer_format: &str) {
    ui.horizontal_wrapped(|ui| {
        let l = ui.label(tr("Framing"));
        egui::ComboBox::from_id_salt("lab-framing")
            .selected_text(lab.kind.label())
            .show_ui(ui, |ui| {
                for k in FramingKind::ALL {
                    ui.selectable_value(&mut lab.kind, k, k.label());
                }
            })
            .response
            .labelled_by(l.id);
        match lab.kind {
            FramingKind::None => {}
            FramingKind::Delimiter => {
                labelled_text_edit(ui, tr("Delimiter"), &mut lab.delimiter, "\\n", 60.0)
                    .on_hover_text(tr("Escapes allowed: \\n, \\r\\n, \\x00"));
            }
            FramingKind::LengthPrefix => {
                let l = ui.label(tr("Header"));
                egui::ComboBox::from_id_salt("lab-width")
                    .selected_text(trf("{n} bytes", &[("n", &lab.width.bytes())]))
                    .show_ui(ui, |ui| {
                        for w in LengthWidth::ALL {
                            ui.selectable_value(
                                &mut lab.width,
                                w,
                                trf("{n} bytes", &[("n", &w.bytes())]),
                            );
                        }
                    })
                    .response
                    .labelled_by(l.id);
                ui.selectable_value(&mut lab.big_endian, true, tr("big-endian (!)"));
                ui.selectable_value(&mut lab.big_endian, false, tr("little-endian (<)"));
                ui.checkbox(&mut lab.includes_header, tr("length counts the header"));
            }
            FramingKind::Fixed => {
                labelled_text_edit(ui, tr("Message size"), &mut lab.fixed_size, "8", 60.0);
            }
        }
        if let Some(py) = lab.python_hint() {
            ui.label(
                RichText::new(trf("Python: {code}", &[("code", &py)]))
                    .monospace()
                    .weak(),
            );
        }
    });
    ui.horizontal(|ui| {
        labelled_text_edit(
            ui,
            tr("Decode messages with struct format"),
            &mut lab.struct_format,
            "!HI10s",
            120.0,
        );
        if !composer_format.is_empty()
            && lab.struct_format != composer_format
            && ui
                .button(tr("Use the composer's format"))
                .on_hover_text(composer_format)
                .clicked()
        {
            lab.struct_format = composer_format.to_owned();
        }
    });
}

/// Colours for alternating segments (white text reads on both).
fn segment_color(n: u64) -> Color32 {
    if n.is_multiple_of(2) {
        Color32::from_rgb(0x2f, 0x5d, 0x8a)
    } else {
        Color32::from_rgb(0x2e, 0x6f, 0x5e)
    }
}

/// The colour of a length header or delimiter inside a message.
const FRAMING_BYTES: Color32 = Color32::from_rgb(0x6b, 0x6b, 0x6b);

/// Where a message's framing bytes sit: the header before its payload, or
/// the delimiter after it.
fn framing_extent(framing: &Framing, start: u64, len: u64) -> (u64, u64) {
    match framing {
        Framing::LengthPrefix { width, .. } => {
            (start.saturating_sub(width.bytes() as u64), start + len)
        }
        Framing::Delimiter {
            delimiter,
            keep_delimiter: false,
        } => (start, start + len + delimiter.len() as u64),
        _ => (start, start + len),
    }
}

/// A labelled segment `[start, end)` of the stream, and where its payload
/// lies inside it (for messages: the rest is header or delimiter).
type Segment = (u64, u64, String, Option<(u64, u64)>);

/// Rows of segments over the same stretch of the stream: the peer's sends,
/// our `recv()`s and the decoded messages.
fn stream_picture(
    ui: &mut egui::Ui,
    s: &Session,
    peer: Option<&Session>,
    framed: Option<(&Framing, &Framed)>,
) {
    let recvs = s.lab.recvs();
    if recvs.is_empty() {
        ui.label(tr("Nothing received yet. Send a few messages quickly to this connection (the composer's ×N sends them back-to-back)."));
        return;
    }
    // The last 24 reads, at most.
    let first = recvs.len().saturating_sub(24);
    let start = recvs[first].offset;
    let end = s.lab.bytes_in();
    let span = (end - start).max(1) as f32;
    let label_w = 120.0;
    let row_h = 22.0;
    let mut rows: Vec<(String, Vec<Segment>)> = Vec::new();
    if let Some(p) = peer {
        let sends: Vec<_> = p
            .lab
            .sends()
            .iter()
            .filter(|x| x.end() > start && x.offset < end)
            .map(|x| (x.offset, x.end(), trf("send {n}", &[("n", &x.seq)]), None))
            .collect();
        rows.push((trf("{id} sent", &[("id", &p.id)]), sends));
    }
    rows.push((
        tr("recv() calls").to_owned(),
        recvs
            .iter()
            .skip(first)
            .map(|x| (x.offset, x.end(), trf("recv {n}", &[("n", &x.seq)]), None))
            .collect(),
    ));
    if let Some((framing, f)) = framed {
        rows.push((
            tr("messages").to_owned(),
            f.messages
                .iter()
                .enumerate()
                .filter_map(|(i, m)| {
                    let len = m.bytes.len() as u64;
                    let (a, b) = framing_extent(framing, m.start, len);
                    (b > start && a < end).then(|| {
                        (
                            a,
                            b,
                            trf("msg {n}", &[("n", &(i + 1))]),
                            Some((m.start, m.start + len)),
                        )
                    })
                })
                .collect(),
        ));
    }
    let width = ui.available_width().max(label_w + 100.0);
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(width, row_h * rows.len() as f32 + 18.0),
        egui::Sense::hover(),
    );
    let painter = ui.painter_at(rect);
    let text_color = ui.visuals().text_color();
    let on_fill = Color32::WHITE;
    let bar_x0 = rect.left() + label_w;
    let bar_w = rect.width() - label_w - 4.0;
    let x_of = |off: u64| bar_x0 + (off.saturating_sub(start) as f32 / span).min(1.0) * bar_w;
    let font = egui::FontId::proportional(11.0);
    for (row, (name, segs)) in rows.iter().enumerate() {
        let y0 = rect.top() + row as f32 * row_h;
        painter.text(
            egui::pos2(rect.left(), y0 + row_h / 2.0),
            egui::Align2::LEFT_CENTER,
            name,
            font.clone(),
            text_color,
        );
        for (i, (a, b, label, payload)) in segs.iter().enumerate() {
            let r = egui::Rect::from_min_max(
                egui::pos2(x_of(*a), y0 + 2.0),
                egui::pos2(x_of(*b).max(x_of(*a) + 1.0), y0 + row_h - 2.0),
            );
            let mut text_rect = r;
            if let Some((pa, pb)) = payload {
                // Framing bytes in grey, the payload in colour.
                painter.rect_filled(r, 2.0, FRAMING_BYTES);
                text_rect = egui::Rect::from_x_y_ranges(
                    x_of(*pa)..=x_of(*pb).max(x_of(*pa) + 1.0),
                    r.y_range(),
                );
                painter.rect_filled(text_rect, 0.0, segment_color(i as u64));
            } else {
                painter.rect_filled(r, 2.0, segment_color(i as u64));
            }
            painter.rect_stroke(
                r,
                2.0,
                Stroke::new(1.0, text_color),
                egui::StrokeKind::Inside,
            );
            let galley = painter.layout_no_wrap(label.clone(), font.clone(), on_fill);
            if galley.size().x + 4.0 < text_rect.width() {
                painter.galley(text_rect.center() - galley.size() / 2.0, galley, on_fill);
            }
        }
    }
    let y = rect.top() + rows.len() as f32 * row_h + 2.0;
    painter.text(
        egui::pos2(bar_x0, y),
        egui::Align2::LEFT_TOP,
        trf("byte {n}", &[("n", &start)]),
        font.clone(),
        text_color,
    );
    painter.text(
        egui::pos2(bar_x0 + bar_w, y),
        egui::Align2::RIGHT_TOP,
        trf("byte {n}", &[("n", &end)]),
        font,
        text_color,
    );
}

/// Whether a datagram sent to `to` reaches a socket bound to `local`
/// (also when it is bound to every address, `0.0.0.0` or `::`).
fn addressed_to(to: Option<&Addr>, local: Option<&Addr>) -> bool {
    match (to, local) {
        (Some(Addr::Ip(t)), Some(Addr::Ip(l))) => {
            t == l || (l.ip().is_unspecified() && t.port() == l.port())
        }
        (Some(t), Some(l)) => t == l,
        _ => false,
    }
}

/// One datagram as the picture draws it.
struct DgramRow {
    /// Its `recvfrom()`'s number.
    seq: u64,
    /// Bytes kept.
    len: usize,
    /// The matching `sendto()`'s size, when the sender is a Sockbench socket.
    sent: Option<usize>,
    /// Cut by a small `recv` size.
    cut: bool,
    /// Its whole size, where the kernel said.
    whole: Option<usize>,
}

/// The UDP (or Unix datagram) picture: each datagram received, one
/// `recvfrom()` each, under the `sendto()` that made it when the sender is
/// a Sockbench socket; what a small `recv` size cut off, in grey.
fn datagram_picture(ui: &mut egui::Ui, model: &Model, s: &Session) {
    ui.label(
        RichText::new(tr("UDP keeps message boundaries: each sendto() is one datagram, and each recvfrom() returns exactly one, never two stuck together and never half of one. A recv size smaller than the datagram cuts it: the rest is thrown away (MSG_TRUNC)."))
            .weak(),
    );
    let got = s.lab.datagrams_in();
    if got.is_empty() {
        ui.label(tr("Nothing received yet. Send a few datagrams to this socket quickly (the composer's ×N sends them back-to-back)."));
        return;
    }
    let truncated = got.iter().filter(|d| d.truncated).count();
    ui.label(trf(
        "{n} datagrams kept, {t} of them cut off by recvfrom({size})",
        &[("n", &got.len()), ("t", &truncated), ("size", &s.recv_size)],
    ));
    // Each sender that is a Sockbench socket: its sends to this socket.
    let sends_of = |from: &Addr| -> Vec<usize> {
        model
            .sessions
            .values()
            .find(|o| o.id != s.id && o.kind.is_datagram() && o.local.as_ref() == Some(from))
            .map(|o| {
                o.lab
                    .datagrams_out()
                    .iter()
                    .filter(|d| addressed_to(d.peer.as_ref(), s.local.as_ref()))
                    .map(|d| d.len)
                    .collect()
            })
            .unwrap_or_default()
    };
    // The newest 12; each matched with its sender's send counting from the
    // newest (loopback loses none).
    let first = got.len().saturating_sub(12);
    let mut rows: Vec<DgramRow> = Vec::new();
    let mut senders: Vec<(Addr, Vec<usize>, usize)> = Vec::new();
    for d in got.iter().rev() {
        let sent = d.peer.as_ref().and_then(|p| {
            let i = match senders.iter().position(|(a, _, _)| a == p) {
                Some(i) => i,
                None => {
                    senders.push((p.clone(), sends_of(p), 0));
                    senders.len() - 1
                }
            };
            let (_, lens, used) = &mut senders[i];
            let len = lens.len().checked_sub(*used + 1).map(|k| lens[k]);
            *used += 1;
            len
        });
        rows.push(DgramRow {
            seq: d.seq,
            len: d.len,
            sent,
            cut: d.truncated,
            whole: d.whole,
        });
        if rows.len() == got.len() - first {
            break;
        }
    }
    rows.reverse();
    // A cut datagram whose whole size is unknown (the kernel did not say,
    // and its sender is not a Sockbench socket) gets a tail half its kept
    // length.
    let tail = |n: usize| (n / 2).max(1);
    let max = rows
        .iter()
        .map(|r| match (r.whole.or(r.sent), r.cut) {
            (Some(s), _) => r.len.max(s),
            (None, true) => r.len + tail(r.len),
            (None, false) => r.len,
        })
        .max()
        .unwrap_or(1)
        .max(1) as f32;
    let label_w = 120.0;
    let row_h = 34.0;
    let width = ui.available_width().max(label_w + 100.0);
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(width, row_h * rows.len() as f32),
        egui::Sense::hover(),
    );
    let painter = ui.painter_at(rect);
    let text_color = ui.visuals().text_color();
    let font = egui::FontId::proportional(11.0);
    let bar_x0 = rect.left() + label_w;
    let bar_w = rect.width() - label_w - 4.0;
    let x_of = |n: usize| bar_x0 + (n as f32 / max).min(1.0) * bar_w;
    let boxed = |r: egui::Rect, fill: Color32, label: String| {
        painter.rect_filled(r, 2.0, fill);
        painter.rect_stroke(
            r,
            2.0,
            Stroke::new(1.0, text_color),
            egui::StrokeKind::Inside,
        );
        let galley = painter.layout_no_wrap(label, font.clone(), Color32::WHITE);
        if galley.size().x + 4.0 < r.width() {
            painter.galley(r.center() - galley.size() / 2.0, galley, Color32::WHITE);
        }
    };
    for (row, d) in rows.iter().enumerate() {
        let DgramRow {
            seq,
            len,
            sent,
            cut,
            whole,
        } = d;
        let y0 = rect.top() + row as f32 * row_h;
        let half = (row_h - 4.0) / 2.0;
        painter.text(
            egui::pos2(rect.left(), y0 + row_h / 2.0),
            egui::Align2::LEFT_CENTER,
            trf("recvfrom {n}", &[("n", seq)]),
            font.clone(),
            text_color,
        );
        if let Some(n) = sent {
            let r = egui::Rect::from_min_max(
                egui::pos2(bar_x0, y0 + 1.0),
                egui::pos2(x_of(*n).max(bar_x0 + 1.0), y0 + 1.0 + half),
            );
            boxed(
                r,
                segment_color(*seq + 1),
                trf("sendto: {n} bytes", &[("n", n)]),
            );
        }
        let y1 = y0 + 2.0 + half;
        let r = egui::Rect::from_min_max(
            egui::pos2(bar_x0, y1),
            egui::pos2(x_of(*len).max(bar_x0 + 1.0), y1 + half),
        );
        boxed(r, segment_color(*seq), trf("{n} bytes", &[("n", len)]));
        if *cut {
            let known = whole.or(*sent).filter(|n| n > len);
            let end = x_of(known.unwrap_or(len + tail(*len)));
            let lost =
                egui::Rect::from_min_max(egui::pos2(r.right(), y1), egui::pos2(end, y1 + half));
            let label = match known {
                Some(n) => trf("{n} bytes cut off (MSG_TRUNC)", &[("n", &(n - len))]),
                None => tr("cut off (MSG_TRUNC)").to_owned(),
            };
            boxed(lost, FRAMING_BYTES, label);
        }
    }
}

fn span_text(x: &Span) -> String {
    format!("{}–{}", x.offset, x.end())
}

fn recv_table(ui: &mut egui::Ui, s: &Session, peer: Option<&Session>) {
    ui.strong(tr("Each recv() as it happened"));
    let recvs = s.lab.recvs();
    egui::ScrollArea::vertical()
        .id_salt("lab-recvs")
        .max_height(260.0)
        .stick_to_bottom(true)
        .show(ui, |ui| {
            egui::Grid::new("lab-recv-grid").striped(true).show(ui, |ui| {
                ui.label("recv()");
                ui.label(tr("bytes"));
                ui.label(tr("stream bytes"));
                ui.label(tr("holds"));
                ui.end_row();
                for r in recvs.iter().rev().take(200).rev() {
                    ui.monospace(format!("#{}", r.seq));
                    ui.monospace(r.len.to_string());
                    ui.monospace(span_text(r));
                    match peer {
                        Some(p) => {
                            let parts = sends_in(r, p.lab.sends());
                            let text: Vec<String> = parts
                                .iter()
                                .map(|(n, part)| match part {
                                    Part::Whole => trf("send {n}", &[("n", n)]),
                                    Part::Piece => trf("part of send {n}", &[("n", n)]),
                                })
                                .collect();
                            let merged = parts.iter().filter(|(_, p)| *p == Part::Whole).count();
                            let t = text.join(", ");
                            if merged > 1 {
                                ui.label(RichText::new(t).strong())
                                    .on_hover_text(tr("Several sends arrived in one recv(): their boundaries are gone."));
                            } else {
                                ui.label(t);
                            }
                        }
                        None => {
                            ui.label(RichText::new(tr("(sender not in Sockbench)")).weak());
                        }
                    }
                    ui.end_row();
                }
            });
        });
}

fn messages_table(
    ui: &mut egui::Ui,
    s: &Session,
    framed: Option<&Framed>,
    format: Option<&Format>,
) {
    ui.strong(tr("Messages after framing"));
    let Some(f) = framed else {
        ui.label(
            RichText::new(tr(
                "Choose a framing above to split the stream into the sender's messages.",
            ))
            .weak(),
        );
        return;
    };
    if f.start > 0 && f.start == s.lab.bytes_in() {
        ui.label(
            RichText::new(tr(
                "The log no longer holds these bytes (evicted, or Counts only is on): nothing to split.",
            ))
            .weak(),
        );
    } else if f.start > 0 {
        ui.label(
            RichText::new(trf(
                "Older bytes are no longer kept: splitting starts at byte {n}, maybe mid-message.",
                &[("n", &f.start)],
            ))
            .weak(),
        );
    }
    if let Some(e) = &f.error {
        ui.colored_label(
            error_color(ui),
            trf("The stream does not fit this framing: {e}", &[("e", &e)]),
        );
    }
    egui::ScrollArea::vertical()
        .id_salt("lab-messages")
        .max_height(260.0)
        .stick_to_bottom(true)
        .show(ui, |ui| {
            egui::Grid::new("lab-msg-grid")
                .striped(true)
                .show(ui, |ui| {
                    ui.label(tr("message"));
                    ui.label(tr("bytes"));
                    ui.label(tr("content"));
                    ui.end_row();
                    let skip = f.messages.len().saturating_sub(200);
                    for (i, m) in f.messages.iter().enumerate().skip(skip) {
                        ui.monospace(format!("#{}", i + 1));
                        ui.monospace(m.bytes.len().to_string());
                        let content = match format {
                            Some(fmt) => match unpack(fmt, &m.bytes) {
                                Ok(values) => values
                                    .iter()
                                    .map(ToString::to_string)
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                Err(e) => e.to_string(),
                            },
                            None => {
                                let shown = &m.bytes[..m.bytes.len().min(200)];
                                decode_display(s.encoding, shown)
                            }
                        };
                        ui.monospace(content);
                        ui.end_row();
                    }
                });
        });
    if f.pending > 0 {
        ui.label(
            RichText::new(trf(
                "{n} bytes wait for the rest of their message.",
                &[("n", &f.pending)],
            ))
            .weak(),
        );
    }
}
