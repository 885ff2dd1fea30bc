//! Frame statistics of the real window, for `cargo bench -- window`: how
//! many frames the window drew and how long the UI thread waited for the
//! model's data in each, written as one JSON line a second to the file
//! given with the hidden `--stats FILE` option.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// How often a line is written.
const EVERY: Duration = Duration::from_secs(1);

/// Counts frames and the UI thread's waits; writes a line each second.
///
/// Each line: `{"unix_ms":…,"secs":…,"frames":…,"wait_max_us":…,"wait_p99_us":…,"waits_us":[…],"handoffs_us":[…]}`,
/// `frames` counted since the start, the waits (each one, in µs) over the
/// last second only, and `handoffs_us`: of each wait, the part after the
/// pump had let go of the model.
#[derive(Debug)]
pub struct FrameStats {
    out: File,
    start: Instant,
    last_line: Instant,
    frames: u64,
    /// The waits since the last line, in microseconds.
    waits_us: Vec<u64>,
    /// Of each wait, the part after the pump let go, in microseconds.
    handoffs_us: Vec<u64>,
}

impl FrameStats {
    /// Writes the statistics to `path` (created or truncated).
    pub fn create(path: &Path) -> io::Result<Self> {
        let now = Instant::now();
        Ok(FrameStats {
            out: File::create(path)?,
            start: now,
            last_line: now,
            frames: 0,
            waits_us: Vec::new(),
            handoffs_us: Vec::new(),
        })
    }

    /// Records one wait of the UI thread for the model's data, and the
    /// part of it after the pump had let go (the UI thread not yet running
    /// again).
    pub fn wait(&mut self, d: Duration, after_release: Duration) {
        let us = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.waits_us.push(us(d));
        self.handoffs_us.push(us(after_release));
    }

    /// Records one frame drawn; writes a line once a second has passed.
    /// A failed write stops nothing: the statistics are only for measuring.
    pub fn frame(&mut self) {
        self.frames += 1;
        if self.frames == 1 || self.last_line.elapsed() >= EVERY {
            let _ = self.write_line();
        }
    }

    fn write_line(&mut self) -> io::Result<()> {
        self.last_line = Instant::now();
        self.waits_us.sort_unstable();
        let n = self.waits_us.len();
        let max = self.waits_us.last().copied().unwrap_or(0);
        let p99 = if n == 0 {
            0
        } else {
            self.waits_us[((n - 1) as f64 * 0.99).round() as usize]
        };
        let all: Vec<String> = self.waits_us.iter().map(u64::to_string).collect();
        self.waits_us.clear();
        let handoffs: Vec<String> = self.handoffs_us.iter().map(u64::to_string).collect();
        self.handoffs_us.clear();
        writeln!(
            self.out,
            "{{\"unix_ms\":{},\"secs\":{:.3},\"frames\":{},\"wait_max_us\":{max},\"wait_p99_us\":{p99},\"waits_us\":[{}],\"handoffs_us\":[{}]}}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis()),
            self.start.elapsed().as_secs_f64(),
            self.frames,
            all.join(","),
            handoffs.join(","),
        )
    }
}
