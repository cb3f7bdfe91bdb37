//! Rendered ticket-list pages, kept until a ticket or transcript changes. The database counts
//! those changes ([`store::panel_version`](super::store::panel_version), kept by triggers, so
//! a bot in another process counts too); a page is served again only under the count it was
//! rendered with; a new message moves the count too (the list shows who each ticket waits on).
//! Searches read message texts, which also change by edits: they are never kept. The counts
//! per status in the filter are kept the same way.

use std::collections::HashMap;
use std::sync::Mutex;

use super::store::Cursor;

/// Pages kept at most; when full, all are dropped (a handful of staff browse a few pages).
const MAX_PAGES: usize = 256;

/// What a list page shows besides the tickets: the logged-in user (top bar) and the filter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListKey {
    pub user_id: String,
    pub user_name: String,
    pub avatar_url: Option<String>,
    /// The session's CSRF token is on the page (logout form): a page is kept per session.
    pub csrf: String,
    pub status: String,
    pub page: i64,
    pub cursor: Option<Cursor>,
}

#[derive(Default)]
pub struct ListCache {
    pages: Mutex<HashMap<ListKey, (i64, String)>>,
    counts: Mutex<Option<(i64, HashMap<String, i64>)>>,
}

impl ListCache {
    /// The page rendered for `key` while the count was `version`.
    pub fn get(&self, key: &ListKey, version: i64) -> Option<String> {
        let pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        pages
            .get(key)
            .filter(|(kept, _)| *kept == version)
            .map(|(_, html)| html.clone())
    }

    /// The tickets per status, counted while the count of changes was `version`.
    pub fn counts(&self, version: i64) -> Option<HashMap<String, i64>> {
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts
            .as_ref()
            .filter(|(kept, _)| *kept == version)
            .map(|(_, counts)| counts.clone())
    }

    pub fn put_counts(&self, version: i64, counts: HashMap<String, i64>) {
        *self.counts.lock().unwrap_or_else(|e| e.into_inner()) = Some((version, counts));
    }

    pub fn put(&self, key: ListKey, version: i64, html: String) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if pages.len() >= MAX_PAGES && !pages.contains_key(&key) {
            pages.clear();
        }
        pages.insert(key, (version, html));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(page: i64) -> ListKey {
        ListKey {
            user_id: "1".into(),
            user_name: "Anna".into(),
            avatar_url: None,
            csrf: "c".into(),
            status: String::new(),
            page,
            cursor: None,
        }
    }

    #[test]
    fn a_page_is_served_only_under_the_version_it_was_rendered_with() {
        let cache = ListCache::default();
        cache.put(key(1), 7, "seite eins".into());
        assert_eq!(cache.get(&key(1), 7).as_deref(), Some("seite eins"));
        assert_eq!(cache.get(&key(1), 8), None);
        assert_eq!(cache.get(&key(2), 7), None);
    }

    #[test]
    fn a_full_cache_starts_over_instead_of_growing() {
        let cache = ListCache::default();
        for page in 0..MAX_PAGES as i64 + 1 {
            cache.put(key(page), 1, format!("seite {page}"));
        }
        assert_eq!(cache.pages.lock().unwrap().len(), 1);
        assert!(cache.get(&key(MAX_PAGES as i64), 1).is_some());
    }
}
