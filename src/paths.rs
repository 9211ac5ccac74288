//! Where chatstart keeps its files: the platform's config and data directories (XDG on Linux),
//! each overridable from the environment so tests and unusual setups stay in control.

use std::path::PathBuf;

use directories::ProjectDirs;

/// Environment variable naming the config file.
pub const CONFIG_ENV: &str = "CHATSTART_CONFIG";
/// Environment variable naming the data directory (history, drafts, copied URIs).
pub const DATA_DIR_ENV: &str = "CHATSTART_DATA_DIR";

fn project() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "chatstart")
}

/// The config file: `CHATSTART_CONFIG`, else `config.toml` in the platform's config directory.
pub fn config_file() -> Option<PathBuf> {
    std::env::var_os(CONFIG_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| project().map(|p| p.config_dir().join("config.toml")))
}

/// The data directory: `CHATSTART_DATA_DIR`, else the platform's data directory.
pub fn data_dir() -> Option<PathBuf> {
    std::env::var_os(DATA_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| project().map(|p| p.data_dir().to_path_buf()))
}

/// Makes a directory private to the user (0700): chat content goes there. `recursive` makes
/// its missing parents too; without it the parent must exist.
pub fn create_private_dir(dir: &std::path::Path, recursive: bool) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(recursive);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Writes a file atomically: a temporary file beside it, then a rename, so a crash leaves
/// either the old content or the new, never half of one. Private to the user (0600).
///
/// A device or a pipe named as the file (`/dev/null`, `/dev/stdout`, a shell's `>(…)`) is
/// written to instead: a rename over it would put a regular file where the device was.
pub fn write_atomically(path: &std::path::Path, content: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Ok(metadata) = std::fs::metadata(path) {
        if !metadata.is_file() && !metadata.is_dir() {
            return std::fs::OpenOptions::new()
                .write(true)
                .open(path)?
                .write_all(content);
        }
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&temporary)?;
    file.write_all(content)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, path)
}

/// A line of a text file that could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DamagedLine {
    /// 1-based.
    pub line: usize,
    /// The 1-based byte of the line where the damage starts.
    pub byte: usize,
    /// Whether the line, read leniently, opens a TOML table (`[...]`): the keys after it would
    /// land in the table before it if the line were skipped.
    pub opens_table: bool,
}

impl std::fmt::Display for DamagedLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}: not valid UTF-8 (byte {} of the line)",
            self.line, self.byte
        )
    }
}

/// Reads a text file of which some lines may hold bytes that are not UTF-8: each such line is
/// left blank (so the others keep their numbers, and errors about them name the right line)
/// and named; the rest is read as it is.
pub fn read_text_skipping_damage(
    path: &std::path::Path,
) -> std::io::Result<(String, Vec<DamagedLine>)> {
    let bytes = std::fs::read(path)?;
    if let Ok(text) = String::from_utf8(bytes.clone()) {
        return Ok((text, Vec::new()));
    }
    let mut damaged = Vec::new();
    let lines: Vec<&str> = bytes
        .split(|byte| *byte == b'\n')
        .enumerate()
        .map(|(index, line)| {
            std::str::from_utf8(line).unwrap_or_else(|error| {
                damaged.push(DamagedLine {
                    line: index + 1,
                    byte: error.valid_up_to() + 1,
                    opens_table: String::from_utf8_lossy(line).trim_start().starts_with('['),
                });
                ""
            })
        })
        .collect();
    Ok((lines.join("\n"), damaged))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_device_named_as_the_file_is_written_to_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        // Through a link, so that a regression replaces the link, never the device itself.
        let link = dir.path().join("null");
        std::os::unix::fs::symlink("/dev/null", &link).unwrap();
        write_atomically(&link, b"evidence").unwrap();
        let link_kind = std::fs::symlink_metadata(&link).unwrap().file_type();
        assert!(link_kind.is_symlink(), "the link is still a link");
        let device = std::fs::metadata("/dev/null").unwrap().file_type();
        assert!(device.is_char_device(), "/dev/null is still a device");
    }

    #[test]
    fn atomic_writes_replace_the_whole_file() {
        let dir = std::env::temp_dir().join(format!("chatstart-paths-{}", std::process::id()));
        let path = dir.join("nested").join("file.txt");
        write_atomically(&path, b"first version, long").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        let leftovers = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file left behind");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_line_that_is_not_utf8_is_left_out_and_named_the_others_keep_their_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("file.toml");
        std::fs::write(&path, b"a = 1\nb = \"\xff\"\nc = 3\n").unwrap();
        let (text, damaged) = read_text_skipping_damage(&path).unwrap();
        assert_eq!(text, "a = 1\n\nc = 3\n");
        assert_eq!(
            damaged,
            [DamagedLine {
                line: 2,
                byte: 6,
                opens_table: false
            }]
        );
        assert_eq!(
            damaged[0].to_string(),
            "line 2: not valid UTF-8 (byte 6 of the line)"
        );
    }
}
