//! `choice!`: the labs' small enums (a task, a model, a placement) with a link slug, a title
//! and a list of all their values, written once.

/// A small enum with a link slug, a title and a list of all its values.
macro_rules! choice {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $slug:literal, $title:literal;)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn slug(&self) -> &'static str {
                match self { $($name::$variant => $slug),* }
            }

            pub fn from_slug(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|c| c.slug() == s)
            }

            pub fn title(&self) -> &'static str {
                match self { $($name::$variant => $title),* }
            }

            /// "a, b, c": the slugs a link may use.
            pub fn slugs() -> String {
                Self::ALL.iter().map(|c| c.slug()).collect::<Vec<_>>().join(", ")
            }
        }
    };
}
