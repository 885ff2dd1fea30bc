//! The command line: sockets to open at start (`--open SPEC`, repeatable)
//! and a capture file (`--capture FILE.jsonl`).

use std::path::PathBuf;

use clap::Parser;

use crate::codec::text::TextEncoding;
use crate::engine::SocketSpec;
use crate::model::spec::{FieldError, parse_cli_spec};

const LONG_ABOUT: &str = "\
A desktop socket workbench: open TCP listeners, TCP clients, UDP sockets \
and Unix domain sockets, send text or hex, and see every byte that goes in \
or out.

Sockets can be opened from the window, or at start with --open. Listeners \
and UDP sockets bind 127.0.0.1 (this machine only) unless an address is \
given: use 0.0.0.0 or [::] to accept from other machines.";

const AFTER_HELP: &str = "\
Examples:
  sockbench --open tcp-listen:9000 --open tcp-connect:127.0.0.1:9000
  sockbench --open udp:0.0.0.0:9001,peer=127.0.0.1:9002 --capture session.jsonl

See --help for every spec form and the capture file's format.";

const AFTER_LONG_HELP: &str = "\
SOCKET SPECS (--open):
  tcp-listen:[ADDR:]PORT[,backlog=N]
      Listen for TCP connections. Without ADDR it binds 127.0.0.1. Port 0
      picks a free port. The backlog defaults to 128; SO_REUSEADDR is set.
  tcp-connect:HOST:PORT
      Connect out over TCP. HOST is a name (resolved in the background) or
      an address; an IPv6 address goes in brackets.
  udp:[ADDR:]PORT[,peer=ADDR:PORT][,recv=N]
      Bind a UDP socket (127.0.0.1 without ADDR). peer= sets where a send
      goes when no destination is given; it must be the same address family
      as ADDR. recv= is the receive buffer for one datagram, 1 to 65536
      bytes (default 65536); longer datagrams are truncated and marked.
  unix-listen:PATH[,backlog=N][,remove-stale]
      Listen on a Unix stream socket (AF_UNIX). PATH is a file path (no
      commas; at most 107 bytes) or @NAME for a Linux abstract name (no
      file; \\xNN writes any byte). If PATH is a socket file nothing
      listens on (left by a program that ended), binding fails unless
      remove-stale is given; a file that is not a socket is never removed.
      The socket file is removed when the listener closes.
  unix-connect:PATH
      Connect to a Unix stream listener.
  unix-dgram:PATH[,peer=PATH][,recv=N][,remove-stale]
      Bind a Unix datagram socket; peer= is where a send goes when no
      destination is given.

CAPTURE FILE (--capture):
  Every event of every socket is written as one JSON object per line, as it
  happens. The file is created new, readable by its owner only (0600); if
  it already exists Sockbench refuses to start rather than overwrite it,
  unless --append is given, which adds to its end. Each line has \"time\" (RFC 3339 UTC
  with microseconds), \"unix_us\", \"socket\" (the #number), \"event\"
  (resolving, connecting, connected, listening, accepted, bound, received,
  sent, kernel_drops, peer_closed, write_shutdown, failed, closed, call,
  configured, periodic, reading, writable, port_state), and
  \"local\" and \"peer\" addresses once known (for UDP data, \"peer\" is the
  datagram's sender or destination). Data lines carry \"len\" and \"hex\",
  the exact bytes in lowercase hex; failures carry \"error\" and \"errno\"
  (like ECONNREFUSED); closes carry \"reason\" and \"unsent_bytes\".
  Addresses are text: 127.0.0.1:9000 and [::1]:9000 for IP; a Unix socket's
  path as it is (a relative path starting with @ gets ./ in front), @NAME
  for an abstract name with every byte that is not printable ASCII written
  \\xNN and a backslash \\\\, and \"\" for an unnamed Unix socket (a client
  that never bound).

HEADLESS MODE (--headless):
  The same engine without a window. One line per event on standard output:
    2026-12-04T17:30:01.123456Z #2 received 127.0.0.1:9000 <- 127.0.0.1:53422 5 B \"hello\"
  (data as its length and its text in --encoding, undecodable bytes as \\xNN),
  or with --json the capture file's JSON lines. --capture works as with the
  window. Ctrl+C or SIGTERM closes every socket, prints their last events
  and exits; so does the close of the last open socket.
  Exit codes: 0 stopped by a signal, or every socket closed without an
  error; 1 every socket closed and one of them with an error (a bind or
  connect that failed, a reset), or writing the output failed; 2 a wrong
  command line, or a --capture file that already exists.

EXAMPLES:
  sockbench --headless --open tcp-listen:9000
  sockbench --headless --json --open udp:9001 --capture session.jsonl
  sockbench --open tcp-listen:9000
  sockbench --workspace lab.toml
  sockbench --lesson sticky
  sockbench --open tcp-listen:0.0.0.0:9000 --open tcp-connect:127.0.0.1:9000
  sockbench --open tcp-listen:[::]:9000,backlog=16
  sockbench --open tcp-connect:example.com:80
  sockbench --open tcp-connect:[::1]:80
  sockbench --open udp:0.0.0.0:9001 --open udp:9002,peer=127.0.0.1:9001
  sockbench --open udp:9001 --capture session.jsonl
  sockbench --open unix-listen:/tmp/demo.sock --open unix-connect:/tmp/demo.sock
  sockbench --open unix-dgram:/tmp/a.sock,peer=/tmp/b.sock --open unix-dgram:/tmp/b.sock
  sockbench --open unix-listen:@demo";

/// The command-line arguments.
#[derive(Debug, Parser)]
#[command(
    name = "sockbench",
    version,
    about = "A desktop socket workbench: TCP listeners, TCP clients and UDP sockets; send text or hex, see every byte.",
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP,
    after_long_help = AFTER_LONG_HELP
)]
pub struct Args {
    /// Open a socket at start; repeatable. SPEC is tcp-listen:[ADDR:]PORT,
    /// tcp-connect:HOST:PORT or udp:[ADDR:]PORT[,peer=ADDR:PORT]
    /// (listeners bind 127.0.0.1 without ADDR; see below).
    #[arg(long = "open", value_name = "SPEC", value_parser = parse_open)]
    pub open: Vec<SocketSpec>,

    /// Record every event to FILE as JSON lines (one object per event,
    /// with time, socket, addresses and the exact bytes in hex; see below).
    /// FILE must not exist yet (it is created readable by you only);
    /// an existing file is never overwritten: see --append.
    #[arg(long, value_name = "FILE")]
    pub capture: Option<PathBuf>,

    /// Open a workspace (a TOML file saved with Files → Save workspace…):
    /// its sockets, their encodings, reconnect waits and reply rules, the
    /// composer, quick-send items and lab settings.
    #[arg(long, value_name = "FILE", conflicts_with = "headless")]
    pub workspace: Option<PathBuf>,

    /// Open the lessons panel at lesson NAME and start it: tcp-echo, chat,
    /// multi-client, udp, sticky, length-prefix, gbk-utf8, unix, ipv6,
    /// reuseaddr or http-get.
    #[arg(long, value_name = "NAME", value_parser = parse_lesson, conflicts_with = "headless")]
    pub lesson: Option<crate::lessons::LessonId>,

    /// With --capture: add to the end of FILE if it exists.
    #[arg(long, requires = "capture")]
    pub append: bool,

    /// Run without a window: print every event to standard output (text,
    /// or JSON lines with --json) until Ctrl+C / SIGTERM, or until every
    /// socket has closed. Needs at least one --open. Exit codes below.
    #[arg(long)]
    pub headless: bool,

    /// With --headless: print the capture's JSON lines instead of text.
    #[arg(long, requires = "headless")]
    pub json: bool,

    /// Text encoding for showing received bytes and for sending text:
    /// utf-8, gbk, gb18030, big5, shift_jis or latin1 (ISO-8859-1).
    /// Without it, the one chosen last time (UTF-8 at first).
    #[arg(long, value_name = "ENCODING", value_parser = parse_encoding)]
    pub encoding: Option<TextEncoding>,

    /// Writes the window's frame statistics to FILE once a second (for
    /// `cargo bench -- window`).
    #[arg(long, value_name = "FILE", hide = true)]
    pub stats: Option<PathBuf>,
}

/// The command line, with its help in Chinese when the locale is Chinese.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let cmd = Args::command();
    if crate::cli_zh::locale_is_chinese(|k| std::env::var(k).ok()) {
        crate::cli_zh::chinese(cmd)
    } else {
        cmd
    }
}

/// Parses this process's arguments (see [`command`]); on a wrong command
/// line or `--help`, prints and exits as clap does.
pub fn parse() -> Args {
    use clap::FromArgMatches;
    let chinese = crate::cli_zh::locale_is_chinese(|k| std::env::var(k).ok());
    if chinese {
        // The value parsers' own messages (a bad --open spec) in Chinese.
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
    }
    let parsed = command()
        .try_get_matches()
        .and_then(|m| Args::from_arg_matches(&m));
    match parsed {
        Ok(args) => {
            crate::i18n::set_lang(crate::i18n::Lang::En);
            args
        }
        // Written while the language is still Chinese: the value parsers'
        // errors are put into words when shown.
        Err(e) if chinese && e.use_stderr() => {
            eprintln!("{}", crate::cli_zh::error_text(&e));
            std::process::exit(e.exit_code())
        }
        Err(e) => e.exit(),
    }
}

/// Parses an `--encoding` value.
pub fn parse_encoding(s: &str) -> Result<TextEncoding, String> {
    TextEncoding::from_label(s).ok_or_else(|| {
        crate::i18n::trf(
            "unknown encoding '{s}': use utf-8, gbk, gb18030, big5, shift_jis or latin1",
            &[("s", &s)],
        )
    })
}

/// Parses a `--lesson` name.
pub fn parse_lesson(s: &str) -> Result<crate::lessons::LessonId, String> {
    crate::lessons::LessonId::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = crate::lessons::LessonId::ALL
            .iter()
            .map(|l| l.name())
            .collect();
        crate::i18n::trf(
            "unknown lesson '{s}': use {names}",
            &[("s", &s), ("names", &names.join(", "))],
        )
    })
}

/// Parses one `--open` value (see [`parse_cli_spec`]).
pub fn parse_open(s: &str) -> Result<SocketSpec, FieldError> {
    parse_cli_spec(s)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use std::net::SocketAddr;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn encoding_option() {
        let a = Args::try_parse_from(["sockbench", "--encoding", "GBK"]).unwrap();
        assert_eq!(a.encoding, Some(TextEncoding::Gbk));
        let e = Args::try_parse_from(["sockbench", "--encoding", "klingon"]).unwrap_err();
        assert!(e.to_string().contains("unknown encoding 'klingon'"), "{e}");
    }

    #[test]
    fn command_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn no_arguments() {
        let a = Args::try_parse_from(["sockbench"]).unwrap();
        assert!(a.open.is_empty());
        assert_eq!(a.capture, None);
    }

    #[test]
    fn valid_specs_in_order() {
        let a = Args::try_parse_from([
            "sockbench",
            "--open",
            "tcp-listen:9000",
            "--open=tcp-connect:[::1]:80",
            "--open",
            "udp:0.0.0.0:9001,peer=127.0.0.1:9002",
            "--capture",
            "out.jsonl",
        ])
        .unwrap();
        assert_eq!(
            a.open,
            [
                SocketSpec::TcpListen {
                    addr: addr("127.0.0.1:9000"),
                    backlog: 128,
                    reuse_addr: true
                },
                SocketSpec::TcpConnect {
                    host: "::1".into(),
                    port: 80
                },
                SocketSpec::Udp {
                    addr: addr("0.0.0.0:9001"),
                    default_peer: Some(addr("127.0.0.1:9002")),
                    recv_bytes: 65_536
                },
            ]
        );
        assert_eq!(a.capture, Some(PathBuf::from("out.jsonl")));
    }

    #[test]
    fn invalid_specs_show_the_specific_reason() {
        let cases = [
            (
                "tcp-listen:99999",
                "99999 is not a port: ports go from 1 to 65535",
            ),
            (
                "udp:0.0.0.0:9001,peer=[::1]:9",
                "peer ::1 is IPv6 but the socket is bound to an IPv4 address",
            ),
            ("tcp-connect:example.com", "has no port"),
            ("tcp-listen:example.com:80", "not a host name"),
            ("ftp:1", "'ftp' is not a socket kind"),
        ];
        for (spec, want) in cases {
            let err = Args::try_parse_from(["sockbench", "--open", spec]).unwrap_err();
            assert_eq!(
                err.kind(),
                clap::error::ErrorKind::ValueValidation,
                "{spec}"
            );
            let text = err.to_string();
            assert!(text.contains(want), "{spec}: {text}");
        }
    }

    #[test]
    fn missing_values_and_unknown_flags_are_errors() {
        assert!(Args::try_parse_from(["sockbench", "--open"]).is_err());
        assert!(Args::try_parse_from(["sockbench", "--capture"]).is_err());
        assert!(Args::try_parse_from(["sockbench", "--listen", "9000"]).is_err());
        assert!(Args::try_parse_from(["sockbench", "tcp-listen:9000"]).is_err());
    }

    #[test]
    fn short_help_points_to_the_long_help() {
        let help = Args::command().render_help().to_string();
        assert!(help.contains("tcp-listen:9000"), "{help}");
        assert!(help.contains("See --help"), "{help}");
    }

    #[test]
    fn help_explains_specs_capture_and_the_default_address() {
        let help = Args::command().render_long_help().to_string();
        for want in [
            "tcp-listen:[ADDR:]PORT",
            "tcp-connect:HOST:PORT",
            "udp:[ADDR:]PORT[,peer=ADDR:PORT]",
            "127.0.0.1",
            "JSON",
            "unix_us",
            "hex",
            "--capture session.jsonl",
            "tcp-connect:[::1]:80",
        ] {
            assert!(help.contains(want), "help lacks {want:?}:\n{help}");
        }
    }

    #[test]
    fn help_is_in_chinese_when_the_locale_is_and_parses_the_same() {
        let zh = |v: &str| {
            let v = v.to_string();
            move |k: &str| (k == "LANG").then(|| v.clone())
        };
        assert!(crate::cli_zh::locale_is_chinese(zh("zh_CN.UTF-8")));
        assert!(!crate::cli_zh::locale_is_chinese(zh("en_US.UTF-8")));
        assert!(!crate::cli_zh::locale_is_chinese(|_| None));
        // LC_ALL comes first.
        assert!(!crate::cli_zh::locale_is_chinese(|k| match k {
            "LC_ALL" => Some("C".into()),
            _ => Some("zh_CN.UTF-8".into()),
        }));
        let mut cmd = crate::cli_zh::chinese(Args::command());
        let long = cmd.render_long_help().to_string();
        for want in [
            "用法：",
            "选项：",
            "--open",
            "启动时打开一个套接字",
            "退出码",
            "显示完整帮助",
        ] {
            assert!(long.contains(want), "{want} not in:\n{long}");
        }
        let short = cmd.render_help().to_string();
        assert!(short.contains("示例："), "{short}");
        // The same arguments parse as without the translation.
        let m = crate::cli_zh::chinese(Args::command())
            .try_get_matches_from([
                "sockbench",
                "--open",
                "tcp-listen:9000",
                "--encoding",
                "gbk",
            ])
            .unwrap();
        let a = <Args as clap::FromArgMatches>::from_arg_matches(&m).unwrap();
        assert_eq!(a.open.len(), 1);
        assert_eq!(a.encoding, Some(TextEncoding::Gbk));
        let e = crate::cli_zh::chinese(Args::command())
            .try_get_matches_from(["sockbench", "--help"])
            .unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::DisplayHelp);
    }
}
