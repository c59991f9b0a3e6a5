//! Languages privacy-lens analyses, how files map to them, and their grammars.

use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    Python,
}

impl Language {
    pub const ALL: [Language; 1] = [Language::Python];

    pub fn from_path(path: &Path) -> Option<Language> {
        let ext = path.extension()?.to_str()?;
        Language::from_extension(ext)
    }

    pub fn from_extension(ext: &str) -> Option<Language> {
        match ext {
            "py" | "pyi" | "pyw" => Some(Language::Python),
            _ => None,
        }
    }

    /// The LSP `languageId` values this language answers to.
    pub fn from_language_id(id: &str) -> Option<Language> {
        match id {
            "python" => Some(Language::Python),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "python",
        }
    }

    pub fn grammar(self) -> tree_sitter::Language {
        match self {
            Language::Python => tree_sitter_python::LANGUAGE.into(),
        }
    }

    /// The line-comment prefix used when inserting tags.
    pub fn line_comment(self) -> &'static str {
        match self {
            Language::Python => "#",
        }
    }
}
