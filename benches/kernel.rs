//! The kernel-state lookup (a closed connection's `TIME_WAIT`) with 3,000
//! other connections on the machine: one `NETLINK_SOCK_DIAG` question for
//! that connection, against reading the text table `/proc/net/tcp` (what a
//! lookup by scanning must read first), in the same run.

use std::io::Read;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use sockbench::engine::{TcpState, kernel_tcp_state};

use crate::common::{Row, percentile, quick, raise_nofile_limit};

const B: &str = "Kernel state lookup";

/// The benchmark.
pub fn kernel() -> Vec<Row> {
    let held_pairs: usize = if quick() { 300 } else { 3_000 };
    let limit = raise_nofile_limit();
    if (limit as usize) < 2 * held_pairs + 100 {
        return vec![Row::info(
            B,
            &format!("not measured: the open-files limit {limit} is too low"),
            0.0,
            "",
        )];
    }
    let l = match TcpListener::bind((Ipv4Addr::LOCALHOST, 0)) {
        Ok(l) => l,
        Err(e) => return vec![Row::info(B, &format!("not measured: {e}"), 0.0, "")],
    };
    let Ok(addr) = l.local_addr() else {
        return Vec::new();
    };
    let mut held = Vec::with_capacity(2 * held_pairs);
    for _ in 0..held_pairs {
        match (TcpStream::connect(addr), l.accept()) {
            (Ok(c), Ok((a, _))) => {
                held.push(c);
                held.push(a);
            }
            _ => {
                return vec![Row::info(
                    B,
                    "not measured: could not hold the connections",
                    0.0,
                    "",
                )];
            }
        }
    }
    // The connection asked about: the client closes first -> TIME_WAIT.
    let (c, (mut a, _)) = match (TcpStream::connect(addr), l.accept()) {
        (Ok(c), Ok(a)) => (c, a),
        _ => return Vec::new(),
    };
    let (local, peer) = match (c.local_addr(), c.peer_addr()) {
        (Ok(l), Ok(p)) => (l, p),
        _ => return Vec::new(),
    };
    drop(c);
    let _ = a.read(&mut [0u8; 1]);
    drop(a);
    std::thread::sleep(Duration::from_millis(50));

    let n = if quick() { 50 } else { 500 };
    let mut diag = Vec::with_capacity(n);
    let mut found = None;
    for _ in 0..n {
        let t = Instant::now();
        found = kernel_tcp_state(local, peer).ok().flatten();
        diag.push(t.elapsed());
    }
    let m = if quick() { 5 } else { 20 };
    let mut text = Vec::with_capacity(m);
    let mut lines = 0;
    for _ in 0..m {
        let t = Instant::now();
        let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
        lines = table.lines().count();
        text.push(t.elapsed());
    }
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let (d50, t50) = (percentile(&mut diag, 50.0), percentile(&mut text, 50.0));
    vec![
        Row::info(B, "lines in /proc/net/tcp meanwhile", lines as f64, "lines"),
        Row::vs(
            B,
            "one lookup, p50 (baseline: reading /proc/net/tcp once)",
            us(d50),
            us(t50),
            "µs",
        ),
        Row::info(B, "one lookup, p99", us(percentile(&mut diag, 99.0)), "µs"),
        Row::info(
            B,
            "the state found",
            f64::from(u8::from(found == Some(TcpState::TimeWait))),
            "1 = TIME_WAIT",
        )
        .target("= 1", found == Some(TcpState::TimeWait)),
    ]
}
