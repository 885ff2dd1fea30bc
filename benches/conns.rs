//! Connections: 10,000 concurrent TCP clients from a separate process (this
//! bench binary re-run as a "swarm") connect to one listener, each sends and
//! receives one message; time to accept all, memory per connection, CPU
//! while idle, and no state left after they all disconnect. Baseline: a
//! plain std listener serving the same swarm.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sockbench::engine::{Addr, EngineHandle, SocketId, SocketSpec};
use sockbench::model::Model;
use sockbench::model::log::Retention;

use crate::common::{Row, cpu_time, heap_live_bytes, quick, raise_nofile_limit, rss_bytes};

const HELLO: &[u8] = b"hello";
const REPLY: &[u8] = b"reply!";
const GIVE_UP: Duration = Duration::from_secs(120);
const SWARM_ENV: &str = "SOCKBENCH_SWARM";

const CYCLES_ENV: &str = "SOCKBENCH_CLOSED_CYCLES";

/// In a fresh process: `n` connect/hello/close cycles against a listener
/// whose events the app's pump folds into a model (log cap 64 KiB, so log
/// rows do not grow), then the growth per closed connection: of the live
/// heap (`heap_per_closed_bytes X`, the median over eight steps) and of the
/// RSS (`per_closed_bytes X`, over all cycles). The first 1,000 cycles warm
/// up.
fn closed_cycles_main(n: usize) -> i32 {
    use sockbench::pump::Pump;
    use std::sync::Arc;
    let mut engine = EngineHandle::spawn_headless().expect("engine");
    let shared = Arc::new(parking_lot::Mutex::new(Model::with_log_cap(64 * 1024)));
    let spec = SocketSpec::TcpListen {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        backlog: 4096,
        reuse_addr: true,
    };
    let l = engine.open(spec.clone()).expect("open");
    shared.lock().opening(l, &spec);
    let mut pump = Pump::start(
        engine.event_source(),
        Arc::clone(&shared),
        Vec::new(),
        Box::new(|_| {}),
    )
    .expect("pump");
    let wait = |what: &str, f: &dyn Fn(&Model) -> bool| {
        let deadline = Instant::now() + GIVE_UP;
        while !f(&shared.lock()) {
            assert!(
                Instant::now() < deadline,
                "closed cycles: gave up waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    wait("listening", &|m| {
        m.sessions[&l]
            .local
            .as_ref()
            .and_then(Addr::ip)
            .is_some_and(|a| a.port() != 0)
    });
    let addr = shared.lock().sessions[&l]
        .local
        .as_ref()
        .and_then(Addr::ip)
        .expect("bound");
    let closed = |m: &Model| {
        m.sessions
            .values()
            .filter(|s| s.parent == Some(l) && s.state.is_closed())
            .count()
            + m.closed_removed as usize
    };
    let cycle = |count: usize| {
        for _ in 0..count {
            let mut c =
                TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connect");
            c.write_all(HELLO).expect("hello");
        }
    };
    let warm = 1_000.min(n / 2);
    cycle(warm);
    wait("the warm-up closed", &|m| closed(m) >= warm);
    std::thread::sleep(Duration::from_millis(200));
    let rss0 = rss_bytes();
    // The heap is read after every step of cycles: the median step is what
    // the closed connections keep, without a buffer that reached a new
    // high-water mark in one step (the engine's batches, the pump's queue).
    let step = ((n - warm) / 8).max(1);
    let mut heap = vec![heap_live_bytes()];
    let mut done = warm;
    while done < n {
        let k = step.min(n - done);
        cycle(k);
        done += k;
        wait("every connection closed", &|m| closed(m) >= done);
        std::thread::sleep(Duration::from_millis(200));
        heap.push(heap_live_bytes());
    }
    let rss1 = rss_bytes();
    let mut steps: Vec<f64> = heap
        .windows(2)
        .map(|w| w[1].saturating_sub(w[0]) as f64 / step as f64)
        .collect();
    steps.sort_by(f64::total_cmp);
    println!("heap_per_closed_bytes {}", steps[steps.len() / 2]);
    println!(
        "per_closed_bytes {}",
        rss1.saturating_sub(rss0) as f64 / (n - warm) as f64
    );
    println!(
        "session_inline_bytes {}",
        std::mem::size_of::<sockbench::model::session::Session>()
    );
    engine.shutdown();
    pump.join();
    0
}

/// What [`closed_cycles_main`] measured.
struct ClosedCost {
    /// RSS growth per closed connection.
    rss: f64,
    /// Live heap bytes per closed connection.
    heap: f64,
    /// `size_of::<Session>()`.
    inline: f64,
}

/// Runs [`closed_cycles_main`] in a fresh process; its figures.
fn closed_cycles(n: usize) -> Option<ClosedCost> {
    let exe = std::env::current_exe().ok()?;
    let out = Command::new(exe)
        .env_remove(ALONE_ENV)
        .env(CYCLES_ENV, n.to_string())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().parse::<f64>().ok())
    };
    Some(ClosedCost {
        rss: get("per_closed_bytes ")?,
        heap: get("heap_per_closed_bytes ")?,
        inline: get("session_inline_bytes ")?,
    })
}

/// In the swarm process: connect `n` clients, say hello on each, read one
/// reply on each, print "done", wait for a line on stdin, exit.
pub fn child_main() -> Option<i32> {
    if std::env::var_os(ALONE_ENV).is_some() {
        return Some(alone_main());
    }
    if let Some(n) = std::env::var(CYCLES_ENV).ok().and_then(|v| v.parse().ok()) {
        return Some(closed_cycles_main(n));
    }
    let spec = std::env::var(SWARM_ENV).ok()?;
    let mut parts = spec.split_whitespace();
    let addr: SocketAddr = parts.next()?.parse().ok()?;
    let n: usize = parts.next()?.parse().ok()?;
    raise_nofile_limit();
    let mut conns = Vec::with_capacity(n);
    for i in 0..n {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(10)) {
            Ok(c) => conns.push(c),
            Err(e) => {
                eprintln!("swarm: connect {i} failed: {e}");
                return Some(1);
            }
        }
    }
    for c in &mut conns {
        if c.write_all(HELLO).is_err() {
            return Some(2);
        }
    }
    let mut buf = [0u8; REPLY.len()];
    for c in &mut conns {
        let _ = c.set_read_timeout(Some(Duration::from_secs(60)));
        if c.read_exact(&mut buf).is_err() || buf != REPLY {
            eprintln!("swarm: no reply");
            return Some(3);
        }
    }
    println!("done");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    drop(conns);
    Some(0)
}

struct Swarm {
    child: Child,
    stdin: Option<ChildStdin>,
    done: mpsc::Receiver<String>,
}

impl Swarm {
    fn start(addr: SocketAddr, n: usize) -> Swarm {
        let exe = std::env::current_exe().expect("bench binary path");
        let mut child = Command::new(exe)
            .env_remove(ALONE_ENV)
            .env(SWARM_ENV, format!("{addr} {n}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("swarm starts");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("swarm stdout");
        let (tx, rx) = mpsc::sync_channel(4);
        std::thread::Builder::new()
            .name("bench-swarm-out".into())
            .spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            })
            .expect("thread");
        Swarm {
            child,
            stdin,
            done: rx,
        }
    }

    fn is_done(&self) -> bool {
        matches!(self.done.try_recv().as_deref(), Ok("done"))
    }

    fn wait_done(&self, timeout: Duration) -> bool {
        matches!(self.done.recv_timeout(timeout).as_deref(), Ok("done"))
    }

    /// Tells the swarm to disconnect everything and exit.
    fn finish(mut self) {
        if let Some(mut s) = self.stdin.take() {
            let _ = s.write_all(b"close\n");
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The plain baseline: a std listener on its own thread accepts `n`, reads a
/// hello from each, replies to each. Returns the time to accept all.
fn baseline(n: usize) -> Duration {
    // Same backlog as the Sockbench listener (std's default of 128 would
    // make the kernel drop SYNs and the swarm retry after a second).
    let sock =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    sock.set_reuse_address(true).expect("reuse");
    sock.bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)).into())
        .expect("bind");
    sock.listen(4096).expect("listen");
    let listener: TcpListener = sock.into();
    let addr = listener.local_addr().expect("addr");
    let swarm = Swarm::start(addr, n);
    let start = Instant::now();
    let mut conns = Vec::with_capacity(n);
    for _ in 0..n {
        match listener.accept() {
            Ok((c, _)) => conns.push(c),
            Err(e) => panic!("baseline accept failed: {e}"),
        }
    }
    let accepted = start.elapsed();
    let mut buf = [0u8; HELLO.len()];
    for c in &mut conns {
        let _ = c.set_read_timeout(Some(Duration::from_secs(60)));
        c.read_exact(&mut buf).expect("hello");
        c.write_all(REPLY).expect("reply");
    }
    assert!(swarm.wait_done(GIVE_UP), "baseline swarm did not finish");
    swarm.finish();
    accepted
}

/// Drains the engine into the model until `done` holds or time runs out.
fn drain_until(
    engine: &EngineHandle,
    model: &mut Model,
    what: &str,
    mut done: impl FnMut(&Model) -> bool,
) {
    let deadline = Instant::now() + GIVE_UP;
    while !done(model) {
        assert!(
            Instant::now() < deadline,
            "connections bench: gave up waiting for {what}"
        );
        if let Some(batch) = engine.recv_batch_timeout(Duration::from_millis(50)) {
            for ev in batch {
                model.apply(ev);
            }
        }
    }
}

const ALONE_ENV: &str = "SOCKBENCH_CONNECTIONS_ALONE";

/// The benchmark, in a fresh process of its own: its RSS figures would read
/// low after other benchmarks freed memory the allocator keeps.
pub fn connections() -> Vec<Row> {
    let failed = |why: String| {
        vec![
            Row::info("Connections", &format!("not measured: {why}"), 0.0, "")
                .target("completes", false),
        ]
    };
    let Ok(exe) = std::env::current_exe() else {
        return failed("no path to the bench binary".into());
    };
    let out = match Command::new(exe)
        .env(ALONE_ENV, "1")
        .stderr(Stdio::inherit())
        .output()
    {
        Ok(o) => o,
        Err(e) => return failed(format!("cannot start it: {e}")),
    };
    let text = String::from_utf8_lossy(&out.stdout);
    match text
        .lines()
        .find_map(|l| l.strip_prefix("rows "))
        .map(serde_json::from_str::<Vec<Row>>)
    {
        Some(Ok(rows)) => rows,
        _ => failed(format!("the process said: {}", text.trim())),
    }
}

/// In the process [`connections`] starts: run it, print the rows.
fn alone_main() -> i32 {
    let rows = connections_here();
    println!("rows {}", serde_json::to_string(&rows).unwrap_or_default());
    0
}

/// The benchmark itself.
fn connections_here() -> Vec<Row> {
    const B: &str = "Connections";
    let limit = raise_nofile_limit();
    let mut n: usize = if quick() { 1_000 } else { 10_000 };
    let mut rows = Vec::new();
    if (limit as usize) < n + 500 {
        n = (limit as usize).saturating_sub(500).max(100);
        eprintln!("connections: open-files limit {limit}; using {n} clients");
    }
    rows.push(Row::info(B, "clients", n as f64, "connections"));

    let base_accept = baseline(n);

    let engine = EngineHandle::spawn_headless().expect("engine");
    let mut model = Model::default();
    model.log.set_retention(Retention::CountsOnly);
    let listener = engine
        .open(SocketSpec::TcpListen {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            backlog: 4096,
            reuse_addr: true,
        })
        .expect("open");
    model.opening(
        listener,
        &SocketSpec::TcpListen {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            backlog: 4096,
            reuse_addr: true,
        },
    );
    drain_until(&engine, &mut model, "listening", |m| {
        m.sessions[&listener]
            .local
            .as_ref()
            .and_then(Addr::ip)
            .is_some_and(|a| a.port() != 0)
    });
    let addr = model.sessions[&listener]
        .local
        .as_ref()
        .and_then(Addr::ip)
        .expect("bound");
    // Let the allocator settle before the baseline reading.
    std::thread::sleep(Duration::from_millis(100));
    let rss0 = rss_bytes();

    let swarm = Swarm::start(addr, n);
    let start = Instant::now();
    drain_until(&engine, &mut model, "all accepted", |m| {
        m.sessions[&listener].children.len() >= n
    });
    let accept_time = start.elapsed();
    drain_until(&engine, &mut model, "all hellos", |m| {
        m.sessions[&listener]
            .children
            .iter()
            .all(|c| m.sessions[c].counters.bytes_in >= HELLO.len() as u64)
    });
    engine
        .send(listener, REPLY.to_vec(), None)
        .expect("send to all");
    let deadline = Instant::now() + GIVE_UP;
    while !swarm.is_done() {
        assert!(Instant::now() < deadline, "swarm never got its replies");
        if let Some(batch) = engine.recv_batch_timeout(Duration::from_millis(20)) {
            for ev in batch {
                model.apply(ev);
            }
        }
    }
    while let Some(batch) = engine.try_recv_batch() {
        for ev in batch {
            model.apply(ev);
        }
    }
    let rss1 = rss_bytes();
    let per_conn = rss1.saturating_sub(rss0) as f64 / n as f64;

    // Idle: everyone connected, nothing moving. The engine must sleep.
    let cpu0 = cpu_time();
    let idle = Duration::from_secs(2);
    std::thread::sleep(idle);
    let idle_cpu = cpu_time().saturating_sub(cpu0);
    let open_while_idle = engine.open_sockets();

    swarm.finish();
    let children: Vec<SocketId> = model.sessions[&listener].children.clone();
    drain_until(&engine, &mut model, "all disconnected", |m| {
        children.iter().all(|c| m.sessions[c].state.is_closed())
    });
    // The engine updates its count once per turn; give it one.
    std::thread::sleep(Duration::from_millis(50));
    let open_after = engine.open_sockets();
    let open_children_after = model.open_children(listener).len();
    for c in &children {
        model.remove(*c);
    }
    let sessions_left = model.sessions.len();
    let peer_closed = model
        .log
        .entries()
        .filter(|e| e.kind == sockbench::model::log::EntryKind::PeerClosed)
        .count();

    rows.push(
        Row::vs(
            B,
            "time to accept all",
            accept_time.as_secs_f64() * 1e3,
            base_accept.as_secs_f64() * 1e3,
            "ms",
        )
        .target("informational (ratio = Sockbench / plain)", true),
    );
    rows.push(Row::info(
        B,
        "sockets open in the engine while idle",
        open_while_idle as f64,
        "sockets",
    ));
    rows.push(
        Row::info(
            B,
            "RSS growth per connection (engine + UI model), fresh process",
            per_conn / 1024.0,
            "KiB",
        )
        .target("≤ 8 KiB", per_conn <= 8.0 * 1024.0),
    );
    let cpu_pct = idle_cpu.as_secs_f64() / idle.as_secs_f64() * 100.0;
    rows.push(
        Row::info(B, "CPU while all idle for 2 s", cpu_pct, "% of a core")
            .target("≈ 0 (< 1 %)", cpu_pct < 1.0),
    );
    rows.push(
        Row::info(
            B,
            "engine sockets left after all disconnect (listener only)",
            open_after as f64,
            "sockets",
        )
        .target("= 1", open_after == 1),
    );
    rows.push(
        Row::info(
            B,
            "open connections left in the model",
            open_children_after as f64,
            "connections",
        )
        .target("= 0", open_children_after == 0),
    );
    rows.push(
        Row::info(
            B,
            "sessions left after removing the closed ones",
            sessions_left as f64,
            "sessions",
        )
        .target("= 1 (the listener)", sessions_left == 1),
    );
    rows.push(Row::info(
        B,
        "peer-closed events seen",
        peer_closed as f64,
        "events",
    ));
    // All kept: no more than the model's cap on closed sockets.
    let cycles = if quick() {
        3_000
    } else {
        sockbench::model::MAX_CLOSED
    };
    match closed_cycles(cycles) {
        Some(cost) => {
            rows.push(
                Row::info(
                    B,
                    &format!(
                        "heap bytes kept per closed connection, {cycles} connect/close cycles in a fresh process"
                    ),
                    cost.heap,
                    "bytes",
                )
                .target("≤ 512 B", cost.heap <= 512.0),
            );
            rows.push(
                Row::info(
                    B,
                    "RSS per closed connection (the heap above plus the allocator's slack)",
                    cost.rss,
                    "bytes",
                )
                .target("≤ 512 B", cost.rss <= 512.0),
            );
            rows.push(Row::info(
                B,
                "size_of::<Session>() (a socket's fixed part)",
                cost.inline,
                "bytes",
            ));
        }
        None => rows.push(Row::info(
            B,
            "RSS per closed connection kept: not measured (the child process failed)",
            0.0,
            "",
        )),
    }
    rows
}
