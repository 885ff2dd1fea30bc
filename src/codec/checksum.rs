//! Checksums appended to a payload on send and checked on receive: sum8,
//! XOR8 and the CRCs device protocols use, each named as the CRC catalogue
//! (reveng's) names it, computed by the `crc` crate.

use crc::{CRC_8_MAXIM_DOW, CRC_8_SMBUS, CRC_16_IBM_3740, CRC_16_MODBUS, CRC_16_XMODEM};
use crc::{CRC_32_ISO_HDLC, Crc};

/// A checksum algorithm.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum Checksum {
    /// The sum of the bytes, modulo 256 (one byte).
    #[default]
    Sum8,
    /// The XOR of the bytes (one byte; the "BCC" of many serial protocols).
    Xor8,
    /// CRC-8/SMBUS (poly 0x07, init 0; the plain "CRC-8"); check 0xF4.
    Crc8Smbus,
    /// CRC-8/MAXIM-DOW (Dallas 1-Wire, poly 0x31 reflected); check 0xA1.
    Crc8Maxim,
    /// CRC-16/MODBUS (sent low byte first on the wire); check 0x4B37.
    Crc16Modbus,
    /// CRC-16/CCITT-FALSE, the catalogue's CRC-16/IBM-3740; check 0x29B1.
    Crc16CcittFalse,
    /// CRC-16/XMODEM; check 0x31C3.
    Crc16Xmodem,
    /// CRC-32 (CRC-32/ISO-HDLC: zip, Ethernet, PNG); check 0xCBF43926.
    Crc32,
}

/// The order a multi-byte checksum's bytes are sent in.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum ByteOrder {
    /// Most significant byte first (network order).
    #[default]
    Big,
    /// Least significant byte first (Modbus RTU's CRC).
    Little,
}

impl ByteOrder {
    /// Both orders, in menu order.
    pub const ALL: [ByteOrder; 2] = [ByteOrder::Big, ByteOrder::Little];

    /// The name shown to users and used in templates: `be` or `le`.
    pub fn label(self) -> &'static str {
        match self {
            ByteOrder::Big => "be",
            ByteOrder::Little => "le",
        }
    }
}

const CRC8_SMBUS: Crc<u8> = Crc::<u8>::new(&CRC_8_SMBUS);
const CRC8_MAXIM: Crc<u8> = Crc::<u8>::new(&CRC_8_MAXIM_DOW);
const CRC16_MODBUS: Crc<u16> = Crc::<u16>::new(&CRC_16_MODBUS);
const CRC16_IBM_3740: Crc<u16> = Crc::<u16>::new(&CRC_16_IBM_3740);
const CRC16_XMODEM: Crc<u16> = Crc::<u16>::new(&CRC_16_XMODEM);
const CRC32: Crc<u32> = Crc::<u32>::new(&CRC_32_ISO_HDLC);

impl Checksum {
    /// Every algorithm, in menu order.
    pub const ALL: [Checksum; 8] = [
        Checksum::Sum8,
        Checksum::Xor8,
        Checksum::Crc8Smbus,
        Checksum::Crc8Maxim,
        Checksum::Crc16Modbus,
        Checksum::Crc16CcittFalse,
        Checksum::Crc16Xmodem,
        Checksum::Crc32,
    ];

    /// The catalogue name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Checksum::Sum8 => "SUM8",
            Checksum::Xor8 => "XOR8",
            Checksum::Crc8Smbus => "CRC-8/SMBUS",
            Checksum::Crc8Maxim => "CRC-8/MAXIM-DOW",
            Checksum::Crc16Modbus => "CRC-16/MODBUS",
            Checksum::Crc16CcittFalse => "CRC-16/CCITT-FALSE",
            Checksum::Crc16Xmodem => "CRC-16/XMODEM",
            Checksum::Crc32 => "CRC-32",
        }
    }

    /// The name used in templates (`${crc16-modbus}`).
    pub fn key(self) -> &'static str {
        match self {
            Checksum::Sum8 => "sum8",
            Checksum::Xor8 => "xor8",
            Checksum::Crc8Smbus => "crc8",
            Checksum::Crc8Maxim => "crc8-maxim",
            Checksum::Crc16Modbus => "crc16-modbus",
            Checksum::Crc16CcittFalse => "crc16-ccitt-false",
            Checksum::Crc16Xmodem => "crc16-xmodem",
            Checksum::Crc32 => "crc32",
        }
    }

    /// The algorithm a template key names (see [`Checksum::key`]); case is
    /// ignored.
    pub fn from_key(key: &str) -> Option<Checksum> {
        let key = key.trim().to_ascii_lowercase();
        Checksum::ALL.into_iter().find(|c| c.key() == key)
    }

    /// How many bytes the checksum takes.
    pub fn width(self) -> usize {
        match self {
            Checksum::Sum8 | Checksum::Xor8 | Checksum::Crc8Smbus | Checksum::Crc8Maxim => 1,
            Checksum::Crc16Modbus | Checksum::Crc16CcittFalse | Checksum::Crc16Xmodem => 2,
            Checksum::Crc32 => 4,
        }
    }

    /// The byte order the protocols using it send it in: low byte first for
    /// CRC-16/MODBUS and CRC-32 (as zip and Ethernet do), high byte first
    /// for the others.
    pub fn usual_order(self) -> ByteOrder {
        match self {
            Checksum::Crc16Modbus | Checksum::Crc32 => ByteOrder::Little,
            _ => ByteOrder::Big,
        }
    }

    /// The checksum of `bytes`, as a number.
    pub fn value(self, bytes: &[u8]) -> u32 {
        match self {
            Checksum::Sum8 => u32::from(bytes.iter().fold(0u8, |a, &b| a.wrapping_add(b))),
            Checksum::Xor8 => u32::from(bytes.iter().fold(0u8, |a, &b| a ^ b)),
            Checksum::Crc8Smbus => u32::from(CRC8_SMBUS.checksum(bytes)),
            Checksum::Crc8Maxim => u32::from(CRC8_MAXIM.checksum(bytes)),
            Checksum::Crc16Modbus => u32::from(CRC16_MODBUS.checksum(bytes)),
            Checksum::Crc16CcittFalse => u32::from(CRC16_IBM_3740.checksum(bytes)),
            Checksum::Crc16Xmodem => u32::from(CRC16_XMODEM.checksum(bytes)),
            Checksum::Crc32 => CRC32.checksum(bytes),
        }
    }

    /// The checksum of `bytes` as it is sent: [`Checksum::width`] bytes in
    /// `order`.
    pub fn bytes(self, bytes: &[u8], order: ByteOrder) -> Vec<u8> {
        let v = self.value(bytes).to_be_bytes();
        let mut out = v[4 - self.width()..].to_vec();
        if order == ByteOrder::Little {
            out.reverse();
        }
        out
    }

    /// Appends the checksum of all of `buf` to it.
    pub fn append(self, buf: &mut Vec<u8>, order: ByteOrder) {
        let sum = self.bytes(buf, order);
        buf.extend_from_slice(&sum);
    }

    /// Whether `message` ends with the checksum of the bytes before it.
    pub fn verify(self, message: &[u8], order: ByteOrder) -> bool {
        match message.len().checked_sub(self.width()) {
            Some(split) => {
                let (body, sum) = message.split_at(split);
                self.bytes(body, order) == sum
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The catalogue's check value: the checksum of the ASCII "123456789".
    #[test]
    fn catalogue_check_values() {
        let check = b"123456789";
        let expected: [(Checksum, u32); 8] = [
            (Checksum::Sum8, 0xDD),
            (Checksum::Xor8, 0x31),
            (Checksum::Crc8Smbus, 0xF4),
            (Checksum::Crc8Maxim, 0xA1),
            (Checksum::Crc16Modbus, 0x4B37),
            (Checksum::Crc16CcittFalse, 0x29B1),
            (Checksum::Crc16Xmodem, 0x31C3),
            (Checksum::Crc32, 0xCBF4_3926),
        ];
        for (c, v) in expected {
            assert_eq!(c.value(check), v, "{}", c.label());
        }
    }

    /// A Modbus RTU request as devices send it: read 10 holding registers
    /// from address 0 of unit 1 ends `C5 CD` (CRC low byte first).
    #[test]
    fn modbus_request_frame() {
        let mut frame = vec![0x01, 0x03, 0x00, 0x00, 0x00, 0x0A];
        Checksum::Crc16Modbus.append(&mut frame, ByteOrder::Little);
        assert_eq!(frame[6..], [0xC5, 0xCD]);
        assert!(Checksum::Crc16Modbus.verify(&frame, ByteOrder::Little));
        assert!(!Checksum::Crc16Modbus.verify(&frame, ByteOrder::Big));
        frame[2] = 1;
        assert!(!Checksum::Crc16Modbus.verify(&frame, ByteOrder::Little));
    }

    #[test]
    fn widths_orders_and_keys() {
        for c in Checksum::ALL {
            assert_eq!(Checksum::from_key(c.key()), Some(c));
            let be = c.bytes(b"abc", ByteOrder::Big);
            let mut le = c.bytes(b"abc", ByteOrder::Little);
            assert_eq!(be.len(), c.width());
            le.reverse();
            assert_eq!(be, le);
            let mut m = b"abc".to_vec();
            c.append(&mut m, ByteOrder::Big);
            assert!(c.verify(&m, ByteOrder::Big));
            assert!(!c.verify(&m[..c.width() - 1], ByteOrder::Big));
        }
        assert_eq!(
            Checksum::from_key("CRC16-MODBUS"),
            Some(Checksum::Crc16Modbus)
        );
        assert_eq!(Checksum::from_key("crc17"), None);
        assert_eq!(
            Checksum::Crc32.bytes(b"123456789", ByteOrder::Big),
            [0xCB, 0xF4, 0x39, 0x26]
        );
    }
}
