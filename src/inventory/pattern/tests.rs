//! Host selection checked against Ansible 2.19.14. Each inventory is built with the calls Ansible's INI
//! plugin makes for the file quoted above it; every expectation is what
//! `scripts/ansible-pattern-hosts.py FILE PATTERN [LIMIT] --details` printed for that file.

use std::path::Path;

use super::*;
use crate::inventory::data::{InventoryData, UNGROUPED};

fn group(inv: &mut InventoryData, name: &str, hosts: &[&str]) {
    inv.add_group(name, None).unwrap();
    for h in hosts {
        inv.add_host(h, Some(name), None, None).unwrap();
    }
}

/// ```ini
/// lonely1
/// 10.0.0.9
/// [web]
/// w1
/// w2
/// w3
/// shared
/// [db]
/// d1
/// shared
/// d2
/// [app:children]
/// web
/// backend
/// [backend]
/// b1
/// [backend:children]
/// deep
/// [deep]
/// x1
/// w2
/// [web.prod]
/// wp1
/// [odd_]
/// o1
/// ```
fn nested() -> InventoryData {
    let mut inv = InventoryData::new();
    for h in ["lonely1", "10.0.0.9"] {
        inv.add_host(h, Some(UNGROUPED), None, None).unwrap();
    }
    group(&mut inv, "web", &["w1", "w2", "w3", "shared"]);
    group(&mut inv, "db", &["d1", "shared", "d2"]);
    group(&mut inv, "app", &[]);
    inv.add_child("app", "web").unwrap();
    // `backend` is declared later; the INI plugin links it when its section appears.
    group(&mut inv, "backend", &[]);
    inv.add_child("app", "backend").unwrap();
    inv.add_host("b1", Some("backend"), None, None).unwrap();
    group(&mut inv, "deep", &[]);
    inv.add_child("backend", "deep").unwrap();
    for h in ["x1", "w2"] {
        inv.add_host(h, Some("deep"), None, None).unwrap();
    }
    group(&mut inv, "web.prod", &["wp1"]);
    group(&mut inv, "odd_", &["o1"]);
    inv.reconcile();
    inv
}

/// ```ini
/// alpha
/// 127.0.0.1
/// [ga]
/// h1
/// h2
/// h3
/// [gb]
/// h2
/// h4
/// [gab]
/// h1
/// [alpha_group]
/// alpha
/// [h4]
/// h5
/// ```
fn tricky() -> InventoryData {
    let mut inv = InventoryData::new();
    for h in ["alpha", "127.0.0.1"] {
        inv.add_host(h, Some(UNGROUPED), None, None).unwrap();
    }
    group(&mut inv, "ga", &["h1", "h2", "h3"]);
    group(&mut inv, "gb", &["h2", "h4"]);
    group(&mut inv, "gab", &["h1"]);
    group(&mut inv, "alpha_group", &["alpha"]);
    group(&mut inv, "h4", &["h5"]);
    inv.reconcile();
    inv
}

/// ```ini
/// [web]
/// w1
/// w2
/// ```
fn no_localhost() -> InventoryData {
    let mut inv = InventoryData::new();
    group(&mut inv, "web", &["w1", "w2"]);
    inv.reconcile();
    inv
}

fn select(
    inv: &InventoryData,
    pattern: &str,
    limit: Option<&str>,
) -> Result<Selection, PatternError> {
    get_hosts(inv, pattern, limit, Path::new("/nonexistent"))
}

fn hosts(inv: &InventoryData, pattern: &str) -> Vec<String> {
    select(inv, pattern, None).unwrap().hosts
}

fn limited(inv: &InventoryData, pattern: &str, limit: &str) -> Vec<String> {
    select(inv, pattern, Some(limit)).unwrap().hosts
}

fn warnings(inv: &InventoryData, pattern: &str) -> Vec<String> {
    select(inv, pattern, None).unwrap().warnings
}

fn no_match(what: &str) -> String {
    format!("Could not match supplied host pattern, ignoring: {what}")
}

#[test]
fn all_and_star_follow_the_all_group_order() {
    let inv = nested();
    let all = [
        "lonely1", "10.0.0.9", "d1", "shared", "d2", "wp1", "o1", "w1", "w2", "w3", "b1", "x1",
    ];
    assert_eq!(hosts(&inv, "all"), all);
    assert_eq!(hosts(&inv, "*"), all);
    assert_eq!(
        hosts(&tricky(), "*"),
        ["127.0.0.1", "h1", "h2", "h3", "h4", "alpha", "h5"]
    );
    assert_eq!(
        hosts(&tricky(), "~."),
        ["127.0.0.1", "h1", "h2", "h3", "h4", "alpha", "h5"]
    );
}

#[test]
fn groups_include_their_descendants() {
    let inv = nested();
    assert_eq!(hosts(&inv, "web"), ["w1", "w2", "w3", "shared"]);
    assert_eq!(hosts(&inv, "app"), ["w1", "w2", "w3", "shared", "b1", "x1"]);
    assert_eq!(hosts(&inv, "ungrouped"), ["lonely1", "10.0.0.9"]);
    assert_eq!(hosts(&inv, "web.prod"), ["wp1"]);
    assert_eq!(hosts(&tricky(), "ungrouped"), ["127.0.0.1"]);
}

#[test]
fn globs_match_groups_first_then_hosts() {
    let inv = nested();
    // Group `web` (w1 w2 w3 shared), `web.prod` (wp1), then hosts w1 w2 w3 wp1 already there.
    assert_eq!(hosts(&inv, "w*"), ["w1", "w2", "w3", "shared", "wp1"]);
    // `.` makes Ansible look at host names too, even though group `web.prod` matched.
    assert_eq!(hosts(&inv, "web.*"), ["wp1"]);
    let inv = tricky();
    // Group h4 (h5) comes before the hosts h1..h4.
    assert_eq!(hosts(&inv, "h*"), ["h5", "h1", "h2", "h3", "h4"]);
    assert_eq!(hosts(&inv, "g*"), ["h1", "h2", "h3", "h4"]);
    assert_eq!(hosts(&inv, "h[!1]"), ["h5", "h2", "h3", "h4"]);
    assert_eq!(hosts(&inv, "h[!3-1]"), ["h5", "h1", "h2", "h3", "h4"]);
    // `al*` and `a*` match the group `all` itself.
    assert_eq!(
        hosts(&inv, "al*"),
        ["127.0.0.1", "h1", "h2", "h3", "h4", "alpha", "h5"]
    );
    assert_eq!(
        hosts(&inv, "a*"),
        ["127.0.0.1", "h1", "h2", "h3", "h4", "alpha", "h5"]
    );
    // Case-sensitive.
    assert_eq!(hosts(&inv, "H*"), Vec::<String>::new());
    assert_eq!(warnings(&inv, "H*"), [no_match("H*")]);
}

#[test]
fn regexes_are_matched_from_the_start() {
    let inv = tricky();
    assert_eq!(hosts(&nested(), "~w[0-9]"), ["w1", "w2", "w3"]);
    assert_eq!(hosts(&inv, "~h"), ["h5", "h1", "h2", "h3", "h4"]);
    assert_eq!(hosts(&inv, "~^g"), ["h1", "h2", "h3", "h4"]);
    assert_eq!(hosts(&inv, r"~h\d"), ["h5", "h1", "h2", "h3", "h4"]);
    assert_eq!(hosts(&inv, "~(?i)H1"), ["h1"]);
    assert_eq!(warnings(&inv, "~H"), [no_match("~H")]);
}

#[test]
fn a_host_name_wins_over_a_group_of_the_same_name() {
    // Host h4 and group h4 (holding h5): the host is taken.
    assert_eq!(hosts(&tricky(), "h4"), ["h4"]);
    assert_eq!(hosts(&tricky(), "h4,ga"), ["h4", "h1", "h2", "h3"]);
}

#[test]
fn unions_keep_first_appearance_order() {
    let inv = nested();
    assert_eq!(
        hosts(&inv, "web,db"),
        ["w1", "w2", "w3", "shared", "d1", "d2"]
    );
    assert_eq!(
        hosts(&inv, "db:web"),
        ["d1", "shared", "d2", "w1", "w2", "w3"]
    );
    let inv = tricky();
    assert_eq!(hosts(&inv, "ga:h4:gb"), ["h1", "h2", "h3", "h4"]);
    assert_eq!(hosts(&inv, "gb,h1,gb"), ["h2", "h4", "h1"]);
    assert_eq!(hosts(&inv, "ga gb"), ["h1", "h2", "h3", "h4"]);
    assert_eq!(hosts(&inv, " ga , gb "), ["h1", "h2", "h3", "h4"]);
    assert_eq!(hosts(&inv, "alpha:127.0.0.1"), ["alpha", "127.0.0.1"]);
}

#[test]
fn intersections_and_exclusions_apply_after_unions() {
    let inv = nested();
    assert_eq!(hosts(&inv, "web:&db"), ["shared"]);
    assert_eq!(hosts(&inv, "web:!w1"), ["w2", "w3", "shared"]);
    let without_web = ["lonely1", "10.0.0.9", "d1", "d2", "wp1", "o1", "b1", "x1"];
    assert_eq!(hosts(&inv, "all:!web"), without_web);
    assert_eq!(hosts(&inv, "!web"), without_web);
    // `&web` alone intersects `all`, so `all`'s order is kept.
    assert_eq!(hosts(&inv, "&web"), ["shared", "w1", "w2", "w3"]);
    let inv = tricky();
    assert_eq!(hosts(&inv, "&gb:ga"), ["h2"]);
    assert_eq!(hosts(&inv, "gab:&gb"), Vec::<String>::new());
    assert_eq!(hosts(&inv, "!ga:!gb"), ["127.0.0.1", "alpha", "h5"]);
    assert_eq!(hosts(&inv, "all:!*"), Vec::<String>::new());
    assert_eq!(hosts(&inv, "ga:!ga[0]"), ["h2", "h3"]);
    assert_eq!(hosts(&inv, "ga:&nope"), Vec::<String>::new());
    assert_eq!(warnings(&inv, "ga:&nope"), [no_match("nope")]);
}

#[test]
fn subscripts_index_the_matches_with_inclusive_ends() {
    let inv = nested();
    assert_eq!(hosts(&inv, "web[0]"), ["w1"]);
    assert_eq!(hosts(&inv, "web[-1]"), ["shared"]);
    assert_eq!(hosts(&inv, "web[1:2]"), ["w2", "w3"]);
    assert_eq!(hosts(&inv, "web[1:]"), ["w2", "w3", "shared"]);
    let inv = tricky();
    // `g*` gives ga, gb, gab's hosts with duplicates: h1 h2 h3 h2 h4 h1.
    assert_eq!(hosts(&inv, "g*[1]"), ["h2"]);
    assert_eq!(hosts(&inv, "g*[3]"), ["h2"]);
    assert_eq!(hosts(&inv, "g*[0:10]"), ["h1", "h2", "h3", "h4"]);
    assert_eq!(hosts(&inv, "g*[1:0]"), ["h2"]);
    assert_eq!(hosts(&inv, "g*[0:0]"), ["h1"]);
    assert_eq!(hosts(&inv, "g*[2:1]"), Vec::<String>::new());
    assert_eq!(hosts(&inv, "g*[7:]"), Vec::<String>::new());
    assert_eq!(hosts(&inv, "ga[01]"), ["h2"]);
    assert_eq!(hosts(&inv, "*[-1]"), ["h5"]);
    assert_eq!(hosts(&inv, "all[0]"), ["127.0.0.1"]);
    assert_eq!(hosts(&inv, "gb[-2]"), ["h2"]);
    assert_eq!(hosts(&inv, "ga:gb[0]"), ["h1", "h2", "h3"]);
    assert_eq!(hosts(&inv, "ga[0]:gb"), ["h1", "h2", "h4"]);
    let dashed = select(&inv, "g*[1-2]", None).unwrap();
    assert_eq!(dashed.hosts, ["h2", "h3"]);
    assert_eq!(
        dashed.warnings,
        ["Use [x:y] inclusive subscripts instead of [x-y] which has been removed"]
    );
    // The subscript is taken off before matching, so `h[12]` looks for `h`.
    assert_eq!(warnings(&inv, "h[12]"), [no_match("h")]);
    // Not subscripts: left in the pattern, which then matches nothing.
    assert_eq!(warnings(&inv, "ga[x]"), [no_match("ga[x]")]);
    assert_eq!(warnings(&inv, "ga[1:2:3]"), [no_match("ga[1:2:3]")]);
}

#[test]
fn unbalanced_brackets_are_dropped_by_the_splitter() {
    let inv = tricky();
    // `[` splits to nothing, so `all` stands in; `ga[` splits to `ga`.
    assert_eq!(
        hosts(&inv, "["),
        ["127.0.0.1", "h1", "h2", "h3", "h4", "alpha", "h5"]
    );
    assert_eq!(hosts(&inv, "ga["), ["h1", "h2", "h3"]);
}

#[test]
fn errors_use_ansible_wording() {
    let inv = tricky();
    let err = |p: &str| select(&inv, p, None).unwrap_err().to_string();
    assert_eq!(
        err("gb[-3]"),
        "No hosts matched the subscripted pattern 'gb[-3]'"
    );
    assert_eq!(
        err("ga[5]"),
        "No hosts matched the subscripted pattern 'ga[5]'"
    );
    assert_eq!(err("~("), "Invalid host list pattern: ~(");
    // Ansible crashes with IndexError on a bare modifier.
    assert_eq!(
        err("!"),
        "Unexpected Exception, this is probably a bug: string index out of range"
    );
    assert_eq!(
        select(&inv, "all", Some("ga[5]")).unwrap_err(),
        PatternError::SubscriptOutOfRange("ga[5]".into())
    );
    assert_eq!(
        select(&inv, "all", Some("~(")).unwrap_err(),
        PatternError::InvalidPattern("~(".into())
    );
    // Not supported by the `regex` crate (Python accepted it and matched nothing here): an error instead.
    assert_eq!(err("~(?<=h)1"), "Invalid host list pattern: ~(?<=h)1");
}

#[test]
fn mismatch_setting_picks_warning_error_or_nothing() {
    let inv = tricky();
    assert_eq!(
        warnings(&inv, "nope:!nope2"),
        [no_match("nope"), no_match("nope2")]
    );
    // Repeats are shown once: `nope` comes from `nope`, `&nope` and `nope[0]`.
    assert_eq!(
        warnings(&no_localhost(), "nope,&nope,nope[0],nope*"),
        [no_match("nope"), no_match("nope*")]
    );
    // ANSIBLE_HOST_PATTERN_MISMATCH=error: "Could not match supplied host pattern, ignoring: nope".
    let mut strict =
        HostSelector::new(&inv, Path::new("/nonexistent")).with_mismatch(PatternMismatch::Error);
    assert_eq!(
        strict.select("ga:nope"),
        Err(PatternError::NoMatch("nope".into()))
    );
    // =ignore: the hosts, no warning.
    let mut quiet =
        HostSelector::new(&inv, Path::new("/nonexistent")).with_mismatch(PatternMismatch::Ignore);
    assert_eq!(quiet.select("ga:nope").unwrap(), ["h1", "h2", "h3"]);
    assert_eq!(quiet.warnings().count(), 0);
}

#[test]
fn limits_filter_the_selection() {
    let inv = tricky();
    assert_eq!(limited(&inv, "all", "ga"), ["h1", "h2", "h3"]);
    assert_eq!(limited(&inv, "gb", "ga"), ["h2"]);
    assert_eq!(
        limited(&inv, "all", "!ga"),
        ["127.0.0.1", "h4", "alpha", "h5"]
    );
    assert_eq!(limited(&inv, "all", "&ga"), ["h1", "h2", "h3"]);
    assert_eq!(limited(&inv, "all", "ga:gb"), ["h1", "h2", "h3", "h4"]);
    assert_eq!(limited(&inv, "gb:ga", "ga"), ["h2", "h1", "h3"]);
    assert_eq!(limited(&inv, "h*", "gb:&ga"), ["h2"]);
    assert_eq!(limited(&inv, "ga[0]", "ga[-1]"), Vec::<String>::new());
    assert_eq!(limited(&inv, "all", "localhost"), ["127.0.0.1"]);
    let nope = select(&inv, "all", Some("nope")).unwrap();
    assert_eq!(
        (nope.hosts, nope.warnings),
        (vec![], vec![no_match("nope")])
    );
    // An empty limit is no limit.
    assert_eq!(limited(&no_localhost(), "localhost", ","), ["localhost"]);
}

#[test]
fn limit_files_hold_one_pattern_per_line() {
    let inv = tricky();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lim.txt"), "ga\n!h1\n\n  h4  \ngb,gab\n").unwrap();
    std::fs::write(dir.path().join("empty.txt"), "").unwrap();
    let run = |pattern: &str, limit: &str, inv: &InventoryData| {
        get_hosts(inv, pattern, Some(limit), dir.path())
    };
    // A line is one pattern: `gb,gab` is not split.
    for limit in ["@lim.txt", "ga,@lim.txt"] {
        let selection = run("all", limit, &inv).unwrap();
        assert_eq!(selection.hosts, ["h2", "h3", "h4"]);
        assert_eq!(selection.warnings, [no_match("gb,gab")]);
    }
    // An empty file limits to `all`, which leaves out the implicit localhost.
    assert_eq!(
        run("localhost", "@empty.txt", &no_localhost())
            .unwrap()
            .hosts,
        Vec::<String>::new()
    );
    let missing = run("all", "@nolim.txt", &inv).unwrap_err();
    assert_eq!(
        missing.to_string(),
        "Unable to find limit file b'nolim.txt'"
    );
}

#[test]
fn localhost_names_pick_an_inventory_localhost_first() {
    // The inventory defines 127.0.0.1: `localhost` and `::1` select it.
    let inv = tricky();
    for p in ["localhost", "::1", "127.0.0.1", "localhost[0]"] {
        let selection = select(&inv, p, None).unwrap();
        assert_eq!(selection.hosts, ["127.0.0.1"], "{p}");
        assert_eq!(selection.implicit_localhost, None);
    }
}

#[test]
fn implicit_localhost_is_made_up_once_and_kept_out_of_all() {
    let inv = no_localhost();
    let implicit = |p: &str, limit: Option<&str>| {
        let s = select(&inv, p, limit).unwrap();
        (s.hosts, s.implicit_localhost)
    };
    let local = || (vec!["localhost".to_string()], Some("localhost".to_string()));
    assert_eq!(implicit("localhost", None), local());
    assert_eq!(implicit("localhost", Some("localhost")), local());
    // The first name looked up names the host; later lookups of other localhost names find it.
    assert_eq!(implicit("localhost,127.0.0.1", None), local());
    assert_eq!(implicit("localhost", Some("127.0.0.1")), local());
    assert_eq!(implicit("localhost", Some("::1")), local());
    assert_eq!(
        implicit("127.0.0.1", Some("localhost")),
        (vec!["127.0.0.1".to_string()], Some("127.0.0.1".to_string()))
    );
    assert_eq!(implicit("w1,localhost", Some("localhost")), local());
    assert_eq!(implicit("localhost[0]", None), local());
    assert_eq!(implicit("localhost:&localhost", None), local());
    // Not in `all`, and globs do not see it.
    assert_eq!(implicit("all", Some("localhost")), (vec![], None));
    assert_eq!(implicit("localhost", Some("all")), (vec![], None));
    assert_eq!(
        implicit("localhost,w1", Some("w*")),
        (vec!["w1".to_string()], None)
    );
    assert_eq!(
        implicit("all", Some("!localhost")),
        (vec!["w1".to_string(), "w2".to_string()], None)
    );
    assert_eq!(implicit("localhost:!localhost", None), (vec![], None));
    assert_eq!(warnings(&inv, "local*"), [no_match("local*")]);
    assert_eq!(
        select(&inv, "localhost[1]", None).unwrap_err().to_string(),
        "No hosts matched the subscripted pattern 'localhost[1]'"
    );
}

#[test]
fn a_selector_remembers_its_implicit_localhost() {
    let inv = no_localhost();
    let mut selector = HostSelector::new(&inv, Path::new("/nonexistent"));
    assert_eq!(selector.select("::1").unwrap(), ["::1"]);
    assert_eq!(selector.select("localhost").unwrap(), ["::1"]);
    assert_eq!(selector.implicit_localhost(), Some("::1"));
    assert!(selector.is_implicit("::1"));
    assert!(!selector.is_implicit("w1"));
    selector.set_limit("w*").unwrap();
    assert_eq!(selector.select("localhost,w2").unwrap(), ["w2"]);
    selector.clear_limit();
    assert_eq!(selector.select("localhost,w2").unwrap(), ["::1", "w2"]);
    assert_eq!(selector.select("nope").unwrap(), Vec::<String>::new());
    let warnings = selector.take_warnings();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].message, no_match("nope"));
    assert!(!warnings[0].is_error());
}

#[test]
fn an_implicit_localhost_stored_in_the_inventory_behaves_the_same() {
    let mut inv = no_localhost();
    add_implicit_localhost(&mut inv, "localhost", "/usr/bin/python3");
    let host = inv.host("localhost").unwrap();
    assert!(host.implicit && host.groups.is_empty());
    assert_eq!(
        host.vars.get("ansible_connection"),
        Some(&crate::value::Value::Str("local".into()))
    );
    let selection = select(&inv, "localhost", None).unwrap();
    assert_eq!(selection.hosts, ["localhost"]);
    assert_eq!(selection.implicit_localhost.as_deref(), Some("localhost"));
    assert_eq!(hosts(&inv, "127.0.0.1"), ["localhost"]);
    assert_eq!(hosts(&inv, "all"), ["w1", "w2"]);
    assert_eq!(warnings(&inv, "local*"), [no_match("local*")]);
}
