//! Starting a lesson (its sockets, rules, encodings and lab settings) and
//! carrying out its steps' buttons.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::engine::{CloseHow, SocketSpec};
use crate::lessons::{LessonId, LessonRun, Role, StepButton};
use crate::ui::lab::FramingKind;

use super::WorkbenchApp;

/// A fresh path for a lesson's Unix listener, in the temporary directory.
fn lesson_socket_path() -> std::path::PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("sockbench-lesson-{}-{n}.sock", std::process::id()))
}

impl WorkbenchApp {
    /// Starts lesson `id`: closes what the previous lesson opened, opens
    /// its server (its clients follow once the server has its address, in
    /// [`WorkbenchApp::advance_lesson`]) and sets up the composer, the lab
    /// and the tab.
    pub(super) fn start_lesson(&mut self, id: LessonId) {
        self.end_lesson();
        let lesson = id.lesson();
        let path =
            matches!(lesson.setup.server, crate::lessons::Server::Unix).then(lesson_socket_path);
        let Some(spec) = lesson.server_spec(path.as_deref()) else {
            return;
        };
        let Some(server) = self.open(spec) else {
            return;
        };
        if let Some(rules) = lesson.rules() {
            self.rules.sets.insert(server, rules);
            self.execute(crate::ui::Action::ApplyRules(server));
        }
        if lesson.setup.length_prefix {
            let lab = &mut self.settings.lab;
            lab.kind = FramingKind::LengthPrefix;
            lab.width = crate::codec::framing::LengthWidth::W4;
            lab.big_endian = true;
            lab.includes_header = false;
        }
        if let Some(text) = lesson.setup.composer {
            let c = &mut self.settings.composer;
            c.text = text.to_owned();
            c.mode = crate::codec::compose::InputMode::Text;
            c.escapes = true;
            c.line_ending = crate::codec::compose::LineEnding::None;
        }
        if let Some(view) = lesson.setup.view {
            self.settings.view = view;
        }
        self.lesson = Some(LessonRun {
            lesson: id,
            server: Some(server),
            to_open: lesson.setup.clients,
            path,
            ..LessonRun::default()
        });
    }

    /// Closes every socket the running lesson opened that is still open.
    fn end_lesson(&mut self) {
        let Some(run) = self.lesson.take() else {
            return;
        };
        let ids: Vec<_> = run
            .server
            .into_iter()
            .chain(run.clients)
            .chain(run.reopened)
            .chain(run.other)
            .collect();
        let open: Vec<_> = {
            let model = self.model.lock();
            ids.into_iter()
                .filter(|id| model.sessions.get(id).is_some_and(|s| !s.state.is_closed()))
                .collect()
        };
        for id in open {
            // A listener's close ends its connections too.
            if let Err(e) = self.engine.close(id, CloseHow::Close) {
                self.status = Some(e.to_string());
            }
        }
    }

    /// Opens the running lesson's clients once its server has its address,
    /// and, for a lesson shown in the lab, selects the first connection
    /// once it is accepted. Called after each frame.
    pub(super) fn advance_lesson(&mut self) {
        let Some(run) = &self.lesson else {
            return;
        };
        let lesson = run.lesson.lesson();
        if run.to_open > 0 {
            let specs = {
                let model = self.model.lock();
                let Some(server) = run.server.and_then(|id| model.sessions.get(&id)) else {
                    return;
                };
                let Some(addr) = server.local.clone() else {
                    return;
                };
                if server.state.is_closed() {
                    return;
                }
                (0..run.to_open)
                    .filter_map(|_| lesson.client_spec(&addr))
                    .collect::<Vec<SocketSpec>>()
            };
            let encoding = lesson.setup.client_encoding;
            let mut opened = Vec::new();
            for spec in specs {
                if let Some(id) = self.open(spec) {
                    if let Some(encoding) = encoding {
                        self.execute(crate::ui::Action::SetEncoding { id, encoding });
                    }
                    opened.push(id);
                }
            }
            if let Some(run) = &mut self.lesson {
                run.to_open = 0;
                run.port = {
                    let model = self.model.lock();
                    run.server
                        .and_then(|id| model.sessions.get(&id))
                        .and_then(|s| s.local.as_ref())
                        .and_then(|a| a.ip())
                        .map(|a| a.port())
                };
                run.clients.extend(opened);
            }
            return;
        }
        // Steps seen done stay done.
        let done: Vec<bool> = {
            let model = self.model.lock();
            let seen = crate::lessons::Seen {
                model: &model,
                run,
                view: self.settings.view,
                selected: self.selected,
                framing: self.settings.lab.framing().ok(),
            };
            lesson
                .steps
                .iter()
                .enumerate()
                .map(|(i, step)| {
                    run.done.get(i).copied().unwrap_or(false) || seen.holds(step.check)
                })
                .collect()
        };
        if let Some(run) = &mut self.lesson {
            run.done = done;
        }
        let Some(run) = &self.lesson else {
            return;
        };
        // The lab lessons show the first connection as soon as it exists.
        if lesson.setup.view == Some(crate::ui::CentralView::Lab) && !run.conn_shown {
            let conn = run.socket(&self.model.lock(), Role::Conn(0)).map(|s| s.id);
            if let Some(conn) = conn
                && let Some(run) = &mut self.lesson
            {
                run.conn_shown = true;
                self.selected = Some(conn);
            }
        }
    }

    /// Carries out a step's button.
    pub(super) fn lesson_step(&mut self, button: StepButton) {
        let Some(run) = &self.lesson else {
            return;
        };
        let role_id = |role| run.socket(&self.model.lock(), role).map(|s| s.id);
        match button {
            StepButton::Select(role) => {
                if let Some(id) = role_id(role) {
                    self.selected = Some(id);
                }
            }
            StepButton::Show(role, view) => {
                if let Some(id) = role_id(role) {
                    self.selected = Some(id);
                    self.settings.view = view;
                }
            }
            StepButton::Close(role) => {
                if let Some(id) = role_id(role)
                    && let Err(e) = self.engine.close(id, CloseHow::Close)
                {
                    self.status = Some(e.to_string());
                }
            }
            StepButton::Reopen { reuse } => {
                let Some(port) = run.port else {
                    return;
                };
                let spec = SocketSpec::TcpListen {
                    addr: std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, port)),
                    backlog: 128,
                    reuse_addr: reuse,
                };
                if let Some(id) = self.open(spec)
                    && let Some(run) = &mut self.lesson
                {
                    run.reopened.push(id);
                }
            }
            StepButton::ConnectToPort => {
                let port = match crate::model::spec::parse_port(&self.lesson_port, false) {
                    Ok(port) => port,
                    Err(e) => {
                        if let Some(run) = &mut self.lesson {
                            run.port_error = Some(e.message);
                        }
                        return;
                    }
                };
                let spec = SocketSpec::TcpConnect {
                    host: "127.0.0.1".into(),
                    port,
                };
                if let Some(id) = self.open(spec)
                    && let Some(run) = &mut self.lesson
                {
                    run.other = Some(id);
                    run.port_error = None;
                }
            }
        }
    }
}
