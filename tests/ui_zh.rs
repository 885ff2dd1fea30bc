//! The window in Chinese: the main flows walked through, every text in the
//! accessibility tree read, and no English word allowed but socket API
//! names, protocol and encoding names, addresses and hex.

use egui_kittest::kittest::{By, NodeT, Queryable};

use crate::ui::{harness, open_client, open_listener, run_until, type_into};

/// Words that stay as they are in Chinese: the socket API, protocols,
/// states, encodings, units and file formats (as the glossary says).
const KEPT: &[&str] = &[
    "socket",
    "bind",
    "listen",
    "accept",
    "connect",
    "recv",
    "send",
    "sendall",
    "recvfrom",
    "sendto",
    "close",
    "shutdown",
    "setsockopt",
    "getsockopt",
    "fd",
    "AF_INET",
    "AF_INET6",
    "AF_UNIX",
    "SOCK_STREAM",
    "SOCK_DGRAM",
    "SO_REUSEADDR",
    "SO_RCVBUF",
    "SO_LINGER",
    "SHUT_WR",
    "TCP_NODELAY",
    "TCP_INFO",
    "MSG_TRUNC",
    "TCP",
    "UDP",
    "IP",
    "IPv4",
    "IPv6",
    "Unix",
    "FIN",
    "RST",
    "ACK",
    "SYN",
    "RTT",
    "LISTEN",
    "ESTABLISHED",
    "SYN_SENT",
    "SYN_RECV",
    "FIN_WAIT_1",
    "FIN_WAIT_2",
    "FIN_WAIT1",
    "FIN_WAIT2",
    "TIME_WAIT",
    "CLOSE_WAIT",
    "LAST_ACK",
    "CLOSING",
    "CLOSED",
    "UTF",
    "GBK",
    "GB18030",
    "Big5",
    "Shift_JIS",
    "Latin",
    "ISO",
    "Python",
    "struct",
    "pack",
    "unpack",
    "python3",
    "Sockbench",
    "CSV",
    "JSON",
    "CRC",
    "SUM8",
    "XOR8",
    "MODBUS",
    "CCITT",
    "FALSE",
    "XMODEM",
    "SMBUS",
    "MAXIM",
    "DOW",
    "Ctrl",
    "Enter",
    "Tab",
    "ms",
    "KiB",
    "MiB",
    "GiB",
    "B",
    "s",
    "p50",
    "p95",
    "p99",
    "lo",
    "eth0",
    "data",
    "conn",
    "addr",
    "b",
    "x",
    "n",
    "ok",
    "Nagle",
    "NETLINK_SOCK_DIAG",
    "ss",
    "tan",
    "EADDRINUSE",
    "errno",
    "hex",
    "sock_diag",
    "threading",
    "socketserver",
    "ThreadingTCPServer",
    "localhost",
    "backlog",
    "HI10s",
    "Linux",
    "rx",
    "seq",
    "rand",
    "time",
    "len",
    "HTTP",
    "GET",
    "Web",
    "Windows",
];

/// Labels egui itself gives its own widgets (not Sockbench's to translate).
const EGUI_OWN: &[&str] = &["Resize panel"];

/// The English words in `text`: runs of ASCII letters (with `_`) that are
/// not kept words, not hex and not inside code.
fn english_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    // Commands in backquotes are code.
    let text: String = text
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, t)| t)
        .collect();
    // Paths are the user's (`/tmp/x.sock`, `@name`).
    let text: Vec<&str> = text
        .split_whitespace()
        .filter(|w| !w.starts_with('/') && !w.starts_with('@'))
        .collect();
    let text = text.join(" ");
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        let letters = word.chars().filter(char::is_ascii_alphabetic).count();
        if letters < 2 || word.chars().all(|c| c.is_ascii_hexdigit()) {
            continue;
        }
        if KEPT.iter().any(|k| k.eq_ignore_ascii_case(word)) {
            continue;
        }
        out.push(word.to_string());
    }
    out
}

/// Every text on screen (labels and values), but the code editors and the
/// traffic's own payloads.
fn texts(h: &egui_kittest::Harness<'_, sockbench::app::WorkbenchApp>) -> Vec<String> {
    let mut out = Vec::new();
    for node in h.query_all(By::new().include_labels()) {
        let n = node.accesskit_node();
        // A wrapped label's rows repeat its text, cut where it wraps
        // (through a piece of code in backquotes, say): read the label.
        if n.role() == eframe::egui::accesskit::Role::TextRun {
            continue;
        }
        for t in [n.label(), n.value()].into_iter().flatten() {
            out.push(t.to_string());
        }
    }
    out
}

#[test]
fn the_main_flows_in_chinese_show_no_english_words() {
    let mut h = harness();
    let port = open_listener(&mut h);
    let (client, accepted) = open_client(&mut h, port);
    type_into(&mut h, "Payload", "hello");
    h.get_by_label("Send").click();
    run_until(&mut h, "hello", |a| {
        a.model().sessions[&accepted].counters.bytes_in == 5
    });
    h.get_by_label("Language").click();
    h.run();
    h.get_by_label("简体中文").click();
    h.run();
    let mut found: Vec<(String, String)> = Vec::new();
    let mut look = |h: &mut egui_kittest::Harness<'_, sockbench::app::WorkbenchApp>, at: &str| {
        h.run();
        let code = h
            .query_by_label("Python 程序")
            .and_then(|n| n.value())
            .unwrap_or_default();
        // Quick-send items' names are the user's own words.
        let names: Vec<String> = h
            .state()
            .settings
            .quick
            .items
            .iter()
            .map(|i| i.name.clone())
            .collect();
        for t in texts(h) {
            let t = names.iter().fold(t, |t, n| t.replace(n.as_str(), ""));
            let in_code = !code.is_empty() && code.contains(t.trim());
            if in_code || t == "hello" || EGUI_OWN.contains(&t.as_str()) {
                continue;
            }
            for w in english_words(&t) {
                found.push((at.to_string(), format!("{w}  in  {t}")));
            }
        }
    };
    look(&mut h, "traffic");
    for tab in ["自动回复", "统计", "调用与状态", "Python", "粘包实验室"] {
        if let Some(t) = h.query_by_label(tab) {
            t.click();
        }
        look(&mut h, tab);
    }
    // The rules with an echo rule, the quick-send panel, the other open
    // forms and the composer in hex.
    h.get_by_label("自动回复").click();
    h.run();
    if let Some(b) = h.query_by_label("回显") {
        b.click();
    }
    look(&mut h, "echo rule");
    h.get_by_label("快捷发送面板").click();
    look(&mut h, "quick send");
    for form in ["TCP 客户端", "UDP 套接字", "Unix 套接字"] {
        h.get_by_label(form).click();
        look(&mut h, form);
    }
    h.get_by_label("十六进制").click();
    look(&mut h, "hex");
    // A bind() that fails, its error and what the kernel says holds the
    // port.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_port = taken.local_addr().unwrap().port();
    let failed = h
        .state_mut()
        .open(sockbench::engine::SocketSpec::TcpListen {
            addr: std::net::SocketAddr::from(([127, 0, 0, 1], taken_port)),
            backlog: 8,
            reuse_addr: true,
        })
        .unwrap();
    run_until(&mut h, "the kernel's answer", |a| {
        a.model().sessions[&failed].port_state.is_some()
    });
    look(&mut h, "failed bind");
    assert!(h.query_by_label_contains("另一个程序").is_some());
    drop(taken);
    let _ = client;
    found.sort();
    found.dedup();
    for (at, f) in &found {
        eprintln!("{at}: {f}");
    }
    assert!(found.is_empty(), "{} English words", found.len());
}

/// Every lesson's page in Chinese, before and after Start.
#[test]
fn every_lesson_reads_in_chinese() {
    let mut h = crate::ui::harness_sized(eframe::egui::vec2(1280.0, 1200.0));
    h.get_by_label("Language").click();
    h.run();
    h.get_by_label("简体中文").click();
    h.run();
    h.get_by_label("课程").click();
    h.run();
    let mut found: Vec<(String, String)> = Vec::new();
    for id in sockbench::lessons::LessonId::ALL {
        h.state_mut().settings.lesson = id;
        h.run();
        let title = id.lesson().title.zh;
        h.get_by_label(&format!("开始：{title}")).click();
        // Sockets open and scroll into view: the UI repaints a while.
        h.run_steps(2);
        let deadline = std::time::Instant::now() + crate::util::WAIT;
        while h.query_by_label("第 1 步：已完成").is_none() {
            assert!(std::time::Instant::now() < deadline, "{title} starts");
            h.step();
        }
        for t in texts(&h) {
            // The composer's payload is the user's (the HTTP lesson types
            // its request there).
            let payload = &h.state().settings.composer.text;
            if EGUI_OWN.contains(&t.as_str()) || (!payload.is_empty() && t == *payload) {
                continue;
            }
            for w in english_words(&t) {
                found.push((title.to_string(), format!("{w}  in  {t}")));
            }
        }
    }
    found.sort();
    found.dedup();
    for (at, f) in &found {
        eprintln!("{at}: {f}");
    }
    assert!(found.is_empty(), "{} English words", found.len());
}
