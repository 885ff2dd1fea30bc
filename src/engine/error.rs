//! Network errors as data: the operation, the OS errno and its name, the
//! address involved, and a plain-words explanation. Errors ride in events,
//! so they are `Clone + PartialEq` and tests can assert on them.

use std::fmt;
use std::io;

use nix::errno::Errno;

use crate::i18n::{Lang, lang, tr, translate, trf};

/// The socket operation that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum NetOp {
    /// `socket()` or a `setsockopt()` while creating.
    Create,
    /// `bind()`.
    Bind,
    /// `listen()`.
    Listen,
    /// `accept()`.
    Accept,
    /// Name resolution.
    Resolve,
    /// `connect()`.
    Connect,
    /// `send()` / `sendto()`.
    Send,
    /// `recv()` / `recvfrom()`.
    Recv,
    /// `shutdown()` / `close()`.
    Close,
    /// The engine itself (registering with the poller, the socket is gone...).
    Engine,
}

impl NetOp {
    /// The call's name as a programmer knows it.
    pub fn call(self) -> &'static str {
        match self {
            NetOp::Create => "socket()",
            NetOp::Bind => "bind()",
            NetOp::Listen => "listen()",
            NetOp::Accept => "accept()",
            NetOp::Resolve => "getaddrinfo()",
            NetOp::Connect => "connect()",
            NetOp::Send => "send()",
            NetOp::Recv => "recv()",
            NetOp::Close => "shutdown()",
            NetOp::Engine => "engine",
        }
    }
}

/// A failed socket operation, explained.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize)]
pub struct NetError {
    /// What was being done.
    pub op: NetOp,
    /// The portable error kind.
    #[serde(skip)]
    pub kind: io::ErrorKind,
    /// The OS error number, when there is one.
    pub errno: Option<i32>,
    /// The address involved, as text (`127.0.0.1:9000`, or a host name).
    pub addr: Option<String>,
    /// The full sentence shown to the user.
    pub message: String,
}

/// Shown in the language of the thread that shows it (see
/// [`NetError::localized`]).
impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.localized())
    }
}

impl NetError {
    /// Explains an `io::Error` from `op` on `addr` (if any).
    pub fn from_io(op: NetOp, err: &io::Error, addr: Option<&str>) -> Self {
        let errno = err.raw_os_error();
        let message = explain(op, err, errno, addr);
        NetError {
            op,
            kind: err.kind(),
            errno,
            addr: addr.map(str::to_owned),
            message,
        }
    }

    /// An error with no errno, e.g. a host that resolves to nothing.
    pub fn other(op: NetOp, kind: io::ErrorKind, addr: Option<&str>, message: String) -> Self {
        NetError {
            op,
            kind,
            errno: None,
            addr: addr.map(str::to_owned),
            message,
        }
    }

    /// The sentence in this thread's language. Errors are explained on the
    /// engine thread, in English (`message`, as captures record it); the UI
    /// thread explains an OS error again in its own language, and looks a
    /// fixed sentence up in the Chinese table.
    pub fn localized(&self) -> String {
        if lang() == Lang::En {
            return self.message.clone();
        }
        match self.errno {
            Some(n) => explain(
                self.op,
                &io::Error::from_raw_os_error(n),
                Some(n),
                self.addr.as_deref(),
            ),
            None => translate(&self.message).map_or_else(|| self.message.clone(), str::to_owned),
        }
    }

    /// The errno's symbolic name, e.g. `ECONNREFUSED`.
    pub fn errno_name(&self) -> Option<String> {
        self.errno.map(errno_name)
    }
}

/// The symbolic name of an errno, e.g. `EADDRINUSE` (or `errno 1234`).
pub fn errno_name(errno: i32) -> String {
    match Errno::from_raw(errno) {
        Errno::UnknownErrno => format!("errno {errno}"),
        e => format!("{e:?}"),
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

fn explain(op: NetOp, err: &io::Error, errno: Option<i32>, addr: Option<&str>) -> String {
    let Some(n) = errno else {
        return format!("{} failed: {err}", op.call());
    };
    let at = addr.unwrap_or(tr("the address"));
    let host = host_of(at);
    let call = op.call();
    let name = errno_name(n);
    let e = Errno::from_raw(n);
    let (title, why): (&str, String) = match e {
        Errno::EADDRINUSE => (
            tr("Address already in use"),
            trf("another socket is bound to {at}", &[("at", &at)]),
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

    #[test]
    fn explains_the_common_errors() {
        let e = NetError::from_io(
            NetOp::Bind,
            &io::Error::from_raw_os_error(libc_errno(Errno::EADDRINUSE)),
            Some("127.0.0.1:9000"),
        );
        assert_eq!(
            e.message,
            "Address already in use (EADDRINUSE): another socket is bound to 127.0.0.1:9000"
        );
        assert_eq!(e.kind, io::ErrorKind::AddrInUse);
        let e = NetError::from_io(
            NetOp::Connect,
            &io::Error::from_raw_os_error(libc_errno(Errno::ECONNREFUSED)),
            Some("10.0.0.5:80"),
        );
        assert_eq!(
            e.message,
            "Connection refused (ECONNREFUSED): nothing listens on 10.0.0.5:80"
        );
        let e = NetError::from_io(
            NetOp::Bind,
            &io::Error::from_raw_os_error(libc_errno(Errno::EACCES)),
            Some("0.0.0.0:80"),
        );
        assert!(e.message.contains("below 1024"), "{}", e.message);
        assert_eq!(e.errno_name().as_deref(), Some("EACCES"));
    }

    #[test]
    fn unknown_errno_is_still_explained() {
        let e = NetError::from_io(NetOp::Send, &io::Error::from_raw_os_error(99_999), None);
        assert!(e.message.contains("errno 99999"), "{}", e.message);
    }

    #[test]
    fn shown_in_the_showing_threads_language_and_captured_in_english() {
        let e = NetError::from_io(
            NetOp::Bind,
            &io::Error::from_raw_os_error(libc_errno(Errno::EADDRINUSE)),
            Some("127.0.0.1:9000"),
        );
        let fixed = NetError::other(
            NetOp::Send,
            io::ErrorKind::NotConnected,
            None,
            tr("No clients: the listener has no connected clients to send to").into(),
        );
        crate::i18n::set_lang(Lang::Zh);
        let (zh, zh_fixed) = (e.to_string(), fixed.to_string());
        crate::i18n::set_lang(Lang::En);
        assert_eq!(
            zh,
            "地址已被占用（EADDRINUSE）：另一个套接字已绑定 127.0.0.1:9000"
        );
        assert_eq!(zh_fixed, "没有客户端：监听套接字没有可发送的已连接客户端");
        assert!(
            e.message.starts_with("Address already in use"),
            "{}",
            e.message
        );
        assert_eq!(e.to_string(), e.message);
    }

    fn libc_errno(e: Errno) -> i32 {
        e as i32
    }
}
