//! Garbage in every field a user types into, driven with egui_kittest: each
//! shows a specific error (found by its text) and opens or sends nothing;
//! a 10 MB paste into the composer neither stalls nor breaks the window.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use sockbench::app::WorkbenchApp;
use sockbench::engine::{MAX_UDP_PAYLOAD_BYTES, SocketId, SocketKind};
use sockbench::model::log::EntryKind;
use sockbench::model::session::SessionState;
use sockbench::ui::new_socket::{FormKind, NewSocketForm};

use crate::ui::{
    find_session, harness, open_client, open_listener, received_on, run_until, state_of, type_into,
};

/// A pasted 100 kB string.
fn huge(c: char) -> String {
    std::iter::repeat_n(c, 100_000).collect()
}

/// Runs frames after the test changed the app's state directly: without
/// input, one frame may draw what the state was (an error label that the
/// frame then clears), and the next one shifts the widgets below it.
fn settle(h: &mut Harness<'_, WorkbenchApp>) {
    h.run_steps(2);
    h.run();
}

/// Whether some widget's label contains `text`.
fn shows(h: &Harness<'_, WorkbenchApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

/// The form field behind a label, for the kind the form shows.
fn form_field<'a>(form: &'a mut NewSocketForm, label: &str) -> &'a mut String {
    match (form.kind, label) {
        (_, "Other bind address") => &mut form.other_address,
        (FormKind::TcpListener, "Port") => &mut form.listen_port,
        (FormKind::TcpListener, "Backlog") => &mut form.backlog,
        (FormKind::TcpClient, "Host") => &mut form.host,
        (FormKind::TcpClient, "Port") => &mut form.connect_port,
        (FormKind::Udp, "Port") => &mut form.udp_port,
        (FormKind::Udp, "Default peer") => &mut form.udp_peer,
        (FormKind::Udp, "Receive size") => &mut form.udp_recv_size,
        (kind, label) => panic!("no field {label:?} for {kind:?}"),
    }
}

/// Good values for every field, so each case has one bad field.
fn valid_form(form: &mut NewSocketForm) {
    form.other_address = "127.0.0.1".into();
    form.listen_port = "0".into();
    form.backlog = "128".into();
    form.host = "127.0.0.1".into();
    form.connect_port = "9".into();
    form.udp_port = "0".into();
    form.udp_peer = String::new();
    form.udp_recv_size = String::new();
}

/// Picks "Other address…" in the bind address menu, as a user would.
fn choose_other_bind_address(h: &mut Harness<'_, WorkbenchApp>) {
    h.get_by_label("Bind address").click();
    h.run();
    h.get_by_label("Other address…").click();
    h.run();
    assert!(shows(h, "Other bind address"));
}

/// For each `(field, typed, error)`: types `typed` into the (emptied) field
/// with the other fields valid, clicks Open, and checks that `error` is
/// shown, that every error is short, and that nothing opened.
fn garbage_in_form(
    h: &mut Harness<'_, WorkbenchApp>,
    kind: FormKind,
    cases: &[(&str, String, &str)],
) {
    let open = format!("Open {}", kind.label());
    for (field, typed, want) in cases {
        let what = format!("{field} = {:?}", shorten(typed));
        valid_form(&mut h.state_mut().settings.form);
        form_field(&mut h.state_mut().settings.form, field).clear();
        settle(h);
        if !typed.is_empty() {
            type_into(h, field, typed);
        }
        assert!(
            form_field(&mut h.state_mut().settings.form, field) == typed,
            "{what}: typed into the field, which has {:?}",
            shorten(form_field(&mut h.state_mut().settings.form, field))
        );
        h.get_by_label(&open).click();
        h.run();
        let errors = &h.state().settings.form.errors;
        assert!(
            shows(h, want),
            "{what}: expected an error containing {want:?}; the form has {errors:?}"
        );
        assert!(
            errors.iter().all(|e| e.message.len() < 400),
            "{what}: errors are short: {errors:?}"
        );
        h.run_steps(3);
        assert!(
            h.state().model().sessions.is_empty(),
            "{what}: nothing was opened"
        );
    }
}

fn shorten(s: &str) -> String {
    if s.len() > 20 {
        format!("{}… ({} bytes)", &s[..20], s.len())
    } else {
        s.to_owned()
    }
}

fn cases(list: &[(&'static str, &str, &'static str)]) -> Vec<(&'static str, String, &'static str)> {
    list.iter().map(|&(f, t, w)| (f, t.to_owned(), w)).collect()
}

#[test]
fn listener_form_garbage_is_explained_and_nothing_opens() {
    let mut h = harness();
    h.get_by_label("TCP listener").click();
    h.run();
    choose_other_bind_address(&mut h);
    let mut list = cases(&[
        ("Port", "", "Port is empty"),
        ("Port", "   ", "Port is empty"),
        (
            "Port",
            "99999",
            "99999 is not a port: ports go from 1 to 65535 (0 picks a free one)",
        ),
        ("Port", "-1", "-1 is not a port"),
        ("Port", "80.5", "'80.5' is not a whole number"),
        (
            "Backlog",
            "-1",
            "-1 is out of range: the backlog goes from 1 to 65535",
        ),
        ("Backlog", "99999", "99999 is out of range"),
        ("Backlog", "   lots", "'lots' is not a number"),
        ("Other bind address", "", "Bind address is empty"),
        ("Other bind address", "   ", "Bind address is empty"),
        (
            "Other bind address",
            "-1",
            "bind needs an IP address of this machine, not a host name ('-1')",
        ),
        ("Other bind address", "99999", "not a host name ('99999')"),
        (
            "Other bind address",
            "127.0.0.1:80",
            "'127.0.0.1:80' has a port in it",
        ),
    ]);
    list.push(("Port", huge('9'), "far too long for a port"));
    list.push(("Backlog", huge('1'), "far too long for a backlog"));
    list.push((
        "Other bind address",
        huge('a'),
        "is 100000 characters long, far too long for a bind address",
    ));
    garbage_in_form(&mut h, FormKind::TcpListener, &list);
}

#[test]
fn client_form_garbage_is_explained_and_nothing_opens() {
    let mut h = harness();
    h.get_by_label("TCP client").click();
    h.run();
    let mut list = cases(&[
        ("Host", "", "Host is empty"),
        ("Host", "   ", "Host is empty"),
        ("Host", "-1", "'-1' has a part that starts or ends with '-'"),
        ("Host", "99999", "'99999' is not an IPv4 address"),
        ("Host", "example.com:80", "has a port in it"),
        ("Port", "", "Port is empty"),
        ("Port", "   ", "Port is empty"),
        (
            "Port",
            "99999",
            "99999 is not a port: ports go from 1 to 65535",
        ),
        ("Port", "-1", "-1 is not a port"),
        ("Port", "0", "0 is not a port you can send or connect to"),
    ]);
    list.push((
        "Host",
        huge('a'),
        "is 100000 characters long; a host name has at most 253",
    ));
    list.push(("Port", huge('9'), "far too long for a port"));
    garbage_in_form(&mut h, FormKind::TcpClient, &list);
}

#[test]
fn udp_form_garbage_is_explained_and_nothing_opens() {
    let mut h = harness();
    h.get_by_label("UDP socket").click();
    h.run();
    // With the default bind address, 127.0.0.1.
    let mut list = cases(&[
        ("Port", "", "Port is empty"),
        ("Port", "   ", "Port is empty"),
        ("Port", "99999", "99999 is not a port"),
        ("Port", "-1", "-1 is not a port"),
        (
            "Default peer",
            "::1",
            "'::1' has no port: an IPv6 address goes in brackets before the port",
        ),
        (
            "Default peer",
            "[::1]:9000",
            "peer ::1 is IPv6 but the socket is bound to an IPv4 address",
        ),
        ("Default peer", "-1", "'-1' has no port"),
        ("Default peer", "99999", "'99999' has no port"),
        (
            "Default peer",
            "127.0.0.1:99999",
            "the port in '127.0.0.1:99999': 99999 is not a port",
        ),
        (
            "Default peer",
            "127.0.0.1:0",
            "0 is not a port you can send or connect to",
        ),
        (
            "Receive size",
            "-1",
            "-1 is out of range: the receive size goes from 1 to 65536",
        ),
        ("Receive size", "99999", "99999 is out of range"),
        ("Receive size", "0", "0 is out of range"),
    ]);
    list.push(("Port", huge('9'), "far too long for a port"));
    list.push(("Default peer", huge('1'), "far too long for a peer"));
    list.push(("Receive size", huge('9'), "far too long for a receive size"));
    garbage_in_form(&mut h, FormKind::Udp, &list);

    // Typed bind addresses, and an IPv4 peer for an IPv6 bind address.
    choose_other_bind_address(&mut h);
    let list = cases(&[
        ("Other bind address", "", "Bind address is empty"),
        ("Other bind address", "   ", "Bind address is empty"),
        ("Other bind address", "-1", "not a host name ('-1')"),
        (
            "Other bind address",
            "[::1",
            "opens a bracket but does not close it",
        ),
    ]);
    garbage_in_form(&mut h, FormKind::Udp, &list);
    valid_form(&mut h.state_mut().settings.form);
    h.state_mut().settings.form.other_address = "::1".into();
    settle(&mut h);
    type_into(&mut h, "Default peer", "127.0.0.1:9");
    h.get_by_label("Open UDP socket").click();
    h.run();
    let want = "peer 127.0.0.1 is IPv4 but the socket is bound to an IPv6 address";
    assert!(shows(&h, want), "{:?}", h.state().settings.form.errors);
    h.run_steps(3);
    assert!(h.state().model().sessions.is_empty(), "nothing was opened");
}

/// Whether the model shows nothing sent on `id`, and the log no sent row.
fn nothing_sent(h: &Harness<'_, WorkbenchApp>, id: SocketId) -> bool {
    h.state().model().sessions[&id].counters.msgs_out == 0
        && !h
            .state()
            .model()
            .log
            .entries()
            .any(|e| e.kind == EntryKind::Sent)
}

/// For each `(field, typed, error)`: types into the composer's emptied
/// field, clicks Send, checks the error is shown and nothing was sent.
fn garbage_in_composer(
    h: &mut Harness<'_, WorkbenchApp>,
    target: SocketId,
    payload: &str,
    cases: &[(&str, String, &str)],
) {
    for (field, typed, want) in cases {
        let what = format!("{field} = {:?}", shorten(typed));
        let c = &mut h.state_mut().settings.composer;
        c.error = None;
        c.text = payload.to_owned();
        match *field {
            "Payload" => c.text.clear(),
            "UDP destination" => c.udp_to.clear(),
            other => panic!("no composer field {other:?}"),
        }
        settle(h);
        if !typed.is_empty() {
            type_into(h, field, typed);
        }
        h.get_by_label("Send").click();
        h.run();
        let error = &h.state().settings.composer.error;
        assert!(
            shows(h, want),
            "{what}: expected an error containing {want:?}; the composer has {error:?}"
        );
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.len() < 400 && e.contains("nothing was sent")
                    || e.starts_with("Nothing to send")),
            "{what}: {error:?}"
        );
        h.run_steps(3);
        assert!(nothing_sent(h, target), "{what}: nothing was sent");
    }
}

/// Opens a UDP socket on 127.0.0.1 (no default peer) through the form.
fn open_udp(h: &mut Harness<'_, WorkbenchApp>) -> SocketId {
    h.get_by_label("UDP socket").click();
    h.run();
    h.get_by_label("Open UDP socket").click();
    run_until(h, "the UDP socket to bind", |a| {
        state_of(a, SocketKind::Udp) == Some(SessionState::Bound)
    });
    let id = find_session(h.state(), SocketKind::Udp).unwrap();
    assert_eq!(h.state().selected, Some(id));
    id
}

#[test]
fn composer_garbage_for_a_udp_socket_is_explained_and_nothing_is_sent() {
    let mut h = harness();
    let id = open_udp(&mut h);
    let mut list = cases(&[
        (
            "UDP destination",
            "",
            "Give a destination (Send to), or open the UDP socket with a default peer",
        ),
        ("UDP destination", "   ", "Give a destination (Send to)"),
        ("UDP destination", "99999", "'99999' has no port"),
        ("UDP destination", "-1", "'-1' has no port"),
        (
            "UDP destination",
            "::1",
            "an IPv6 address goes in brackets before the port",
        ),
        (
            "UDP destination",
            "127.0.0.1:0",
            "0 is not a port you can send or connect to",
        ),
    ]);
    list.push(("UDP destination", huge('1'), "far too long for a peer"));
    garbage_in_composer(&mut h, id, "hello", &list);
}

#[test]
fn composer_garbage_for_a_tcp_client_is_explained_and_nothing_is_sent() {
    let mut h = harness();
    let port = open_listener(&mut h);
    let (client, _) = open_client(&mut h, port);
    let list = cases(&[
        ("Payload", "", "Nothing to send: the payload is empty."),
        (
            "Payload",
            "abc\\q",
            "unknown escape '\\q' at character 4; use \\\\ for a backslash; nothing was sent.",
        ),
        (
            "Payload",
            "ends with \\",
            "the backslash at character 11 ends the text",
        ),
        ("Payload", "\\x4", "\\x at character 1 needs two hex digits"),
    ]);
    garbage_in_composer(&mut h, client, "", &list);

    // Hex mode.
    h.get_by_label("Hex").click();
    h.run();
    let list = cases(&[
        ("Payload", "-1", "odd number of hex digits (1)"),
        ("Payload", "99999", "odd number of hex digits (5)"),
        ("Payload", "0x", "'x' at character 2 is not a hex digit"),
    ]);
    garbage_in_composer(&mut h, client, "", &list);
    h.get_by_label("Text").click();
    h.state_mut().settings.composer.text.clear();
    settle(&mut h);
    // Spaces only are a payload like any other.
    type_into(&mut h, "Payload", "   ");
    h.get_by_label("Send").click();
    run_until(&mut h, "three spaces to be sent", |a| {
        a.model().sessions[&client].counters.bytes_out == 3
    });
}

const TEN_MB: usize = 10 * 1024 * 1024;

#[test]
fn ten_megabyte_paste_is_sent_to_a_tcp_client() {
    let mut h = harness();
    let port = open_listener(&mut h);
    let (client, accepted) = open_client(&mut h, port);
    let big: String = ('a'..='z').cycle().take(TEN_MB).collect();
    type_into(&mut h, "Payload", &big);
    h.run();
    assert_eq!(h.state().settings.composer.text.len(), TEN_MB);
    assert!(
        shows(&h, "10.0 MiB pasted: too large to edit here"),
        "a summary stands in for the editor"
    );
    h.get_by_label("Send").click();
    // The frame completes. (The log then scrolls to follow the new rows, so
    // frames go on for a while: no h.run() here.)
    h.step();
    assert_eq!(h.state().settings.composer.error, None);
    run_until(&mut h, "10 MB to arrive", |a| {
        a.model().sessions[&accepted].counters.bytes_in == TEN_MB as u64
    });
    assert!(
        received_on(h.state(), accepted) == big.as_bytes(),
        "bytes differ"
    );
    let counters = h.state().model().sessions[&client].counters;
    assert_eq!((counters.bytes_out, counters.msgs_out), (TEN_MB as u64, 1));
    assert!(
        h.state().settings.composer.history.is_empty(),
        "10 MB is not kept in the (saved) history"
    );
    // Clear brings the editor back.
    h.get_by_label("Clear").click();
    h.run();
    assert!(h.state().settings.composer.text.is_empty());
    type_into(&mut h, "Payload", "small again");
    assert_eq!(h.state().settings.composer.text, "small again");
}

#[test]
fn ten_megabyte_paste_for_a_udp_socket_is_refused_and_nothing_is_sent() {
    let mut h = harness();
    let id = open_udp(&mut h);
    let to = crate::util::ip_of(&h.state().model().sessions[&id].local).to_string();
    type_into(&mut h, "UDP destination", &to);
    let big = "x".repeat(TEN_MB);
    type_into(&mut h, "Payload", &big);
    h.get_by_label("Send").click();
    h.run();
    let want = format!(
        "{TEN_MB} bytes is too long for one UDP datagram (at most {MAX_UDP_PAYLOAD_BYTES} over IPv4); nothing was sent."
    );
    assert_eq!(
        h.state().settings.composer.error.as_deref(),
        Some(want.as_str())
    );
    assert!(shows(&h, "too long for one UDP datagram"));
    h.run_steps(3);
    assert!(nothing_sent(&h, id));
}

/// The settings directory is made private before eframe writes into it.
#[test]
fn the_settings_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("sockbench-settings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    sockbench::app::protect_settings_dir(&dir).unwrap();
    let file = dir.join(sockbench::app::SETTINGS_FILE);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&file), 0o600);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "{}");
    // An existing file keeps its contents and becomes private.
    std::fs::write(&file, "(x: 1)").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    sockbench::app::protect_settings_dir(&dir).unwrap();
    assert_eq!(mode(&file), 0o600);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "(x: 1)");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A capture whose writes fail (a full disk: /dev/full) is said once in the
/// status line, the sockets go on, and Dismiss takes the message away.
#[test]
fn a_failing_capture_is_reported_once_and_can_be_dismissed() {
    use eframe::egui;
    let capture =
        sockbench::model::capture::CaptureWriter::open(std::path::Path::new("/dev/full"), true)
            .unwrap();
    let engine = sockbench::engine::EngineHandle::spawn_headless().unwrap();
    let app =
        WorkbenchApp::new(engine, sockbench::app::Settings::default(), Some(capture)).unwrap();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_context_setup(sockbench::ui::fonts::install)
        .build_ui_state(|ui, app: &mut WorkbenchApp| app.show(ui), app);
    open_listener(&mut h);
    run_until(&mut h, "the capture to fail", |a| {
        a.status
            .as_deref()
            .is_some_and(|s| s.starts_with("Capture stopped: writing failed"))
    });
    h.get_by_label("Dismiss").click();
    h.run_steps(3);
    assert_eq!(h.state().status, None, "dismissed for good");
}
