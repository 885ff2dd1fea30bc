//! Unix domain sockets (`AF_UNIX`): a stream listener (the shared
//! [`Listener`]), a stream client (a [`Connected`] stream) and a datagram
//! socket (`dgram.rs`), by file path or Linux abstract name. A socket
//! file left by a socket that no longer listens is stale: binding over it
//! fails with a clear error unless the user chose to remove it, and a path
//! that is not a socket is never removed. A socket file Sockbench made is
//! removed when its socket closes (if it is still that file).

use std::io;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use mio::Interest;
use nix::errno::Errno;
use socket2::{Domain, SockAddr, Socket, Type};

use super::addr::{Addr, UnixAddr};
use super::call::{CallOk, Family, SockCall, SockType};
use super::endpoint::Cx;
use super::error::{NetError, NetOp, Why};
use super::listener::{Acceptor, Listener};
use super::message::EventKind;
use super::stream::{Connected, Stream};

/// The kernel's form of a Unix address.
pub(crate) fn sockaddr(u: &UnixAddr) -> io::Result<SockAddr> {
    match u {
        UnixAddr::Path(p) => SockAddr::unix(p),
        UnixAddr::Abstract(name) => {
            let mut bytes = Vec::with_capacity(name.len() + 1);
            bytes.push(0);
            bytes.extend_from_slice(name);
            SockAddr::unix(std::ffi::OsStr::from_bytes(&bytes))
        }
        UnixAddr::Unnamed => Err(io::Error::from(io::ErrorKind::InvalidInput)),
    }
}

/// A sender's address as `recvmsg` gives it.
pub(crate) fn from_nix(u: &nix::sys::socket::UnixAddr) -> UnixAddr {
    use nix::sys::socket::SockaddrLike;
    // An unnamed sender comes with a length of 0, and asking nix for the
    // path of that panics: it is no name at all.
    if (u.len() as usize) <= std::mem::size_of::<nix::libc::sa_family_t>() {
        return UnixAddr::Unnamed;
    }
    if let Some(p) = u.path() {
        UnixAddr::Path(p.to_path_buf())
    } else if let Some(name) = u.as_abstract() {
        UnixAddr::Abstract(name.into())
    } else {
        UnixAddr::Unnamed
    }
}

/// An address as the standard library gives it (`accept`, `local_addr`).
pub(crate) fn from_std(a: &std::os::unix::net::SocketAddr) -> UnixAddr {
    if let Some(p) = a.as_pathname() {
        UnixAddr::Path(p.to_path_buf())
    } else if let Some(name) = a.as_abstract_name() {
        UnixAddr::Abstract(name.into())
    } else {
        UnixAddr::Unnamed
    }
}

/// The socket file a socket was bound to: removed when it closes, but only
/// while it is still the file this bind made (same device and inode).
pub(crate) struct BoundFile {
    path: PathBuf,
    dev: u64,
    ino: u64,
}

impl BoundFile {
    /// The file `bind()` just made at `path`.
    fn made_at(path: &Path) -> Option<Self> {
        let m = std::fs::symlink_metadata(path).ok()?;
        m.file_type().is_socket().then(|| BoundFile {
            path: path.to_path_buf(),
            dev: m.dev(),
            ino: m.ino(),
        })
    }

    /// Removes the file if it is still ours, reported as `os.unlink(path)`.
    pub(crate) fn remove(&mut self, cx: &mut Cx<'_>) {
        let ours = std::fs::symlink_metadata(&self.path)
            .is_ok_and(|m| m.file_type().is_socket() && m.dev() == self.dev && m.ino() == self.ino);
        if !ours {
            return;
        }
        let a = self.path.display().to_string();
        let result = std::fs::remove_file(&self.path)
            .map(|()| CallOk::Done)
            .map_err(|e| NetError::from_io(NetOp::Close, &e, Some(&a)));
        cx.call(SockCall::Unlink(self.path.clone()), result);
    }
}

/// Whether a socket listens (or is bound, for datagrams) on the socket
/// file at `path`: a connect of the same type is tried.
fn is_stale(path: &Path, ty: SockType) -> io::Result<bool> {
    let kind = match ty {
        SockType::Stream => Type::STREAM,
        SockType::Dgram => Type::DGRAM,
    };
    let probe = Socket::new(Domain::UNIX, kind, None)?;
    probe.set_nonblocking(true)?;
    match probe.connect(&SockAddr::unix(path)?) {
        Err(e) if e.raw_os_error() == Some(Errno::ECONNREFUSED as i32) => Ok(true),
        _ => Ok(false),
    }
}

/// `bind()`s a Unix socket to `path`, after checking what is there: a
/// stale socket file is an error unless `remove_stale` (then it is
/// removed, reported as `os.unlink`); a file that is not a socket is
/// never touched. Returns the file made, to remove on close.
pub(crate) fn bind_path(
    cx: &mut Cx<'_>,
    sock: &Socket,
    addr: &UnixAddr,
    remove_stale: bool,
    ty: SockType,
) -> Result<Option<BoundFile>, NetError> {
    let UnixAddr::Path(path) = addr else {
        cx.bind(sock, &Addr::Unix(addr.clone()))?;
        return Ok(None);
    };
    let a = path.display().to_string();
    if let Ok(m) = std::fs::symlink_metadata(path) {
        if !m.file_type().is_socket() {
            return Err(NetError::refused(
                NetOp::Bind,
                io::ErrorKind::AlreadyExists,
                Some(&a),
                Why::NotASocket,
            ));
        }
        if is_stale(path, ty).unwrap_or(false) {
            if !remove_stale {
                let e = NetError::refused(
                    NetOp::Bind,
                    io::ErrorKind::AddrInUse,
                    Some(&a),
                    Why::StaleSocket,
                );
                cx.call(SockCall::Bind(Addr::Unix(addr.clone())), Err(e.clone()));
                return Err(e);
            }
            let removed = std::fs::remove_file(path)
                .map_err(|e| NetError::from_io(NetOp::Bind, &e, Some(&a)));
            cx.step(SockCall::Unlink(path.clone()), removed, |_| CallOk::Done)?;
        }
    }
    cx.bind(sock, &Addr::Unix(addr.clone()))?;
    Ok(BoundFile::made_at(path))
}

/// `socket(AF_UNIX, type)`, non-blocking, reported as a call.
fn new_socket(cx: &mut Cx<'_>, ty: SockType, at: &UnixAddr) -> Result<Socket, NetError> {
    let a = at.to_string();
    let kind = match ty {
        SockType::Stream => Type::STREAM,
        SockType::Dgram => Type::DGRAM,
    };
    cx.step(
        SockCall::Socket {
            family: Family::Unix,
            ty,
        },
        Socket::new(Domain::UNIX, kind, None)
            .and_then(|s| s.set_nonblocking(true).map(|()| s))
            .map_err(|e| NetError::from_io(NetOp::Create, &e, Some(&a))),
        super::tcp::fd_of,
    )
}

/// `socket(AF_UNIX, SOCK_STREAM)`, `bind(path)`, `listen()`.
pub(crate) fn listen(
    cx: &mut Cx<'_>,
    path: &UnixAddr,
    backlog: i32,
    remove_stale: bool,
) -> Result<Listener, NetError> {
    let a = path.to_string();
    let sock = new_socket(cx, SockType::Stream, path)?;
    let file = bind_path(cx, &sock, path, remove_stale, SockType::Stream)?;
    cx.step(
        SockCall::Listen { backlog },
        sock.listen(backlog)
            .map_err(|e| NetError::from_io(NetOp::Listen, &e, Some(&a))),
        |_| CallOk::Done,
    )?;
    let std_listener: std::os::unix::net::UnixListener = sock.into();
    let mut listener = mio::net::UnixListener::from_std(std_listener);
    cx.register(cx.id, &mut listener, Interest::READABLE)
        .map_err(|e| NetError::from_io(NetOp::Engine, &e, Some(&a)))?;
    cx.emit(EventKind::Listening {
        local: Addr::Unix(path.clone()),
        backlog,
    });
    Ok(Listener::new(Acceptor::Unix(listener, file)))
}

/// `socket(AF_UNIX, SOCK_STREAM)`, `connect(path)`. A Unix connect
/// finishes at once (or fails: nothing listens, no such file, the
/// listener's queue is full).
pub(crate) fn connect(cx: &mut Cx<'_>, path: &UnixAddr) -> Result<Connected, NetError> {
    let a = path.to_string();
    let sock = new_socket(cx, SockType::Stream, path)?;
    let call = SockCall::Connect(Addr::Unix(path.clone()));
    let connected = sockaddr(path).and_then(|to| sock.connect(&to));
    if let Err(e) = connected {
        let err = NetError::from_io(NetOp::Connect, &e, Some(&a));
        cx.call(call, Err(err.clone()));
        return Err(err);
    }
    let local = sock
        .local_addr()
        .ok()
        .and_then(|l| {
            if l.is_unnamed() {
                Some(UnixAddr::Unnamed)
            } else if let Some(p) = l.as_pathname() {
                Some(UnixAddr::Path(p.to_path_buf()))
            } else {
                l.as_abstract_namespace()
                    .map(|n| UnixAddr::Abstract(n.into()))
            }
        })
        .unwrap_or(UnixAddr::Unnamed);
    let ok = match &local {
        UnixAddr::Unnamed => CallOk::Done,
        named => CallOk::ConnectedFrom(Addr::Unix(named.clone())),
    };
    cx.call(call, Ok(ok));
    let stream: std::os::unix::net::UnixStream = sock.into();
    cx.register_fd(cx.id, &stream, Interest::READABLE | Interest::WRITABLE)
        .map_err(|e| NetError::from_io(NetOp::Engine, &e, Some(&a)))?;
    cx.emit(EventKind::Connected {
        local: Addr::Unix(local),
        peer: Addr::Unix(path.clone()),
    });
    let stream = Stream::new(
        super::stream::StreamSock::Unix(stream),
        Addr::Unix(path.clone()),
    );
    Ok(Connected::new(stream, None))
}
