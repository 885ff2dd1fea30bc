//! A socket address of any family Sockbench speaks: an IP address and port,
//! or a Unix socket's address (a path, a Linux abstract name, or none).
//! Used in events, the log, the capture and the specs.
//!
//! As text (the log, the capture's `local`/`peer`, the command line):
//! - IP: `127.0.0.1:9000`, `[::1]:9000`;
//! - a Unix path as it is (`/tmp/demo.sock`); a relative path that starts
//!   with `@` gets `./` in front, so it cannot read as an abstract name;
//! - an abstract name as `@` and the name, where a byte that is not
//!   printable ASCII is written `\xNN` and a backslash `\\` (abstract names
//!   may hold any byte, NUL included); a path's bytes that are not UTF-8
//!   are written the same way;
//! - an unnamed Unix socket (a client that never bound) as the empty text.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// A socket address.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Addr {
    /// An IPv4 or IPv6 address and port.
    Ip(SocketAddr),
    /// A Unix domain socket's address.
    Unix(UnixAddr),
}

/// A Unix domain socket's address.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnixAddr {
    /// A file system path.
    Path(PathBuf),
    /// A Linux abstract name (no file; the bytes after the leading NUL).
    Abstract(Box<[u8]>),
    /// No name: a socket that never bound (a typical client).
    Unnamed,
}

impl From<SocketAddr> for Addr {
    fn from(a: SocketAddr) -> Self {
        Addr::Ip(a)
    }
}

impl From<UnixAddr> for Addr {
    fn from(a: UnixAddr) -> Self {
        Addr::Unix(a)
    }
}

impl Addr {
    /// The IP address, if it is one.
    pub fn ip(&self) -> Option<SocketAddr> {
        match self {
            Addr::Ip(a) => Some(*a),
            Addr::Unix(_) => None,
        }
    }

    /// The Unix address, if it is one.
    pub fn unix(&self) -> Option<&UnixAddr> {
        match self {
            Addr::Ip(_) => None,
            Addr::Unix(u) => Some(u),
        }
    }
}

impl UnixAddr {
    /// Reads the text form: `@name` is an abstract name (with `\xNN` and
    /// `\\` escapes), anything else a path. Empty text is no address.
    pub fn parse(text: &str) -> Option<UnixAddr> {
        if text.is_empty() {
            return None;
        }
        match text.strip_prefix('@') {
            Some(name) => Some(UnixAddr::Abstract(unescape(name)?.into_boxed_slice())),
            None => Some(UnixAddr::Path(PathBuf::from(text))),
        }
    }

    /// The bytes of the name as `bind()` takes them (a path's bytes, or an
    /// abstract name's without the leading NUL).
    pub fn name_bytes(&self) -> &[u8] {
        use std::os::unix::ffi::OsStrExt;
        match self {
            UnixAddr::Path(p) => p.as_os_str().as_bytes(),
            UnixAddr::Abstract(n) => n,
            UnixAddr::Unnamed => &[],
        }
    }
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Addr::Ip(a) => a.fmt(f),
            Addr::Unix(u) => u.fmt(f),
        }
    }
}

impl fmt::Display for UnixAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnixAddr::Path(p) => {
                use std::os::unix::ffi::OsStrExt;
                let bytes = p.as_os_str().as_bytes();
                if bytes.first() == Some(&b'@') {
                    f.write_str("./")?;
                }
                match std::str::from_utf8(bytes) {
                    Ok(s) => f.write_str(s),
                    Err(_) => f.write_str(&escape(bytes)),
                }
            }
            UnixAddr::Abstract(name) => write!(f, "@{}", escape(name)),
            UnixAddr::Unnamed => Ok(()),
        }
    }
}

/// Printable ASCII as it is, a backslash as `\\`, every other byte `\xNN`.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02X}")),
        }
    }
    out
}

/// The reverse of [`escape`] (other characters taken as their UTF-8
/// bytes); `None` for a broken escape.
pub fn unescape(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next()? {
            '\\' => out.push(b'\\'),
            'x' => {
                let hi = chars.next()?.to_digit(16)?;
                let lo = chars.next()?.to_digit(16)?;
                out.push(u8::try_from(hi * 16 + lo).ok()?);
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_addresses_read_back_from_their_text() {
        for (text, addr) in [
            (
                "/tmp/demo.sock",
                UnixAddr::Path(PathBuf::from("/tmp/demo.sock")),
            ),
            ("@demo", UnixAddr::Abstract(b"demo".to_vec().into())),
            (
                "@a\\x00b\\\\c\\xFF",
                UnixAddr::Abstract(b"a\0b\\c\xff".to_vec().into()),
            ),
        ] {
            assert_eq!(UnixAddr::parse(text), Some(addr.clone()), "{text}");
            assert_eq!(addr.to_string(), text);
        }
        assert_eq!(UnixAddr::parse(""), None);
        assert_eq!(UnixAddr::parse("@bad\\q"), None);
        assert_eq!(UnixAddr::Unnamed.to_string(), "");
        assert_eq!(
            UnixAddr::Path(PathBuf::from("@odd")).to_string(),
            "./@odd",
            "a relative path that starts with @ is not an abstract name"
        );
        let ip: Addr = "127.0.0.1:9".parse::<SocketAddr>().map(Addr::from).unwrap();
        assert_eq!(ip.to_string(), "127.0.0.1:9");
    }
}
