//! Taps: a model names an intermediate value (`conv1.out`, `block0.head2.attn`) with
//! [`tap`]; whoever wants to look at it wraps the forward pass in [`capture`] with the names it
//! wants. The model never knows who reads, and with no capture active a tap costs a lookup.

use crate::tensor::Tensor;
use std::cell::RefCell;
use std::collections::BTreeMap;

#[derive(Default)]
struct Recorder {
    wanted: Vec<String>,
    taken: BTreeMap<String, Tensor>,
}

thread_local!(static RECORDERS: RefCell<Vec<Recorder>> = const { RefCell::new(Vec::new()) });

/// Is any capture active? A model can skip computing what it would only offer to a tap
/// (slicing every head's weights out of the batch costs a few percent of a training step).
pub fn capturing() -> bool {
    RECORDERS.with(|r| !r.borrow().is_empty())
}

/// Offers `value` under `name` to any active capture that asked for it; returns `value`.
pub fn tap(name: &str, value: &Tensor) -> Tensor {
    RECORDERS.with(|r| {
        for recorder in r.borrow_mut().iter_mut() {
            if recorder.wanted.iter().any(|w| w == name) {
                recorder.taken.insert(name.to_string(), value.clone());
            }
        }
    });
    value.clone()
}

/// Runs `f`, collecting the tapped values whose names are in `names` (the last value offered
/// under a name wins). Captures nest.
pub fn capture<R>(names: &[&str], f: impl FnOnce() -> R) -> (R, BTreeMap<String, Tensor>) {
    RECORDERS.with(|r| {
        r.borrow_mut().push(Recorder {
            wanted: names.iter().map(|s| s.to_string()).collect(),
            taken: BTreeMap::new(),
        })
    });
    struct Pop;
    impl Drop for Pop {
        fn drop(&mut self) {
            RECORDERS.with(|r| r.borrow_mut().pop());
        }
    }
    let guard = Pop;
    let result = f();
    let taken = RECORDERS.with(|r| {
        r.borrow_mut()
            .last_mut()
            .map(|rec| std::mem::take(&mut rec.taken))
    });
    drop(guard);
    (result, taken.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_sees_only_what_it_asked_for() {
        let model = |x: &Tensor| {
            let h = tap("layer1.out", &x.scale(2.0));
            tap("layer2.out", &h.shift(1.0))
        };
        let x = Tensor::from_vec(vec![1.0, 2.0], &[2]).unwrap();
        let (y, taps) = capture(&["layer1.out"], || model(&x));
        assert_eq!(y.to_vec(), vec![3.0, 5.0]);
        assert_eq!(taps.keys().collect::<Vec<_>>(), vec!["layer1.out"]);
        assert_eq!(taps["layer1.out"].to_vec(), vec![2.0, 4.0]);
        // No capture: taps are free and record nothing.
        assert_eq!(model(&x).to_vec(), vec![3.0, 5.0]);
    }
}
