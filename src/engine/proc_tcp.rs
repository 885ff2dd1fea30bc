//! The kernel's TCP table (`/proc/net/tcp` and `/proc/net/tcp6` on Linux):
//! the state of a connection by its two addresses, even after its socket
//! is closed. This is how `TIME_WAIT` is seen: the side that closes first
//! keeps the connection's record in the kernel for a minute after its
//! descriptor is gone, and `TCP_INFO` cannot be asked of a closed socket.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::message::TcpState;

/// The kernel's state of the connection `local` ↔ `peer`; `None` when the
/// kernel holds no record of it any more.
pub(crate) fn state_of(local: SocketAddr, peer: SocketAddr) -> io::Result<Option<TcpState>> {
    let path = if local.is_ipv6() {
        "/proc/net/tcp6"
    } else {
        "/proc/net/tcp"
    };
    let table = std::fs::read_to_string(path)?;
    Ok(find(&table, local, peer))
}

/// Looks `local` ↔ `peer` up in the text of a `/proc/net/tcp*` table.
fn find(table: &str, local: SocketAddr, peer: SocketAddr) -> Option<TcpState> {
    table.lines().skip(1).find_map(|line| {
        let mut cols = line.split_whitespace().skip(1);
        let l = parse_addr(cols.next()?)?;
        let r = parse_addr(cols.next()?)?;
        let st = u8::from_str_radix(cols.next()?, 16).ok()?;
        (same(l, local) && same(r, peer)).then(|| TcpState::from_raw(st))
    })
}

/// Equal, counting an IPv4-mapped IPv6 address as its IPv4 address.
fn same(a: SocketAddr, b: SocketAddr) -> bool {
    let canon = |ip: IpAddr| match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    a.port() == b.port() && canon(a.ip()) == canon(b.ip())
}

/// `0100007F:1F90` (IPv4) or 32 hex digits and a port (IPv6). The kernel
/// prints each 32-bit word of the address as a number in this machine's
/// byte order.
fn parse_addr(s: &str) -> Option<SocketAddr> {
    let (ip, port) = s.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let word = |i: usize| -> Option<[u8; 4]> {
        let w = u32::from_str_radix(ip.get(i * 8..i * 8 + 8)?, 16).ok()?;
        Some(w.to_ne_bytes())
    };
    let ip = match ip.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(0)?)),
        32 => {
            let mut b = [0u8; 16];
            for i in 0..4 {
                b[i * 4..i * 4 + 4].copy_from_slice(&word(i)?);
            }
            IpAddr::V6(Ipv6Addr::from(b))
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_endian = "little")]
    fn finds_a_connection_by_its_addresses() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0
   1: 0100007F:D2F0 0100007F:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
";
        let local: SocketAddr = "127.0.0.1:54000".parse().unwrap();
        let peer: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert_eq!(find(table, local, peer), Some(TcpState::TimeWait));
        assert_eq!(find(table, peer, local), None);
        let v6 =
            "  sl  local_address                         remote_address                        st
   0: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:D2F0 08 0
";
        let l6: SocketAddr = "[::1]:8080".parse().unwrap();
        let p6: SocketAddr = "[::1]:54000".parse().unwrap();
        assert_eq!(find(v6, l6, p6), Some(TcpState::CloseWait));
        assert_eq!(parse_addr("nonsense"), None);
    }
}
