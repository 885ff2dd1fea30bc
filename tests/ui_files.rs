//! Files from the window: save what a socket receives (with what the log
//! held first), export the log as CSV, send a file as datagrams. Paths are
//! typed (no dialog is ever opened in tests).

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::time::Duration;

use egui_kittest::kittest::Queryable;

use sockbench::engine::FileEnd;

use crate::ui::{harness, run_until, type_into};
use crate::ui_tools::open_udp;
use crate::util::{TempDir, WAIT};

fn sender() -> UdpSocket {
    let s = UdpSocket::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s
}

#[test]
fn received_bytes_are_saved_from_now_on_after_what_the_log_held() {
    let mut h = harness();
    let (id, addr) = open_udp(&mut h);
    let s = sender();
    s.send_to(b"before,", addr).unwrap();
    run_until(&mut h, "the first datagram", |a| {
        a.model().sessions[&id].counters.bytes_in == 7
    });
    let dir = TempDir::new("ui-save");
    let path = dir.path("rx.bin");
    h.get_by_label("Save received bytes…").click();
    h.run();
    type_into(&mut h, "File", &path.display().to_string());
    h.get_by_label("Start saving").click();
    h.run();
    assert!(h.state().model().saving.contains_key(&id));
    s.send_to(b"after", addr).unwrap();
    run_until(&mut h, "both in the file", |a| {
        a.model()
            .saving
            .get(&id)
            .is_some_and(|sv| sv.written() == 12)
    });
    assert!(h.query_by_label_contains("12 B written to").is_some());
    h.get_by_label("Stop saving").click();
    h.run();
    let deadline = std::time::Instant::now() + WAIT;
    while std::fs::read(&path).unwrap() != b"before,after" {
        assert!(std::time::Instant::now() < deadline, "the file is written");
        std::thread::sleep(Duration::from_millis(10));
    }
    // Stopped: what comes next is not written.
    s.send_to(b"!", addr).unwrap();
    run_until(&mut h, "the third datagram", |a| {
        a.model().sessions[&id].counters.bytes_in == 13
    });
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(std::fs::read(&path).unwrap(), b"before,after");
}

#[test]
fn the_log_exports_as_csv_from_its_toolbar() {
    let mut h = harness();
    let (id, addr) = open_udp(&mut h);
    let s = sender();
    s.send_to(b"a,\"b\"", addr).unwrap();
    run_until(&mut h, "the datagram", |a| {
        a.model().sessions[&id].counters.msgs_in == 1
    });
    let dir = TempDir::new("ui-export");
    let path = dir.path("log.csv");
    h.get_by_label("Export the log…").click();
    h.run();
    type_into(&mut h, "File", &path.display().to_string());
    h.get_by_label("Format").click();
    h.run();
    h.get_by_label("CSV").click();
    h.run();
    h.get_by_label("Export").click();
    run_until(&mut h, "the export to finish", |a| {
        a.files.export_done.is_some()
    });
    let csv = std::fs::read_to_string(&path).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("time,socket,event,peer,len,text,hex"));
    assert!(
        csv.contains(&format!(
            ",received,{},5,\"a,\"\"b\"\"\",61 2C 22 62 22\n",
            s.local_addr().unwrap()
        )),
        "{csv}"
    );
    assert!(h.query_by_label_contains("Exported ").is_some());
}

#[test]
fn a_file_goes_out_as_datagrams_from_the_composer() {
    let mut h = harness();
    let (id, _addr) = open_udp(&mut h);
    let rx = sender();
    let dir = TempDir::new("ui-send-file");
    let path = dir.path("f.bin");
    let data: Vec<u8> = (0..3000u32).map(|i| i as u8).collect();
    std::fs::write(&path, &data).unwrap();
    type_into(
        &mut h,
        "UDP destination",
        &rx.local_addr().unwrap().to_string(),
    );
    h.get_by_label("Send file…").click();
    h.run();
    type_into(&mut h, "File", &path.display().to_string());
    h.get_by_label("Send the file").click();
    h.run();
    let mut got = Vec::new();
    let mut sizes = Vec::new();
    let mut buf = [0u8; 2048];
    while got.len() < data.len() {
        let n = rx.recv(&mut buf).unwrap();
        sizes.push(n);
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, data);
    assert_eq!(sizes, [1024, 1024, 952]);
    run_until(&mut h, "the file to end", |a| {
        a.model().sessions[&id]
            .file
            .as_ref()
            .is_some_and(|f| f.end == Some(FileEnd::Sent))
    });
    assert!(h.query_by_label("all sent").is_some());
}

#[test]
fn a_missing_file_says_so_and_sends_nothing() {
    let mut h = harness();
    let (id, _addr) = open_udp(&mut h);
    let rx = sender();
    type_into(
        &mut h,
        "UDP destination",
        &rx.local_addr().unwrap().to_string(),
    );
    h.get_by_label("Send file…").click();
    h.run();
    // No path: the window says what is missing.
    h.get_by_label("Send the file").click();
    h.run();
    assert!(h.query_by_label_contains("Type a file path").is_some());
    type_into(&mut h, "File", "/nonexistent/sockbench/f.bin");
    h.get_by_label("Send the file").click();
    run_until(&mut h, "the error", |a| {
        a.model().sessions[&id]
            .file
            .as_ref()
            .is_some_and(|f| matches!(f.end, Some(FileEnd::Failed(_))))
    });
    assert!(
        h.query_all_by_label_contains("No such file or directory (ENOENT): open() on /nonexistent")
            .next()
            .is_some()
    );
    assert_eq!(h.state().model().sessions[&id].counters.msgs_out, 0);
}

/// A workspace saved from the Files menu holds the sockets with their
/// encodings and rules; opened in a fresh window, they are back and the
/// rules answer.
#[test]
fn a_workspace_saved_and_opened_brings_back_sockets_rules_and_encodings() {
    use sockbench::codec::text::TextEncoding;
    use sockbench::engine::SocketKind;
    use std::io::{Read, Write};

    let dir = TempDir::new("ui-workspace");
    let path = dir.path("lab.toml");
    {
        let mut h = harness();
        crate::ui::open_listener(&mut h);
        h.get_by_label("Auto-reply").click();
        h.run();
        h.get_by_label("Echo").click();
        h.run();
        let (udp, _) = open_udp(&mut h);
        h.state_mut().execute(sockbench::ui::Action::SetEncoding {
            id: udp,
            encoding: TextEncoding::Gbk,
        });
        h.get_by_label("Files").click();
        h.run();
        h.get_by_label("Save workspace…").click();
        h.run();
        type_into(&mut h, "File", &path.display().to_string());
        h.get_by_label("Save").click();
        h.run();
        assert!(h.query_by_label_contains("Saved to").is_some());
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("spec = \"tcp-listen:127.0.0.1:0,backlog=128\""),
        "{text}"
    );
    assert!(text.contains("spec = \"udp:127.0.0.1:0,recv="), "{text}");

    let mut h = harness();
    h.get_by_label("Files").click();
    h.run();
    h.get_by_label("Open workspace…").click();
    h.run();
    type_into(&mut h, "File", &path.display().to_string());
    h.get_by_label("Open").click();
    run_until(&mut h, "both sockets to be open", |a| {
        let m = a.model();
        m.sessions
            .values()
            .any(|s| s.kind == SocketKind::TcpListener && s.local.is_some())
            && m.sessions
                .values()
                .any(|s| s.kind == SocketKind::Udp && s.local.is_some())
    });
    let (listener, port) = {
        let m = h.state().model();
        let l = m
            .sessions
            .values()
            .find(|s| s.kind == SocketKind::TcpListener)
            .unwrap();
        let u = m
            .sessions
            .values()
            .find(|s| s.kind == SocketKind::Udp)
            .unwrap();
        assert_eq!(u.encoding, TextEncoding::Gbk);
        (l.id, crate::util::ip_of(&l.local).port())
    };
    assert!(h.state().rules.running(listener));
    let mut c = std::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    c.write_all(b"echo?").unwrap();
    let mut got = [0u8; 5];
    c.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"echo?");
}
