//! The Statistics tab: bytes and messages a second, in and out, for the
//! selected socket (a listener: all its connections) or for all sockets,
//! as numbers and as plots over the last seconds; and the round trip
//! (send → next receive) percentiles.

use std::time::{Duration, SystemTime};

use eframe::egui::{self, RichText};
use egui_plot::{Legend, Line, Plot, PlotPoints};

use crate::engine::SocketId;
use crate::i18n::{tr, trf};
use crate::model::Model;
use crate::model::stats::{Bucket, Series, unix_sec};

use super::human_bytes;

/// What the Statistics tab shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum StatsScope {
    /// The selected socket (all sockets when none is selected).
    #[default]
    Selected,
    /// Every socket together.
    All,
}

/// A duration for people: `850 µs`, `12.3 ms`, `1.20 s`.
pub fn human_duration(d: Duration) -> String {
    let us = d.as_micros();
    if us < 1000 {
        format!("{us} µs")
    } else if us < 1_000_000 {
        format!("{:.1} ms", us as f64 / 1e3)
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

/// The seconds from `now - len` to `now - 1` (whole seconds that have
/// passed), each with its traffic (none: zeros).
fn last_seconds(series: Option<&Series>, now: u64, len: u64) -> Vec<(i64, Bucket)> {
    (now.saturating_sub(len)..now)
        .map(|sec| {
            let b = series.and_then(|s| s.get(sec)).unwrap_or_default();
            (sec as i64 - now as i64, b)
        })
        .collect()
}

fn plot(
    ui: &mut egui::Ui,
    id: &str,
    title: &str,
    points: &[(i64, Bucket)],
    value: impl Fn(&Bucket) -> (f64, f64),
) {
    ui.label(RichText::new(title).strong());
    let (ins, outs): (Vec<[f64; 2]>, Vec<[f64; 2]>) = points
        .iter()
        .map(|(x, b)| {
            let (i, o) = value(b);
            ([*x as f64, i], [*x as f64, o])
        })
        .unzip();
    Plot::new(id)
        .height(150.0)
        .legend(Legend::default())
        .include_y(0.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .x_axis_label(tr("seconds ago"))
        .show(ui, |p| {
            p.line(Line::new(tr("in"), PlotPoints::from(ins)));
            p.line(Line::new(tr("out"), PlotPoints::from(outs)));
        });
}

/// Draws the Statistics tab.
pub fn stats_ui(
    ui: &mut egui::Ui,
    model: &Model,
    scope: &mut StatsScope,
    selected: Option<SocketId>,
) {
    ui.horizontal(|ui| {
        ui.radio_value(scope, StatsScope::Selected, tr("Selected socket"));
        ui.radio_value(scope, StatsScope::All, tr("All sockets"));
    });
    let socket = match *scope {
        StatsScope::Selected => selected.and_then(|id| model.sessions.get(&id)),
        StatsScope::All => None,
    };
    let (series, len, title) = match socket {
        Some(s) => (
            model.stats.sockets.get(&s.id),
            crate::model::stats::SOCKET_SECONDS as u64,
            s.title(),
        ),
        None => (Some(&model.stats.total), 120, tr("All sockets").to_owned()),
    };
    ui.heading(title);
    let now = unix_sec(SystemTime::now());
    let points = last_seconds(series, now, len);
    let last = points.last().map(|(_, b)| *b).unwrap_or_default();
    let n = points.len().max(1) as f64;
    let sum = points.iter().fold(Bucket::default(), |mut a, (_, b)| {
        a.bytes_in += b.bytes_in;
        a.bytes_out += b.bytes_out;
        a.msgs_in += b.msgs_in;
        a.msgs_out += b.msgs_out;
        a
    });
    egui::Grid::new("stats-summary")
        .num_columns(5)
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            ui.label(RichText::new(tr("bytes in/s")).strong());
            ui.label(RichText::new(tr("bytes out/s")).strong());
            ui.label(RichText::new(tr("messages in/s")).strong());
            ui.label(RichText::new(tr("messages out/s")).strong());
            ui.end_row();
            ui.label(tr("Last second"));
            ui.label(human_bytes(last.bytes_in));
            ui.label(human_bytes(last.bytes_out));
            ui.label(last.msgs_in.to_string());
            ui.label(last.msgs_out.to_string());
            ui.end_row();
            ui.label(trf("Average of the last {n} s", &[("n", &points.len())]));
            ui.label(human_bytes((sum.bytes_in as f64 / n) as u64));
            ui.label(human_bytes((sum.bytes_out as f64 / n) as u64));
            ui.label(format!("{:.1}", f64::from(sum.msgs_in) / n));
            ui.label(format!("{:.1}", f64::from(sum.msgs_out) / n));
            ui.end_row();
        });
    if let Some(s) = socket {
        ui.label(trf(
            "In all: {in} received in {reads}, {out} sent in {sends}",
            &[
                ("in", &human_bytes(s.counters.bytes_in)),
                ("reads", &s.counters.msgs_in),
                ("out", &human_bytes(s.counters.bytes_out)),
                ("sends", &s.counters.msgs_out),
            ],
        ));
        let rtt = model.stats.percentiles(s.id, &s.children);
        match rtt {
            Some(p) => {
                ui.label(trf(
                    "Round trip (a send to the next receive), newest {n}: p50 {p50}, p95 {p95}, p99 {p99}, max {max}",
                    &[
                        ("n", &p.n),
                        ("p50", &human_duration(p.p50)),
                        ("p95", &human_duration(p.p95)),
                        ("p99", &human_duration(p.p99)),
                        ("max", &human_duration(p.max)),
                    ],
                ));
            }
            None => {
                ui.label(
                    RichText::new(tr(
                        "Round trip: none yet (measured from a send to the next receive on the same socket)",
                    ))
                    .weak(),
                );
            }
        }
    }
    ui.separator();
    plot(ui, "stats-bytes", tr("Bytes a second"), &points, |b| {
        (b.bytes_in as f64, b.bytes_out as f64)
    });
    plot(
        ui,
        "stats-messages",
        tr("Messages a second"),
        &points,
        |b| (f64::from(b.msgs_in), f64::from(b.msgs_out)),
    );
    // The plots move on with the clock.
    ui.ctx().request_repaint_after(Duration::from_millis(500));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(Duration::from_micros(850)), "850 µs");
        assert_eq!(human_duration(Duration::from_micros(12_345)), "12.3 ms");
        assert_eq!(human_duration(Duration::from_millis(1200)), "1.20 s");
    }

    #[test]
    fn seconds_without_traffic_are_zeros() {
        let mut s = Series::new(60);
        s.add(98, 5, true);
        let pts = last_seconds(Some(&s), 100, 3);
        assert_eq!(pts.len(), 3);
        assert_eq!(pts[0].0, -3);
        assert_eq!(pts[1].1.bytes_in, 5);
        assert_eq!(pts[2].1, Bucket::default());
    }
}
