//! Discord ids as the database stores them (BIGINT). A snowflake fits in 63 bits, so the
//! conversion is lossless; it is written here once instead of as casts in every handler, and a
//! stored value that is no Discord id (zero, negative: imported rows) reads as None.

use twilight_model::id::Id;

/// `id` as its database column holds it.
pub fn stored<T>(id: Id<T>) -> i64 {
    i64::try_from(id.get()).unwrap_or(i64::MAX)
}

/// The Discord id a database column holds; None when it holds no Discord id.
pub fn read<T>(raw: i64) -> Option<Id<T>> {
    u64::try_from(raw).ok().and_then(Id::new_checked)
}

#[cfg(test)]
mod tests {
    use twilight_model::id::Id;
    use twilight_model::id::marker::UserMarker;

    use super::{read, stored};

    #[test]
    fn ids_round_trip_and_non_ids_read_as_none() {
        let id: Id<UserMarker> = Id::new(1_234_567_890_123_456_789);
        assert_eq!(read::<UserMarker>(stored(id)), Some(id));
        assert_eq!(read::<UserMarker>(0), None);
        assert_eq!(read::<UserMarker>(-5), None);
    }
}
