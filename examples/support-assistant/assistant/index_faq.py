"""Index the public product FAQ for the assistant's retrieval.

Clean code: the FAQ is public Markdown written by the docs team, so this
embedding and vector-store write must not be reported. Run on deploy:

    python -m assistant.index_faq
"""
from pathlib import Path

from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_openai import OpenAIEmbeddings
from langchain_text_splitters import MarkdownHeaderTextSplitter

from assistant import settings

splitter = MarkdownHeaderTextSplitter(headers_to_split_on=[("#", "title"), ("##", "section")])


def load_faq() -> list[Document]:
    documents = []
    for path in sorted(Path(settings.FAQ_DIR).glob("*.md")):
        for chunk in splitter.split_text(path.read_text(encoding="utf-8")):
            chunk.metadata["source"] = path.name
            documents.append(chunk)
    return documents


def main() -> None:
    faq = load_faq()
    embeddings = OpenAIEmbeddings(model=settings.EMBEDDING_MODEL_NAME, api_key=settings.OPENAI_API_KEY)
    Chroma.from_documents(
        faq,
        embeddings,
        collection_name=settings.FAQ_COLLECTION_NAME,
        persist_directory=settings.CHROMA_DIR,
    )
    print(f"indexed {len(faq)} FAQ sections")


if __name__ == "__main__":
    main()
