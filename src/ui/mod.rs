//! Drawing: each part of the window is a `*_ui` function that draws the
//! model and returns what the user asked for as [`Action`]s; the app
//! carries them out after the pass. Every input has an accessible label.

pub mod composer;
pub mod files;
pub mod fonts;
pub mod in_use;
pub mod lab;
pub mod lesson;
pub mod lessons;
pub mod log_view;
pub mod new_socket;
pub mod quick;
pub mod rules;
pub mod sidebar;
pub mod stats;

use crate::engine::Addr;

use eframe::egui;

use crate::engine::{CloseHow, SockOption, SocketId, SocketSpec};

/// Something the user asked for, carried out by the app after drawing.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Open a socket.
    Open(SocketSpec),
    /// Open a TCP client that connects again when its connection ends.
    OpenReconnecting(SocketSpec, crate::engine::Backoff),
    /// Send bytes to a socket (a listener: to all its clients).
    Send {
        /// Where.
        id: SocketId,
        /// What.
        bytes: Vec<u8>,
        /// UDP destination.
        to: Option<Addr>,
    },
    /// Send bytes every `every`, `count` times (`None`: until stopped).
    SendEvery {
        /// Where.
        id: SocketId,
        /// What.
        bytes: Vec<u8>,
        /// UDP destination.
        to: Option<Addr>,
        /// The period.
        every: std::time::Duration,
        /// How many sends.
        count: Option<u64>,
    },
    /// Stop a periodic send.
    StopSending {
        /// Where.
        id: SocketId,
        /// Which (0: the composer's).
        slot: u32,
    },
    /// Send a template every `every` until stopped, in a slot of its own,
    /// its macros filled in at each tick (`${seq}` = the tick's number).
    SendEveryIn {
        /// Where.
        id: SocketId,
        /// Which slot.
        slot: u32,
        /// What.
        template: crate::codec::template::Template,
        /// The encoding of text macros.
        encoding: crate::codec::text::TextEncoding,
        /// UDP destination.
        to: Option<Addr>,
        /// The period.
        every: std::time::Duration,
    },
    /// Send each payload when its time (from now) comes.
    SendSequence {
        /// Where.
        id: SocketId,
        /// UDP destination.
        to: Option<Addr>,
        /// The payloads and when.
        steps: Vec<(Vec<u8>, std::time::Duration)>,
    },
    /// Drop a socket's sends not yet due (a sequence's).
    CancelLater(SocketId),
    /// Close a socket.
    Close {
        /// Which.
        id: SocketId,
        /// How.
        how: CloseHow,
    },
    /// Remove a closed socket from the sidebar.
    Remove(SocketId),
    /// Select a socket (the composer sends to it).
    Select(Option<SocketId>),
    /// Empty the log.
    ClearLog,
    /// Set a socket's encoding (what it shows and what it sends).
    SetEncoding {
        /// The socket.
        id: SocketId,
        /// The encoding.
        encoding: crate::codec::text::TextEncoding,
    },
    /// Select a socket and aim the composer at a sender (a datagram
    /// socket's `Send to`), to answer it.
    ReplyTo {
        /// The socket.
        id: SocketId,
        /// The sender, for a datagram socket.
        to: Option<Addr>,
    },
    /// Compile a socket's reply rules and hand them to the engine (or
    /// take them away, when off or wrong).
    ApplyRules(SocketId),
    /// Send a file on a socket.
    SendFile {
        /// Where.
        id: SocketId,
        /// What and how.
        file: crate::engine::FileSend,
    },
    /// Stop sending a socket's file.
    CancelFile(SocketId),
    /// Open a workspace file.
    OpenWorkspace(std::path::PathBuf),
    /// Save the workspace to a file.
    SaveWorkspace(std::path::PathBuf),
    /// Show one of the file windows.
    ShowFileWindow(files::FileWindow),
    /// Save a socket's received bytes to a file from now on.
    SaveReceived {
        /// The socket.
        id: SocketId,
        /// The file (created or replaced).
        path: std::path::PathBuf,
        /// First write what the log still holds of them.
        with_log: bool,
    },
    /// Stop saving a socket's received bytes.
    StopSaving(SocketId),
    /// Export the log to a file.
    ExportLog {
        /// The file (created or replaced).
        path: std::path::PathBuf,
        /// Its format.
        format: crate::model::export::ExportFormat,
        /// Only the rows the view shows.
        shown: bool,
    },
    /// Stop calling `recv()` on a connection (for `for_`, or until resumed),
    /// so what arrives piles up in the kernel.
    PauseReading {
        /// Which.
        id: SocketId,
        /// How long; `None`: until [`Action::ResumeReading`].
        for_: Option<std::time::Duration>,
    },
    /// Call `recv()` again.
    ResumeReading(SocketId),
    /// Ask the kernel for every TCP socket on `port` (its answer comes to
    /// socket `id`).
    QueryPort {
        /// The socket the answer is for.
        id: SocketId,
        /// The port.
        port: u16,
    },
    /// Send `bytes` a few at a time: `piece` bytes per `send()`, `gap`
    /// apart (the slow sender, to see one message split over reads).
    SendSlowly {
        /// Where.
        id: SocketId,
        /// What.
        bytes: Vec<u8>,
        /// UDP destination.
        to: Option<Addr>,
        /// Bytes per send.
        piece: usize,
        /// The wait between sends.
        gap: std::time::Duration,
    },
    /// Start a lesson: close the previous lesson's sockets, open what this
    /// one needs.
    StartLesson(crate::lessons::LessonId),
    /// A lesson step's button.
    LessonStep(crate::lessons::StepButton),
    /// Change a setting of an open socket.
    Configure {
        /// Which.
        id: SocketId,
        /// The new setting.
        option: SockOption,
    },
}

/// What the central area shows.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum CentralView {
    /// Every byte sent and received.
    #[default]
    Traffic,
    /// The selected socket's life, kernel state and calls.
    Lesson,
    /// The selected socket as a Python program.
    Python,
    /// The sticky-packet lab.
    Lab,
    /// The selected socket's reply rules.
    Rules,
    /// Bytes and messages a second, round trips.
    Stats,
}

impl CentralView {
    /// Every view, in tab order.
    pub const ALL: [CentralView; 6] = [
        CentralView::Traffic,
        CentralView::Rules,
        CentralView::Stats,
        CentralView::Lesson,
        CentralView::Python,
        CentralView::Lab,
    ];

    /// The tab's name.
    pub fn label(self) -> &'static str {
        match self {
            CentralView::Traffic => crate::i18n::tr("Traffic"),
            CentralView::Lesson => crate::i18n::tr("Calls & states"),
            CentralView::Python => crate::i18n::tr("Python"),
            CentralView::Lab => crate::i18n::tr("Sticky-packet lab"),
            CentralView::Rules => crate::i18n::tr("Auto-reply"),
            CentralView::Stats => crate::i18n::tr("Statistics"),
        }
    }
}

/// The names of the three ways to end a connection, as a view shows them.
pub struct CloseLabels {
    /// `close()`.
    pub close: &'static str,
    /// `shutdown(SHUT_WR)`.
    pub half_close: &'static str,
    /// `SO_LINGER` 0 then `close()`.
    pub reset: &'static str,
}

/// Buttons for the ways to end the connected stream `s` (half-close only
/// while it can still send): what was clicked is pushed to `actions`.
pub fn close_buttons(
    ui: &mut egui::Ui,
    s: &crate::model::session::Session,
    labels: &CloseLabels,
    actions: &mut Vec<Action>,
) {
    use crate::i18n::tr;
    let mut push = |how| actions.push(Action::Close { id: s.id, how });
    if ui
        .button(labels.close)
        .on_hover_text(tr("close(): finish queued sends, then close"))
        .clicked()
    {
        push(CloseHow::Close);
    }
    if !s.write_shut
        && ui
            .button(labels.half_close)
            .on_hover_text(tr("shutdown(SHUT_WR): send FIN, keep receiving"))
            .clicked()
    {
        push(CloseHow::ShutdownWrite);
    }
    if ui
        .button(labels.reset)
        .on_hover_text(tr("SO_LINGER 0 then close(): the peer sees a reset (RST)"))
        .clicked()
    {
        push(CloseHow::Reset);
    }
}

/// Gives a button a longer accessible name than its text (a row's short
/// "Repeat" is "Repeat PING" to a screen reader and to tests).
pub fn accessible_name(resp: egui::Response, name: &str) -> egui::Response {
    let enabled = resp.enabled();
    resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, enabled, name));
    resp
}

/// The colour of error text.
pub fn error_color(ui: &egui::Ui) -> egui::Color32 {
    ui.visuals().error_fg_color
}

/// A label followed by a single-line text edit labelled by it (so tests and
/// screen readers find the field by its label). Returns the edit's response.
pub fn labelled_text_edit(
    ui: &mut egui::Ui,
    label: &str,
    text: &mut String,
    hint: &str,
    width: f32,
) -> egui::Response {
    let l = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(text)
            .hint_text(hint)
            .desired_width(width),
    )
    .labelled_by(l.id)
}

/// A label and a combo box labelled by it, choosing one of `options`.
/// The response is `changed()` when a pick changed the value.
///
/// The label is also the combo's id salt. A translated label changes with
/// the language (and two labels may translate alike), so give those a
/// stable salt with [`labelled_combo_salted`].
pub fn labelled_combo<T: PartialEq + Copy>(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut T,
    options: &[T],
    name: impl Fn(T) -> &'static str,
) -> egui::Response {
    labelled_combo_salted(ui, label, label, value, options, name)
}

/// [`labelled_combo`] with its id salted by `id_salt` rather than by the
/// label, so the combo keeps its id (and its open menu) whatever language
/// the label is shown in. The response is `changed()` when a pick changed
/// the value.
pub fn labelled_combo_salted<T: PartialEq + Copy>(
    ui: &mut egui::Ui,
    id_salt: &str,
    label: &str,
    value: &mut T,
    options: &[T],
    name: impl Fn(T) -> &'static str,
) -> egui::Response {
    let l = ui.label(label);
    let mut changed = false;
    let mut response = egui::ComboBox::from_id_salt(id_salt)
        .selected_text(name(*value))
        .show_ui(ui, |ui| {
            for &o in options {
                changed |= ui.selectable_value(value, o, name(o)).changed();
            }
        })
        .response
        .labelled_by(l.id);
    if changed {
        response.mark_changed();
    }
    response
}

/// Formats a byte count: `512 B`, `1.5 KiB`, `3.2 MiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
