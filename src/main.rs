//! The `briefing` binary: parse the command line, run, print every problem,
//! exit with a code that tells success, content errors and usage errors apart.

use clap::Parser;

use briefing::analyze_cmd::{self, AnalyzeRequest};
use briefing::cli::{Cli, Command};

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
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
        _ => {
            eprintln!("error: not implemented yet");
            briefing::cli::EXIT_USAGE
        }
    };
    std::process::exit(code);
}
