//! What a log row that is not traffic says, kept as data ([`Note`]) and
//! put into words only when it is drawn, in the language of the moment:
//! switching the language re-renders every row, old ones too.

use crate::engine::Addr;
use crate::model::explain::Shown;
use std::time::Duration;

use crate::engine::{CloseReason, NetError, PeriodicStatus, PeriodicStop, SockOption, SocketId};
use crate::i18n::{tr, trf};

/// A log row's message, as data.
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// The user asked for a socket (the spec as typed, e.g. `tcp-listen:0.0.0.0:9000`).
    Opening(Box<str>),
    /// DNS lookup of this host started.
    Resolving(Box<str>),
    /// A connect to this address is in flight.
    Connecting(Addr),
    /// Connected; the kernel picked this local address.
    Connected(Addr),
    /// Listening.
    Listening {
        /// The bound address.
        local: Addr,
        /// The backlog.
        backlog: i32,
    },
    /// Accepted by a listener.
    Accepted {
        /// The listener.
        parent: SocketId,
        /// Our end.
        local: Addr,
    },
    /// A UDP socket is bound.
    Bound(Box<Bound>),
    /// The kernel dropped datagrams (running total).
    KernelDrops(u64),
    /// A setting changed.
    Configured(SockOption),
    /// A periodic send started.
    PeriodicStarted(Duration),
    /// The slow sender started, one piece every so often.
    SlowStarted(Duration),
    /// A periodic send ended.
    PeriodicEnded(Box<PeriodicStatus>),
    /// Reading was paused or resumed.
    Reading {
        /// Whether `recv()` is called again.
        on: bool,
        /// A timed pause's length.
        paused_for: Option<Duration>,
    },
    /// A client waits to connect again.
    Reconnecting {
        /// The attempt it waits for.
        attempt: u32,
        /// How long.
        after: Duration,
    },
    /// A file began being sent.
    FileStarted {
        /// Its name.
        name: Box<str>,
        /// Its size.
        total: u64,
    },
    /// A file send ended.
    FileEnded(Box<FileEnded>),
    /// The peer closed its side.
    PeerClosed,
    /// We shut down our write side.
    WriteShutdown,
    /// Something failed.
    Failed(Box<NetError>),
    /// The socket closed.
    Closed(Box<Closed>),
}

/// How a file send ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEnded {
    /// The file's name.
    pub name: String,
    /// Bytes handed to the kernel.
    pub sent: u64,
    /// Its size.
    pub total: u64,
    /// How.
    pub end: crate::engine::FileEnd,
}

/// A bound UDP socket's details.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bound {
    /// The bound address.
    pub local: Addr,
    /// The receive buffer the kernel granted.
    pub rcvbuf_bytes: usize,
    /// Whether kernel drops are counted.
    pub drop_counting: bool,
}

/// How a socket closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closed {
    /// Why.
    pub reason: CloseReason,
    /// Queued bytes never sent.
    pub unsent_bytes: usize,
    /// Received bytes held back for a character that never completed.
    pub leftover: Box<[u8]>,
}

impl Note {
    /// The row's text, in this thread's language.
    pub fn text(&self) -> String {
        match self {
            Note::Opening(spec) => trf("open {spec}", &[("spec", spec)]),
            Note::Resolving(host) => trf("resolving \"{host}\"", &[("host", host)]),
            Note::Reconnecting { attempt, after } => trf(
                "the descriptor is closed; connecting again in {secs} s (attempt {n})",
                &[
                    ("secs", &format!("{:.1}", after.as_secs_f64())),
                    ("n", attempt),
                ],
            ),
            Note::FileStarted { name, total } => trf(
                "sending the file {name} ({total} bytes)",
                &[("name", name), ("total", total)],
            ),
            Note::FileEnded(f) => {
                let FileEnded {
                    name,
                    sent,
                    total,
                    end,
                } = &**f;
                let how = match end {
                    crate::engine::FileEnd::Sent => tr("all sent").to_owned(),
                    crate::engine::FileEnd::Cancelled => tr("cancelled").to_owned(),
                    crate::engine::FileEnd::SocketClosed => {
                        tr("the socket closed first").to_owned()
                    }
                    crate::engine::FileEnd::Failed(e) => e.message(),
                };
                trf(
                    "the file {name}: {sent} of {total} bytes sent ({how})",
                    &[
                        ("name", name),
                        ("sent", sent),
                        ("total", total),
                        ("how", &how),
                    ],
                )
            }
            Note::Connecting(peer) => trf("connecting to {peer}", &[("peer", peer)]),
            Note::Connected(local) => trf("connected from {local}", &[("local", &Shown(local))]),
            Note::Listening { local, backlog } => trf(
                "listening on {local} (backlog {backlog})",
                &[("local", local), ("backlog", backlog)],
            ),
            Note::Accepted { parent, local } => trf(
                "accepted by {parent} on {local}",
                &[("parent", parent), ("local", &Shown(local))],
            ),
            Note::Bound(b) => {
                let drops = if b.drop_counting {
                    tr("kernel drops counted")
                } else {
                    tr("kernel drops not counted on this system")
                };
                trf(
                    "bound to {local}; receive buffer {n} bytes; {drops}",
                    &[
                        ("local", &b.local),
                        ("n", &b.rcvbuf_bytes),
                        ("drops", &drops),
                    ],
                )
            }
            Note::KernelDrops(total) => trf(
                "the kernel dropped {total} datagram(s) so far: the receive buffer was full",
                &[("total", total)],
            ),
            Note::Configured(option) => match option {
                SockOption::RecvSize(n) => trf("each recv() now asks for {n} bytes", &[("n", n)]),
                SockOption::NoDelay(true) => tr("TCP_NODELAY on").to_owned(),
                SockOption::NoDelay(false) => tr("TCP_NODELAY off").to_owned(),
                SockOption::CloseOnPeerClose(true) => {
                    tr("closes as soon as the peer closes").to_owned()
                }
                SockOption::CloseOnPeerClose(false) => {
                    tr("stays open when the peer closes (CLOSE_WAIT) until you close it").to_owned()
                }
            },
            Note::SlowStarted(every) => {
                let ms = every.as_secs_f64() * 1e3;
                trf(
                    "sending slowly: a few bytes per send(), {ms} ms apart",
                    &[("ms", &ms)],
                )
            }
            Note::PeriodicStarted(every) => {
                let ms = every.as_secs_f64() * 1e3;
                trf("sending every {ms} ms", &[("ms", &ms)])
            }
            Note::PeriodicEnded(status)
                if status.slot == crate::quick::SLOW_SLOT && status.stopped.is_none() =>
            {
                trf("slow send done: {sent} sends", &[("sent", &status.sent)])
            }
            Note::PeriodicEnded(status) => {
                let why = match status.stopped {
                    None => tr("done"),
                    Some(PeriodicStop::ByUser) => tr("stopped"),
                    Some(PeriodicStop::SocketClosed) => tr("the socket closed"),
                    Some(PeriodicStop::QueueFull) => {
                        tr("the send queue is full: the peer is not reading")
                    }
                    Some(PeriodicStop::CannotSend) => tr("the socket cannot send now"),
                };
                trf(
                    "periodic send ended ({why}): {sent} sent, {missed} ticks missed, {rate}/s",
                    &[
                        ("why", &why),
                        ("sent", &status.sent),
                        ("missed", &status.missed),
                        ("rate", &format!("{:.1}", status.rate())),
                    ],
                )
            }
            Note::Reading { on: true, .. } => tr("reading again: recv() is called").to_owned(),
            Note::Reading {
                on: false,
                paused_for: None,
            } => tr("reading paused: recv() is not called; what arrives waits in the kernel")
                .to_owned(),
            Note::Reading {
                on: false,
                paused_for: Some(d),
            } => trf(
                "reading paused for {ms} ms: recv() is not called; what arrives waits in the kernel",
                &[("ms", &d.as_millis())],
            ),
            Note::PeerClosed => tr("peer closed its side (recv returned 0)").to_owned(),
            Note::WriteShutdown => tr("shutdown(SHUT_WR): FIN sent; still receiving").to_owned(),
            Note::Failed(e) => e.message(),
            Note::Closed(c) => {
                let mut msg = match &c.reason {
                    CloseReason::Error(_) => tr("closed after the error above").to_owned(),
                    r => trf("closed: {reason}", &[("reason", r)]),
                };
                if c.unsent_bytes > 0 {
                    msg.push_str(&trf(
                        "; {n} queued bytes were not sent",
                        &[("n", &c.unsent_bytes)],
                    ));
                }
                if !c.leftover.is_empty() {
                    let mut hex = String::new();
                    crate::codec::hex::format_hex_into(&mut hex, &c.leftover);
                    msg.push_str(&trf(
                        "; the last {n} received byte(s) ({hex}) never completed a character",
                        &[("n", &c.leftover.len()), ("hex", &hex)],
                    ));
                }
                msg
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_stays_small() {
        // An address and a tag: a message row costs this beside its 40 bytes.
        assert!(
            std::mem::size_of::<Note>() <= 48,
            "{}",
            std::mem::size_of::<Note>()
        );
    }
}
