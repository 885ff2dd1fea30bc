//! What every benchmark reports: one row of the table, and the helpers to
//! measure (percentiles, RSS, CPU time).

use std::time::Duration;

/// One measured figure with its plain baseline from the same run.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Row {
    /// The benchmark, e.g. "TCP ingest".
    pub bench: String,
    /// What was measured, e.g. "throughput (log on)".
    pub metric: String,
    /// Sockbench's figure.
    pub value: f64,
    /// The plain baseline's figure (same unit), if the metric has one.
    pub baseline: Option<f64>,
    /// The unit of `value` and `baseline`.
    pub unit: String,
    /// value / baseline (or baseline / value for "lower is better"), if any.
    pub ratio: Option<f64>,
    /// The target, as text (e.g. "ratio ≥ 0.8").
    pub target: String,
    /// Whether the target is met (None: informational).
    pub met: Option<bool>,
}

impl Row {
    /// A row with no baseline.
    pub fn info(bench: &str, metric: &str, value: f64, unit: &str) -> Self {
        Row {
            bench: bench.into(),
            metric: metric.into(),
            value,
            baseline: None,
            unit: unit.into(),
            ratio: None,
            target: String::new(),
            met: None,
        }
    }

    /// A row compared with a baseline; `ratio` = value / baseline.
    pub fn vs(bench: &str, metric: &str, value: f64, baseline: f64, unit: &str) -> Self {
        Row {
            ratio: (baseline != 0.0).then(|| value / baseline),
            baseline: Some(baseline),
            ..Row::info(bench, metric, value, unit)
        }
    }

    /// Sets the target text and whether it is met.
    pub fn target(mut self, target: &str, met: bool) -> Self {
        self.target = target.into();
        self.met = Some(met);
        self
    }
}

/// The `p`th percentile (0..=100) of `samples` (sorted in place).
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let i = ((samples.len() - 1) as f64 * p / 100.0).round() as usize;
    samples[i.min(samples.len() - 1)]
}

/// This process's resident set size in bytes (Linux; 0 elsewhere).
pub fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u64>().ok())
        })
        .map_or(0, |pages| pages * 4096)
}

/// CPU time (user + system) this process has used.
pub fn cpu_time() -> Duration {
    use nix::sys::resource::{UsageWho, getrusage};
    getrusage(UsageWho::RUSAGE_SELF).map_or(Duration::ZERO, |u| {
        let t = |tv: nix::sys::time::TimeVal| {
            Duration::new(tv.tv_sec() as u64, (tv.tv_usec() as u32) * 1000)
        };
        t(u.user_time()) + t(u.system_time())
    })
}

/// Raises the open-files soft limit to the hard limit; returns the new soft limit.
pub fn raise_nofile_limit() -> u64 {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((_, hard)) => {
            let _ = setrlimit(Resource::RLIMIT_NOFILE, hard, hard);
            getrlimit(Resource::RLIMIT_NOFILE).map_or(0, |(s, _)| s)
        }
        Err(_) => 0,
    }
}

/// Whether the run is the quick kind (`SOCKBENCH_QUICK=1`): smaller sizes,
/// for checking the harness works, not for figures.
pub fn quick() -> bool {
    std::env::var_os("SOCKBENCH_QUICK").is_some_and(|v| v != "0")
}

/// Heap bytes this process holds right now (allocated and not yet freed),
/// counted by [`Counting`]: what data structures keep, without the
/// allocator's own slack and fragmentation that RSS includes.
pub fn heap_live_bytes() -> usize {
    LIVE.load(std::sync::atomic::Ordering::Relaxed)
}

static LIVE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The system allocator, counting live bytes (one relaxed atomic add per
/// allocation and free).
pub struct Counting;

#[allow(unsafe_code)]
// SAFETY: every call is forwarded unchanged to the system allocator; only a
// counter is kept beside it.
unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on as it is.
        let p = unsafe { std::alloc::System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), std::sync::atomic::Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: as above.
        unsafe { std::alloc::System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { std::alloc::System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_add(new_size, std::sync::atomic::Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
        }
        p
    }
}
