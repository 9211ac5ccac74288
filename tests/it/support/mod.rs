//! Shared test support: an in-process emulator on loopback, and the real binary run against it
//! (`pty`: in a pseudo-terminal).
#![allow(dead_code)]

pub mod console;
pub mod pty;
mod running;

pub use running::Running;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chatstart::api::model::{ChatState, EventKind};
use chatstart::emulator::{self, EmulatorHandle, FaultSpec, Scenario};
use chatstart::session::SessionUpdate;

/// A fast scenario for tests: Sales accepts after 300 ms, Slow after a minute, Ghost never.
pub const FAST: &str = r#"
[[skills]]
name = "Sales"
id = 1
available = true
agent_name = "Natalie"
agent_id = 7
accept_after_ms = 300
greeting = "<div dir=\"ltr\">Hi, I'm <b>Natalie</b> &amp; happy to help.</div>"
replies = ["<p>Got it: line one<br>line two</p>"]
reply_after_ms = 100
estimated_wait_secs = 30
slots = 3

[[skills]]
name = "Slow"
id = 2
available = true
agent_name = "Omar"
accept_after_ms = 60000

[[skills]]
name = "Router"
id = 4
available = true
reroute_to = "Sales"

[[skills]]
name = "Ghost"
id = 3
available = false

[survey]
id = 40216
header = "Tell us about you"

[[survey.questions]]
id = 1001
logic_id = 4
order = 0
mandatory = true
type = "Dropdown Box"
label = "Which team do you need?"
entries = [{ value = "CATS", show_logic_ids = [5] }, { value = "DOGS" }]

[[survey.questions]]
id = 1002
logic_id = 5
order = 1
mandatory = true
type = "Text Field"
label = "Your cat's name?"

[[survey.questions]]
id = 1003
order = 2
type = "Checkbox"
label = "Topics"
entries = [{ value = "billing" }, { value = "shipping" }]
"#;

/// Faults as the emulator's `--fault` flag takes them (`503@session,count=1`).
pub fn faults(specs: &[&str]) -> Vec<FaultSpec> {
    specs
        .iter()
        .map(|spec| FaultSpec::parse(spec).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

/// The chat states a session tracker's updates announced, in order.
pub fn states(updates: &[SessionUpdate]) -> Vec<ChatState> {
    updates
        .iter()
        .flat_map(|u| match u {
            SessionUpdate::Batch { events, .. } => events.clone(),
            _ => Vec::new(),
        })
        .filter_map(|e| match e.kind {
            EventKind::State(state) => Some(state),
            _ => None,
        })
        .collect()
}

/// An emulator serving on 127.0.0.1:0 from its own runtime, for as long as the value lives.
pub struct Emulator {
    pub handle: EmulatorHandle,
    runtime: tokio::runtime::Runtime,
    /// A private home for the commands: config and data directories of their own.
    pub home: tempfile::TempDir,
}

impl Emulator {
    pub fn start(scenario_toml: &str) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let scenario = Scenario::from_toml(scenario_toml).expect("scenario");
        let handle = runtime
            .block_on(emulator::start(scenario, "127.0.0.1:0".parse().unwrap()))
            .expect("emulator starts");
        let home = tempfile::tempdir().expect("temporary home");
        Self {
            handle,
            runtime,
            home,
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.home.path().join("data")
    }

    /// Where the commands look for their config file by default.
    pub fn config_file(&self) -> PathBuf {
        self.home
            .path()
            .join("config")
            .join("chatstart")
            .join("config.toml")
    }

    /// A fast scenario with extra top-level settings in front (e.g. `auth_response = "chat"`).
    pub fn fast_with(settings: &str) -> Self {
        Self::start(&format!("{settings}\n{FAST}"))
    }

    pub fn base_url(&self) -> String {
        self.handle.base_url()
    }

    pub fn app_key(&self) -> String {
        self.handle.app_key().to_string()
    }

    /// `chatstart ARGS --base-url … --account …` with the appKey in the environment.
    pub fn chatstart(&self, args: &[&str]) -> Command {
        let mut command = self.bare(args);
        command
            .args([
                "--base-url",
                &self.base_url(),
                "--account",
                self.handle.account(),
            ])
            .env("CHATSTART_APP_KEY", self.app_key());
        command
    }

    /// `chatstart ARGS` in the private home, with no connection flags and no chatstart
    /// variables from the test's own environment.
    pub fn bare(&self, args: &[&str]) -> Command {
        in_home(self.home.path(), args)
    }

    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }
}

/// `chatstart ARGS` with its environment private to `home` (see [`private_env`]): a test never
/// reads or writes the user's files.
pub fn in_home(home: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_chatstart"));
    command.args(args);
    for (variable, value) in private_env(home) {
        match value {
            Some(value) => command.env(variable, value),
            None => command.env_remove(variable),
        };
    }
    command
}

/// The environment of a chatstart run private to `home`, for [`in_home`] and the pseudo-terminal's
/// commands alike: its config and data directories and its home there, and none of the variables
/// chatstart reads taken from the test's own environment. `None` removes the variable.
pub fn private_env(home: &Path) -> Vec<(&'static str, Option<PathBuf>)> {
    let mut env = vec![
        ("CHATSTART_DATA_DIR", Some(home.join("data"))),
        ("XDG_CONFIG_HOME", Some(home.join("config"))),
        ("HOME", Some(home.to_path_buf())),
    ];
    for variable in [
        "CHATSTART_APP_KEY",
        "CHATSTART_SSO_KEY",
        "CHATSTART_PROFILE",
        "CHATSTART_CONFIG",
        "CHATSTART_LOG",
        "CHATSTART_ACCOUNT",
        "CHATSTART_FORMAT",
        "CHATSTART_APP_KEY_IN",
        "CHATSTART_HTTP_TIMEOUT",
        // Makes chat-owning tasks panic on purpose; only the tests that mean it set it.
        "CHATSTART_TEST_FAULT",
        // Inside tmux a copy also goes to tmux's paste buffer.
        "TMUX",
    ] {
        env.push((variable, None));
    }
    env
}

/// `kill SIGNAL PID` (`-INT`, `-TERM`, `-KILL`), which must succeed.
pub fn kill(signal: &str, pid: u32) {
    let status = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill {signal} {pid}");
}

/// Marks a child process started by [`in_own_process`]; its value names the one test it runs.
const OWN_PROCESS: &str = "CHATSTART_IT_OWN_PROCESS";

/// For a test that needs a variable in its own process's environment (a path the code reads with
/// `std::env::var`, not one a child command could be given): the other tests of this binary run
/// on threads of the same process, and `set_var` would change the variable under them while
/// they read the environment. So the test `test` (`module_path!()` and its name) runs again in a
/// child process of this binary, alone, with `variable` naming a new temporary directory from the
/// child's start.
///
/// In the child: `Some(the directory)`, and the test goes on. In the parent: `None` once the child
/// ran exactly that test and it passed (else a panic with the child's output); the test returns.
pub fn in_own_process(test: &str, variable: &str) -> Option<PathBuf> {
    // libtest names a test by its path without the crate's name.
    let name = test.split_once("::").map_or(test, |(_, path)| path);
    if std::env::var(OWN_PROCESS).is_ok_and(|running| running == name) {
        let directory = std::env::var_os(variable).expect("the parent set the variable");
        return Some(directory.into());
    }
    let scratch = tempfile::tempdir().expect("temporary directory");
    let mut command = Command::new(std::env::current_exe().expect("this test binary"));
    command
        .args([name, "--exact", "--test-threads=1"])
        .env(OWN_PROCESS, name)
        .env(variable, scratch.path().join("dir"));
    let output = run(command, Duration::from_secs(180));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("test result: ok. 1 passed"),
        "{name} in its own process: {}\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    None
}

/// A child process killed when the test lets go of it, passing or failing.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs a command to completion, killing it if it outlives `limit` (a hung command fails the
/// test instead of hanging it).
pub fn run(mut command: Command, limit: Duration) -> Output {
    use std::io::Read;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chatstart starts");
    // Both pipes are drained as the command writes: one that fills its pipe never blocks.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = stdout.join().expect("stdout reader");
    let stderr = stderr.join().expect("stderr reader");
    let Some(status) = status else {
        panic!(
            "command did not finish within {limit:?}\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr)
        );
    };
    Output {
        status,
        stdout,
        stderr,
    }
}

/// stdout, stderr and the exit code of a finished command.
pub struct Ran {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Ran {
    /// The JSON lines of the command's stdout, each parsed (a line that is not JSON fails).
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|line| {
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}\n{self:?}"))
            })
            .collect()
    }
}

pub fn ran(command: Command) -> Ran {
    // A safety net against a hung command, far above any wait a test asks of one.
    let output = run(command, Duration::from_secs(180));
    Ran {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    }
}

impl std::fmt::Debug for Ran {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}
