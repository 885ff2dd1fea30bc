//! The send composer: text (with escapes, a line ending and an encoding) or
//! hex; a live preview of the exact bytes; errors inline, and nothing sent
//! on an error; Ctrl+Enter sends; up/down arrows walk the history.

use eframe::egui::{self, Key, Modifiers, RichText};

use crate::codec::compose::{InputMode, LineEnding, build_payload};
use crate::codec::framing::{Framing, frame};
use crate::codec::hex::format_hex;
use crate::codec::pack::{pack, parse_format, parse_values};
use crate::codec::text::TextEncoding;
use crate::engine::{Addr, MAX_UDP_PAYLOAD_BYTES, MAX_UDP6_PAYLOAD_BYTES, SocketId, SocketKind};
use crate::model::Model;
use crate::model::spec::{Field, parse_socket_addr, parse_unix_addr};

use super::{Action, error_color, human_bytes, labelled_combo_salted, labelled_text_edit};
use crate::i18n::{tr, trf};

/// History entries kept.
const HISTORY_MAX: usize = 100;
/// The most copies one click sends back-to-back.
pub const MAX_REPEAT: u32 = 1000;
/// Payloads up to this size get a live preview as they are typed.
const PREVIEW_MAX_INPUT: usize = 64 * 1024;
/// Payloads up to this size are edited in the text box. A longer one (a big
/// paste) is kept as it is and shown as a summary: laying out megabytes of
/// text takes seconds, again on every change (and on every frame while a
/// screen reader is on), and it is not remembered in the (saved) history.
const EDITOR_MAX_INPUT: usize = 256 * 1024;

/// One remembered payload: its text and how it was read, so recalling a
/// hex payload brings back Hex, not Text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(from = "StoredEntry")]
pub struct HistoryEntry {
    /// What was typed.
    pub text: String,
    /// Text or hex.
    pub mode: InputMode,
    /// Packed with the struct format.
    pub struct_mode: bool,
    /// The line ending appended to text.
    pub line_ending: LineEnding,
}

/// A history entry as stored: settings saved before entries kept their
/// mode hold plain strings (read as text with no line ending).
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum StoredEntry {
    Full {
        text: String,
        mode: InputMode,
        #[serde(default)]
        struct_mode: bool,
        #[serde(default)]
        line_ending: LineEnding,
    },
    Text(String),
}

impl From<StoredEntry> for HistoryEntry {
    fn from(e: StoredEntry) -> Self {
        match e {
            StoredEntry::Full {
                text,
                mode,
                struct_mode,
                line_ending,
            } => HistoryEntry {
                text,
                mode,
                struct_mode,
                line_ending,
            },
            StoredEntry::Text(text) => HistoryEntry {
                text,
                mode: InputMode::Text,
                struct_mode: false,
                line_ending: LineEnding::None,
            },
        }
    }
}

/// The composer's state.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Composer {
    /// What the user typed.
    #[serde(skip)]
    pub text: String,
    /// Text or hex.
    pub mode: InputMode,
    /// How text is encoded when no socket is selected (a selected socket
    /// has one encoding for what it shows and what it sends).
    pub encoding: TextEncoding,
    /// Appended to text payloads.
    pub line_ending: LineEnding,
    /// Whether `\r \n \t \\ \0 \xNN` are read as escapes.
    pub escapes: bool,
    /// The selected datagram socket's destination (empty: its default
    /// peer). Each socket keeps its own (see `dests`).
    #[serde(skip)]
    pub udp_to: String,
    /// Each socket's destination while another is selected.
    #[serde(skip)]
    dests: std::collections::HashMap<SocketId, String>,
    /// The socket `udp_to` belongs to.
    #[serde(skip)]
    dest_for: Option<SocketId>,
    /// The last send's error, shown inline.
    #[serde(skip)]
    pub error: Option<String>,
    /// Sent payloads, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Position while walking the history.
    #[serde(skip)]
    history_pos: Option<usize>,
    /// Struct mode: the text is values packed with `struct_format`.
    pub struct_mode: bool,
    /// The `struct` format, e.g. `!HI10s`.
    pub struct_format: String,
    /// How many copies one click sends, back-to-back (each its own send).
    pub repeat: u32,
    /// Put the lab's framing header (or delimiter) around each payload.
    pub add_header: bool,
    /// The period of a periodic send, in milliseconds.
    pub every_ms: u32,
    /// How many sends a periodic send makes (0: until stopped).
    pub every_count: u64,
    /// The slow sender: bytes per `send()`.
    pub slow_piece: usize,
    /// The slow sender: milliseconds between sends.
    pub slow_gap_ms: u32,
}

impl Default for Composer {
    fn default() -> Self {
        Composer {
            text: String::new(),
            mode: InputMode::Text,
            encoding: TextEncoding::Utf8,
            line_ending: LineEnding::None,
            escapes: true,
            udp_to: String::new(),
            dests: std::collections::HashMap::new(),
            dest_for: None,
            error: None,
            history: Vec::new(),
            history_pos: None,
            struct_mode: false,
            struct_format: "!HI10s".into(),
            repeat: 1,
            add_header: false,
            every_ms: 1000,
            slow_piece: 1,
            slow_gap_ms: 100,
            every_count: 0,
        }
    }
}

impl Composer {
    /// The bytes of one payload: text, hex or a packed struct, then the
    /// framing header when asked for. Errors say exactly what is wrong.
    pub fn payload(
        &self,
        encoding: TextEncoding,
        framing: Option<&Framing>,
    ) -> Result<Vec<u8>, String> {
        let body = if self.struct_mode {
            let format = parse_format(&self.struct_format)
                .map_err(|e| trf("Struct format: {e}", &[("e", &e)]))?;
            let values = parse_values(&self.text).map_err(|e| trf("Values: {e}", &[("e", &e)]))?;
            pack(&format, &values).map_err(|e| e.to_string())?
        } else {
            build_payload(
                &self.text,
                self.mode,
                encoding,
                self.line_ending,
                self.escapes,
            )
            .map_err(|e| e.to_string())?
        };
        match framing {
            Some(f) if self.add_header && *f != Framing::None => {
                frame(f, &body).map_err(|e| trf("Framing: {e}", &[("e", &e)]))
            }
            _ => Ok(body),
        }
    }

    /// Builds the sends for `target` (`repeat` copies), or says exactly why not.
    pub fn prepare(
        &self,
        model: &Model,
        target: Option<SocketId>,
        framing: Option<&Framing>,
    ) -> Result<Vec<Action>, String> {
        let (id, to) = send_target(model, target, &self.udp_to)?;
        let encoding = model
            .sessions
            .get(&id)
            .map_or(self.encoding, |s| s.encoding);
        let bytes = self
            .payload(encoding, framing)
            .map_err(|e| trf("{e}; nothing was sent.", &[("e", &e)]))?;
        check_size(model, id, to.as_ref(), bytes.len())?;
        let n = self.repeat.clamp(1, MAX_REPEAT) as usize;
        Ok(vec![Action::Send { id, bytes, to }; n])
    }

    fn remember(&mut self) {
        let entry = HistoryEntry {
            text: self.text.clone(),
            mode: self.mode,
            struct_mode: self.struct_mode,
            line_ending: self.line_ending,
        };
        if self.history.last() != Some(&entry)
            && !self.text.is_empty()
            && self.text.len() <= EDITOR_MAX_INPUT
        {
            self.history.push(entry);
            if self.history.len() > HISTORY_MAX {
                self.history.remove(0);
            }
        }
        self.history_pos = None;
    }

    fn history_step(&mut self, back: bool) {
        if self.history.is_empty() {
            return;
        }
        let last = self.history.len() - 1;
        let pos = match (self.history_pos, back) {
            (None, true) => Some(last),
            (None, false) => None,
            (Some(p), true) => Some(p.saturating_sub(1)),
            (Some(p), false) if p >= last => None,
            (Some(p), false) => Some(p + 1),
        };
        self.history_pos = pos;
        match pos.and_then(|p| self.history.get(p).cloned()) {
            Some(e) => {
                self.text = e.text;
                self.mode = e.mode;
                self.struct_mode = e.struct_mode;
                self.line_ending = e.line_ending;
            }
            None => self.text.clear(),
        }
    }

    /// Aims the composer at `target`: its own destination comes back, the
    /// one typed for the socket before is kept for it.
    pub fn follow(&mut self, target: Option<SocketId>) {
        if self.dest_for == target {
            return;
        }
        if let Some(old) = self.dest_for {
            let d = std::mem::take(&mut self.udp_to);
            if d.is_empty() {
                self.dests.remove(&old);
            } else {
                self.dests.insert(old, d);
            }
        }
        self.udp_to = target
            .and_then(|t| self.dests.get(&t).cloned())
            .unwrap_or_default();
        self.dest_for = target;
    }

    /// Sets socket `id`'s destination (and aims the composer at it).
    pub fn set_destination(&mut self, id: SocketId, to: String) {
        self.follow(Some(id));
        self.udp_to = to;
    }
}

/// Where a send to `target` goes, or exactly why it cannot: the socket,
/// and for a datagram socket the destination typed in `send_to` (`None`:
/// its default peer).
pub fn send_target(
    model: &Model,
    target: Option<SocketId>,
    send_to: &str,
) -> Result<(SocketId, Option<Addr>), String> {
    let Some(id) = target else {
        return Err(tr("Select a socket in the list on the left to send to.").into());
    };
    let Some(s) = model.sessions.get(&id) else {
        return Err(trf("Socket {id} is gone; select another.", &[("id", &id)]));
    };
    if !s.can_send() {
        return Err(trf(
            "{socket} cannot send now: it is {state}; nothing was sent.",
            &[("socket", &s.title()), ("state", &s.state.label())],
        ));
    }
    if s.kind.is_listener() && model.open_children(id).is_empty() {
        return Err(trf(
            "{id} has no connected clients to send to; nothing was sent.",
            &[("id", &id)],
        ));
    }
    if !s.kind.is_datagram() {
        return Ok((id, None));
    }
    if send_to.trim().is_empty() {
        if s.default_peer.is_none() {
            return Err(if s.kind == SocketKind::UnixDgram {
                tr("Give a destination (Send to), or open the socket with a default peer; nothing was sent.")
            } else {
                tr("Give a destination (Send to), or open the UDP socket with a default peer; nothing was sent.")
            }
            .into());
        }
        return Ok((id, None));
    }
    let to = if s.kind == SocketKind::UnixDgram {
        Addr::Unix(
            parse_unix_addr(send_to, Field::Peer)
                .map_err(|e| trf("{e}; nothing was sent.", &[("e", &e)]))?,
        )
    } else {
        Addr::from(
            parse_socket_addr(send_to, Field::Peer)
                .map_err(|e| trf("{e}; nothing was sent.", &[("e", &e)]))?,
        )
    };
    Ok((id, Some(to)))
}

/// Checks that `len` bytes can go in one send on socket `id` to `to`: a
/// stream send is not empty, a UDP datagram fits.
pub fn check_size(
    model: &Model,
    id: SocketId,
    to: Option<&Addr>,
    len: usize,
) -> Result<(), String> {
    let Some(s) = model.sessions.get(&id) else {
        return Err(trf("Socket {id} is gone; select another.", &[("id", &id)]));
    };
    if s.kind == SocketKind::Udp {
        let v6 = to
            .and_then(Addr::ip)
            .or(s.default_peer.as_ref().and_then(Addr::ip))
            .is_some_and(|a| a.is_ipv6());
        let max = if v6 {
            MAX_UDP6_PAYLOAD_BYTES
        } else {
            MAX_UDP_PAYLOAD_BYTES
        };
        if len > max {
            return Err(trf(
                "{n} bytes is too long for one UDP datagram (at most {max} over IPv{v}); nothing was sent.",
                &[("n", &len), ("max", &max), ("v", &if v6 { 6 } else { 4 })],
            ));
        }
    } else if !s.kind.is_datagram() && len == 0 {
        return Err(tr("Nothing to send: the payload is empty.").into());
    }
    Ok(())
}

fn target_text(model: &Model, target: Option<SocketId>) -> String {
    let Some(s) = target.and_then(|id| model.sessions.get(&id)) else {
        return tr("Send to: (select a socket)").into();
    };
    if s.kind.is_listener() {
        trf(
            "Send to: all {n} clients of {id}",
            &[("n", &model.open_children(s.id).len()), ("id", &s.id)],
        )
    } else {
        trf("Send to: {socket}", &[("socket", &s.title())])
    }
}

/// Draws the composer. Returns a send when the user asked for one and the
/// payload is good; otherwise shows why not.
pub fn composer_ui(
    ui: &mut egui::Ui,
    c: &mut Composer,
    model: &Model,
    target: Option<SocketId>,
    framing: Option<&Framing>,
) -> Vec<Action> {
    let editor_id = egui::Id::unique("composer-payload");
    let focused = ui.memory(|m| m.has_focus(editor_id));
    let mut send = focused && ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Enter));
    let target_kind = target
        .and_then(|id| model.sessions.get(&id))
        .map(|s| s.kind);

    c.follow(target);
    let session = target.and_then(|id| model.sessions.get(&id));
    let mut encoding = session.map_or(c.encoding, |s| s.encoding);
    let mut actions = Vec::new();

    ui.label(RichText::new(target_text(model, target)).strong());
    // One toolbar whatever the mode and the socket: controls that do not
    // apply are disabled, not removed, so nothing moves.
    ui.horizontal_wrapped(|ui| {
        for m in InputMode::ALL {
            if ui
                .selectable_label(!c.struct_mode && c.mode == m, m.label())
                .clicked()
            {
                c.mode = m;
                c.struct_mode = false;
            }
        }
        if ui
            .selectable_label(c.struct_mode, tr("Struct"))
            .on_hover_text(tr("Pack values with a Python struct format, e.g. !HI10s with 1, 2, b'hello'"))
            .clicked()
        {
            c.struct_mode = true;
        }
        ui.separator();
        ui.add_enabled_ui(c.mode == InputMode::Text && !c.struct_mode, |ui| {
            let changed = labelled_combo_salted(
                ui,
                "composer-encoding",
                tr("Encoding"),
                &mut encoding,
                &TextEncoding::ALL,
                TextEncoding::label,
            )
            .on_hover_text(tr(
                "The selected socket's encoding: for the text it sends and the text it shows",
            ))
            .changed();
            if changed {
                match target {
                    Some(id) => actions.push(Action::SetEncoding { id, encoding }),
                    None => c.encoding = encoding,
                }
            }
            labelled_combo_salted(
                ui,
                "composer-line-ending",
                tr("Line ending"),
                &mut c.line_ending,
                &LineEnding::ALL,
                LineEnding::label,
            );
            ui.checkbox(&mut c.escapes, tr("Escapes"))
                .on_hover_text(tr("\\r \\n \\t \\\\ \\0 and \\xNN (a raw byte)"));
        });
        ui.separator();
        ui.add_enabled_ui(c.struct_mode, |ui| {
            labelled_text_edit(ui, tr("Struct format"), &mut c.struct_format, "!HI10s", 90.0);
        });
        ui.separator();
        let unix = target_kind == Some(SocketKind::UnixDgram);
        ui.add_enabled_ui(target_kind.is_some_and(SocketKind::is_datagram), |ui| {
            labelled_text_edit(
                ui,
                if unix {
                    tr("Destination path")
                } else {
                    tr("UDP destination")
                },
                &mut c.udp_to,
                tr("default peer"),
                150.0,
            )
            .on_disabled_hover_text(tr("Only a datagram socket sends to a destination of its choosing"));
        });
        // Offered once a framing is chosen in the lab.
        if framing.is_some_and(|f| *f != Framing::None) {
            ui.separator();
            ui.checkbox(&mut c.add_header, tr("Add the lab's framing"))
                .on_hover_text(tr("Put the length header (or the delimiter) chosen in the sticky-packet lab around each payload"));
        }
    });

    // Text that would make the payload too long to edit goes around the
    // editor (see EDITOR_MAX_INPUT), appended to the payload.
    if focused {
        let text = &mut c.text;
        let took = ui.input_mut(|i| {
            let before = i.events.len();
            i.events.retain(|e| match e {
                egui::Event::Paste(s) | egui::Event::Text(s)
                    if text.len().saturating_add(s.len()) > EDITOR_MAX_INPUT =>
                {
                    text.push_str(s);
                    false
                }
                _ => true,
            });
            i.events.len() != before
        });
        if took {
            c.error = None;
        }
    }

    ui.horizontal(|ui| {
        let hint = match c.mode {
            _ if c.struct_mode => tr("Values, comma-separated: 1, 2, b'hello'. Ctrl+Enter sends"),
            InputMode::Text => tr("Text to send. Ctrl+Enter sends; ↑/↓ recall history"),
            InputMode::Hex => tr("Hex bytes: 48 65 6C, 48656c or 0x48,0x65. Ctrl+Enter sends"),
        };
        let l = ui.label(tr("Payload"));
        if c.text.len() > EDITOR_MAX_INPUT {
            ui.label(trf(
                "{size} pasted: too large to edit here; Send sends it as it is",
                &[("size", &human_bytes(c.text.len() as u64))],
            ));
            if ui.button(tr("Clear")).clicked() {
                c.text.clear();
                c.error = None;
            }
            if ui.button(tr("Send")).clicked() {
                send = true;
            }
            return;
        }
        let width = (ui.available_width() - 110.0).max(100.0);
        let out = egui::TextEdit::multiline(&mut c.text)
            .id(editor_id)
            .hint_text(hint)
            .font(egui::TextStyle::Monospace)
            .desired_rows(2)
            .desired_width(width)
            .show(ui);
        let r = out.response.response.clone().labelled_by(l.id);
        if r.has_focus() {
            let cursor = out.cursor_range.map(|r| r.primary.index.0);
            let on_first_line = cursor.is_none_or(|i| !c.text.chars().take(i).any(|ch| ch == '\n'));
            let on_last_line = cursor.is_none_or(|i| !c.text.chars().skip(i).any(|ch| ch == '\n'));
            if on_first_line && ui.input(|i| i.key_pressed(Key::ArrowUp)) {
                c.history_step(true);
            } else if on_last_line && ui.input(|i| i.key_pressed(Key::ArrowDown)) {
                c.history_step(false);
            }
        }
        if r.changed() {
            c.error = None;
        }
        ui.vertical(|ui| {
            if ui.button(tr("Send")).clicked() {
                send = true;
            }
            ui.horizontal(|ui| {
                let l = ui.label(tr("Times"));
                ui.add(
                    egui::DragValue::new(&mut c.repeat)
                        .range(1..=MAX_REPEAT)
                        .prefix("×"),
                )
                .labelled_by(l.id)
                .on_hover_text(tr(
                    "Send this many copies back-to-back, each its own send() call",
                ));
            });
        });
    });

    // Periodic send, timed by the engine.
    let periodic = target
        .and_then(|id| model.sessions.get(&id))
        .and_then(|s| s.periodic_in(0))
        .filter(|p| p.running);
    let mut start_periodic = false;
    let mut stop_periodic = false;
    ui.horizontal_wrapped(|ui| {
        let l = ui.label(tr("Every (ms)"));
        ui.add(egui::DragValue::new(&mut c.every_ms).range(1..=86_400_000))
            .labelled_by(l.id)
            .on_hover_text(tr("The period of a periodic send, 1 ms at least"));
        let l = ui.label(tr("Count (0: until stopped)"));
        ui.add(egui::DragValue::new(&mut c.every_count).range(0..=u64::MAX))
            .labelled_by(l.id);
        if periodic.is_some() {
            stop_periodic = ui.button(tr("Stop periodic send")).clicked();
        } else {
            start_periodic = ui.button(tr("Start periodic send")).clicked();
        }
        if let Some(p) = target
            .and_then(|id| model.sessions.get(&id))
            .and_then(|s| s.periodic_in(0))
        {
            let text = trf(
                "every {ms} ms: {sent} sent, {rate}/s, {missed} ticks missed",
                &[
                    ("ms", &(p.every.as_secs_f64() * 1e3)),
                    ("sent", &p.sent),
                    ("rate", &format!("{:.1}", p.rate())),
                    ("missed", &p.missed),
                ],
            );
            ui.label(RichText::new(text).weak());
        }
    });
    // The slow sender: one message split over several sends.
    let mut send_slowly = false;
    ui.horizontal_wrapped(|ui| {
        let l = ui.label(tr("Slowly: bytes per send"));
        ui.add(egui::DragValue::new(&mut c.slow_piece).range(1..=65_536))
            .labelled_by(l.id);
        let l = ui.label(tr("ms apart"));
        ui.add(egui::DragValue::new(&mut c.slow_gap_ms).range(1..=60_000))
            .labelled_by(l.id);
        send_slowly = ui
            .button(tr("Send slowly"))
            .on_hover_text(tr(
                "Send the payload a few bytes at a time, each its own send(), so the receiver's recv() sees one message in pieces",
            ))
            .clicked();
    });
    if send_slowly {
        match c.prepare(model, target, framing) {
            Ok(sends) => {
                c.error = None;
                c.remember();
                let piece = c.slow_piece.max(1);
                let gap = std::time::Duration::from_millis(u64::from(c.slow_gap_ms.max(1)));
                return sends
                    .into_iter()
                    .take(1)
                    .filter_map(|a| match a {
                        Action::Send { id, bytes, to } => Some(Action::SendSlowly {
                            id,
                            bytes,
                            to,
                            piece,
                            gap,
                        }),
                        _ => None,
                    })
                    .chain(actions)
                    .collect();
            }
            Err(e) => c.error = Some(e),
        }
    }
    if stop_periodic && let Some(id) = target {
        actions.push(Action::StopSending { id, slot: 0 });
        return actions;
    }
    if start_periodic {
        match c.prepare(model, target, framing) {
            Ok(sends) => {
                c.error = None;
                c.remember();
                let every = std::time::Duration::from_millis(u64::from(c.every_ms.max(1)));
                let count = (c.every_count > 0).then_some(c.every_count);
                return sends
                    .into_iter()
                    .take(1)
                    .filter_map(|a| match a {
                        Action::Send { id, bytes, to } => Some(Action::SendEvery {
                            id,
                            bytes,
                            to,
                            every,
                            count,
                        }),
                        _ => None,
                    })
                    .chain(actions)
                    .collect();
            }
            Err(e) => c.error = Some(e),
        }
    }

    // A preview of the exact bytes, for payloads small enough to check live.
    if c.error.is_none() && !c.text.is_empty() && c.text.len() <= PREVIEW_MAX_INPUT {
        match c.payload(encoding, framing) {
            Ok(bytes) => {
                let shown = &bytes[..bytes.len().min(32)];
                let more = if bytes.len() > shown.len() {
                    " …"
                } else {
                    ""
                };
                ui.label(
                    RichText::new(trf(
                        "{n} bytes: {hex}",
                        &[
                            ("n", &bytes.len()),
                            ("hex", &format!("{}{more}", format_hex(shown))),
                        ],
                    ))
                    .monospace()
                    .weak(),
                );
            }
            Err(e) => {
                ui.colored_label(error_color(ui), e);
            }
        }
    }
    if let Some(e) = &c.error {
        ui.colored_label(error_color(ui), e);
    }

    if send {
        match c.prepare(model, target, framing) {
            Ok(sends) => {
                c.error = None;
                c.remember();
                actions.extend(sends);
            }
            Err(e) => c.error = Some(e),
        }
    }
    actions
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn history_saved_as_plain_strings_still_loads() {
        let c: Composer =
            serde_json::from_str(r#"{"history": ["abc", {"text": "01 02", "mode": "Hex"}]}"#)
                .unwrap();
        assert_eq!(c.history[0].text, "abc");
        assert_eq!(c.history[0].mode, InputMode::Text);
        assert_eq!(c.history[1].mode, InputMode::Hex);
        let back: Composer = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back.history, c.history);
    }

    #[test]
    fn each_socket_keeps_its_destination() {
        let mut c = Composer::default();
        c.follow(Some(SocketId(1)));
        c.udp_to = "127.0.0.1:9".into();
        c.follow(Some(SocketId(2)));
        assert_eq!(c.udp_to, "");
        c.follow(Some(SocketId(1)));
        assert_eq!(c.udp_to, "127.0.0.1:9");
        c.set_destination(SocketId(2), "127.0.0.1:7".into());
        c.follow(Some(SocketId(1)));
        assert_eq!(c.udp_to, "127.0.0.1:9");
    }
}
