//! How values cross the worker boundary. Floats: JSON has no NaN or infinity: serde_json writes them
//! as `null`, and `null` cannot be read back as a number, so one undefined value (a diverged
//! model's loss, the correlation of a constant map) would make a whole reply unreadable and
//! leave a lab waiting. A field that can be undefined is either an `Option` (none on the wire)
//! or written through [`or_null`] / [`vec_or_null`]: not a number (or ±∞) goes out as `null`
//! and comes back as NaN, which the page shows as "—". Bytes travel as base64 ([`base64_bytes`]).

pub mod or_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &f32, s: S) -> Result<S::Ok, S::Error> {
        if value.is_finite() {
            s.serialize_f32(*value)
        } else {
            s.serialize_none()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
        Ok(Option::<f32>::deserialize(d)?.unwrap_or(f32::NAN))
    }
}

pub mod vec_or_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(values: &[f32], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(values.iter().map(|v| v.is_finite().then_some(*v)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f32>, D::Error> {
        let values = Vec::<Option<f32>>::deserialize(d)?;
        Ok(values.into_iter().map(|v| v.unwrap_or(f32::NAN)).collect())
    }
}

/// Bytes (images, quantised maps) as one base64 string: a third more than the bytes, where a
/// JSON array of numbers costs two to four times as much.
pub mod base64_bytes {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Serialize, Deserialize)]
    struct Reading {
        #[serde(with = "super::or_null")]
        loss: f32,
        #[serde(with = "super::vec_or_null")]
        probabilities: Vec<f32>,
    }

    #[test]
    fn undefined_values_travel_as_null_and_come_back_as_not_a_number() {
        let r = Reading {
            loss: f32::INFINITY,
            probabilities: vec![0.5, f32::NAN, f32::NEG_INFINITY],
        };
        let text = serde_json::to_string(&r).unwrap();
        assert_eq!(text, r#"{"loss":null,"probabilities":[0.5,null,null]}"#);
        let back: Reading = serde_json::from_str(&text).unwrap();
        assert!(back.loss.is_nan());
        assert_eq!(back.probabilities[0], 0.5);
        assert!(back.probabilities[1].is_nan() && back.probabilities[2].is_nan());
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Image {
        #[serde(with = "super::base64_bytes")]
        pixels: Vec<u8>,
    }

    #[test]
    fn bytes_travel_as_base64() {
        let image = Image {
            pixels: vec![0, 255, 7],
        };
        let text = serde_json::to_string(&image).unwrap();
        assert_eq!(text, r#"{"pixels":"AP8H"}"#);
        assert_eq!(serde_json::from_str::<Image>(&text).unwrap(), image);
        assert!(serde_json::from_str::<Image>(r#"{"pixels":"not base64!"}"#).is_err());
    }
}
