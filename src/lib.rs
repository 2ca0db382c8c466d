//! `briefing` turns news articles into a static briefing site.
//!
//! The build is a pipeline, and [`build`] reads as one:
//! load config → load content → analyse → link → render → check → write.
//! Each stage is a module with one entry point; analysis and linking are pure.

pub mod analysis;
pub mod analyze_cmd;
pub mod briefings;
pub mod cli;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod fast_hash;
pub mod ingest;
pub mod interrupt;
pub mod linking;
pub mod markdown;
pub mod memory;
pub mod output;
pub mod render;
pub mod search;
pub mod trace;

mod build;
mod drop_later;
pub mod init;
pub use build::{
    build, build_in_memory, build_leaving, build_with, BuildError, BuildOptions, Built, Leftovers,
    Report, StageTiming, STATIC_DIR,
};
pub mod cache;
pub mod serve;
