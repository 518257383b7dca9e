//! An index of a tar archive built from its headers alone: member name → data offset and size.
//!
//! Formats (POSIX.1-2001 pax, as Go `archive/tar` reads them, which is what skopeo and Docker
//! write): 512-byte ustar headers (name + `prefix`), octal or base-256 sizes, header checksums,
//! GNU `L`/`K` long names, pax `x` records (`path`, `linkpath`, `size`; applying to the next
//! header only) and `g` records (ignored, as Go does). The data of members is never read, so a
//! 2 GB `docker save` is indexed by reading a few hundred bytes per member.
//!
//! Hostile archives are bounded: each long-name or pax record is capped, as are the member
//! count and the total of header bytes read. `..` and absolute names are refused one by one
//! (the rest is still indexed); so are names that are not UTF-8, which no layout uses.

use std::collections::BTreeMap;

use super::source::Source;
use super::ArchiveError;

const BLOCK: u64 = 512;
/// Largest GNU long-name or pax record we read (LAYERS.md §6 "Caps in the worker").
pub const MAX_RECORD: u64 = 1024 * 1024;
/// Most members indexed.
pub const MAX_MEMBERS: usize = 1_000_000;
/// Most header and record bytes read in total.
pub const MAX_HEADER_BYTES: u64 = 64 * 1024 * 1024;
/// Most symbolic or hard links followed to reach a file.
const MAX_LINK_HOPS: usize = 8;

/// What a member is. Only files have data worth locating; links are followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberKind {
    File,
    Directory,
    /// The target as written, relative to the link's directory.
    Symlink(String),
    /// The target: another member's name.
    Hardlink(String),
    /// Devices, FIFOs and unknown types, by type flag.
    Other(u8),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Normalized: no `./`, no trailing `/`.
    pub name: String,
    /// Where the member's data starts in the archive.
    pub offset: u64,
    pub size: u64,
    pub kind: MemberKind,
}

/// The members of one archive, and what was wrong with the ones that were skipped.
#[derive(Clone, Debug, Default)]
pub struct TarIndex {
    members: BTreeMap<String, Member>,
    pub problems: Vec<ArchiveError>,
    /// Bytes read to build the index (headers and records only).
    pub bytes_read: u64,
}

/// Headers that modify the next file header (pax `x`, GNU `L`/`K`). Kept apart because, as
/// in Go `archive/tar`, pax wins over a GNU long name whatever their order, and a pax `size`
/// applies to the next file header, never to an `L`/`K`/`x` record in between (the parser
/// differentials of CVE-2026-33055 and GHSA-3pv8-6f4r-ffg2).
#[derive(Default)]
struct Pending {
    pax_name: Option<Vec<u8>>,
    pax_link: Option<Vec<u8>>,
    pax_size: Option<u64>,
    gnu_name: Option<Vec<u8>>,
    gnu_link: Option<Vec<u8>>,
}

impl TarIndex {
    /// Indexes `source`. Fails only when not even the first header is a tar header; later
    /// damage stops the walk with a problem, keeping the members found before it.
    pub fn build(source: &dyn Source) -> Result<TarIndex, ArchiveError> {
        let mut index = TarIndex::default();
        let mut pending = Pending::default();
        let mut position = 0u64;
        let total = source.len();
        loop {
            if position >= total {
                break;
            }
            if total - position < BLOCK {
                index.problems.push(ArchiveError::Truncated {
                    name: "(header)".into(),
                    offset: position,
                });
                break;
            }
            if index.bytes_read >= MAX_HEADER_BYTES {
                index.problems.push(ArchiveError::IndexCap {
                    limit: format!("{MAX_HEADER_BYTES} bytes of headers"),
                });
                break;
            }
            let block = read(source, position, BLOCK as usize, &mut index.bytes_read)?;
            if block.iter().all(|&b| b == 0) {
                break; // end-of-archive marker
            }
            let header = match Header::parse(&block) {
                Ok(header) => header,
                Err(reason) if position == 0 => return Err(ArchiveError::NotATar { reason }),
                Err(reason) => {
                    index.problems.push(ArchiveError::BadTarHeader {
                        offset: position,
                        reason,
                    });
                    break;
                }
            };
            let data = position + BLOCK;
            let size = match header.typeflag {
                // Go `archive/tar` ignores the size of header-only types; so do we, so both
                // agree on where the next header is.
                b'1' | b'2' | b'3' | b'4' | b'5' | b'6' => 0,
                b'x' | b'g' | b'L' | b'K' => header.size,
                _ => pending.pax_size.unwrap_or(header.size),
            };
            let Some(next) = data.checked_add(size.div_ceil(BLOCK) * BLOCK) else {
                index.problems.push(ArchiveError::BadTarHeader {
                    offset: position,
                    reason: format!("size {size} overflows"),
                });
                break;
            };
            // Padding after the last member may be missing; the data may not.
            if data.saturating_add(size) > total {
                index.problems.push(ArchiveError::Truncated {
                    name: String::from_utf8_lossy(&header.name).into_owned(),
                    offset: position,
                });
                break;
            }
            match header.typeflag {
                b'x' | b'L' | b'K' => {
                    let record = if size > MAX_RECORD {
                        index.problems.push(ArchiveError::RecordTooLarge {
                            offset: position,
                            size,
                            max: MAX_RECORD,
                        });
                        None
                    } else {
                        // `size` ≤ MAX_RECORD, so it fits in usize.
                        Some(read(source, data, size as usize, &mut index.bytes_read)?)
                    };
                    if let Some(record) = record {
                        match header.typeflag {
                            b'x' => pending.apply_pax(&record),
                            b'L' => pending.gnu_name = Some(trim_nul(&record).to_vec()),
                            _ => pending.gnu_link = Some(trim_nul(&record).to_vec()),
                        }
                    }
                }
                b'g' => {}
                flag => {
                    let pending = std::mem::take(&mut pending);
                    let raw_name = pending.pax_name.or(pending.gnu_name).unwrap_or(header.name);
                    let raw_link = pending.pax_link.or(pending.gnu_link).unwrap_or(header.link);
                    if index.members.len() >= MAX_MEMBERS {
                        index.problems.push(ArchiveError::IndexCap {
                            limit: format!("{MAX_MEMBERS} members"),
                        });
                        break;
                    }
                    index.add(raw_name, raw_link, flag, data, size);
                }
            }
            position = next;
        }
        Ok(index)
    }

    fn add(&mut self, raw_name: Vec<u8>, raw_link: Vec<u8>, flag: u8, offset: u64, size: u64) {
        let name = match String::from_utf8(raw_name) {
            Ok(name) => name,
            Err(e) => {
                self.problems.push(ArchiveError::UnsafeMemberName {
                    name: String::from_utf8_lossy(e.as_bytes()).into_owned(),
                    reason: "not UTF-8",
                });
                return;
            }
        };
        let normalized = match normalize(&name) {
            Ok(normalized) => normalized,
            Err(reason) => {
                self.problems
                    .push(ArchiveError::UnsafeMemberName { name, reason });
                return;
            }
        };
        if normalized.is_empty() {
            return; // `./`, the archive's root directory
        }
        let link = String::from_utf8_lossy(&raw_link).into_owned();
        let kind = match flag {
            b'0' | 0 | b'7' => MemberKind::File,
            b'1' => MemberKind::Hardlink(link),
            b'2' => MemberKind::Symlink(link),
            b'5' => MemberKind::Directory,
            other => MemberKind::Other(other),
        };
        if self.members.contains_key(&normalized) && kind != MemberKind::Directory {
            // tar semantics: the later member wins, as an extractor would overwrite.
            self.problems.push(ArchiveError::DuplicateMember {
                name: normalized.clone(),
            });
        }
        self.members.insert(
            normalized.clone(),
            Member {
                name: normalized,
                offset,
                size,
                kind,
            },
        );
    }

    pub fn members(&self) -> impl Iterator<Item = &Member> {
        self.members.values()
    }

    pub fn get(&self, name: &str) -> Option<&Member> {
        self.members.get(name)
    }

    /// The regular file `name` names, following symbolic and hard links (legacy `docker save`
    /// writes `<id>/layer.tar -> ../<hex>.tar`) up to a few hops, never outside the archive.
    pub fn resolve(&self, name: &str) -> Option<&Member> {
        let mut current = self.members.get(name)?;
        for _ in 0..=MAX_LINK_HOPS {
            let target = match &current.kind {
                MemberKind::File => return Some(current),
                MemberKind::Symlink(target) => {
                    let dir = current.name.rsplit_once('/').map_or("", |(dir, _)| dir);
                    join(dir, target)?
                }
                MemberKind::Hardlink(target) => normalize(target).ok()?,
                MemberKind::Directory | MemberKind::Other(_) => return None,
            };
            current = self.members.get(&target)?;
        }
        None
    }
}

fn read(
    source: &dyn Source,
    offset: u64,
    len: usize,
    counter: &mut u64,
) -> Result<Vec<u8>, ArchiveError> {
    *counter = counter.saturating_add(len as u64);
    source.read_at(offset, len).map_err(ArchiveError::Read)
}

impl Pending {
    /// `"%d %s=%s\n"` records; a malformed record ends the parse (Go rejects the archive;
    /// we keep what was read, the member is still checked by name).
    fn apply_pax(&mut self, mut record: &[u8]) {
        while let Some(space) = record.iter().position(|&b| b == b' ') {
            let Some(length) = std::str::from_utf8(&record[..space])
                .ok()
                .and_then(|l| l.parse::<usize>().ok())
            else {
                return;
            };
            let Some(entry) = record.get(space + 1..length) else {
                return;
            };
            let entry = entry.strip_suffix(b"\n").unwrap_or(entry);
            if let Some(eq) = entry.iter().position(|&b| b == b'=') {
                let (key, value) = (&entry[..eq], &entry[eq + 1..]);
                match key {
                    b"path" => self.pax_name = Some(value.to_vec()),
                    b"linkpath" => self.pax_link = Some(value.to_vec()),
                    b"size" => {
                        self.pax_size = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok())
                    }
                    _ => {}
                }
            }
            record = &record[length..];
        }
    }
}

struct Header {
    name: Vec<u8>,
    link: Vec<u8>,
    size: u64,
    typeflag: u8,
}

impl Header {
    fn parse(block: &[u8]) -> Result<Header, String> {
        let field = |start: usize, len: usize| block.get(start..start + len).unwrap_or_default();
        let stored = parse_octal(field(148, 8)).ok_or("the checksum field is not octal")?;
        // The checksum counts its own field as spaces; old tars summed signed bytes.
        let unsigned: u64 = block
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u64::from(b)
                }
            })
            .sum();
        let signed: i64 = block
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    i64::from(b as i8)
                }
            })
            .sum();
        if stored != unsigned && i64::try_from(stored).ok() != Some(signed) {
            return Err(format!(
                "header checksum {stored} does not match the computed {unsigned}"
            ));
        }
        let mut name = trim_nul(field(0, 100)).to_vec();
        if field(257, 6) == b"ustar\0" {
            let prefix = trim_nul(field(345, 155));
            if !prefix.is_empty() {
                name = [prefix, b"/", &name].concat();
            }
        }
        Ok(Header {
            name,
            link: trim_nul(field(157, 100)).to_vec(),
            size: parse_size(field(124, 12)).ok_or("the size field is not a number")?,
            typeflag: block.get(156).copied().unwrap_or(0),
        })
    }
}

fn trim_nul(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    &bytes[..end]
}

/// Octal, optionally padded with spaces or NULs.
fn parse_octal(field: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(trim_nul(field)).ok()?.trim();
    if text.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(text, 8).ok()
}

/// Octal, or GNU base-256 (high bit of the first byte set) for sizes ≥ 8 GiB.
fn parse_size(field: &[u8]) -> Option<u64> {
    match field.split_first() {
        Some((&first, rest)) if first & 0x80 != 0 => {
            if first & 0x40 != 0 {
                return None; // negative
            }
            let digits: Vec<u8> = std::iter::once(first & 0x3f)
                .chain(rest.iter().copied())
                .skip_while(|&b| b == 0)
                .collect();
            if digits.len() > 8 {
                return None;
            }
            Some(digits.iter().fold(0, |acc, &b| (acc << 8) | u64::from(b)))
        }
        _ => parse_octal(field),
    }
}

/// `./a//b/` → `a/b`; absolute names and `..` components are refused.
pub(super) fn normalize(name: &str) -> Result<String, &'static str> {
    if name.starts_with('/') {
        return Err("absolute path");
    }
    let mut parts = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("contains `..`"),
            part => parts.push(part),
        }
    }
    Ok(parts.join("/"))
}

/// `dir` joined with a relative symlink target; `None` when it is absolute or leaves the root.
fn join(dir: &str, target: &str) -> Option<String> {
    if target.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}
