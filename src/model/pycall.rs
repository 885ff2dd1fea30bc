//! Socket calls ([`SockCall`]) written the way the Python tutorials write
//! them (`s.bind(('127.0.0.1', 9000))`), and their results (`ok`, `fd 7`,
//! `#4 from 127.0.0.1:53422`) in this thread's language. Python code is
//! the same in every language; results and comments are translated.

use std::fmt;

use crate::engine::{Addr, CallOk, Family, SetOption, SockCall, SockType, UnixAddr};
use crate::i18n::{tr, trf};
use crate::model::pygen::{py_bytes, py_str};

/// An address as Python writes it: `('127.0.0.1', 9000)` for IP, the path
/// (`'/tmp/demo.sock'`) for a Unix socket, `'\0name'` for a Linux abstract
/// name (a bytes literal when the name is not text), `''` for none.
pub fn py_addr(a: &Addr) -> String {
    match a {
        Addr::Ip(a) => format!("('{}', {})", a.ip(), a.port()),
        Addr::Unix(UnixAddr::Unnamed) => "''".into(),
        Addr::Unix(u) => {
            let abstract_name = matches!(u, UnixAddr::Abstract(_));
            match std::str::from_utf8(u.name_bytes()) {
                // Python's own spelling of an abstract name: '\0name'.
                Ok(text) if abstract_name => format!("'\\0{}", &py_str(text)[1..]),
                Ok(text) => py_str(text),
                Err(_) => {
                    let mut name = if abstract_name { vec![0] } else { Vec::new() };
                    name.extend_from_slice(u.name_bytes());
                    py_bytes(&name)
                }
            }
        }
    }
}

/// The call on a socket named `name` (`s`, or `conn` for one `accept()`
/// returned).
pub fn call_text(call: &SockCall, name: &str) -> String {
    let n = name;
    match call {
        SockCall::Socket { family, ty } => {
            let family = match family {
                Family::Inet => "AF_INET",
                Family::Inet6 => "AF_INET6",
                Family::Unix => "AF_UNIX",
            };
            let ty = match ty {
                SockType::Stream => "SOCK_STREAM",
                SockType::Dgram => "SOCK_DGRAM",
            };
            format!("{n} = socket({family}, {ty})")
        }
        SockCall::SetOption(o) => match o {
            SetOption::ReuseAddr => format!("{n}.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)"),
            SetOption::RcvBuf(b) => format!("{n}.setsockopt(SOL_SOCKET, SO_RCVBUF, {b})"),
            SetOption::RxqOvfl => format!(
                "{n}.setsockopt(SOL_SOCKET, SO_RXQ_OVFL, 1)  # {}",
                tr("count kernel drops")
            ),
            SetOption::LingerZero => {
                format!("{n}.setsockopt(SOL_SOCKET, SO_LINGER, struct.pack('ii', 1, 0))")
            }
            SetOption::NoDelay(on) => format!(
                "{n}.setsockopt(IPPROTO_TCP, TCP_NODELAY, {})",
                u8::from(*on)
            ),
        },
        SockCall::Bind(a) => format!("{n}.bind({})", py_addr(a)),
        SockCall::Listen { backlog } => format!("{n}.listen({backlog})"),
        SockCall::Accept => format!("conn, addr = {n}.accept()"),
        SockCall::AcceptedBy { listener } => format!(
            "conn, addr = s.accept()  # {}",
            trf("on {listener}", &[("listener", listener)])
        ),
        SockCall::Connect(a) => format!("{n}.connect({})", py_addr(a)),
        SockCall::ShutdownWrite => format!("{n}.shutdown(SHUT_WR)"),
        SockCall::Close => format!("{n}.close()"),
        SockCall::Unlink(path) => format!(
            "os.unlink({})",
            py_addr(&Addr::Unix(UnixAddr::Path(path.clone())))
        ),
    }
}

/// What the call returned, in this thread's language.
pub fn result_text(call: &SockCall, ok: &CallOk) -> String {
    match ok {
        CallOk::Done => tr("ok").to_owned(),
        CallOk::Fd(fd) => trf("fd {fd}", &[("fd", fd)]),
        CallOk::Accepted { child, peer } => {
            trf("{child} from {peer}", &[("child", child), ("peer", peer)])
        }
        CallOk::NewSocket { peer } => trf("a new socket, {peer}", &[("peer", peer)]),
        CallOk::ConnectedFrom(local) => trf("ok, from {local}", &[("local", local)]),
        CallOk::FinSent => tr("ok: FIN sent").to_owned(),
        CallOk::RcvBufGranted(n) => match call {
            SockCall::SetOption(SetOption::RcvBuf(asked)) if *n == 2 * asked => trf(
                "ok; getsockopt says {n} (Linux doubles it for its bookkeeping)",
                &[("n", n)],
            ),
            _ => trf("ok; getsockopt says {n}", &[("n", n)]),
        },
        CallOk::Unsupported => tr("not supported here").to_owned(),
    }
}

/// The call on `s`, as the capture and the tests write it.
impl fmt::Display for SockCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&call_text(self, "s"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SocketId;
    use crate::i18n::{Lang, set_lang};

    #[test]
    fn calls_read_as_python_and_results_follow_the_language() {
        let a: Addr = "127.0.0.1:9000"
            .parse::<std::net::SocketAddr>()
            .map(Addr::from)
            .unwrap_or_else(|_| unreachable!());
        assert_eq!(
            SockCall::Bind(a.clone()).to_string(),
            "s.bind(('127.0.0.1', 9000))"
        );
        let path = Addr::Unix(UnixAddr::Path("/tmp/d.sock".into()));
        assert_eq!(SockCall::Bind(path).to_string(), "s.bind('/tmp/d.sock')");
        let name = Addr::Unix(UnixAddr::Abstract(b"demo".to_vec().into()));
        assert_eq!(SockCall::Connect(name).to_string(), "s.connect('\\0demo')");
        assert_eq!(call_text(&SockCall::Close, "conn"), "conn.close()");
        let call = SockCall::Connect(a);
        let ok = CallOk::ConnectedFrom(
            "127.0.0.1:5000"
                .parse::<std::net::SocketAddr>()
                .map(Addr::from)
                .unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(result_text(&call, &ok), "ok, from 127.0.0.1:5000");
        set_lang(Lang::Zh);
        let zh = result_text(&call, &ok);
        let comment = call_text(
            &SockCall::AcceptedBy {
                listener: SocketId(3),
            },
            "conn",
        );
        set_lang(Lang::En);
        assert!(!zh.contains("from"), "{zh}");
        assert!(comment.contains("由 #3 接受"), "{comment}");
        assert!(!comment.contains(" on "), "{comment}");
    }
}
