use super::Map;

/// Ansible's `combine_vars` with the default `hash_behaviour = replace`: later keys win whole, and a
/// key that is set again keeps its original position (a Python dict update).
pub fn combine_vars(into: &mut Map, from: &Map) {
    for (key, value) in from {
        into.insert(key.clone(), value.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    #[test]
    fn later_values_replace_whole_and_keep_position() {
        let mut a = Map::new();
        a.insert("x".into(), Value::Int(1));
        a.insert("y".into(), Value::Map(Map::from([("k".into(), Value::Int(1))])));
        let mut b = Map::new();
        b.insert("y".into(), Value::Map(Map::from([("j".into(), Value::Int(2))])));
        b.insert("x".into(), Value::Int(3));
        combine_vars(&mut a, &b);
        assert_eq!(a.keys().collect::<Vec<_>>(), ["x", "y"]);
        assert_eq!(a["x"], Value::Int(3));
        assert_eq!(a["y"], Value::Map(Map::from([("j".into(), Value::Int(2))])));
    }
}
