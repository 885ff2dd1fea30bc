//! Tests of `spec.rs`.

use super::*;
use std::net::Ipv6Addr;
use std::time::{Duration, Instant};

fn v4(a: u8, b: u8, c: u8, d: u8, port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::new(a, b, c, d)), port)
}

fn v6(ip: Ipv6Addr, port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V6(ip), port)
}

#[test]
fn field_display_names() {
    let cases = [
        (Field::Address, "Bind address"),
        (Field::Host, "Host"),
        (Field::Port, "Port"),
        (Field::Backlog, "Backlog"),
        (Field::Peer, "Peer"),
        (Field::RecvSize, "Receive size"),
        (Field::Spec, "Socket spec"),
    ];
    for (f, name) in cases {
        assert_eq!(f.to_string(), name);
    }
    let e = FieldError::new(Field::Port, "Port is empty");
    assert_eq!(e.to_string(), "Port: Port is empty");
}

#[test]
fn ports() {
    let ok: &[(&str, bool, u16)] = &[
        ("9000", true, 9000),
        (" 9000 ", false, 9000),
        ("0", true, 0),
        ("65535", false, 65535),
        ("1", false, 1),
        ("+80", false, 80),
        ("00080", false, 80),
    ];
    for &(s, zero, want) in ok {
        assert_eq!(parse_port(s, zero), Ok(want), "{s:?}");
    }
    let bad: &[(&str, bool, &str)] = &[
        ("", true, "Port is empty"),
        ("   ", true, "Port is empty"),
        (
            "99999",
            true,
            "99999 is not a port: ports go from 1 to 65535 (0 picks a free one)",
        ),
        (
            "99999",
            false,
            "99999 is not a port: ports go from 1 to 65535",
        ),
        (
            "65536",
            false,
            "65536 is not a port: ports go from 1 to 65535",
        ),
        (
            "-1",
            true,
            "-1 is not a port: ports go from 1 to 65535 (0 picks a free one)",
        ),
        ("abc", true, "'abc' is not a number"),
        ("9 000", true, "'9 000' is not a number"),
        ("80.5", true, "'80.5' is not a whole number"),
        (
            "0",
            false,
            "0 is not a port you can send or connect to: ports go from 1 to 65535",
        ),
        (
            "99999999999999999999999",
            true,
            "99999999999999999999999 is not a port: ports go from 1 to 65535 (0 picks a free one)",
        ),
        ("-", true, "'-' is not a number"),
        ("٣", true, "'٣' is not a number"),
    ];
    for &(s, zero, msg) in bad {
        let e = parse_port(s, zero).unwrap_err();
        assert_eq!(e.field, Field::Port, "{s:?}");
        assert_eq!(e.message, msg, "{s:?}");
    }
}

#[test]
fn bind_addresses() {
    let ok: &[(&str, IpAddr)] = &[
        ("127.0.0.1", IpAddr::V4(Ipv4Addr::LOCALHOST)),
        (" 0.0.0.0 ", IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        ("localhost", IpAddr::V4(Ipv4Addr::LOCALHOST)),
        ("LocalHost", IpAddr::V4(Ipv4Addr::LOCALHOST)),
        ("::1", IpAddr::V6(Ipv6Addr::LOCALHOST)),
        ("[::1]", IpAddr::V6(Ipv6Addr::LOCALHOST)),
        ("::", IpAddr::V6(Ipv6Addr::UNSPECIFIED)),
    ];
    for &(s, want) in ok {
        assert_eq!(parse_ip(s), Ok(want), "{s:?}");
    }
    let bad: &[(&str, &str)] = &[
        ("", "Bind address is empty"),
        (
            "example.com",
            "bind needs an IP address of this machine, not a host name ('example.com')",
        ),
        ("256.1.1.1", "'256.1.1.1' is not an IPv4 address"),
        ("127.0.0.1:9000", "has a port in it"),
        ("[::1]:9000", "has a port in it"),
        ("127.0.0 .1", "has a space in it"),
        ("[::1", "opens a bracket but does not close it"),
        ("[127.0.0.1]", "brackets are only for IPv6"),
        ("fe80::1%eth0", "zone"),
        ("1:2:3", "'1:2:3' is not an IP address"),
        ("!!", "'!!' is not an IP address"),
    ];
    for &(s, want) in bad {
        let e = parse_ip(s).unwrap_err();
        assert_eq!(e.field, Field::Address, "{s:?}");
        assert!(e.message.contains(want), "{s:?}: {}", e.message);
    }
}

#[test]
fn socket_addresses() {
    let ok: &[(&str, Field, SocketAddr)] = &[
        ("127.0.0.1:9000", Field::Peer, v4(127, 0, 0, 1, 9000)),
        ("[::1]:9000", Field::Peer, v6(Ipv6Addr::LOCALHOST, 9000)),
        ("localhost:9000", Field::Peer, v4(127, 0, 0, 1, 9000)),
        (" 0.0.0.0:0 ", Field::Address, v4(0, 0, 0, 0, 0)),
    ];
    for &(s, field, want) in ok {
        assert_eq!(parse_socket_addr(s, field), Ok(want), "{s:?}");
    }
    let bad: &[(&str, Field, &str)] = &[
        ("", Field::Peer, "Peer is empty"),
        (
            "127.0.0.1",
            Field::Peer,
            "'127.0.0.1' has no port: write it as ADDRESS:PORT",
        ),
        ("127.0.0.1:", Field::Peer, "has no port after the colon"),
        (
            "[::1]",
            Field::Peer,
            "'[::1]' has no port: write it as [::1]:PORT",
        ),
        (
            "::1",
            Field::Peer,
            "an IPv6 address goes in brackets before the port",
        ),
        ("::1:9000", Field::Peer, "an IPv6 address goes in brackets"),
        (
            "127.0.0.1:0",
            Field::Peer,
            "0 is not a port you can send or connect to",
        ),
        (
            "127.0.0.1:99999",
            Field::Peer,
            "the port in '127.0.0.1:99999': 99999 is not a port",
        ),
        ("127.0.0.1:-1", Field::Address, "-1 is not a port"),
        ("127.0.0.1:http", Field::Peer, "'http' is not a number"),
        (
            "example.com:80",
            Field::Peer,
            "Peer needs an IP address, not a host name",
        ),
        ("[::1]x", Field::Peer, "something other than :PORT"),
        ("[::1:80", Field::Peer, "opens a bracket"),
    ];
    for &(s, field, want) in bad {
        let e = parse_socket_addr(s, field).unwrap_err();
        assert_eq!(e.field, field, "{s:?}");
        assert!(e.message.contains(want), "{s:?}: {}", e.message);
    }
}

#[test]
fn hosts() {
    let ok: &[(&str, &str)] = &[
        ("example.com", "example.com"),
        ("  example.com  ", "example.com"),
        ("my_host-1.lan", "my_host-1.lan"),
        ("localhost", "localhost"),
        ("example.com.", "example.com."),
        ("127.0.0.1", "127.0.0.1"),
        ("::1", "::1"),
        ("[::1]", "::1"),
        ("[0:0::1]", "::1"),
    ];
    for &(s, want) in ok {
        assert_eq!(parse_host(s).as_deref(), Ok(want), "{s:?}");
    }
    let long = format!("{}.com", "a.".repeat(130));
    let long_label = format!("{}.com", "a".repeat(64));
    let bad: Vec<(&str, &str)> = vec![
        ("", "Host is empty"),
        ("   ", "Host is empty"),
        ("exa mple.com", "'exa mple.com' has a space in it"),
        ("example.com:80", "has a port in it"),
        ("[::1]:80", "has a port in it"),
        ("[::1", "opens a bracket"),
        ("[example.com]", "brackets are only for IPv6"),
        ("exa$mple.com", "has '$' in it"),
        ("héllo.com", "has 'é' in it"),
        ("a..b", "empty part between dots"),
        (".a", "empty part between dots"),
        ("-a.com", "starts or ends with '-'"),
        ("999.1.1.1", "is not an IPv4 address"),
        ("1234", "is not an IPv4 address"),
        (&long, "a host name has at most 253"),
        (&long_label, "longer than 63"),
        ("1:2:3", "is not a host name or an IP address"),
    ];
    for (s, want) in bad {
        let e = parse_host(s).unwrap_err();
        assert_eq!(e.field, Field::Host, "{s:?}");
        assert!(e.message.contains(want), "{s:?}: {}", e.message);
    }
}

#[test]
fn listen_specs() {
    assert_eq!(
        listen_spec("127.0.0.1", "9000", "", false),
        Ok(SocketSpec::TcpListen {
            addr: v4(127, 0, 0, 1, 9000),
            backlog: DEFAULT_BACKLOG,
            reuse_addr: false,
        })
    );
    assert_eq!(
        listen_spec("::", "0", " 1 ", true),
        Ok(SocketSpec::TcpListen {
            addr: v6(Ipv6Addr::UNSPECIFIED, 0),
            backlog: 1,
            reuse_addr: true,
        })
    );
    let errs = listen_spec("example.com", "99999", "0", true).unwrap_err();
    let fields: Vec<Field> = errs.iter().map(|e| e.field).collect();
    assert_eq!(fields, [Field::Address, Field::Port, Field::Backlog]);
    assert!(
        errs[2]
            .message
            .contains("0 is out of range: the backlog goes from 1 to 65535")
    );
    let bad_backlogs: &[(&str, &str)] = &[
        ("65536", "out of range"),
        ("-1", "out of range"),
        ("lots", "'lots' is not a number"),
        ("1.5", "not a whole number"),
    ];
    for &(b, want) in bad_backlogs {
        let errs = listen_spec("127.0.0.1", "9000", b, true).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, Field::Backlog);
        assert!(errs[0].message.contains(want), "{b:?}: {}", errs[0].message);
    }
    assert_eq!(
        listen_spec("127.0.0.1", "9000", "65535", true).map(|s| match s {
            SocketSpec::TcpListen { backlog, .. } => backlog,
            _ => 0,
        }),
        Ok(65535)
    );
}

#[test]
fn connect_specs() {
    assert_eq!(
        connect_spec("example.com", "80"),
        Ok(SocketSpec::TcpConnect {
            host: "example.com".into(),
            port: 80
        })
    );
    assert_eq!(
        connect_spec("[::1]", "443"),
        Ok(SocketSpec::TcpConnect {
            host: "::1".into(),
            port: 443
        })
    );
    let errs = connect_spec("", "0").unwrap_err();
    let fields: Vec<Field> = errs.iter().map(|e| e.field).collect();
    assert_eq!(fields, [Field::Host, Field::Port]);
    let errs = connect_spec("example.com", "").unwrap_err();
    assert_eq!(errs, [FieldError::new(Field::Port, "Port is empty")]);
}

#[test]
fn udp_specs() {
    assert_eq!(
        udp_spec("0.0.0.0", "9001", "", ""),
        Ok(SocketSpec::Udp {
            addr: v4(0, 0, 0, 0, 9001),
            default_peer: None,
            recv_bytes: DEFAULT_UDP_RECV_BYTES,
        })
    );
    assert_eq!(
        udp_spec("::1", "0", "[::1]:9", "1500"),
        Ok(SocketSpec::Udp {
            addr: v6(Ipv6Addr::LOCALHOST, 0),
            default_peer: Some(v6(Ipv6Addr::LOCALHOST, 9)),
            recv_bytes: 1500,
        })
    );
    let errs = udp_spec("0.0.0.0", "9001", "[::1]:9", "").unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].field, Field::Peer);
    assert!(
        errs[0]
            .message
            .starts_with("peer ::1 is IPv6 but the socket is bound to an IPv4 address"),
        "{}",
        errs[0].message
    );
    let errs = udp_spec("::1", "9001", "127.0.0.1:9", "").unwrap_err();
    assert!(
        errs[0]
            .message
            .starts_with("peer 127.0.0.1 is IPv4 but the socket is bound to an IPv6 address"),
        "{}",
        errs[0].message
    );
    let bad_recv: &[(&str, &str)] = &[
        ("0", "out of range: the receive size goes from 1 to 65536"),
        ("65537", "out of range"),
        ("-5", "out of range"),
        ("big", "'big' is not a number"),
    ];
    for &(r, want) in bad_recv {
        let errs = udp_spec("0.0.0.0", "9001", "", r).unwrap_err();
        assert_eq!(errs.len(), 1, "{r:?}");
        assert_eq!(errs[0].field, Field::RecvSize);
        assert!(errs[0].message.contains(want), "{r:?}: {}", errs[0].message);
    }
    let errs = udp_spec("", "x", "::1", "0").unwrap_err();
    let fields: Vec<Field> = errs.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [Field::Address, Field::Port, Field::Peer, Field::RecvSize]
    );
}

#[test]
fn cli_specs() {
    let ok: Vec<(&str, SocketSpec)> = vec![
        (
            "tcp-listen:127.0.0.1:9000",
            SocketSpec::TcpListen {
                addr: v4(127, 0, 0, 1, 9000),
                backlog: DEFAULT_BACKLOG,
                reuse_addr: true,
            },
        ),
        (
            "tcp-listen:9000",
            SocketSpec::TcpListen {
                addr: v4(127, 0, 0, 1, 9000),
                backlog: DEFAULT_BACKLOG,
                reuse_addr: true,
            },
        ),
        (
            "tcp-listen:[::]:9000,backlog=16",
            SocketSpec::TcpListen {
                addr: v6(Ipv6Addr::UNSPECIFIED, 9000),
                backlog: 16,
                reuse_addr: true,
            },
        ),
        (
            "udp:0.0.0.0:9001",
            SocketSpec::Udp {
                addr: v4(0, 0, 0, 0, 9001),
                default_peer: None,
                recv_bytes: DEFAULT_UDP_RECV_BYTES,
            },
        ),
        (
            "udp:9001",
            SocketSpec::Udp {
                addr: v4(127, 0, 0, 1, 9001),
                default_peer: None,
                recv_bytes: DEFAULT_UDP_RECV_BYTES,
            },
        ),
        (
            "udp:0.0.0.0:9001,peer=127.0.0.1:9002",
            SocketSpec::Udp {
                addr: v4(0, 0, 0, 0, 9001),
                default_peer: Some(v4(127, 0, 0, 1, 9002)),
                recv_bytes: DEFAULT_UDP_RECV_BYTES,
            },
        ),
        (
            "udp:[::1]:0,peer=[::1]:9,recv=512",
            SocketSpec::Udp {
                addr: v6(Ipv6Addr::LOCALHOST, 0),
                default_peer: Some(v6(Ipv6Addr::LOCALHOST, 9)),
                recv_bytes: 512,
            },
        ),
        (
            "tcp-connect:example.host:80",
            SocketSpec::TcpConnect {
                host: "example.host".into(),
                port: 80,
            },
        ),
        (
            "tcp-connect:[::1]:80",
            SocketSpec::TcpConnect {
                host: "::1".into(),
                port: 80,
            },
        ),
    ];
    for (s, want) in ok {
        assert_eq!(parse_cli_spec(s), Ok(want), "{s:?}");
    }
    let bad: &[(&str, Field, &str)] = &[
        ("", Field::Spec, "the socket spec is empty"),
        ("9000", Field::Spec, "'9000' is not a socket spec"),
        ("tcp:9000", Field::Spec, "ambiguous"),
        ("sctp:9000", Field::Spec, "'sctp' is not a socket kind"),
        ("tcp-listen:", Field::Spec, "the address is missing"),
        ("tcp-listen:99999", Field::Port, "99999 is not a port"),
        (
            "tcp-listen:example.com:80",
            Field::Address,
            "not a host name",
        ),
        ("tcp-listen:9000,backlog=0", Field::Backlog, "out of range"),
        (
            "tcp-listen:9000,color=red",
            Field::Spec,
            "tcp-listen has no option 'color'",
        ),
        ("tcp-connect:example.com", Field::Spec, "has no port"),
        ("tcp-connect:::1:80", Field::Spec, "goes in brackets"),
        ("tcp-connect:example.com:0", Field::Port, "0 is not a port"),
        ("tcp-connect:bad host:80", Field::Host, "has a space in it"),
        ("tcp-connect:a.b:80,x=1", Field::Spec, "takes no options"),
        (
            "udp:0.0.0.0:9001,peer=[::1]:9",
            Field::Peer,
            "peer ::1 is IPv6 but the socket is bound to an IPv4 address",
        ),
        ("udp:0.0.0.0:9001,peer=::1", Field::Peer, "brackets"),
        ("udp:0.0.0.0:9001,peer=", Field::Peer, "Peer is empty"),
        ("udp:0.0.0.0:9001,recv=0", Field::RecvSize, "out of range"),
        (
            "udp:0.0.0.0:9001,ttl=3",
            Field::Spec,
            "udp has no option 'ttl'",
        ),
    ];
    for &(s, field, want) in bad {
        let e = parse_cli_spec(s).unwrap_err();
        assert_eq!(e.field, field, "{s:?}: {e}");
        assert!(e.message.contains(want), "{s:?}: {}", e.message);
    }
}

#[test]
fn cli_spec_round_trips_through_display() {
    for s in [
        "tcp-listen:127.0.0.1:9000",
        "tcp-connect:example.host:80",
        "tcp-connect:[::1]:80",
        "udp:0.0.0.0:9001",
    ] {
        let spec = parse_cli_spec(s).unwrap();
        assert_eq!(spec.to_string(), s);
        assert_eq!(parse_cli_spec(&spec.to_string()), Ok(spec));
    }
}

#[test]
fn the_full_form_keeps_every_option_and_parses_back() {
    for s in [
        "tcp-listen:127.0.0.1:9000,backlog=16",
        "tcp-listen:[::1]:0,backlog=128",
        "tcp-connect:example.host:80",
        "udp:0.0.0.0:9001,peer=127.0.0.1:9002,recv=2048",
        "udp:[::1]:9001,recv=65536",
        "unix-listen:/tmp/a b.sock,backlog=5",
        "unix-listen:@demo\\x00x,backlog=5",
        "unix-connect:./@odd",
        "unix-dgram:/tmp/a.sock,peer=/tmp/b.sock,recv=100",
    ] {
        let spec = parse_cli_spec(s).unwrap();
        assert_eq!(spec.full_form(), s);
        assert_eq!(parse_cli_spec(&spec.full_form()), Ok(spec));
    }
}

#[test]
fn huge_and_strange_input_is_quick_and_short() {
    let start = Instant::now();
    let inputs = [
        "a".repeat(10 << 20),
        "9".repeat(10 << 20),
        ":".repeat(10 << 20),
        "[".repeat(10 << 20),
        format!("tcp-connect:{}:80", "a".repeat(10 << 20)),
        format!("udp:0.0.0.0:1,{}", ",".repeat(1 << 20)),
        "é".repeat(5 << 20),
    ];
    for s in &inputs {
        let errors = [
            parse_port(s, true).err(),
            parse_ip(s).err(),
            parse_socket_addr(s, Field::Peer).err(),
            parse_host(s).err(),
            parse_cli_spec(s).err(),
            connect_spec(s, s).err().and_then(|v| v.into_iter().next()),
            listen_spec(s, s, s, true)
                .err()
                .and_then(|v| v.into_iter().next()),
            udp_spec(s, s, s, s)
                .err()
                .and_then(|v| v.into_iter().next()),
        ];
        for e in errors {
            let e = e.expect("garbage must be refused");
            assert!(e.message.len() < 400, "{} bytes", e.message.len());
        }
    }
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn quoting_shortens_and_escapes() {
    assert_eq!(quote("abc"), "'abc'");
    assert_eq!(quote("a\nb\0"), "'a\\nb\\0'");
    let long = "é".repeat(100);
    assert_eq!(quote(&long), format!("'{}…'", "é".repeat(QUOTE_CHARS)));
    let e = parse_host("a\u{7}b").unwrap_err();
    assert!(e.message.contains("'a\\u{7}b'"), "{}", e.message);
}

#[test]
fn control_characters_and_unicode_do_not_panic() {
    for s in [
        "\0",
        "\u{7f}",
        "[]",
        "[]:",
        "[:]",
        "::",
        ":",
        ",",
        "=",
        "udp:",
        "udp:,",
        "tcp-listen:[",
        "tcp-connect::",
        "é:é",
        "[é]:1",
        "ééééééééééééééééééééééééééééééééééééééééééééééééé",
    ] {
        let _ = parse_port(s, false);
        let _ = parse_ip(s);
        let _ = parse_socket_addr(s, Field::Peer);
        let _ = parse_host(s);
        let _ = parse_cli_spec(s);
        let _ = udp_spec(s, s, s, s);
    }
}

#[test]
fn unix_specs_from_the_command_line_and_the_form() {
    use std::path::PathBuf;
    let path = |p: &str| UnixAddr::Path(PathBuf::from(p));
    assert_eq!(
        parse_cli_spec("unix-listen:/tmp/demo.sock"),
        Ok(SocketSpec::UnixListen {
            path: path("/tmp/demo.sock"),
            backlog: DEFAULT_BACKLOG,
            remove_stale: false,
        })
    );
    assert_eq!(
        parse_cli_spec("unix-listen:@demo,backlog=4,remove-stale"),
        Ok(SocketSpec::UnixListen {
            path: UnixAddr::Abstract(b"demo".to_vec().into()),
            backlog: 4,
            remove_stale: true,
        })
    );
    assert_eq!(
        parse_cli_spec("unix-connect:rel/x.sock"),
        Ok(SocketSpec::UnixConnect {
            path: path("rel/x.sock")
        })
    );
    assert_eq!(
        parse_cli_spec("unix-dgram:/tmp/a.sock,peer=/tmp/b.sock,recv=512"),
        Ok(SocketSpec::UnixDgram {
            path: path("/tmp/a.sock"),
            peer: Some(path("/tmp/b.sock")),
            recv_bytes: 512,
            remove_stale: false,
        })
    );
    // Each spec's text reads back as itself.
    for text in [
        "unix-listen:/tmp/demo.sock",
        "unix-connect:@a\\x00b",
        "unix-dgram:/tmp/a.sock,peer=/tmp/b.sock",
    ] {
        let spec = parse_cli_spec(text).unwrap();
        assert_eq!(spec.to_string(), text);
    }
    for (bad, want) in [
        ("unix-listen:", "the path is empty"),
        ("unix-connect:/tmp/x,peer=/y", "takes no options"),
        ("unix-listen:/tmp/x,mode=1", "has no option 'mode'"),
        ("unix-connect:@bad\\q", "broken escape"),
        ("unix:/tmp/x", "ambiguous"),
    ] {
        let e = parse_cli_spec(bad).unwrap_err();
        assert!(e.message.contains(want), "{bad}: {}", e.message);
    }
    let long = format!("unix-listen:/{}", "a".repeat(120));
    assert!(
        parse_cli_spec(&long)
            .unwrap_err()
            .message
            .contains("at most 107"),
    );
    let errs = unix_spec(UnixRole::Dgram, "", "@", false).unwrap_err();
    assert_eq!(
        errs.iter().map(|e| e.field).collect::<Vec<_>>(),
        [Field::Path, Field::Peer]
    );
    assert_eq!(
        unix_spec(UnixRole::Connect, " /tmp/s ", "ignored", false),
        Ok(SocketSpec::UnixConnect {
            path: path("/tmp/s")
        })
    );
}
