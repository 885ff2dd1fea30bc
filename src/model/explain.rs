//! The sentences for the engine's typed values, made where they are shown
//! and in the language of the thread that shows them: errors
//! ([`NetError`]), close reasons, socket kinds. The engine only records
//! what happened; captures ask for English with [`in_english`].

use std::fmt;

use nix::errno::Errno;

use crate::engine::{
    CloseReason, MAX_SEND_QUEUE_BYTES, MAX_UDP_PAYLOAD_BYTES, NetError, NetOp, SocketKind, Why,
    errno_name,
};
use crate::i18n::{Lang, lang, set_lang, tr, trf};

/// Runs `f` with this thread's language set to English (for captures and
/// An address as people read it: its text form, and for a Unix socket
/// with no address (a client that never bound) the words for that, in this
/// thread's language. Records (the capture) write the text form itself.
pub struct Shown<'a>(pub &'a crate::engine::Addr);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            crate::engine::Addr::Unix(crate::engine::UnixAddr::Unnamed) => {
                f.write_str(tr("(unnamed)"))
            }
            a => a.fmt(f),
        }
    }
}

/// the headless mode's lines, which are records, not UI), then restores it.
pub fn in_english<T>(f: impl FnOnce() -> T) -> T {
    let before = lang();
    set_lang(Lang::En);
    let out = f();
    set_lang(before);
    out
}

impl NetError {
    /// The full sentence, in this thread's language: what failed, the
    /// errno's name, and why in plain words.
    pub fn message(&self) -> String {
        match &self.why {
            Why::Os => match self.errno {
                Some(n) => explain(self.op, n, self.addr.as_deref()),
                None => trf("{call} failed", &[("call", &self.op.call())]),
            },
            Why::Io(text) => format!("{} failed: {text}", self.op.call()),
            why => refusal(why, self.addr.as_deref()),
        }
    }
}

/// Shown in the language of the thread that shows it.
impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// The sentence for one of the engine's own refusals.
fn refusal(why: &Why, addr: Option<&str>) -> String {
    let at = addr.unwrap_or("");
    match why {
        Why::Os | Why::Io(_) => String::new(),
        Why::NoAddress if at.is_empty() => {
            tr("Host not found: the name resolved to no address").to_owned()
        }
        Why::NoAddress => trf("Host not found: \"{host}\" has no address", &[("host", &at)]),
        Why::Unresolved(detail) => trf(
            "Host not found: \"{host}\" could not be resolved ({detail})",
            &[("host", &at), ("detail", detail)],
        ),
        Why::NoClients => tr("No clients: the listener has no connected clients to send to").into(),
        Why::StillConnecting => {
            tr("Not connected yet: the client is still connecting; nothing was sent").into()
        }
        Why::ConfigureBeforeConnected => {
            tr("Not connected yet: set this once the client is connected; nothing changed").into()
        }
        Why::NoDestination => tr(
            "No destination: give a peer address or set the socket's default peer; nothing was sent",
        )
        .into(),
        Why::SocketClosed(id) => {
            trf("Socket {id} is closed; nothing was sent", &[("id", id)])
        }
        Why::WriteShut => tr(
            "Cannot send: this side is shut down for writing (or closing); nothing was sent",
        )
        .into(),
        Why::QueueFull {
            queued,
            len,
            datagrams: false,
        } => trf(
            "Send queue full: {queued} bytes are still waiting to go out (at most {max} MiB may wait; the peer is not reading fast enough); these {len} bytes were not sent",
            &[
                ("queued", queued),
                ("max", &(MAX_SEND_QUEUE_BYTES >> 20)),
                ("len", len),
            ],
        ),
        Why::QueueFull {
            queued,
            datagrams: true,
            ..
        } => trf(
            "Send queue full: {queued} bytes of datagrams are still waiting to go out (at most {max} MiB may wait); this datagram was not sent",
            &[("queued", queued), ("max", &(MAX_SEND_QUEUE_BYTES >> 20))],
        ),
        Why::ConnectTimedOut { secs } => trf(
            "Connection timed out (ETIMEDOUT): {at} did not answer within {secs} s",
            &[("at", &at), ("secs", secs)],
        ),
        Why::DatagramTooLong { len } => trf(
            "Message too long (EMSGSIZE): {len} bytes; a UDP datagram holds at most {max} bytes over IPv4; nothing was sent",
            &[("len", len), ("max", &MAX_UDP_PAYLOAD_BYTES)],
        ),
        Why::FileToListener => tr(
            "Not for a listener: select one of its connections to send a file on; nothing was sent",
        )
        .into(),
        Why::FileInProgress => tr(
            "A file is already being sent on this socket: wait for it or cancel it; nothing was sent",
        )
        .into(),
        Why::WrongFamily => trf(
            "Wrong address family: this socket cannot send to {at}; nothing was sent",
            &[("at", &at)],
        ),
        Why::TcpOnly => {
            tr("Not for this socket: TCP_NODELAY applies to TCP only; nothing changed").into()
        }
        Why::NotASocket => trf(
            "Not a socket: {at} exists and is not a socket file; it was left alone. Choose another path",
            &[("at", &at)],
        ),
        Why::StaleSocket => trf(
            "Stale socket file: {at} is left from a socket that no longer listens (connect() is refused). Tick \"Remove a stale socket file\" to remove it and bind again; nothing was removed",
            &[("at", &at)],
        ),
        Why::NotForUdp => {
            tr("Not for UDP: TCP_NODELAY and closing on the peer's close apply to TCP only").into()
        }
    }
}

/// In this thread's language.
impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloseReason::ByUser => f.write_str(tr("closed by you")),
            CloseReason::Reset => f.write_str(tr("reset by you (SO_LINGER 0)")),
            CloseReason::PeerClosed => f.write_str(tr("peer closed the connection")),
            CloseReason::ListenerClosed => f.write_str(tr("its listener was closed")),
            CloseReason::Error(e) => write!(f, "{e}"),
            CloseReason::Shutdown => f.write_str(tr("Sockbench shut down")),
        }
    }
}

impl SocketKind {
    /// A short human name, in this thread's language.
    pub fn label(self) -> &'static str {
        match self {
            SocketKind::TcpListener => tr("TCP listener"),
            SocketKind::TcpClient => tr("TCP client"),
            SocketKind::TcpAccepted => tr("TCP connection"),
            SocketKind::Udp => "UDP",
            SocketKind::UnixListener => tr("Unix listener"),
            SocketKind::UnixClient => tr("Unix client"),
            SocketKind::UnixAccepted => tr("Unix connection"),
            SocketKind::UnixDgram => tr("Unix datagram"),
        }
    }
}

/// The port part of `addr` if it parses as `host:port`.
fn port_of(addr: &str) -> Option<u16> {
    addr.rsplit_once(':').and_then(|(_, p)| p.parse().ok())
}

/// The host part of `addr` (`[::1]:80` → `::1`).
fn host_of(addr: &str) -> &str {
    match addr.rsplit_once(':') {
        Some((h, p)) if p.parse::<u16>().is_ok() => h.trim_start_matches('[').trim_end_matches(']'),
        _ => addr,
    }
}

fn explain(op: NetOp, n: i32, addr: Option<&str>) -> String {
    let at = addr.unwrap_or(tr("the address"));
    let host = host_of(at);
    let call = op.call();
    let name = errno_name(n);
    let e = Errno::from_raw(n);
    let (title, why): (&str, String) = match e {
        Errno::EADDRINUSE => (
            tr("Address already in use"),
            trf("the kernel holds {at} for another socket", &[("at", &at)]),
        ),
        Errno::ECONNREFUSED => (
            tr("Connection refused"),
            trf("nothing listens on {at}", &[("at", &at)]),
        ),
        Errno::EACCES | Errno::EPERM if op == NetOp::Bind => {
            if addr.and_then(port_of).is_some_and(|p| p > 0 && p < 1024) {
                (
                    tr("Permission denied"),
                    trf(
                        "ports below 1024 need root or CAP_NET_BIND_SERVICE (binding {at}); pick a port of 1024 or more",
                        &[("at", &at)],
                    ),
                )
            } else {
                (
                    tr("Permission denied"),
                    trf("not allowed to bind {at}", &[("at", &at)]),
                )
            }
        }
        Errno::EACCES | Errno::EPERM => (
            tr("Permission denied"),
            trf(
                "the system refused {call} on {at} (a firewall, or a broadcast address without SO_BROADCAST)",
                &[("call", &call), ("at", &at)],
            ),
        ),
        Errno::EADDRNOTAVAIL => (
            tr("Address not available"),
            trf(
                "{host} is not an address of this machine",
                &[("host", &host)],
            ),
        ),
        Errno::ENETUNREACH => (
            tr("Network unreachable"),
            trf(
                "there is no route to the network of {host}",
                &[("host", &host)],
            ),
        ),
        Errno::EHOSTUNREACH => (
            tr("Host unreachable"),
            trf("{host} cannot be reached from here", &[("host", &host)]),
        ),
        Errno::ETIMEDOUT => (
            tr("Connection timed out"),
            trf("{at} did not answer", &[("at", &at)]),
        ),
        Errno::ECONNRESET => (
            tr("Connection reset"),
            trf("{at} reset the connection", &[("at", &at)]),
        ),
        Errno::ECONNABORTED => (
            tr("Connection aborted"),
            trf("the connection with {at} was aborted", &[("at", &at)]),
        ),
        Errno::EPIPE => (
            tr("Broken pipe"),
            trf(
                "{at} has closed the connection; the data could not be sent",
                &[("at", &at)],
            ),
        ),
        Errno::EMSGSIZE => (
            tr("Message too long"),
            if op == NetOp::Send {
                tr("a UDP datagram holds at most 65,507 bytes over IPv4 (65,527 over IPv6); nothing was sent").to_owned()
            } else {
                tr("a UDP datagram holds at most 65,507 bytes over IPv4 (65,527 over IPv6)")
                    .to_owned()
            },
        ),
        Errno::EAFNOSUPPORT => (
            tr("Address family not supported"),
            trf(
                "this machine cannot use the address family of {at} (IPv6 turned off?)",
                &[("at", &at)],
            ),
        ),
        Errno::EINVAL if op == NetOp::Bind => (
            tr("Invalid argument"),
            trf(
                "the socket cannot be bound to {at} (already bound, or a wrong address family)",
                &[("at", &at)],
            ),
        ),
        Errno::EMFILE | Errno::ENFILE => (
            tr("Too many open files"),
            tr("the limit on open sockets is reached; close some").to_owned(),
        ),
        Errno::ENOBUFS | Errno::ENOMEM => (
            tr("No buffer space available"),
            tr("the system is out of memory for sockets").to_owned(),
        ),
        Errno::ENOTCONN => (
            tr("Not connected"),
            tr("the socket is not connected").to_owned(),
        ),
        _ => (
            e.desc(),
            trf("{call} on {at}", &[("call", &call), ("at", &at)]),
        ),
    };
    trf(
        "{title} ({name}): {why}",
        &[("title", &title), ("name", &name), ("why", &why)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn explains_the_common_errors() {
        let e = NetError::from_io(
            NetOp::Bind,
            &io::Error::from_raw_os_error(libc_errno(Errno::EADDRINUSE)),
            Some("127.0.0.1:9000"),
        );
        assert_eq!(
            e.message(),
            "Address already in use (EADDRINUSE): the kernel holds 127.0.0.1:9000 for another socket"
        );
        assert_eq!(e.kind, io::ErrorKind::AddrInUse);
        let e = NetError::from_io(
            NetOp::Connect,
            &io::Error::from_raw_os_error(libc_errno(Errno::ECONNREFUSED)),
            Some("10.0.0.5:80"),
        );
        assert_eq!(
            e.message(),
            "Connection refused (ECONNREFUSED): nothing listens on 10.0.0.5:80"
        );
        let e = NetError::from_io(
            NetOp::Bind,
            &io::Error::from_raw_os_error(libc_errno(Errno::EACCES)),
            Some("0.0.0.0:80"),
        );
        assert!(e.message().contains("below 1024"), "{}", e.message());
        assert_eq!(e.errno_name().as_deref(), Some("EACCES"));
    }

    #[test]
    fn unknown_errno_is_still_explained() {
        let e = NetError::from_io(NetOp::Send, &io::Error::from_raw_os_error(99_999), None);
        assert!(e.message().contains("errno 99999"), "{}", e.message());
    }

    #[test]
    fn shown_in_the_showing_threads_language_and_captured_in_english() {
        let e = NetError::from_io(
            NetOp::Bind,
            &io::Error::from_raw_os_error(libc_errno(Errno::EADDRINUSE)),
            Some("127.0.0.1:9000"),
        );
        let fixed = NetError::refused(
            NetOp::Send,
            io::ErrorKind::NotConnected,
            None,
            Why::NoClients,
        );
        crate::i18n::set_lang(Lang::Zh);
        let (zh, zh_fixed) = (e.to_string(), fixed.to_string());
        crate::i18n::set_lang(Lang::En);
        assert_eq!(
            zh,
            "地址已被占用（EADDRINUSE）：内核已把 127.0.0.1:9000 留给另一个套接字"
        );
        assert_eq!(zh_fixed, "没有客户端：监听套接字没有可发送的已连接客户端");
        assert!(
            e.message().starts_with("Address already in use"),
            "{}",
            e.message()
        );
        assert_eq!(e.to_string(), e.message());
        let english = in_english(|| fixed.message());
        assert!(english.starts_with("No clients"), "{english}");
    }

    #[test]
    fn every_refusal_has_a_sentence_in_both_languages() {
        let all = [
            Why::NoAddress,
            Why::Unresolved("no such name".into()),
            Why::NoClients,
            Why::StillConnecting,
            Why::ConfigureBeforeConnected,
            Why::NoDestination,
            Why::SocketClosed(crate::engine::SocketId(4)),
            Why::WriteShut,
            Why::QueueFull {
                queued: 5,
                len: 6,
                datagrams: false,
            },
            Why::QueueFull {
                queued: 5,
                len: 6,
                datagrams: true,
            },
            Why::ConnectTimedOut { secs: 10 },
            Why::DatagramTooLong { len: 70_000 },
            Why::NotForUdp,
            Why::WrongFamily,
            Why::TcpOnly,
            Why::NotASocket,
            Why::StaleSocket,
        ];
        for why in all {
            let e = NetError::refused(NetOp::Send, io::ErrorKind::Other, Some("h:1"), why);
            let en = e.message();
            crate::i18n::set_lang(Lang::Zh);
            let zh = e.message();
            crate::i18n::set_lang(Lang::En);
            assert!(!en.is_empty() && en != zh, "{e:?}: {en} / {zh}");
        }
    }

    fn libc_errno(e: Errno) -> i32 {
        e as i32
    }
}
