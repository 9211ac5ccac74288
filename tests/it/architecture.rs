//! The architecture doc's table of allowed imports is the code's: every `crate::` path in every
//! file under `src/` (tests included, since they live beside the code) names a module its own
//! top-level module may import, as `docs/architecture.md` lists them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The table between the doc's markers: module → the modules it may import.
fn allowed() -> BTreeMap<String, BTreeSet<String>> {
    let doc = std::fs::read_to_string(Path::new(ROOT).join("docs/architecture.md")).expect("doc");
    let start = doc.find("<!-- imports:").expect("the doc marks its table");
    let end = doc[start..].find("<!-- /imports -->").expect("end marker") + start;
    let mut table = BTreeMap::new();
    for row in doc[start..end].lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let (modules, imports) = (cells[1], cells[2]);
        if modules == "module" {
            continue;
        }
        let imports: BTreeSet<String> = imports
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty() && !m.starts_with('('))
            .map(String::from)
            .collect();
        for module in modules.split(',').map(str::trim) {
            table.insert(module.to_string(), imports.clone());
        }
    }
    table
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// The top-level module a file under `src/` belongs to (`main` for the binary, none for lib.rs).
fn module_of(path: &Path) -> Option<String> {
    let relative = path.strip_prefix(Path::new(ROOT).join("src")).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    match first.strip_suffix(".rs").unwrap_or(first) {
        "lib" => None,
        name => Some(name.to_string()),
    }
}

/// The top-level modules a file's code names, `crate::name` (or `chatstart::name` in main.rs),
/// comments left out.
fn imports(text: &str, binary: bool) -> BTreeSet<String> {
    let prefix = if binary { "chatstart::" } else { "crate::" };
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().last();
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

#[test]
fn every_import_under_src_is_one_the_architecture_doc_allows() {
    let table = allowed();
    let mut files = Vec::new();
    rust_files(&Path::new(ROOT).join("src"), &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let Some(module) = module_of(file) else {
            continue;
        };
        let Some(may) = table.get(&module) else {
            wrong.push(format!("{module}: not in the doc's table"));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("source");
        for import in imports(&text, module == "main") {
            if import != module && !may.contains(&import) {
                wrong.push(format!("{} imports {import}", file.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports docs/architecture.md does not allow (fix the code, or the doc and its picture):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_an_import_and_skips_comments_and_longer_names() {
    let text = "use crate::cli::x; // crate::tui\nlet a = my_crate::tui::y;\ncrate::api::z();";
    let found = imports(text, false);
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        ["api".to_string(), "cli".to_string()]
    );
}
