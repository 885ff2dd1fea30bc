//! Headless mode, as a user runs it: the real `sockbench` binary with
//! `--headless`, its standard output read line by line, stopped with
//! SIGTERM; exit codes checked. Loopback only, every wait bounded.

use std::io::Write;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;

use crate::util::{WAIT, stdout_lines};

/// A running `sockbench --headless …`, killed if still running when dropped.
struct Run {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Run {
    fn start(args: &[&str]) -> Run {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sockbench"))
            .arg("--headless")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sockbench starts");
        let lines = stdout_lines(&mut child);
        Run {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line that `f` accepts; returns it.
    fn line(&mut self, what: &str, f: impl Fn(&str) -> bool) -> String {
        if let Some(l) = self.seen.iter().find(|l| f(l)) {
            return l.clone();
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    self.seen.push(l.clone());
                    if f(&l) {
                        return l;
                    }
                }
                Err(_) => panic!("no line for {what}; seen:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// Sends `signal` and waits for the exit; returns the code and every
    /// line printed.
    fn stop(self, signal: nix::sys::signal::Signal) -> (Option<i32>, Vec<String>) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, signal).expect("signal");
        self.wait_exit()
    }

    fn wait_exit(mut self) -> (Option<i32>, Vec<String>) {
        let deadline = Instant::now() + WAIT;
        let status = loop {
            if let Some(st) = self.child.try_wait().expect("wait") {
                break st;
            }
            assert!(Instant::now() < deadline, "sockbench did not exit");
            std::thread::sleep(Duration::from_millis(20));
        };
        // The reader ends at the end of the output.
        while let Ok(l) = self.lines.recv_timeout(Duration::from_secs(2)) {
            self.seen.push(l);
        }
        (status.code(), std::mem::take(&mut self.seen))
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn json(line: &str) -> serde_json::Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
}

#[test]
fn json_lines_for_a_listener_and_a_clean_exit_on_sigterm() {
    let mut run = Run::start(&["--json", "--open", "tcp-listen:127.0.0.1:0"]);
    let listening = json(&run.line("listening", |l| l.contains("\"event\":\"listening\"")));
    let local = listening["local"].as_str().unwrap().to_owned();
    let mut c = TcpStream::connect(&local).unwrap();
    c.write_all(b"hello").unwrap();
    let got = json(&run.line("received", |l| l.contains("\"event\":\"received\"")));
    assert_eq!(got["hex"], "68656c6c6f");
    assert_eq!(got["socket"], 2);
    let (code, lines) = run.stop(nix::sys::signal::Signal::SIGTERM);
    assert_eq!(code, Some(0));
    let closed: Vec<u64> = lines
        .iter()
        .map(|l| json(l))
        .filter(|v| v["event"] == "closed")
        .map(|v| v["socket"].as_u64().unwrap())
        .collect();
    assert_eq!(
        closed.len(),
        2,
        "the listener and the connection: {closed:?}"
    );
    assert!(closed.contains(&1) && closed.contains(&2));
}

#[test]
fn text_lines_show_data_in_the_chosen_encoding_and_sigint_stops_it() {
    let mut run = Run::start(&["--encoding", "gbk", "--open", "udp:127.0.0.1:0"]);
    let bound = run.line("bound", |l| l.contains(" #1 bound "));
    let local = bound
        .split_whitespace()
        .nth(3)
        .unwrap_or_else(|| panic!("{bound}"))
        .to_owned();
    let s = std::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    // 你好 in GBK.
    s.send_to(&[0xC4, 0xE3, 0xBA, 0xC3], &local).unwrap();
    let got = run.line("received", |l| l.contains(" received "));
    assert!(got.ends_with(" 4 B \"你好\""), "{got}");
    // Control characters and undecodable bytes as escapes, not doubled.
    s.send_to(b"ok\r\n\xff", &local).unwrap();
    let got = run.line("the second datagram", |l| l.contains(" 5 B "));
    assert!(got.ends_with(r#" 5 B "ok\r\n\xFF""#), "{got}");
    let (code, lines) = run.stop(nix::sys::signal::Signal::SIGINT);
    assert_eq!(code, Some(0));
    assert!(lines.iter().any(|l| l.contains(" #1 closed ")), "{lines:?}");
}

#[test]
fn a_failed_bind_ends_the_run_with_exit_code_1() {
    let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = taken.local_addr().unwrap().port();
    let spec = format!("tcp-listen:127.0.0.1:{port}");
    let mut run = Run::start(&["--json", "--open", &spec]);
    let failed = json(&run.line("failed", |l| l.contains("\"event\":\"failed\"")));
    assert_eq!(failed["errno"], "EADDRINUSE");
    let (code, _) = run.wait_exit();
    assert_eq!(code, Some(1));
}

#[test]
fn headless_needs_a_socket_to_open() {
    let out = Command::new(env!("CARGO_BIN_EXE_sockbench"))
        .arg("--headless")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs at least one --open"));
}

#[test]
fn a_workspace_that_cannot_be_read_stops_before_any_window() {
    let dir = crate::util::TempDir::new("bad-workspace");
    let missing = dir.path("missing.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_sockbench"))
        .arg("--workspace")
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot open the workspace") && err.contains("missing.toml"),
        "{err}"
    );
    std::fs::write(dir.path("bad.toml"), "sockets = 3\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sockbench"))
        .arg("--workspace")
        .arg(dir.path("bad.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a Sockbench workspace"), "{err}");
}

#[test]
fn a_unix_listener_runs_headless_and_leaves_no_socket_file() {
    let dir = crate::util::TempDir::new("headless-unix");
    let path = dir.path("h.sock");
    let spec = format!("unix-listen:{}", path.display());
    let mut run = Run::start(&["--open", &spec]);
    run.line("listening", |l| {
        l.contains(" listening ") && l.contains("h.sock")
    });
    let mut c = std::os::unix::net::UnixStream::connect(&path).expect("connect");
    c.write_all(b"over unix").unwrap();
    run.line("the bytes", |l| {
        l.contains(" received ") && l.contains("\"over unix\"")
    });
    let (code, lines) = run.stop(nix::sys::signal::Signal::SIGTERM);
    assert_eq!(code, Some(0), "{lines:#?}");
    assert!(lines.iter().any(|l| l.contains("os.unlink(")), "{lines:#?}");
    assert!(!path.exists(), "the socket file is removed");
}

#[test]
fn help_follows_the_locale() {
    let help = |lang: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_sockbench"))
            .arg("--help")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", lang)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let zh = help("zh_CN.UTF-8");
    assert!(
        zh.contains("用法：") && zh.contains("启动时打开一个套接字"),
        "{zh}"
    );
    let en = help("C.UTF-8");
    assert!(
        en.contains("Usage:") && en.contains("Open a socket at start"),
        "{en}"
    );
}

#[test]
fn command_line_errors_follow_the_locale() {
    let run = |lang: &str, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_sockbench"))
            .args(args)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", lang)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        String::from_utf8(out.stderr).unwrap()
    };
    let e = run("zh_CN.UTF-8", &["--bogus"]);
    assert!(e.contains("错误：不认识的参数 '--bogus'"), "{e}");
    assert!(e.contains("sockbench --help"), "{e}");
    let e = run("zh_CN.UTF-8", &["--open", "tcp-listen:99999"]);
    assert!(
        e.contains("不是 --open <SPEC> 的有效值") && e.contains("99999 不是有效端口"),
        "{e}"
    );
    let e = run("zh_CN.UTF-8", &["--json"]);
    assert!(e.contains("缺少必需的参数：--headless"), "{e}");
    let e = run(
        "zh_CN.UTF-8",
        &["--headless", "--workspace", "x.toml", "--open", "udp:0"],
    );
    assert!(e.contains("不能与") && e.contains("一起使用"), "{e}");
    let e = run("C.UTF-8", &["--bogus"]);
    assert!(e.contains("unexpected argument '--bogus'"), "{e}");
}
