//! `getsockopt(IPPROTO_TCP, TCP_INFO)`: the kernel's state of a TCP socket,
//! its round-trip time and what is still unacknowledged. Neither socket2
//! nor nix wraps it, so this module holds the crate's one `unsafe` call,
//! with the kernel's struct laid out up to the fields used here (the kernel
//! copies at most the length asked for and says how much it wrote).

#[cfg(target_os = "linux")]
pub(crate) use linux::tcp_info;

/// `TCP_INFO` as Linux lays it out.
#[cfg(target_os = "linux")]
mod linux {
    use std::io;
    use std::mem::{offset_of, size_of};
    use std::os::fd::AsRawFd;

    use nix::libc;

    use crate::engine::message::{TcpInfo, TcpState};

    /// `struct tcp_info` from `linux/tcp.h`, up to `tcpi_bytes_retrans` (4.19).
    #[repr(C)]
    #[derive(Default)]
    #[allow(dead_code)] // Every field is there for the layout; a few are read.
    struct RawTcpInfo {
        state: u8,
        ca_state: u8,
        retransmits: u8,
        probes: u8,
        backoff: u8,
        options: u8,
        wscale: u8,
        app_limited: u8,
        rto: u32,
        ato: u32,
        snd_mss: u32,
        rcv_mss: u32,
        unacked: u32,
        sacked: u32,
        lost: u32,
        retrans: u32,
        fackets: u32,
        last_data_sent: u32,
        last_ack_sent: u32,
        last_data_recv: u32,
        last_ack_recv: u32,
        pmtu: u32,
        rcv_ssthresh: u32,
        rtt: u32,
        rttvar: u32,
        snd_ssthresh: u32,
        snd_cwnd: u32,
        advmss: u32,
        reordering: u32,
        rcv_rtt: u32,
        rcv_space: u32,
        total_retrans: u32,
        pacing_rate: u64,
        max_pacing_rate: u64,
        bytes_acked: u64,
        bytes_received: u64,
        segs_out: u32,
        segs_in: u32,
        notsent_bytes: u32,
        min_rtt: u32,
        data_segs_in: u32,
        data_segs_out: u32,
        delivery_rate: u64,
        busy_time: u64,
        rwnd_limited: u64,
        sndbuf_limited: u64,
        delivered: u32,
        delivered_ce: u32,
        bytes_sent: u64,
        bytes_retrans: u64,
    }

    /// `TCP_LISTEN` in `tcpi_state`.
    const LISTEN: u8 = 10;

    /// Asks the kernel about the TCP socket `fd`.
    pub(crate) fn tcp_info(fd: &impl AsRawFd) -> io::Result<TcpInfo> {
        let mut raw = RawTcpInfo::default();
        let mut len = size_of::<RawTcpInfo>() as libc::socklen_t;
        // SAFETY: `raw` is a plain `repr(C)` struct of integers, valid for any
        // bytes; the kernel writes at most `len` bytes into it and stores in
        // `len` how many it wrote. Both pointers live for the whole call.
        #[allow(unsafe_code)]
        let rc = unsafe {
            libc::getsockopt(
                fd.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_INFO,
                (&raw mut raw).cast::<libc::c_void>(),
                &mut len,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        let got = len as usize;
        let has = |end: usize| got >= end;
        if !has(offset_of!(RawTcpInfo, total_retrans) + 4) {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "the kernel's TCP_INFO is too short",
            ));
        }
        Ok(TcpInfo {
            state: TcpState::from_raw(raw.state),
            rtt_us: raw.rtt,
            rttvar_us: raw.rttvar,
            unacked_segments: raw.unacked,
            unacked_bytes: has(offset_of!(RawTcpInfo, bytes_retrans) + 8).then(|| {
                raw.bytes_sent
                    .saturating_sub(raw.bytes_retrans)
                    .saturating_sub(raw.bytes_acked)
            }),
            notsent_bytes: has(offset_of!(RawTcpInfo, notsent_bytes) + 4)
                .then_some(raw.notsent_bytes),
            total_retrans: raw.total_retrans,
            snd_cwnd: raw.snd_cwnd,
            snd_mss: raw.snd_mss,
            // For a listening socket Linux reports the accept queue's length in
            // `tcpi_unacked` and its limit in `tcpi_sacked`.
            accept_queue: (raw.state == LISTEN).then_some((raw.unacked, raw.sacked)),
        })
    }
}

/// `TCP_INFO` is Linux's: elsewhere the lesson view shows no kernel state.
#[cfg(not(target_os = "linux"))]
pub(crate) fn tcp_info(
    _fd: &impl std::os::fd::AsRawFd,
) -> std::io::Result<super::message::TcpInfo> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "TCP_INFO is only read on Linux",
    ))
}
