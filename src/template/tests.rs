//! The case table shared with scripts/check-templates-against-ansible.py: every case's `result` (or
//! `error`) is what ansible-core 2.19.14 gave; plimsoll must give the same, or what `ours`/`ours_result`
//! say where a case documents a deliberate difference.

use std::path::PathBuf;
use std::sync::Arc;

use super::*;
use crate::source::{SourceFile, yaml};
use crate::value::{Map, Value, pyrepr};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/template")
}

fn templar() -> Templar {
    Templar::new()
        .with_search_path(vec![fixtures()])
        .with_env_lookup(Arc::new(|name| {
            (name == "PLIMSOLL_TEST").then(|| "from-env".to_string())
        }))
}

fn run(templar: &Templar, case: &Map) -> Result<Value, TemplateError> {
    let vars = match case.get("vars") {
        Some(Value::Map(map)) => Vars::new(map.clone()),
        _ => Vars::default(),
    };
    if let Some(template) = case.get("template").and_then(Value::as_str) {
        return templar.render_str(template, &vars).map(|r| r.value);
    }
    if let Some(condition) = case.get("condition").and_then(Value::as_str) {
        return templar.eval_condition(condition, &vars).map(Value::Bool);
    }
    let file = case.get("file").and_then(Value::as_str).unwrap_or_default();
    let path = fixtures().join("templates").join(file);
    templar
        .render_file(&path, &vars)
        .map(|r| Value::Str(r.text))
}

#[test]
fn cases_match_ansible() {
    let text = std::fs::read_to_string(fixtures().join("cases.yaml")).unwrap_or_default();
    let file = SourceFile::new("cases.yaml", text);
    let Some(Value::List(cases)) = yaml::load(&file, &mut Vec::new())
        .ok()
        .flatten()
        .map(|n| yaml::to_value(&n))
    else {
        panic!("cannot read cases.yaml");
    };
    assert!(cases.len() > 60);
    let templar = templar();
    let mut failures = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let Value::Map(case) = case else { continue };
        let label = ["template", "condition", "file"]
            .iter()
            .find_map(|k| case.get(*k).and_then(Value::as_str))
            .unwrap_or_default();
        let got = run(&templar, case);
        let expected_error = match case.get("ours_result") {
            Some(_) => None,
            None => case
                .get("ours")
                .or_else(|| case.get("error"))
                .and_then(Value::as_str),
        };
        let expected_result = case
            .get("ours_result")
            .or_else(|| case.get("result"))
            .and_then(Value::as_str);
        let ok = match (&got, expected_error, expected_result) {
            (Err(e), Some(want), _) => e.to_string().contains(want),
            (Ok(v), None, Some("<omit>")) => is_omit(v),
            (Ok(v), None, Some(want)) => pyrepr::repr(v) == want,
            _ => false,
        };
        if !ok {
            let got = match &got {
                Ok(v) => pyrepr::repr(v),
                Err(e) => format!("error: {e} [{:?}]", e.kind),
            };
            failures.push(format!(
                "#{index} {label:?}\n    want: {}\n    got:  {got}",
                expected_error.map_or_else(
                    || expected_result.unwrap_or("?").to_string(),
                    |e| format!("error containing {e:?}")
                )
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn vault_values_are_decrypted_when_read_and_reported_as_secret() {
    struct Fake;
    impl VaultResolver for Fake {
        fn decrypt(
            &self,
            vault: &crate::value::VaultText,
        ) -> Result<crate::secrets::Sensitive<String>, String> {
            Ok(crate::secrets::Sensitive::new(
                vault.0.replace("CIPHER", "{{ 1 + 1 }}"),
            ))
        }
    }
    let templar = Templar::new().with_vault(Arc::new(Fake));
    let vars = Vars::new(Map::from([
        (
            "v".into(),
            Value::Vault(crate::value::VaultText("CIPHER".into())),
        ),
        ("plain".into(), Value::Str("x".into())),
    ]));
    // Ansible 2.19 printed "{{ 1 + 1 }}" for a vaulted "{{ 1 + 1 }}": vault plaintext is never templated.
    let rendered = templar.render_str("{{ v }}", &vars).ok();
    assert_eq!(
        rendered.as_ref().map(|r| &r.value),
        Some(&Value::Str("{{ 1 + 1 }}".into()))
    );
    assert_eq!(rendered.map(|r| r.uses_secret), Some(true));
    let plain = templar.render_str("{{ plain }}", &vars).ok();
    assert_eq!(plain.map(|r| r.uses_secret), Some(false));
    let no_password = Templar::new().render_str("{{ v }}", &vars);
    assert!(no_password.is_err_and(|e| e.kind == TemplateErrorKind::Vault));
}

#[test]
fn render_value_templates_values_not_keys_and_drops_omit() {
    let templar = Templar::new();
    let vars = Vars::new(Map::from([
        ("k".into(), Value::Str("kk".into())),
        ("n".into(), Value::Int(3)),
    ]));
    let args = Value::Map(Map::from([
        ("{{ k }}".into(), Value::Str("{{ n }}".into())),
        (
            "gone".into(),
            Value::Str("{{ nope | default(omit) }}".into()),
        ),
        (
            "list".into(),
            Value::List(vec![
                Value::Str("{{ omit }}".into()),
                Value::Unsafe("{{ n }}".into()),
            ]),
        ),
    ]));
    let rendered = templar.render_value(&args, &vars).map(|r| r.value).ok();
    let expected = Value::Map(Map::from([
        ("{{ k }}".into(), Value::Int(3)),
        (
            "list".into(),
            Value::List(vec![Value::Unsafe("{{ n }}".into())]),
        ),
    ]));
    assert_eq!(rendered, Some(expected));
    assert!(is_omit(
        &templar
            .render_str("{{ omit }}", &vars)
            .map(|r| r.value)
            .unwrap_or(Value::Null)
    ));
}

#[test]
fn errors_locate_the_expression() {
    let templar = Templar::new();
    let err = templar
        .render_str("line one\n  {{ missing }}", &Vars::default())
        .err();
    let err = err.as_ref();
    assert_eq!(err.map(|e| e.kind), Some(TemplateErrorKind::Undefined));
    assert_eq!(err.and_then(|e| e.variable.as_deref()), Some("missing"));
    assert_eq!(err.and_then(|e| e.line), Some(2));
    assert_eq!(err.and_then(|e| e.column), Some(6));
    let file = fixtures().join("templates/greet.j2");
    let err = templar.render_file(&file, &Vars::default()).err();
    assert!(err.is_some_and(|e| e.template.as_deref()
        == Some(file.display().to_string().as_str())
        && e.line == Some(1)));
}

#[test]
fn facts_get_their_own_error() {
    let err = Templar::new()
        .render_str("{{ ansible_distribution | lower }}", &Vars::default())
        .err();
    assert!(
        err.is_some_and(|e| e.kind == TemplateErrorKind::FactsNotGathered
            && e.variable.as_deref() == Some("ansible_distribution")
            && e.to_string().contains("plimsoll gathers no facts"))
    );
}

#[test]
fn refused_filters_say_why() {
    let err = Templar::new()
        .render_str("{{ 'x' | password_hash('sha512') }}", &Vars::default())
        .err();
    assert!(err.is_some_and(|e| e.kind == TemplateErrorKind::Unsupported && e.help().is_some()));
    let err = Templar::new()
        .render_str("{{ '/etc' is directory }}", &Vars::default())
        .err();
    assert!(err.is_some_and(|e| e.kind == TemplateErrorKind::Unsupported));
}

#[test]
fn includes_resolve_next_to_the_including_file() {
    // Ansible (template module, searchpath = the templates dir) gave 'AHello you!B\n'.
    let vars = Vars::new(Map::from([("who".into(), Value::Str("you".into()))]));
    let path = fixtures().join("templates/include.j2");
    let rendered = Templar::new().render_file(&path, &vars).map(|r| r.text);
    assert_eq!(rendered.ok().as_deref(), Some("AHello you!B\n"));
}

#[test]
fn lazy_variables_are_rendered_once_per_render_and_loops_are_caught() {
    let vars = Vars::new(Map::from([
        ("a".into(), Value::Str("{{ b }}-{{ b }}".into())),
        ("b".into(), Value::Str("{{ c | upper }}".into())),
        ("c".into(), Value::Str("x".into())),
        (
            "self".into(),
            Value::Map(Map::from([(
                "me".into(),
                Value::Str("{{ self.me }}".into()),
            )])),
        ),
    ]));
    let templar = Templar::new();
    assert_eq!(
        templar.render_str("{{ a }}", &vars).map(|r| r.value).ok(),
        Some(Value::Str("X-X".into()))
    );
    let err = templar.render_str("{{ self.me }}", &vars).err();
    assert!(
        err.is_some_and(|e| e.kind == TemplateErrorKind::RecursiveLoop
            && e.message.contains("self.me -> self.me"))
    );
}
