//! `chatstart export`: a recorded session's HAR file, transcript, or bundle, written where the
//! flags say (or the bundle into the current directory), each place said on stdout.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::args::ExportArgs;
use super::context::Context;
use super::exit;
use super::print::{self, Output, note};
use super::run::{Failure, Outcome};
use crate::export::{self, Loaded, Which};
use crate::history::History;

/// `-` as a FILE: that file goes to stdout.
const STDOUT: &str = "-";

pub fn run(ctx: &Context, args: &ExportArgs) -> Outcome {
    let output = Output::new(args.output);
    let to_stdout = [&args.har, &args.transcript]
        .into_iter()
        .filter(|file| file.as_deref() == Some(Path::new(STDOUT)))
        .count();
    if to_stdout > 1 {
        return Err(Failure::usage(
            "only one of --har and --transcript can be `-` (stdout): name a file for the other",
        ));
    }
    if let (Some(har), Some(transcript)) = (&args.har, &args.transcript) {
        if har == transcript && har.as_path() != Path::new(STDOUT) {
            return Err(Failure::usage(format!(
                "--har and --transcript both name {}: the second would replace the first; name two files",
                har.display()
            )));
        }
    }
    if args.bundle.as_deref() == Some(Path::new(STDOUT)) {
        return Err(Failure::usage(
            "--bundle takes a directory (three files), not `-`: stdout takes one of --har or --transcript",
        ));
    }
    if to_stdout == 1 && output.is_json() {
        return Err(Failure::usage(
            "`-` writes the file to stdout, where --output json writes its JSON line: name a file",
        ));
    }
    let Some(recorded) = &ctx.history else {
        return Err(Failure::usage(format!(
            "no data directory on this system: set {}",
            crate::paths::DATA_DIR_ENV
        )));
    };
    // Reading a journal is not keeping one: `--no-journal` and a profile's `journal = false`
    // choose what new chats keep, not whether a kept journal may be read.
    let history = History::at(recorded.path());
    let which = match (&args.session, args.last) {
        (_, true) => Which::Last,
        (Some(session), false) if session.trim().is_empty() => {
            return Err(Failure::usage(
                "SESSION is empty: name a session by its URI or chat id, or use --last for the \
                 newest",
            ));
        }
        (Some(session), false) => Which::parse(session),
        (None, false) => {
            return Err(Failure::usage(
                "name a SESSION (its URI or chat id) or --last",
            ));
        }
    };
    let entry = export::find(&history, &which).map_err(Failure::usage)?;
    let loaded = export::load(&history, entry);
    for note_text in &loaded.notes {
        note(format!("warning: {note_text}"));
    }

    let mut written = Written::default();
    if let Some(file) = &args.har {
        written.har = Some(write(file, &loaded.har(), "HAR")?);
    }
    if let Some(file) = &args.transcript {
        written.transcript = Some(write(file, &loaded.transcript(), "transcript")?);
    }
    let bundle = match (
        &args.bundle,
        args.har.is_none() && args.transcript.is_none(),
    ) {
        (Some(dir), _) => Some(dir.clone()),
        (None, true) => Some(export::default_bundle_dir(&loaded.entry)),
        (None, false) => None,
    };
    if let Some(dir) = bundle {
        let saved = export::write_bundle(&loaded, &dir).map_err(|e| {
            Failure::usage(format!("cannot write the bundle {}: {e}", dir.display()))
        })?;
        written.bundle = Some(saved.dir);
        written.files = saved.files;
    }
    say_where(output, &loaded, &written, to_stdout == 1);
    Ok(exit::OK)
}

/// Where each file went.
#[derive(Default)]
struct Written {
    har: Option<PathBuf>,
    transcript: Option<PathBuf>,
    bundle: Option<PathBuf>,
    files: Vec<PathBuf>,
}

fn write(file: &Path, content: &str, what: &str) -> Result<PathBuf, Failure> {
    if file == Path::new(STDOUT) {
        print::document(content)
            .map_err(|e| Failure::usage(format!("cannot write the {what} to stdout: {e}")))?;
    } else {
        export::write_file(file, content).map_err(|e| {
            Failure::usage(format!(
                "cannot write the {what} to {}: {e}",
                file.display()
            ))
        })?;
    }
    Ok(file.to_path_buf())
}

fn say_where(output: Output, loaded: &Loaded, written: &Written, stdout_taken: bool) {
    let mut lines = Vec::new();
    let shown = |path: &Path| path.display().to_string();
    for (what, path) in [("HAR", &written.har), ("transcript", &written.transcript)] {
        if let Some(path) = path.as_deref().filter(|p| *p != Path::new(STDOUT)) {
            lines.push(format!("{what}: {}", shown(path)));
        }
    }
    if let Some(dir) = &written.bundle {
        lines.push(format!("bundle: {}", shown(dir)));
        for file in &written.files {
            lines.push(format!("  {}", shown(file)));
        }
    }
    if output.is_json() {
        let as_text = |path: &Option<PathBuf>| path.as_deref().map(shown);
        output.json(&json!({
            "type": "export",
            "uri": Some(&loaded.entry.session.uri)
                .filter(|uri| !uri.is_empty())
                .map(|uri| crate::api::links::redact_text_url(uri)),
            "har": as_text(&written.har),
            "transcript": as_text(&written.transcript),
            "bundle": as_text(&written.bundle),
            "files": written.files.iter().map(|f| shown(f)).collect::<Vec<_>>(),
            "exchanges": loaded.journal.as_ref().map(|j| j.entries.len()),
            "skipped": loaded.skipped(),
            "notes": loaded.notes,
        }));
    } else if stdout_taken {
        // stdout holds the file itself: where the others went is said beside the warnings.
        for line in lines {
            note(line);
        }
    } else {
        for line in lines {
            output.text(line);
        }
    }
}
