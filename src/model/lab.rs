//! The sticky-packet (粘包) lab's record of a stream: where each `recv()`
//! and each send began and ended in the byte stream, and which log row
//! holds each `recv()`'s bytes, so a framing decoder can split the newest
//! bytes into messages without a second copy of every byte. Bounded: the
//! newest [`MAX_BOUNDARIES`] of each; at most [`MAX_STREAM_BYTES`] are
//! split.

use std::collections::VecDeque;

use crate::codec::framing::{Deframer, FrameError, Framing, Message};
use crate::model::log::TrafficLog;

/// Boundaries kept per direction.
pub const MAX_BOUNDARIES: usize = 2000;
/// The most received bytes the framing decoder splits (the newest).
pub const MAX_STREAM_BYTES: u64 = 256 * 1024;

/// One `recv()` or one send: where its bytes sit in the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// Its number, counting from 1 over the socket's life.
    pub seq: u64,
    /// Offset of its first byte in the stream (0 = the connection's first byte).
    pub offset: u64,
    /// Its length.
    pub len: u64,
    /// The log row holding its bytes (received only), if the log kept it.
    pub log: Option<u64>,
}

impl Span {
    /// One past its last byte.
    pub fn end(&self) -> u64 {
        self.offset + self.len
    }
}

/// How a `recv()` relates to one send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The whole send is in this `recv()`.
    Whole,
    /// Only part of it.
    Piece,
}

/// One datagram: a `recvfrom()` (or a `sendto()`) and whom it was from
/// (or to).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Datagram {
    /// Its number, counting from 1 over the socket's life, per direction.
    pub seq: u64,
    /// Bytes `recvfrom()` returned (or `sendto()` sent).
    pub len: usize,
    /// The sender (or the destination).
    pub peer: Option<crate::engine::Addr>,
    /// Received: it was longer than the `recv` size, and the rest is gone
    /// (`MSG_TRUNC`).
    pub truncated: bool,
    /// A cut datagram's whole length, where the kernel told it.
    pub whole: Option<usize>,
}

/// The record of one socket.
#[derive(Clone, Debug, Default)]
pub struct LabRecord {
    recvs: VecDeque<Span>,
    sends: VecDeque<Span>,
    dgrams_in: VecDeque<Datagram>,
    dgrams_out: VecDeque<Datagram>,
    recv_seq: u64,
    send_seq: u64,
    in_offset: u64,
    out_offset: u64,
}

impl LabRecord {
    /// Notes a `recv()` that returned `len` bytes, kept in log row `log`.
    pub fn received(&mut self, len: usize, log: Option<u64>) {
        self.recv_seq += 1;
        push_span(
            &mut self.recvs,
            Span {
                seq: self.recv_seq,
                offset: self.in_offset,
                len: len as u64,
                log,
            },
        );
        self.in_offset += len as u64;
    }

    /// Notes a send of `len` bytes that went out whole.
    pub fn sent(&mut self, len: usize) {
        self.send_seq += 1;
        push_span(
            &mut self.sends,
            Span {
                seq: self.send_seq,
                offset: self.out_offset,
                len: len as u64,
                log: None,
            },
        );
        self.out_offset += len as u64;
    }

    /// Notes a datagram `recvfrom()` returned (`len` bytes from `from`;
    /// `whole`: a cut datagram's whole length, where known).
    pub fn datagram_in(
        &mut self,
        len: usize,
        from: Option<&crate::engine::Addr>,
        truncated: bool,
        whole: Option<usize>,
    ) {
        let seq = self.dgrams_in.back().map_or(1, |d| d.seq + 1);
        push_dgram(
            &mut self.dgrams_in,
            Datagram {
                seq,
                len,
                peer: from.cloned(),
                truncated,
                whole: whole.filter(|_| truncated),
            },
        );
    }

    /// Notes a datagram sent to `to`.
    pub fn datagram_out(&mut self, len: usize, to: Option<&crate::engine::Addr>) {
        let seq = self.dgrams_out.back().map_or(1, |d| d.seq + 1);
        push_dgram(
            &mut self.dgrams_out,
            Datagram {
                seq,
                len,
                peer: to.cloned(),
                truncated: false,
                whole: None,
            },
        );
    }

    /// The datagrams received that are kept, oldest first.
    pub fn datagrams_in(&self) -> &VecDeque<Datagram> {
        &self.dgrams_in
    }

    /// The datagrams sent that are kept, oldest first.
    pub fn datagrams_out(&self) -> &VecDeque<Datagram> {
        &self.dgrams_out
    }

    /// The `recv()`s kept, oldest first.
    pub fn recvs(&self) -> &VecDeque<Span> {
        &self.recvs
    }

    /// The sends kept, oldest first.
    pub fn sends(&self) -> &VecDeque<Span> {
        &self.sends
    }

    /// Bytes received in all.
    pub fn bytes_in(&self) -> u64 {
        self.in_offset
    }

    /// The newest received bytes the log still holds, back to the first
    /// gap (a row evicted, or not stored), at most [`MAX_STREAM_BYTES`]
    /// worth of `recv()`s; and the stream offset of the first.
    pub fn data(&self, log: &TrafficLog) -> (u64, Vec<u8>) {
        let mut used = Vec::new();
        let mut total = 0u64;
        for r in self.recvs.iter().rev() {
            if total >= MAX_STREAM_BYTES {
                break;
            }
            match r.log.and_then(|i| log.get(i)) {
                Some(e) if e.payload.len() as u64 == r.len => {
                    total += r.len;
                    used.push(&e.payload);
                }
                _ => break,
            }
        }
        let start = self.in_offset - total;
        let mut bytes = Vec::with_capacity(total as usize);
        for p in used.iter().rev() {
            bytes.extend_from_slice(p);
        }
        (start, bytes)
    }

    /// Splits the newest kept bytes into messages with `framing`. Offsets in
    /// the messages are stream offsets. If older bytes are no longer kept,
    /// the split starts at the first kept byte (maybe mid-message).
    pub fn messages(&self, framing: &Framing, log: &TrafficLog) -> Framed {
        let (start, data) = self.data(log);
        let mut d = Deframer::new(framing.clone());
        let mut framed = Framed {
            start,
            ..Framed::default()
        };
        match d.push(&data) {
            Ok(msgs) => framed.messages = msgs,
            Err(e) => framed.error = Some(e),
        }
        for m in &mut framed.messages {
            m.start += start;
        }
        framed.pending = d.pending().len();
        framed
    }
}

/// A stream split into messages.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Framed {
    /// Stream offset where the split began (0 unless old bytes were let go).
    pub start: u64,
    /// The whole messages found.
    pub messages: Vec<Message>,
    /// Bytes of an incomplete message at the end.
    pub pending: usize,
    /// Why the split stopped, if it did.
    pub error: Option<FrameError>,
}

fn push_dgram(q: &mut VecDeque<Datagram>, d: Datagram) {
    if q.len() >= MAX_BOUNDARIES {
        q.pop_front();
    }
    q.push_back(d);
}

fn push_span(q: &mut VecDeque<Span>, s: Span) {
    if q.len() >= MAX_BOUNDARIES {
        q.pop_front();
    }
    q.push_back(s);
}

/// The sends whose bytes lie in `recv`, each whole or a piece.
pub fn sends_in(recv: &Span, sends: &VecDeque<Span>) -> Vec<(u64, Part)> {
    let first = sends.partition_point(|s| s.end() <= recv.offset);
    sends
        .iter()
        .skip(first)
        .take_while(|s| s.offset < recv.end())
        .filter(|s| s.len > 0)
        .map(|s| {
            let whole = s.offset >= recv.offset && s.end() <= recv.end();
            (s.seq, if whole { Part::Whole } else { Part::Piece })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::framing::LengthWidth;
    use crate::engine::SocketId;
    use crate::model::log::{EntryKind, LogEntry, PeerRef};

    fn recv(me: &mut LabRecord, log: &mut TrafficLog, bytes: &[u8]) {
        let i = log.push(LogEntry {
            time_us: 0,
            socket: SocketId(1).into(),
            payload: bytes.to_vec().into_boxed_slice(),
            peer: PeerRef::NONE,
            kind: EntryKind::Received,
            truncated: false,
            chunk: Default::default(),
        });
        me.received(bytes.len(), i);
    }

    #[test]
    fn three_sends_in_one_recv_and_one_send_over_two() {
        let mut peer = LabRecord::default();
        for m in [b"aaa".as_slice(), b"bbbb", b"cc"] {
            peer.sent(m.len());
        }
        peer.sent(10);
        let mut me = LabRecord::default();
        let mut log = TrafficLog::default();
        recv(&mut me, &mut log, b"aaabbbbcc");
        recv(&mut me, &mut log, b"01234");
        recv(&mut me, &mut log, b"56789");
        let r: Vec<Span> = me.recvs().iter().copied().collect();
        assert_eq!(
            sends_in(&r[0], peer.sends()),
            vec![(1, Part::Whole), (2, Part::Whole), (3, Part::Whole)]
        );
        assert_eq!(sends_in(&r[1], peer.sends()), vec![(4, Part::Piece)]);
        assert_eq!(sends_in(&r[2], peer.sends()), vec![(4, Part::Piece)]);
    }

    #[test]
    fn messages_are_split_with_stream_offsets() {
        let mut me = LabRecord::default();
        let mut log = TrafficLog::default();
        recv(&mut me, &mut log, b"\x00\x00\x00\x02hi\x00\x00");
        recv(&mut me, &mut log, b"\x00\x03abc\x00");
        let f = me.messages(
            &Framing::LengthPrefix {
                width: LengthWidth::W4,
                big_endian: true,
                includes_header: false,
            },
            &log,
        );
        assert_eq!(f.messages.len(), 2);
        assert_eq!(f.messages[1].start, 10);
        assert_eq!(f.messages[1].bytes, b"abc");
        assert_eq!(f.pending, 1);
    }

    #[test]
    fn splits_only_what_the_log_still_holds() {
        let mut me = LabRecord::default();
        // A log that holds about two 100 kB rows.
        let mut log = TrafficLog::new(250_000);
        let chunk = vec![7u8; 100_000];
        for _ in 0..5 {
            recv(&mut me, &mut log, &chunk);
        }
        let (start, data) = me.data(&log);
        assert_eq!(data.len(), 200_000);
        assert_eq!(start, 300_000);
        // Rows not stored (counts only) leave nothing to split.
        me.received(5, None);
        let (start, data) = me.data(&log);
        assert!(data.is_empty());
        assert_eq!(start, me.bytes_in());
        for _ in 0..MAX_BOUNDARIES + 5 {
            me.sent(1);
        }
        assert_eq!(me.sends().len(), MAX_BOUNDARIES);
        assert_eq!(me.sends()[0].seq, 6);
    }
}
