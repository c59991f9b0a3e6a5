//! Languages privacy-lens analyses, how files map to them, and their grammars.

use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    Python,
    /// JavaScript, including JSX.
    JavaScript,
    TypeScript,
    /// TypeScript with JSX.
    Tsx,
}

impl Language {
    pub const ALL: [Language; 4] = [
        Language::Python,
        Language::JavaScript,
        Language::TypeScript,
        Language::Tsx,
    ];

    pub fn from_path(path: &Path) -> Option<Language> {
        let ext = path.extension()?.to_str()?;
        Language::from_extension(ext)
    }

    pub fn from_extension(ext: &str) -> Option<Language> {
        match ext {
            "py" | "pyi" | "pyw" => Some(Language::Python),
            "js" | "mjs" | "cjs" | "jsx" => Some(Language::JavaScript),
            "ts" | "mts" | "cts" => Some(Language::TypeScript),
            "tsx" => Some(Language::Tsx),
            _ => None,
        }
    }

    /// The LSP `languageId` values this language answers to.
    pub fn from_language_id(id: &str) -> Option<Language> {
        match id {
            "python" => Some(Language::Python),
            "javascript" | "javascriptreact" | "jsx" => Some(Language::JavaScript),
            "typescript" => Some(Language::TypeScript),
            "typescriptreact" | "tsx" => Some(Language::Tsx),
            _ => None,
        }
    }

    /// The name of the language's folder under `queries/`.
    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Tsx => "tsx",
        }
    }

    pub fn grammar(self) -> tree_sitter::Language {
        match self {
            Language::Python => tree_sitter_python::LANGUAGE.into(),
            Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        }
    }

    /// The line-comment prefix used when inserting tags.
    pub fn line_comment(self) -> &'static str {
        match self {
            Language::Python => "#",
            Language::JavaScript | Language::TypeScript | Language::Tsx => "//",
        }
    }

    /// Languages that share one sink catalogue.
    pub fn is_javascript_family(self) -> bool {
        !matches!(self, Language::Python)
    }
}
