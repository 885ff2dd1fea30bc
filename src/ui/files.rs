//! Files: send a file on a socket (with progress and cancel), save a
//! socket's received bytes to a file, export the log. Each is a small
//! window with a typed path and a "Browse…" button: the desktop's file
//! dialog (the XDG portal) runs on a thread of its own, and where no
//! portal answers (a bare X session) the typed path still works and the
//! window says why no dialog came.

use std::path::PathBuf;
use std::time::Duration;

use crossbeam_channel::Receiver;
use eframe::egui::{self, RichText};

use crate::engine::{FileSend, SocketId};
use crate::i18n::{tr, trf};
use crate::model::Model;
use crate::model::export::{ExportFormat, ExportResult};

use super::composer::send_target;
use super::{Action, error_color, human_bytes, labelled_combo_salted, labelled_text_edit};

/// What the file windows remember between runs.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct FileForms {
    /// The file to send.
    pub send_path: String,
    /// Datagram sockets: bytes per datagram.
    pub piece: usize,
    /// Datagram sockets: milliseconds between datagrams.
    pub gap_ms: u64,
    /// Where to save received bytes.
    pub save_path: String,
    /// Whether to write what the log still holds first.
    pub save_with_log: bool,
    /// Where to export the log.
    pub export_path: String,
    /// The export's format.
    pub export_format: ExportFormat,
    /// Export only the rows the view shows.
    pub export_shown: bool,
}

impl Default for FileForms {
    fn default() -> Self {
        FileForms {
            send_path: String::new(),
            piece: 1024,
            gap_ms: 0,
            save_path: String::new(),
            save_with_log: true,
            export_path: String::new(),
            export_format: ExportFormat::Text,
            export_shown: false,
        }
    }
}

/// Which file window is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileWindow {
    /// Send a file on this socket.
    Send(SocketId),
    /// Save this socket's received bytes.
    Save(SocketId),
    /// Export the log.
    Export,
    /// Open a workspace file.
    OpenWorkspace,
    /// Save the workspace to a file.
    SaveWorkspace,
}

/// Which path a file dialog fills in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PathField {
    Send,
    Save,
    Export,
    OpenWorkspace,
    SaveWorkspace,
}

/// The file windows' passing state.
#[derive(Debug, Default)]
pub struct FilesState {
    /// The window shown.
    pub window: Option<FileWindow>,
    /// A file dialog in progress, and the path it fills in.
    browse: Option<(PathField, Receiver<Option<PathBuf>>)>,
    /// What the last dialog came back with, when it was nothing.
    browse_note: Option<String>,
    /// Why the window's action was not taken.
    pub error: Option<String>,
    /// An export being written.
    export: Option<Receiver<ExportResult>>,
    /// How the last export went.
    pub export_done: Option<ExportResult>,
    /// Where the workspace was last saved (said in its window).
    pub workspace_saved: Option<PathBuf>,
}

impl FilesState {
    /// Opens a window (clearing the last one's messages).
    pub fn open(&mut self, w: FileWindow) {
        self.window = Some(w);
        self.error = None;
        self.browse_note = None;
        self.workspace_saved = None;
    }

    /// Follows an export started on its thread.
    pub fn exporting(&mut self, rx: Receiver<ExportResult>) {
        self.export = Some(rx);
        self.export_done = None;
    }

    /// Whether an export is being written.
    pub fn export_running(&self) -> bool {
        self.export.is_some()
    }

    /// Takes what finished meanwhile: a dialog's choice, an export.
    fn poll(&mut self, forms: &mut FileForms, workspace: &mut String) {
        if let Some((field, rx)) = &self.browse
            && let Ok(picked) = rx.try_recv()
        {
            match picked {
                Some(p) => {
                    let p = p.display().to_string();
                    match field {
                        PathField::Send => forms.send_path = p,
                        PathField::Save => forms.save_path = p,
                        PathField::Export => forms.export_path = p,
                        PathField::OpenWorkspace | PathField::SaveWorkspace => *workspace = p,
                    }
                    self.browse_note = None;
                }
                None => {
                    self.browse_note = Some(
                        tr("No file was chosen. If no dialog appeared, this desktop has no file dialog (XDG portal): type the path instead.")
                            .into(),
                    );
                }
            }
            self.browse = None;
        }
        if let Some(rx) = &self.export
            && let Ok(done) = rx.try_recv()
        {
            self.export_done = Some(done);
            self.export = None;
        }
    }
}

/// Runs the desktop's file dialog on a thread (`sockbench-dialog`).
fn browse(field: PathField, current: &str) -> Option<Receiver<Option<PathBuf>>> {
    let (tx, rx) = crossbeam_channel::bounded(1);
    let start = PathBuf::from(current);
    let dir = start
        .parent()
        .filter(|d| d.is_dir())
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok());
    let name = start.file_name().map(|n| n.to_string_lossy().into_owned());
    std::thread::Builder::new()
        .name("sockbench-dialog".into())
        .spawn(move || {
            let mut d = rfd::FileDialog::new();
            if let Some(dir) = dir {
                d = d.set_directory(dir);
            }
            if let Some(name) = name {
                d = d.set_file_name(name);
            }
            let picked = match field {
                PathField::Send | PathField::OpenWorkspace => d.pick_file(),
                PathField::Save | PathField::Export | PathField::SaveWorkspace => d.save_file(),
            };
            let _ = tx.send(picked);
        })
        .ok()?;
    Some(rx)
}

/// A path field with its "Browse…" button.
fn path_row(ui: &mut egui::Ui, state: &mut FilesState, field: PathField, path: &mut String) {
    ui.horizontal(|ui| {
        labelled_text_edit(ui, tr("File"), path, "/path/to/file", 320.0);
        let waiting = state.browse.is_some();
        if ui
            .add_enabled(!waiting, egui::Button::new(tr("Browse…")))
            .on_hover_text(tr("Choose with the desktop's file dialog"))
            .clicked()
        {
            state.browse = browse(field, path).map(|rx| (field, rx));
            state.browse_note = None;
        }
        if waiting {
            ui.spinner();
        }
    });
    if let Some(note) = &state.browse_note {
        ui.label(RichText::new(note).weak());
    }
}

/// The typed path, or why it will not do.
fn typed_path(path: &str) -> Result<PathBuf, String> {
    let p = path.trim();
    if p.is_empty() {
        return Err(tr("Type a file path, or choose one with Browse….").into());
    }
    Ok(PathBuf::from(p))
}

/// The "Send file…" button and, while a file goes out on the target
/// socket, its progress and a Cancel button (under the composer).
pub fn send_file_row_ui(
    ui: &mut egui::Ui,
    model: &Model,
    target: Option<SocketId>,
    state: &mut FilesState,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let s = target.and_then(|id| model.sessions.get(&id));
    let file = s.and_then(|s| s.file.as_ref());
    ui.horizontal_wrapped(|ui| {
        let sending = file.is_some_and(|f| f.sending());
        let can = s.is_some_and(|s| s.can_send() && !s.kind.is_listener());
        let b = ui
            .add_enabled(can && !sending, egui::Button::new(tr("Send file…")))
            .on_hover_text(tr("Send a file's bytes on this socket (a connection, a client or a datagram socket)"))
            .on_disabled_hover_text(tr(
                "Select a connected client, a connection or a datagram socket (a listener sends through its connections)",
            ));
        if b.clicked()
            && let Some(id) = target
        {
            state.open(FileWindow::Send(id));
        }
        if let (Some(f), Some(id)) = (file, target) {
            let text = trf(
                "{name}: {sent} of {total}",
                &[
                    ("name", &f.name),
                    ("sent", &human_bytes(f.sent)),
                    ("total", &human_bytes(f.total)),
                ],
            );
            ui.add(
                egui::ProgressBar::new(f.fraction())
                    .desired_width(180.0)
                    .text(text),
            );
            if f.sending() {
                if ui.button(tr("Cancel file")).clicked() {
                    actions.push(Action::CancelFile(id));
                }
                ui.ctx().request_repaint_after(Duration::from_millis(100));
            } else if let Some(end) = &f.end {
                let (text, bad) = match end {
                    crate::engine::FileEnd::Sent => (tr("all sent").to_owned(), false),
                    crate::engine::FileEnd::Cancelled => (tr("cancelled").to_owned(), false),
                    crate::engine::FileEnd::SocketClosed => {
                        (tr("the socket closed first").to_owned(), true)
                    }
                    crate::engine::FileEnd::Failed(e) => (e.message(), true),
                };
                if bad {
                    ui.colored_label(error_color(ui), text);
                } else {
                    ui.label(RichText::new(text).weak());
                }
            }
        }
    });
    actions
}

/// What the details show of a save of socket `id`: its progress and Stop,
/// or the button to start one.
pub fn save_row_ui(
    ui: &mut egui::Ui,
    model: &Model,
    id: SocketId,
    state: &mut FilesState,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let Some(s) = model.sessions.get(&id) else {
        return actions;
    };
    if s.kind.is_listener() {
        return actions;
    }
    let saving = model.saving.get(&id);
    if let Some(sv) = saving {
        let mut text = trf(
            "{bytes} written to {path}",
            &[
                ("bytes", &human_bytes(sv.written())),
                ("path", &sv.path.display()),
            ],
        );
        if sv.missed > 0 {
            text.push_str(&trf(
                " ({missed} received before were no longer in the log)",
                &[("missed", &human_bytes(sv.missed))],
            ));
        }
        ui.label(text);
        if let Some(e) = sv.error() {
            ui.colored_label(error_color(ui), trf("Saving failed: {e}", &[("e", &e)]));
        }
        if sv.is_open() {
            ui.ctx().request_repaint_after(Duration::from_millis(250));
        }
    }
    ui.horizontal_wrapped(|ui| {
        if saving.is_some_and(|sv| sv.is_open()) {
            if ui.button(tr("Stop saving")).clicked() {
                actions.push(Action::StopSaving(id));
            }
        } else if ui
            .button(tr("Save received bytes…"))
            .on_hover_text(tr(
                "Write every byte this socket receives to a file, from now on",
            ))
            .clicked()
        {
            state.open(FileWindow::Save(id));
        }
    });
    actions
}

/// The open file window, if any.
pub fn file_windows_ui(
    ctx: &egui::Context,
    settings: &mut crate::app::Settings,
    state: &mut FilesState,
    model: &Model,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let forms = &mut settings.files;
    let udp_to = settings.composer.udp_to.as_str();
    state.poll(forms, &mut settings.workspace_path);
    if state.browse.is_some() || state.export.is_some() {
        ctx.request_repaint_after(Duration::from_millis(100));
    }
    let Some(which) = state.window else {
        return actions;
    };
    let title = match which {
        FileWindow::Send(_) => tr("Send a file"),
        FileWindow::Save(_) => tr("Save received bytes"),
        FileWindow::Export => tr("Export the log"),
        FileWindow::OpenWorkspace => tr("Open a workspace"),
        FileWindow::SaveWorkspace => tr("Save the workspace"),
    };
    let mut open = true;
    let mut close = false;
    egui::Window::new(title)
        .id(egui::Id::unique("file-window"))
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| {
            match which {
            FileWindow::Send(id) => {
                let s = model.sessions.get(&id);
                ui.label(trf(
                    "On {socket}",
                    &[("socket", &s.map_or_else(|| id.to_string(), |s| s.title()))],
                ));
                path_row(ui, state, PathField::Send, &mut forms.send_path);
                let datagram = s.is_some_and(|s| s.kind.is_datagram());
                if datagram {
                    ui.horizontal(|ui| {
                        let l = ui.label(tr("Bytes per datagram"));
                        ui.add(egui::DragValue::new(&mut forms.piece).range(1..=65_507))
                            .labelled_by(l.id);
                        let l = ui.label(tr("Gap (ms)"));
                        ui.add(egui::DragValue::new(&mut forms.gap_ms).range(0..=60_000))
                            .labelled_by(l.id)
                            .on_hover_text(tr("The wait between datagrams (0: as fast as the socket takes them)"));
                    });
                    if !udp_to.trim().is_empty() {
                        ui.label(RichText::new(trf("to {to}", &[("to", &udp_to)])).weak());
                    }
                } else {
                    ui.label(
                        RichText::new(tr(
                            "Read and sent in pieces as the socket takes them (at most 1 MiB waits at a time).",
                        ))
                        .weak(),
                    );
                }
                ui.horizontal(|ui| {
                    if ui.button(tr("Send the file")).clicked() {
                        let r = typed_path(&forms.send_path).and_then(|path| {
                            let (id, to) = send_target(model, Some(id), udp_to)?;
                            Ok(Action::SendFile {
                                id,
                                file: FileSend {
                                    path,
                                    piece: forms.piece.max(1),
                                    gap: Duration::from_millis(forms.gap_ms),
                                    to,
                                },
                            })
                        });
                        match r {
                            Ok(a) => {
                                actions.push(a);
                                close = true;
                            }
                            Err(e) => state.error = Some(e),
                        }
                    }
                    close |= ui.button(tr("Cancel")).clicked();
                });
            }
            FileWindow::Save(id) => {
                let s = model.sessions.get(&id);
                ui.label(trf(
                    "What {socket} receives from now on",
                    &[("socket", &s.map_or_else(|| id.to_string(), |s| s.title()))],
                ));
                path_row(ui, state, PathField::Save, &mut forms.save_path);
                ui.checkbox(
                    &mut forms.save_with_log,
                    tr("First write what the log still holds of it"),
                );
                ui.horizontal(|ui| {
                    if ui.button(tr("Start saving")).clicked() {
                        match typed_path(&forms.save_path) {
                            Ok(path) => {
                                actions.push(Action::SaveReceived {
                                    id,
                                    path,
                                    with_log: forms.save_with_log,
                                });
                                close = true;
                            }
                            Err(e) => state.error = Some(e),
                        }
                    }
                    close |= ui.button(tr("Cancel")).clicked();
                });
            }
            FileWindow::Export => {
                path_row(ui, state, PathField::Export, &mut forms.export_path);
                ui.horizontal(|ui| {
                    labelled_combo_salted(
                        ui,
                        "export-format",
                        tr("Format"),
                        &mut forms.export_format,
                        &ExportFormat::ALL,
                        ExportFormat::label,
                    );
                    ui.checkbox(
                        &mut forms.export_shown,
                        tr("Only the rows shown (the socket filter)"),
                    );
                });
                ui.label(
                    RichText::new(trf(
                        "{rows} rows in the log",
                        &[("rows", &model.log.len())],
                    ))
                    .weak(),
                );
                ui.horizontal(|ui| {
                    let running = state.export_running();
                    if ui
                        .add_enabled(!running, egui::Button::new(tr("Export")))
                        .clicked()
                    {
                        match typed_path(&forms.export_path) {
                            Ok(path) => actions.push(Action::ExportLog {
                                path,
                                format: forms.export_format,
                                shown: forms.export_shown,
                            }),
                            Err(e) => state.error = Some(e),
                        }
                    }
                    if running {
                        ui.spinner();
                    }
                    close |= ui.button(tr("Close")).clicked();
                });
                match &state.export_done {
                    Some(Ok((path, rows))) => {
                        ui.label(trf(
                            "Exported {rows} rows to {path}",
                            &[("rows", rows), ("path", &path.display())],
                        ));
                    }
                    Some(Err(e)) => {
                        ui.colored_label(
                            error_color(ui),
                            trf("Export failed: {e}", &[("e", e)]),
                        );
                    }
                    None => {}
                }
            }
            FileWindow::OpenWorkspace | FileWindow::SaveWorkspace => {
                let save = which == FileWindow::SaveWorkspace;
                ui.label(
                    RichText::new(if save {
                        tr("The open sockets (not accepted connections) with their encodings, reconnect waits and reply rules; the composer, quick-send items and lab settings. TOML, readable and editable.")
                    } else {
                        tr("Its sockets open beside those open now; its composer, quick-send items and lab settings replace the current ones.")
                    })
                    .weak(),
                );
                let field = if save {
                    PathField::SaveWorkspace
                } else {
                    PathField::OpenWorkspace
                };
                path_row(ui, state, field, &mut settings.workspace_path);
                ui.checkbox(
                    &mut settings.reopen_workspace,
                    tr("Open this workspace when Sockbench starts"),
                );
                ui.horizontal(|ui| {
                    let label = if save { tr("Save") } else { tr("Open") };
                    if ui.button(label).clicked() {
                        match typed_path(&settings.workspace_path) {
                            Ok(path) if save => actions.push(Action::SaveWorkspace(path)),
                            Ok(path) => {
                                actions.push(Action::OpenWorkspace(path));
                                close = true;
                            }
                            Err(e) => state.error = Some(e),
                        }
                    }
                    close |= ui.button(tr("Close")).clicked();
                });
                if save && let Some(p) = &state.workspace_saved {
                    ui.label(trf("Saved to {path}", &[("path", &p.display())]));
                }
            }
            }
            if let Some(e) = &state.error {
                ui.colored_label(error_color(ui), e);
            }
        });
    if !open || close {
        state.window = None;
        state.error = None;
    }
    actions
}
