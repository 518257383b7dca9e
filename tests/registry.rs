//! Table-driven tests for `registry`: URLs, `WWW-Authenticate` (real headers from Docker Hub,
//! GHCR, GitLab, Quay, Harbor, ECR, ACR and Artifact Registry, plus hostile ones), token
//! responses and their cache, Basic credentials, `Link` pagination, tag grouping, the error
//! envelope and manifest verification. Mutation loops check that no parser panics.

use manifest_explorer::oci::{Digest, Reference};
use manifest_explorer::registry::*;

fn reference(s: &str) -> Reference {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

// Table row types: (input…, expected).
type TokenUrlRow = (
    Endpoint,
    &'static str,
    Vec<String>,
    Result<&'static str, RealmError>,
);
type TokenRow = (
    &'static str,
    Result<(&'static str, u64, Option<&'static str>), TokenError>,
);
type LinkRow = (&'static str, Vec<(&'static str, Vec<&'static str>)>);
type NextRow<'a> = (
    &'a Endpoint,
    &'static str,
    Result<Option<&'static str>, LinkError>,
);
type ListRow = (
    &'static str,
    Result<(Option<&'static str>, Vec<&'static str>), ()>,
);
type VerifyRow<'a> = (
    &'a Reference,
    Option<&'a str>,
    usize,
    Result<Verified, RegistryError>,
);

fn hub() -> Endpoint {
    Endpoint::new("docker.io", false)
}

// ---------------------------------------------------------------------------------------------
// endpoint

#[test]
fn endpoint_scheme_and_host() {
    // registry, insecure, scheme, host, ping URL
    let table: &[(&str, bool, Scheme, &str, &str)] = &[
        (
            "docker.io",
            false,
            Scheme::Https,
            "registry-1.docker.io",
            "https://registry-1.docker.io/v2/",
        ),
        (
            "DOCKER.IO",
            false,
            Scheme::Https,
            "registry-1.docker.io",
            "https://registry-1.docker.io/v2/",
        ),
        (
            "ghcr.io",
            false,
            Scheme::Https,
            "ghcr.io",
            "https://ghcr.io/v2/",
        ),
        (
            "Quay.IO",
            false,
            Scheme::Https,
            "quay.io",
            "https://quay.io/v2/",
        ),
        (
            "registry.example:5000",
            false,
            Scheme::Https,
            "registry.example:5000",
            "https://registry.example:5000/v2/",
        ),
        (
            "registry.example:5000",
            true,
            Scheme::Http,
            "registry.example:5000",
            "http://registry.example:5000/v2/",
        ),
        (
            "localhost",
            false,
            Scheme::Http,
            "localhost",
            "http://localhost/v2/",
        ),
        (
            "localhost:5000",
            false,
            Scheme::Http,
            "localhost:5000",
            "http://localhost:5000/v2/",
        ),
        (
            "127.0.0.1:5000",
            false,
            Scheme::Http,
            "127.0.0.1:5000",
            "http://127.0.0.1:5000/v2/",
        ),
        ("[::1]", false, Scheme::Http, "[::1]", "http://[::1]/v2/"),
        (
            "[::1]:5000",
            false,
            Scheme::Http,
            "[::1]:5000",
            "http://[::1]:5000/v2/",
        ),
        // Only the loopback names: a LAN address is not trusted without the explicit flag.
        (
            "[::2]:5000",
            false,
            Scheme::Https,
            "[::2]:5000",
            "https://[::2]:5000/v2/",
        ),
        (
            "127.0.0.2",
            false,
            Scheme::Https,
            "127.0.0.2",
            "https://127.0.0.2/v2/",
        ),
        (
            "localhost.example",
            false,
            Scheme::Https,
            "localhost.example",
            "https://localhost.example/v2/",
        ),
    ];
    for (registry, insecure, scheme, host, ping) in table {
        let endpoint = Endpoint::new(registry, *insecure);
        assert_eq!(endpoint.scheme(), *scheme, "{registry}");
        assert_eq!(endpoint.host(), *host, "{registry}");
        assert_eq!(endpoint.proxy(), None);
        assert_eq!(endpoint.ping_url(), *ping, "{registry}");
    }
    assert_eq!(Scheme::Http.as_str(), "http");
}

#[test]
fn endpoint_for_reference() {
    let table = [
        (
            "ubuntu",
            "https://registry-1.docker.io/v2/library/ubuntu/manifests/latest",
        ),
        (
            "localhost:5000/app:v1",
            "http://localhost:5000/v2/app/manifests/v1",
        ),
        (
            "ghcr.io/owner/app:1.0",
            "https://ghcr.io/v2/owner/app/manifests/1.0",
        ),
    ];
    for (input, url) in table {
        let r = reference(input);
        let endpoint = Endpoint::for_reference(&r);
        assert_eq!(
            endpoint.manifest_url(r.repository(), r.tag().unwrap()),
            url,
            "{input}"
        );
    }
}

#[test]
fn url_builders() {
    let digest = Digest::sha256(b"subject");
    let d = digest.to_string();
    let hub = hub();
    let local = Endpoint::new("localhost:5000", false);
    let table: Vec<(String, String)> = vec![
        (hub.manifest_url("library/ubuntu", "24.04"), "https://registry-1.docker.io/v2/library/ubuntu/manifests/24.04".into()),
        (hub.manifest_url("library/ubuntu", &d), format!("https://registry-1.docker.io/v2/library/ubuntu/manifests/{d}")),
        (hub.blob_url("library/ubuntu", &digest), format!("https://registry-1.docker.io/v2/library/ubuntu/blobs/{d}")),
        (hub.tags_url("library/ubuntu", None, None), "https://registry-1.docker.io/v2/library/ubuntu/tags/list".into()),
        (hub.tags_url("library/ubuntu", Some(100), None), "https://registry-1.docker.io/v2/library/ubuntu/tags/list?n=100".into()),
        (hub.tags_url("library/ubuntu", Some(2), Some("v1.0")), "https://registry-1.docker.io/v2/library/ubuntu/tags/list?n=2&last=v1.0".into()),
        (hub.tags_url("library/ubuntu", None, Some("a&b=c d")), "https://registry-1.docker.io/v2/library/ubuntu/tags/list?last=a%26b%3Dc%20d".into()),
        (local.catalog_url(None, None), "http://localhost:5000/v2/_catalog".into()),
        (local.catalog_url(Some(50), Some("team/app")), "http://localhost:5000/v2/_catalog?n=50&last=team%2Fapp".into()),
        (local.referrers_url("app", &digest, None), format!("http://localhost:5000/v2/app/referrers/{d}")),
        (
            local.referrers_url("app", &digest, Some("application/vnd.dev.sigstore.bundle.v0.3+json")),
            format!("http://localhost:5000/v2/app/referrers/{d}?artifactType=application%2Fvnd.dev.sigstore.bundle.v0.3%2Bjson"),
        ),
        // Hostile names from a catalog or tag list cannot add segments, queries or fragments.
        (hub.manifest_url("a/b", "../../x"), "https://registry-1.docker.io/v2/a/b/manifests/..%2F..%2Fx".into()),
        (hub.manifest_url("a b?c#d", "t"), "https://registry-1.docker.io/v2/a%20b%3Fc%23d/manifests/t".into()),
        (hub.manifest_url("a", "é"), "https://registry-1.docker.io/v2/a/manifests/%C3%A9".into()),
    ];
    for (got, want) in table {
        assert_eq!(got, want);
    }
}

#[test]
fn proxy_prefix() {
    for prefix in [
        "https://explorer.example/proxy/",
        "https://explorer.example/proxy",
    ] {
        let endpoint = hub().with_proxy(prefix);
        assert_eq!(endpoint.proxy(), Some("https://explorer.example/proxy/"));
        assert_eq!(
            endpoint.ping_url(),
            "https://explorer.example/proxy/registry-1.docker.io/v2/"
        );
        assert_eq!(
            endpoint.url("/v2/x/tags/list"),
            "https://explorer.example/proxy/registry-1.docker.io/v2/x/tags/list"
        );
        let realm = AbsoluteUrl::parse("https://auth.docker.io/token?a=b").unwrap();
        assert_eq!(
            endpoint.route(&realm),
            "https://explorer.example/proxy/auth.docker.io/token?a=b"
        );
        assert_eq!(hub().route(&realm), "https://auth.docker.io/token?a=b");
        // A realm the proxy already rewrote onto itself is not proxied a second time.
        let rewritten =
            AbsoluteUrl::parse("https://explorer.example/proxy/auth.docker.io/token?a=b").unwrap();
        assert_eq!(
            endpoint.route(&rewritten),
            "https://explorer.example/proxy/auth.docker.io/token?a=b"
        );
        let elsewhere = AbsoluteUrl::parse("https://evil.example/proxy/x/token").unwrap();
        assert_eq!(
            endpoint.route(&elsewhere),
            "https://explorer.example/proxy/evil.example/proxy/x/token"
        );
    }
}

#[test]
fn referrers_fallback_tag() {
    let sha256 = Digest::sha256(b"x");
    assert_eq!(
        referrers_tag(&sha256),
        format!("sha256-{}", sha256.encoded())
    );
    // The tag schema truncates the encoded part to 64 characters (tags are at most 128).
    let sha512 = Digest::compute(manifest_explorer::oci::Algorithm::Sha512, b"x");
    let tag = referrers_tag(&sha512);
    assert_eq!(tag, format!("sha512-{}", &sha512.encoded()[..64]));
    assert!(tag.len() <= 128);
}

#[test]
fn absolute_urls() {
    let ok: &[(&str, Scheme, &str, &str)] = &[
        (
            "https://auth.docker.io/token",
            Scheme::Https,
            "auth.docker.io",
            "/token",
        ),
        (
            "HTTPS://Auth.Example:8443",
            Scheme::Https,
            "Auth.Example:8443",
            "",
        ),
        (
            "http://[::1]:5000/auth?x=1",
            Scheme::Http,
            "[::1]:5000",
            "/auth?x=1",
        ),
        ("https://h?q", Scheme::Https, "h", "?q"),
    ];
    for (input, scheme, authority, rest) in ok {
        let url = AbsoluteUrl::parse(input).unwrap();
        assert_eq!(
            (url.scheme, url.authority.as_str(), url.rest.as_str()),
            (*scheme, *authority, *rest),
            "{input}"
        );
    }
    assert_eq!(
        AbsoluteUrl::parse("HTTPS://a/b").unwrap().to_string(),
        "https://a/b"
    );
    let bad: &[(&str, &str)] = &[
        ("/token", "is not an absolute URL"),
        ("ftp://a/b", "does not use https or http"),
        ("javascript://a/", "does not use https or http"),
        ("https:///token", "has no host"),
        (
            "https://registry.example@evil.example/token",
            "contains user-info ('@'), which would hide the real host",
        ),
        ("https://a/b#frag", "contains a fragment"),
        ("https://a/b c", "contains whitespace"),
        ("https://a/b\r\nX-Injected: 1", "contains whitespace"),
        ("https://a/\u{0}", "contains a control or non-ASCII byte"),
        ("https://ä/", "contains a control or non-ASCII byte"),
    ];
    for (input, reason) in bad {
        assert_eq!(AbsoluteUrl::parse(input), Err(*reason), "{input:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// accept, scope

#[test]
fn accept_lists_every_manifest_type() {
    assert_eq!(MANIFEST_ACCEPT, MANIFEST_MEDIA_TYPES.join(","));
    use manifest_explorer::oci::media_type::known;
    for t in [
        known::OCI_MANIFEST,
        known::OCI_INDEX,
        known::DOCKER_MANIFEST,
        known::DOCKER_MANIFEST_LIST,
        known::DOCKER_SCHEMA1_MANIFEST,
        known::DOCKER_SCHEMA1_SIGNED_MANIFEST,
        known::OCI_ARTIFACT_MANIFEST,
    ] {
        assert!(MANIFEST_MEDIA_TYPES.contains(&t), "{t}");
    }
    assert!(!MANIFEST_ACCEPT.contains(' ') && !MANIFEST_ACCEPT.contains("q="));
    // Documented consequence: this Accept value alone needs a CORS preflight.
    assert!(MANIFEST_ACCEPT.len() > CORS_SAFELISTED_MAX);
}

#[test]
fn scopes() {
    assert_eq!(
        pull_scope("library/ubuntu"),
        "repository:library/ubuntu:pull"
    );
    assert_eq!(CATALOG_SCOPE, "registry:catalog:*");
}

// ---------------------------------------------------------------------------------------------
// WWW-Authenticate

fn bearer(realm: &str, service: Option<&str>, scope: &[&str], error: Option<&str>) -> Challenge {
    Challenge::Bearer(BearerChallenge {
        realm: realm.to_owned(),
        service: service.map(str::to_owned),
        scope: strings(scope),
        error: error.map(str::to_owned),
        error_description: None,
    })
}

/// Headers as the registries send them (the name in the first column is only a label).
fn real_world() -> Vec<(&'static str, &'static str, Vec<Challenge>)> {
    vec![
        (
            "Docker Hub /v2/",
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io""#,
            vec![bearer(
                "https://auth.docker.io/token",
                Some("registry.docker.io"),
                &[],
                None,
            )],
        ),
        (
            "Docker Hub manifest",
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull""#,
            vec![bearer(
                "https://auth.docker.io/token",
                Some("registry.docker.io"),
                &["repository:library/ubuntu:pull"],
                None,
            )],
        ),
        (
            "Docker Hub insufficient scope",
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nope:pull",error="insufficient_scope""#,
            vec![bearer(
                "https://auth.docker.io/token",
                Some("registry.docker.io"),
                &["repository:library/nope:pull"],
                Some("insufficient_scope"),
            )],
        ),
        (
            "distribution, comma inside the quoted scope",
            r#"Bearer realm="https://registry.example/auth",service="registry.example",scope="repository:samalba/my-app:pull,push""#,
            vec![bearer(
                "https://registry.example/auth",
                Some("registry.example"),
                &["repository:samalba/my-app:pull,push"],
                None,
            )],
        ),
        (
            "GHCR",
            r#"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull""#,
            vec![bearer(
                "https://ghcr.io/token",
                Some("ghcr.io"),
                &["repository:user/image:pull"],
                None,
            )],
        ),
        (
            "GitLab",
            r#"Bearer realm="https://gitlab.com/jwt/auth",service="container_registry",scope="repository:gitlab-org/gitlab:pull""#,
            vec![bearer(
                "https://gitlab.com/jwt/auth",
                Some("container_registry"),
                &["repository:gitlab-org/gitlab:pull"],
                None,
            )],
        ),
        (
            "Quay",
            r#"Bearer realm="https://quay.io/v2/auth",service="quay.io",scope="repository:coreos/etcd:pull""#,
            vec![bearer(
                "https://quay.io/v2/auth",
                Some("quay.io"),
                &["repository:coreos/etcd:pull"],
                None,
            )],
        ),
        (
            "Harbor",
            r#"Bearer realm="https://harbor.example.com/service/token",service="harbor-registry",scope="repository:library/nginx:pull""#,
            vec![bearer(
                "https://harbor.example.com/service/token",
                Some("harbor-registry"),
                &["repository:library/nginx:pull"],
                None,
            )],
        ),
        (
            "ECR",
            r#"Basic realm="https://123456789012.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com""#,
            vec![Challenge::Basic {
                realm: Some("https://123456789012.dkr.ecr.us-east-1.amazonaws.com/".into()),
            }],
        ),
        (
            "ACR",
            r#"Bearer realm="https://myregistry.azurecr.io/oauth2/token",service="myregistry.azurecr.io""#,
            vec![bearer(
                "https://myregistry.azurecr.io/oauth2/token",
                Some("myregistry.azurecr.io"),
                &[],
                None,
            )],
        ),
        (
            "Artifact Registry",
            r#"Bearer realm="https://us-docker.pkg.dev/v2/token",service="us-docker.pkg.dev",scope="repository:proj/repo/img:pull""#,
            vec![bearer(
                "https://us-docker.pkg.dev/v2/token",
                Some("us-docker.pkg.dev"),
                &["repository:proj/repo/img:pull"],
                None,
            )],
        ),
        (
            "two scopes, space-separated",
            r#"Bearer realm="https://a.example/token",scope="repository:a:pull  repository:b:pull""#,
            vec![bearer(
                "https://a.example/token",
                None,
                &["repository:a:pull", "repository:b:pull"],
                None,
            )],
        ),
        (
            "weird casing, whitespace around '=', unquoted token value",
            "BEARER  REALM = \"https://auth.docker.io/token\" ,\tSerVice=registry.docker.io",
            vec![bearer(
                "https://auth.docker.io/token",
                Some("registry.docker.io"),
                &[],
                None,
            )],
        ),
        (
            "params in another order, error_description, unknown params",
            r#"bearer error="invalid_token", error_description="The access token expired", realm="https://a.example/t", foo=bar"#,
            vec![Challenge::Bearer(BearerChallenge {
                realm: "https://a.example/t".into(),
                service: None,
                scope: vec![],
                error: Some("invalid_token".into()),
                error_description: Some("The access token expired".into()),
            })],
        ),
        (
            "backslash escapes",
            r#"Bearer realm="https://a.example/t\"o\\k\en""#,
            vec![bearer(r#"https://a.example/t"o\ken"#, None, &[], None)],
        ),
        (
            "RFC 7235 §4.1 example: two challenges, one unknown",
            r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple""#,
            vec![
                Challenge::Other {
                    scheme: "Newauth".into(),
                },
                Challenge::Basic {
                    realm: Some("simple".into()),
                },
            ],
        ),
        (
            "Basic then Bearer, extra commas",
            r#", Basic realm="Registry Realm" ,, Bearer realm="https://r.example/token",service="r.example","#,
            vec![
                Challenge::Basic {
                    realm: Some("Registry Realm".into()),
                },
                bearer("https://r.example/token", Some("r.example"), &[], None),
            ],
        ),
        (
            "bare schemes and a token68",
            "Negotiate, NTLM TlRMTVNTUAABAAAAB4IIAAAAAAAAAAAAAAAAAAAAAAA=, Basic",
            vec![
                Challenge::Other {
                    scheme: "Negotiate".into(),
                },
                Challenge::Other {
                    scheme: "NTLM".into(),
                },
                Challenge::Basic { realm: None },
            ],
        ),
        (
            "non-ASCII in a quoted value",
            r#"Basic realm="Dépôt", charset="UTF-8""#,
            vec![Challenge::Basic {
                realm: Some("Dépôt".into()),
            }],
        ),
    ]
}

#[test]
fn challenges_real_world() {
    for (label, header, want) in real_world() {
        assert_eq!(
            parse_challenges(header).as_ref(),
            Ok(&want),
            "{label}: {header}"
        );
    }
}

#[test]
fn challenges_hostile() {
    use ChallengeError::*;
    let table: Vec<(&str, ChallengeError)> = vec![
        ("", Empty),
        ("  \t ", Empty),
        (" , ,", Empty),
        (
            r#"Bearer realm="https://auth.docker.io/token"#,
            UnterminatedQuote { at: 13 },
        ),
        (
            r#"Bearer realm="https://a/t\"#,
            UnterminatedQuote { at: 13 },
        ),
        (
            r#"Bearer service="registry.docker.io""#,
            MissingRealm { at: 0 },
        ),
        (
            r#"Basic realm="x", Bearer service="y""#,
            MissingRealm { at: 17 },
        ),
        (r#"Bearer realm="",service="x""#, MissingRealm { at: 0 }),
        ("Bearer realm", MissingRealm { at: 0 }),
        ("Bearer realm=", MissingRealm { at: 0 }),
        ("Bearer", MissingRealm { at: 0 }),
        (
            r#"Bearer realm="https://a/t", realm="https://evil/t""#,
            DuplicateParameter {
                name: "realm".into(),
                at: 28,
            },
        ),
        (
            r#"Bearer realm="https://a/t",REALM="https://evil/t""#,
            DuplicateParameter {
                name: "REALM".into(),
                at: 27,
            },
        ),
        (
            r#"Bearer realm="a" service="b""#,
            Unexpected {
                at: 17,
                found: 's',
                expected: "',' or the end after a parameter",
            },
        ),
        (
            "Bearer realm=https://a/t",
            Unexpected {
                at: 18,
                found: ':',
                expected: "',' or the end after a parameter",
            },
        ),
        (
            r#"Bearer realm=="x""#,
            Unexpected {
                at: 13,
                found: '=',
                expected: "a token or quoted string as the parameter value",
            },
        ),
        (
            r#"Bearer réalm="x""#,
            Unexpected {
                at: 8,
                found: 'é',
                expected: "'=' after the parameter name",
            },
        ),
        (
            r#"=Bearer realm="x""#,
            Unexpected {
                at: 0,
                found: '=',
                expected: "an authentication scheme",
            },
        ),
        (
            "Bearer\u{0}realm=\"x\"",
            Unexpected {
                at: 6,
                found: '\u{0}',
                expected: "a space or ',' after the scheme",
            },
        ),
        (
            "Bearer realm=\"a\u{1}b\"",
            Unexpected {
                at: 15,
                found: '\u{1}',
                expected: "a printable character in the quoted string",
            },
        ),
        (
            "Bearer realm=\"a\\\nb\"",
            Unexpected {
                at: 16,
                found: '\n',
                expected: "a printable character after '\\'",
            },
        ),
        (
            r#"Bearer realm="x", ="y""#,
            Unexpected {
                at: 18,
                found: '=',
                expected: "an authentication scheme",
            },
        ),
    ];
    for (header, want) in &table {
        let got = parse_challenges(header);
        assert_eq!(got.as_ref(), Err(want), "{header:?}");
        // Every error renders, naming the byte where there is one.
        let text = got.unwrap_err().to_string();
        assert!(text.starts_with("WWW-Authenticate"), "{text}");
    }
}

#[test]
fn preferred_challenge() {
    let both = parse_challenges(r#"Basic realm="r", Bearer realm="https://a/t""#).unwrap();
    assert!(matches!(preferred(&both), Some(Challenge::Bearer(_))));
    let basic = parse_challenges(r#"Negotiate, Basic realm="r""#).unwrap();
    assert!(matches!(preferred(&basic), Some(Challenge::Basic { .. })));
    let other = parse_challenges("Negotiate").unwrap();
    assert_eq!(preferred(&other), None);
}

fn bearer_of(header: &str) -> BearerChallenge {
    match parse_challenges(header).unwrap().remove(0) {
        Challenge::Bearer(b) => b,
        other => panic!("{other:?}"),
    }
}

#[test]
fn token_urls() {
    let local = Endpoint::new("localhost:5000", false);
    let proxied = hub().with_proxy("https://explorer.example/proxy/");
    let pull = vec![pull_scope("library/ubuntu")];
    let hub_header = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io""#;
    let scoped = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull repository:x:pull""#;
    let table: Vec<TokenUrlRow> = vec![
        (hub(), hub_header, pull.clone(), Ok("https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Fubuntu%3Apull")),
        (hub(), hub_header, vec![], Ok("https://auth.docker.io/token?service=registry.docker.io")),
        // The challenge's scopes first, then ours without repeats, each its own parameter.
        (hub(), scoped, strings(&["repository:y:pull", "repository:x:pull"]), Ok("https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Fubuntu%3Apull&scope=repository%3Ax%3Apull&scope=repository%3Ay%3Apull")),
        (hub(), r#"Bearer realm="https://gitlab.example/jwt/auth?client=x""#, pull.clone(), Ok("https://gitlab.example/jwt/auth?client=x&scope=repository%3Alibrary%2Fubuntu%3Apull")),
        (hub(), r#"Bearer realm="https://a.example/t?",service="s""#, vec![], Ok("https://a.example/t?service=s")),
        (hub(), r#"Bearer realm="https://a.example/t?a=1&",service="s""#, vec![], Ok("https://a.example/t?a=1&service=s")),
        (hub(), r#"Bearer realm="https://a.example",service="a b&c""#, vec![], Ok("https://a.example?service=a%20b%26c")),
        (local.clone(), r#"Bearer realm="http://localhost:5000/auth",service="local""#, vec![], Ok("http://localhost:5000/auth?service=local")),
        (local, r#"Bearer realm="https://auth.example/t""#, vec![], Ok("https://auth.example/t")),
        (proxied, hub_header, pull.clone(), Ok("https://explorer.example/proxy/auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Fubuntu%3Apull")),
        (hub(), r#"Bearer realm="http://auth.docker.io/token""#, pull.clone(), Err(RealmError::Insecure { realm: "http://auth.docker.io/token".into() })),
        (hub(), r#"Bearer realm="/token""#, vec![], Err(RealmError::Invalid { realm: "/token".into(), reason: "is not an absolute URL" })),
        (hub(), r#"Bearer realm="file:///etc/passwd""#, vec![], Err(RealmError::Invalid { realm: "file:///etc/passwd".into(), reason: "does not use https or http" })),
        (hub(), r#"Bearer realm="https://auth.docker.io@evil.example/t""#, vec![], Err(RealmError::Invalid { realm: "https://auth.docker.io@evil.example/t".into(), reason: "contains user-info ('@'), which would hide the real host" })),
    ];
    for (endpoint, header, scopes, want) in table {
        let challenge = bearer_of(header);
        let got = token_url(&endpoint, &challenge, &scopes);
        assert_eq!(got.as_deref(), want.as_ref().map(|s| *s), "{header}");
        if let Err(e) = got {
            assert!(e.to_string().starts_with("token realm"), "{e}");
        }
    }
}

#[test]
fn realm_hosts() {
    let ghcr = Endpoint::new("ghcr.io", false);
    let local = Endpoint::new("localhost:5000", false);
    let table: &[(&Endpoint, &str, bool)] = &[
        (&ghcr, "https://ghcr.io/token", false),
        (&ghcr, "https://GHCR.IO:443/token", false),
        (&ghcr, "https://ghcr.io:8443/token", true),
        (&ghcr, "https://auth.ghcr.io/token", true),
        (&ghcr, "https://ghcr.io.evil.example/token", true),
        (&ghcr, "https://ghcr.io@evil.example/token", true),
        (&ghcr, "not a url", true),
        (&local, "http://localhost:5000/auth", false),
        (&local, "http://localhost/auth", true),
    ];
    for (endpoint, realm, differs) in table {
        assert_eq!(realm_host_differs(endpoint, realm), *differs, "{realm}");
    }
    // Docker Hub's realm is always elsewhere: credentials go there only after consent.
    assert!(realm_host_differs(&hub(), "https://auth.docker.io/token"));
}

/// Variations of `input` around every character: deletions, duplications, replacements with
/// syntax characters, and truncations.
fn mutations(input: &str) -> Vec<String> {
    const INSERTS: [&str; 12] = [
        "\"",
        "\\",
        ",",
        "=",
        " ",
        "\t",
        ";",
        "<",
        ">",
        "é",
        "\u{0}",
        "\u{10FFFF}",
    ];
    let chars: Vec<(usize, char)> = input.char_indices().collect();
    let mut out = Vec::new();
    for &(at, c) in &chars {
        let next = at + c.len_utf8();
        out.push(format!("{}{}", &input[..at], &input[next..]));
        out.push(format!("{}{c}{}", &input[..next], &input[next..]));
        out.push(input[..at].to_owned());
        for insert in INSERTS {
            out.push(format!("{}{insert}{}", &input[..at], &input[next..]));
            out.push(format!("{}{insert}{}", &input[..at], &input[at..]));
        }
    }
    out
}

#[test]
fn challenge_parser_never_panics() {
    let endpoint = hub();
    let mut seeds: Vec<&str> = real_world().iter().map(|(_, h, _)| *h).collect();
    seeds.extend([
        r#"Bearer realm="https://a/t\"#,
        "Bearer realm=",
        "A b=c, d",
        r#"x y="\\\"""#,
    ]);
    let mut parsed = 0;
    for seed in seeds {
        for mutated in mutations(seed) {
            if let Ok(challenges) = parse_challenges(&mutated) {
                parsed += 1;
                for challenge in &challenges {
                    if let Challenge::Bearer(b) = challenge {
                        let _ = token_url(&endpoint, b, &[pull_scope("x")]);
                        let _ = realm_host_differs(&endpoint, &b.realm);
                    }
                }
                let _ = preferred(&challenges);
            }
        }
    }
    assert!(
        parsed > 100,
        "the mutations should still parse often: {parsed}"
    );
}

// ---------------------------------------------------------------------------------------------
// token, credentials

#[test]
fn token_responses() {
    let table: &[TokenRow] = &[
        (
            r#"{"token":"abc","expires_in":300,"issued_at":"2024-01-01T00:00:00Z"}"#,
            Ok(("abc", 300, Some("2024-01-01T00:00:00Z"))),
        ),
        (
            r#"{"access_token":"xyz"}"#,
            Ok(("xyz", DEFAULT_EXPIRES_IN, None)),
        ),
        (r#"{"token":"a","access_token":"b"}"#, Ok(("a", 60, None))),
        (r#"{"token":"","access_token":"b"}"#, Ok(("b", 60, None))),
        (r#"{"token":"a","expires_in":0}"#, Ok(("a", 60, None))),
        (r#"{"token":"a","expires_in":-5}"#, Ok(("a", 60, None))),
        (r#"{"token":"a","expires_in":120.9}"#, Ok(("a", 120, None))),
        (r#"{"token":"a","expires_in":"90"}"#, Ok(("a", 90, None))),
        (r#"{"token":"a","expires_in":"soon"}"#, Ok(("a", 60, None))),
        // An exponent is not a lifetime a token server means: the default applies.
        (r#"{"token":"a","expires_in":1e300}"#, Ok(("a", 60, None))),
        (r#"{}"#, Err(TokenError::Missing)),
        (r#"{"token":""}"#, Err(TokenError::Missing)),
        (
            r#"{"token":null,"access_token":7}"#,
            Err(TokenError::Missing),
        ),
        (
            r#"{"token":"ab c"}"#,
            Err(TokenError::InvalidByte { at: 2 }),
        ),
        (
            r#"{"token":"ab\r\nX: y"}"#,
            Err(TokenError::InvalidByte { at: 2 }),
        ),
        (
            r#"["token"]"#,
            Err(TokenError::NotJson("not an object".into())),
        ),
    ];
    for (body, want) in table {
        let got = parse_token_response(body.as_bytes());
        let got = got.map(|r| {
            let token = r.token.as_str().to_owned();
            (token, r.expires_in, r.issued_at)
        });
        let want = want
            .clone()
            .map(|(t, e, i)| (t.to_owned(), e, i.map(str::to_owned)));
        assert_eq!(got, want, "{body}");
    }
    assert!(matches!(
        parse_token_response(b"<html>"),
        Err(TokenError::NotJson(_))
    ));
    assert!(TokenError::Missing.to_string().contains("access_token"));
}

#[test]
fn tokens_are_never_debug_printed() {
    let secret = "eyJhbGciOiJSUzI1NiJ9.secret-payload.signature";
    let response = parse_token_response(format!(r#"{{"token":"{secret}"}}"#).as_bytes()).unwrap();
    assert_eq!(response.token.header(), format!("Bearer {secret}"));
    let mut cache = TokenCache::new();
    cache.insert(TokenKey::new("r", None, &[]), &response, 0);
    for text in [
        format!("{response:?}"),
        format!("{:?}", response.token),
        format!("{cache:?}"),
    ] {
        assert!(!text.contains("secret-payload"), "{text}");
        assert!(text.contains("redacted"), "{text}");
    }
}

#[test]
fn token_cache_expiry() {
    let key = TokenKey::new(
        "https://auth.docker.io/token",
        Some("registry.docker.io"),
        &strings(&["b", "a", "b"]),
    );
    assert_eq!(key.scope, "a b");
    assert_eq!(key.service, "registry.docker.io");
    assert_eq!(
        key,
        TokenKey::new(
            "https://auth.docker.io/token",
            Some("registry.docker.io"),
            &strings(&["a", "b"])
        )
    );
    let other = TokenKey::new(
        "https://auth.docker.io/token",
        Some("registry.docker.io"),
        &strings(&["a"]),
    );
    let response = parse_token_response(br#"{"token":"t","expires_in":100}"#).unwrap();

    let mut cache = TokenCache::new();
    assert!(cache.is_empty());
    cache.insert(key.clone(), &response, 1000);
    assert_eq!(cache.len(), 1);
    // now, expected to be present
    let table = [
        (1000, true),
        (1094, true),
        (1095, false),
        (1100, false),
        (5000, false),
    ];
    for (now, present) in table {
        assert_eq!(cache.get(&key, now).is_some(), present, "now = {now}");
    }
    assert_eq!(cache.get(&key, 1000).map(Token::as_str), Some("t"));
    assert!(
        cache.get(&other, 1000).is_none(),
        "another scope set is another token"
    );
    assert_eq!(EXPIRY_MARGIN, 5);

    cache.insert(other.clone(), &response, 2000);
    cache.purge(1096);
    assert_eq!(cache.len(), 1);
    assert!(cache.get(&other, 2000).is_some());
    cache.remove(&other);
    assert!(cache.is_empty());
    // A huge lifetime saturates instead of overflowing.
    let forever =
        parse_token_response(br#"{"token":"t","expires_in":18446744073709551615}"#).unwrap();
    cache.insert(key.clone(), &forever, u64::MAX - 1);
    assert!(cache.get(&key, u64::MAX - 10).is_some());
}

#[test]
fn basic_credentials() {
    // RFC 7617 §2's example, and RFC 4648 vectors through the same encoder.
    let table = [
        (
            "Aladdin",
            "open sesame",
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
        ),
        ("", "", "Basic Og=="),
        ("f", "", "Basic Zjo="),
        ("fo", "o", "Basic Zm86bw=="),
        ("test", "123£", "Basic dGVzdDoxMjPCow=="),
        ("user", "pa:ss", "Basic dXNlcjpwYTpzcw=="),
    ];
    for (user, secret, header) in table {
        let credentials = Credentials::new(user, secret).unwrap();
        assert_eq!(credentials.username(), user);
        assert_eq!(credentials.secret(), secret);
        assert_eq!(basic_header(&credentials), header);
    }
    let credentials = Credentials::new("alice", "hunter2-token").unwrap();
    for text in [format!("{credentials:?}"), credentials.to_string()] {
        assert!(
            text.contains("alice") && !text.contains("hunter2"),
            "{text}"
        );
    }
    let bad = [
        (("a:b", "x"), CredentialsError::ColonInUsername { at: 1 }),
        (
            ("a\nb", "x"),
            CredentialsError::ControlCharacter {
                field: "username",
                at: 1,
            },
        ),
        (
            ("a", "x\r\n"),
            CredentialsError::ControlCharacter {
                field: "secret",
                at: 1,
            },
        ),
    ];
    for ((user, secret), want) in bad {
        let got = Credentials::new(user, secret).unwrap_err();
        assert!(!got.to_string().contains(secret) || secret == "x");
        assert_eq!(got, want);
    }
}

// ---------------------------------------------------------------------------------------------
// pagination

#[test]
fn link_headers() {
    let table: &[LinkRow] = &[
        (
            r#"</v2/_catalog?last=b&n=2>; rel="next""#,
            vec![("/v2/_catalog?last=b&n=2", vec!["next"])],
        ),
        (
            "<https://r.example/v2/x/tags/list?n=1&last=a>;rel=next",
            vec![("https://r.example/v2/x/tags/list?n=1&last=a", vec!["next"])],
        ),
        (
            r#"<a>; title="x, y; z"; REL = "Next Last""#,
            vec![("a", vec!["next", "last"])],
        ),
        (
            r#"<a>; rel="prev", <b,c>; type="x"; rel="next""#,
            vec![("a", vec!["prev"]), ("b,c", vec!["next"])],
        ),
        (r#"<a>; rel="next"; rel="prev""#, vec![("a", vec!["next"])]),
        (r#"<a>; crossorigin; rel=next"#, vec![("a", vec!["next"])]),
        (r#"<a>; title="\"quoted\"""#, vec![("a", vec![])]),
        ("", vec![]),
        (" , ", vec![]),
    ];
    for (header, want) in table {
        let got = parse_links(header).unwrap_or_else(|e| panic!("{header}: {e}"));
        let got: Vec<(&str, Vec<&str>)> = got
            .iter()
            .map(|l| {
                (
                    l.target.as_str(),
                    l.rel.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(&got, want, "{header}");
    }
    use LinkError::*;
    let bad: Vec<(&str, LinkError)> = vec![
        ("</v2/x", UnterminatedTarget { at: 0 }),
        (
            "/v2/x; rel=next",
            Unexpected {
                at: 0,
                found: '/',
                expected: "'<' opening a link target",
            },
        ),
        (r#"<x>; rel="next"#, UnterminatedQuote { at: 9 }),
        (
            "<x> rel=next",
            Unexpected {
                at: 4,
                found: 'r',
                expected: "';' before a link parameter, or ','",
            },
        ),
        (
            "<x>;",
            UnexpectedEnd {
                expected: "a link parameter name",
            },
        ),
        (
            "<x>; rel=",
            UnexpectedEnd {
                expected: "a token or quoted string as the parameter value",
            },
        ),
    ];
    for (header, want) in bad {
        let got = parse_links(header);
        assert_eq!(got.as_ref(), Err(&want), "{header}");
        assert!(got.unwrap_err().to_string().starts_with("Link header"));
    }
}

#[test]
fn next_page_urls() {
    let endpoint = Endpoint::new("registry.example", false);
    let proxied = Endpoint::new("registry.example", false).with_proxy("https://p.example/proxy/");
    let current = "/v2/team/app/tags/list?n=2";
    let table: Vec<NextRow> = vec![
        (
            &endpoint,
            r#"</v2/team/app/tags/list?last=b&n=2>; rel="next""#,
            Ok(Some(
                "https://registry.example/v2/team/app/tags/list?last=b&n=2",
            )),
        ),
        (
            &proxied,
            r#"</v2/team/app/tags/list?last=b&n=2>; rel="next""#,
            Ok(Some(
                "https://p.example/proxy/registry.example/v2/team/app/tags/list?last=b&n=2",
            )),
        ),
        (
            &endpoint,
            "<https://REGISTRY.example:443/v2/_catalog?last=x>; rel=next",
            Ok(Some("https://registry.example/v2/_catalog?last=x")),
        ),
        (
            &proxied,
            "<https://registry.example/v2/_catalog?last=x>; rel=next",
            Ok(Some(
                "https://p.example/proxy/registry.example/v2/_catalog?last=x",
            )),
        ),
        (
            &endpoint,
            "<//registry.example/v2/_catalog?last=x>; rel=next",
            Ok(Some("https://registry.example/v2/_catalog?last=x")),
        ),
        (
            &endpoint,
            "<?last=b&n=2>; rel=next",
            Ok(Some(
                "https://registry.example/v2/team/app/tags/list?last=b&n=2",
            )),
        ),
        (
            &endpoint,
            "<list?last=b>; rel=next",
            Ok(Some(
                "https://registry.example/v2/team/app/tags/list?last=b",
            )),
        ),
        (
            &endpoint,
            "</v2/x?last=b#frag>; rel=next",
            Ok(Some("https://registry.example/v2/x?last=b")),
        ),
        (
            &endpoint,
            "<https://registry.example>; rel=next",
            Ok(Some("https://registry.example/")),
        ),
        (&endpoint, r#"</v2/x?last=a>; rel="prev""#, Ok(None)),
        (&endpoint, "", Ok(None)),
        (
            &endpoint,
            "<https://evil.example/v2/x>; rel=next",
            Err(LinkError::ForeignHost {
                url: "https://evil.example/v2/x".into(),
            }),
        ),
        (
            &endpoint,
            "<https://registry.example:8443/v2/x>; rel=next",
            Err(LinkError::ForeignHost {
                url: "https://registry.example:8443/v2/x".into(),
            }),
        ),
        (
            &endpoint,
            "<//evil.example/v2/x>; rel=next",
            Err(LinkError::ForeignHost {
                url: "//evil.example/v2/x".into(),
            }),
        ),
        (
            &endpoint,
            "<ftp://registry.example/x>; rel=next",
            Err(LinkError::InvalidTarget {
                url: "ftp://registry.example/x".into(),
                reason: "does not use https or http",
            }),
        ),
        (
            &endpoint,
            "</v2/x y>; rel=next",
            Err(LinkError::InvalidTarget {
                url: "/v2/x y".into(),
                reason: "contains whitespace, control or non-ASCII bytes",
            }),
        ),
    ];
    for (endpoint, header, want) in table {
        let got = next_url(header, endpoint, current);
        assert_eq!(
            got.as_ref().map(|o| o.as_deref()),
            want.as_ref().map(|o| *o),
            "{header}"
        );
    }
}

#[test]
fn link_parser_never_panics() {
    let endpoint = Endpoint::new("registry.example", false);
    let seeds = [
        r#"</v2/team/app/tags/list?last=b&n=2>; rel="next""#,
        r#"<a>; title="x, y; z"; REL = "Next Last", <https://registry.example/v2/_catalog?n=1>; rel=next"#,
        r#"<?last=é>; rel="next"; title="\"q\"""#,
    ];
    let mut parsed = 0;
    for seed in seeds {
        for mutated in mutations(seed) {
            if parse_links(&mutated).is_ok() {
                parsed += 1;
            }
            for current in ["/v2/x/tags/list", "", "é", "/"] {
                let _ = next_url(&mutated, &endpoint, current);
            }
        }
    }
    assert!(parsed > 100, "{parsed}");
}

#[test]
fn list_bodies() {
    let table: &[ListRow] = &[
        (
            r#"{"name":"library/ubuntu","tags":["20.04","latest"]}"#,
            Ok((Some("library/ubuntu"), vec!["20.04", "latest"])),
        ),
        (r#"{"name":"x","tags":null}"#, Ok((Some("x"), vec![]))),
        (r#"{"name":"x"}"#, Ok((Some("x"), vec![]))),
        (r#"{"tags":["a"],"extra":1}"#, Ok((None, vec!["a"]))),
        (r#"{"tags":"a"}"#, Err(())),
        (r#"{"tags":[1]}"#, Err(())),
        ("not json", Err(())),
    ];
    for (body, want) in table {
        let got = parse_tag_list(body.as_bytes());
        match (got, want) {
            (Ok(list), Ok((name, tags))) => {
                assert_eq!(list.name.as_deref(), *name, "{body}");
                assert_eq!(list.tags, strings(tags), "{body}");
            }
            (Err(e), Err(())) => assert!(e.to_string().contains("tags list"), "{e}"),
            (got, _) => panic!("{body}: {got:?}"),
        }
    }
    assert_eq!(
        parse_catalog(br#"{"repositories":["a","b/c"]}"#),
        Ok(strings(&["a", "b/c"]))
    );
    assert_eq!(parse_catalog(br#"{"repositories":null}"#), Ok(vec![]));
    assert_eq!(parse_catalog(b"{}"), Ok(vec![]));
    let err = parse_catalog(b"[]").unwrap_err();
    assert_eq!(err.what, "catalog");
    assert!(!err.message.is_empty());
}

// ---------------------------------------------------------------------------------------------
// tags

#[test]
fn tag_classification() {
    let hex = "a".repeat(64);
    let subject: Digest = format!("sha256:{hex}").parse().unwrap();
    let table: Vec<(String, Option<DigestTagKind>)> = vec![
        (format!("sha256-{hex}"), Some(DigestTagKind::ReferrersIndex)),
        (format!("sha256-{hex}.sig"), Some(DigestTagKind::Signature)),
        (
            format!("sha256-{hex}.att"),
            Some(DigestTagKind::Attestation),
        ),
        (format!("sha256-{hex}.sbom"), Some(DigestTagKind::Sbom)),
        (format!("sha256-{hex}.txt"), None),
        (format!("sha256-{hex}.sig.sig"), None),
        (format!("sha256-{}", &hex[..63]), None),
        (format!("sha256-{}", "A".repeat(64)), None),
        (format!("sha512-{hex}"), None),
        ("sha256-".to_owned(), None),
        ("latest".to_owned(), None),
    ];
    for (tag, kind) in table {
        let got = classify_tag(&tag);
        assert_eq!(got.as_ref().map(|(_, k)| *k), kind, "{tag}");
        if let Some((digest, _)) = got {
            assert_eq!(digest, subject);
        }
    }
    let labels: Vec<&str> = [
        DigestTagKind::ReferrersIndex,
        DigestTagKind::Signature,
        DigestTagKind::Attestation,
        DigestTagKind::Sbom,
    ]
    .iter()
    .map(|k| k.label())
    .collect();
    assert_eq!(
        labels,
        ["referrers index", "signature", "attestation", "SBOM"]
    );
}

#[test]
fn tag_grouping_and_natural_order() {
    let a = "a".repeat(64);
    let b = "b".repeat(64);
    let tags = strings(&[
        "v1.10",
        "latest",
        "v1.9",
        "v1.2.3",
        &format!("sha256-{b}.sig"),
        "v1.9",
        "1.0",
        "10.0",
        "2.0",
        &format!("sha256-{a}.att"),
        &format!("sha256-{a}"),
        &format!("sha256-{a}.sig"),
        "v1.9-rc1",
    ]);
    let groups = group_tags(&tags);
    assert_eq!(
        groups.ordinary,
        strings(&["1.0", "2.0", "10.0", "latest", "v1.2.3", "v1.9", "v1.9-rc1", "v1.10"])
    );
    let by: Vec<(String, Vec<(&str, DigestTagKind)>)> = groups
        .by_subject
        .iter()
        .map(|(d, list)| {
            (
                d.encoded().to_owned(),
                list.iter().map(|t| (t.tag.as_str(), t.kind)).collect(),
            )
        })
        .collect();
    let sa = format!("sha256-{a}");
    let (sig_a, att_a, sig_b) = (
        format!("{sa}.sig"),
        format!("{sa}.att"),
        format!("sha256-{b}.sig"),
    );
    assert_eq!(
        by,
        vec![
            (
                a.clone(),
                vec![
                    (sa.as_str(), DigestTagKind::ReferrersIndex),
                    (sig_a.as_str(), DigestTagKind::Signature),
                    (att_a.as_str(), DigestTagKind::Attestation)
                ]
            ),
            (b.clone(), vec![(sig_b.as_str(), DigestTagKind::Signature)]),
        ]
    );
    assert_eq!(group_tags(&[]), TagGroups::default());

    use std::cmp::Ordering::*;
    let table = [
        ("v1.9", "v1.10", Less),
        ("a2", "a10", Less),
        ("a", "a1", Less),
        ("01", "1", Less), // equal numbers: plain order decides, so the order is total
        ("1", "01", Greater),
        ("x", "x", Equal),
        (
            "99999999999999999999999999999",
            "100000000000000000000000000000",
            Less,
        ),
        ("B", "a", Less),
        ("é", "e", Greater),
    ];
    for (x, y, want) in table {
        assert_eq!(natural_cmp(x, y), want, "{x} vs {y}");
        assert_eq!(natural_cmp(y, x), want.reverse(), "{y} vs {x}");
    }
}

// ---------------------------------------------------------------------------------------------
// errors

#[test]
fn error_envelopes() {
    let body = br#"{"errors":[
        {"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"nope"}},
        {"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":null},
        {"code":"SOMETHING_NEW","message":"hi","detail":[1,"two"]},
        {"code":7,"message":null},
        {"message":"only a message"},
        {}
    ]}"#;
    let entries = parse_error_body(body);
    let got: Vec<(&str, &str, Option<&str>, Option<ErrorCode>)> = entries
        .iter()
        .map(|e| {
            (
                e.code.as_str(),
                e.message.as_str(),
                e.detail.as_deref(),
                e.known_code(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "MANIFEST_UNKNOWN",
                "manifest unknown",
                Some(r#"{"Tag":"nope"}"#),
                Some(ErrorCode::ManifestUnknown)
            ),
            (
                "NAME_UNKNOWN",
                "repository name not known to registry",
                None,
                Some(ErrorCode::NameUnknown)
            ),
            ("SOMETHING_NEW", "hi", Some(r#"[1,"two"]"#), None),
            ("7", "", None, None),
            ("", "only a message", None, None),
        ]
    );
    let shown: Vec<String> = entries.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            r#"MANIFEST_UNKNOWN: manifest unknown ({"Tag":"nope"})"#,
            "NAME_UNKNOWN: repository name not known to registry",
            r#"SOMETHING_NEW: hi ([1,"two"])"#,
            "7",
            "only a message"
        ]
    );
    for body in [
        &b""[..],
        b"<html>404</html>",
        b"{}",
        br#"{"errors":"x"}"#,
        b"null",
    ] {
        assert!(parse_error_body(body).is_empty());
    }
}

#[test]
fn error_codes() {
    let codes = [
        "BLOB_UNKNOWN",
        "BLOB_UPLOAD_INVALID",
        "BLOB_UPLOAD_UNKNOWN",
        "DIGEST_INVALID",
        "MANIFEST_BLOB_UNKNOWN",
        "MANIFEST_INVALID",
        "MANIFEST_UNKNOWN",
        "NAME_INVALID",
        "NAME_UNKNOWN",
        "SIZE_INVALID",
        "UNAUTHORIZED",
        "DENIED",
        "UNSUPPORTED",
        "TOOMANYREQUESTS",
    ];
    for code in codes {
        let parsed = ErrorCode::parse(code).unwrap_or_else(|| panic!("{code}"));
        assert_eq!(parsed.as_str(), code);
        assert_eq!(parsed.to_string(), code);
        assert!(parsed.explanation().ends_with('.'));
    }
    assert_eq!(ErrorCode::parse("manifest_unknown"), None);
    assert_eq!(ErrorCode::parse("UNKNOWN"), None);
}

#[test]
fn retry_after() {
    let table = [
        ("120", Some(RetryAfter::Seconds(120))),
        (" 0 ", Some(RetryAfter::Seconds(0))),
        (
            "99999999999999999999999",
            Some(RetryAfter::Seconds(u64::MAX)),
        ),
        (
            "Wed, 21 Oct 2015 07:28:00 GMT",
            Some(RetryAfter::Date("Wed, 21 Oct 2015 07:28:00 GMT".into())),
        ),
        ("-1", Some(RetryAfter::Date("-1".into()))),
        ("", None),
        ("  ", None),
    ];
    for (value, want) in table {
        assert_eq!(parse_retry_after(value), want, "{value:?}");
    }
    assert_eq!(RetryAfter::Seconds(5).to_string(), "in 5 s");
    assert_eq!(RetryAfter::Date("D".into()).to_string(), "after D");
}

#[test]
fn classify_responses() {
    let envelope = |code: &str, message: &str| {
        format!(r#"{{"errors":[{{"code":"{code}","message":"{message}"}}]}}"#)
    };
    let headers = |name: &str| (name.eq_ignore_ascii_case("retry-after")).then(|| "30".to_owned());
    let no_headers = |_: &str| None;
    let table: Vec<(u16, String, RegistryError)> = vec![
        (
            404,
            envelope("MANIFEST_UNKNOWN", "manifest unknown"),
            RegistryError::ManifestUnknown {
                message: Some("manifest unknown".into()),
            },
        ),
        (
            404,
            envelope("BLOB_UNKNOWN", ""),
            RegistryError::BlobUnknown { message: None },
        ),
        (
            404,
            envelope("NAME_UNKNOWN", "repository name not known to registry"),
            RegistryError::NameUnknown {
                message: Some("repository name not known to registry".into()),
            },
        ),
        (
            404,
            String::new(),
            RegistryError::Http {
                status: 404,
                errors: vec![],
            },
        ),
        (
            401,
            envelope("UNAUTHORIZED", "authentication required"),
            RegistryError::Unauthorized {
                message: Some("authentication required".into()),
            },
        ),
        (
            401,
            String::new(),
            RegistryError::Unauthorized { message: None },
        ),
        (
            403,
            envelope("DENIED", "requested access to the resource is denied"),
            RegistryError::Denied {
                message: Some("requested access to the resource is denied".into()),
            },
        ),
        (
            429,
            envelope("TOOMANYREQUESTS", "pull rate limit"),
            RegistryError::TooManyRequests {
                retry_after: Some(RetryAfter::Seconds(30)),
            },
        ),
        // Some registries send the code with another status.
        (
            503,
            envelope("TOOMANYREQUESTS", "slow down"),
            RegistryError::TooManyRequests {
                retry_after: Some(RetryAfter::Seconds(30)),
            },
        ),
        (
            500,
            envelope("UNSUPPORTED", "nope"),
            RegistryError::Http {
                status: 500,
                errors: vec![ErrorEntry {
                    code: "UNSUPPORTED".into(),
                    message: "nope".into(),
                    detail: None,
                }],
            },
        ),
    ];
    for (status, body, want) in table {
        assert_eq!(
            classify(status, headers, body.as_bytes()),
            want,
            "{status} {body}"
        );
    }
    assert_eq!(
        classify(429, no_headers, b""),
        RegistryError::TooManyRequests { retry_after: None }
    );

    // Every variant explains itself.
    let d = Digest::sha256(b"a");
    let e = Digest::sha256(b"b");
    let rendered = [
        (classify(500, no_headers, envelope("X", "y").as_bytes()), "the registry answered HTTP 500: X: y"),
        (classify(502, no_headers, b""), "the registry answered HTTP 502"),
        (classify(404, no_headers, envelope("MANIFEST_UNKNOWN", "gone").as_bytes()), "manifest unknown: no manifest with this tag or digest in the repository (registry says: gone)"),
        (RegistryError::TooManyRequests { retry_after: Some(RetryAfter::Seconds(30)) }, "rate limited (HTTP 429); retry in 30 s"),
        (RegistryError::TooLarge { limit: 10 }, "the response is larger than the 10-byte limit; stopped reading"),
        (RegistryError::DigestMismatch { expected: d.clone(), actual: e.clone() }, &format!("digest mismatch: requested {d}, the received bytes hash to {e}")),
        (RegistryError::HeaderDigestMismatch { header: d.clone(), actual: e.clone() }, &format!("the registry's Docker-Content-Digest says {d}, but the received bytes hash to {e}")),
        (RegistryError::WrongContentType { found: "text/html".into() }, "the response has Content-Type \"text/html\", not a manifest type (a login page or proxy error?)"),
    ];
    for (error, text) in rendered {
        assert_eq!(error.to_string(), text);
    }
    let network = RegistryError::Network {
        detail: "TypeError: Failed to fetch".into(),
    }
    .to_string();
    for needle in [
        "Access-Control-Allow-Origin",
        "GET, HEAD and OPTIONS",
        "Authorization and Accept",
        "Docker-Content-Digest, WWW-Authenticate and Link",
        "Failed to fetch",
    ] {
        assert!(network.contains(needle), "{needle}");
    }
    assert!(network.starts_with(CORS_REQUIREMENTS));
    // Component errors convert, keeping their text.
    let from: Vec<RegistryError> = vec![
        RealmError::Insecure {
            realm: "http://a".into(),
        }
        .into(),
        ChallengeError::Empty.into(),
        TokenError::Missing.into(),
        LinkError::UnterminatedTarget { at: 0 }.into(),
        parse_catalog(b"x").unwrap_err().into(),
    ];
    for error in from {
        assert!(matches!(
            error,
            RegistryError::RealmNotAllowed(_)
                | RegistryError::Challenge(_)
                | RegistryError::Token(_)
                | RegistryError::Link(_)
                | RegistryError::List(_)
        ));
        assert!(!error.to_string().is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// plan

#[test]
fn manifest_requests() {
    let body = br#"{"schemaVersion":2}"#;
    let digest = Digest::sha256(body);
    let table = [
        (
            "ubuntu",
            "https://registry-1.docker.io/v2/library/ubuntu/manifests/latest".to_owned(),
            None,
        ),
        (
            "ghcr.io/o/a:v1",
            "https://ghcr.io/v2/o/a/manifests/v1".to_owned(),
            None,
        ),
        (
            &*format!("o/a@{digest}"),
            format!("https://registry-1.docker.io/v2/o/a/manifests/{digest}"),
            Some(digest.clone()),
        ),
        (
            &*format!("o/a:v1@{digest}"),
            format!("https://registry-1.docker.io/v2/o/a/manifests/{digest}"),
            Some(digest.clone()),
        ),
    ];
    for (input, url, expected) in table {
        let r = reference(input);
        let request = ManifestRequest::new(&Endpoint::for_reference(&r), &r);
        assert_eq!(request.url, url, "{input}");
        assert_eq!(request.accept, MANIFEST_ACCEPT);
        assert_eq!(request.expected, expected, "{input}");
    }
}

#[test]
fn manifest_verification() {
    use manifest_explorer::oci::Algorithm;
    let body: &[u8] = br#"{"schemaVersion":2}"#;
    let good = Digest::sha256(body);
    let good512 = Digest::compute(Algorithm::Sha512, body);
    let other = Digest::sha256(b"other");
    let by_digest = reference(&format!("o/a@{good}"));
    let by_digest512 = reference(&format!("o/a@{good512}"));
    let by_wrong_digest = reference(&format!("o/a@{other}"));
    let by_tag = reference("o/a:v1");
    let (g, g512, o) = (good.to_string(), good512.to_string(), other.to_string());
    let padded = format!(" {g} ");
    let table: Vec<VerifyRow> = vec![
        (
            &by_digest,
            None,
            1024,
            Ok(Verified {
                digest: good.clone(),
                by: VerifiedBy::RequestedDigest,
            }),
        ),
        // The requested digest wins over whatever the header says.
        (
            &by_digest,
            Some(&o),
            1024,
            Ok(Verified {
                digest: good.clone(),
                by: VerifiedBy::RequestedDigest,
            }),
        ),
        (
            &by_digest512,
            None,
            1024,
            Ok(Verified {
                digest: good512.clone(),
                by: VerifiedBy::RequestedDigest,
            }),
        ),
        (
            &by_wrong_digest,
            Some(&o),
            1024,
            Err(RegistryError::DigestMismatch {
                expected: other.clone(),
                actual: good.clone(),
            }),
        ),
        (
            &by_tag,
            Some(&g),
            1024,
            Ok(Verified {
                digest: good.clone(),
                by: VerifiedBy::HeaderDigest,
            }),
        ),
        (
            &by_tag,
            Some(&padded),
            1024,
            Ok(Verified {
                digest: good.clone(),
                by: VerifiedBy::HeaderDigest,
            }),
        ),
        (
            &by_tag,
            Some(&g512),
            1024,
            Ok(Verified {
                digest: good512.clone(),
                by: VerifiedBy::HeaderDigest,
            }),
        ),
        (
            &by_tag,
            Some(&o),
            1024,
            Err(RegistryError::HeaderDigestMismatch {
                header: other.clone(),
                actual: good.clone(),
            }),
        ),
        (
            &by_tag,
            None,
            1024,
            Ok(Verified {
                digest: good.clone(),
                by: VerifiedBy::Unverified,
            }),
        ),
        (
            &by_tag,
            Some("sha256:nothex"),
            1024,
            Ok(Verified {
                digest: good.clone(),
                by: VerifiedBy::Unverified,
            }),
        ),
        (
            &by_tag,
            Some("md5:abc"),
            1024,
            Ok(Verified {
                digest: good.clone(),
                by: VerifiedBy::Unverified,
            }),
        ),
        (
            &by_tag,
            Some(""),
            1024,
            Ok(Verified {
                digest: good.clone(),
                by: VerifiedBy::Unverified,
            }),
        ),
        (
            &by_tag,
            None,
            body.len(),
            Ok(Verified {
                digest: good.clone(),
                by: VerifiedBy::Unverified,
            }),
        ),
        (
            &by_tag,
            None,
            body.len() - 1,
            Err(RegistryError::TooLarge {
                limit: body.len() - 1,
            }),
        ),
        (
            &by_digest,
            None,
            0,
            Err(RegistryError::TooLarge { limit: 0 }),
        ),
    ];
    for (r, header, max, want) in table {
        assert_eq!(
            verify_manifest(r, body, header, max),
            want,
            "{r} {header:?} {max}"
        );
    }
}

#[test]
fn manifest_content_types() {
    let table = [
        (None, true),
        (Some(""), true),
        (Some("application/vnd.oci.image.manifest.v1+json"), true),
        (
            Some("application/vnd.docker.distribution.manifest.v1+prettyjws"),
            true,
        ),
        (
            Some("Application/VND.OCI.Image.Index.v1+JSON; charset=utf-8"),
            true,
        ),
        (Some("application/json"), true),
        (Some("application/vnd.example.thing+json"), true),
        (Some("text/html; charset=utf-8"), false),
        (Some("text/plain"), false),
        (Some("application/octet-stream"), false),
    ];
    for (content_type, ok) in table {
        let got = check_manifest_content_type(content_type);
        assert_eq!(got.is_ok(), ok, "{content_type:?}");
        if let Err(e) = got {
            assert_eq!(
                e,
                RegistryError::WrongContentType {
                    found: content_type.unwrap().to_owned()
                }
            );
        }
    }
}
