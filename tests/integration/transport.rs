//! The transport against real hosts (scripts/testbed/testbed.sh): one sshd container per host, reached
//! through plimsoll's own inventory loading, ConnectionSpec and openssh master connections.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use plimsoll::transport::{
    Connection, ConnectionPool, ConnectionSpec, HostKeyPolicy, TransportError, TransportOptions,
};
use plimsoll::value::{Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::testbed::{self, Testbed};

const T: Duration = Duration::from_secs(20);

fn options() -> TransportOptions {
    TransportOptions {
        connect_timeout: Duration::from_secs(5),
        ..TransportOptions::default()
    }
}

fn spec(host: &str, vars: &Map) -> ConnectionSpec {
    ConnectionSpec::from_vars(host, vars).unwrap_or_else(|e| panic!("{e}"))
}

async fn connect_shared(pool: &ConnectionPool) -> Connection {
    let bed = testbed::shared(1);
    pool.connect(&spec("h1", &bed.trusted_vars("h1")))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn stdout(conn: &Connection, argv: &[&str]) -> String {
    let out = conn.exec(argv, None, T).await.unwrap().checked().unwrap();
    out.stdout_lossy().into_owned()
}

/// Words that break any command line built by pasting strings together.
fn hostile(marker: &str) -> Vec<String> {
    vec![
        "a b".into(),
        "it's".into(),
        format!("$(touch {marker})"),
        format!("`touch {marker}`"),
        "line1\nline2".into(),
        "*".into(),
        "$HOME".into(),
        ";".into(),
        "\"q\" \\".into(),
        "-n".into(),
        "!".into(),
        String::new(),
    ]
}

fn nul_split(bytes: &[u8]) -> Vec<String> {
    let mut parts: Vec<String> = bytes
        .split(|b| *b == 0)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    assert_eq!(parts.pop().as_deref(), Some(""), "output ends with NUL");
    parts
}

#[tokio::test]
async fn arguments_and_scripts_arrive_intact_and_nothing_runs() {
    let pool = ConnectionPool::new(options()).unwrap();
    let conn = connect_shared(&pool).await;
    let marker = format!("/tmp/pwned-{}", std::process::id());
    let words = hostile(&marker);
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();

    let mut argv = vec!["printf", "%s\\0"];
    argv.extend(&refs);
    let out = conn.exec(&argv, None, T).await.unwrap().checked().unwrap();
    assert_eq!(nul_split(&out.stdout), words);

    // The same words as file names (those that can be one).
    let dir = stdout(&conn, &["mktemp", "-d"]).await.trim().to_string();
    let names: Vec<&str> = refs
        .iter()
        .copied()
        .filter(|n| !n.is_empty() && !n.contains('/'))
        .collect();
    assert!(names.len() >= 8);
    for name in &names {
        conn.exec(&["touch", "--", &format!("{dir}/{name}")], None, T)
            .await
            .unwrap()
            .checked()
            .unwrap();
    }
    let listed = conn
        .exec(
            &["find", &dir, "-mindepth", "1", "-printf", "%f\\0"],
            None,
            T,
        )
        .await
        .unwrap()
        .checked()
        .unwrap();
    let mut listed = nul_split(&listed.stdout);
    listed.sort();
    let mut expected: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    expected.sort();
    assert_eq!(listed, expected);

    // `sh -s -- ARGS` with the script on stdin.
    let out = conn
        .run_script(
            "echoing arguments",
            "printf '%s\\0' \"$@\"\n",
            &refs,
            None,
            T,
        )
        .await
        .unwrap()
        .checked()
        .unwrap();
    assert_eq!(nul_split(&out.stdout), words);

    // `sh -c SCRIPT sh ARGS` with data on stdin: the script itself holds quotes, `$()` and newlines.
    let script = format!("x='$(touch {marker})'\nprintf '%s|' \"$x\" \"$@\"\ncat\n");
    let out = conn
        .run_script(
            "script with data",
            &script,
            &["a b", "it's"],
            Some(b"data\n"),
            T,
        )
        .await
        .unwrap()
        .checked()
        .unwrap();
    assert_eq!(
        out.stdout_lossy(),
        format!("$(touch {marker})|a b|it's|data\n")
    );

    let check = conn.exec(&["test", "-e", &marker], None, T).await.unwrap();
    assert_eq!(
        check.status, 1,
        "{marker} exists on the host: something ran"
    );
    conn.exec(&["rm", "-rf", "--", &dir], None, T)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

#[tokio::test]
async fn exit_codes_stderr_and_large_stdin() {
    let pool = ConnectionPool::new(options()).unwrap();
    let conn = connect_shared(&pool).await;

    let out = conn
        .exec(&["sh", "-c", "echo oops >&2; exit 3"], None, T)
        .await
        .unwrap();
    assert_eq!((out.status, out.stderr_lossy().as_ref()), (3, "oops\n"));
    let err = out.checked().unwrap_err();
    assert_eq!(
        err.to_string(),
        "h1: `sh -c 'echo oops >&2; exit 3'` failed with exit code 3: oops"
    );

    // openssh reports 127 as an error; it comes back as a status with the stderr that explains it.
    let out = conn
        .exec(&["plimsoll-no-such-command"], None, T)
        .await
        .unwrap();
    assert_eq!(out.status, 127);
    assert!(
        out.stderr_lossy().contains("plimsoll-no-such-command"),
        "{}",
        out.stderr_lossy()
    );

    let data: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    let out = conn.exec(&["cat"], Some(&data), T).await.unwrap();
    assert!(out.stdout == data, "1 MB through cat came back different");
}

#[tokio::test]
async fn upload_is_atomic_and_keeps_modes() {
    let pool = ConnectionPool::new(options()).unwrap();
    let conn = connect_shared(&pool).await;
    let dir = stdout(&conn, &["mktemp", "-d"]).await.trim().to_string();
    // A file name cannot hold a `/`: the marker is relative to where a command would run.
    let marker = format!("pwned-upload-{}", std::process::id());
    let path = format!("{dir}/it's a $(touch {marker}) `touch {marker}` file\nwith a newline");

    conn.upload(&path, b"first\n", T).await.unwrap();
    assert_eq!(stdout(&conn, &["cat", "--", &path]).await, "first\n");
    assert_eq!(
        stdout(&conn, &["stat", "-c", "%a", "--", &path]).await,
        "644\n"
    );

    conn.exec(&["chmod", "600", "--", &path], None, T)
        .await
        .unwrap();
    let big = vec![b'x'; 300_000];
    conn.upload(&path, &big, T).await.unwrap();
    assert_eq!(
        stdout(&conn, &["stat", "-c", "%a %s", "--", &path]).await,
        "600 300000\n"
    );

    // No temporary files left behind.
    let entries = stdout(&conn, &["find", &dir, "-mindepth", "1", "-printf", "%f\\0"]).await;
    assert_eq!(entries.matches('\0').count(), 1, "{entries:?}");

    let err = conn
        .upload(&format!("{dir}/missing/file"), b"x", T)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, TransportError::CommandFailed { .. })
            && text.contains("upload of")
            && text.contains("missing"),
        "{text}"
    );
    for place in [
        marker.clone(),
        format!("{dir}/{marker}"),
        format!("/{marker}"),
    ] {
        let check = conn.exec(&["test", "-e", &place], None, T).await.unwrap();
        assert_eq!(check.status, 1, "{place} exists on the host: something ran");
    }
    conn.exec(&["rm", "-rf", "--", &dir], None, T)
        .await
        .unwrap();
}

#[tokio::test]
async fn thirty_concurrent_commands_share_one_connection() {
    let pool = ConnectionPool::new(options()).unwrap();
    let conn = Arc::new(connect_shared(&pool).await);
    let before = conn.counters();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..30 {
        let conn = conn.clone();
        tasks.spawn(async move {
            let n = i.to_string();
            let out = conn
                .exec(&["sh", "-c", "sleep 0.3; echo \"$1\"", "sh", &n], None, T)
                .await;
            (i, out)
        });
    }
    let mut done = 0;
    while let Some(joined) = tasks.join_next().await {
        let (i, out) = joined.unwrap();
        let out = out.unwrap_or_else(|e| panic!("command {i}: {e}"));
        assert_eq!(out.stdout_lossy(), format!("{i}\n"));
        done += 1;
    }
    assert_eq!(done, 30);
    let after = conn.counters();
    assert_eq!(after.connections, 1);
    assert_eq!(after.round_trips - before.round_trips, 30);
    assert_eq!(pool.counters().get("h1"), Some(&after));
}

#[tokio::test]
async fn timed_out_commands_are_killed_on_the_host() {
    let pool = ConnectionPool::new(options()).unwrap();
    let conn = connect_shared(&pool).await;
    let pidfile = format!("/tmp/plimsoll-timeout-{}", std::process::id());
    let started = Instant::now();
    let err = conn
        .exec(
            &[
                "sh",
                "-c",
                "echo $$ > \"$1\"; exec sleep 30",
                "sh",
                &pidfile,
            ],
            None,
            Duration::from_secs(1),
        )
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(&err, TransportError::Timeout { host, after, .. } if host == "h1" && *after == Duration::from_secs(1)),
        "{err}"
    );
    assert!(err.to_string().contains("`sh -c"), "{err}");
    assert!(took < Duration::from_millis(2500), "took {took:?}");
    let pid = stdout(&conn, &["cat", &pidfile]).await.trim().to_string();
    let alive = conn
        .exec(&["test", "-d", &format!("/proc/{pid}")], None, T)
        .await
        .unwrap();
    assert_eq!(
        alive.status, 1,
        "the timed-out process {pid} still runs on the host"
    );
    conn.exec(&["rm", "-f", &pidfile], None, T).await.unwrap();
}

fn with_args(mut vars: Map, args: &str) -> Map {
    vars.insert("ansible_ssh_common_args".into(), Value::Str(args.into()));
    vars
}

fn fake_key(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let key = dir.join("fake");
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(status.success());
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let public: Vec<&str> = public.split_whitespace().take(2).collect();
    (key, public.join(" "))
}

#[tokio::test]
async fn host_keys_are_checked_strictly_unless_asked() {
    let bed = testbed::shared(1);
    let tmp = tempfile::tempdir().unwrap();
    let vars = bed.host_vars("h1", "");
    let address = vars["ansible_host"].as_str().unwrap().to_string();
    let pool = ConnectionPool::new(options()).unwrap();

    // Unknown key, strict by default.
    let empty = tmp.path().join("empty");
    std::fs::write(&empty, "").unwrap();
    let strict = with_args(
        vars.clone(),
        &format!("-o UserKnownHostsFile={}", empty.display()),
    );
    let err = pool.connect(&spec("h1", &strict)).await.unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, TransportError::HostKeyUnknown { .. }),
        "{text}"
    );
    for hint in [
        "h1: ",
        &format!("ssh-keyscan {address} >> {}", empty.display()),
        "StrictHostKeyChecking=accept-new",
        "--accept-new-host-keys",
    ] {
        assert!(text.contains(hint), "{hint:?} missing in: {text}");
    }

    // Known: the testbed's known_hosts.
    pool.connect(&spec("h1", &bed.trusted_vars("h1")))
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    // accept-new from the host's ssh args records the key; strict then accepts it.
    let learn = tmp.path().join("learn");
    std::fs::write(&learn, "").unwrap();
    let args = format!(
        "-o UserKnownHostsFile={} -o StrictHostKeyChecking=accept-new",
        learn.display()
    );
    pool.connect(&spec("h1", &with_args(vars.clone(), &args)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!std::fs::read_to_string(&learn).unwrap().is_empty());
    let args = format!("-o UserKnownHostsFile={}", learn.display());
    pool.connect(&spec("h1", &with_args(vars.clone(), &args)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    // The same through the run-wide option (the CLI's --accept-new-host-keys).
    let learn2 = tmp.path().join("learn2");
    std::fs::write(&learn2, "").unwrap();
    let lenient = ConnectionPool::new(TransportOptions {
        host_key_policy: HostKeyPolicy::AcceptNew,
        ..options()
    })
    .unwrap();
    let args = format!("-o UserKnownHostsFile={}", learn2.display());
    lenient
        .connect(&spec("h1", &with_args(vars.clone(), &args)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    // A different key recorded for the address: refused even with accept-new.
    let (fake, public) = fake_key(tmp.path());
    let changed = tmp.path().join("changed");
    std::fs::write(&changed, format!("{address} {public}\n")).unwrap();
    let args = format!(
        "-o UserKnownHostsFile={} -o StrictHostKeyChecking=accept-new",
        changed.display()
    );
    let err = pool
        .connect(&spec("h1", &with_args(vars.clone(), &args)))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, TransportError::HostKeyChanged { .. }),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "ssh-keygen -f \"{}\" -R \"{address}\"",
            changed.display()
        )) && text.contains("Offending ED25519 key"),
        "{text}"
    );

    // A key the host does not accept.
    let mut wrong = bed.trusted_vars("h1");
    wrong.insert(
        "ansible_ssh_private_key_file".into(),
        Value::Str(fake.display().to_string()),
    );
    let err = pool.connect(&spec("h1", &wrong)).await.unwrap_err();
    assert!(matches!(err, TransportError::AuthFailed { .. }), "{err}");
    assert!(err.to_string().contains("Permission denied"), "{err}");
}

#[tokio::test]
async fn forwards_reach_sockets_and_ports_on_the_host() {
    let pool = ConnectionPool::new(options()).unwrap();
    let conn = connect_shared(&pool).await;

    // The host's own Docker engine, as the docker driver will use it.
    conn.run_script(
        "waiting for dockerd",
        "for i in $(seq 150); do [ -S /var/run/docker.sock ] && exit 0; sleep 0.1; done; exit 1",
        &[],
        None,
        T,
    )
    .await
    .unwrap()
    .checked()
    .unwrap();
    let socket = conn.forward_unix("/var/run/docker.sock").await.unwrap();
    let mut stream = tokio::net::UnixStream::connect(socket.path())
        .await
        .unwrap();
    stream
        .write_all(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
        .await
        .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.unwrap();
    assert!(
        reply.starts_with("HTTP/1.0 200 OK") && reply.ends_with("OK"),
        "{reply}"
    );
    let path = socket.path().to_path_buf();
    drop(socket);
    assert!(
        !path.exists(),
        "forwarded socket {} not removed",
        path.display()
    );

    let err = conn
        .forward_unix("/run/plimsoll-nothing.sock")
        .await
        .unwrap_err();
    assert!(
        matches!(err, TransportError::Forward { .. }) && err.to_string().contains("no socket at"),
        "{err}"
    );

    // The host's sshd through a TCP forward.
    let addr = conn.forward_tcp("127.0.0.1", 22).await.unwrap();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut banner = [0u8; 7];
    stream.read_exact(&mut banner).await.unwrap();
    assert_eq!(&banner, b"SSH-2.0");

    let err = conn.forward_tcp("127.0.0.1", 1).await.unwrap_err();
    assert!(err.to_string().contains("nothing is listening"), "{err}");
    assert_eq!(conn.counters().forwards, 4);
}

#[tokio::test]
async fn stopped_and_paused_hosts_fail_in_bounded_time_while_others_work() {
    let bed = Testbed::start(2);
    let shared = testbed::shared(1);
    bed.docker(&["stop", "-t", "0"], "h2");
    let pool = ConnectionPool::new(TransportOptions {
        connect_timeout: Duration::from_secs(3),
        forks: 3,
        ..TransportOptions::default()
    })
    .unwrap();
    let specs = vec![
        spec("paused", &bed.trusted_vars("h1")),
        spec("stopped", &bed.trusted_vars("h2")),
        spec("healthy", &shared.trusted_vars("h1")),
    ];
    let started = Instant::now();
    let mut results = pool.connect_all(specs).await.into_iter();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(8), "connecting took {took:?}");

    let (host, paused) = results.next().unwrap();
    assert_eq!(host, "paused");
    let paused = paused.unwrap_or_else(|e| panic!("{e}"));
    let (host, stopped) = results.next().unwrap();
    assert_eq!(host, "stopped");
    let err = stopped.unwrap_err();
    assert!(err.is_unreachable() && err.host() == "stopped", "{err}");
    let (_, healthy) = results.next().unwrap();
    let healthy = healthy.unwrap_or_else(|e| panic!("{e}"));

    bed.docker(&["pause"], "h1");
    let started = Instant::now();
    let limit = Duration::from_secs(2);
    let (hung, fine) = tokio::join!(
        async {
            let r = paused.exec(&["true"], None, limit).await;
            (r, started.elapsed())
        },
        healthy.exec(&["sh", "-c", "sleep 1; echo fine"], None, T),
    );
    bed.docker(&["unpause"], "h1");
    let (hung, hung_after) = hung;
    let err = hung.unwrap_err();
    assert!(
        matches!(&err, TransportError::Timeout { host, after, .. } if host == "paused" && *after == limit),
        "{err}"
    );
    assert!(
        hung_after >= limit && hung_after < limit + Duration::from_millis(2500),
        "the paused host failed after {hung_after:?}"
    );
    assert_eq!(fine.unwrap().stdout_lossy(), "fine\n");

    let counters = pool.counters();
    assert_eq!(counters["stopped"].connections, 0);
    assert_eq!(counters["paused"].connections, 1);
    assert_eq!(counters["healthy"].round_trips, 1);
}

#[tokio::test]
async fn local_connection_runs_on_this_machine() {
    let mut vars = Map::new();
    vars.insert("ansible_connection".into(), Value::Str("local".into()));
    let pool = ConnectionPool::new(options()).unwrap();
    let conn = pool.connect(&spec("localhost", &vars)).await.unwrap();
    assert!(conn.is_local());
    let tmp = tempfile::tempdir().unwrap();
    let marker = tmp.path().join("pwned");
    let words = hostile(&marker.display().to_string());
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();

    let mut argv = vec!["printf", "%s\\0"];
    argv.extend(&refs);
    let out = conn.exec(&argv, None, T).await.unwrap().checked().unwrap();
    assert_eq!(nul_split(&out.stdout), words);
    let out = conn
        .run_script("script", "printf '%s\\0' \"$@\"", &refs, None, T)
        .await
        .unwrap();
    assert_eq!(nul_split(&out.stdout), words);
    assert!(!marker.exists());

    let err = conn.exec(&["echo", "a\0b"], None, T).await.unwrap_err();
    assert!(err.to_string().contains("NUL byte"), "{err}");

    let path = tmp.path().join("it's a file");
    conn.upload(&path.display().to_string(), b"local\n", T)
        .await
        .unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "local\n");

    let started = Instant::now();
    let err = conn
        .exec(&["sleep", "30"], None, Duration::from_millis(500))
        .await
        .unwrap_err();
    assert!(matches!(err, TransportError::Timeout { .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));

    let socket_path = tmp.path().join("s.sock");
    let _listener = tokio::net::UnixListener::bind(&socket_path).unwrap();
    let socket = conn
        .forward_unix(&socket_path.display().to_string())
        .await
        .unwrap();
    assert_eq!(socket.path(), socket_path);
    drop(socket);
    assert!(socket_path.exists(), "a local socket is not ours to remove");
    assert!(conn.forward_unix("/nonexistent.sock").await.is_err());
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = tcp.local_addr().unwrap().port();
    assert_eq!(
        conn.forward_tcp("127.0.0.1", port).await.unwrap(),
        tcp.local_addr().unwrap()
    );

    let counters = conn.counters();
    assert_eq!((counters.connections, counters.round_trips), (0, 4));
}

#[tokio::test]
async fn the_users_ssh_config_still_applies() {
    // ~/.ssh/config cannot be redirected (ssh reads the passwd home), so this goes through `-F`,
    // which the generated config includes in the same way.
    let bed = testbed::shared(1);
    let vars = bed.host_vars("h1", "");
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    std::fs::write(
        &config,
        format!(
            "Host plimsoll-alias\n  HostName {}\n  User root\n  IdentityFile {}\n  UserKnownHostsFile {}\n",
            vars["ansible_host"].as_str().unwrap(),
            vars["ansible_ssh_private_key_file"].as_str().unwrap(),
            bed.known_hosts.display(),
        ),
    )
    .unwrap();
    let mut only_alias = Map::new();
    only_alias.insert(
        "ansible_ssh_common_args".into(),
        Value::Str(format!("-F {}", config.display())),
    );
    let pool = ConnectionPool::new(options()).unwrap();
    let conn = pool
        .connect(&spec("plimsoll-alias", &only_alias))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stdout(&conn, &["hostname"]).await, "h1\n");
}
