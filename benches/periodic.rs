//! Periodic send: a UDP payload every 1 ms and every 10 ms for 10 s, timed
//! by the engine, counted at a plain receiver: sends received against the
//! ticks expected, ticks missed (the engine never bursts to catch up), and
//! the jitter of the arrivals (|interval − period|, p50 and p99), against a
//! plain thread that sleeps to each deadline and sends, in the same run.

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

use sockbench::engine::{EngineHandle, EventKind, SocketSpec};

use crate::common::{Row, percentile, quick};

const B: &str = "Periodic send";
/// A receiver stops once nothing came for this long.
const QUIET: Duration = Duration::from_millis(300);

type Res<T> = Result<T, String>;

/// A plain receiver: the arrival time of every datagram until quiet.
fn receiver() -> Res<(SocketAddr, thread::JoinHandle<Vec<Instant>>)> {
    let s = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| e.to_string())?;
    let addr = s.local_addr().map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(QUIET)).map_err(|e| e.to_string())?;
    let h = thread::Builder::new()
        .name("bench-periodic-rx".into())
        .spawn(move || {
            let mut at = Vec::new();
            let mut buf = [0u8; 64];
            let mut started = false;
            let give_up = Instant::now() + Duration::from_secs(60);
            while Instant::now() < give_up {
                match s.recv_from(&mut buf) {
                    Ok(_) => {
                        started = true;
                        at.push(Instant::now());
                    }
                    Err(_) if started => break,
                    Err(_) => {}
                }
            }
            at
        })
        .map_err(|e| e.to_string())?;
    Ok((addr, h))
}

/// |interval − period| of consecutive arrivals.
fn jitter(at: &[Instant], period: Duration) -> Vec<Duration> {
    at.windows(2)
        .map(|w| (w[1] - w[0]).abs_diff(period))
        .collect()
}

/// The plain baseline: sleep to each deadline, send.
fn plain(period: Duration, ticks: u64) -> Res<Vec<Instant>> {
    let (to, rx) = receiver()?;
    let s = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| e.to_string())?;
    let start = Instant::now();
    for k in 0..ticks {
        let due = start + period * u32::try_from(k).unwrap_or(u32::MAX);
        let now = Instant::now();
        if due > now {
            thread::sleep(due - now);
        }
        s.send_to(b"tick", to).map_err(|e| e.to_string())?;
    }
    rx.join().map_err(|_| "receiver panicked".to_string())
}

/// Sockbench: `send_every` on an engine UDP socket; the arrivals and the
/// engine's count of missed ticks.
fn engine(period: Duration, ticks: u64) -> Res<(Vec<Instant>, u64)> {
    let (to, rx) = receiver()?;
    let engine = EngineHandle::spawn_headless().map_err(|e| e.to_string())?;
    let id = engine
        .open(SocketSpec::Udp {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            default_peer: None,
            recv_bytes: 65_536,
        })
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(10);
    let bound = engine.wait_for(deadline, |ev| {
        ev.id == id && matches!(ev.kind, EventKind::Bound { .. })
    });
    if !bound {
        return Err("the UDP socket was not bound".into());
    }
    engine
        .send_every(id, b"tick".to_vec(), Some(to.into()), period, Some(ticks))
        .map_err(|e| e.to_string())?;
    let mut missed = None;
    let run_for = period * u32::try_from(ticks).unwrap_or(u32::MAX) + Duration::from_secs(10);
    engine.wait_for(Instant::now() + run_for, |ev| match &ev.kind {
        EventKind::Periodic(p) if ev.id == id && !p.running => {
            missed = Some(p.missed);
            true
        }
        _ => false,
    });
    let at = rx.join().map_err(|_| "receiver panicked".to_string())?;
    Ok((at, missed.ok_or("the periodic send never ended")?))
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// The benchmark.
pub fn periodic() -> Vec<Row> {
    let secs: u64 = if quick() { 1 } else { 10 };
    let mut rows = Vec::new();
    for period_ms in [1u64, 10] {
        let period = Duration::from_millis(period_ms);
        let ticks = secs * 1000 / period_ms;
        let what = format!("every {period_ms} ms for {secs} s");
        let (base, (got, missed)) = match (plain(period, ticks), engine(period, ticks)) {
            (Ok(b), Ok(e)) => (b, e),
            (Err(e), _) | (_, Err(e)) => {
                rows.push(
                    Row::info(B, &format!("{what}: FAILED ({e})"), 0.0, "")
                        .target("completes", false),
                );
                continue;
            }
        };
        eprintln!(
            "bench: periodic {what}: plain {} received, sockbench {} received, {missed} missed",
            base.len(),
            got.len()
        );
        rows.push(
            Row::vs(
                B,
                &format!("{what}: sends received (of {ticks})"),
                got.len() as f64,
                base.len() as f64,
                "sends",
            )
            .target("all (= ticks)", got.len() as u64 == ticks),
        );
        rows.push(Row::info(
            B,
            &format!("{what}: ticks missed (sent late, not in a burst)"),
            missed as f64,
            "ticks",
        ));
        let (mut jb, mut je) = (jitter(&base, period), jitter(&got, period));
        for p in [50.0, 99.0] {
            let (b, e) = (percentile(&mut jb, p), percentile(&mut je, p));
            rows.push(Row::vs(
                B,
                &format!("{what}: jitter between arrivals, p{p:.0}"),
                us(e),
                us(b),
                "µs",
            ));
        }
    }
    rows
}
