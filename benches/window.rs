//! The real window: the release `sockbench` binary in an X window (Xvfb,
//! Mesa's software renderer), with the defaults a user has (log on, the
//! Traffic tab shown and auto-scrolling, the window mapped), measured side by
//! side with a plain receiver in the same run:
//!
//! - **TCP**: one sender writes 64 KiB chunks for 10 s into a listener the
//!   window opened (`--open tcp-listen:…`), against a plain reader thread.
//! - **UDP with `--capture`**: 64-byte datagrams paced at 150,000/s for 10 s,
//!   each with its sequence number, into a UDP socket the window opened;
//!   counted in the capture file 1 s after the sender stops, against a plain
//!   socket with the same receive buffer.
//! - **TCP into an unmapped window** (`xdotool windowunmap`): ingest goes on
//!   when no frame is drawn; the frames drawn meanwhile are reported.
//!
//! The window reports its frames and the UI thread's waits for the model
//! through the hidden `--stats FILE` option; each thread's CPU comes from
//! `/proc`. Without `Xvfb` the rows say "not measured".

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use sockbench::engine::DEFAULT_UDP_RCVBUF_BYTES;

use crate::common::{Row, quick};

const WIN: &str = "Window";
/// How long the window may take to show its first frame.
const STARTUP: Duration = Duration::from_secs(30);
const TCP_CHUNK: usize = 64 * 1024;
const UDP_SIZE: usize = 64;
const UDP_RATE: u64 = 150_000;
/// The capture must be complete this long after the sender stops.
const CAPTURE_GRACE: Duration = Duration::from_secs(1);
/// Runs of each kind for TCP, alternating.
const TCP_RUNS: usize = 2;

type Res<T> = Result<T, String>;

fn flood_time() -> Duration {
    if quick() {
        Duration::from_secs(2)
    } else {
        Duration::from_secs(10)
    }
}

fn not_measured(what: &str, why: &str) -> Row {
    eprintln!("bench: window: {what}: not measured: {why}");
    Row::info(WIN, &format!("{what}: not measured ({why})"), 0.0, "")
}

fn failed(what: &str, why: &str) -> Row {
    eprintln!("bench: window: {what} FAILED: {why}");
    Row::info(WIN, &format!("{what}: FAILED ({why})"), 0.0, "").target("completes", false)
}

fn on_path(cmd: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(cmd).is_file()))
}

/// A scratch directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Res<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let p = std::env::temp_dir().join(format!(
            "sockbench-bench-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&p).map_err(|e| format!("mkdir {}: {e}", p.display()))?;
        Ok(TempDir(p))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process killed on drop.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An X server of our own on a free display.
struct Xvfb {
    _proc: Proc,
    display: String,
}

impl Xvfb {
    fn start() -> Res<Self> {
        let mut n = 90;
        while Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            || Path::new(&format!("/tmp/.X{n}-lock")).exists()
        {
            n += 1;
        }
        let display = format!(":{n}");
        let child = Command::new("Xvfb")
            .args([&display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("Xvfb: {e}"))?;
        let proc = Proc(child);
        let socket = format!("/tmp/.X11-unix/X{n}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !Path::new(&socket).exists() {
            if Instant::now() > deadline {
                return Err("Xvfb did not start within 10 s".into());
            }
            thread::sleep(Duration::from_millis(50));
        }
        Ok(Xvfb {
            _proc: proc,
            display,
        })
    }
}

/// The release window, with a clean settings directory of its own.
struct Window {
    proc: Proc,
    stats: PathBuf,
    _home: TempDir,
}

impl Window {
    fn start(x: &Xvfb, args: &[String]) -> Res<Self> {
        let home = TempDir::new("home")?;
        let stats = home.0.join("stats.jsonl");
        let log = home.0.join("window.log");
        let log_file = std::fs::File::create(&log).map_err(|e| format!("log: {e}"))?;
        let child = Command::new(env!("CARGO_BIN_EXE_sockbench"))
            .args(args)
            .arg("--stats")
            .arg(&stats)
            .env("DISPLAY", &x.display)
            .env_remove("WAYLAND_DISPLAY")
            .env("LIBGL_ALWAYS_SOFTWARE", "1")
            .env("HOME", &home.0)
            .env("XDG_DATA_HOME", home.0.join("data"))
            .env("XDG_CONFIG_HOME", home.0.join("config"))
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .map_err(|e| format!("sockbench: {e}"))?;
        let w = Window {
            proc: Proc(child),
            stats,
            _home: home,
        };
        let deadline = Instant::now() + STARTUP;
        while w.last_stats().is_none() {
            if Instant::now() > deadline {
                let said = std::fs::read_to_string(&log).unwrap_or_default();
                return Err(format!("no frame within {STARTUP:?}: {}", said.trim()));
            }
            thread::sleep(Duration::from_millis(100));
        }
        Ok(w)
    }

    fn pid(&self) -> u32 {
        self.proc.0.id()
    }

    /// The window's newest statistics line.
    fn last_stats(&self) -> Option<Stats> {
        let text = std::fs::read_to_string(&self.stats).ok()?;
        text.lines().rev().find_map(Stats::parse)
    }

    /// Every statistics line written between two wall-clock times.
    fn stats_between(&self, from_ms: u64, to_ms: u64) -> Vec<Stats> {
        std::fs::read_to_string(&self.stats)
            .unwrap_or_default()
            .lines()
            .filter_map(Stats::parse)
            .filter(|s| s.unix_ms >= from_ms && s.unix_ms <= to_ms)
            .collect()
    }
}

fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// One line of `--stats`.
#[derive(Clone, Debug, Default)]
struct Stats {
    unix_ms: u64,
    secs: f64,
    frames: u64,
    wait_max_us: u64,
    waits_us: Vec<u64>,
    handoffs_us: Vec<u64>,
}

impl Stats {
    fn parse(line: &str) -> Option<Self> {
        let v: serde_json::Value = serde_json::from_str(line).ok()?;
        Some(Stats {
            unix_ms: v["unix_ms"].as_u64()?,
            secs: v["secs"].as_f64()?,
            frames: v["frames"].as_u64()?,
            wait_max_us: v["wait_max_us"].as_u64()?,
            waits_us: v["waits_us"]
                .as_array()?
                .iter()
                .filter_map(serde_json::Value::as_u64)
                .collect(),
            handoffs_us: v["handoffs_us"]
                .as_array()
                .map(|a| a.iter().filter_map(serde_json::Value::as_u64).collect())
                .unwrap_or_default(),
        })
    }
}

/// What the window did during a flood: frames per second, and the UI
/// thread's longest and p99 wait (the worst second's).
struct FrameFigures {
    fps: f64,
    wait_max_ms: f64,
    wait_p99_ms: f64,
    /// p99 of the part of each wait after the pump had let go.
    handoff_p99_ms: f64,
}

/// The figures from the lines written during a flood (`from_ms` to
/// `to_ms`, wall clock). A window that drew no frame then has 0 frames/s.
fn frame_figures(w: &Window, from_ms: u64, to_ms: u64) -> FrameFigures {
    let lines = w.stats_between(from_ms, to_ms);
    let fps = match (lines.first(), lines.last()) {
        (Some(a), Some(b)) if b.secs > a.secs => (b.frames - a.frames) as f64 / (b.secs - a.secs),
        _ => 0.0,
    };
    FrameFigures {
        fps,
        wait_max_ms: lines.iter().map(|s| s.wait_max_us).max().unwrap_or(0) as f64 / 1e3,
        wait_p99_ms: p99_ms(lines.iter().flat_map(|s| s.waits_us.iter().copied())),
        handoff_p99_ms: p99_ms(lines.iter().flat_map(|s| s.handoffs_us.iter().copied())),
    }
}

/// The 99th percentile of microsecond samples, in ms.
fn p99_ms(samples: impl Iterator<Item = u64>) -> f64 {
    let mut all: Vec<u64> = samples.collect();
    all.sort_unstable();
    let i = ((all.len().max(1) - 1) as f64 * 0.99).round() as usize;
    all.get(i).copied().unwrap_or(0) as f64 / 1e3
}

/// Each thread's CPU ticks (utime + stime), by thread id, with its name.
fn thread_ticks(pid: u32) -> HashMap<u32, (String, u64)> {
    let mut out = HashMap::new();
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for entry in dir.flatten() {
        let Ok(tid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ... : comm may hold spaces, so split after ')'.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = stat[open + 1..close].to_string();
        let rest: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        // Fields 14 and 15 (utime, stime) are 12th and 13th after the state.
        let ticks = rest
            .get(11)
            .and_then(|u| u.parse::<u64>().ok())
            .zip(rest.get(12).and_then(|s| s.parse::<u64>().ok()))
            .map_or(0, |(u, s)| u + s);
        out.insert(tid, (name, ticks));
    }
    out
}

/// CPU % of a core per kind of thread between two samples: the engine, the
/// UI thread, Mesa's rasteriser, the rest.
fn cpu_by_thread(
    pid: u32,
    before: &HashMap<u32, (String, u64)>,
    after: &HashMap<u32, (String, u64)>,
    secs: f64,
) -> Vec<(String, f64)> {
    // /proc counts in USER_HZ, which Linux fixes at 100 for user space.
    let hz = 100.0;
    let mut by_kind: HashMap<String, u64> = HashMap::new();
    for (tid, (name, ticks)) in after {
        let was = before.get(tid).map_or(0, |(_, t)| *t);
        let kind = if *tid == pid {
            "UI thread".to_string()
        } else if name.starts_with("llvmpipe") {
            "Mesa llvmpipe (all)".to_string()
        } else if name.starts_with("sockbench-eng") {
            // The kernel keeps 15 bytes of a thread's name.
            "sockbench-engine".to_string()
        } else if name.starts_with("sockbench-") {
            name.clone()
        } else {
            "other threads".to_string()
        };
        *by_kind.entry(kind).or_default() += ticks.saturating_sub(was);
    }
    let mut v: Vec<(String, f64)> = by_kind
        .into_iter()
        .map(|(k, t)| (k, t as f64 / hz / secs * 100.0))
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v
}

fn free_port_tcp() -> Res<u16> {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("bind: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn free_port_udp() -> Res<u16> {
    let s = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("bind: {e}"))?;
    s.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// Connects (retrying while the listener is not up yet), then writes 64 KiB
/// chunks for `secs`; returns the bytes written and the time taken.
fn tcp_flood(addr: SocketAddr, dur: Duration) -> Res<(u64, Duration)> {
    let deadline = Instant::now() + STARTUP;
    let mut s = loop {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
            Ok(s) => break s,
            Err(e) if Instant::now() > deadline => return Err(format!("connect: {e}")),
            Err(_) => thread::sleep(Duration::from_millis(100)),
        }
    };
    s.set_write_timeout(Some(Duration::from_millis(200)))
        .map_err(|e| e.to_string())?;
    let chunk: Vec<u8> = (0..TCP_CHUNK).map(|i| b'a' + (i % 26) as u8).collect();
    let start = Instant::now();
    let mut sent = 0u64;
    while start.elapsed() < dur {
        match s.write(&chunk) {
            Ok(n) => sent += n as u64,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(format!("write after {sent} bytes: {e}")),
        }
    }
    Ok((sent, start.elapsed()))
}

/// The plain reader: a thread reading into a 64 KiB buffer.
fn tcp_plain(dur: Duration) -> Res<f64> {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("bind: {e}"))?;
    let addr = l.local_addr().map_err(|e| e.to_string())?;
    let reader = thread::Builder::new()
        .name("bench-plain-reader".into())
        .spawn(move || -> io::Result<u64> {
            let (mut c, _) = l.accept()?;
            c.set_read_timeout(Some(Duration::from_secs(5)))?;
            let mut buf = vec![0u8; TCP_CHUNK];
            let mut got = 0u64;
            loop {
                match c.read(&mut buf) {
                    Ok(0) => return Ok(got),
                    Ok(n) => got += n as u64,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        })
        .map_err(|e| e.to_string())?;
    let (sent, took) = tcp_flood(addr, dur)?;
    let _ = reader.join();
    Ok(sent as f64 / took.as_secs_f64() / (1 << 20) as f64)
}

/// One window run: MiB/s, frame figures, CPU by thread.
struct WindowTcp {
    mib_s: f64,
    frames: FrameFigures,
    cpu: Vec<(String, f64)>,
}

fn tcp_window(x: &Xvfb, dur: Duration) -> Res<WindowTcp> {
    let port = free_port_tcp()?;
    let w = Window::start(x, &[format!("--open=tcp-listen:127.0.0.1:{port}")])?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let from_ms = unix_ms();
    let ticks0 = thread_ticks(w.pid());
    let t0 = Instant::now();
    let (sent, took) = tcp_flood(addr, dur)?;
    let secs = t0.elapsed().as_secs_f64();
    let ticks1 = thread_ticks(w.pid());
    let to_ms = unix_ms();
    // The line written during the last second of the flood may come late.
    thread::sleep(Duration::from_millis(1100));
    let frames = frame_figures(&w, from_ms, to_ms + 1000);
    Ok(WindowTcp {
        mib_s: sent as f64 / took.as_secs_f64() / (1 << 20) as f64,
        frames,
        cpu: cpu_by_thread(w.pid(), &ticks0, &ticks1, secs),
    })
}

fn tcp_rows(x: &Xvfb) -> Vec<Row> {
    let dur = flood_time();
    let what = format!("TCP, 64 KiB writes for {} s (log on)", dur.as_secs());
    let (mut plain, mut win) = (Vec::new(), Vec::new());
    let mut last: Option<WindowTcp> = None;
    for run in 1..=TCP_RUNS {
        let p = match tcp_plain(dur) {
            Ok(v) => v,
            Err(e) => return vec![failed(&what, &format!("plain reader: {e}"))],
        };
        let w = match tcp_window(x, dur) {
            Ok(v) => v,
            Err(e) => return vec![failed(&what, &format!("window: {e}"))],
        };
        eprintln!(
            "bench: window tcp run {run}/{TCP_RUNS}: plain {p:.0} MiB/s, window {:.0} MiB/s, {:.1} frames/s",
            w.mib_s, w.frames.fps
        );
        plain.push(p);
        win.push(w.mib_s);
        last = Some(w);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let (p, v) = (mean(&plain), mean(&win));
    let mut rows = vec![
        Row::vs(WIN, &format!("{what}, mean of {TCP_RUNS}"), v, p, "MiB/s")
            .target("ratio ≥ 0.5", v / p >= 0.5),
    ];
    if let Some(w) = last {
        rows.extend(frame_rows("TCP", &w.frames));
        for (thread, pct) in w.cpu {
            rows.push(Row::info(
                WIN,
                &format!("TCP flood, CPU of {thread} (last run)"),
                pct,
                "% of a core",
            ));
        }
    }
    rows
}

/// The window's X window ids (`xdotool search --pid`), waiting for them.
fn x_windows(x: &Xvfb, pid: u32) -> Res<Vec<String>> {
    let deadline = Instant::now() + STARTUP;
    loop {
        let out = Command::new("xdotool")
            .args(["search", "--pid", &pid.to_string()])
            .env("DISPLAY", &x.display)
            .output()
            .map_err(|e| format!("xdotool: {e}"))?;
        let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        if !ids.is_empty() {
            return Ok(ids);
        }
        if Instant::now() > deadline {
            return Err("xdotool found no window of the process".into());
        }
        thread::sleep(Duration::from_millis(200));
    }
}

/// The TCP flood into a window that is unmapped first (`xdotool
/// windowunmap`: nothing on screen, so no frame need be drawn): MiB/s and
/// the frames it drew meanwhile.
fn tcp_unmapped(x: &Xvfb, dur: Duration) -> Res<(f64, f64)> {
    let port = free_port_tcp()?;
    let w = Window::start(x, &[format!("--open=tcp-listen:127.0.0.1:{port}")])?;
    for id in x_windows(x, w.pid())? {
        let ok = Command::new("xdotool")
            .args(["windowunmap", "--sync", &id])
            .env("DISPLAY", &x.display)
            .status()
            .map_err(|e| format!("xdotool: {e}"))?;
        if !ok.success() {
            return Err(format!("xdotool windowunmap {id} failed"));
        }
    }
    thread::sleep(Duration::from_millis(500));
    let from_ms = unix_ms();
    let (sent, took) = tcp_flood(SocketAddr::from((Ipv4Addr::LOCALHOST, port)), dur)?;
    let to_ms = unix_ms();
    thread::sleep(Duration::from_millis(1100));
    let frames = frame_figures(&w, from_ms, to_ms + 1000);
    Ok((
        sent as f64 / took.as_secs_f64() / (1 << 20) as f64,
        frames.fps,
    ))
}

fn unmapped_rows(x: &Xvfb) -> Vec<Row> {
    let dur = flood_time();
    let what = format!(
        "TCP, 64 KiB writes for {} s into an unmapped window",
        dur.as_secs()
    );
    if !on_path("xdotool") {
        return vec![not_measured(
            &what,
            "xdotool is not installed: apt-get install xdotool",
        )];
    }
    let p = match tcp_plain(dur) {
        Ok(v) => v,
        Err(e) => return vec![failed(&what, &format!("plain reader: {e}"))],
    };
    match tcp_unmapped(x, dur) {
        Ok((v, fps)) => {
            eprintln!(
                "bench: window unmapped: plain {p:.0} MiB/s, window {v:.0} MiB/s, {fps:.1} frames/s"
            );
            vec![
                Row::vs(WIN, &what, v, p, "MiB/s").target("ratio ≥ 0.5", v / p >= 0.5),
                Row::info(
                    WIN,
                    "unmapped window: frames drawn meanwhile",
                    fps,
                    "frames/s",
                ),
            ]
        }
        Err(e) => vec![failed(&what, &format!("window: {e}"))],
    }
}

fn frame_rows(what: &str, f: &FrameFigures) -> Vec<Row> {
    vec![
        Row::info(
            WIN,
            &format!("{what} flood: frames drawn"),
            f.fps,
            "frames/s",
        )
        .target("≥ 15", f.fps >= 15.0),
        Row::info(
            WIN,
            &format!("{what} flood: UI thread's longest wait for the model in a frame"),
            f.wait_max_ms,
            "ms",
        ),
        Row::info(
            WIN,
            &format!("{what} flood: UI thread's wait for the model, p99 of every frame"),
            f.wait_p99_ms,
            "ms",
        )
        .target("≤ 1 ms", f.wait_p99_ms <= 1.0),
        Row::info(
            WIN,
            &format!(
                "{what} flood: of each wait, the part after the pump let go (the UI thread not yet running), p99"
            ),
            f.handoff_p99_ms,
            "ms",
        ),
    ]
}

/// Sends `UDP_SIZE`-byte datagrams numbered 0, 1, … paced at `UDP_RATE`
/// per second for `dur`; returns how many were sent and the time taken.
fn udp_paced(to: SocketAddr, dur: Duration) -> Res<(u64, Duration)> {
    let s = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("bind: {e}"))?;
    let mut payload = [b'u'; UDP_SIZE];
    let start = Instant::now();
    let mut seq = 0u64;
    let tick = Duration::from_millis(1);
    let per_tick = UDP_RATE / 1000;
    let mut next = start;
    while start.elapsed() < dur {
        for _ in 0..per_tick {
            payload[..8].copy_from_slice(&seq.to_be_bytes());
            // A full socket buffer (ENOBUFS) drops the datagram: it is not
            // counted as sent.
            if s.send_to(&payload, to).is_ok() {
                seq += 1;
            }
        }
        next += tick;
        let now = Instant::now();
        if next > now {
            thread::sleep(next - now);
        }
    }
    Ok((seq, start.elapsed()))
}

/// A set of sequence numbers seen.
struct Seen {
    bits: Vec<u64>,
    count: u64,
}

impl Seen {
    fn new(n: u64) -> Self {
        Seen {
            bits: vec![0; (n as usize).div_ceil(64) + 1],
            count: 0,
        }
    }

    fn mark(&mut self, seq: u64) {
        let (w, b) = ((seq / 64) as usize, seq % 64);
        if let Some(word) = self.bits.get_mut(w)
            && *word & (1 << b) == 0
        {
            *word |= 1 << b;
            self.count += 1;
        }
    }
}

/// Upper bound on datagrams a run can send.
fn max_datagrams(dur: Duration) -> u64 {
    UDP_RATE * (dur.as_secs() + 1) * 2
}

struct UdpPlain {
    sent: u64,
    rate: f64,
    received: u64,
    rcvbuf: usize,
}

fn udp_plain(dur: Duration) -> Res<UdpPlain> {
    use socket2::{Domain, Protocol, Socket, Type};
    let sock =
        Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).map_err(|e| e.to_string())?;
    sock.set_recv_buffer_size(DEFAULT_UDP_RCVBUF_BYTES)
        .map_err(|e| e.to_string())?;
    let rcvbuf = sock.recv_buffer_size().map_err(|e| e.to_string())?;
    sock.bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)).into())
        .map_err(|e| e.to_string())?;
    let sock: UdpSocket = sock.into();
    sock.set_read_timeout(Some(Duration::from_millis(100)))
        .map_err(|e| e.to_string())?;
    let to = sock.local_addr().map_err(|e| e.to_string())?;
    let done = Arc::new(AtomicBool::new(false));
    let received = Arc::new(AtomicU64::new(0));
    let (d, r) = (Arc::clone(&done), Arc::clone(&received));
    let limit = max_datagrams(dur);
    let reader = thread::Builder::new()
        .name("bench-plain-udp".into())
        .spawn(move || {
            let mut seen = Seen::new(limit);
            let mut buf = [0u8; 65536];
            let mut quiet_since: Option<Instant> = None;
            loop {
                match sock.recv_from(&mut buf) {
                    Ok((n, _)) if n >= 8 => {
                        quiet_since = None;
                        let mut b = [0u8; 8];
                        b.copy_from_slice(&buf[..8]);
                        seen.mark(u64::from_be_bytes(b));
                    }
                    Ok(_) => {}
                    Err(_) => {
                        if d.load(Ordering::Acquire) {
                            let q = *quiet_since.get_or_insert_with(Instant::now);
                            if q.elapsed() > Duration::from_millis(300) {
                                break;
                            }
                        }
                    }
                }
            }
            r.store(seen.count, Ordering::Release);
        })
        .map_err(|e| e.to_string())?;
    let (sent, took) = udp_paced(to, dur)?;
    done.store(true, Ordering::Release);
    let _ = reader.join();
    Ok(UdpPlain {
        sent,
        rate: sent as f64 / took.as_secs_f64(),
        received: received.load(Ordering::Acquire),
        rcvbuf,
    })
}

/// What the capture file held at a moment: the distinct datagrams received
/// (by sequence number), the kernel's drop count, the granted buffer.
struct Captured {
    datagrams: u64,
    kernel_drops: u64,
    rcvbuf: Option<u64>,
}

fn read_capture(path: &Path, limit: u64) -> Res<Captured> {
    let f = std::fs::File::open(path).map_err(|e| format!("capture: {e}"))?;
    let mut seen = Seen::new(limit);
    let mut kernel_drops = 0;
    let mut rcvbuf = None;
    for line in BufReader::with_capacity(1 << 20, f).lines() {
        let Ok(line) = line else { break };
        // Only whole lines count (the writer may be mid-line).
        if !line.ends_with('}') {
            continue;
        }
        if line.contains("\"event\":\"received\"") {
            if let Some(i) = line.find("\"hex\":\"")
                && let Some(hex) = line.get(i + 7..i + 7 + 16)
                && let Ok(seq) = u64::from_str_radix(hex, 16)
            {
                seen.mark(seq);
            }
        } else if line.contains("\"event\":\"kernel_drops\"") {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
                kernel_drops = kernel_drops.max(v["total"].as_u64().unwrap_or(0));
            }
        } else if line.contains("\"event\":\"bound\"")
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
        {
            rcvbuf = v["rcvbuf_bytes"].as_u64();
        }
    }
    Ok(Captured {
        datagrams: seen.count,
        kernel_drops,
        rcvbuf,
    })
}

fn udp_window(x: &Xvfb, dur: Duration) -> Res<(u64, f64, Captured, FrameFigures)> {
    let port = free_port_udp()?;
    let dir = TempDir::new("capture")?;
    let capture = dir.0.join("udp.jsonl");
    let w = Window::start(
        x,
        &[
            format!("--open=udp:127.0.0.1:{port}"),
            format!("--capture={}", capture.display()),
        ],
    )?;
    // Wait for the socket to be bound (its line in the capture).
    let deadline = Instant::now() + STARTUP;
    loop {
        let text = std::fs::read_to_string(&capture).unwrap_or_default();
        if text.contains("\"event\":\"bound\"") {
            break;
        }
        if Instant::now() > deadline {
            return Err("the UDP socket was not bound in time".into());
        }
        thread::sleep(Duration::from_millis(100));
    }
    let from_ms = unix_ms();
    let to = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let (sent, took) = udp_paced(to, dur)?;
    let to_ms = unix_ms();
    thread::sleep(CAPTURE_GRACE);
    let got = read_capture(&capture, max_datagrams(dur))?;
    let frames = frame_figures(&w, from_ms, to_ms + 1000);
    drop(w);
    Ok((sent, sent as f64 / took.as_secs_f64(), got, frames))
}

fn udp_rows(x: &Xvfb) -> Vec<Row> {
    let dur = flood_time();
    let what = format!(
        "UDP {UDP_SIZE} B at {}k/s for {} s, --capture on",
        UDP_RATE / 1000,
        dur.as_secs()
    );
    let plain = match udp_plain(dur) {
        Ok(v) => v,
        Err(e) => return vec![failed(&what, &format!("plain: {e}"))],
    };
    let (sent, rate, got, frames) = match udp_window(x, dur) {
        Ok(v) => v,
        Err(e) => return vec![failed(&what, &format!("window: {e}"))],
    };
    let pct = |n: u64, of: u64| {
        if of == 0 {
            0.0
        } else {
            n as f64 * 100.0 / of as f64
        }
    };
    let (win_pct, plain_pct) = (pct(got.datagrams, sent), pct(plain.received, plain.sent));
    eprintln!(
        "bench: window udp: plain {}/{} received, window {}/{} captured",
        plain.received, plain.sent, got.datagrams, sent
    );
    let mut rows = vec![
        Row::vs(
            WIN,
            &format!("{what}: achieved send rate"),
            rate,
            plain.rate,
            "datagrams/s",
        ),
        Row::vs(
            WIN,
            &format!("{what}: captured within 1 s of the last send (baseline: received)"),
            win_pct,
            plain_pct,
            "% of sent",
        )
        .target("≥ 95 %", win_pct >= 95.0),
        Row::info(
            WIN,
            &format!("{what}: kernel drops counted"),
            got.kernel_drops as f64,
            "datagrams",
        ),
    ];
    match got.rcvbuf {
        Some(b) => rows.push(
            Row::vs(
                WIN,
                "UDP: SO_RCVBUF granted",
                b as f64,
                plain.rcvbuf as f64,
                "bytes",
            )
            .target("same", b as usize == plain.rcvbuf),
        ),
        None => rows.push(not_measured(
            "UDP: SO_RCVBUF granted",
            "no bound line in the capture",
        )),
    }
    rows.extend(frame_rows("UDP", &frames));
    rows
}

/// The window benchmarks (skipped with a message without Xvfb).
pub fn window() -> Vec<Row> {
    if !on_path("Xvfb") {
        return vec![not_measured(
            "the real window",
            "Xvfb is not installed: apt-get install xvfb",
        )];
    }
    let x = match Xvfb::start() {
        Ok(x) => x,
        Err(e) => return vec![not_measured("the real window", &e)],
    };
    let mut rows = tcp_rows(&x);
    rows.extend(unmapped_rows(&x));
    rows.extend(udp_rows(&x));
    rows
}
