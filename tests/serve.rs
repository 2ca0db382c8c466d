//! `briefing serve` end to end: the real binary on a temporary site, talked
//! to over plain TCP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_briefing");

/// A running `briefing serve`, stopped on drop.
struct Server {
    child: Child,
    /// `127.0.0.1:PORT`
    addr: String,
    /// The path part of the served base URL.
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(root: &Path) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--root"])
        .arg(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start briefing serve");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("serve printed its address")
            .expect("read stdout");
        if let Some(url) = line.strip_prefix("Serving ") {
            break url.trim().to_string();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let rest = url.strip_prefix("http://").expect("http URL");
    let (addr, path) = rest.split_at(rest.find('/').unwrap());
    Server {
        child,
        addr: addr.to_string(),
        base: path.to_string(),
    }
}

/// (status, headers, body) of a GET sent verbatim.
fn get(server: &Server, target: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.addr
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

/// Polls until `check` passes on the page at `target`, or panics.
fn wait_for(
    server: &Server,
    target: &str,
    what: &str,
    check: impl Fn(u16, &str) -> bool,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, _, body) = get(server, target);
        if check(status, &body) {
            return body;
        }
        if Instant::now() > deadline {
            panic!("timed out waiting for {what} at {target}; last: {status}\n{body}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// An open event stream.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn connect(server: &Server) -> Events {
        let mut stream = TcpStream::connect(&server.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        write!(
            stream,
            "GET /__briefing/events HTTP/1.1\r\nHost: {}\r\n\r\n",
            server.addr
        )
        .unwrap();
        let mut events = Events {
            reader: BufReader::new(stream),
        };
        let head = events.read_until(": connected");
        assert!(head.contains("text/event-stream"), "{head}");
        events
    }

    /// Fails if an event (not a keep-alive comment, nor the rest of an
    /// event already read) arrives within `time`.
    fn expect_quiet(&mut self, time: Duration) {
        let deadline = Instant::now() + time;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            if left.is_zero() {
                break;
            }
            self.reader.get_ref().set_read_timeout(Some(left)).unwrap();
            let mut line = String::new();
            match self.reader.read_line(&mut line) {
                Ok(0) => panic!("event stream closed"),
                Ok(_) => assert!(!line.starts_with("event:"), "unexpected event: {line}"),
                Err(e) => {
                    assert!(
                        matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ),
                        "{e}"
                    );
                    break;
                }
            }
        }
        self.reader
            .get_ref()
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
    }

    fn read_until(&mut self, marker: &str) -> String {
        let mut seen = String::new();
        // Keep-alive comments reset the socket's timeout: also a deadline.
        let deadline = Instant::now() + Duration::from_secs(30);
        while !seen.contains(marker) {
            assert!(
                Instant::now() < deadline,
                "no `{marker}` within 30 s; got: {seen}"
            );
            let mut line = String::new();
            match self.reader.read_line(&mut line) {
                Ok(0) => panic!("event stream closed; got: {seen}"),
                Ok(_) => seen.push_str(&line),
                Err(e) => panic!("no `{marker}` on the event stream ({e}); got: {seen}"),
            }
        }
        seen
    }
}

fn new_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let out = Command::new(BIN).arg("init").arg(&root).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (i, topic) in [
        "Oman hosts talks",
        "Oil prices ease",
        "Insurers weigh route",
    ]
    .iter()
    .enumerate()
    {
        std::fs::write(
            root.join(format!("content/briefings/2026-02-0{}-b{i}.md", i + 1)),
            format!(
                "+++\ntitle = \"{topic}\"\ndate = 2026-02-0{}T09:00:00Z\ntags = [\"gulf\"]\n+++\n\n{topic} today. Officials said more talks would follow next week.\n",
                i + 1
            ),
        )
        .unwrap();
    }
    dir
}

fn root(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("site")
}

#[test]
fn serve_rebuilds_and_reloads_on_edit() {
    let dir = new_site();
    let server = start(&root(&dir));
    let base = server.base.clone();
    let page = format!("{base}briefings/b0/");
    let (status, head, body) = get(&server, &page);
    assert_eq!(status, 200, "{head}\n{body}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/html"),
        "{head}"
    );
    assert!(body.contains("Oman hosts talks"));
    assert!(
        body.contains("/__briefing/events"),
        "the reload script is injected"
    );
    // Links point at the local server, not the configured site.
    assert!(
        body.contains(&format!("http://{}/", server.addr))
            || !body.contains("https://example.org/")
    );

    let mut events = Events::connect(&server);
    // Serving reads files; reading is not a change: no rebuild, no reload.
    events.expect_quiet(Duration::from_millis(800));
    let file = root(&dir).join("content/briefings/2026-02-01-b0.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("Oman hosts talks", "Muscat hosts new talks"),
    )
    .unwrap();
    events.read_until("event: reload");
    wait_for(&server, &page, "the edited title", |s, b| {
        s == 200 && b.contains("Muscat hosts new talks")
    });

    // An editor's swap file changes nothing and triggers no rebuild.
    std::fs::write(root(&dir).join("content/briefings/.b0.md.swp"), "junk").unwrap();
    std::fs::write(root(&dir).join("content/briefings/4913"), "").unwrap();
    events.expect_quiet(Duration::from_millis(500));
}

/// Editors' two ways of saving: a temporary file renamed over the
/// briefing, and a write in place that pauses halfway (a slow disk, a
/// large file). Each gives one rebuild of the whole file: one reload, no
/// error from a half-written front matter.
#[test]
fn serve_builds_a_save_once_it_is_finished() {
    let dir = new_site();
    let server = start(&root(&dir));
    let page = format!("{}briefings/b2/", server.base);
    wait_for(&server, &page, "the page", |s, _| s == 200);
    let file = root(&dir).join("content/briefings/2026-02-03-b2.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut events = Events::connect(&server);

    let temporary = root(&dir).join("content/briefings/.b2.md.tmp");
    std::fs::write(
        &temporary,
        text.replace("Insurers weigh route", "Insurers quit route"),
    )
    .unwrap();
    std::fs::rename(&temporary, &file).unwrap();
    events.read_until("event: reload");
    wait_for(&server, &page, "the renamed-over save", |s, b| {
        s == 200 && b.contains("Insurers quit route") && !b.contains("__briefing_errors")
    });
    events.expect_quiet(Duration::from_millis(500));

    let edited = text.replace("Insurers weigh route", "Insurers return to route");
    let (head, tail) = edited.split_at(edited.find("route").unwrap());
    let mut writer = std::fs::File::create(&file).unwrap();
    writer.write_all(head.as_bytes()).unwrap();
    writer.flush().unwrap();
    // Longer than the quiet time after a finished save, shorter than the
    // one while a file is open for writing.
    std::thread::sleep(Duration::from_millis(20));
    writer.write_all(tail.as_bytes()).unwrap();
    drop(writer);
    events.read_until("event: reload");
    let body = wait_for(&server, &page, "the paused save", |s, b| {
        s == 200 && b.contains("Insurers return to route")
    });
    assert!(!body.contains("__briefing_errors"), "{body}");
    events.expect_quiet(Duration::from_millis(500));
}

#[test]
fn serve_refuses_traversal_and_answers_404() {
    let dir = new_site();
    std::fs::write(dir.path().join("secret.txt"), "TOP SECRET").unwrap();
    // A symlink in static/ pointing out of the site is not served.
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        dir.path().join("secret.txt"),
        root(&dir).join("static/leak.txt"),
    )
    .unwrap();
    std::fs::write(root(&dir).join("static/favicon.svg"), "<svg/>").unwrap();
    let server = start(&root(&dir));
    for target in [
        "/../secret.txt",
        "/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/secret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/static/../../secret.txt",
        "/leak.txt",
        "/site.toml",
        "/content/briefings/2026-02-01-b0.md",
    ] {
        let (status, _, body) = get(&server, target);
        assert!(status == 400 || status == 404, "{target}: {status}");
        assert!(!body.contains("TOP SECRET"), "{target} leaked");
        assert!(!body.contains("base_url"), "{target} leaked site.toml");
    }
    // DNS rebinding: a request naming another host is refused.
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    write!(
        stream,
        "GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 421"), "{response}");
    let (status, _, body) = get(&server, &format!("{}no/such/page/", server.base));
    assert_eq!(status, 404);
    assert!(body.contains("/__briefing/events"));
    // `/dir` redirects to `/dir/`.
    let (status, head, _) = get(&server, &format!("{}briefings/b0", server.base));
    assert_eq!(status, 301, "{head}");
    assert!(
        head.contains(&format!("{}briefings/b0/", server.base)),
        "{head}"
    );
    // MIME types.
    let (status, head, _) = get(&server, &format!("{}style.css", server.base));
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase().contains("content-type: text/css"),
        "{head}"
    );
    let (status, head, _) = get(&server, &format!("{}favicon.svg", server.base));
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: image/svg+xml"),
        "{head}"
    );
}

#[test]
fn serve_shows_errors_and_recovers() {
    let dir = new_site();
    let server = start(&root(&dir));
    let page = format!("{}briefings/b1/", server.base);
    wait_for(&server, &page, "the page", |s, _| s == 200);
    let file = root(&dir).join("content/briefings/2026-02-02-b1.md");
    let good = std::fs::read_to_string(&file).unwrap();

    let mut events = Events::connect(&server);
    std::fs::write(
        &file,
        good.replace("title = \"Oil prices ease\"", "title = \"Oil prices ease"),
    )
    .unwrap();
    events.read_until("event: reload");
    let body = wait_for(&server, &page, "the overlay", |s, b| {
        s == 200 && b.contains("__briefing_errors")
    });
    assert!(
        body.contains("content/briefings/2026-02-02-b1.md:"),
        "{body}"
    );
    // The last good page is still served under the overlay.
    assert!(body.contains("Oil prices ease"));

    std::fs::write(&file, good.replace("Oil prices ease", "Oil prices rebound")).unwrap();
    events.read_until("event: reload");
    let body = wait_for(&server, &page, "recovery", |s, b| {
        s == 200 && b.contains("Oil prices rebound")
    });
    assert!(!body.contains("__briefing_errors"));

    // A broken template: same story.
    let template = root(&dir).join("templates/briefing.html");
    let good_template = std::fs::read_to_string(&template).unwrap();
    std::fs::write(&template, format!("{good_template}\n{{% if %}}")).unwrap();
    events.read_until("event: reload");
    wait_for(&server, &page, "the template error", |s, b| {
        s == 200 && b.contains("__briefing_errors") && b.contains("briefing.html")
    });
    std::fs::write(&template, good_template).unwrap();
    events.read_until("event: reload");
    wait_for(&server, &page, "recovery", |s, b| {
        s == 200 && !b.contains("__briefing_errors")
    });
}

#[test]
fn serve_keeps_the_sub_path_of_base_url() {
    let dir = new_site();
    let config = root(&dir).join("site.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("https://example.org/", "https://example.org/briefs/"),
    )
    .unwrap();
    let server = start(&root(&dir));
    assert_eq!(server.base, "/briefs/");
    let (status, _, body) = get(&server, "/briefs/briefings/b0/");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("/briefs/"), "{body}");
    assert!(!body.contains("https://example.org"), "{body}");
    let (status, head, _) = get(&server, "/");
    assert_eq!(status, 301);
    assert!(head.contains("Location: /briefs/"), "{head}");
    let (status, _, _) = get(&server, "/briefings/b0/");
    assert_eq!(status, 404);
}

#[test]
fn serve_shows_broken_links_after_the_reload() {
    let dir = new_site();
    let server = start(&root(&dir));
    let page = format!("{}briefings/b2/", server.base);
    let mut events = Events::connect(&server);
    let template = root(&dir).join("templates/briefing.html");
    let good = std::fs::read_to_string(&template).unwrap();
    // A template link to a page that does not exist: found by the output check.
    let broken = good.replacen(
        "</article>",
        "<a href=\"{{ site.base_path }}no-such-page/\">x</a></article>",
        1,
    );
    assert!(broken != good, "the template has an </article>");
    std::fs::write(&template, broken).unwrap();
    events.read_until("event: reload");
    let body = wait_for(&server, &page, "the link error", |s, b| {
        s == 200 && b.contains("__briefing_errors")
    });
    assert!(body.contains("no-such-page"), "{body}");
    std::fs::write(&template, good).unwrap();
    wait_for(&server, &page, "recovery", |s, b| {
        s == 200 && !b.contains("__briefing_errors")
    });
}
