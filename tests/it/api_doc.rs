//! Every `§`, `Q` and `V` id cited in the repository resolves in `docs/api.md`, the project's own
//! reference of the Chat REST API, so no comment or document points at a text outside the tree.
//!
//! `docs/api.md` defines a `§` id by a heading (`## §2 …`, `### §2.8 …`) and a `V` or `Q` id by
//! the first cell of a table row (`| V11 |`, `| Q28 |`). A citation is `§` followed by numbers
//! (`§2.10–2.13` cites both ends), or a whole word `Q<n>` / `V<n>`. A `§` right after `RFC <n>`
//! belongs to that RFC and is skipped.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Where ids are cited: the code, its tests and benches, and the documents beside them.
const CITING: [&str; 6] = ["src", "tests", "benches", "assets", "docs", "README.md"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `path` (or `path` itself), in a stable order.
fn files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = fs::read_dir(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .map(|entry| entry.expect("directory entry").path())
            .collect();
        entries.sort();
        for entry in entries {
            files(&entry, out);
        }
    } else if path.is_file() {
        out.push(path.to_path_buf());
    }
}

/// `2`, `2.8`, `2.10`: the numbers at the start of `text`, and how many bytes they take. A dot is
/// taken only when a digit follows it (a sentence may end right after an id).
fn section_number(text: &str) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let mut end = 0;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        end += 1;
    }
    if end == 0 {
        return None;
    }
    while end + 1 < bytes.len() && bytes[end] == b'.' && bytes[end + 1].is_ascii_digit() {
        end += 1;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
    }
    Some((text[..end].to_string(), end))
}

/// Whether `before` ends with `RFC <number>`: the `§` that follows is the RFC's.
fn after_rfc(before: &str) -> bool {
    let trimmed = before.trim_end();
    let without_number = trimmed.trim_end_matches(|c: char| c.is_ascii_digit());
    without_number.len() < trimmed.len() && without_number.trim_end().ends_with("RFC")
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The ids cited in one line of text.
fn citations(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, c) in line.char_indices() {
        let rest = &line[at + c.len_utf8()..];
        if c == '§' {
            let Some((number, len)) = section_number(rest) else {
                continue;
            };
            if after_rfc(&line[..at]) {
                continue;
            }
            found.push(format!("§{number}"));
            // A range, `§2.10–2.13` or `§2.3-2.5`: its far end is cited too.
            let after = &rest[len..];
            if let Some(tail) = after.strip_prefix('–').or_else(|| after.strip_prefix('-')) {
                let tail = tail.strip_prefix('§').unwrap_or(tail);
                if let Some((end, _)) = section_number(tail) {
                    found.push(format!("§{end}"));
                }
            }
        } else if c == 'Q' || c == 'V' {
            if line[..at].chars().next_back().is_some_and(is_word) {
                continue;
            }
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if digits.is_empty() || rest[digits.len()..].chars().next().is_some_and(is_word) {
                continue;
            }
            found.push(format!("{c}{digits}"));
        }
    }
    found
}

/// The ids `docs/api.md` defines, each with how many times it is defined.
fn definitions(doc: &str) -> BTreeMap<String, usize> {
    let mut defined = BTreeMap::new();
    for line in doc.lines() {
        let line = line.trim();
        let id = if line.starts_with('#') {
            let title = line.trim_start_matches('#').trim_start();
            title
                .strip_prefix('§')
                .and_then(section_number)
                .map(|(number, _)| format!("§{number}"))
        } else if line.starts_with('|') {
            let cell = line.split('|').nth(1).unwrap_or("").trim();
            let mut chars = cell.chars();
            let kind = chars.next();
            let number = chars.as_str();
            (matches!(kind, Some('Q' | 'V'))
                && !number.is_empty()
                && number.chars().all(|c| c.is_ascii_digit()))
            .then(|| cell.to_string())
        } else {
            None
        };
        if let Some(id) = id {
            *defined.entry(id).or_insert(0) += 1;
        }
    }
    defined
}

fn api_doc() -> String {
    let path = root().join("docs/api.md");
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_cited_id_is_defined_in_docs_api_md() {
    let defined = definitions(&api_doc());
    let mut paths = Vec::new();
    for place in CITING {
        files(&root().join(place), &mut paths);
    }
    // id → where it is cited without being defined.
    let mut unresolved: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut cited = 0;
    for path in &paths {
        // Images and other binary files cite nothing.
        let Ok(text) = fs::read_to_string(path) else {
            continue;
        };
        let shown = path
            .strip_prefix(root())
            .unwrap_or(path)
            .display()
            .to_string();
        for (number, line) in text.lines().enumerate() {
            for id in citations(line) {
                cited += 1;
                if !defined.contains_key(&id) {
                    unresolved
                        .entry(id)
                        .or_default()
                        .push(format!("{shown}:{}", number + 1));
                }
            }
        }
    }
    assert!(cited > 0, "no ids found: is the walk reading the tree?");
    if !unresolved.is_empty() {
        for (id, places) in &unresolved {
            eprintln!(
                "{id} is not defined in docs/api.md; cited at {}",
                places.join(", ")
            );
        }
        panic!(
            "{} cited ids do not resolve in docs/api.md: {}",
            unresolved.len(),
            unresolved.keys().cloned().collect::<Vec<_>>().join(" ")
        );
    }
}

#[test]
fn docs_api_md_defines_each_id_once_and_the_tables_have_no_gaps() {
    let defined = definitions(&api_doc());
    let twice: Vec<&String> = defined
        .iter()
        .filter(|(_, count)| **count > 1)
        .map(|(id, _)| id)
        .collect();
    assert!(twice.is_empty(), "defined more than once: {twice:?}");
    for kind in ['V', 'Q'] {
        let numbers: Vec<u32> = defined
            .keys()
            .filter_map(|id| id.strip_prefix(kind))
            .map(|n| n.parse().expect("digits"))
            .collect();
        let highest = numbers.iter().copied().max().unwrap_or(0);
        assert!(highest > 0, "no {kind} rows in docs/api.md");
        let missing: Vec<u32> = (1..=highest).filter(|n| !numbers.contains(n)).collect();
        assert!(missing.is_empty(), "{kind} rows missing: {missing:?}");
    }
}

#[test]
fn citations_are_read_as_the_doc_writes_them() {
    assert_eq!(
        citations("spec §2.10–2.13, §2.8 rule 3."),
        ["§2.10", "§2.13", "§2.8"]
    );
    assert_eq!(
        citations("(§4). Q1–Q3 and V5/V8"),
        ["§4", "Q1", "Q3", "V5", "V8"]
    );
    assert!(citations("RFC 7519 §4.1, QV1, V1x, aV2, Q, §x").is_empty());
    let defined =
        definitions("## §2 Endpoints\n### §2.8 Auth\n| V11 | x |\n| Q28 | y |\n| V | z |");
    let ids: Vec<&String> = defined.keys().collect();
    assert_eq!(ids, ["Q28", "V11", "§2", "§2.8"]);
}
