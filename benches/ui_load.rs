//! The UI under load: one frame of the whole window with a million log
//! rows (headless egui_kittest), memory per log row beyond its payload, and
//! how many engine events per second the model folds in.

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};

use eframe::egui;
use egui_kittest::Harness;
use sockbench::app::{Settings, WorkbenchApp};
use sockbench::engine::{EngineHandle, Event, EventKind, SocketId};
use sockbench::model::Model;
use sockbench::model::log::LogEntry;
use sockbench::ui::fonts;

use crate::common::{Row, percentile, quick, rss_bytes};

const B: &str = "UI under load";

fn peer() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 40_000))
}

/// The events of a listener and one connection it accepted.
fn opening_events() -> Vec<Event> {
    let time = SystemTime::now();
    vec![
        Event {
            id: SocketId(1),
            time,
            kind: EventKind::Listening {
                local: SocketAddr::from(([127, 0, 0, 1], 9000)).into(),
                backlog: 128,
            },
        },
        Event {
            id: SocketId(2),
            time,
            kind: EventKind::Accepted {
                parent: SocketId(1),
                local: SocketAddr::from(([127, 0, 0, 1], 9000)).into(),
                peer: peer().into(),
            },
        },
    ]
}

/// The `i`th read of that connection.
fn read_event(i: usize, payload_bytes: usize) -> Event {
    let text = b"GET /status HTTP/1.1 temperature=23.5 humidity=41% ok\r\n";
    let bytes: Vec<u8> = text
        .iter()
        .cycle()
        .skip(i % 7)
        .take(payload_bytes)
        .copied()
        .collect();
    Event {
        id: SocketId(2),
        time: SystemTime::now(),
        kind: EventKind::Received {
            bytes,
            from: Some(peer().into()),
            truncated: false,
            datagram_len: None,
        },
    }
}

/// `n` reads, built ahead.
fn events(n: usize, payload_bytes: usize) -> Vec<Event> {
    let mut v = opening_events();
    v.extend((0..n).map(|i| read_event(i, payload_bytes)));
    v
}

fn harness_with(model: Model) -> Harness<'static, WorkbenchApp> {
    let engine = EngineHandle::spawn_headless().expect("engine");
    let mut app = WorkbenchApp::new(engine, Settings::default(), None).expect("app starts");
    *app.model() = model;
    app.selected = Some(SocketId(2));
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_context_setup(fonts::install)
        .build_ui_state(|ui, app: &mut WorkbenchApp| app.show(ui), app)
}

/// Median time of one frame over `frames` frames (after a warm-up).
fn frame_time(h: &mut Harness<'static, WorkbenchApp>, frames: usize) -> Duration {
    h.run_steps(5);
    let mut samples = Vec::with_capacity(frames);
    for _ in 0..frames {
        let t = Instant::now();
        h.step();
        samples.push(t.elapsed());
    }
    percentile(&mut samples, 50.0)
}

/// The benchmark.
pub fn ui_under_load() -> Vec<Row> {
    let n: usize = if quick() { 100_000 } else { 1_000_000 };
    let payload = 16;
    let mut rows = Vec::new();

    // Memory per row beyond its payload: RSS before and after a million
    // rows, each built just before it is folded in (so the rows are all
    // that is new).
    std::thread::sleep(Duration::from_millis(50));
    let rss0 = rss_bytes();
    let mut model = Model::default();
    for ev in opening_events() {
        model.apply(ev);
    }
    for i in 0..n {
        model.apply(read_event(i, payload));
    }
    let rss1 = rss_bytes();
    let rows_kept = model.log.len();
    let per_row = rss1.saturating_sub(rss0) as f64 / rows_kept as f64 - payload as f64;
    rows.push(
        Row::info(
            B,
            "memory per log row beyond its payload (RSS)",
            per_row,
            "bytes",
        )
        .target("≤ 64 bytes", per_row <= 64.0),
    );
    rows.push(Row::info(
        B,
        "size_of::<LogEntry>() (the row's fixed part)",
        std::mem::size_of::<LogEntry>() as f64,
        "bytes",
    ));

    // Events folded into the model per second; baseline: moving the same
    // payloads into a plain Vec.
    let evs = events(n, 64);
    let t = Instant::now();
    let mut plain: Vec<Vec<u8>> = Vec::with_capacity(n);
    for ev in evs {
        if let EventKind::Received { bytes, .. } = ev.kind {
            plain.push(bytes);
        }
    }
    let plain_rate = n as f64 / t.elapsed().as_secs_f64();
    std::hint::black_box(&plain);
    drop(plain);
    let evs = events(n, 64);
    let mut model = Model::default();
    let t = Instant::now();
    for ev in evs {
        model.apply(ev);
    }
    let rate = n as f64 / t.elapsed().as_secs_f64();
    rows.push(
        Row::vs(
            B,
            "events folded into the model (64-byte TCP reads)",
            rate / 1e6,
            plain_rate / 1e6,
            "M events/s",
        )
        .target("≥ 1 M/s", rate >= 1e6),
    );

    // One frame of the whole window with a million rows vs an empty log.
    let mut empty = harness_with(Model::default());
    let empty_frame = frame_time(&mut empty, 30);
    drop(empty);
    let mut full = harness_with(model);
    let full_frame = frame_time(&mut full, 30);
    let ms = full_frame.as_secs_f64() * 1e3;
    rows.push(
        Row::vs(
            B,
            &format!("one frame, {} log rows (median, headless)", rows_kept),
            ms,
            empty_frame.as_secs_f64() * 1e3,
            "ms",
        )
        .target("≤ 8 ms", ms <= 8.0),
    );
    rows
}
