//! The permalink: everything needed to show the same view again lives in the URL query.
//!
//! `?ref=<reference>` a typed reference; `?sample=<id>` a built-in sample; `?doc=<json>` a
//! pasted document (only when small enough to share); `&at=<digest>` the object navigated to
//! from there, with `&mt=<media type>` and `&size=<bytes>` from the descriptor that linked to
//! it (which endpoint to ask, and the size to verify); `&expect=<digest>` the digest a pasted
//! document must have; `&view=raw` the raw bytes instead of the structured view; `&proxy=<url
//! prefix>` the proxy through which registries are reached, or `&proxy=direct` for none. Only
//! the query is used, never the path, so the app works under any sub-path.
//!
//! A comparison (`view=compare`) has the reference and `at` as its first side (or, with
//! `&disk=1`, the image at `at` inside what is open from disk; or the sample, or the pasted
//! document), and `&vs=<reference>` / `&vsat=<digest>` as its second (`&vs=disk:` for an
//! image inside what is open from disk, `vsat` naming it; `&vs=disk2:` for one inside another
//! file or folder opened in the compare view itself; `&vs=sample:<id>` for a sample; see
//! [`Place`]); `&pa=` / `&pb=` pick each side's
//! platform in an index (`linux/arm64`), `&notime=1` ignores timestamps, `&files=1` runs the
//! file diff, and `&tags=a,b,c` compares several tags of the first side's repository.
//!
//! A build may name a default proxy (`<meta name="manifest-explorer-proxy">`, written by
//! `scripts/csp --proxy`): a URL without `proxy=` uses it, which is why `proxy=direct` exists
//! (turning the default off must survive a reload). The route holds the proxy *in effect*;
//! the URL says only how it differs from the build's default, so parsing and rendering take
//! that default (see [`ProxyMode`]).
//!
//! Pure: parsing and rendering the query string is tested natively.

use crate::oci::Digest;

/// Documents larger than this are not put into the URL (browsers and servers cap URL length).
pub const MAX_DOC_IN_URL: usize = 16 * 1024;

/// Where the object on screen comes from.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Source {
    #[default]
    Empty,
    Reference(String),
    Sample(String),
    Document(String),
    /// A file opened from disk: its bytes stay in memory, so it has no permalink.
    File(String),
}

/// How the current document is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ViewMode {
    #[default]
    Structured,
    Raw,
    /// The files of one layer (the blob at `at`, or a layer file opened from disk).
    Files,
    /// The merged filesystem of the image manifest on screen.
    Fs,
    /// The signatures and attestations of the image manifest on screen.
    Sigs,
    /// The reference (and `at`) compared with the [`Compare`] side.
    Compare,
}

/// The query keys of a comparison. The page only carries them (raw, in [`Route::compare`]);
/// the compare module reads them with [`Compare::of`], so their parsing costs the page nothing.
const COMPARE_KEYS: [&str; 7] = ["vs", "vsat", "pa", "pb", "notime", "files", "tags"];

/// `vs=` for the image inside what is open from disk. No reference ends in `:` (a tag is never
/// empty), so this never shadows one.
const DISK_SIDE: &str = "disk:";

/// `vs=` for an image inside a second file or folder, opened in the compare view (so that two
/// archives can be compared; the page holds only one).
const OTHER_DISK_SIDE: &str = "disk2:";

/// `vs=sample:<id>` for a built-in sample. Only an id of [`crate::samples::SAMPLES`] makes it
/// a sample: `sample:v2` stays the reference `docker.io/library/sample:v2` (only the ten
/// `docker.io/library/sample:<sample id>` are shadowed).
const SAMPLE_SIDE: &str = "sample:";

/// Where a side of a comparison comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// A registry reference (a tag or digest reference), as typed.
    Reference(String),
    /// An image inside the file or folder open from disk (first side: `disk=1`; second side:
    /// `vs=disk:`), named by its digest (`at=` / `vsat=`).
    Disk,
    /// An image inside another file or folder, opened in the compare view itself (second
    /// side only: `vs=disk2:`, `vsat=` naming it). The compare module holds that file; the
    /// page knows nothing of it, so it is never a first side and does not swap.
    OtherDisk,
    /// A built-in sample by its id (first side: `sample=<id>`; second side:
    /// `vs=sample:<id>`); `at=` / `vsat=` may name an object of the sample store under it.
    Sample(String),
    /// A pasted document (`doc=`, with `expect=` when the person gave its digest). Only ever
    /// the first side: its text is the route's own source.
    Document(String),
}

impl Place {
    /// The first side of a comparison route: its reference, or what is open from disk.
    pub fn first(route: &Route) -> Option<Place> {
        match &route.source {
            _ if route.disk => Some(Place::Disk),
            Source::Reference(text) => Some(Place::Reference(text.clone())),
            Source::Sample(id) => Some(Place::Sample(id.clone())),
            Source::Document(text) => Some(Place::Document(text.clone())),
            Source::Empty | Source::File(_) => None,
        }
    }

    /// The second side's `vs=` value; `None` for a pasted document, which is never one.
    fn vs_text(&self) -> Option<String> {
        match self {
            Place::Disk => Some(DISK_SIDE.to_owned()),
            Place::OtherDisk => Some(OTHER_DISK_SIDE.to_owned()),
            Place::Sample(id) => Some(format!("{SAMPLE_SIDE}{id}")),
            Place::Reference(text) => Some(text.clone()),
            Place::Document(_) => None,
        }
    }

    /// The second side a `vs=` value names.
    fn of_vs(text: String) -> Place {
        match text.strip_prefix(SAMPLE_SIDE) {
            _ if text == DISK_SIDE => Place::Disk,
            _ if text == OTHER_DISK_SIDE => Place::OtherDisk,
            Some(id) if crate::samples::Sample::by_id(id).is_some() => Place::Sample(id.to_owned()),
            _ => Place::Reference(text),
        }
    }

    /// Makes `self` the first side of `route`; `false` (and `route` unchanged) for a place
    /// that cannot be one (another file opened in the compare view: the page does not hold it).
    fn set_first(self, route: &mut Route) -> bool {
        match self {
            Place::OtherDisk => return false,
            Place::Disk => {
                route.disk = true;
                route.source = Source::Empty;
            }
            Place::Reference(text) => {
                route.disk = false;
                route.source = Source::Reference(text);
            }
            Place::Sample(id) => {
                route.disk = false;
                route.source = Source::Sample(id);
            }
            Place::Document(text) => {
                route.disk = false;
                route.source = Source::Document(text);
            }
        }
        true
    }
}

/// The second side of a comparison, and how to compare (`view=compare`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Compare {
    /// The other side (`vs=`): a tag or digest reference, `disk:`, `disk2:` or `sample:<id>`.
    pub vs: Option<Place>,
    /// The manifest navigated to on that side (`vsat=`).
    pub vs_at: Option<Digest>,
    /// The platform picked in an index on each side (`pa=`, `pb=`).
    pub platform_a: Option<String>,
    pub platform_b: Option<String>,
    /// Ignore timestamps in the config diff (`notime=1`).
    pub no_time: bool,
    /// Download the differing layers and diff the files (`files=1`).
    pub files: bool,
    /// Several tags of the first side's repository (`tags=a,b`): the shared-layer matrix.
    pub tags: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Route {
    pub source: Source,
    pub at: Option<Digest>,
    /// Media type of the object at `at`, as the linking descriptor declared it.
    pub media_type: Option<String>,
    /// Size of the object at `at`, as the linking descriptor declared it.
    pub size: Option<u64>,
    /// The proxy prefix registries are reached through (`None`: directly), the build's
    /// default already applied.
    pub proxy: Option<String>,
    /// Documents up to 8 MiB instead of 4 MiB (`&big=1`), when the person asked.
    pub big: bool,
    pub expect: Option<Digest>,
    pub view: ViewMode,
    /// The selected file of a listing, as raw path bytes.
    pub path: Option<Vec<u8>>,
    /// The layer's diff_id, when the link came from a view that read the image config.
    pub diff: Option<Digest>,
    /// The comparison's parameters as the query has them (see [`Compare`]).
    pub compare: Vec<(String, String)>,
    /// The object is in the file or folder opened from disk (`&disk=1`): the lazily loaded
    /// views show it while the tab holds that file; after a reload they say it is gone.
    pub disk: bool,
}

impl Compare {
    /// The comparison the route's parameters describe; empty or malformed ones are dropped.
    pub fn of(route: &Route) -> Compare {
        let mut c = Compare::default();
        for (key, value) in &route.compare {
            let text = || (!value.is_empty()).then(|| value.clone());
            match key.as_str() {
                "vs" => c.vs = text().map(Place::of_vs),
                "vsat" => c.vs_at = value.parse().ok(),
                "pa" => c.platform_a = text(),
                "pb" => c.platform_b = text(),
                "notime" => c.no_time = value == "1",
                "files" => c.files = value == "1",
                "tags" => {
                    c.tags = value
                        .split(',')
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned)
                        .collect()
                }
                _ => {}
            }
        }
        c
    }

    /// Writes this comparison into `route`'s parameters (only what is set).
    pub fn apply(&self, route: &mut Route) {
        let mut pairs = Vec::new();
        let texts = [
            ("vs", self.vs.as_ref().and_then(Place::vs_text)),
            ("vsat", self.vs_at.as_ref().map(Digest::to_string)),
            ("pa", self.platform_a.clone()),
            ("pb", self.platform_b.clone()),
            ("notime", self.no_time.then(|| "1".to_owned())),
            ("files", self.files.then(|| "1".to_owned())),
            ("tags", (!self.tags.is_empty()).then(|| self.tags.join(","))),
        ];
        for (key, value) in texts {
            if let Some(v) = value {
                pairs.push((key.to_owned(), v));
            }
        }
        route.compare = pairs;
    }

    /// Exchanges the two sides of the comparison in `route`: where each comes from, the
    /// manifest navigated to and the platform picked. A file diff is not carried over (it
    /// would run again the other way round at once). `false` (and nothing changed) when the
    /// route has no second side or no first, the first is a pasted document (its text has
    /// no second-side form: it stays side A), or the second is another file opened in the
    /// compare view (it has no first-side form).
    pub fn swap(route: &mut Route) -> bool {
        let mut c = Compare::of(route);
        let (Some(first), Some(second)) = (Place::first(route), c.vs.take()) else {
            return false;
        };
        if matches!(first, Place::Document(_)) || !second.set_first(route) {
            return false;
        }
        c.vs = Some(first);
        std::mem::swap(&mut route.at, &mut c.vs_at);
        std::mem::swap(&mut c.platform_a, &mut c.platform_b);
        c.files = false;
        c.apply(route);
        true
    }
}

impl Route {
    /// Reads a query string (with or without the leading `?`) on a page whose build's default
    /// proxy is `default_proxy`. Unknown or malformed parameters are ignored (an invalid proxy
    /// prefix too: the default applies): a hand-edited URL degrades to less state, never to an
    /// error.
    pub fn from_query(query: &str, default_proxy: Option<&str>) -> Route {
        let mut route = Route {
            proxy: default_proxy.map(str::to_owned),
            ..Route::default()
        };
        for pair in query.trim_start_matches('?').split('&') {
            let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(raw);
            match key {
                "ref" if !value.is_empty() => route.source = Source::Reference(value),
                "sample" if !value.is_empty() => route.source = Source::Sample(value),
                "doc" if !value.is_empty() => route.source = Source::Document(value),
                "at" => route.at = value.parse().ok(),
                "mt" if !value.is_empty() => route.media_type = Some(value),
                "size" => route.size = value.parse().ok(),
                "proxy" if value == DIRECT => route.proxy = None,
                "proxy" if valid_proxy_prefix(&value) => route.proxy = Some(value),
                "expect" => route.expect = value.parse().ok(),
                "view" => match value.as_str() {
                    "raw" => route.view = ViewMode::Raw,
                    "files" => route.view = ViewMode::Files,
                    "fs" => route.view = ViewMode::Fs,
                    "sigs" => route.view = ViewMode::Sigs,
                    "compare" => route.view = ViewMode::Compare,
                    _ => {}
                },
                "path" => route.path = Some(percent_decode_bytes(raw)),
                "diff" => route.diff = value.parse().ok(),
                "big" if value == "1" => route.big = true,
                "disk" if value == "1" => route.disk = true,
                k if COMPARE_KEYS.contains(&k) => route.compare.push((k.to_owned(), value)),
                _ => {}
            }
        }
        route
    }

    /// The query string for this route on a page whose build's default proxy is
    /// `default_proxy`, starting with `?` (or empty for the start page). A document over
    /// [`MAX_DOC_IN_URL`] bytes is left out: see [`Route::shareable`].
    pub fn to_query(&self, default_proxy: Option<&str>) -> String {
        let mut parts = Vec::new();
        match &self.source {
            Source::Empty => {}
            Source::Reference(r) => parts.push(format!("ref={}", percent_encode(r))),
            Source::Sample(s) => parts.push(format!("sample={}", percent_encode(s))),
            Source::Document(d) if d.len() <= MAX_DOC_IN_URL => {
                parts.push(format!("doc={}", percent_encode(d)))
            }
            Source::Document(_) | Source::File(_) => {}
        }
        if let Some(expect) = &self.expect {
            parts.push(format!("expect={expect}"));
        }
        if let Some(at) = &self.at {
            parts.push(format!("at={at}"));
        }
        if let Some(mt) = &self.media_type {
            parts.push(format!("mt={}", percent_encode(mt)));
        }
        if let Some(size) = self.size {
            parts.push(format!("size={size}"));
        }
        match ProxyMode::of(self.proxy.as_deref(), default_proxy) {
            ProxyMode::Default(_) => {}
            ProxyMode::Direct if default_proxy.is_none() => {}
            ProxyMode::Direct => parts.push(format!("proxy={DIRECT}")),
            ProxyMode::Chosen(proxy) => parts.push(format!("proxy={}", percent_encode(proxy))),
        }
        match self.view {
            ViewMode::Structured => {}
            ViewMode::Raw => parts.push("view=raw".to_owned()),
            ViewMode::Files => parts.push("view=files".to_owned()),
            ViewMode::Fs => parts.push("view=fs".to_owned()),
            ViewMode::Sigs => parts.push("view=sigs".to_owned()),
            ViewMode::Compare => parts.push("view=compare".to_owned()),
        }
        for (key, value) in &self.compare {
            parts.push(format!("{key}={}", percent_encode(value)));
        }
        if let Some(diff) = &self.diff {
            parts.push(format!("diff={diff}"));
        }
        if let Some(path) = &self.path {
            parts.push(format!("path={}", percent_encode_bytes(path)));
        }
        if self.big {
            parts.push("big=1".to_owned());
        }
        if self.disk {
            parts.push("disk=1".to_owned());
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// Whether [`Route::to_query`] captures the whole input.
    pub fn shareable(&self) -> bool {
        match &self.source {
            Source::Document(d) => d.len() <= MAX_DOC_IN_URL,
            Source::File(_) => false,
            _ => true,
        }
    }
}

/// The `proxy=` value that turns the build's default proxy off.
const DIRECT: &str = "direct";

/// How registries are reached, as the page tells the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyMode<'a> {
    /// The page talks to registries itself (they must send CORS headers).
    Direct,
    /// Through the build's default proxy (the hosted page's own).
    Default(&'a str),
    /// Through a proxy the person chose (in the URL as `proxy=<prefix>`).
    Chosen(&'a str),
}

impl<'a> ProxyMode<'a> {
    /// The mode of the proxy in effect, `proxy`, on a page built with `default_proxy`.
    pub fn of(proxy: Option<&'a str>, default_proxy: Option<&str>) -> ProxyMode<'a> {
        match proxy {
            None => ProxyMode::Direct,
            Some(p) if Some(p) == default_proxy => ProxyMode::Default(p),
            Some(p) => ProxyMode::Chosen(p),
        }
    }
}

/// Whether `text` can be a proxy prefix: an http(s) URL, or a path on this site (`/proxy/`,
/// not `//host`, which would be another site). Anything else (`javascript:`, a bare word) is
/// refused so that neither a link nor the build's meta can point requests somewhere odd.
pub fn valid_proxy_prefix(text: &str) -> bool {
    text.starts_with("https://")
        || text.starts_with("http://")
        || (text.starts_with('/') && !text.starts_with("//"))
}

/// Percent-encodes everything but RFC 3986 unreserved characters and a few that are safe and
/// common in references (`:`, `/`, `@`), so permalinks stay readable.
pub fn percent_encode(text: &str) -> String {
    percent_encode_bytes(text.as_bytes())
}

/// [`percent_encode`] for raw bytes (file names in layers need not be UTF-8).
pub fn percent_encode_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b':'
            | b'/'
            | b'@' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decodes `%XX` escapes and `+` (as a space, the form encoding browsers use); malformed
/// escapes are kept literally and invalid UTF-8 becomes U+FFFD.
pub fn percent_decode(text: &str) -> String {
    String::from_utf8_lossy(&percent_decode_bytes(text)).into_owned()
}

/// [`percent_decode`] to raw bytes, invalid UTF-8 kept as it is.
pub fn percent_decode_bytes(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:58abca39eb36c7011c73878cdff6da2cb436b1ca7d5a2158bb6c80dcf60855cd";

    #[test]
    fn routes_round_trip_through_the_query() {
        let routes = [
            Route::default(),
            Route {
                source: Source::Reference("ghcr.io/org/app:v1 @x".into()),
                ..Route::default()
            },
            Route {
                source: Source::Sample("oci-index".into()),
                at: Some(D.parse().unwrap()),
                view: ViewMode::Raw,
                ..Route::default()
            },
            Route {
                source: Source::Reference("localhost:5000/a/b:v1".into()),
                at: Some(D.parse().unwrap()),
                media_type: Some("application/vnd.oci.image.config.v1+json".into()),
                size: Some(1234),
                proxy: Some("https://explorer.example/proxy/".into()),
                big: true,
                ..Route::default()
            },
            Route {
                source: Source::Reference("127.0.0.1:5000/layers:gzip".into()),
                at: Some(D.parse().unwrap()),
                media_type: Some("application/vnd.oci.image.layer.v1.tar+gzip".into()),
                size: Some(99),
                view: ViewMode::Files,
                path: Some(b"etc/\xff name&=%+".to_vec()),
                diff: Some(D.parse().unwrap()),
                ..Route::default()
            },
            Route {
                at: Some(D.parse().unwrap()),
                media_type: Some("application/vnd.oci.image.layer.v1.tar".into()),
                view: ViewMode::Fs,
                path: Some(b"etc/os-release".to_vec()),
                disk: true,
                ..Route::default()
            },
            Route {
                source: Source::Reference("127.0.0.1:5000/layers:gzip".into()),
                view: ViewMode::Fs,
                path: Some(Vec::new()),
                ..Route::default()
            },
            Route {
                source: Source::Reference("127.0.0.1:5000/signed:v1".into()),
                at: Some(D.parse().unwrap()),
                view: ViewMode::Sigs,
                ..Route::default()
            },
            Route {
                source: Source::Reference("r.example/a/b:c".into()),
                view: ViewMode::Compare,
                ..Route::default()
            },
            Route {
                source: Source::Document("{\"a\": \"b&c=d%+\"}\n".into()),
                expect: Some(D.parse().unwrap()),
                ..Route::default()
            },
        ];
        for route in routes {
            let query = route.to_query(None);
            assert_eq!(Route::from_query(&query, None), route, "{query}");
        }
    }

    #[test]
    fn hostile_or_odd_queries_degrade_quietly() {
        let cases: &[(&str, Route)] = &[
            ("", Route::default()),
            ("?", Route::default()),
            ("?at=sha256:XYZ&view=bogus&zzz", Route::default()),
            (
                "?ref=%zz%4",
                Route {
                    source: Source::Reference("%zz%4".into()),
                    ..Route::default()
                },
            ),
            (
                "ref=a+b",
                Route {
                    source: Source::Reference("a b".into()),
                    ..Route::default()
                },
            ),
            (
                "?doc=%FF",
                Route {
                    source: Source::Document("\u{fffd}".into()),
                    ..Route::default()
                },
            ),
        ];
        for (query, expected) in cases {
            assert_eq!(&Route::from_query(query, None), expected, "{query}");
        }
    }

    #[test]
    fn comparisons_round_trip_through_the_query() {
        let comparisons = [
            Compare::default(),
            Compare {
                vs: Some(Place::Reference("127.0.0.1:5000/app@".to_owned() + D)),
                vs_at: Some(D.parse().unwrap()),
                platform_a: Some("linux/arm64/v8".into()),
                platform_b: Some("windows/amd64 10.0.1 +win32k".into()),
                no_time: true,
                files: true,
                tags: vec!["v1".into(), "v2.0-rc_1".into()],
            },
            Compare {
                tags: vec!["only".into()],
                ..Compare::default()
            },
            Compare {
                vs: Some(Place::Disk),
                vs_at: Some(D.parse().unwrap()),
                platform_b: Some("linux/amd64".into()),
                ..Compare::default()
            },
            Compare {
                vs: Some(Place::OtherDisk),
                vs_at: Some(E.parse().unwrap()),
                files: true,
                ..Compare::default()
            },
            // A reference that merely starts like a disk form stays a reference.
            Compare {
                vs: Some(Place::Reference("disk:v2".into())),
                ..Compare::default()
            },
            Compare {
                vs: Some(Place::Reference("disk2:v2".into())),
                ..Compare::default()
            },
        ];
        for compare in comparisons {
            let mut route = Route {
                source: Source::Reference("127.0.0.1:5000/app:v1".into()),
                at: Some(D.parse().unwrap()),
                view: ViewMode::Compare,
                ..Route::default()
            };
            compare.apply(&mut route);
            let query = route.to_query(None);
            let back = Route::from_query(&query, None);
            assert_eq!(back, route, "{query}");
            assert_eq!(Compare::of(&back), compare, "{query}");
        }
    }

    #[test]
    fn a_comparison_permalink_is_readable_and_odd_values_drop() {
        let mut route = Route {
            source: Source::Reference("r.example/app:v1".into()),
            view: ViewMode::Compare,
            ..Route::default()
        };
        Compare {
            vs: Some(Place::Reference("r.example/app:v2".into())),
            platform_a: Some("linux/arm64".into()),
            no_time: true,
            tags: vec!["v1".into(), "v2".into()],
            ..Compare::default()
        }
        .apply(&mut route);
        assert_eq!(
            route.to_query(None),
            "?ref=r.example/app:v1&view=compare&vs=r.example/app:v2&pa=linux/arm64&notime=1&tags=v1%2Cv2"
        );
        // Empty or malformed values are dropped, empty tags skipped; unknown keys ignored.
        let odd = Route::from_query(
            "?vs=&vsat=sha256:1&pa=&notime=yes&files=0&tags=,a,,b,&vz=1",
            None,
        );
        assert_eq!(
            Compare::of(&odd),
            Compare {
                tags: vec!["a".into(), "b".into()],
                ..Compare::default()
            }
        );
    }

    const E: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000001";

    /// A comparison route from its query, swapped, and written again.
    fn swapped(query: &str) -> (bool, String) {
        let mut route = Route::from_query(query, None);
        let done = Compare::swap(&mut route);
        (done, route.to_query(None))
    }

    #[test]
    fn images_from_disk_are_sides_and_swap_with_registry_ones() {
        // (query, swapped query); the file diff is dropped by a swap.
        let cases = [
            // Two images of what is open from disk.
            (
                format!("?at={D}&view=compare&vs=disk:&vsat={E}&pb=linux/arm64&disk=1"),
                format!("?at={E}&view=compare&vs=disk:&vsat={D}&pa=linux/arm64&disk=1"),
            ),
            // From disk against a registry image, and back.
            (
                format!("?at={D}&view=compare&vs=r.example/app:v1&files=1&disk=1"),
                format!("?ref=r.example/app:v1&view=compare&vs=disk:&vsat={D}"),
            ),
            (
                format!("?ref=r.example/app:v1&at={E}&view=compare&vs=disk:&vsat={D}&notime=1"),
                format!("?at={D}&view=compare&vs=r.example/app:v1&vsat={E}&notime=1&disk=1"),
            ),
        ];
        for (query, expected) in &cases {
            assert_eq!(swapped(query), (true, expected.clone()), "{query}");
            // Swapping twice is the route again, but for the file diff.
            let back = swapped(expected).1;
            assert_eq!(back, query.replace("&files=1", ""), "{expected}");
            let route = Route::from_query(query, None);
            assert_eq!(route.to_query(None), *query, "round trip");
        }
        let disk = Route::from_query(&format!("?at={D}&view=compare&disk=1"), None);
        assert_eq!(Place::first(&disk), Some(Place::Disk));
        assert_eq!(
            Place::first(&Route::from_query("?ref=a/b:c&view=compare", None)),
            Some(Place::Reference("a/b:c".into()))
        );
        // Another file opened in the compare view is a second side, read back as such.
        let two = format!("?at={D}&view=compare&vs=disk2:&vsat={E}&files=1&disk=1");
        let route = Route::from_query(&two, None);
        assert_eq!(route.to_query(None), two, "round trip");
        assert_eq!(Compare::of(&route).vs, Some(Place::OtherDisk));
        // Nothing to swap: no second side, no first, or a second that has no first-side form.
        for query in [
            format!("?at={D}&view=compare&disk=1"),
            "?view=compare&vs=disk:".into(),
            two,
            format!("?ref=r.example/app:v1&view=compare&vs=disk2:&vsat={E}"),
        ] {
            assert_eq!(swapped(&query), (false, query.clone()));
        }
    }

    #[test]
    fn samples_and_pasted_documents_are_sides() {
        // (query, first side, second side, swapped query or None when it cannot swap)
        let cases = [
            (
                "?sample=oci-manifest&view=compare&vs=sample:docker-manifest&notime=1".to_owned(),
                Some(Place::Sample("oci-manifest".into())),
                Some(Place::Sample("docker-manifest".into())),
                Some("?sample=docker-manifest&view=compare&vs=sample:oci-manifest&notime=1".to_owned()),
            ),
            (
                format!("?sample=oci-index&at={D}&view=compare&vs=r.example/app:v1&pa=linux/arm64"),
                Some(Place::Sample("oci-index".into())),
                Some(Place::Reference("r.example/app:v1".into())),
                Some(format!("?ref=r.example/app:v1&view=compare&vs=sample:oci-index&vsat={D}&pb=linux/arm64")),
            ),
            (
                format!("?ref=r.example/app:v1&at={E}&view=compare&vs=sample:oci-index&vsat={D}"),
                Some(Place::Reference("r.example/app:v1".into())),
                Some(Place::Sample("oci-index".into())),
                Some(format!("?sample=oci-index&at={D}&view=compare&vs=r.example/app:v1&vsat={E}")),
            ),
            // A pasted document is side A only: it does not swap.
            (
                format!("?doc=%7B%7D&expect={D}&view=compare&vs=r.example/app:v1"),
                Some(Place::Document("{}".into())),
                Some(Place::Reference("r.example/app:v1".into())),
                None,
            ),
            // `sample:` with no built-in id is a reference (docker.io/library/sample:v2).
            (
                "?sample=helm&view=compare&vs=sample:v2".to_owned(),
                Some(Place::Sample("helm".into())),
                Some(Place::Reference("sample:v2".into())),
                Some("?ref=sample:v2&view=compare&vs=sample:helm".to_owned()),
            ),
        ];
        for (query, first, second, swapped_query) in &cases {
            let route = Route::from_query(query, None);
            assert_eq!(route.to_query(None), *query, "round trip");
            assert_eq!(Place::first(&route), *first, "{query}");
            assert_eq!(Compare::of(&route).vs, *second, "{query}");
            match swapped_query {
                Some(expected) => {
                    assert_eq!(swapped(query), (true, expected.clone()), "{query}");
                    assert_eq!(swapped(expected), (true, query.clone()), "{expected}");
                }
                None => assert_eq!(swapped(query), (false, query.clone()), "{query}"),
            }
        }
        // A pasted document written as a second side leaves no `vs=` (it has no such form).
        let mut route = Route::from_query("?sample=helm&view=compare", None);
        Compare {
            vs: Some(Place::Document("{}".into())),
            ..Compare::default()
        }
        .apply(&mut route);
        assert_eq!(route.to_query(None), "?sample=helm&view=compare");
    }

    #[test]
    fn large_documents_are_not_put_in_the_url() {
        let big = Route {
            source: Source::Document("x".repeat(MAX_DOC_IN_URL + 1)),
            ..Route::default()
        };
        assert!(!big.shareable());
        assert_eq!(big.to_query(None), "");
        assert_eq!(percent_encode("a b/c:d@e?"), "a%20b/c:d@e%3F");
    }

    const HOSTED: Option<&str> = Some("/proxy/");

    #[test]
    fn the_build_default_proxy_applies_unless_the_url_says_otherwise() {
        // (query, build default, proxy in effect, mode)
        let cases: &[(&str, Option<&str>, Option<&str>, ProxyMode)] = &[
            ("", None, None, ProxyMode::Direct),
            ("?ref=a/b", HOSTED, HOSTED, ProxyMode::Default("/proxy/")),
            ("?proxy=direct", HOSTED, None, ProxyMode::Direct),
            ("?proxy=direct", None, None, ProxyMode::Direct),
            (
                "?proxy=https://px.example/p/",
                HOSTED,
                Some("https://px.example/p/"),
                ProxyMode::Chosen("https://px.example/p/"),
            ),
            (
                "?proxy=/other/",
                None,
                Some("/other/"),
                ProxyMode::Chosen("/other/"),
            ),
            // The default named explicitly is the default.
            (
                "?proxy=/proxy/",
                HOSTED,
                HOSTED,
                ProxyMode::Default("/proxy/"),
            ),
            // Not a prefix: ignored, so the default applies.
            (
                "?proxy=javascript:alert(1)",
                HOSTED,
                HOSTED,
                ProxyMode::Default("/proxy/"),
            ),
            ("?proxy=//evil.example/", None, None, ProxyMode::Direct),
            ("?proxy=", HOSTED, HOSTED, ProxyMode::Default("/proxy/")),
        ];
        for &(query, default, proxy, mode) in cases {
            let route = Route::from_query(query, default);
            assert_eq!(route.proxy.as_deref(), proxy, "{query} with {default:?}");
            assert_eq!(
                ProxyMode::of(route.proxy.as_deref(), default),
                mode,
                "{query}"
            );
        }
    }

    #[test]
    fn the_url_names_the_proxy_only_where_it_differs_from_the_build_default() {
        // (proxy in effect, build default, the proxy part of the query)
        let cases: &[(Option<&str>, Option<&str>, &str)] = &[
            (None, None, ""),
            (HOSTED, HOSTED, ""),
            // Turning the default off must survive a reload.
            (None, HOSTED, "proxy=direct"),
            (Some("/other/"), HOSTED, "proxy=/other/"),
            (Some("/other/"), None, "proxy=/other/"),
            (
                Some("https://px.example/a b/"),
                None,
                "proxy=https://px.example/a%20b/",
            ),
        ];
        for &(proxy, default, expected) in cases {
            let route = Route {
                source: Source::Reference("r.example/a:b".into()),
                proxy: proxy.map(str::to_owned),
                ..Route::default()
            };
            let query = route.to_query(default);
            let rest = query.strip_prefix("?ref=r.example/a:b").unwrap();
            assert_eq!(
                rest.trim_start_matches('&'),
                expected,
                "{proxy:?} with {default:?}"
            );
            assert_eq!(Route::from_query(&query, default), route, "{query}");
        }
    }

    #[test]
    fn proxy_prefixes_are_urls_or_paths_on_this_site() {
        for ok in [
            "/proxy/",
            "https://px.example/p/",
            "http://127.0.0.1:8787/proxy/",
        ] {
            assert!(valid_proxy_prefix(ok), "{ok}");
        }
        for bad in [
            "",
            "proxy/",
            "//evil.example/",
            "javascript:alert(1)",
            "direct",
            "ftp://x/",
        ] {
            assert!(!valid_proxy_prefix(bad), "{bad}");
        }
    }
}
