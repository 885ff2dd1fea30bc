//! Sending a file ([`super::Command::SendFile`]): the engine reads it in
//! pieces as the socket's send queue drains, so at most
//! [`FILE_QUEUE_BYTES`] of it wait at once, whatever its size. A local
//! file's read takes microseconds (page cache or disk); the engine does it
//! between socket events rather than on a thread of its own, so a file on
//! a slow network mount would slow the engine while it is read.

use std::fs::File;
use std::io::{self, Read};
use std::time::{Duration, Instant};

use super::addr::Addr;
use super::message::{FILE_PROGRESS_EVERY, FILE_QUEUE_BYTES, FILE_STREAM_PIECE, FileSend};
use super::timer::TimerKey;

/// A file being sent on one socket.
pub(crate) struct FileJob {
    file: File,
    /// The file's size when opened.
    pub(crate) total: u64,
    /// Bytes read and handed to the socket.
    pub(crate) handed: u64,
    /// Datagram sockets: bytes per datagram; streams: 0.
    piece: usize,
    gap: Duration,
    pub(crate) to: Option<Addr>,
    /// The wait between datagrams in progress.
    pub(crate) timer: Option<TimerKey>,
    /// The whole file has been read.
    pub(crate) eof: bool,
    last_report: Instant,
}

/// What the engine does next for a file.
#[derive(Debug, PartialEq)]
pub(crate) enum Step {
    /// Send these bytes (one datagram, or a piece of the stream).
    Send(Vec<u8>),
    /// Wait for the queue to drain (or the gap to pass).
    Wait,
    /// Every byte is read and none waits in the queue: done.
    Done,
}

impl FileJob {
    /// Opens `spec.path` for a socket (`datagram`: one datagram per piece).
    pub(crate) fn open(spec: &FileSend, datagram: bool) -> io::Result<Self> {
        let file = File::open(&spec.path)?;
        let meta = file.metadata()?;
        if meta.is_dir() {
            return Err(io::Error::from_raw_os_error(nix::libc::EISDIR));
        }
        Ok(FileJob {
            file,
            total: meta.len(),
            handed: 0,
            piece: if datagram { spec.piece.max(1) } else { 0 },
            gap: if datagram { spec.gap } else { Duration::ZERO },
            to: spec.to.clone(),
            timer: None,
            eof: false,
            last_report: Instant::now(),
        })
    }

    /// Bytes handed to the kernel, given what waits in the socket's queue.
    pub(crate) fn sent(&self, queued: usize) -> u64 {
        self.handed.saturating_sub(queued as u64)
    }

    /// The wait after a datagram (`None`: none).
    pub(crate) fn gap(&self) -> Option<Duration> {
        (self.piece > 0 && !self.gap.is_zero()).then_some(self.gap)
    }

    /// Whether a progress report is due (and if so, counts it as made).
    pub(crate) fn report_due(&mut self) -> bool {
        let due = self.last_report.elapsed() >= FILE_PROGRESS_EVERY;
        if due {
            self.last_report = Instant::now();
        }
        due
    }

    /// The next step, with `queued` bytes waiting in the socket's queue.
    pub(crate) fn next(&mut self, queued: usize) -> io::Result<Step> {
        if self.timer.is_some() {
            return Ok(Step::Wait);
        }
        if self.eof {
            return Ok(if queued == 0 { Step::Done } else { Step::Wait });
        }
        if queued >= FILE_QUEUE_BYTES {
            return Ok(Step::Wait);
        }
        let want = if self.piece > 0 {
            self.piece
        } else {
            FILE_STREAM_PIECE.min(FILE_QUEUE_BYTES - queued)
        };
        let mut buf = vec![0; want];
        let mut got = 0;
        // A datagram is a whole piece (short only at the end of the file).
        while got < want {
            match self.file.read(&mut buf[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
            if self.piece == 0 {
                break;
            }
        }
        if got == 0 {
            self.eof = true;
            return self.next(queued);
        }
        buf.truncate(got);
        self.handed += got as u64;
        if got < want && self.piece > 0 {
            self.eof = true;
        }
        Ok(Step::Send(buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(bytes: &[u8], piece: usize) -> (FileJob, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "sockbench-file-send-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f.bin");
        std::fs::write(&path, bytes).unwrap();
        let spec = FileSend {
            path: path.clone(),
            piece,
            gap: Duration::ZERO,
            to: None,
        };
        (FileJob::open(&spec, piece > 0).unwrap(), dir)
    }

    #[test]
    fn datagrams_are_whole_pieces_and_the_last_is_the_rest() {
        let (mut j, dir) = job(b"abcdefghij", 4);
        assert_eq!(j.total, 10);
        assert_eq!(j.next(0).unwrap(), Step::Send(b"abcd".to_vec()));
        assert_eq!(j.next(0).unwrap(), Step::Send(b"efgh".to_vec()));
        assert_eq!(j.next(0).unwrap(), Step::Send(b"ij".to_vec()));
        assert_eq!(j.next(2).unwrap(), Step::Wait);
        assert_eq!(j.next(0).unwrap(), Step::Done);
        assert_eq!(j.sent(0), 10);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_stream_never_queues_more_than_the_bound() {
        let data: Vec<u8> = (0..3 * FILE_QUEUE_BYTES).map(|i| i as u8).collect();
        let (mut j, dir) = job(&data, 0);
        let mut queued = 0;
        let mut out = Vec::new();
        loop {
            match j.next(queued).unwrap() {
                Step::Send(b) => {
                    queued += b.len();
                    assert!(queued <= FILE_QUEUE_BYTES);
                    out.extend(b);
                }
                // The kernel takes everything queued.
                Step::Wait => queued = 0,
                Step::Done => break,
            }
        }
        assert_eq!(out, data);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_directory_is_refused() {
        let spec = FileSend {
            path: std::env::temp_dir(),
            piece: 0,
            gap: Duration::ZERO,
            to: None,
        };
        let e = FileJob::open(&spec, false).err().unwrap();
        assert_eq!(e.raw_os_error(), Some(nix::libc::EISDIR));
    }
}
