//! The workbench app: draws the model the pump keeps folding engine events
//! into (see [`crate::pump`]), and carries out what the user asked for.

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Mutex, MutexGuard};

use eframe::egui::{self, RichText};

use crate::codec::text::TextEncoding;
use crate::engine::{Addr, EngineHandle, SocketId, SocketSpec};
use crate::frame_stats::FrameStats;
use crate::i18n::{Lang, tr, trf};
use crate::model::Model;
use crate::model::capture::CaptureWriter;
use crate::pump::{Pump, RepaintAfter, SharedModel};
use crate::quick::QuickSend;
use crate::ui::composer::{Composer, composer_ui};
use crate::ui::files::{FileForms, FileWindow, FilesState};
use crate::ui::lab::{LabSettings, lab_ui};
use crate::ui::lesson::{lesson_ui, python_ui};
use crate::ui::log_view::{LogViewState, log_view_ui};
use crate::ui::new_socket::{NewSocketForm, new_socket_ui};
use crate::ui::quick::{QuickState, quick_ui};
use crate::ui::rules::{RulesState, rules_ui};
use crate::ui::sidebar::{details_ui, sidebar_ui};
use crate::ui::{Action, CentralView, error_color, labelled_combo_salted};

mod lesson_run;

/// When the app closes, how long the engine waits for the pump to take
/// each of its last batches (the pump works through what it holds first,
/// capture included; this only bounds a pump that stopped).
pub const SHUTDOWN_DELIVERY: Duration = Duration::from_secs(10);
/// How often the kernel's TCP state is asked for while the lesson shows.
pub const TCP_INFO_EVERY: Duration = Duration::from_millis(250);

/// What is remembered between runs.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The open-a-socket form.
    pub form: NewSocketForm,
    /// The composer's modes and history.
    pub composer: Composer,
    /// The log view's switches.
    pub log_view: LogViewState,
    /// The encoding new sockets are displayed with.
    pub display_encoding: TextEncoding,
    /// The central tab.
    pub view: CentralView,
    /// The sticky-packet lab's framing and struct format.
    pub lab: LabSettings,
    /// The language of the UI.
    pub lang: Lang,
    /// The quick-send items and sequences.
    pub quick: QuickSend,
    /// Whether the quick-send panel shows (hidden at first: the log keeps
    /// its width).
    pub show_quick: bool,
    /// The file windows' paths and choices.
    pub files: FileForms,
    /// The workspace file last opened or saved.
    pub workspace_path: String,
    /// Open that workspace when Sockbench starts (without `--workspace`).
    pub reopen_workspace: bool,
    /// What the Statistics tab shows.
    pub stats_scope: crate::ui::stats::StatsScope,
    /// How the Python tab writes a threaded server.
    pub py_style: crate::model::pygen::ServerStyle,
    /// Whether the lessons panel shows.
    pub show_lessons: bool,
    /// The lesson shown in it.
    pub lesson: crate::lessons::LessonId,
}

/// The whole app.
pub struct WorkbenchApp {
    engine: EngineHandle,
    /// Folds the engine's events into the model (and the capture).
    pump: Pump,
    /// Sockets and log, shared with the pump.
    model: SharedModel,
    /// Form, composer and view settings.
    pub settings: Settings,
    /// The socket the composer sends to.
    pub selected: Option<SocketId>,
    /// An app-level problem to show (e.g. the capture file failed).
    pub status: Option<String>,
    /// When the kernel's TCP state was last asked for.
    last_tcp_info: Option<Instant>,
    /// Frame statistics for the window benchmark (`--stats FILE`).
    pub frame_stats: Option<FrameStats>,
    /// Whether the capture's failure was put in the status line.
    capture_error_shown: bool,
    /// Every socket's reply rules.
    pub rules: RulesState,
    /// A socket just opened, to scroll the list to.
    scroll_to: Option<SocketId>,
    /// The quick-send panel's passing state.
    pub quick: QuickState,
    /// The file windows' passing state.
    pub files: FilesState,
    /// The back-off of each client opened to reconnect (for workspaces).
    backoffs: std::collections::HashMap<SocketId, crate::engine::Backoff>,
    /// The lesson started last, and the sockets it opened.
    pub lesson: Option<crate::lessons::LessonRun>,
    /// The port typed in the HTTP lesson for another web server.
    pub lesson_port: String,
}

impl WorkbenchApp {
    /// An app driving `engine`, optionally recording to `capture`, with no
    /// window to repaint (tests, benchmarks).
    pub fn new(
        engine: EngineHandle,
        settings: Settings,
        capture: Option<CaptureWriter>,
    ) -> io::Result<Self> {
        Self::with_repaint(engine, settings, capture, Box::new(|_| {}))
    }

    /// An app driving `engine`, optionally recording to `capture`; the pump
    /// calls `repaint` when the window has new rows to show.
    pub fn with_repaint(
        engine: EngineHandle,
        settings: Settings,
        capture: Option<CaptureWriter>,
        repaint: RepaintAfter,
    ) -> io::Result<Self> {
        let mut model = Model::default();
        model.default_encoding = settings.display_encoding;
        let mut settings = settings;
        settings.quick.fix_ids();
        let model: SharedModel = Arc::new(Mutex::new(model));
        let pump = Pump::start(
            engine.event_source(),
            Arc::clone(&model),
            capture.into_iter().collect(),
            repaint,
        )?;
        Ok(WorkbenchApp {
            engine,
            pump,
            model,
            settings,
            selected: None,
            status: None,
            last_tcp_info: None,
            frame_stats: None,
            capture_error_shown: false,
            rules: RulesState::default(),
            scroll_to: None,
            quick: QuickState::default(),
            files: FilesState::default(),
            backoffs: std::collections::HashMap::new(),
            lesson: None,
            lesson_port: "8000".to_owned(),
        })
    }

    /// The model, locked (for a short look: the pump waits meanwhile).
    pub fn model(&self) -> MutexGuard<'_, Model> {
        self.model.lock()
    }

    /// Opens a socket (as if clicked).
    pub fn open(&mut self, spec: SocketSpec) -> Option<SocketId> {
        self.open_with(spec, None)
    }

    /// Opens a socket; a TCP client with a back-off connects again when
    /// its connection ends.
    pub fn open_with(
        &mut self,
        spec: SocketSpec,
        reconnect: Option<crate::engine::Backoff>,
    ) -> Option<SocketId> {
        // The session exists before the engine's first event for it.
        let mut model = self.model.lock();
        let opened = match reconnect {
            Some(b) => self.engine.open_reconnecting(spec.clone(), b),
            None => self.engine.open(spec.clone()),
        };
        match opened {
            Ok(id) => {
                model.opening(id, &spec);
                if let Some(b) = reconnect {
                    self.backoffs.insert(id, b);
                }
                self.selected = Some(id);
                self.scroll_to = Some(id);
                Some(id)
            }
            Err(e) => {
                self.status = Some(trf(
                    "Could not open {spec}: {error}",
                    &[("spec", &spec), ("error", &e)],
                ));
                None
            }
        }
    }

    /// The open sockets the user opened (not accepted connections), with
    /// their encodings, back-offs and rules, and the composer, quick-send
    /// and lab settings, as a workspace.
    pub fn workspace(&self) -> crate::workspace::Workspace {
        use crate::workspace::{Workspace, WorkspaceSocket};
        let model = self.model.lock();
        let sockets = model
            .sessions
            .values()
            .filter(|s| !s.state.is_closed() && !s.compacted)
            .filter_map(|s| {
                let spec = s.opened_as.as_ref()?;
                Some(WorkspaceSocket {
                    spec: spec.full_form(),
                    encoding: s.encoding,
                    reconnect: self.backoffs.get(&s.id).map(|&b| b.into()),
                    rules: self.rules.sets.get(&s.id).cloned(),
                })
            })
            .collect();
        Workspace {
            version: crate::workspace::WORKSPACE_VERSION,
            display_encoding: self.settings.display_encoding,
            sockets,
            composer: self.settings.composer.clone(),
            composer_text: self.settings.composer.text.clone(),
            quick: self.settings.quick.clone(),
            lab: self.settings.lab.clone(),
        }
    }

    /// Opens a workspace's sockets (beside those open now) and takes its
    /// composer, quick-send and lab settings. Returns what could not be
    /// opened (a spec that does not parse), in words.
    pub fn open_workspace(&mut self, w: crate::workspace::Workspace) -> Vec<String> {
        let mut errors = Vec::new();
        self.settings.display_encoding = w.display_encoding;
        self.settings.composer = w.composer;
        self.settings.composer.text = w.composer_text;
        self.settings.quick = w.quick;
        self.settings.quick.fix_ids();
        self.settings.lab = w.lab;
        for ws in w.sockets {
            let spec = match ws.socket_spec() {
                Ok(spec) => spec,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let reconnect = ws
                .reconnect
                .filter(|_| matches!(spec, SocketSpec::TcpConnect { .. }))
                .map(crate::engine::Backoff::from);
            let Some(id) = self.open_with(spec, reconnect) else {
                errors.extend(self.status.take());
                continue;
            };
            if let Some(s) = self.model.lock().sessions.get_mut(&id) {
                s.set_encoding(ws.encoding);
            }
            if let Some(set) = ws.rules {
                self.rules.sets.insert(id, set);
                self.execute(Action::ApplyRules(id));
            }
        }
        errors
    }

    /// Opens workspace `w`, read from `path` (remembered as the workspace
    /// file), saying in the status line which sockets could not be opened.
    pub fn open_loaded_workspace(
        &mut self,
        path: &std::path::Path,
        w: crate::workspace::Workspace,
    ) {
        let errors = self.open_workspace(w);
        self.settings.workspace_path = path.display().to_string();
        if !errors.is_empty() {
            self.status = Some(trf(
                "Workspace {path}: not opened: {errors}",
                &[("path", &path.display()), ("errors", &errors.join("; "))],
            ));
        }
    }

    /// Opens the workspace file at `path`, saying in the status line what
    /// went wrong, if anything.
    pub fn open_workspace_file(&mut self, path: &std::path::Path) {
        match crate::workspace::Workspace::load(path) {
            Ok(w) => self.open_loaded_workspace(path, w),
            Err(e) => {
                self.status = Some(trf(
                    "Could not open the workspace: {error}",
                    &[("error", &e)],
                ));
            }
        }
    }

    /// Carries out one action.
    pub fn execute(&mut self, action: Action) {
        let result = match action {
            Action::Open(spec) => {
                self.open(spec);
                Ok(())
            }
            Action::OpenReconnecting(spec, backoff) => {
                self.open_with(spec, Some(backoff));
                Ok(())
            }
            Action::Send { id, bytes, to } => self.engine.send(id, bytes, to),
            Action::SendEvery {
                id,
                bytes,
                to,
                every,
                count,
            } => self.engine.send_every(id, bytes, to, every, count),
            Action::StopSending { id, slot } => self.engine.stop_sending_in(id, slot),
            Action::SendEveryIn {
                id,
                slot,
                template,
                encoding,
                to,
                every,
            } => {
                let make = move |n: u64| {
                    template.expand(&crate::codec::template::Vars::send(n + 1, encoding))
                };
                let payload = crate::engine::Payload::Made(Box::new(make));
                self.engine
                    .send_every_in(id, slot, payload, to, every, None)
            }
            Action::SendSequence { id, to, steps } => {
                steps.into_iter().try_for_each(|(bytes, at)| {
                    if at.is_zero() {
                        self.engine.send(id, bytes, to.clone())
                    } else {
                        self.engine.send_later(id, bytes, to.clone(), at)
                    }
                })
            }
            Action::CancelLater(id) => self.engine.cancel_later(id),
            Action::Close { id, how } => self.engine.close(id, how),
            Action::Remove(id) => {
                if self.model.lock().remove(id) && self.selected == Some(id) {
                    self.selected = None;
                }
                Ok(())
            }
            Action::Select(id) => {
                self.selected = id;
                Ok(())
            }
            Action::ReplyTo { id, to } => {
                self.selected = Some(id);
                if let Some(to) = to {
                    self.settings.composer.set_destination(id, to.to_string());
                }
                Ok(())
            }
            Action::SetEncoding { id, encoding } => {
                if let Some(s) = self.model.lock().sessions.get_mut(&id) {
                    s.set_encoding(encoding);
                }
                if self.rules.sets.contains_key(&id) {
                    return self.execute(Action::ApplyRules(id));
                }
                Ok(())
            }
            Action::ClearLog => {
                self.model.lock().log.clear();
                Ok(())
            }
            Action::Configure { id, option } => self.engine.configure(id, option),
            Action::PauseReading { id, for_ } => self.engine.pause_reading(id, for_),
            Action::ResumeReading(id) => self.engine.resume_reading(id),
            Action::QueryPort { id, port } => self.engine.query_port(id, port),
            Action::SendSlowly {
                id,
                bytes,
                to,
                piece,
                gap,
            } => {
                let piece = piece.max(1);
                let count = bytes.len().div_ceil(piece) as u64;
                let make = move |n: u64| {
                    let at = usize::try_from(n)
                        .unwrap_or(usize::MAX)
                        .saturating_mul(piece);
                    bytes
                        .get(at..at.saturating_add(piece).min(bytes.len()))
                        .unwrap_or_default()
                        .to_vec()
                };
                let payload = crate::engine::Payload::Made(Box::new(make));
                self.engine.send_every_in(
                    id,
                    crate::quick::SLOW_SLOT,
                    payload,
                    to,
                    gap,
                    Some(count.max(1)),
                )
            }
            Action::SendFile { id, file } => {
                let name = file.path.display().to_string();
                if let Some(s) = self.model.lock().sessions.get_mut(&id) {
                    s.file = Some(crate::model::session::FileState::new(name));
                }
                self.engine.send_file(id, file)
            }
            Action::CancelFile(id) => self.engine.cancel_file(id),
            Action::OpenWorkspace(path) => {
                self.open_workspace_file(&path);
                Ok(())
            }
            Action::SaveWorkspace(path) => {
                match self.workspace().save(&path) {
                    Ok(()) => {
                        self.settings.workspace_path = path.display().to_string();
                        self.files.workspace_saved = Some(path);
                    }
                    Err(e) => {
                        self.status = Some(trf(
                            "Could not save the workspace: {error}",
                            &[("error", &e)],
                        ));
                    }
                }
                Ok(())
            }
            Action::ShowFileWindow(w) => {
                self.files.open(w);
                Ok(())
            }
            Action::SaveReceived { id, path, with_log } => {
                if let Err(e) = self.model.lock().start_saving(id, &path, with_log) {
                    self.status = Some(trf(
                        "Could not save to {path}: {error}",
                        &[("path", &path.display()), ("error", &e)],
                    ));
                }
                Ok(())
            }
            Action::StopSaving(id) => {
                self.model.lock().stop_saving(id);
                Ok(())
            }
            Action::ExportLog {
                path,
                format,
                shown,
            } => {
                let rows = crate::model::export::snapshot(&self.model.lock(), shown);
                match crate::model::export::spawn_export(path, rows, format) {
                    Ok(rx) => self.files.exporting(rx),
                    Err(e) => self.files.export_done = Some(Err(e.to_string())),
                }
                Ok(())
            }
            Action::ApplyRules(id) => self.apply_rules(id),
            Action::StartLesson(id) => {
                self.start_lesson(id);
                Ok(())
            }
            Action::LessonStep(button) => {
                self.lesson_step(button);
                Ok(())
            }
        };
        if let Err(e) = result {
            self.status = Some(e.to_string());
        }
    }

    /// Compiles socket `id`'s reply rules in its encoding and hands them to
    /// the engine; rules that are off, or wrong, are taken away (the error
    /// is kept to show).
    fn apply_rules(&mut self, id: SocketId) -> Result<(), crate::engine::EngineError> {
        let encoding = self
            .model
            .lock()
            .sessions
            .get(&id)
            .map_or(TextEncoding::Utf8, |s| s.encoding);
        let Some(set) = self.rules.sets.get(&id) else {
            return Ok(());
        };
        self.rules.compiled_with.insert(id, encoding);
        let hook: Option<Box<dyn crate::engine::ReceiveHook>> = match set.compile(encoding) {
            Ok(c) => {
                self.rules.errors.remove(&id);
                set.on
                    .then(|| Box::new(c) as Box<dyn crate::engine::ReceiveHook>)
            }
            Err(e) => {
                self.rules.errors.insert(id, e.to_string());
                None
            }
        };
        self.engine.set_receive_hook(id, hook)
    }

    /// Draws the window's contents and carries out what was asked.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        crate::i18n::set_lang(self.settings.lang);
        if !self.capture_error_shown
            && let Some(e) = self.pump.capture_error()
        {
            // Said once; Dismiss takes it away for good.
            self.capture_error_shown = true;
            self.status = Some(trf(
                "Capture stopped: writing failed: {error}",
                &[("error", &e)],
            ));
        }
        let shared = Arc::clone(&self.model);
        let asked = Instant::now();
        let mut model = crate::pump::lock_for_frame(&shared);
        if let Some(stats) = &mut self.frame_stats {
            let got = Instant::now();
            // The part of the wait after the pump let go: the scheduler's.
            let after_release = model
                .pump_released_at
                .filter(|&r| r > asked)
                .map_or(Duration::ZERO, |r| got.saturating_duration_since(r));
            stats.wait(got - asked, after_release);
        }
        let actions = self.draw(ui, &mut model);
        drop(model);
        for a in actions {
            self.execute(a);
        }
        self.advance_lesson();
    }

    /// Draws every panel from `model`; returns what the user asked for.
    fn draw(&mut self, ui: &mut egui::Ui, model: &mut Model) -> Vec<Action> {
        let mut actions =
            crate::ui::files::file_windows_ui(ui.ctx(), &mut self.settings, &mut self.files, model);
        egui::Panel::top("top-bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading("Sockbench");
                ui.separator();
                labelled_combo_salted(
                    ui,
                    "display-encoding",
                    tr("Display encoding for new sockets"),
                    &mut self.settings.display_encoding,
                    &TextEncoding::ALL,
                    TextEncoding::label,
                );
                model.default_encoding = self.settings.display_encoding;
                ui.separator();
                let lang = labelled_combo_salted(
                    ui,
                    "language",
                    tr("Language"),
                    &mut self.settings.lang,
                    &Lang::ALL,
                    Lang::native_name,
                );
                if lang.changed() {
                    crate::i18n::set_lang(self.settings.lang);
                    ui.ctx().request_repaint();
                }
                ui.separator();
                ui.toggle_value(&mut self.settings.show_quick, tr("Quick send panel"));
                ui.toggle_value(&mut self.settings.show_lessons, tr("Lessons"));
                ui.separator();
                ui.menu_button(tr("Files"), |ui| {
                    let s = self.selected.and_then(|id| model.sessions.get(&id));
                    let can_send = s.is_some_and(|s| s.can_send() && !s.kind.is_listener());
                    if ui
                        .add_enabled(can_send, egui::Button::new(tr("Send a file…")))
                        .clicked()
                        && let Some(id) = self.selected
                    {
                        self.files.open(FileWindow::Send(id));
                    }
                    let can_save = s.is_some_and(|s| !s.kind.is_listener() && !s.state.is_closed());
                    if ui
                        .add_enabled(can_save, egui::Button::new(tr("Save received bytes…")))
                        .clicked()
                        && let Some(id) = self.selected
                    {
                        self.files.open(FileWindow::Save(id));
                    }
                    if ui.button(tr("Export the log…")).clicked() {
                        self.files.open(FileWindow::Export);
                    }
                    ui.separator();
                    if ui.button(tr("Open workspace…")).clicked() {
                        self.files.open(FileWindow::OpenWorkspace);
                    }
                    if ui.button(tr("Save workspace…")).clicked() {
                        self.files.open(FileWindow::SaveWorkspace);
                    }
                });
            });
            // On a line of its own, Dismiss first: a long message wraps and
            // never pushes the button out of the window.
            if let Some(s) = self.status.clone() {
                ui.horizontal(|ui| {
                    if ui.small_button(tr("Dismiss")).clicked() {
                        self.status = None;
                    } else {
                        ui.add(egui::Label::new(RichText::new(s).color(error_color(ui))).wrap());
                    }
                });
            }
        });
        egui::Panel::left("sockets")
            .resizable(true)
            .default_size(340.0)
            .min_size(260.0)
            .max_size(720.0)
            .show(ui, |ui| {
                // Long text (an error, a Unix path) wraps: the panel keeps
                // the width the user gave it.
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
                egui::CollapsingHeader::new(tr("Open a socket"))
                    .id_salt("open-a-socket")
                    .default_open(true)
                    .show(ui, |ui| {
                        if let Some(spec) = new_socket_ui(ui, &mut self.settings.form) {
                            actions.push(match self.settings.form.backoff_for(&spec) {
                                Some(b) => Action::OpenReconnecting(spec, b),
                                None => Action::Open(spec),
                            });
                        }
                    });
                ui.separator();
                ui.heading(tr("Sockets"));
                let selected = self.selected.and_then(|id| model.sessions.get(&id));
                let details_height = if selected.is_some() { 260.0 } else { 0.0 };
                let max_height = (ui.available_height() - details_height).max(80.0);
                actions.extend(sidebar_ui(
                    ui,
                    model,
                    self.selected,
                    max_height,
                    self.scroll_to.take(),
                ));
                if let Some(id) = self.selected
                    && let Some(s) = model.sessions.get(&id)
                {
                    ui.separator();
                    let mut encoding = s.encoding;
                    egui::ScrollArea::vertical()
                        .id_salt("socket-details")
                        .auto_shrink([false, true])
                        .show(ui, |ui| {
                            actions.extend(details_ui(ui, model, s));
                            if !s.state.is_closed() || model.saving.contains_key(&id) {
                                actions.extend(crate::ui::files::save_row_ui(
                                    ui,
                                    model,
                                    id,
                                    &mut self.files,
                                ));
                            }
                            ui.horizontal(|ui| {
                                labelled_combo_salted(
                                    ui,
                                    "display-as",
                                    tr("Display as"),
                                    &mut encoding,
                                    &TextEncoding::ALL,
                                    TextEncoding::label,
                                );
                            });
                        });
                    if let Some(s) = model.sessions.get_mut(&id) {
                        s.set_encoding(encoding);
                    }
                    // Rules read text in the socket's encoding.
                    if self
                        .rules
                        .compiled_with
                        .get(&id)
                        .is_some_and(|&e| e != encoding)
                    {
                        actions.push(Action::ApplyRules(id));
                    }
                }
            });
        egui::Panel::bottom("composer")
            .resizable(true)
            .default_size(200.0)
            .min_size(150.0)
            .show(ui, |ui| {
                ui.add_space(4.0);
                let framing = self.settings.lab.framing().ok();
                actions.extend(composer_ui(
                    ui,
                    &mut self.settings.composer,
                    model,
                    self.selected,
                    framing.as_ref(),
                ));
                actions.extend(crate::ui::files::send_file_row_ui(
                    ui,
                    model,
                    self.selected,
                    &mut self.files,
                ));
            });
        if self.settings.show_lessons {
            let framing = self.settings.lab.framing().ok();
            let panel = crate::ui::lessons::LessonsPanel {
                lesson: &mut self.settings.lesson,
                run: self.lesson.as_ref(),
                view: self.settings.view,
                selected: self.selected,
                framing,
                other_port: &mut self.lesson_port,
            };
            egui::Panel::right("lessons")
                .resizable(true)
                .default_size(340.0)
                .min_size(240.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("lessons-scroll")
                        .show(ui, |ui| {
                            actions.extend(crate::ui::lessons::lessons_ui(ui, model, panel));
                        });
                });
        }
        if self.settings.show_quick {
            egui::Panel::right("quick-send")
                .resizable(true)
                .default_size(230.0)
                .min_size(180.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("quick-send-scroll")
                        .show(ui, |ui| {
                            actions.extend(quick_ui(
                                ui,
                                &mut self.settings.quick,
                                &mut self.quick,
                                model,
                                self.selected,
                                &self.settings.composer.udp_to,
                            ));
                        });
                });
        }
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                for v in CentralView::ALL {
                    ui.selectable_value(&mut self.settings.view, v, v.label());
                }
            });
            ui.separator();
            match self.settings.view {
                CentralView::Traffic => {}
                CentralView::Lesson => {
                    self.poll_tcp_info(ui.ctx(), model);
                    egui::ScrollArea::vertical()
                        .id_salt("lesson-view")
                        .auto_shrink([false, false])
                        .show(ui, |ui| {
                            actions.extend(lesson_ui(ui, model, self.selected));
                        });
                    return;
                }
                CentralView::Python => {
                    let framing = self.settings.lab.framing().ok();
                    let opts = crate::model::pygen::PyOptions {
                        rules: Some(&self.rules.sets),
                        framing: framing
                            .as_ref()
                            .filter(|f| **f != crate::codec::framing::Framing::None),
                        style: self.settings.py_style,
                    };
                    python_ui(ui, model, self.selected, opts, &mut self.settings.py_style);
                    return;
                }
                CentralView::Stats => {
                    egui::ScrollArea::vertical()
                        .id_salt("stats-view")
                        .auto_shrink([false, false])
                        .show(ui, |ui| {
                            crate::ui::stats::stats_ui(
                                ui,
                                model,
                                &mut self.settings.stats_scope,
                                self.selected,
                            );
                        });
                    return;
                }
                CentralView::Rules => {
                    egui::ScrollArea::vertical()
                        .id_salt("rules-view")
                        .auto_shrink([false, false])
                        .show(ui, |ui| {
                            actions.extend(rules_ui(ui, model, &mut self.rules, self.selected));
                        });
                    return;
                }
                CentralView::Lab => {
                    egui::ScrollArea::vertical()
                        .id_salt("lab-view")
                        .auto_shrink([false, false])
                        .show(ui, |ui| {
                            actions.extend(lab_ui(
                                ui,
                                model,
                                &mut self.settings.lab,
                                &self.settings.composer.struct_format,
                                self.selected,
                            ));
                        });
                    return;
                }
            }
            if model.log.is_empty() && model.sessions.is_empty() {
                ui.label(
                    RichText::new(tr(
                        "Open a TCP listener, a TCP client or a UDP socket on the left; \
                         everything sent and received appears here.",
                    ))
                    .weak(),
                );
            }
            actions.extend(log_view_ui(
                ui,
                model,
                &mut self.settings.log_view,
                self.selected,
            ));
        });
        actions
    }

    /// While the lesson shows an open TCP socket, asks the kernel for its
    /// state every [`TCP_INFO_EVERY`] and repaints to show the answer.
    fn poll_tcp_info(&mut self, ctx: &egui::Context, model: &Model) {
        let Some(s) = self.selected.and_then(|id| model.sessions.get(&id)) else {
            return;
        };
        if !s.kind.is_tcp() {
            return;
        }
        let due = self
            .last_tcp_info
            .is_none_or(|t| t.elapsed() >= TCP_INFO_EVERY);
        if due {
            self.last_tcp_info = Some(Instant::now());
            // A full command queue only delays the next sample.
            if !s.state.is_closed() {
                let _ = self.engine.query_tcp_info(s.id);
            }
            // Once the socket is gone, or the kernel has handed its
            // connection to a TIME_WAIT record, only the TCP table knows.
            if s.kind.is_stream()
                && s.fd_closed_or_done()
                && let (Some(local), Some(peer)) = (
                    s.local.as_ref().and_then(Addr::ip),
                    s.peer.as_ref().and_then(Addr::ip),
                )
            {
                let _ = self.engine.query_kernel_state(s.id, local, peer);
            }
        }
        ctx.request_repaint_after(TCP_INFO_EVERY);
    }

    /// Closes every socket, then waits until their last events (every
    /// `closed`) are in the model and the capture, and joins the threads.
    pub fn shutdown(&mut self) {
        self.engine.shutdown_delivering(SHUTDOWN_DELIVERY);
        self.pump.join();
        // The save files' writers write what the pump handed them.
        for t in self.model.lock().finish_saving() {
            let _ = t.join();
        }
    }
}

/// The key settings are stored under.
pub const SETTINGS_KEY: &str = "sockbench-settings";

/// The file eframe keeps the settings in, inside its storage directory.
pub const SETTINGS_FILE: &str = "app.ron";

/// Makes the settings private before eframe writes them: the directory
/// 0700, the file 0600 (created as an empty map if missing, so eframe,
/// which only truncates an existing file, keeps its mode).
pub fn protect_settings_dir(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    std::fs::create_dir_all(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    let file = dir.join(SETTINGS_FILE);
    if file.exists() {
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
    } else {
        use std::io::Write;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&file)?
            .write_all(b"{}")
    }
}

impl eframe::App for WorkbenchApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
        if let Some(stats) = &mut self.frame_stats {
            stats.frame();
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, SETTINGS_KEY, &self.settings);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.shutdown();
    }
}
