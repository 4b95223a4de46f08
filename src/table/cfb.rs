//! The OLE2 compound file (MS-CFB) around an XLS workbook, checked before calamine opens it.
//!
//! calamine follows the file's sector chains as they are written: a chain that loops, or a
//! sector number beyond the end of the file, makes it read for ever, allocate what the header
//! claims, or index past its tables. This module reads the same structure the way calamine does
//! (header, DIFAT, FAT, directory, mini stream) but refuses anything inconsistent with the file's
//! length: a count or sector number the file cannot hold is an error, never an allocation; every
//! chain must end, visiting each sector once. What it hands back, the workbook stream, is
//! byte for byte what calamine will read, so that [`super::biff`] can check it first.

/// The eight bytes every compound file starts with.
pub const SIGNATURE: [u8; 8] = *b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Sector numbers from here up are markers, not sectors.
const MAXREGSECT: u32 = 0xFFFF_FFFA;
/// A FAT entry marking a DIFAT sector.
const DIFSECT: u32 = 0xFFFF_FFFC;
/// The end of a chain.
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
/// Mini sectors are 64 bytes (mini sector shift 6).
const MINI_SECTOR: usize = 64;
/// Streams shorter than this live in the mini stream (calamine uses the fixed value of the
/// specification, not the header's field, and so do we).
const MINI_CUTOFF: usize = 4096;
/// A directory entry's size.
const ENTRY: usize = 128;

/// A checked compound file: its tables, and the file's bytes.
pub struct Compound<'a> {
    bytes: &'a [u8],
    sector: usize,
    fat: Vec<u32>,
    entries: Vec<Entry>,
    mini_fat: Vec<u32>,
    mini_stream: Vec<u8>,
}

/// A directory entry: what calamine keeps of it.
struct Entry {
    name: String,
    start: u32,
    len: usize,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u32s(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4).map(|c| u32_at(c, 0))
}

impl<'a> Compound<'a> {
    /// Reads and checks the structure of a compound file. The error says what is inconsistent.
    pub fn open(bytes: &'a [u8]) -> Result<Self, String> {
        if bytes.len() < 512 || bytes[..8] != SIGNATURE {
            return Err(
                "not an OLE2 compound file (no signature, or shorter than a header)".into(),
            );
        }
        let shift = u16_at(bytes, 30);
        let sector = match shift {
            9 => 512,
            12 => 4096,
            s => return Err(format!("OLE2 header: sector shift {s}, expected 9 or 12")),
        };
        let mini_shift = u16_at(bytes, 32);
        if mini_shift != 6 {
            return Err(format!(
                "OLE2 header: mini sector shift {mini_shift}, expected 6"
            ));
        }
        if bytes.len() < sector {
            return Err(format!(
                "OLE2 header: {sector}-byte sectors, but the file has only {} bytes",
                bytes.len()
            ));
        }
        // Sector n starts at (n + 1) × sector; a partial last sector counts.
        let sectors = (bytes.len() - sector).div_ceil(sector);
        let holds = format!(
            "the file holds only {} sector{}",
            crate::limits::thousands(sectors as u64),
            if sectors == 1 { "" } else { "s" }
        );
        let header_count = |at: usize, what: &str| -> Result<usize, String> {
            let n = u32_at(bytes, at) as usize;
            if n > sectors {
                Err(format!(
                    "OLE2 header: {} {what} sectors, but {holds}",
                    crate::limits::thousands(n as u64)
                ))
            } else {
                Ok(n)
            }
        };
        header_count(44, "FAT")?;
        let mini_fat_sectors = header_count(64, "mini FAT")?;
        header_count(72, "DIFAT")?;
        let start = |at: usize, what: &str| -> Result<u32, String> {
            let id = u32_at(bytes, at);
            if id < MAXREGSECT && id as usize >= sectors {
                Err(format!(
                    "OLE2 header: the {what} starts at sector {id}, but {holds}"
                ))
            } else {
                Ok(id)
            }
        };
        let dir_start = start(48, "directory")?;
        let mini_fat_start = start(60, "mini FAT")?;
        let difat_start = start(68, "DIFAT")?;
        if dir_start >= MAXREGSECT {
            return Err("OLE2 header: no directory".into());
        }

        let mut file = Compound {
            bytes,
            sector,
            fat: Vec::new(),
            entries: Vec::new(),
            mini_fat: Vec::new(),
            mini_stream: Vec::new(),
        };
        // Each FAT sector is read once: a DIFAT listing one sector many times would make the
        // FAT many times larger than the file.
        let mut is_fat = vec![false; sectors];
        for id in file.difat(difat_start, sectors)? {
            let data = file.whole_sector(id, sectors, "FAT")?;
            if std::mem::replace(&mut is_fat[id as usize], true) {
                return Err(format!("OLE2 DIFAT lists FAT sector {id} twice"));
            }
            file.fat.extend(u32s(data));
        }
        let dir = file.chain(dir_start, usize::MAX, "directory")?;
        file.entries = dir
            .chunks_exact(ENTRY)
            .map(|e| {
                let (name, _, _) = encoding_rs::UTF_16LE.decode(&e[..64]);
                let mut name = name.into_owned();
                if let Some(end) = name.find('\0') {
                    name.truncate(end);
                }
                // Version 3 files keep the high half of the size zero (calamine reads 32 bits).
                let len = if sector == 512 {
                    u32_at(e, 120) as usize
                } else {
                    u64::from_le_bytes(e[120..128].try_into().unwrap_or_default()) as usize
                };
                Entry {
                    name,
                    start: u32_at(e, 116),
                    len,
                }
            })
            .collect();
        let Some(root) = file.entries.first() else {
            return Err("OLE2 directory is empty".into());
        };
        if mini_fat_sectors > 0 {
            let (root_start, root_len) = (root.start, root.len);
            file.mini_stream = file.chain(root_start, root_len, "mini stream")?;
            let mini_fat = file.chain(mini_fat_start, mini_fat_sectors * sector, "mini FAT")?;
            file.mini_fat = u32s(&mini_fat).collect();
        }
        Ok(file)
    }

    /// The FAT sector numbers: the header's 109, then the DIFAT chain's (each DIFAT sector's
    /// last entry is the next DIFAT sector, as calamine reads it).
    fn difat(&self, mut next: u32, sectors: usize) -> Result<Vec<u32>, String> {
        let mut ids: Vec<u32> = u32s(&self.bytes[76..512]).collect();
        let mut seen = vec![false; sectors];
        while next < MAXREGSECT {
            let at = next as usize;
            if seen.get(at).copied().unwrap_or(true) {
                return Err(format!(
                    "OLE2 DIFAT chain loops or leaves the file at sector {next}"
                ));
            }
            seen[at] = true;
            ids.extend(u32s(self.whole_sector(next, sectors, "DIFAT")?));
            next = ids.pop().unwrap_or(ENDOFCHAIN);
        }
        Ok(ids.into_iter().filter(|&id| id < DIFSECT).collect())
    }

    /// A sector that must lie wholly inside the file (FAT and DIFAT sectors).
    fn whole_sector(&self, id: u32, sectors: usize, what: &str) -> Result<&'a [u8], String> {
        let at = (id as usize + 1) * self.sector;
        if (id as usize) >= sectors || at + self.sector > self.bytes.len() {
            return Err(format!(
                "OLE2 {what} sector {id} lies beyond the end of the file"
            ));
        }
        Ok(&self.bytes[at..at + self.sector])
    }

    /// The first `len` bytes of the chain starting at `start`, as calamine collects them: it
    /// stops at the end of the chain or once `len` bytes are read. The chain must visit each
    /// sector once and stay inside the file.
    fn chain(&self, start: u32, len: usize, what: &str) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut cut = false;
        let mut seen = vec![false; self.fat.len()];
        let mut id = start;
        while id != ENDOFCHAIN {
            let at = id as usize;
            if at >= self.fat.len() || seen[at] {
                return Err(format!(
                    "OLE2 {what} chain loops or leaves the file at sector {id}"
                ));
            }
            seen[at] = true;
            let begin = (at + 1) * self.sector;
            let take = self.sector.min(len - out.len());
            let end = self.bytes.len().min(begin + take);
            // A file cut short reads as far as it goes, as calamine reads it: the sector at
            // the cut gives what is there, and the chain may go on only through sectors wholly
            // past the end (calamine gives nothing for them the first time it is asked; the
            // sector numbers it allows stop at the file's length). Anything after the cut that
            // has bytes would read differently in calamine, which pads a sector it read short
            // with zeros when asked for it again.
            if at > self.bytes.len() / self.sector || (cut && end > begin) {
                return Err(format!(
                    "OLE2 {what} sector {id} lies beyond the end of the file"
                ));
            }
            out.extend_from_slice(&self.bytes[begin.min(end)..end]);
            cut |= end < begin + take;
            if out.len() >= len {
                break;
            }
            id = self.fat[at];
        }
        Ok(out)
    }

    /// The same through the mini FAT, over the mini stream.
    fn mini_chain(&self, start: u32, len: usize, what: &str) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut seen = vec![false; self.mini_fat.len()];
        let mut id = start;
        while id != ENDOFCHAIN {
            let at = id as usize;
            // A mini sector past the mini stream would make calamine read whatever follows in
            // the file, so it must lie wholly inside.
            let begin = at.saturating_mul(MINI_SECTOR);
            if at >= self.mini_fat.len()
                || seen[at]
                || begin.saturating_add(MINI_SECTOR) > self.mini_stream.len()
            {
                return Err(format!(
                    "OLE2 {what} chain loops or leaves the mini stream at mini sector {id}"
                ));
            }
            seen[at] = true;
            let take = MINI_SECTOR.min(len - out.len());
            out.extend_from_slice(&self.mini_stream[begin..begin + take]);
            if out.len() >= len {
                break;
            }
            id = self.mini_fat[at];
        }
        Ok(out)
    }

    /// The stream of the first directory entry with one of `names` (compared as calamine does,
    /// ASCII case-insensitively), or `None` when there is none.
    pub fn stream(&self, names: &[&str]) -> Result<Option<Vec<u8>>, String> {
        for name in names {
            let Some(e) = self
                .entries
                .iter()
                .find(|e| e.name.as_bytes().eq_ignore_ascii_case(name.as_bytes()))
            else {
                continue;
            };
            let data = if e.len < MINI_CUTOFF {
                self.mini_chain(e.start, e.len, name)?
            } else {
                self.chain(e.start, e.len, name)?
            };
            return Ok(Some(data));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_u32(b: &mut [u8], at: usize, v: u32) {
        b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    #[test]
    fn a_consistent_file_gives_back_its_stream() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        let bytes = crate::table::testbook::compound("Workbook", &data);
        let file = Compound::open(&bytes).unwrap();
        let got = file.stream(&["Workbook", "Book"]).unwrap().unwrap();
        assert_eq!(got, data);
        assert!(file.stream(&["Nothing"]).unwrap().is_none());
    }

    #[test]
    fn inconsistent_headers_and_chains_are_errors() {
        let good = crate::table::testbook::compound("Workbook", b"x");
        type Mutation = fn(&mut Vec<u8>);
        let cases: [(&str, Mutation); 8] = [
            ("signature", |b| b[0] = 0),
            ("sector shift 13", |b| b[30] = 13),
            ("mini sector shift 7", |b| b[32] = 7),
            ("4,000,000,000 FAT sectors", |b| {
                set_u32(b, 44, 4_000_000_000)
            }),
            ("directory starts at sector 900", |b| set_u32(b, 48, 900)),
            ("FAT sector 77 lies beyond", |b| set_u32(b, 76, 77)),
            // The stream's chain points back at itself.
            ("Workbook chain loops", |b| set_u32(b, 512 + 4 * 3, 3)),
            // The directory's chain runs into a free sector.
            ("directory chain loops or leaves", |b| {
                set_u32(b, 512 + 4, 0xFFFF_FFFF)
            }),
        ];
        for (want, mutate) in cases {
            let mut b = good.clone();
            mutate(&mut b);
            let err = Compound::open(&b)
                .and_then(|f| f.stream(&["Workbook"]).map(|_| ()))
                .unwrap_err();
            assert!(err.contains(want), "{want}: {err}");
        }
    }
}
