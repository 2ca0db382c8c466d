//! `briefing serve`: builds the site in memory, serves it on a local
//! address, watches the sources, rebuilds on change and reloads open tabs.
//!
//! Threads: the main thread waits for batches of changes and rebuilds; one
//! thread accepts HTTP requests and answers them from the current
//! [`http::Site`] (an `Arc` swapped in after each build, so a request never
//! sees half a site); each open tab's event stream has a thread of its own.
//! A failed build keeps the last good site and shows its errors over every
//! page until the next good build.

pub mod http;
pub mod watch;

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

use notify::Watcher;

use crate::build::{BuildError, BuildOptions, Built};
use crate::cache::Caches;
use crate::output::OutputFile;
use http::{Reply, Site, SiteFiles};

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub open: bool,
    pub drafts: bool,
    /// Quiet time after the last change before rebuilding.
    pub debounce: watch::Debounce,
    /// Print the time of each stage of each build.
    pub verbose: bool,
}

/// Reload notifications: a generation counter that tabs wait on.
#[derive(Default)]
struct Reloads {
    generation: Mutex<u64>,
    changed: Condvar,
}

impl Reloads {
    fn bump(&self) {
        let mut g = self.generation.lock().unwrap();
        *g += 1;
        self.changed.notify_all();
    }
}

/// The served base URL: the local address plus the sub-path of the
/// configured `base_url`, so that links keep working.
pub fn local_base_url(addr: SocketAddr, configured: &str) -> String {
    format!("{}{}", origin(addr), crate::render::base_path(configured))
}

/// `http://host:port` for a listening address (`0.0.0.0` shows as 127.0.0.1).
fn origin(addr: SocketAddr) -> String {
    let host = match addr.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    format!("http://{host}:{}", addr.port())
}

/// Runs until the process is stopped. Returns an error message when it
/// cannot start (port taken, root missing).
pub fn serve(options: &ServeOptions) -> Result<(), String> {
    let root = options
        .root
        .canonicalize()
        .map_err(|e| format!("{}: {e}", options.root.display()))?;
    let server = tiny_http::Server::http(SocketAddr::new(options.bind, options.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", options.bind, options.port))?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or("the server has no IP address")?;
    let configured = crate::config::Config::from_root(&root)
        .map(|c| c.base_url)
        .unwrap_or_else(|_| "/".to_string());
    let base_url = local_base_url(addr, &configured);

    let site = Arc::new(RwLock::new(Arc::new(Site {
        base_path: crate::render::base_path(&base_url),
        ..Site::default()
    })));
    let reloads = Arc::new(Reloads::default());
    let mut builder = Rebuilder {
        root: root.clone(),
        drafts: options.drafts,
        origin: origin(addr),
        verbose: options.verbose,
        // Start from the disk cache of earlier builds; serving writes nothing.
        caches: Caches::for_serve(&root),
        published: Arc::new(AtomicU64::new(0)),
        finisher: start_finisher()
            .map_err(|e| format!("cannot start the background thread: {e}"))?,
    };
    // Watch before the first build: a save during it, or right after the
    // address is printed, must cause a rebuild, not be lost.
    let (tx, rx) = mpsc::channel();
    let mut watcher =
        watch::start(&root, tx).map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
    builder.rebuild(&site, &reloads, &watch::Changes::default());

    println!("Serving {base_url}");
    let _ = std::io::stdout().flush();
    {
        let site = Arc::clone(&site);
        let reloads = Arc::clone(&reloads);
        let hosts = allowed_hosts(addr);
        std::thread::spawn(move || accept(server, site, reloads, hosts));
    }
    if options.open {
        open_browser(&base_url);
    }

    while let Some(changes) = watch::next_batch(&rx, options.debounce) {
        for dir in watch::WATCHED_DIRS {
            if changes.paths.iter().any(|p| p == dir) && root.join(dir).is_dir() {
                let _ = watcher.watch(&root.join(dir), notify::RecursiveMode::Recursive);
            }
        }
        builder.rebuild(&site, &reloads, &changes);
    }
    Ok(())
}

/// Builds the site and publishes the result (or the errors).
struct Rebuilder {
    root: PathBuf,
    drafts: bool,
    origin: String,
    verbose: bool,
    caches: Caches,
    /// Generation of the site last published (see [`Finish`]).
    published: Arc<AtomicU64>,
    /// Where finishing work goes (see [`start_finisher`]).
    finisher: mpsc::Sender<FinishJob>,
}

impl Rebuilder {
    /// Builds, publishes the new site (or the errors over the last good
    /// one) and tells the tabs to reload; then checks the internal links
    /// of the new site, and if some are broken publishes them as errors.
    fn rebuild(
        &mut self,
        site: &Arc<RwLock<Arc<Site>>>,
        reloads: &Arc<Reloads>,
        changes: &watch::Changes,
    ) {
        let changed = &changes.paths;
        let started = Instant::now();
        let current = site.read().unwrap().clone();
        // The base URL follows site.toml's sub-path; the host and port are ours.
        let path = crate::config::Config::from_root(&self.root)
            .map(|c| crate::render::base_path(&c.base_url))
            .unwrap_or_else(|_| current.base_path.clone());
        let base_url = format!("{}{}", self.origin, path);
        let options = BuildOptions {
            base_url: Some(base_url.clone()),
            drafts: self.drafts,
            write: false,
            output: None,
        };
        if let Some(content) = self.caches.content.as_mut() {
            content.mark_changed(changes.content(), !changes.missed);
        }
        let result = crate::build::build_with(&self.root, &options, &mut self.caches);
        self.caches.analysis.retain_used();
        let elapsed = started.elapsed();
        let what = if changed.is_empty() {
            "Built".to_string()
        } else {
            format!(
                "Rebuilt after {} change{} ({})",
                changed.len(),
                if changed.len() == 1 { "" } else { "s" },
                changed.join(", ")
            )
        };
        let built = match result {
            Ok(built) => built,
            Err(error) => {
                let errors = error_lines(&error);
                for e in &errors {
                    eprintln!("{e}");
                }
                eprintln!("error: the site was not rebuilt; still serving the last good build");
                self.published.fetch_add(1, Ordering::SeqCst);
                *site.write().unwrap() = Arc::new(Site {
                    files: current.files.clone(),
                    base_path: current.base_path.clone(),
                    errors,
                });
                reloads.bump();
                return;
            }
        };
        for w in &built.report.warnings {
            eprintln!("{w}");
        }
        // The new pages go out with the last search index; the new index
        // follows as soon as it is built, without a second reload.
        let Built {
            files: pages,
            report,
            base_url: built_base_url,
            output_dir_name,
            deferred_search,
            ..
        } = built;
        let pages = Arc::new(pages);
        let base_path = crate::render::base_path(&base_url);
        let publish = |files: SiteFiles, errors: Vec<String>| {
            let new = Arc::new(Site {
                files,
                base_path: base_path.clone(),
                errors,
            });
            // The last site is freed on a worker (`drop_later`), not here
            // under the lock, where it held back the reload.
            let last = std::mem::replace(&mut *site.write().unwrap(), new);
            crate::drop_later::drop_later(last);
        };
        let last_search = current.files.part(1).cloned().unwrap_or_default();
        let generation = self.published.fetch_add(1, Ordering::SeqCst) + 1;
        publish(
            SiteFiles::new(vec![Arc::clone(&pages), last_search]),
            Vec::new(),
        );
        reloads.bump();
        println!(
            "{what}: {} briefings, {} files in {} ms",
            report.briefings,
            pages.len(),
            elapsed.as_millis()
        );
        if self.verbose {
            for t in &report.timings {
                println!("{t}");
            }
            if let Some(memo) = &self.caches.render {
                println!(
                    "  rendered {} pages and {} bodies; analysed {} briefings; ranked related of {}",
                    memo.pages_rendered
                        .load(std::sync::atomic::Ordering::Relaxed),
                    memo.bodies_rendered
                        .load(std::sync::atomic::Ordering::Relaxed),
                    self.caches.analysis.misses,
                    self.caches.link.as_ref().map_or(0, |l| l.related.ranked),
                );
            }
        }
        self.caches.analysis.hits = 0;
        self.caches.analysis.misses = 0;
        let _ = std::io::stdout().flush();

        // The search index and the link check run in the background, on
        // one low-priority thread, so that the next save is not kept
        // waiting; a newer build (or failed build) makes their result moot.
        let finish = Finish {
            site: Arc::clone(site),
            reloads: Arc::clone(reloads),
            published: Arc::clone(&self.published),
            generation,
            base_path,
            verbose: self.verbose,
        };
        let _ = self.finisher.send(FinishJob {
            finish,
            pages,
            search: deferred_search,
            base_url: built_base_url,
            output_dir_name,
        });
    }
}

/// The work [`Finish::run`] does after one build.
struct FinishJob {
    finish: Finish,
    pages: Arc<Vec<OutputFile>>,
    search: Option<Arc<crate::build::DeferredSearch>>,
    base_url: String,
    output_dir_name: String,
}

/// Starts the one low-priority thread (with its one-thread pool) that
/// finishes builds, for the whole serve session. One long-lived thread
/// rather than one per build: the allocator keeps a thread's freed memory
/// for that thread, and memory of exited threads was not reused, so every
/// rebuild faulted fresh pages in (the kernel zeroing them was a fifth of
/// a rebuild's time). Jobs queued behind a running one are skipped for
/// the newest: older ones would be dropped as moot anyway.
fn start_finisher() -> std::io::Result<mpsc::Sender<FinishJob>> {
    let (tx, rx) = mpsc::channel::<FinishJob>();
    std::thread::Builder::new()
        .name("serve-finish".into())
        .spawn(move || {
            lower_thread_priority();
            let Ok(pool) = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .thread_name(|_| "serve-finish".into())
                .start_handler(|_| lower_thread_priority())
                .build()
            else {
                return;
            };
            // The link check's page scans, kept from one job to the next.
            let mut scans = crate::output::ScanMemo::default();
            while let Ok(mut job) = rx.recv() {
                while let Ok(newer) = rx.try_recv() {
                    job = newer;
                }
                pool.install(|| {
                    job.finish.run(
                        job.pages,
                        job.search,
                        &job.base_url,
                        &job.output_dir_name,
                        &mut scans,
                    )
                });
            }
        })?;
    Ok(tx)
}

/// What a build leaves for after the reload: the search index and the
/// check of internal links.
struct Finish {
    site: Arc<RwLock<Arc<Site>>>,
    reloads: Arc<Reloads>,
    /// The generation of the site last published, and this build's.
    published: Arc<AtomicU64>,
    generation: u64,
    base_path: String,
    verbose: bool,
}

impl Finish {
    fn current(&self) -> bool {
        self.published.load(Ordering::SeqCst) == self.generation
    }

    /// Publishes `files` unless a newer site was published meanwhile.
    fn publish(&self, files: SiteFiles, errors: Vec<String>) -> bool {
        let mut site = self.site.write().unwrap();
        if !self.current() {
            return false;
        }
        *site = Arc::new(Site {
            files,
            base_path: self.base_path.clone(),
            errors,
        });
        true
    }

    fn run(
        self,
        pages: Arc<Vec<OutputFile>>,
        search: Option<Arc<crate::build::DeferredSearch>>,
        base_url: &str,
        output_dir_name: &str,
        scans: &mut crate::output::ScanMemo,
    ) {
        let started = Instant::now();
        // Runs in the finishing thread's pool (see start_finisher).
        {
            if !self.current() {
                return;
            }
            let mut files = search.map(|d| d.files()).unwrap_or_default();
            files.sort_by(|a, b| a.path.cmp(&b.path));
            let files = SiteFiles::new(vec![pages, Arc::new(files)]);
            if !self.publish(files.clone(), Vec::new()) {
                return;
            }
            let all: Vec<&OutputFile> = files.iter().collect();
            let mut problems =
                crate::build::link_problems_memo(&all, base_url, output_dir_name, Some(scans));
            if self.verbose {
                println!(
                    "  then the search index and the link check in {} ms",
                    started.elapsed().as_millis()
                );
                let _ = std::io::stdout().flush();
            }
            if !problems.is_empty() {
                problems.sort();
                problems.dedup();
                let errors: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
                if self.publish(files, errors.clone()) {
                    for e in &errors {
                        eprintln!("{e}");
                    }
                    self.reloads.bump();
                }
            }
        }
    }
}

/// Makes the calling thread yield the cores to the rebuild of the next
/// save (Linux: nice 19 for this thread only; elsewhere nothing).
fn lower_thread_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority on this thread's own id changes only its nice value.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 19);
    }
}

/// The lines shown in the terminal and in the overlay.
pub fn error_lines(error: &BuildError) -> Vec<String> {
    match error {
        BuildError::Content { problems, .. } => problems
            .iter()
            .filter(|p| p.is_error())
            .map(|p| p.to_string())
            .collect(),
        BuildError::Template(e) => vec![format!("error: {e}")],
        BuildError::Io(e) => vec![format!("error: {e}")],
    }
}

/// On a loopback address, the Host names a request may carry: a web page
/// elsewhere that rebinds its DNS name to 127.0.0.1 must not read the
/// preview (unpublished drafts). `None` (any Host) when bound to another
/// address, where the user chose to be reachable under other names.
fn allowed_hosts(addr: SocketAddr) -> Option<Vec<String>> {
    if !addr.ip().is_loopback() {
        return None;
    }
    let port = addr.port();
    let names = ["127.0.0.1", "localhost", "[::1]", &addr.ip().to_string()];
    Some(
        names
            .iter()
            .flat_map(|n| [n.to_string(), format!("{n}:{port}")])
            .collect(),
    )
}

fn accept(
    server: tiny_http::Server,
    site: Arc<RwLock<Arc<Site>>>,
    reloads: Arc<Reloads>,
    hosts: Option<Vec<String>>,
) {
    for request in server.incoming_requests() {
        if let Some(hosts) = &hosts {
            let host = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Host"))
                .map(|h| h.value.as_str().to_ascii_lowercase());
            if !host.is_some_and(|h| hosts.contains(&h)) {
                let _ = request.respond(
                    tiny_http::Response::from_string("unknown Host\n").with_status_code(421),
                );
                continue;
            }
        }
        if request.url().split('?').next() == Some(http::EVENTS_PATH) {
            let reloads = Arc::clone(&reloads);
            let since = *reloads.generation.lock().unwrap();
            std::thread::spawn(move || events(request, &reloads, since));
            continue;
        }
        let current = site.read().unwrap().clone();
        let method = request.method().as_str().to_string();
        let reply = http::respond(&current, &method, request.url());
        let _ = request.respond(to_response(reply, method == "HEAD"));
    }
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

fn to_response(reply: Reply, head: bool) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let (status, content_type, body, location) = match reply {
        Reply::File {
            status,
            content_type,
            body,
        } => (status, content_type, body, None),
        Reply::Redirect(to) => (301, "text/plain; charset=utf-8", Vec::new(), Some(to)),
        Reply::BadRequest => (
            400,
            "text/plain; charset=utf-8",
            b"bad request\n".to_vec(),
            None,
        ),
        Reply::MethodNotAllowed => (
            405,
            "text/plain; charset=utf-8",
            b"method not allowed\n".to_vec(),
            None,
        ),
    };
    let length = body.len();
    let mut response = tiny_http::Response::from_data(if head { Vec::new() } else { body })
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    if head {
        response = response.with_header(header("Content-Length", &length.to_string()));
    }
    if let Some(to) = location {
        response = response.with_header(header("Location", &to));
    }
    response
}

/// One tab's event stream: a `reload` event after each build, a comment
/// every 15 s so proxies and the browser keep the connection open.
fn events(request: tiny_http::Request, reloads: &Reloads, mut seen: u64) {
    let mut out = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n: connected\n\n";
    if out
        .write_all(head.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        return;
    }
    loop {
        let generation = {
            let g = reloads.generation.lock().unwrap();
            let (g, _) = reloads
                .changed
                .wait_timeout_while(g, Duration::from_secs(15), |g| *g == seen)
                .unwrap();
            *g
        };
        let message = if generation != seen {
            seen = generation;
            format!("event: reload\ndata: {generation}\n\n")
        } else {
            ": ping\n\n".to_string()
        };
        if out
            .write_all(message.as_bytes())
            .and_then(|_| out.flush())
            .is_err()
        {
            return;
        }
    }
}

fn open_browser(url: &str) {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(program)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("warning: cannot open a browser ({program}): {e}");
    }
}
