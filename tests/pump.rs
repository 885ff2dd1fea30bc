//! The pump: events reach the model and the capture with no frame drawn,
//! and closing the app under a flood still records every socket's end.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sockbench::app::{Settings, WorkbenchApp};
use sockbench::engine::{EngineHandle, SocketId, SocketSpec};
use sockbench::model::capture::CaptureWriter;

use crate::util::WAIT;

fn listen_spec() -> SocketSpec {
    SocketSpec::TcpListen {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        backlog: 1024,
        reuse_addr: true,
    }
}

fn app_with(capture: Option<CaptureWriter>) -> WorkbenchApp {
    let engine = EngineHandle::spawn_headless().unwrap();
    WorkbenchApp::new(engine, Settings::default(), capture).unwrap()
}

/// Polls `f` on the app (no frame drawn) until it holds, at most [`WAIT`].
fn wait_for(app: &WorkbenchApp, what: &str, f: impl Fn(&WorkbenchApp) -> bool) {
    let deadline = Instant::now() + WAIT;
    while !f(app) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn listening_port(app: &WorkbenchApp, l: SocketId) -> u16 {
    wait_for(app, "listening", |a| a.model().sessions[&l].local.is_some());
    crate::util::ip_of(&app.model().sessions[&l].local).port()
}

#[test]
fn events_reach_the_model_with_no_frame_drawn() {
    let mut app = app_with(None);
    let l = app.open(listen_spec()).unwrap();
    let port = listening_port(&app, l);
    let mut c = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
    let total = 8 * 1024 * 1024;
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..total / chunk.len() {
        c.write_all(&chunk).unwrap();
    }
    wait_for(&app, "8 MiB in the model", |a| {
        let m = a.model();
        m.sessions[&l]
            .children
            .iter()
            .map(|id| m.sessions[id].counters.bytes_in)
            .sum::<u64>()
            == total as u64
    });
    app.shutdown();
}

fn temp_path(tag: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!(
        "sockbench-{tag}-{}-{:?}.jsonl",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_file(&p);
    p
}

/// Closing the app while 200 connections flood it: the capture ends with
/// a `closed` line for every socket, and its last line is whole.
#[test]
fn closing_under_a_flood_records_every_sockets_end() {
    const CLIENTS: usize = 200;
    let path = temp_path("flood-close");
    let mut app = app_with(Some(CaptureWriter::open(&path, false).unwrap()));
    let l = app.open(listen_spec()).unwrap();
    let port = listening_port(&app, l);
    let stop = Arc::new(AtomicBool::new(false));
    // The floods start once every client is accepted (accepts would
    // otherwise queue behind the flood's bytes on a loaded machine).
    let go = Arc::new(std::sync::Barrier::new(CLIENTS + 1));
    let mut floods = Vec::new();
    for i in 0..CLIENTS {
        let stop = Arc::clone(&stop);
        let go = Arc::clone(&go);
        let mut c = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
        c.set_write_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        floods.push(
            std::thread::Builder::new()
                .name(format!("flood-{i}"))
                .spawn(move || {
                    go.wait();
                    let chunk = vec![b'f'; 16 * 1024];
                    let deadline = Instant::now() + WAIT;
                    while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                        if c.write(&chunk).is_err() && stop.load(Ordering::Relaxed) {
                            break;
                        }
                    }
                })
                .unwrap(),
        );
    }
    wait_for(&app, "every client accepted", |a| {
        a.model().sessions[&l].children.len() == CLIENTS
    });
    go.wait();
    // Let the flood fill every queue on the way.
    std::thread::sleep(Duration::from_millis(300));
    app.shutdown();
    stop.store(true, Ordering::Relaxed);
    for f in floods {
        f.join().unwrap();
    }
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(text.ends_with("}\n"), "the last line is whole");
    let closed = text
        .lines()
        .filter(|line| line.contains("\"event\":\"closed\""))
        .count();
    assert_eq!(
        closed,
        CLIENTS + 1,
        "a closed line for each connection and the listener"
    );
    // And the model has them too.
    let m = app.model();
    assert!(m.sessions.values().all(|s| s.state.is_closed()));
}
