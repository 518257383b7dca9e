//! Small tars written field by field (ustar, numeric owner 0, one fixed mtime), for tests
//! that need real layer bytes with exact contents.

/// A ustar member: (name, typeflag, mode, data, link).
pub type TarMember<'a> = (&'a str, u8, u32, &'a [u8], &'a str);

/// A small tar written here, field by field (ustar, numeric owner 0).
pub fn tar_of(members: &[TarMember]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, typeflag, mode, data, link) in members {
        let mut h = vec![0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        let octal = |n: u64, width: usize| format!("{n:0w$o}\0", w = width - 1);
        h[100..108].copy_from_slice(octal(u64::from(*mode), 8).as_bytes());
        h[108..116].copy_from_slice(octal(0, 8).as_bytes());
        h[116..124].copy_from_slice(octal(0, 8).as_bytes());
        h[124..136].copy_from_slice(octal(data.len() as u64, 12).as_bytes());
        h[136..148].copy_from_slice(octal(1_700_000_000, 12).as_bytes());
        h[156] = *typeflag;
        h[157..157 + link.len()].copy_from_slice(link.as_bytes());
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].fill(b' ');
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        out.extend(h);
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}
