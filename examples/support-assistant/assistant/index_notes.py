"""Index customers' support notes for the agent-assist retrieval feature.

Planted flow 3: agents' private notes about each customer, with the
customer's name and e-mail as metadata, are split, embedded with OpenAI
embeddings and written to a persistent Chroma collection. Run nightly:

    python -m assistant.index_notes
"""
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_openai import OpenAIEmbeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant import settings
from assistant.app import User, app

splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=150)


def load_note_documents() -> list[Document]:
    documents = []
    with app.app_context():
        for user in User.query.filter(User.support_notes.isnot(None)).all():
            documents.append(Document(
                page_content=user.support_notes,
                metadata={"customer_name": user.full_name, "customer_email": user.email},
            ))
    return documents


def main() -> None:
    chunks = splitter.split_documents(load_note_documents())
    embeddings = OpenAIEmbeddings(model=settings.EMBEDDING_MODEL_NAME, api_key=settings.OPENAI_API_KEY)
    store = Chroma.from_documents(  # expect: PL104 user.content.private user.name user.contact.email
        chunks,
        embeddings,
        collection_name=settings.NOTES_COLLECTION_NAME,
        persist_directory=settings.CHROMA_DIR,
    )
    print(f"indexed {len(chunks)} note chunks into {store._collection.name}")


if __name__ == "__main__":
    main()
