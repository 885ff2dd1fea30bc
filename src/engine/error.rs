//! Network errors as data: the operation, the OS errno and its name, the
//! address involved, and a plain-words explanation. Errors ride in events,
//! so they are `Clone + PartialEq` and tests can assert on them.

use std::fmt;
use std::io;

use nix::errno::Errno;

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

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
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
    let at = addr.unwrap_or("the address");
    let Some(n) = errno else {
        return format!("{} failed: {err}", op.call());
    };
    let name = errno_name(n);
    let e = Errno::from_raw(n);
    let (title, why): (&str, String) = match e {
        Errno::EADDRINUSE => (
            "Address already in use",
            format!("another socket is bound to {at}"),
        ),
        Errno::ECONNREFUSED => ("Connection refused", format!("nothing listens on {at}")),
        Errno::EACCES | Errno::EPERM if op == NetOp::Bind => {
            if addr.and_then(port_of).is_some_and(|p| p > 0 && p < 1024) {
                (
                    "Permission denied",
                    format!(
                        "ports below 1024 need root or CAP_NET_BIND_SERVICE (binding {at}); pick a port of 1024 or more"
                    ),
                )
            } else {
                ("Permission denied", format!("not allowed to bind {at}"))
            }
        }
        Errno::EACCES | Errno::EPERM => (
            "Permission denied",
            format!(
                "the system refused {} on {at} (a firewall, or a broadcast address without SO_BROADCAST)",
                op.call()
            ),
        ),
        Errno::EADDRNOTAVAIL => (
            "Address not available",
            format!("{} is not an address of this machine", host_of(at)),
        ),
        Errno::ENETUNREACH => (
            "Network unreachable",
            format!("there is no route to the network of {}", host_of(at)),
        ),
        Errno::EHOSTUNREACH => (
            "Host unreachable",
            format!("{} cannot be reached from here", host_of(at)),
        ),
        Errno::ETIMEDOUT => ("Connection timed out", format!("{at} did not answer")),
        Errno::ECONNRESET => ("Connection reset", format!("{at} reset the connection")),
        Errno::ECONNABORTED => (
            "Connection aborted",
            format!("the connection with {at} was aborted"),
        ),
        Errno::EPIPE => (
            "Broken pipe",
            format!("{at} has closed the connection; the data could not be sent"),
        ),
        Errno::EMSGSIZE => (
            "Message too long",
            if op == NetOp::Send {
                "a UDP datagram holds at most 65,507 bytes over IPv4 (65,527 over IPv6); nothing was sent".to_owned()
            } else {
                "a UDP datagram holds at most 65,507 bytes over IPv4 (65,527 over IPv6)".to_owned()
            },
        ),
        Errno::EAFNOSUPPORT => (
            "Address family not supported",
            format!("this machine cannot use the address family of {at} (IPv6 turned off?)"),
        ),
        Errno::EINVAL if op == NetOp::Bind => (
            "Invalid argument",
            format!(
                "the socket cannot be bound to {at} (already bound, or a wrong address family)"
            ),
        ),
        Errno::EMFILE | Errno::ENFILE => (
            "Too many open files",
            "the limit on open sockets is reached; close some".to_owned(),
        ),
        Errno::ENOBUFS | Errno::ENOMEM => (
            "No buffer space available",
            "the system is out of memory for sockets".to_owned(),
        ),
        Errno::ENOTCONN => ("Not connected", "the socket is not connected".to_owned()),
        _ => (e.desc(), format!("{} on {at}", op.call())),
    };
    format!("{title} ({name}): {why}")
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

    fn libc_errno(e: Errno) -> i32 {
        e as i32
    }
}
