//! The network policy and the shared HTTP client behind `http`, `web_fetch` and `http_request`.
//!
//! # Policy
//!
//! A request may leave the process only when:
//! - its scheme is `http` or `https`;
//! - its host is listed in `allow_hosts` (compared without case and without a trailing dot;
//!   an entry `*.example.com` also allows every subdomain of `example.com`), **or**
//!   `allow_private_network` is on, **or** every address the host stands for is a global
//!   unicast address: not loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7),
//!   link-local, shared (100.64/10), unspecified, multicast, broadcast, documentation,
//!   benchmarking or otherwise reserved, IPv4 and IPv6 alike. IPv4 addresses embedded in IPv6
//!   (`::ffff:127.0.0.1`, `::127.0.0.1`, `64:ff9b::/96`, `2002::/16`) are judged as the IPv4
//!   address they carry.
//!
//! DNS names are resolved by the client's own resolver, which checks **every** address a
//! name resolves to before the connection is made, and the connection then goes only to those
//! checked addresses: a name cannot pass the check with one answer and connect with another
//! (DNS rebinding). IP literals in URLs are checked before the request. Every redirect is
//! checked again (scheme and host; its name is resolved through the same checking resolver).
//! Proxies from the environment are ignored, so a proxy cannot carry a request past the check.
//!
//! # Errors
//!
//! `sandbox_denied` for anything the policy refuses, `invalid_argument` for a malformed URL,
//! method or header, `http_timeout` when the request does not finish in time (never `timeout`,
//! which ends the spell), and `http` for every other network failure (connection refused, TLS,
//! too many redirects, a response body over [`MAX_RESPONSE_BYTES`]). A response with any status
//! (404, 500…) is not an error: it is returned with its status.

use std::collections::{BTreeMap, HashMap};
use std::error::Error as StdError;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, Once, PoisonError};
use std::time::Duration;

use llmspell_bridge::{HostError, Map, Value};
use reqwest::Url;

use crate::SandboxSettings;

/// The largest response body read; a bigger one fails with `http`.
pub const MAX_RESPONSE_BYTES: usize = 10 * 1024 * 1024;
/// The timeout of a request when the caller gives none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 10;
/// The error code of a request that did not finish in time.
pub const HTTP_TIMEOUT: &str = "http_timeout";
/// The error code of any other network failure.
pub const HTTP: &str = "http";

/// An HTTP response: the status, the headers (names lower-case; repeated headers joined with
/// `", "`) and the body as text (invalid UTF-8 replaced).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

impl HttpResponse {
    /// The script value `{ status, headers, body }`.
    pub fn into_value(self) -> Value {
        let headers: Map = self
            .headers
            .into_iter()
            .map(|(name, value)| (name, Value::Str(value)))
            .collect();
        let mut map = Map::new();
        map.insert("status".to_owned(), Value::Int(i64::from(self.status)));
        map.insert("headers".to_owned(), Value::Map(headers));
        map.insert("body".to_owned(), Value::Str(self.body));
        Value::Map(map)
    }
}

/// Sends one request under the network policy of `settings` and reads the whole response.
///
/// - `method`: `GET`, `POST`, … (any case);
/// - `url`: `http://` or `https://` only;
/// - `body`: sent as is when given;
/// - `headers`: extra request headers;
/// - `timeout`: the whole request, redirects and body included; `None` is [`DEFAULT_TIMEOUT`].
///
/// See the module documentation for the policy and the error codes.
pub async fn request(
    settings: &SandboxSettings,
    method: &str,
    url: &str,
    body: Option<String>,
    headers: &[(String, String)],
    timeout: Option<Duration>,
) -> Result<HttpResponse, HostError> {
    let policy = Policy::from_settings(settings);
    let url = policy.check_url(url)?;
    let method = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .map_err(|_| HostError::invalid_argument(format!("'{method}' is not an HTTP method")))?;
    let client = client_for(&policy)?;
    let mut builder = client
        .request(method, url.clone())
        .timeout(timeout.unwrap_or(DEFAULT_TIMEOUT));
    for (name, value) in headers {
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| HostError::invalid_argument(format!("'{name}' is not a header name")))?;
        let value = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
            HostError::invalid_argument(format!("the value of header '{name}' is not valid"))
        })?;
        builder = builder.header(name, value);
    }
    if let Some(body) = body {
        builder = builder.body(body);
    }
    let mut response = builder
        .send()
        .await
        .map_err(|error| failure(&url, &error))?;
    let status = response.status().as_u16();
    let mut response_headers: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in response.headers() {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        response_headers
            .entry(name.as_str().to_owned())
            .and_modify(|existing| {
                existing.push_str(", ");
                existing.push_str(&value);
            })
            .or_insert(value);
    }
    if let Some(length) = response.content_length()
        && length > MAX_RESPONSE_BYTES as u64
    {
        return Err(too_big(&url));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| failure(&url, &error))?
    {
        if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(too_big(&url));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(HttpResponse {
        status,
        headers: response_headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// Checks `url` against the policy of `settings` without sending anything: the scheme, and
/// the host when it is an IP literal or resolves (through the system resolver) to addresses.
/// Returns the parsed URL. [`request`] makes the same checks (and checks DNS at connect time).
pub async fn check(settings: &SandboxSettings, url: &str) -> Result<Url, HostError> {
    let policy = Policy::from_settings(settings);
    let parsed = policy.check_url(url)?;
    if let Some(domain) = domain_of(&parsed)
        && !policy.allows_any_address(domain)
    {
        let addresses = lookup(domain)
            .await
            .map_err(|error| HostError::new(HTTP, format!("cannot resolve '{domain}': {error}")))?;
        policy.check_addresses(domain, &addresses)?;
    }
    Ok(parsed)
}

/// Whether `ip` is a global unicast address the policy lets tools reach without
/// `allow_private_network`.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || a == 0 // "this network"
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // documentation
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast
        || ip.is_multicast()
        || a >= 240) // reserved and broadcast
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00 // unique local
        || (segments[0] & 0xffc0) == 0xfe80 // link-local
        || (segments[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation
        || (segments[0] == 0x2001 && segments[1] < 0x0200) // IETF special purpose (Teredo, ORCHID, benchmarking)
        || (segments[0] == 0x0100 && segments[1..4] == [0, 0, 0]) // discard-only
        || segments[0] == 0) // the rest of ::/16 is reserved
}

/// The IPv4 address an IPv6 address carries: mapped (`::ffff:a.b.c.d`), compatible
/// (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) or 6to4 (`2002:aabb:ccdd::`).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[..6] == [0, 0, 0, 0, 0, 0] && !ip.is_unspecified() && !ip.is_loopback() {
        return Some(tail());
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(tail());
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ));
    }
    None
}

/// The policy of one sandbox configuration.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Policy {
    allow_hosts: Vec<String>,
    allow_private_network: bool,
}

impl Policy {
    fn from_settings(settings: &SandboxSettings) -> Policy {
        let mut allow_hosts: Vec<String> = settings
            .allow_hosts
            .iter()
            .map(|host| normalise_host(host))
            .collect();
        allow_hosts.sort();
        allow_hosts.dedup();
        Policy {
            allow_hosts,
            allow_private_network: settings.allow_private_network,
        }
    }

    fn is_listed(&self, host: &str) -> bool {
        let host = normalise_host(host);
        self.allow_hosts
            .iter()
            .any(|entry| match entry.strip_prefix("*.") {
                Some(domain) => host == domain || host.ends_with(&format!(".{domain}")),
                None => *entry == host,
            })
    }

    /// Whether the host may connect to any address (listed, or private networks allowed).
    fn allows_any_address(&self, host: &str) -> bool {
        self.allow_private_network || self.is_listed(host)
    }

    /// Parses `url` and checks its scheme and, for an IP literal, its address.
    fn check_url(&self, url: &str) -> Result<Url, HostError> {
        let parsed = Url::parse(url).map_err(|error| {
            HostError::invalid_argument(format!("'{url}' is not a URL: {error}"))
        })?;
        self.check_parsed(&parsed)?;
        Ok(parsed)
    }

    fn check_parsed(&self, url: &Url) -> Result<(), HostError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(HostError::sandbox_denied(format!(
                "'{url}': only http and https URLs are allowed"
            )));
        }
        let Some(host) = url.host_str() else {
            return Err(HostError::invalid_argument(format!("'{url}' has no host")));
        };
        let Some(ip) = ip_literal(host) else {
            return Ok(());
        };
        if self.allows_any_address(host) || is_public_ip(ip) {
            Ok(())
        } else {
            Err(denied_address(host, ip))
        }
    }

    /// Checks every address `host` resolved to.
    fn check_addresses(&self, host: &str, addresses: &[SocketAddr]) -> Result<(), HostError> {
        if self.allows_any_address(host) {
            return Ok(());
        }
        match addresses.iter().find(|address| !is_public_ip(address.ip())) {
            Some(address) => Err(denied_address(host, address.ip())),
            None => Ok(()),
        }
    }
}

/// The address of a URL host that is an IP literal (`127.0.0.1`, `[::1]`); the URL parser has
/// already normalised other spellings (`0x7f.1`, `2130706433`).
fn ip_literal(host: &str) -> Option<IpAddr> {
    let bare = host
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse().ok()
}

/// The host of a URL when it is a DNS name rather than an IP literal.
fn domain_of(url: &Url) -> Option<&str> {
    url.host_str().filter(|host| ip_literal(host).is_none())
}

fn normalise_host(host: &str) -> String {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    // `[::1]` and `::1` name the same host.
    host.strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .map(str::to_owned)
        .unwrap_or(host)
}

fn denied_address(host: &str, ip: IpAddr) -> HostError {
    HostError::sandbox_denied(format!(
        "'{host}' ({ip}) is a loopback, private or reserved address, denied by the network \
         policy (set sandbox.allow_private_network or list the host in sandbox.allow_hosts)"
    ))
}

fn too_big(url: &Url) -> HostError {
    HostError::new(
        HTTP,
        format!("{url}: the response is larger than {MAX_RESPONSE_BYTES} bytes"),
    )
}

/// A refusal by the policy raised inside the client (resolver or redirect), recognised again
/// when the client's error comes back.
#[derive(Debug)]
struct Denied(HostError);

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl StdError for Denied {}

/// Maps a client error: a policy refusal back to `sandbox_denied`, a timeout to
/// `http_timeout`, anything else to `http` with its causes.
fn failure(url: &Url, error: &reqwest::Error) -> HostError {
    let mut source: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(cause) = source {
        if let Some(Denied(denied)) = cause.downcast_ref::<Denied>() {
            return denied.clone();
        }
        source = cause.source();
    }
    if error.is_timeout() {
        return HostError::new(HTTP_TIMEOUT, format!("{url}: the request timed out"));
    }
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    HostError::new(HTTP, text)
}

async fn lookup(host: &str) -> std::io::Result<Vec<SocketAddr>> {
    Ok(tokio::net::lookup_host((host, 0)).await?.collect())
}

/// The client's resolver: resolves, checks every address, returns only checked addresses.
struct CheckingResolver(Arc<Policy>);

impl reqwest::dns::Resolve for CheckingResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = Arc::clone(&self.0);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addresses = lookup(&host).await?;
            policy
                .check_addresses(&host, &addresses)
                .map_err(|error| Box::new(Denied(error)) as Box<dyn StdError + Send + Sync>)?;
            let addresses: reqwest::dns::Addrs = Box::new(addresses.into_iter());
            Ok(addresses)
        })
    }
}

/// One client per policy, shared by every request under it (connection pooling).
fn client_for(policy: &Policy) -> Result<reqwest::Client, HostError> {
    static CLIENTS: Mutex<Option<HashMap<Policy, reqwest::Client>>> = Mutex::new(None);
    let mut clients = CLIENTS.lock().unwrap_or_else(PoisonError::into_inner);
    let clients = clients.get_or_insert_with(HashMap::new);
    if let Some(client) = clients.get(policy) {
        return Ok(client.clone());
    }
    let client = build_client(policy)?;
    clients.insert(policy.clone(), client.clone());
    Ok(client)
}

fn build_client(policy: &Policy) -> Result<reqwest::Client, HostError> {
    static INSTALL_CRYPTO_PROVIDER: Once = Once::new();
    INSTALL_CRYPTO_PROVIDER.call_once(|| {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Losing a race with another installer is fine: any provider will do.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
    });
    let shared = Arc::new(policy.clone());
    let redirect_policy = Arc::clone(&shared);
    reqwest::Client::builder()
        .user_agent(concat!("llmspell/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(DEFAULT_TIMEOUT)
        .no_proxy()
        .dns_resolver(Arc::new(CheckingResolver(shared)))
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
            }
            match redirect_policy.check_parsed(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(error) => attempt.error(Denied(error)),
            }
        }))
        .build()
        .map_err(|error| HostError::new(HTTP, format!("cannot build the HTTP client: {error}")))
}

#[cfg(test)]
pub(crate) mod test_server {
    //! A tiny HTTP/1.1 server on 127.0.0.1 for tests: `GET /echo` style routes answered by a
    //! closure, one request per connection.

    use std::net::SocketAddr;
    use std::sync::Arc;
    use std::time::Duration;

    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    /// A request as the server saw it.
    #[derive(Clone, Debug)]
    pub struct Seen {
        pub method: String,
        pub path: String,
        pub headers: Vec<(String, String)>,
        pub body: String,
    }

    /// What to answer: status, extra headers, body, and a delay before answering.
    pub struct Reply {
        pub status: u16,
        pub headers: Vec<(String, String)>,
        pub body: Vec<u8>,
        pub delay: Duration,
    }

    impl Reply {
        pub fn text(status: u16, body: impl Into<String>) -> Reply {
            Reply {
                status,
                headers: Vec::new(),
                body: body.into().into_bytes(),
                delay: Duration::ZERO,
            }
        }
        pub fn header(mut self, name: &str, value: &str) -> Reply {
            self.headers.push((name.to_owned(), value.to_owned()));
            self
        }
        pub fn delayed(mut self, delay: Duration) -> Reply {
            self.delay = delay;
            self
        }
    }

    /// Starts the server on its own thread and runtime; returns its address.
    pub fn start(handler: impl Fn(Seen) -> Reply + Send + Sync + 'static) -> SocketAddr {
        let handler = Arc::new(handler);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let handler = Arc::clone(&handler);
                    tokio::spawn(async move {
                        let _ = serve(stream, handler).await;
                    });
                }
            });
        });
        address
    }

    async fn serve(
        mut stream: tokio::net::TcpStream,
        handler: Arc<dyn Fn(Seen) -> Reply + Send + Sync>,
    ) -> std::io::Result<()> {
        let mut buffer = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            let read = stream.read(&mut chunk).await?;
            if read == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..read]);
            if let Some(position) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
                break position + 4;
            }
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let mut request_line = lines.next().unwrap_or_default().split(' ');
        let method = request_line.next().unwrap_or_default().to_owned();
        let path = request_line.next().unwrap_or_default().to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(name, _)| name == "content-length")
            .and_then(|(_, value)| value.parse().ok())
            .unwrap_or(0);
        while buffer.len() < head_end + length {
            let read = stream.read(&mut chunk).await?;
            if read == 0 {
                break;
            }
            buffer.extend_from_slice(&chunk[..read]);
        }
        let body = String::from_utf8_lossy(&buffer[head_end..]).into_owned();
        let reply = handler(Seen {
            method,
            path,
            headers,
            body,
        });
        tokio::time::sleep(reply.delay).await;
        let mut response = format!(
            "HTTP/1.1 {} X\r\ncontent-length: {}\r\nconnection: close\r\n",
            reply.status,
            reply.body.len()
        );
        for (name, value) in &reply.headers {
            response.push_str(&format!("{name}: {value}\r\n"));
        }
        response.push_str("\r\n");
        stream.write_all(response.as_bytes()).await?;
        stream.write_all(&reply.body).await?;
        stream.shutdown().await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::test_server::{Reply, Seen, start};
    use super::*;

    fn settings(allow_private_network: bool, allow_hosts: &[&str]) -> SandboxSettings {
        SandboxSettings {
            allow_hosts: allow_hosts.iter().map(|host| (*host).to_owned()).collect(),
            allow_private_network,
        }
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn non_global_addresses_are_not_public() {
        for ip in [
            "0.0.0.0",
            "0.1.2.3",
            "127.0.0.1",
            "127.255.255.254",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "192.0.0.8",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "ff0e::1",
            "2001:db8::1",
            "2001::1",
            "100::1",
        ] {
            let parsed: IpAddr = ip.parse().unwrap();
            assert!(!is_public_ip(parsed), "{ip} counted as public");
        }
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "172.32.0.1",
            "100.128.0.1",
            "192.169.0.1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::",
            "2606:4700::1111",
            "2a00:1450:4001::1",
        ] {
            let parsed: IpAddr = ip.parse().unwrap();
            assert!(is_public_ip(parsed), "{ip} counted as non-public");
        }
    }

    #[test]
    fn urls_are_checked_before_anything_is_sent() {
        let runtime = runtime();
        let closed = settings(false, &[]);
        for url in [
            "http://127.0.0.1/",
            "http://127.0.0.1:1/x",
            "https://10.0.0.1/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]:8080/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0/",
            "http://169.254.169.254/latest/meta-data",
            "http://[fe80::1]/",
            "http://224.0.0.1/",
            "ftp://example.com/file",
            "file:///etc/passwd",
            "gopher://example.com/",
            "data:text/plain,hi",
        ] {
            let error = runtime
                .block_on(request(&closed, "GET", url, None, &[], None))
                .unwrap_err();
            assert_eq!(error.code, "sandbox_denied", "{url}: {error}");
        }
        let error = runtime
            .block_on(request(&closed, "GET", "not a url", None, &[], None))
            .unwrap_err();
        assert_eq!(error.code, "invalid_argument");
    }

    #[test]
    fn names_resolving_to_private_addresses_are_denied_at_connect_time() {
        // `localhost` resolves to loopback without any network.
        let address = start(|_| Reply::text(200, "secret"));
        let runtime = runtime();
        let url = format!("http://localhost:{}/", address.port());
        let error = runtime
            .block_on(request(&settings(false, &[]), "GET", &url, None, &[], None))
            .unwrap_err();
        assert_eq!(error.code, "sandbox_denied", "{error}");
        assert!(error.message.contains("localhost"), "{error}");
        let error = runtime
            .block_on(check(&settings(false, &[]), &url))
            .unwrap_err();
        assert_eq!(error.code, "sandbox_denied", "{error}");
        // Listed, it is allowed (with any case and a trailing dot in the entry).
        let response = runtime
            .block_on(request(
                &settings(false, &["LocalHost."]),
                "GET",
                &url,
                None,
                &[],
                None,
            ))
            .unwrap();
        assert_eq!(response.body, "secret");
    }

    #[test]
    fn every_resolved_address_is_checked() {
        let policy = Policy::from_settings(&settings(false, &["*.allowed.test"]));
        let public: SocketAddr = "8.8.8.8:0".parse().unwrap();
        let private: SocketAddr = "10.0.0.1:0".parse().unwrap();
        let mapped: SocketAddr = "[::ffff:127.0.0.1]:0".parse().unwrap();
        assert!(policy.check_addresses("rebind.test", &[public]).is_ok());
        for addresses in [vec![public, private], vec![mapped, public], vec![private]] {
            let error = policy
                .check_addresses("rebind.test", &addresses)
                .unwrap_err();
            assert_eq!(error.code, "sandbox_denied");
        }
        assert!(
            policy
                .check_addresses("api.allowed.test", &[private])
                .is_ok()
        );
        assert!(policy.check_addresses("allowed.test", &[private]).is_ok());
        assert!(
            policy
                .check_addresses("notallowed.test", &[private])
                .is_err()
        );
        let open = Policy::from_settings(&settings(true, &[]));
        assert!(
            open.check_addresses("rebind.test", &[private, mapped])
                .is_ok()
        );
    }

    #[test]
    fn with_private_networks_allowed_requests_go_through() {
        let seen = Arc::new(Mutex::new(Vec::<Seen>::new()));
        let log = Arc::clone(&seen);
        let address = start(move |request| {
            log.lock().unwrap().push(request.clone());
            match request.path.as_str() {
                "/missing" => Reply::text(404, "nope"),
                _ => Reply::text(200, format!("{} {}", request.method, request.body))
                    .header("x-test", "one")
                    .header("X-Test", "two"),
            }
        });
        let runtime = runtime();
        let open = settings(true, &[]);
        let base = format!("http://127.0.0.1:{}", address.port());
        let response = runtime
            .block_on(request(
                &open,
                "post",
                &format!("{base}/echo"),
                Some("payload".to_owned()),
                &[("X-Key".to_owned(), "k1".to_owned())],
                Some(Duration::from_secs(5)),
            ))
            .unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.body, "POST payload");
        assert_eq!(response.headers["x-test"], "one, two");
        let request_seen = seen.lock().unwrap()[0].clone();
        assert!(
            request_seen
                .headers
                .contains(&("x-key".to_owned(), "k1".to_owned()))
        );
        let missing = runtime
            .block_on(request(
                &open,
                "GET",
                &format!("{base}/missing"),
                None,
                &[],
                None,
            ))
            .unwrap();
        assert_eq!(missing.status, 404);
        assert_eq!(missing.body, "nope");
        let value = missing.into_value();
        assert_eq!(value.as_map().unwrap()["status"], Value::Int(404));
    }

    #[test]
    fn redirects_are_checked_again() {
        let address = start(|request| match request.path.as_str() {
            "/to-localhost" => {
                let port = request
                    .headers
                    .iter()
                    .find(|(name, _)| name == "host")
                    .and_then(|(_, host)| host.rsplit(':').next().map(str::to_owned))
                    .unwrap_or_default();
                Reply::text(302, "").header("location", &format!("http://localhost:{port}/end"))
            }
            "/to-file" => Reply::text(302, "").header("location", "file:///etc/passwd"),
            "/to-metadata" => Reply::text(302, "").header("location", "http://169.254.169.254/"),
            "/loop" => Reply::text(302, "").header("location", "/loop"),
            _ => Reply::text(200, "end"),
        });
        let runtime = runtime();
        let base = format!("http://127.0.0.1:{}", address.port());
        // Only 127.0.0.1 is listed: redirects to other private hosts are refused.
        let listed = settings(false, &["127.0.0.1"]);
        for path in ["/to-localhost", "/to-metadata"] {
            let error = runtime
                .block_on(request(
                    &listed,
                    "GET",
                    &format!("{base}{path}"),
                    None,
                    &[],
                    None,
                ))
                .unwrap_err();
            assert_eq!(error.code, "sandbox_denied", "{path}: {error}");
        }
        let open = settings(true, &[]);
        let followed = runtime
            .block_on(request(
                &open,
                "GET",
                &format!("{base}/to-localhost"),
                None,
                &[],
                None,
            ))
            .unwrap();
        assert_eq!(followed.body, "end");
        let error = runtime
            .block_on(request(
                &open,
                "GET",
                &format!("{base}/loop"),
                None,
                &[],
                None,
            ))
            .unwrap_err();
        assert_eq!(error.code, "http", "{error}");
        // A redirect to another scheme is never followed: the redirect itself comes back.
        let unfollowed = runtime
            .block_on(request(
                &open,
                "GET",
                &format!("{base}/to-file"),
                None,
                &[],
                None,
            ))
            .unwrap();
        assert_eq!(unfollowed.status, 302);
        assert_eq!(unfollowed.headers["location"], "file:///etc/passwd");
    }

    #[test]
    fn timeouts_big_bodies_and_refused_connections_have_their_codes() {
        let address = start(|request| match request.path.as_str() {
            "/slow" => Reply::text(200, "late").delayed(Duration::from_secs(3)),
            _ => Reply::text(200, "x".repeat(MAX_RESPONSE_BYTES + 1)),
        });
        let runtime = runtime();
        let open = settings(true, &[]);
        let base = format!("http://127.0.0.1:{}", address.port());
        let error = runtime
            .block_on(request(
                &open,
                "GET",
                &format!("{base}/slow"),
                None,
                &[],
                Some(Duration::from_millis(200)),
            ))
            .unwrap_err();
        assert_eq!(error.code, HTTP_TIMEOUT, "{error}");
        let error = runtime
            .block_on(request(
                &open,
                "GET",
                &format!("{base}/big"),
                None,
                &[],
                None,
            ))
            .unwrap_err();
        assert_eq!(error.code, HTTP, "{error}");
        assert!(error.message.contains("larger than"), "{error}");
        // A port nobody listens on.
        let unused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = unused.local_addr().unwrap().port();
        drop(unused);
        let error = runtime
            .block_on(request(
                &open,
                "GET",
                &format!("http://127.0.0.1:{port}/"),
                None,
                &[],
                None,
            ))
            .unwrap_err();
        assert_eq!(error.code, HTTP, "{error}");
        let error = runtime
            .block_on(request(
                &open,
                "GET",
                &base,
                None,
                &[("bad name".to_owned(), "v".to_owned())],
                None,
            ))
            .unwrap_err();
        assert_eq!(error.code, "invalid_argument");
    }
}
