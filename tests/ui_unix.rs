//! Unix sockets from the window: the form opens a listener and a client on
//! a path in a temporary directory, text goes across, and a stale socket
//! file is refused until the user asks to remove it.

use egui_kittest::kittest::Queryable;

use sockbench::engine::SocketKind;
use sockbench::model::session::SessionState;

use crate::ui::{find_session, harness, received_on, run_until, state_of, type_into};
use crate::util::TempDir;

fn open_unix(
    h: &mut egui_kittest::Harness<'_, sockbench::app::WorkbenchApp>,
    role: &str,
    path: &str,
) {
    h.get_by_label("Unix socket").click();
    h.run();
    h.get_by_label(role).click();
    h.run();
    h.state_mut().settings.form.unix_path.clear();
    type_into(h, "Path", path);
    h.get_by_label("Open Unix socket").click();
    // Not `run()`: the engine's events ask for repaints while it runs,
    // which `run()` takes for a UI that never settles.
    h.step();
}

#[test]
fn a_unix_listener_and_client_opened_from_the_form_talk() {
    let dir = TempDir::new("ui-unix");
    let path = dir.path("demo.sock").display().to_string();
    let mut h = harness();
    open_unix(&mut h, "Listen", &path);
    run_until(&mut h, "the Unix listener to listen", |a| {
        state_of(a, SocketKind::UnixListener) == Some(SessionState::Listening)
    });
    let l = find_session(h.state(), SocketKind::UnixListener).unwrap();
    assert!(
        h.query_all_by_label(&format!("{l} Unix listener {path}"))
            .next()
            .is_some(),
        "the sidebar names the kind and the path"
    );
    open_unix(&mut h, "Connect", &path);
    run_until(&mut h, "the client to connect and be accepted", |a| {
        state_of(a, SocketKind::UnixClient) == Some(SessionState::Connected)
            && find_session(a, SocketKind::UnixAccepted).is_some()
    });
    let accepted = find_session(h.state(), SocketKind::UnixAccepted).unwrap();
    // A client that never bound has no address: the window says so.
    h.state_mut().selected = Some(find_session(h.state(), SocketKind::UnixClient).unwrap());
    h.run();
    assert!(
        h.query_all_by_label("(unnamed)").next().is_some(),
        "an unnamed local address is named as such"
    );
    type_into(&mut h, "Payload", "over AF_UNIX");
    h.get_by_label("Send").click();
    run_until(&mut h, "the text to arrive", |a| {
        received_on(a, accepted) == b"over AF_UNIX"
    });
    // The lesson shows the calls the tutorials write.
    h.state_mut().selected = Some(l);
    h.get_by_label("Calls & states").click();
    h.run();
    assert!(
        h.query_by_label("s = socket(AF_UNIX, SOCK_STREAM)")
            .is_some(),
        "socket(AF_UNIX, SOCK_STREAM) in the lesson"
    );
    assert!(h.query_by_label(&format!("s.bind('{path}')")).is_some());
}

#[test]
fn a_stale_socket_file_is_removed_only_when_the_user_asks() {
    let dir = TempDir::new("ui-stale");
    let file = dir.path("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&file).unwrap());
    let path = file.display().to_string();
    let mut h = harness();
    open_unix(&mut h, "Listen", &path);
    run_until(&mut h, "the bind to fail", |a| {
        state_of(a, SocketKind::UnixListener).is_some_and(|s| s.is_closed())
    });
    let failed = find_session(h.state(), SocketKind::UnixListener).unwrap();
    h.state_mut().selected = Some(failed);
    h.run();
    assert!(
        h.query_all_by_label_contains("Stale socket file")
            .next()
            .is_some()
    );
    assert!(file.exists(), "nothing removed yet");
    h.get_by_label("Remove the stale socket file and open again")
        .click();
    run_until(&mut h, "the new listener to listen", |a| {
        a.model()
            .sessions
            .values()
            .any(|s| s.kind == SocketKind::UnixListener && s.state == SessionState::Listening)
    });
    assert!(std::os::unix::net::UnixStream::connect(&file).is_ok());
}
