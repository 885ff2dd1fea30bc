//! UI flows driven like a user would, with egui_kittest: find widgets by
//! their accessible labels, click, type, and check what the window shows
//! and what the sockets did. Real loopback sockets underneath.

use std::time::{Duration, Instant};

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use sockbench::app::{Settings, WorkbenchApp};
use sockbench::engine::{EngineHandle, SocketId, SocketKind};
use sockbench::i18n::Lang;
use sockbench::model::log::EntryKind;
use sockbench::model::session::SessionState;
use sockbench::ui::fonts;

use crate::util::WAIT;

pub(crate) fn harness() -> Harness<'static, WorkbenchApp> {
    harness_sized(egui::vec2(1280.0, 800.0))
}

/// [`harness`] with a window of `size`.
pub(crate) fn harness_sized(size: egui::Vec2) -> Harness<'static, WorkbenchApp> {
    let engine = EngineHandle::spawn_headless().expect("engine starts");
    let app = WorkbenchApp::new(engine, Settings::default(), None).expect("app starts");
    Harness::builder()
        .with_size(size)
        // The pump asks for a repaint after each batch it folds; while
        // sockets talk, `run()` needs more than the default 4 frames to
        // see a settled UI.
        .with_max_steps(32)
        .with_context_setup(fonts::install)
        .build_ui_state(
            |ui, app: &mut WorkbenchApp| {
                app.show(ui);
            },
            app,
        )
}

/// Runs frames until `f` holds (or fails the test after [`WAIT`]).
pub(crate) fn run_until(
    h: &mut Harness<'_, WorkbenchApp>,
    what: &str,
    f: impl Fn(&WorkbenchApp) -> bool,
) {
    let deadline = Instant::now() + WAIT;
    loop {
        h.step();
        if f(h.state()) {
            h.run_steps(2);
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

pub(crate) fn find_session(app: &WorkbenchApp, kind: SocketKind) -> Option<SocketId> {
    app.model()
        .sessions
        .values()
        .find(|s| s.kind == kind)
        .map(|s| s.id)
}

pub(crate) fn state_of(app: &WorkbenchApp, kind: SocketKind) -> Option<SessionState> {
    app.model()
        .sessions
        .values()
        .find(|s| s.kind == kind)
        .map(|s| s.state.clone())
}

/// Focuses the field labelled `label` and types `text` into it.
pub(crate) fn type_into(h: &mut Harness<'_, WorkbenchApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

/// Opens a listener on 127.0.0.1 by clicking and typing; returns its port.
pub(crate) fn open_listener(h: &mut Harness<'_, WorkbenchApp>) -> u16 {
    h.get_by_label("TCP listener").click();
    h.run();
    h.state_mut().settings.form.listen_port.clear();
    type_into(h, "Port", "0");
    h.run();
    h.get_by_label("Open TCP listener").click();
    run_until(h, "the listener to listen", |a| {
        state_of(a, SocketKind::TcpListener) == Some(SessionState::Listening)
    });
    let id = find_session(h.state(), SocketKind::TcpListener).unwrap();
    let port = crate::util::ip_of(&h.state().model().sessions[&id].local).port();
    assert_ne!(port, 0);
    // The chosen port is shown.
    assert!(
        h.query_all_by_label(&format!("{id} TCP listener 127.0.0.1:{port}"))
            .next()
            .is_some(),
        "the sidebar shows the bound port"
    );
    port
}

/// Opens a client to `port` by clicking and typing; waits until both ends exist.
pub(crate) fn open_client(h: &mut Harness<'_, WorkbenchApp>, port: u16) -> (SocketId, SocketId) {
    h.get_by_label("TCP client").click();
    h.run();
    h.state_mut().settings.form.host.clear();
    type_into(h, "Host", "127.0.0.1");
    type_into(h, "Port", &port.to_string());
    h.run();
    h.get_by_label("Open TCP client").click();
    run_until(h, "the client to connect and be accepted", |a| {
        state_of(a, SocketKind::TcpClient) == Some(SessionState::Connected)
            && find_session(a, SocketKind::TcpAccepted).is_some()
    });
    let app = h.state();
    (
        find_session(app, SocketKind::TcpClient).unwrap(),
        find_session(app, SocketKind::TcpAccepted).unwrap(),
    )
}

pub(crate) fn received_on(app: &WorkbenchApp, id: SocketId) -> Vec<u8> {
    app.model()
        .log
        .entries()
        .filter(|e| e.socket == id && e.kind == EntryKind::Received)
        .flat_map(|e| e.payload.iter().copied())
        .collect()
}

#[test]
fn listener_client_and_text_send_show_in_the_log_as_text_and_hex() {
    let mut h = harness();
    let port = open_listener(&mut h);
    let (client, accepted) = open_client(&mut h, port);
    assert_eq!(h.state().selected, Some(client), "a new socket is selected");

    type_into(&mut h, "Payload", "hello");
    h.run();
    h.get_by_label("Send").click();
    run_until(&mut h, "hello to arrive", |a| {
        received_on(a, accepted) == b"hello"
    });
    // Shown as text and as hex, in the sent row and in the received row.
    assert!(h.query_all_by_label("hello").count() >= 2);
    assert!(h.query_all_by_label("68 65 6C 6C 6F").count() >= 2);
    let counters = h.state().model().sessions[&client].counters;
    assert_eq!((counters.bytes_out, counters.msgs_out), (5, 1));
}

#[test]
fn invalid_hex_shows_the_error_and_sends_nothing() {
    let mut h = harness();
    let port = open_listener(&mut h);
    let (client, _) = open_client(&mut h, port);
    h.get_by_label("Hex").click();
    h.run();
    type_into(&mut h, "Payload", "48 6G");
    h.run();
    h.get_by_label("Send").click();
    h.run();
    assert!(
        h.query_by_label_contains("'G' at character 5").is_some(),
        "the error names the bad character and its position"
    );
    h.run_steps(10);
    assert_eq!(
        h.state().model().sessions[&client].counters.msgs_out,
        0,
        "nothing was sent"
    );
    assert!(
        !h.state()
            .model()
            .log
            .entries()
            .any(|e| e.kind == EntryKind::Sent),
        "no sent row"
    );
}

#[test]
fn gbk_round_trip_shows_chinese() {
    let mut h = harness();
    // Display new sockets as GBK, and send GBK.
    h.state_mut().settings.display_encoding = sockbench::codec::text::TextEncoding::Gbk;
    let port = open_listener(&mut h);
    let (_, accepted) = open_client(&mut h, port);
    h.get_by_label("Encoding").click();
    h.run();
    h.get_by_label("GBK").click();
    h.run();
    type_into(&mut h, "Payload", "你好");
    h.run();
    h.get_by_label("Send").click();
    run_until(&mut h, "你好 to arrive", |a| {
        received_on(a, accepted) == [0xC4, 0xE3, 0xBA, 0xC3]
    });
    assert!(h.query_all_by_label("你好").count() >= 2, "shown as text");
    assert!(
        h.query_all_by_label("C4 E3 BA C3").count() >= 2,
        "and as GBK bytes"
    );
}

#[test]
fn invalid_fields_are_explained_and_nothing_opens() {
    let mut h = harness();
    h.get_by_label("TCP client").click();
    h.run();
    h.state_mut().settings.form.host.clear();
    type_into(&mut h, "Port", "99999");
    h.run();
    h.get_by_label("Open TCP client").click();
    h.run();
    assert!(h.query_by_label_contains("99999 is not a port").is_some());
    assert!(h.state().model().sessions.is_empty(), "nothing was opened");
}

#[test]
fn the_selected_socket_shows_its_socket_calls() {
    let mut h = harness();
    open_listener(&mut h);
    h.get_by_label("Calls & states").click();
    h.run();
    assert!(h.query_all_by_label("s.listen(128)").next().is_some());
    assert!(
        h.query_all_by_label("s.bind(('127.0.0.1', 0))")
            .next()
            .is_some()
    );
    assert!(h.query_all_by_label("→ ok").next().is_some());
}

/// Picks `option` in the language menu, whose label is `label` (the word
/// for "Language" in the language shown now).
fn choose_language(h: &mut Harness<'_, WorkbenchApp>, label: &str, option: &str) {
    h.get_by_label(label).click();
    h.run();
    h.get_by_label(option).click();
    h.run();
}

#[test]
fn the_language_switches_to_chinese_and_back() {
    let mut h = harness();
    choose_language(&mut h, "Language", "简体中文");
    assert_eq!(
        h.state().settings.lang,
        Lang::Zh,
        "the choice is kept in the settings"
    );
    assert!(
        h.query_by_label("开始监听").is_some(),
        "the form's button is in Chinese"
    );
    assert!(h.query_by_label("Open TCP listener").is_none());

    // The form's errors are in Chinese too.
    h.state_mut().settings.form.listen_port = "99999".into();
    h.run();
    h.get_by_label("开始监听").click();
    h.run();
    assert!(h.query_by_label_contains("99999 不是有效端口").is_some());
    assert!(h.state().model().sessions.is_empty(), "nothing was opened");

    // A socket opened in Chinese shows its kind and state in Chinese (every
    // glyph drawn must be in the bundled font, or the harness panics).
    h.state_mut().settings.form.listen_port = "0".into();
    // One frame clears the error, the next moves the button up.
    h.run_steps(2);
    h.run();
    h.get_by_label("开始监听").click();
    run_until(&mut h, "the listener to listen", |a| {
        state_of(a, SocketKind::TcpListener) == Some(SessionState::Listening)
    });
    let id = find_session(h.state(), SocketKind::TcpListener).unwrap();
    let local = crate::util::ip_of(&h.state().model().sessions[&id].local);
    assert!(
        h.query_all_by_label(&format!("{id} TCP 监听 {local}"))
            .next()
            .is_some(),
        "the sidebar names the kind in Chinese"
    );
    assert!(
        h.query_by_label_contains(&format!("正在监听 {local}"))
            .is_some(),
        "the log's row is in Chinese"
    );

    choose_language(&mut h, "语言", "English");
    assert_eq!(h.state().settings.lang, Lang::En);
    assert!(h.query_by_label("Open TCP listener").is_some());
    assert!(h.query_by_label("开始监听").is_none());
    assert!(
        h.query_by_label_contains(&format!("listening on {local}"))
            .is_some(),
        "the same row, logged in Chinese, now reads in English"
    );
    assert!(
        h.query_all_by_label(&format!("{id} TCP listener {local}"))
            .next()
            .is_some()
    );
}

#[test]
fn settings_saved_before_the_language_existed_still_load() {
    let old: Settings = serde_json::from_str(r#"{"display_encoding":"Gbk"}"#).unwrap();
    assert_eq!(old.lang, Lang::En);
    assert_eq!(
        old.display_encoding,
        sockbench::codec::text::TextEncoding::Gbk
    );
    let zh = Settings {
        lang: Lang::Zh,
        ..Settings::default()
    };
    let back: Settings = serde_json::from_str(&serde_json::to_string(&zh).unwrap()).unwrap();
    assert_eq!(back.lang, Lang::Zh);
}

#[test]
fn a_periodic_send_is_started_and_reported_in_the_composer() {
    let mut h = harness();
    let port = open_listener(&mut h);
    let (client, accepted) = open_client(&mut h, port);
    type_into(&mut h, "Payload", "tick");
    h.state_mut().settings.composer.every_ms = 5;
    h.state_mut().settings.composer.every_count = 3;
    h.run();
    h.get_by_label("Start periodic send").click();
    run_until(&mut h, "three ticks to arrive", |a| {
        received_on(a, accepted) == "tick".repeat(3).as_bytes()
    });
    run_until(&mut h, "the periodic send to end", |a| {
        a.model().sessions[&client]
            .periodic_in(0)
            .is_some_and(|p| !p.running && p.sent == 3)
    });
    assert!(
        h.query_by_label_contains("every 5 ms: 3 sent").is_some(),
        "the composer shows where it stands"
    );
    assert!(h.query_by_label("Start periodic send").is_some());
}
