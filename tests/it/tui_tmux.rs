//! The real binary in a real tmux (private socket, `set-clipboard on`): `c` must put the session
//! URI in tmux's paste buffer. Without tmux it fails (the project's test command installs it),
//! unless CHATSTART_SKIP_TMUX=1 says to skip it on purpose.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(60);

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("tmux runs")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned()
    }

    fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let text = self.screen();
            if text.contains(what) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "`{what}` did not appear within {DEADLINE:?}; screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// Whether tmux is here; without it the test fails unless skipping was asked for.
fn tmux_is_installed() -> bool {
    if Command::new("tmux").arg("-V").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("CHATSTART_SKIP_TMUX").is_some_and(|v| v == "1"),
        "tmux is not installed: `bash .ci/test` installs it (as root, with apt), or set \
         CHATSTART_SKIP_TMUX=1 to skip this test on purpose"
    );
    eprintln!("SKIPPED on purpose (CHATSTART_SKIP_TMUX=1): tmux is not installed");
    false
}

#[test]
fn copy_lands_in_the_tmux_paste_buffer() {
    if !tmux_is_installed() {
        return;
    }
    let data = std::env::temp_dir().join(format!("chatstart-tui-tmux-{}", std::process::id()));
    let tmux = Tmux {
        socket: format!("chatstart-test-{}", std::process::id()),
    };
    let command = format!(
        "env -u CHATSTART_APP_KEY CHATSTART_DATA_DIR='{}' TERM=xterm-256color '{}'",
        data.display(),
        env!("CARGO_BIN_EXE_chatstart")
    );
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "t",
        "-x",
        "200",
        "-y",
        "40",
        &command,
    ]);
    assert!(started.status.success(), "{started:?}");
    assert!(
        tmux.run(&["set", "-s", "set-clipboard", "on"])
            .status
            .success()
    );

    tmux.wait_for("survey: 4 questions");
    tmux.keys(&["C-s"]);
    tmux.wait_for("must be answered");
    tmux.keys(&["Space"]);
    tmux.wait_for("(•) CATS");
    tmux.keys(&["C-s"]);
    let text = tmux.wait_for("CHATTING");
    let uri = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Session URI"))
        .map(|u| u.trim().to_string())
        .expect("URI on screen");
    tmux.keys(&["c"]);
    tmux.wait_for("copied the session URI");
    let buffer = tmux.run(&["show-buffer"]);
    assert_eq!(String::from_utf8_lossy(&buffer.stdout).trim(), uri);

    tmux.keys(&["e"]);
    tmux.wait_for("ENDED");
    // The demo's chat has an exit survey: it opens after the end; Esc skips it.
    tmux.wait_for("Exit survey");
    tmux.keys(&["Escape"]);
    tmux.wait_for("exit survey skipped");
    tmux.keys(&["q"]);
    let deadline = Instant::now() + DEADLINE;
    while tmux.run(&["has-session", "-t", "t"]).status.success() {
        assert!(Instant::now() < deadline, "the console did not quit");
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = std::fs::remove_dir_all(&data);
}

/// A terminal that goes away while SIGHUP cannot reach the console (here blocked, as a launcher
/// or `sudo` may leave it): the console notices the hang-up itself and ends, instead of spinning
/// at full CPU on a terminal that reads nothing.
#[test]
fn a_terminal_that_hangs_up_ends_the_console_even_without_sighup() {
    if !tmux_is_installed() {
        return;
    }
    let data = std::env::temp_dir().join(format!("chatstart-tui-hup-{}", std::process::id()));
    let tmux = Tmux {
        socket: format!("chatstart-hup-{}", std::process::id()),
    };
    // perl (in Debian's essential perl-base) blocks SIGHUP, and the mask survives the exec.
    let command = format!(
        "env -u CHATSTART_APP_KEY CHATSTART_DATA_DIR='{}' TERM=xterm-256color perl -MPOSIX -e \
         'sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGHUP)) or die; exec @ARGV' '{}' tui \
         --base-url http://127.0.0.1:1 --account 12345678 --app-key k",
        data.display(),
        env!("CARGO_BIN_EXE_chatstart")
    );
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "t",
        "-x",
        "100",
        "-y",
        "30",
        &command,
    ]);
    assert!(started.status.success(), "{started:?}");
    tmux.wait_for("new chat request");
    let pid = String::from_utf8_lossy(
        &tmux
            .run(&["display", "-p", "-t", "t", "#{pane_pid}"])
            .stdout,
    )
    .trim()
    .to_string();
    let blocked = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let mask = blocked
        .lines()
        .find_map(|l| l.strip_prefix("SigBlk:"))
        .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
        .unwrap_or(0);
    assert!(
        mask & 1 != 0,
        "SIGHUP (1) is blocked in the console: {blocked}"
    );
    // Killed whatever the outcome, so a failure does not leave it spinning.
    struct KillOnDrop<'a>(&'a str);
    impl Drop for KillOnDrop<'_> {
        fn drop(&mut self) {
            let _ = Command::new("kill").args(["-9", self.0]).status();
        }
    }
    let _guard = KillOnDrop(&pid);
    let _ = tmux.run(&["kill-server"]);
    let deadline = Instant::now() + DEADLINE;
    let running = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            !stat
                .rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
    };
    while running() {
        assert!(
            Instant::now() < deadline,
            "the console still runs with its terminal gone"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = std::fs::remove_dir_all(&data);
}
