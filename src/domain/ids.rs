//! The ids of the main resources, one type each, so that a version id cannot be passed
//! where a document id is meant. An id is a UUID, parsed once where it enters (a path
//! segment): [`DocumentId::parse`] and the others accept any spelling `uuid` reads and keep
//! the canonical lowercase hyphenated form, which is what the database stores.

macro_rules! ids {
    ($($(#[$meta:meta])* $name:ident;)+) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The id in canonical form, or `None` if `raw` is not a UUID.
            pub fn parse(raw: &str) -> Option<Self> {
                uuid::Uuid::parse_str(raw).ok().map(|u| Self(u.to_string()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }
    )+};
}

ids! {
    /// A document (văn bản), legal or ISO.
    DocumentId;
    /// A version of a document's text (phiên bản).
    VersionId;
    /// An account.
    UserId;
    /// An org unit (cơ quan, đơn vị).
    OrgUnitId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_once_into_the_canonical_form() {
        let id = DocumentId::parse("67E55044-10B1-426F-9247-BB680E5FE0C8").unwrap();
        assert_eq!(id.as_str(), "67e55044-10b1-426f-9247-bb680e5fe0c8");
        assert_eq!(
            DocumentId::parse("{67e55044-10b1-426f-9247-bb680e5fe0c8}"),
            Some(id)
        );
        for bad in [
            "",
            "1",
            "not-a-uuid",
            "67e55044-10b1-426f-9247-bb680e5fe0c",
            "../etc",
        ] {
            assert_eq!(VersionId::parse(bad), None, "{bad}");
        }
    }
}
