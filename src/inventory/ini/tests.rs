//! Each test states what Ansible 2.19.14 gave for the same file: `ansible-inventory -i FILE --list`
//! (run from an empty directory), or the ini plugin driven on an InventoryData where the output layer
//! would hide the detail (group order, partial state after an error).

use super::*;
use crate::value::Map;

struct Parsed {
    inv: InventoryData,
    diags: Diagnostics,
    result: Result<(), Diagnostic>,
}

fn parse(text: &str) -> Parsed {
    let file = SourceFile::new("/inv/hosts.ini", text);
    let mut inv = InventoryData::new();
    let mut diags = Diagnostics::new();
    let result = parse_ini(&file, &mut inv, &mut diags);
    Parsed { inv, diags, result }
}

fn ok(text: &str) -> InventoryData {
    let parsed = parse(text);
    if let Err(e) = &parsed.result {
        panic!("unexpected error: {e}");
    }
    parsed.inv
}

fn error(text: &str) -> Diagnostic {
    match parse(text).result {
        Err(e) => e,
        Ok(()) => panic!("expected an error"),
    }
}

fn s(text: &str) -> Value {
    Value::Str(text.into())
}

fn i(n: i128) -> Value {
    Value::Int(n)
}

fn names<'a>(iter: impl IntoIterator<Item = &'a String>) -> Vec<&'a str> {
    iter.into_iter().map(String::as_str).collect()
}

/// A host's variables other than `ansible_port` (which the model may also derive from `Host::port`).
fn vars(inv: &InventoryData, host: &str) -> Vec<(String, Value)> {
    let vars = inv.hosts[host].vars.clone().into_iter();
    vars.filter(|(k, _)| k != "ansible_port").collect()
}

/// `ansible_port` as Ansible would show it: the variable if set, else the port the host was made with.
fn port_var(inv: &InventoryData, host: &str) -> Option<Value> {
    let host = &inv.hosts[host];
    let from_port = host
        .port
        .filter(|p| *p != 0)
        .map(|p| Value::Int(i128::from(p)));
    host.vars.get("ansible_port").cloned().or(from_port)
}

fn group_vars(inv: &InventoryData, group: &str) -> Vec<(String, Value)> {
    inv.groups[group].vars.clone().into_iter().collect()
}

fn kv(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

#[test]
fn inline_values_are_python_literals_and_words_split_on_spaces() {
    // Ansible: a=1, b="x y", c=[1, 2]; d={"k": 1} splits into `d={k:` and `1}`, and `1}` fails the file.
    let e = error("[web]\nw1 a=1 b=\"x y\" c='[1, 2]' d={\"k\": 1}\n");
    assert_eq!(
        e.message,
        "Expected key=value host variable assignment, got: 1}"
    );
    assert_eq!(
        e.span.map(|s| s.to_string()),
        Some("/inv/hosts.ini:2:35".into())
    );

    // Ansible: {"e": "0755", "f": 1000.0, "g": true, "h": null, "i": "yes", "d": "{k:1}"}.
    let inv = ok("[web]\nw1 e=0755 f=1e3 g=True h=None i=yes d={\"k\":1} j=\"{'k': 1}\"\n");
    assert_eq!(
        vars(&inv, "w1"),
        kv(&[
            ("e", s("0755")),
            ("f", Value::Float(1000.0)),
            ("g", Value::Bool(true)),
            ("h", Value::Null),
            ("i", s("yes")),
            ("d", s("{k:1}")),
            ("j", Value::Map(Map::from([("k".to_string(), i(1))]))),
        ])
    );
}

#[test]
fn vars_sections_are_typed_too_and_take_the_whole_line() {
    // Ansible 2.19 (despite its docs): {"v1": 1, "v2": "foo # c", "v3": [1, 2], "v4": "", "v5": "yes",
    // "k": "v = w", "spaced": "quoted"}.
    let inv = ok(
        "[web]\nw1\n[web:vars]\nv1=1 # c\nv2=foo # c\nv3 = [1,2]\nv4=\nv5=yes\nk = v = w\n spaced = \"quoted\"\n",
    );
    assert_eq!(
        group_vars(&inv, "web"),
        kv(&[
            ("v1", i(1)),
            ("v2", s("foo # c")),
            ("v3", Value::List(vec![i(1), i(2)])),
            ("v4", s("")),
            ("v5", s("yes")),
            ("k", s("v = w")),
            ("spaced", s("quoted")),
        ])
    );
}

#[test]
fn sections_groups_and_ungrouped_hosts() {
    // Ansible: groups all, ungrouped, web, db in that order; h0 and u1 in ungrouped, a1 directly in all,
    // w1 in web and db with x=2, all has z="yes".
    let inv = ok(
        "h0 v=1\n[web]\nw1\n[db]\nw1 x=2\n[web]\nw2\n[ungrouped]\nu1\n[all]\na1\n[all:vars]\nz=yes\n",
    );
    assert_eq!(names(inv.groups.keys()), ["all", "ungrouped", "web", "db"]);
    assert_eq!(names(inv.hosts.keys()), ["h0", "w1", "w2", "u1", "a1"]);
    assert_eq!(names(&inv.groups["web"].hosts), ["w1", "w2"]);
    assert_eq!(names(&inv.groups["ungrouped"].hosts), ["h0", "u1"]);
    assert_eq!(names(&inv.groups["all"].hosts), ["a1"]);
    assert_eq!(vars(&inv, "w1"), kv(&[("x", i(2))]));
    assert_eq!(vars(&inv, "h0"), kv(&[("v", i(1))]));
    assert_eq!(group_vars(&inv, "all"), kv(&[("z", s("yes"))]));
    assert_eq!(inv.current_source.as_deref(), Some("/inv/hosts.ini"));
    assert_eq!(
        inv.hosts["w1"].inventory_file.as_deref(),
        Some("/inv/hosts.ini")
    );
}

#[test]
fn vars_before_the_group_and_children_before_their_declaration() {
    // Ansible: web gets x=1 although [web:vars] comes first.
    let inv = ok("[web:vars]\nx=1\n[web]\nw1\n");
    assert_eq!(group_vars(&inv, "web"), kv(&[("x", i(1))]));

    // Ansible: a's children [b], b's children [c], c hosts [h]; b has x=1.
    let inv = ok("[a:children]\nb\n[b:vars]\nx=1\n[b:children]\nc\n[c]\nh\n");
    assert_eq!(
        names(inv.groups.keys()),
        ["all", "ungrouped", "a", "b", "c"]
    );
    assert_eq!(inv.groups["a"].child_groups, ["b"]);
    assert_eq!(inv.groups["b"].child_groups, ["c"]);
    assert_eq!(inv.groups["c"].parent_groups, ["b"]);
    assert_eq!(group_vars(&inv, "b"), kv(&[("x", i(1))]));

    // Ansible: a (hosts h1) child of c; b (hosts h2) child of a.
    let inv =
        ok("[a]\nh1\n[a:children]\nb\n[b]\nh2\n[c:children]\na\n[c:vars]\nx=1\n[b:vars]\ny=2\n");
    assert_eq!(inv.groups["c"].child_groups, ["a"]);
    assert_eq!(inv.groups["a"].parent_groups, ["c"]);
    assert_eq!(names(&inv.groups["b"].hosts), ["h2"]);
}

#[test]
fn undeclared_groups_are_errors_at_the_end_and_earlier_work_stays() {
    let e = error("[g:vars]\nx=1\n");
    assert_eq!(
        e.message,
        "Section [g:vars] not valid for undefined group 'g'."
    );
    assert_eq!(
        e.span.map(|s| s.to_string()),
        Some("/inv/hosts.ini:1:2".into())
    );

    // Ansible reports c1 (the first undeclared) and keeps p -> c2 -> h2, which it had already added.
    let parsed = parse("[p:children]\nc1\nc2\n[c2]\nh2\n");
    let e = parsed.result.unwrap_err();
    assert_eq!(
        e.message,
        "Section [p:children] includes undefined group 'c1'."
    );
    assert_eq!(e.span.map(|s| s.line()), Some(2));
    assert_eq!(parsed.inv.groups["p"].child_groups, ["c2"]);
    assert_eq!(names(&parsed.inv.groups["c2"].hosts), ["h2"]);

    // A group named only as a child, with vars, is an error whichever comes first.
    let e = error("[x:children]\ng\n[g:vars]\na=1\n");
    assert_eq!(
        e.message,
        "Section [x:children] includes undefined group 'g'."
    );
    let e = error("[g:vars]\na=1\n[x:children]\ng\n");
    assert_eq!(
        e.message,
        "Section [g:vars] not valid for undefined group 'g'."
    );

    // The message names the last group that listed the child.
    let e = error("[a:children]\nb\n[x:children]\nb\n");
    assert_eq!(
        e.message,
        "Section [x:children] includes undefined group 'b'."
    );

    // A host is not a group.
    let e = error("[g]\nh1\n[g:children]\nh1\n");
    assert_eq!(
        e.message,
        "Section [g:children] includes undefined group 'h1'."
    );
}

#[test]
fn group_loops_fail() {
    let e = error("[a:children]\nb\n[b:children]\na\n");
    assert_eq!(
        e.message,
        "Adding group 'a' as child to 'b' creates a recursive dependency loop."
    );
    assert_eq!(
        error("[g:children]\ng\n").message,
        "can't add group to itself"
    );
}

#[test]
fn ports_ranges_and_ipv6() {
    // Ansible: web01..web03 with ansible_port 2222 and a=1; dba-1..dbc-2; x1 x4 x7 x10; fe80::1 with
    // port 22; fe80::2; 192.168.1.1 and 192.168.2.1.
    let inv = ok(
        "[g]\nweb[01:03]:2222 a=1\ndb[a:c]-[1:2]\nx[1:10:3]\n[fe80::1]:22\nfe80::2\n192.168.[1:2].1\n",
    );
    assert_eq!(
        names(&inv.groups["g"].hosts),
        [
            "web01",
            "web02",
            "web03",
            "dba-1",
            "dba-2",
            "dbb-1",
            "dbb-2",
            "dbc-1",
            "dbc-2",
            "x1",
            "x4",
            "x7",
            "x10",
            "fe80::1",
            "fe80::2",
            "192.168.1.1",
            "192.168.2.1"
        ]
    );
    assert_eq!(inv.hosts["web02"].port, Some(2222));
    assert_eq!(port_var(&inv, "web02"), Some(i(2222)));
    assert_eq!(vars(&inv, "web02"), kv(&[("a", i(1))]));
    assert_eq!(inv.hosts["fe80::1"].port, Some(22));
    assert_eq!(inv.hosts["fe80::2"].port, None);

    // Ansible: `[::1]` is an "Invalid section entry" (it looks like a header).
    assert!(
        error("[g]\n[::1]\n")
            .message
            .starts_with("Invalid section entry: '[::1]'.")
    );
    // Ansible: an IPv6 address ending in "::" is refused (it ends with ':' and has no port).
    assert!(
        error("[g]\n1::\n")
            .message
            .starts_with("Invalid host pattern '1::' supplied, ending in ':'")
    );
}

#[test]
fn a_port_counts_only_when_the_host_is_created() {
    // Ansible: h1 ansible_port=44 (22 from its first line, then the inline var); h2 (port 0) has none;
    // h3 has ansible_port=99999.
    let inv = ok("[g]\nh1:22\n[g2]\nh1:33 ansible_port=44\nh2:0\nh3:99999\n");
    assert_eq!(inv.hosts["h1"].port, Some(22));
    assert_eq!(port_var(&inv, "h1"), Some(i(44)));
    assert_eq!(inv.hosts["h2"].port, None);
    assert_eq!(port_var(&inv, "h2"), None);
    assert_eq!(port_var(&inv, "h3"), Some(i(99999)));
}

#[test]
fn comments_quotes_and_escapes_on_host_lines() {
    // Ansible: h1 and h2 in g; h2 a=1; h3 a="x#y" b="p q" c="x y" d="q" e="\\n" f="\\n" g="z".
    let inv = ok(concat!(
        "[g] # comment\n",
        "h1#c\n",
        "h2 a=1#c\n",
        r#"h3 a="x#y" b='p q' c=x\ y d="\"q\"" e='\n' f="\n" g=\z"#,
        "\n  ; indented comment\n\t# tab comment\n",
    ));
    assert_eq!(names(&inv.groups["g"].hosts), ["h1", "h2", "h3"]);
    assert_eq!(vars(&inv, "h2"), kv(&[("a", i(1))]));
    assert_eq!(
        vars(&inv, "h3"),
        kv(&[
            ("a", s("x#y")),
            ("b", s("p q")),
            ("c", s("x y")),
            ("d", s("q")),
            ("e", s(r"\n")),
            ("f", s(r"\n")),
            ("g", s("z")),
        ])
    );
    let e = error("[g]\nh \"unterminated\n");
    assert_eq!(
        e.message,
        "Error parsing host definition 'h \"unterminated': No closing quotation"
    );
    assert_eq!(
        e.span.map(|s| s.to_string()),
        Some("/inv/hosts.ini:2:3".into())
    );
}

#[test]
fn a_repeated_key_keeps_its_first_place_and_last_value() {
    // Ansible: {"a": 2, "b": 3}; and a dict set again replaces the old one ({"m": {"b": 2}}).
    let inv = ok("[g]\nh1 a=1 b=3 a=2\n[g:vars]\nm={'a':1}\nm={'b':2}\n");
    assert_eq!(vars(&inv, "h1"), kv(&[("a", i(2)), ("b", i(3))]));
    assert_eq!(
        group_vars(&inv, "g"),
        kv(&[("m", Value::Map(Map::from([("b".to_string(), i(2))])))])
    );
}

#[test]
fn section_quirks() {
    // Ansible: [g:hosts] is [g]; `#` is part of a group name when not preceded by a space; `[[web]`
    // names the group "[web".
    let inv = ok("[g:hosts]\nh1\n[g#x]\nh2\n[[web]\nh3\n[p:children]\nc#x\n[c#x]\nh4\n");
    assert_eq!(
        names(inv.groups.keys()),
        ["all", "ungrouped", "g", "g#x", "[web", "p", "c#x"]
    );
    assert_eq!(inv.groups["p"].child_groups, ["c#x"]);

    assert_eq!(
        error("[g:foo]\n").message,
        "Section [g:foo] has unknown type: foo"
    );
    let e = error("[g h]\n");
    assert!(
        e.message
            .starts_with("Invalid section entry: '[g h]'. Please make sure")
    );
    // `;` does not start a comment after a header: the line is read as a host, `[web:vars]`, a range.
    assert_eq!(
        error("[web:vars] ; c\n").message,
        "invalid literal for int() with base 10: 'web'"
    );
    assert_eq!(
        error("[g:children]\nd ; comment\n").message,
        "Expected group name, got: d ; comment"
    );
    assert_eq!(
        error("[g:vars]\nnovalue\n").message,
        "Expected key=value, got: novalue"
    );
}

#[test]
fn group_names_that_are_not_variable_names_warn() {
    // Ansible warns once per run: "Invalid characters were found in group names but not replaced,
    // use -vvvv to see details", and keeps the names.
    let parsed = parse("[web-servers]\nw1\n[1web]\nw2\n[web-servers]\nw3\n");
    assert!(parsed.result.is_ok());
    let warnings: Vec<&Diagnostic> = parsed.diags.iter().collect();
    assert_eq!(warnings.len(), 2);
    assert_eq!(
        warnings[0].message,
        "Invalid characters were found in group names but not replaced, use -vvvv to see details"
    );
    assert!(
        warnings[0]
            .help
            .as_deref()
            .unwrap_or("")
            .contains(r#""{'-'}" in group name (web-servers)"#)
    );
    assert_eq!(
        names(parsed.inv.groups.keys()),
        ["all", "ungrouped", "web-servers", "1web"]
    );
}

#[test]
fn errors_that_python_raises_from_values_and_ranges() {
    assert_eq!(
        error("[g]\nh a=\"{[1]: 2}\"\n").message,
        "unhashable type: 'list'"
    );
    assert_eq!(
        error("[g]\nh a={1j:2}\n").message,
        "<class 'complex'> is not taggable"
    );
    assert_eq!(
        error("[g]\nh[1:3:0]\n").message,
        "range() arg 3 must not be zero"
    );
    assert_eq!(
        error("[g]\nh[1:3\n").message,
        "not enough values to unpack (expected 3, got 2)"
    );
    assert_eq!(
        error("[g]\n---\n").message,
        "Invalid host pattern '---' supplied, '---' is normally a sign this is a YAML file."
    );
    assert_eq!(
        error("[g]\n''\n").message,
        "Invalid empty host name provided:"
    );
    let e = error("[g]\nh\n[g:vars]\nansible_group_priority=abc\n");
    assert_eq!(e.message, "invalid literal for int() with base 10: 'abc'");
    // Ansible: priority 7 from the string '7'; 1 from 1.5.
    let inv = ok(
        "[g]\nh\n[g:vars]\nansible_group_priority='7'\n[k]\nh\n[k:vars]\nansible_group_priority=1.5\n",
    );
    assert_eq!((inv.groups["g"].priority, inv.groups["k"].priority), (7, 1));
}

#[test]
fn lines_break_where_python_splitlines_does() {
    // Ansible: \f, \x1c and U+0085 end lines too: web has w1, w2, w3; CRLF files read normally.
    let inv = ok("[web]\u{0c}w1\u{1c}w2\u{85}w3\r\n[web:vars]\r\nx = 2\r\n");
    assert_eq!(names(&inv.groups["web"].hosts), ["w1", "w2", "w3"]);
    assert_eq!(group_vars(&inv, "web"), kv(&[("x", i(2))]));
    // A byte-order mark is not whitespace to Python: the first line is not a header.
    assert_eq!(
        error("\u{feff}[web]\nw1\n").message,
        "host range must be begin:end or begin:end:step"
    );
}
