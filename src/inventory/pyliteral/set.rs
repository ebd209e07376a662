//! Python sets and dict keys for literal values: `==` across numeric types (`1 == 1.0 == True`),
//! hashability (`unhashable type: 'list'`), and the iteration order of a set, which is the order of
//! CPython's hash table. For numbers (and tuples of them) the hash is fixed, so the order is reproduced
//! exactly: `{3, 1, 2}` lists as `[1, 2, 3]`. Strings, bytes and None hash differently in every Python
//! process (hash randomisation, addresses), so sets holding them have no stable order; those keep the
//! order they were written in.

use super::{LiteralError, PyValue};

/// `a == b` in Python, for the hashable values a literal can hold.
pub(super) fn py_eq(a: &PyValue, b: &PyValue) -> bool {
    use PyValue::*;
    match (a, b) {
        (None, None) | (Ellipsis, Ellipsis) => true,
        (Str(x), Str(y)) => x == y,
        (Bytes(x), Bytes(y)) => x == y,
        (Tuple(x), Tuple(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| py_eq(a, b)),
        _ => match (complex_of(a), complex_of(b)) {
            (Some(x), Some(y)) => numbers_equal(x, y),
            _ => false,
        },
    }
}

/// A number as (real int or float, imaginary part), keeping ints exact.
#[derive(Clone, Copy)]
enum Real {
    Int(i128),
    Float(f64),
}

fn complex_of(v: &PyValue) -> Option<(Real, f64)> {
    match v {
        PyValue::Bool(b) => Some((Real::Int(i128::from(*b)), 0.0)),
        PyValue::Int(i) => Some((Real::Int(*i), 0.0)),
        PyValue::Float(f) => Some((Real::Float(*f), 0.0)),
        PyValue::Complex(re, im) => Some((Real::Float(*re), *im)),
        _ => None,
    }
}

fn numbers_equal(a: (Real, f64), b: (Real, f64)) -> bool {
    if a.1 != b.1 {
        return false;
    }
    match (a.0, b.0) {
        (Real::Int(x), Real::Int(y)) => x == y,
        (Real::Float(x), Real::Float(y)) => x == y,
        (Real::Int(i), Real::Float(f)) | (Real::Float(f), Real::Int(i)) => int_equals_float(i, f),
    }
}

fn int_equals_float(i: i128, f: f64) -> bool {
    // Python compares exactly; every i128 that equals a float is within f64's exact-integer range
    // or a power-of-two multiple, so compare through the float only when it is integral.
    f.is_finite()
        && f.fract() == 0.0
        && f >= -(2f64.powi(127))
        && f < 2f64.powi(127)
        && f as i128 == i
}

const MODULUS: u64 = (1 << 61) - 1;
const HASH_BITS: u32 = 61;

/// Python's `hash()`: `Err` for unhashable values (a TypeError in Python), `Ok(None)` where the hash
/// differs from one Python process to the next.
pub(super) fn py_hash(v: &PyValue) -> Result<Option<u64>, LiteralError> {
    Ok(match v {
        PyValue::List(_) => return Err(unhashable("list")),
        PyValue::Dict(_) => return Err(unhashable("dict")),
        PyValue::Set(_) => return Err(unhashable("set")),
        PyValue::Bool(b) => Some(u64::from(*b)),
        PyValue::Int(i) => Some(hash_int(*i)),
        PyValue::Float(f) => hash_float(*f),
        PyValue::Complex(re, im) => match (hash_float(*re), hash_float(*im)) {
            (Some(r), Some(i)) => Some(fix_minus_one(r.wrapping_add(i.wrapping_mul(1_000_003)))),
            _ => None,
        },
        PyValue::Str(s) if s.is_empty() => Some(0),
        PyValue::Bytes(b) if b.is_empty() => Some(0),
        PyValue::Str(_)
        | PyValue::Bytes(_)
        | PyValue::None
        | PyValue::Ellipsis
        | PyValue::BigInt => None,
        PyValue::Tuple(items) => {
            let mut hashes = Vec::with_capacity(items.len());
            for item in items {
                hashes.push(py_hash(item)?);
            }
            hashes
                .into_iter()
                .collect::<Option<Vec<u64>>>()
                .map(|h| hash_tuple(&h))
        }
    })
}

fn unhashable(type_name: &str) -> LiteralError {
    LiteralError::Fatal(format!("unhashable type: '{type_name}'"))
}

fn fix_minus_one(h: u64) -> u64 {
    if h == u64::MAX { u64::MAX - 1 } else { h }
}

fn hash_int(i: i128) -> u64 {
    let m = (i.unsigned_abs() % u128::from(MODULUS)) as u64;
    let h = if i < 0 { m.wrapping_neg() } else { m };
    fix_minus_one(h)
}

/// `_Py_HashDouble`; NaN hashes by object identity, so it has no stable value.
fn hash_float(v: f64) -> Option<u64> {
    if v.is_nan() {
        return None;
    }
    if v.is_infinite() {
        return Some(if v > 0.0 {
            314_159
        } else {
            (-314_159i64) as u64
        });
    }
    let (mut m, mut e) = frexp(v);
    let negative = m < 0.0;
    if negative {
        m = -m;
    }
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & MODULUS) | (x >> (HASH_BITS - 28));
        m *= 268_435_456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= MODULUS {
            x -= MODULUS;
        }
    }
    let e = if e >= 0 {
        e as u32 % HASH_BITS
    } else {
        HASH_BITS - 1 - ((-1 - e) as u32 % HASH_BITS)
    };
    x = ((x << e) & MODULUS) | (x >> (HASH_BITS - e));
    if negative {
        x = x.wrapping_neg();
    }
    Some(fix_minus_one(x))
}

/// C's `frexp`: `v = m * 2^e` with `0.5 <= |m| < 1`.
fn frexp(v: f64) -> (f64, i32) {
    if v == 0.0 || !v.is_finite() {
        return (v, 0);
    }
    let bits = v.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    if exponent == 0 {
        let (m, e) = frexp(v * 2f64.powi(54));
        return (m, e - 54);
    }
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, exponent - 1022)
}

/// The xxHash-based tuple hash of CPython 3.8+.
fn hash_tuple(hashes: &[u64]) -> u64 {
    const P1: u64 = 11_400_714_785_074_694_791;
    const P2: u64 = 14_029_467_366_897_019_727;
    const P5: u64 = 2_870_177_450_012_600_261;
    let mut acc = P5;
    for lane in hashes {
        acc = acc.wrapping_add(lane.wrapping_mul(P2));
        acc = acc.rotate_left(31);
        acc = acc.wrapping_mul(P1);
    }
    acc = acc.wrapping_add((hashes.len() as u64) ^ (P5 ^ 3_527_539));
    if acc == u64::MAX { 1_546_275_796 } else { acc }
}

/// A set being built by `set(iterable)`: elements in the order added, without duplicates.
#[derive(Default)]
pub(super) struct PySet {
    items: Vec<PyValue>,
    hashes: Vec<Option<u64>>,
}

impl PySet {
    pub(super) fn add(&mut self, value: PyValue) -> Result<(), LiteralError> {
        let hash = py_hash(&value)?;
        if !self.items.iter().any(|v| py_eq(v, &value)) {
            self.items.push(value);
            self.hashes.push(hash);
        }
        Ok(())
    }

    /// The elements in the order iterating the Python set gives.
    pub(super) fn into_items(self) -> Vec<PyValue> {
        let Some(hashes) = self.hashes.into_iter().collect::<Option<Vec<u64>>>() else {
            return self.items;
        };
        let mut slots: Vec<Option<PyValue>> = self.items.into_iter().map(Some).collect();
        table_order(&hashes)
            .into_iter()
            .filter_map(|i| slots.get_mut(i).and_then(Option::take))
            .collect()
    }
}

const MIN_SIZE: usize = 8;
const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;

/// Where CPython 3.11's `set_add_entry` puts each element (all distinct), and the table order that
/// results, resizes included.
fn table_order(hashes: &[u64]) -> Vec<usize> {
    let mut table: Vec<Option<usize>> = vec![None; MIN_SIZE];
    for (index, &hash) in hashes.iter().enumerate() {
        insert_clean(&mut table, hash, index);
        let used = index + 1;
        let mask = table.len() - 1;
        if used * 5 >= mask * 3 {
            let min_used = if used > 50_000 { used * 2 } else { used * 4 };
            let mut size = MIN_SIZE;
            while size <= min_used {
                size <<= 1;
            }
            let old = std::mem::replace(&mut table, vec![None; size]);
            for slot in old.into_iter().flatten() {
                if let Some(&h) = hashes.get(slot) {
                    insert_clean(&mut table, h, slot);
                }
            }
        }
    }
    table.into_iter().flatten().collect()
}

/// Linear probing over up to ten slots, then CPython's perturbed jump, to the first free slot.
fn insert_clean(table: &mut [Option<usize>], hash: u64, value: usize) {
    let mask = table.len() - 1;
    let mut perturb = hash;
    let mut i = (hash as usize) & mask;
    loop {
        let probes = if i + LINEAR_PROBES <= mask {
            LINEAR_PROBES
        } else {
            0
        };
        for j in i..=i + probes {
            if let Some(slot) = table.get_mut(j) {
                if slot.is_none() {
                    *slot = Some(value);
                    return;
                }
            }
        }
        perturb >>= PERTURB_SHIFT;
        i = (i
            .wrapping_mul(5)
            .wrapping_add(1)
            .wrapping_add(perturb as usize))
            & mask;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(values: &[i128]) -> Vec<i128> {
        let mut set = PySet::default();
        for v in values {
            set.add(PyValue::Int(*v)).unwrap();
        }
        set.into_items()
            .into_iter()
            .map(|v| match v {
                PyValue::Int(i) => i,
                _ => 0,
            })
            .collect()
    }

    #[test]
    fn hashes_match_cpython() {
        // Python 3.11: hash(x) for each.
        assert_eq!(hash_int(-1) as i64, -2);
        assert_eq!(hash_int(1 << 61) as i64, 1);
        assert_eq!(hash_float(1.5), Some(1_152_921_504_606_846_977));
        assert_eq!(
            hash_float(-2.5).map(|h| h as i64),
            Some(-1_152_921_504_606_846_978)
        );
        assert_eq!(hash_float(1e300), Some(1_224_995_262_755_759_164));
        assert_eq!(hash_float(3.0), Some(3));
        assert_eq!(
            py_hash(&PyValue::Tuple(vec![PyValue::Int(1), PyValue::Int(2)]))
                .unwrap()
                .map(|h| h as i64),
            Some(-3_550_055_125_485_641_917)
        );
        assert_eq!(
            py_hash(&PyValue::Complex(1.0, 2.0)).unwrap(),
            Some(2_000_007)
        );
    }

    #[test]
    fn set_order_matches_cpython() {
        // Python 3.11: list(ast.literal_eval('{...}')), which adds one element at a time (a set display in
        // source code is built differently, from a frozenset constant, and can iterate in another order).
        assert_eq!(ints(&[4, 3, 2, 1]), [1, 2, 3, 4]);
        assert_eq!(ints(&[100, 8, 1]), [8, 1, 100]);
        assert_eq!(ints(&[-1, -2, 7, 15]), [7, 15, -1, -2]);
        assert_eq!(ints(&[10, 20, 30, 40, 50, 60]), [40, 10, 50, 20, 60, 30]);
    }

    #[test]
    fn equal_numbers_are_one_element() {
        let mut set = PySet::default();
        for v in [
            PyValue::Int(1),
            PyValue::Float(1.0),
            PyValue::Bool(true),
            PyValue::Complex(1.0, 0.0),
        ] {
            set.add(v).unwrap();
        }
        assert_eq!(set.into_items(), [PyValue::Int(1)]);
        assert_eq!(
            py_hash(&PyValue::Tuple(vec![PyValue::List(vec![])])),
            Err(LiteralError::Fatal("unhashable type: 'list'".into()))
        );
    }
}
