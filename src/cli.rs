//! The command line: commands, flags and the exit codes they map to.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit code of a run that found nothing wrong.
pub const EXIT_OK: i32 = 0;
/// Exit code when content, config or templates have problems.
pub const EXIT_CONTENT: i32 = 1;
/// Exit code for a wrong command line (clap also uses it).
pub const EXIT_USAGE: i32 = 2;
/// Exit code for a failure of the machine: disk full, permission denied.
pub const EXIT_IO: i32 = 3;
/// Exit code of a run ended by Ctrl-C or SIGTERM (see [`crate::interrupt`]):
/// 128 + SIGINT, what a shell reports for a program Ctrl-C ended.
pub const EXIT_INTERRUPTED: i32 = 130;

#[derive(Debug, Parser)]
#[command(
    name = "briefing",
    version,
    about = "Turn news articles into a static site of briefings and digests"
)]
pub struct Cli {
    /// Print the time each stage took.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output directory.
    Build(BuildArgs),
    /// Do everything `build` does, but write nothing; exit non-zero on any problem.
    Check(CheckArgs),
    /// Create a new site in DIR with an example briefing and the default templates.
    Init(InitArgs),
    /// Analyse articles and print summaries, key issues and entities.
    Analyze(AnalyzeArgs),
    /// Turn articles (text, Markdown, HTML pages, `-` for stdin) into briefings under content/.
    Ingest(IngestArgs),
    /// Build the site in memory, serve it locally, rebuild and reload on every change.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Port to listen on; 0 picks a free one (the address is printed).
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Address to listen on. Only this machine can connect unless you change it.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Include briefings marked `draft = true`.
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Args)]
pub struct RootArg {
    /// The site's root directory (holding site.toml and content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Output directory (default: site.toml's output_dir, relative to the root).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Override site.toml's base_url.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Include briefings marked `draft = true`.
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Include briefings marked `draft = true`.
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to create the site in (must be empty or not exist).
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Text,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Output format: `json` for tools, `text` for people.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Number of summary sentences.
    #[arg(long)]
    pub summary_sentences: Option<usize>,
    /// Number of key issues.
    #[arg(long)]
    pub key_issues: Option<usize>,
    /// Files or directories of .md / .txt articles, analysed together as one corpus.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Date of the briefings (YYYY-MM-DD); default: the article's date, else today.
    #[arg(long)]
    pub date: Option<chrono::NaiveDate>,
    /// Source name written to `[source] name` (default: the page's site name).
    #[arg(long)]
    pub source_name: Option<String>,
    /// Source URL written to `[source] url` (default: the page's canonical URL).
    #[arg(long)]
    pub source_url: Option<String>,
    /// Section directory under content/ to write into.
    #[arg(long, default_value = "briefings")]
    pub section: String,
    /// Print what would be written; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Refresh briefings already ingested, keeping fields an editor changed.
    #[arg(long)]
    pub force: bool,
    /// Refuse input files larger than this many bytes.
    #[arg(long, default_value_t = crate::ingest::DEFAULT_MAX_BYTES)]
    pub max_bytes: u64,
    /// Article files, directories of them, or `-` for standard input.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}
