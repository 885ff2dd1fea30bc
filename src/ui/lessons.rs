//! The lessons panel: the list of lessons, and the chosen one's page with
//! its Start button and steps that tick themselves off.

use eframe::egui::{self, RichText};

use crate::codec::framing::Framing;
use crate::i18n::{tr, trf};
use crate::lessons::{Check, LessonId, LessonRun, Role, Seen, StepButton};
use crate::model::Model;

use super::{Action, CentralView, accessible_name, error_color};

/// What the lessons panel reads and changes.
pub struct LessonsPanel<'a> {
    /// The lesson shown.
    pub lesson: &'a mut LessonId,
    /// The lesson started last.
    pub run: Option<&'a LessonRun>,
    /// The tab shown.
    pub view: CentralView,
    /// The selected socket.
    pub selected: Option<crate::engine::SocketId>,
    /// The lab's framing.
    pub framing: Option<Framing>,
    /// The port typed for another web server.
    pub other_port: &'a mut String,
}

/// Draws the lessons panel; returns what was clicked.
pub fn lessons_ui(ui: &mut egui::Ui, model: &Model, p: LessonsPanel<'_>) -> Vec<Action> {
    let mut actions = Vec::new();
    ui.heading(tr("Lessons"));
    ui.label(
        RichText::new(tr(
            "Each follows one of the tutorials: Start opens what it needs, \
             the steps say what to click, and each step is ticked when the \
             sockets have done it.",
        ))
        .weak(),
    );
    ui.horizontal(|ui| {
        let l = ui.label(tr("Lesson"));
        egui::ComboBox::from_id_salt("lesson")
            .selected_text(p.lesson.title())
            .height(f32::INFINITY)
            .show_ui(ui, |ui| {
                for (i, id) in LessonId::ALL.into_iter().enumerate() {
                    let text = format!("{}. {}", i + 1, id.title());
                    let item = ui.selectable_value(p.lesson, id, text);
                    accessible_name(item, id.title());
                }
            })
            .response
            .labelled_by(l.id);
        let at = LessonId::ALL
            .iter()
            .position(|l| l == p.lesson)
            .unwrap_or(0);
        if ui
            .add_enabled(at > 0, egui::Button::new("<"))
            .on_hover_text(tr("Previous lesson"))
            .clicked()
        {
            *p.lesson = LessonId::ALL[at - 1];
        }
        if ui
            .add_enabled(at + 1 < LessonId::ALL.len(), egui::Button::new(">"))
            .on_hover_text(tr("Next lesson"))
            .clicked()
        {
            *p.lesson = LessonId::ALL[at + 1];
        }
    });
    ui.separator();
    let id = *p.lesson;
    let lesson = id.lesson();
    let at = LessonId::ALL.iter().position(|&l| l == id).unwrap_or(0);
    ui.strong(trf(
        "Lesson {n} of {all}: {title}",
        &[
            ("n", &(at + 1)),
            ("all", &LessonId::ALL.len()),
            ("title", &lesson.title.text()),
        ],
    ));
    ui.label(lesson.intro.text());
    let start = ui.button(tr("Start"));
    let start = accessible_name(start, &trf("Start: {lesson}", &[("lesson", &id.title())]))
        .on_hover_text(tr(
            "Opens this lesson's sockets (and closes those the previous lesson opened)",
        ));
    if start.clicked() {
        actions.push(Action::StartLesson(id));
    }
    let run = p.run.filter(|r| r.lesson == id);
    if let Some(run) = run {
        opened_ui(ui, model, run);
    }
    let seen = run.map(|run| Seen {
        model,
        run,
        view: p.view,
        selected: p.selected,
        framing: p.framing.clone(),
    });
    ui.add_space(4.0);
    let done: Vec<bool> = lesson
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            run.is_some_and(|r| r.done.get(i).copied().unwrap_or(false))
                || seen.as_ref().is_some_and(|s| s.holds(step.check))
        })
        .collect();
    // The step to do next: the first one not done, drawn stronger.
    let next = run.and_then(|_| {
        lesson
            .steps
            .iter()
            .zip(&done)
            .position(|(step, &d)| !d && step.check != Check::Read)
    });
    for (i, step) in lesson.steps.iter().enumerate() {
        let n = i + 1;
        let done = done[i];
        ui.horizontal_top(|ui| {
            let (mark, name) = match (step.check, done) {
                (Check::Read, _) => ("·", trf("Step {n}", &[("n", &n)])),
                (_, true) => ("√", trf("Step {n}: done", &[("n", &n)])),
                (_, false) => ("○", trf("Step {n}: not yet", &[("n", &n)])),
            };
            let color = if done {
                done_color(ui)
            } else {
                ui.visuals().weak_text_color()
            };
            let mark = ui.label(RichText::new(mark).color(color).strong());
            mark.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &name));
            ui.vertical(|ui| {
                let text = RichText::new(format!("{n}. {}", step.text.text()));
                let text = if next == Some(i) { text.strong() } else { text };
                ui.add(egui::Label::new(text).wrap());
                if step.button.map(|b| b.1) == Some(StepButton::ConnectToPort) {
                    ui.horizontal(|ui| {
                        super::labelled_text_edit(
                            ui,
                            tr("Port of the other web server"),
                            p.other_port,
                            "8000",
                            60.0,
                        );
                    });
                    if let Some(e) = run.and_then(|r| r.port_error.as_ref()) {
                        ui.colored_label(error_color(ui), e);
                    }
                }
                if let Some((label, button)) = step.button {
                    let b = ui.add_enabled(run.is_some(), egui::Button::new(label.text()));
                    let name = trf(
                        "{button} (step {n})",
                        &[("button", &label.text()), ("n", &n)],
                    );
                    let b =
                        accessible_name(b, &name).on_disabled_hover_text(tr("Click Start first"));
                    if b.clicked() {
                        actions.push(Action::LessonStep(button));
                    }
                }
            });
        });
    }
    actions
}

/// What the started lesson opened: its sockets, the port or the path.
fn opened_ui(ui: &mut egui::Ui, model: &Model, run: &LessonRun) {
    let mut roles = vec![(tr("Server"), Role::Server)];
    for i in 0..run.clients.len() {
        roles.push((tr("Client"), Role::Client(i)));
    }
    let names: Vec<String> = roles
        .into_iter()
        .filter_map(|(what, role)| {
            let s = run.socket(model, role)?;
            Some(format!("{what} {}", s.title()))
        })
        .collect();
    if !names.is_empty() {
        ui.label(RichText::new(names.join(" · ")).monospace().small());
    }
    if let Some(path) = &run.path {
        ui.horizontal(|ui| {
            ui.label(RichText::new(tr("Path")).small());
            ui.label(
                RichText::new(path.display().to_string())
                    .monospace()
                    .small(),
            );
        });
    }
    if let Some(e) = run
        .server
        .and_then(|id| model.sessions.get(&id))
        .and_then(|s| s.last_error.as_ref())
    {
        ui.colored_label(error_color(ui), e.message());
    }
}

/// The colour of a step's tick.
fn done_color(ui: &egui::Ui) -> egui::Color32 {
    if ui.visuals().dark_mode {
        egui::Color32::from_rgb(110, 200, 110)
    } else {
        egui::Color32::from_rgb(20, 130, 40)
    }
}
