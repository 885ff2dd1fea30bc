//! Parse, don't validate: user-typed strings become a checked
//! [`SocketSpec`], or specific errors that name the field and what was typed.
//!
//! Every function here trims its input, never panics, and quotes at most a
//! short prefix of what was typed, so a pasted megabyte gives a short error.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::engine::{DEFAULT_UDP_RECV_BYTES, SocketSpec, UnixAddr};
use crate::i18n::{tr, trf};

/// The `listen()` backlog used when the field is left empty.
pub const DEFAULT_BACKLOG: i32 = 128;
/// The largest backlog accepted.
pub const MAX_BACKLOG: i32 = 65_535;
/// The largest UDP receive size accepted (one buffer larger than any datagram).
pub const MAX_RECV_SIZE: usize = DEFAULT_UDP_RECV_BYTES;
/// The address a listener binds when the CLI spec gives only a port.
pub const DEFAULT_BIND_IP: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// The longest host name DNS allows.
const MAX_HOST_LEN: usize = 253;
/// The longest label (the part between dots) of a host name.
const MAX_LABEL_LEN: usize = 63;
/// How many characters of the user's input an error message quotes.
const QUOTE_CHARS: usize = 40;
/// No valid field or CLI spec is longer than this many bytes (an IPv6
/// socket address with options is under 150); longer input is refused
/// before any other work.
const MAX_INPUT_BYTES: usize = 1024;

/// The input field an error belongs to; the GUI shows the error under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The address to bind (listeners, UDP).
    Address,
    /// The host to connect to.
    Host,
    /// The port (to bind, or to connect to).
    Port,
    /// The `listen()` backlog.
    Backlog,
    /// The UDP default peer.
    Peer,
    /// The UDP receive buffer size.
    RecvSize,
    /// A Unix socket's path or abstract name.
    Path,
    /// A whole socket spec typed on the command line.
    Spec,
}

impl Field {
    /// The field's label as the user sees it.
    pub fn label(self) -> &'static str {
        match self {
            Field::Address => tr("Bind address"),
            Field::Host => tr("Host"),
            Field::Port => tr("Port"),
            // listen()'s own word, untranslated.
            Field::Backlog => "Backlog",
            Field::Peer => tr("Peer"),
            Field::RecvSize => tr("Receive size"),
            Field::Path => tr("Path"),
            // Command line only, which is English.
            Field::Spec => "Socket spec",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A field's input could not be used; `message` says why in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The field the error belongs to.
    pub field: Field,
    /// What is wrong, naming what was typed (shown under the field).
    pub message: String,
}

impl FieldError {
    /// An error for `field`.
    pub fn new(field: Field, message: impl Into<String>) -> Self {
        FieldError {
            field,
            message: message.into(),
        }
    }
}

/// Quotes user input for a message, shortened to [`QUOTE_CHARS`] characters.
fn quote(s: &str) -> String {
    format!("'{}'", shown(s))
}

/// User input for a message, without quotes: shortened to [`QUOTE_CHARS`]
/// characters, control characters escaped (`\n`, `\u{0}`).
fn shown(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == QUOTE_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// Trims `s` and refuses input too long to be valid for `field`.
fn trimmed(s: &str, field: Field, max_bytes: usize) -> Result<&str, FieldError> {
    let s = s.trim();
    if s.len() > max_bytes {
        return Err(FieldError::new(
            field,
            trf(
                "{input} is {n} characters long, far too long for a {field}",
                &[
                    ("n", &s.chars().count()),
                    ("field", &field.label().to_lowercase()),
                    ("input", &quote(s)),
                ],
            ),
        ));
    }
    Ok(s)
}

/// What a string is, as a whole number.
enum Number {
    /// Fits in a `u64`.
    Value(u64),
    /// Digits, but negative or too large for a `u64`.
    OutOfRange,
    /// Digits with a fraction (`1.5`).
    Fraction,
    /// Not a number at all.
    NotNumeric,
}

fn classify_number(s: &str) -> Number {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return Number::NotNumeric;
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        let fraction = digits.split_once('.').is_some_and(|(a, b)| {
            !a.is_empty() && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
        });
        return if fraction {
            Number::Fraction
        } else {
            Number::NotNumeric
        };
    }
    if negative {
        // "-0" is zero; any other negative is out of range.
        return if digits.bytes().all(|b| b == b'0') {
            Number::Value(0)
        } else {
            Number::OutOfRange
        };
    }
    digits
        .parse::<u64>()
        .map_or(Number::OutOfRange, Number::Value)
}

/// "'1.5' is not a whole number".
fn not_whole(s: &str) -> String {
    trf("{input} is not a whole number", &[("input", &quote(s))])
}

/// "'x' is not a number".
fn not_numeric(s: &str) -> String {
    trf("{input} is not a number", &[("input", &quote(s))])
}

/// "'[::1' opens a bracket but does not close it".
fn unclosed_bracket(s: &str) -> String {
    trf(
        "{input} opens a bracket but does not close it",
        &[("input", &quote(s))],
    )
}

/// "'1.2.3' is not an IPv4 address: …".
fn not_ipv4(s: &str) -> String {
    trf(
        "{input} is not an IPv4 address: it has four numbers from 0 to 255, like 192.168.1.20",
        &[("input", &quote(s))],
    )
}

/// "Port is empty", "Peer is empty".
fn is_empty(field: Field) -> String {
    trf("{field} is empty", &[("field", &field)])
}

/// The port in `s`, or the message saying why it is not one.
fn port_problem(s: &str, allow_zero: bool) -> Result<u16, String> {
    let range = if allow_zero {
        tr("ports go from 1 to 65535 (0 picks a free one)")
    } else {
        tr("ports go from 1 to 65535")
    };
    let not_a_port = || {
        trf(
            "{input} is not a port: {range}",
            &[("range", &range), ("input", &shown(s))],
        )
    };
    match classify_number(s) {
        Number::Value(0) if !allow_zero => Err(trf(
            "0 is not a port you can send or connect to: {range}",
            &[("range", &range)],
        )),
        Number::Value(n) => u16::try_from(n).map_err(|_| not_a_port()),
        Number::OutOfRange => Err(not_a_port()),
        Number::Fraction => Err(not_whole(s)),
        Number::NotNumeric => Err(not_numeric(s)),
    }
}

/// Parses a port. `allow_zero` accepts 0 ("pick a free port", for binding).
pub fn parse_port(s: &str, allow_zero: bool) -> Result<u16, FieldError> {
    let s = trimmed(s, Field::Port, MAX_INPUT_BYTES)?;
    if s.is_empty() {
        return Err(FieldError::new(Field::Port, tr("Port is empty")));
    }
    port_problem(s, allow_zero).map_err(|m| FieldError::new(Field::Port, m))
}

/// True if `s` could be a host name: ASCII letters, digits, `-`, `.`, `_`.
fn host_chars_ok(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
}

/// True if `s` is only digits and dots (so it was meant as an IPv4 address).
fn looks_like_ipv4(s: &str) -> bool {
    s.contains('.') && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// Parses an IP literal (IPv6 possibly in brackets) or `localhost`; errors
/// belong to `field`.
fn parse_ip_in(s: &str, field: Field) -> Result<IpAddr, FieldError> {
    let err = |m: String| FieldError::new(field, m);
    if s.is_empty() {
        return Err(err(match field {
            Field::Address => tr(
                "Bind address is empty: type 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)",
            )
            .to_owned(),
            _ => is_empty(field),
        }));
    }
    if s.eq_ignore_ascii_case("localhost") {
        return Ok(DEFAULT_BIND_IP);
    }
    if s.chars().any(char::is_whitespace) {
        return Err(err(trf(
            "{input} has a space in it; an IP address has none",
            &[("input", &quote(s))],
        )));
    }
    if s.parse::<SocketAddr>().is_ok() {
        return Err(err(trf(
            "{input} has a port in it: type only the address here",
            &[("input", &quote(s))],
        )));
    }
    let inner = match s.strip_prefix('[') {
        Some(rest) => match rest.strip_suffix(']') {
            Some(inner) => inner,
            None => return Err(err(unclosed_bracket(s))),
        },
        None => s,
    };
    if let Ok(ip) = inner.parse::<IpAddr>() {
        if s.starts_with('[') && ip.is_ipv4() {
            return Err(err(trf(
                "{input} puts an IPv4 address in brackets; brackets are only for IPv6",
                &[("input", &quote(s))],
            )));
        }
        return Ok(ip);
    }
    if inner.contains('%') {
        return Err(err(trf(
            "{input} has a zone (%…); zones of link-local IPv6 addresses are not supported",
            &[("input", &quote(s))],
        )));
    }
    if looks_like_ipv4(inner) {
        return Err(err(not_ipv4(s)));
    }
    if !inner.contains(':') && host_chars_ok(inner) {
        return Err(err(match field {
            Field::Address => trf(
                "bind needs an IP address of this machine, not a host name ({input}); try 127.0.0.1 or 0.0.0.0",
                &[("input", &quote(s))],
            ),
            _ => trf(
                "{field} needs an IP address, not a host name ({input}); only localhost is understood",
                &[("field", &field), ("input", &quote(s))],
            ),
        }));
    }
    Err(err(trf(
        "{input} is not an IP address",
        &[("input", &quote(s))],
    )))
}

/// Parses a bind address: an IP literal of this machine, `[::1]`, or
/// `localhost` (127.0.0.1). Host names are refused: bind does not resolve.
pub fn parse_ip(s: &str) -> Result<IpAddr, FieldError> {
    parse_ip_in(trimmed(s, Field::Address, MAX_INPUT_BYTES)?, Field::Address)
}

/// Parses `IP:PORT` (`127.0.0.1:9000`, `[::1]:9000`, `localhost:9000`) for
/// `field`. A [`Field::Peer`] needs a port from 1; other fields accept 0.
pub fn parse_socket_addr(s: &str, field: Field) -> Result<SocketAddr, FieldError> {
    let s = trimmed(s, field, MAX_INPUT_BYTES)?;
    let err = |m: String| FieldError::new(field, m);
    if s.is_empty() {
        return Err(err(is_empty(field)));
    }
    let example = if field == Field::Peer {
        "127.0.0.1:9000"
    } else {
        "0.0.0.0:9000"
    };
    let (host, port) = if s.starts_with('[') {
        match s.split_once(']') {
            Some((h, rest)) => {
                let h = &s[..h.len() + 1];
                match rest.strip_prefix(':') {
                    Some(p) => (h, p),
                    None if rest.is_empty() => {
                        return Err(err(trf(
                            "{input} has no port: write it as {address}:PORT",
                            &[("address", &shown(h)), ("input", &quote(s))],
                        )));
                    }
                    None => {
                        return Err(err(trf(
                            "{input} has something other than :PORT after the ]",
                            &[("input", &quote(s))],
                        )));
                    }
                }
            }
            None => return Err(err(unclosed_bracket(s))),
        }
    } else {
        match s.matches(':').count() {
            0 => {
                return Err(err(trf(
                    "{input} has no port: write it as ADDRESS:PORT, like {example}",
                    &[("example", &example), ("input", &quote(s))],
                )));
            }
            1 => s.split_once(':').unwrap_or((s, "")),
            _ => {
                return Err(err(if s.parse::<IpAddr>().is_ok() {
                    trf(
                        "{input} has no port: an IPv6 address goes in brackets before the port, like [::1]:9000",
                        &[("input", &quote(s))],
                    )
                } else {
                    trf(
                        "{input} is not ADDRESS:PORT; an IPv6 address goes in brackets, like [::1]:9000",
                        &[("input", &quote(s))],
                    )
                }));
            }
        }
    };
    let ip = parse_ip_in(host, field)?;
    if port.is_empty() {
        return Err(err(trf(
            "{input} has no port after the colon",
            &[("input", &quote(s))],
        )));
    }
    let port = port_problem(port, field != Field::Peer).map_err(|m| {
        err(trf(
            "the port in {input}: {problem}",
            &[("problem", &m), ("input", &quote(s))],
        ))
    })?;
    Ok(SocketAddr::new(ip, port))
}

/// "'…' is 300 characters long; a host name has at most 253".
fn host_too_long(s: &str) -> String {
    trf(
        "{input} is {n} characters long; a host name has at most {max}",
        &[
            ("n", &s.chars().count()),
            ("max", &MAX_HOST_LEN),
            ("input", &quote(s)),
        ],
    )
}

/// "'…' has a port in it: type the port in the Port field".
fn host_has_port(s: &str) -> String {
    trf(
        "{input} has a port in it: type the port in the Port field",
        &[("input", &quote(s))],
    )
}

/// Parses a host to connect to: a host name (letters, digits, `-`, `.`,
/// `_`; at most 253 characters) or an IP literal, IPv6 with or without
/// brackets. Returns it trimmed, brackets removed.
pub fn parse_host(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    // One more for the trailing dot of a fully qualified name.
    if s.len() > MAX_HOST_LEN + 1 {
        return Err(FieldError::new(Field::Host, host_too_long(s)));
    }
    let err = |m: String| FieldError::new(Field::Host, m);
    if s.is_empty() {
        return Err(err(tr(
            "Host is empty: type a name like example.com or an address like 127.0.0.1",
        )
        .to_owned()));
    }
    if s.chars().any(char::is_whitespace) {
        return Err(err(trf(
            "{input} has a space in it; a host name has none",
            &[("input", &quote(s))],
        )));
    }
    if let Some(rest) = s.strip_prefix('[') {
        let Some(inner) = rest.strip_suffix(']') else {
            if rest.contains("]:") {
                return Err(err(host_has_port(s)));
            }
            return Err(err(unclosed_bracket(s)));
        };
        return match inner.parse::<IpAddr>() {
            Ok(IpAddr::V6(ip)) => Ok(ip.to_string()),
            _ => Err(err(trf(
                "{input} is not an IPv6 address (brackets are only for IPv6)",
                &[("input", &quote(s))],
            ))),
        };
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Ok(ip.to_string());
    }
    if s.contains(':') {
        return Err(err(
            if s.parse::<SocketAddr>().is_ok() || s.matches(':').count() == 1 {
                host_has_port(s)
            } else {
                trf(
                    "{input} is not a host name or an IP address",
                    &[("input", &quote(s))],
                )
            },
        ));
    }
    if s.len() > MAX_HOST_LEN {
        return Err(err(host_too_long(s)));
    }
    if looks_like_ipv4(s) || s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(not_ipv4(s)));
    }
    if let Some(bad) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')))
    {
        return Err(err(trf(
            "{input} has {character} in it; a host name has only letters, digits, '-', '.' and '_'",
            &[
                ("character", &quote(&bad.to_string())),
                ("input", &quote(s)),
            ],
        )));
    }
    // One trailing dot is the DNS root and allowed.
    let name = s.strip_suffix('.').unwrap_or(s);
    for label in name.split('.') {
        if label.is_empty() {
            return Err(err(trf(
                "{input} has an empty part between dots",
                &[("input", &quote(s))],
            )));
        }
        if label.len() > MAX_LABEL_LEN {
            return Err(err(trf(
                "{input} has a part longer than {max} characters between dots",
                &[("max", &MAX_LABEL_LEN), ("input", &quote(s))],
            )));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(err(trf(
                "{input} has a part that starts or ends with '-'",
                &[("input", &quote(s))],
            )));
        }
    }
    Ok(s.to_owned())
}

/// Parses a whole number in `min..=max` for `field`; empty gives `default`.
fn parse_bounded(
    s: &str,
    field: Field,
    min: u64,
    max: u64,
    default: u64,
    usual: &str,
) -> Result<u64, FieldError> {
    let s = trimmed(s, field, MAX_INPUT_BYTES)?;
    let out_of_range = || {
        FieldError::new(
            field,
            trf(
                "{input} is out of range: the {field} goes from {min} to {max} ({usual})",
                &[
                    ("field", &field.label().to_lowercase()),
                    ("min", &min),
                    ("max", &max),
                    ("usual", &usual),
                    ("input", &shown(s)),
                ],
            ),
        )
    };
    if s.is_empty() {
        return Ok(default);
    }
    match classify_number(s) {
        Number::Value(n) if (min..=max).contains(&n) => Ok(n),
        Number::Value(_) | Number::OutOfRange => Err(out_of_range()),
        Number::Fraction => Err(FieldError::new(field, not_whole(s))),
        Number::NotNumeric => Err(FieldError::new(field, not_numeric(s))),
    }
}

/// Parses a backlog: 1 to 65535, empty means [`DEFAULT_BACKLOG`].
fn parse_backlog(s: &str) -> Result<i32, FieldError> {
    let n = parse_bounded(
        s,
        Field::Backlog,
        1,
        MAX_BACKLOG as u64,
        DEFAULT_BACKLOG as u64,
        tr("128 is usual; empty means 128"),
    )?;
    // In range by construction.
    Ok(i32::try_from(n).unwrap_or(DEFAULT_BACKLOG))
}

/// Parses a UDP receive size: 1 to 65536, empty means 65536.
fn parse_recv_size(s: &str) -> Result<usize, FieldError> {
    let n = parse_bounded(
        s,
        Field::RecvSize,
        1,
        MAX_RECV_SIZE as u64,
        DEFAULT_UDP_RECV_BYTES as u64,
        tr("empty means 65536, enough for any datagram"),
    )?;
    Ok(usize::try_from(n).unwrap_or(DEFAULT_UDP_RECV_BYTES))
}

/// The family name of an address.
fn family(ip: IpAddr) -> &'static str {
    if ip.is_ipv4() { "IPv4" } else { "IPv6" }
}

/// A peer must have the bound socket's address family.
fn check_family(bind: IpAddr, peer: SocketAddr) -> Result<(), FieldError> {
    if bind.is_ipv4() == peer.is_ipv4() {
        return Ok(());
    }
    let hint = if bind.is_ipv4() {
        tr("bind :: (or ::1) to talk IPv6")
    } else {
        tr("bind 0.0.0.0 (or 127.0.0.1) to talk IPv4")
    };
    Err(FieldError::new(
        Field::Peer,
        trf(
            "peer {peer} is {peer_family} but the socket is bound to an {bound_family} address; {hint}",
            &[
                ("peer", &peer.ip()),
                ("peer_family", &family(peer.ip())),
                ("bound_family", &family(bind)),
                ("hint", &hint),
            ],
        ),
    ))
}

/// The most bytes `sun_path` holds for a path (108, less the final NUL).
pub const MAX_UNIX_PATH_BYTES: usize = 107;

/// Parses a Unix socket address: a file path, or `@name` for a Linux
/// abstract name (`\xNN` and `\\` escapes allowed in the name).
pub fn parse_unix_addr(s: &str, field: Field) -> Result<UnixAddr, FieldError> {
    let s = trimmed(s, field, MAX_INPUT_BYTES)?;
    if s.is_empty() {
        return Err(FieldError::new(
            field,
            tr(
                "the path is empty: give a file path like /tmp/demo.sock, or @name for an abstract name",
            ),
        ));
    }
    if s.contains('\0') {
        return Err(FieldError::new(
            field,
            tr("a path cannot hold a NUL character; for an abstract name write @name"),
        ));
    }
    let Some(addr) = UnixAddr::parse(s) else {
        return Err(FieldError::new(
            field,
            trf(
                "{input} has a broken escape: after @ write \\xNN for a byte, \\\\ for a backslash",
                &[("input", &quote(s))],
            ),
        ));
    };
    if matches!(&addr, UnixAddr::Abstract(n) if n.is_empty()) {
        return Err(FieldError::new(
            field,
            tr("an abstract name needs a name after the @, like @demo"),
        ));
    }
    // A path needs its final NUL in sun_path; an abstract name its
    // leading one: either way 107 bytes of name.
    let (len, max) = (addr.name_bytes().len(), MAX_UNIX_PATH_BYTES);
    if len > max {
        return Err(FieldError::new(
            field,
            trf(
                "{input} is {n} bytes; a Unix socket address holds at most {max}",
                &[("input", &quote(s)), ("n", &len), ("max", &max)],
            ),
        ));
    }
    Ok(addr)
}

/// What a Unix socket opened from the form does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnixRole {
    /// Listen for stream connections.
    Listen,
    /// Connect to a stream listener.
    Connect,
    /// Send and receive datagrams.
    Dgram,
}

/// Builds a Unix socket spec from the form's fields: the path (or
/// `@name`), for datagrams an optional default peer, and whether a stale
/// socket file at the path may be removed first.
pub fn unix_spec(
    role: UnixRole,
    path: &str,
    peer: &str,
    remove_stale: bool,
) -> Result<SocketSpec, Vec<FieldError>> {
    let mut errors = Vec::new();
    let path = collect(parse_unix_addr(path, Field::Path), &mut errors);
    let peer = if role != UnixRole::Dgram || peer.trim().is_empty() {
        Some(None)
    } else {
        collect(parse_unix_addr(peer, Field::Peer), &mut errors).map(Some)
    };
    match (path, peer) {
        (Some(path), Some(peer)) if errors.is_empty() => Ok(match role {
            UnixRole::Listen => SocketSpec::UnixListen {
                path,
                backlog: DEFAULT_BACKLOG,
                remove_stale,
            },
            UnixRole::Connect => SocketSpec::UnixConnect { path },
            UnixRole::Dgram => SocketSpec::UnixDgram {
                path,
                peer,
                recv_bytes: DEFAULT_UDP_RECV_BYTES,
                remove_stale,
            },
        }),
        _ => Err(errors),
    }
}

/// Keeps the `Ok` value and pushes the error.
fn collect<T>(r: Result<T, FieldError>, errors: &mut Vec<FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

/// Builds a TCP listener spec from its form's fields. `backlog` is 1 to
/// 65535 (empty: 128); port 0 picks a free port. Returns every field's error.
pub fn listen_spec(
    address: &str,
    port: &str,
    backlog: &str,
    reuse_addr: bool,
) -> Result<SocketSpec, Vec<FieldError>> {
    let mut errors = Vec::new();
    let ip = collect(parse_ip(address), &mut errors);
    let port = collect(parse_port(port, true), &mut errors);
    let backlog = collect(parse_backlog(backlog), &mut errors);
    match (ip, port, backlog) {
        (Some(ip), Some(port), Some(backlog)) if errors.is_empty() => Ok(SocketSpec::TcpListen {
            addr: SocketAddr::new(ip, port),
            backlog,
            reuse_addr,
        }),
        _ => Err(errors),
    }
}

/// Builds a TCP client spec: a host name or address, and a port from 1.
pub fn connect_spec(host: &str, port: &str) -> Result<SocketSpec, Vec<FieldError>> {
    let mut errors = Vec::new();
    let host = collect(parse_host(host), &mut errors);
    let port = collect(parse_port(port, false), &mut errors);
    match (host, port) {
        (Some(host), Some(port)) if errors.is_empty() => Ok(SocketSpec::TcpConnect { host, port }),
        _ => Err(errors),
    }
}

/// Builds a UDP spec. `default_peer` may be empty (no default peer); if
/// given it must be `IP:PORT` of the bound address's family. `recv_size`
/// is 1 to 65536 (empty: 65536). Returns every field's error.
pub fn udp_spec(
    address: &str,
    port: &str,
    default_peer: &str,
    recv_size: &str,
) -> Result<SocketSpec, Vec<FieldError>> {
    let mut errors = Vec::new();
    let ip = collect(parse_ip(address), &mut errors);
    let port = collect(parse_port(port, true), &mut errors);
    let peer = if default_peer.trim().is_empty() {
        Some(None)
    } else {
        collect(parse_socket_addr(default_peer, Field::Peer), &mut errors).map(Some)
    };
    let recv_bytes = collect(parse_recv_size(recv_size), &mut errors);
    if let (Some(ip), Some(Some(peer))) = (ip, peer) {
        collect(check_family(ip, peer), &mut errors);
    }
    match (ip, port, peer, recv_bytes) {
        (Some(ip), Some(port), Some(default_peer), Some(recv_bytes)) if errors.is_empty() => {
            Ok(SocketSpec::Udp {
                addr: SocketAddr::new(ip, port),
                default_peer,
                recv_bytes,
            })
        }
        _ => Err(errors),
    }
}

/// The forms a CLI spec takes, for error messages.
const CLI_FORMS: &str = "tcp-listen:[ADDR:]PORT, tcp-connect:HOST:PORT, udp:[ADDR:]PORT[,peer=ADDR:PORT], unix-listen:PATH, unix-connect:PATH or unix-dgram:PATH[,peer=PATH]";

/// `[ADDR:]PORT` for a bound socket: a bare port binds 127.0.0.1.
fn parse_bind_part(s: &str) -> Result<SocketAddr, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(FieldError::new(
            Field::Spec,
            "the address is missing after the colon: give [ADDR:]PORT, like 9000 or 0.0.0.0:9000",
        ));
    }
    if !s.contains(':') && !s.starts_with('[') {
        return parse_port(s, true).map(|p| SocketAddr::new(DEFAULT_BIND_IP, p));
    }
    parse_socket_addr(s, Field::Address)
}

/// Splits `key=value` options after the first comma.
fn options(s: &str) -> (&str, Vec<(&str, &str)>) {
    let mut parts = s.split(',');
    let head = parts.next().unwrap_or("");
    let opts = parts
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect();
    (head, opts)
}

fn unknown_option(kind: &str, key: &str, known: &str) -> FieldError {
    FieldError::new(
        Field::Spec,
        format!("{kind} has no option {}; it takes {known}", quote(key)),
    )
}

/// Parses a socket spec typed on the command line:
///
/// - `tcp-listen:[ADDR:]PORT[,backlog=N]`: `tcp-listen:9000` binds
///   127.0.0.1; `tcp-listen:0.0.0.0:9000`, `tcp-listen:[::]:9000`.
///   Listeners set `SO_REUSEADDR`.
/// - `tcp-connect:HOST:PORT`: `tcp-connect:example.com:80`,
///   `tcp-connect:[::1]:80`.
/// - `udp:[ADDR:]PORT[,peer=ADDR:PORT][,recv=N]`: `udp:0.0.0.0:9001`,
///   `udp:0.0.0.0:9001,peer=127.0.0.1:9002`; a bare port binds 127.0.0.1.
/// - `unix-listen:PATH[,backlog=N][,remove-stale]`,
///   `unix-connect:PATH`, `unix-dgram:PATH[,peer=PATH][,recv=N][,remove-stale]`:
///   a file path (without commas) or `@name` for a Linux abstract name;
///   `remove-stale` removes a socket file nothing listens on first.
pub fn parse_cli_spec(s: &str) -> Result<SocketSpec, FieldError> {
    let s = trimmed(s, Field::Spec, MAX_INPUT_BYTES)?;
    if s.is_empty() {
        return Err(FieldError::new(
            Field::Spec,
            format!("the socket spec is empty; write {CLI_FORMS}"),
        ));
    }
    let Some((kind, rest)) = s.split_once(':') else {
        return Err(FieldError::new(
            Field::Spec,
            format!("{} is not a socket spec; write {CLI_FORMS}", quote(s)),
        ));
    };
    let (head, opts) = options(rest);
    match kind.trim().to_ascii_lowercase().as_str() {
        "tcp-listen" => {
            let addr = parse_bind_part(head)?;
            let mut backlog = DEFAULT_BACKLOG;
            for (k, v) in opts {
                match k {
                    "backlog" => backlog = parse_backlog(v)?,
                    _ => return Err(unknown_option("tcp-listen", k, "backlog=N")),
                }
            }
            Ok(SocketSpec::TcpListen {
                addr,
                backlog,
                reuse_addr: true,
            })
        }
        "tcp-connect" => {
            if let Some((k, _)) = opts.first() {
                return Err(FieldError::new(
                    Field::Spec,
                    format!("tcp-connect takes no options (found {})", quote(k)),
                ));
            }
            let head = head.trim();
            let Some((host, port)) = split_host_port(head) else {
                if head.matches(':').count() > 1 {
                    return Err(FieldError::new(
                        Field::Spec,
                        format!(
                            "{} is ambiguous: an IPv6 address goes in brackets, like tcp-connect:[::1]:80",
                            quote(s)
                        ),
                    ));
                }
                return Err(FieldError::new(
                    Field::Spec,
                    format!(
                        "{} has no port: write tcp-connect:HOST:PORT, like tcp-connect:example.com:80 or tcp-connect:[::1]:80",
                        quote(s)
                    ),
                ));
            };
            let host = parse_host(host)?;
            let port = parse_port(port, false)?;
            Ok(SocketSpec::TcpConnect { host, port })
        }
        "udp" => {
            let addr = parse_bind_part(head)?;
            let mut default_peer = None;
            let mut recv_bytes = DEFAULT_UDP_RECV_BYTES;
            for (k, v) in opts {
                match k {
                    "peer" => {
                        let peer = parse_socket_addr(v, Field::Peer)?;
                        check_family(addr.ip(), peer)?;
                        default_peer = Some(peer);
                    }
                    "recv" => recv_bytes = parse_recv_size(v)?,
                    _ => return Err(unknown_option("udp", k, "peer=ADDR:PORT and recv=N")),
                }
            }
            Ok(SocketSpec::Udp {
                addr,
                default_peer,
                recv_bytes,
            })
        }
        "unix-listen" => {
            let path = parse_unix_addr(head, Field::Spec)?;
            let (mut backlog, mut remove_stale) = (DEFAULT_BACKLOG, false);
            for (k, v) in opts {
                match k {
                    "backlog" => backlog = parse_backlog(v)?,
                    "remove-stale" => remove_stale = true,
                    _ => {
                        return Err(unknown_option(
                            "unix-listen",
                            k,
                            "backlog=N and remove-stale",
                        ));
                    }
                }
            }
            Ok(SocketSpec::UnixListen {
                path,
                backlog,
                remove_stale,
            })
        }
        "unix-connect" => {
            if let Some((k, _)) = opts.first() {
                return Err(FieldError::new(
                    Field::Spec,
                    format!("unix-connect takes no options (found {})", quote(k)),
                ));
            }
            Ok(SocketSpec::UnixConnect {
                path: parse_unix_addr(head, Field::Spec)?,
            })
        }
        "unix-dgram" => {
            let path = parse_unix_addr(head, Field::Spec)?;
            let (mut peer, mut recv_bytes, mut remove_stale) =
                (None, DEFAULT_UDP_RECV_BYTES, false);
            for (k, v) in opts {
                match k {
                    "peer" => peer = Some(parse_unix_addr(v, Field::Peer)?),
                    "recv" => recv_bytes = parse_recv_size(v)?,
                    "remove-stale" => remove_stale = true,
                    _ => {
                        return Err(unknown_option(
                            "unix-dgram",
                            k,
                            "peer=PATH, recv=N and remove-stale",
                        ));
                    }
                }
            }
            Ok(SocketSpec::UnixDgram {
                path,
                peer,
                recv_bytes,
                remove_stale,
            })
        }
        "unix" => Err(FieldError::new(
            Field::Spec,
            format!(
                "{} is ambiguous: write unix-listen:, unix-connect: or unix-dgram:",
                quote(s)
            ),
        )),
        "tcp" => Err(FieldError::new(
            Field::Spec,
            format!(
                "{} is ambiguous: write tcp-listen: to listen or tcp-connect: to connect",
                quote(s)
            ),
        )),
        _ => Err(FieldError::new(
            Field::Spec,
            format!("{} is not a socket kind; write {CLI_FORMS}", quote(kind)),
        )),
    }
}

/// Splits `HOST:PORT` / `[V6]:PORT` at the port's colon. `None` when there
/// is no port, or an unbracketed IPv6 address makes the colon ambiguous.
fn split_host_port(s: &str) -> Option<(&str, &str)> {
    if s.starts_with('[') {
        let close = s.find(']')?;
        let port = s[close + 1..].strip_prefix(':')?;
        return Some((&s[..=close], port));
    }
    match s.matches(':').count() {
        1 => s.split_once(':'),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "spec_tests.rs"]
mod tests;
