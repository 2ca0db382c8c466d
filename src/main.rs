//! The `briefing` binary: parse the command line, run, print every problem,
//! exit with a code that tells success, content errors and usage errors apart.

use std::io::IsTerminal;

use clap::Parser;

use briefing::analyze_cmd::{self, AnalyzeRequest};
use briefing::cli::{Cli, Command, EXIT_CONTENT, EXIT_IO, EXIT_OK, EXIT_USAGE};
use briefing::{BuildError, BuildOptions, Report};

// The build allocates millions of small strings and vectors (views, HTML,
// postings) across threads; mimalloc's thread-local free lists take about a
// fifth off the CPU time glibc's allocator costs here (measured on a
// 10,000-briefing build, see bench/README.md).
#[cfg(not(feature = "heap-count"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// `cargo build --release --features heap-count`: the same allocator, counting
// the live heap, which `BRIEFING_TRACE` laps then print (see bench/README.md).
#[cfg(feature = "heap-count")]
#[global_allocator]
static GLOBAL: briefing::trace::CountingHeap = briefing::trace::CountingHeap;

extern "C" {
    /// mimalloc's C API (linked in by the `mimalloc` crate).
    fn mi_option_set(option: std::os::raw::c_int, value: std::os::raw::c_long);
    fn mi_collect(force: bool);
}

/// `mi_option_purge_delay` in mimalloc v3's `mi_option_e`, as bundled by
/// libmimalloc-sys 0.1.49 (Cargo.lock): check the enum when updating it.
const MI_OPTION_PURGE_DELAY: std::os::raw::c_int = 15;

/// By default mimalloc gives freed memory back to the OS soon after. A
/// build frees and reallocates hundreds of megabytes between stages, and
/// the kernel zeroes every page faulted back in: `clear_page_erms` was 15 %
/// of a cold 10,000-briefing check's samples. Keeping freed memory costs
/// about 30 MB of peak RSS there and saves about 14 % of the wall time.
/// It is kept ten minutes (as good as forever for a build; `serve` gives
/// back what it has not reused by then), except where a large build asks
/// for it to go (`briefing::memory`). `MIMALLOC_PURGE_DELAY` in the
/// environment still has the last word.
fn keep_freed_memory() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: sets one allocator option; valid at any time, from any thread.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 600_000) }
    briefing::memory::install(give_back_freed_memory);
}

/// Each thread's free pages to the arenas, and the arenas' free memory to
/// the OS (`mi_collect(true)` on every thread of the pool and this one).
fn give_back_freed_memory() {
    // SAFETY: mi_collect takes no pointers; it frees only what is unused.
    rayon::broadcast(|_| unsafe { mi_collect(true) });
    unsafe { mi_collect(true) }
}

/// No transparent huge pages for this process. mimalloc asks for them
/// (`madvise`) on its arenas, so the kernel zeroes two megabytes on the
/// first touch of each one, used or not: on a 10,000-briefing build that
/// was 30 % of a warm build's samples (`clear_page_erms`) and 3.2-3.8 s of
/// system time in a cold one. With 4 KiB pages: 1.0 s of system time, the
/// wall time 1.1 s shorter warm and cold, and peak RSS 150 MB lower
/// (`MIMALLOC_ALLOW_THP=0` alternated with the default, bench/README.md).
/// `prctl` rather than mimalloc's own option, which is read when its
/// arenas are already mapped, before `main`. Linux only; a failure
/// changes nothing but speed. One-off commands only.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integer arguments and touches
    // only this process's memory policy.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() {
    keep_freed_memory();
    briefing::interrupt::install();
    let cli = Cli::parse();
    // `serve` keeps them: it zeroes its pages once and then looks up a
    // gigabyte of memos on every save, where huge pages spare TLB misses
    // (edit -> reload 5-10 % faster with them, bench/serve_latency.py).
    if !matches!(cli.command, Command::Serve(_)) {
        no_huge_pages();
    }
    let code = match cli.command {
        Command::Build(ref args) => run_build(
            &cli,
            &args.root.root,
            BuildOptions {
                output: args.output.clone(),
                base_url: args.base_url.clone(),
                drafts: args.drafts,
                write: true,
            },
        ),
        Command::Check(ref args) => run_build(
            &cli,
            &args.root.root,
            BuildOptions {
                drafts: args.drafts,
                write: false,
                ..BuildOptions::default()
            },
        ),
        Command::Init(ref args) => match briefing::init::init(&args.dir) {
            Ok(files) => {
                if !cli.quiet {
                    println!(
                        "Created a site in {} ({} files).",
                        args.dir.display(),
                        files.len()
                    );
                    println!("Next: briefing build --root {}", args.dir.display());
                }
                EXIT_OK
            }
            Err(e) => {
                eprintln!("error: {e}");
                EXIT_USAGE
            }
        },
        Command::Serve(ref args) => {
            let options = briefing::serve::ServeOptions {
                root: args.root.root.clone(),
                bind: args.bind,
                port: args.port,
                open: args.open,
                drafts: args.drafts,
                debounce: briefing::serve::watch::Debounce::DEFAULT,
                verbose: cli.verbose,
            };
            match briefing::serve::serve(&options) {
                Ok(()) => EXIT_OK,
                Err(e) => {
                    eprintln!("error: {e}");
                    EXIT_IO
                }
            }
        }
        Command::Analyze(args) => {
            let mut options = briefing::analysis::AnalysisOptions::default();
            if let Some(k) = args.summary_sentences {
                options.summary_sentences = k;
            }
            if let Some(n) = args.key_issues {
                options.key_issues = n;
            }
            let request = AnalyzeRequest {
                paths: args.paths,
                format: args.format,
                options,
            };
            analyze_cmd::run(
                &request,
                &mut std::io::stdout().lock(),
                &mut std::io::stderr().lock(),
            )
        }
        Command::Ingest(args) => run_ingest(args),
    };
    std::process::exit(code);
}

fn run_ingest(args: briefing::cli::IngestArgs) -> i32 {
    let options = briefing::ingest::IngestOptions {
        root: args.root.root,
        date: args.date,
        source_name: args.source_name,
        source_url: args.source_url,
        section: args.section,
        dry_run: args.dry_run,
        force: args.force,
        max_bytes: args.max_bytes,
        inputs: args.inputs,
    };
    // The only clock read of ingest: "today" for articles without a date.
    let now = chrono::Utc::now();
    briefing::ingest::run(
        &options,
        now,
        &mut std::io::stdin().lock(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    )
}

fn run_build(cli: &Cli, root: &std::path::Path, options: BuildOptions) -> i32 {
    let writing = options.write;
    let progress = !cli.quiet && std::io::stderr().is_terminal();
    if progress {
        eprint!("Building {} …\r", root.display());
    }
    let result = briefing::build_leaving(root, &options);
    if progress {
        eprint!("\x1b[2K");
    }
    match result {
        Ok((report, leftovers)) => {
            leftovers.leave_to_exit();
            print_warnings(cli, &report.warnings);
            print_report(cli, &report, writing);
            EXIT_OK
        }
        Err(BuildError::Content { problems, warnings }) => {
            print_warnings(cli, &warnings);
            for p in &problems {
                eprintln!("{p}");
            }
            let errors = problems.iter().filter(|p| p.is_error()).count();
            eprintln!(
                "error: {errors} problem{} found; nothing was written",
                if errors == 1 { "" } else { "s" }
            );
            EXIT_CONTENT
        }
        Err(BuildError::Template(e)) => {
            eprintln!("error: {e}");
            eprintln!("error: the site was not built; nothing was written");
            EXIT_CONTENT
        }
        Err(BuildError::Io(e)) => {
            eprintln!("error: {e}");
            EXIT_IO
        }
    }
}

fn print_warnings(cli: &Cli, warnings: &[briefing::diagnostics::Diagnostic]) {
    if cli.quiet {
        return;
    }
    for w in warnings {
        eprintln!("{w}");
    }
}

fn print_report(cli: &Cli, report: &Report, writing: bool) {
    if cli.verbose {
        for t in &report.timings {
            eprintln!("{t}");
        }
        if report.reused > 0 {
            eprintln!(
                "  {} pages taken from the last build's output",
                report.reused
            );
        }
    }
    if cli.quiet {
        return;
    }
    match (&report.output, writing) {
        (Some(out), true) => println!(
            "Built {} briefings into {}: {} pages, {} files ({} new or changed), {} KB.",
            report.briefings,
            out.display(),
            report.pages,
            report.files,
            report.written,
            report.bytes / 1024
        ),
        _ => println!(
            "Checked {} briefings and {} pages: no problems.",
            report.briefings, report.pages
        ),
    }
}
