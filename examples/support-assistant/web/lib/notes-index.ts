// Indexes agents' notes about each customer for the agent-assist search.
//
// Planted flow 2: the private support notes, with the customer's name and
// e-mail as metadata, are split, embedded with OpenAI embeddings and
// written to a Pinecone index (one PL104: the store embeds internally).
// Called nightly by app/api/cron/reindex-notes/route.ts.
import { Document } from "@langchain/core/documents";
import { OpenAIEmbeddings } from "@langchain/openai";
import { PineconeStore } from "@langchain/pinecone";
import { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import { Pinecone } from "@pinecone-database/pinecone";
import { EMBEDDING_MODEL_NAME, NOTES_INDEX_NAME } from "./config";
import { prisma } from "./db";

const splitter = new RecursiveCharacterTextSplitter({ chunkSize: 1000, chunkOverlap: 150 });

async function loadNoteDocuments(): Promise<Document[]> {
  const customers = await prisma.customer.findMany({ where: { supportNotes: { not: null } } });
  const documents: Document[] = [];
  for (const customer of customers) {
    documents.push(
      new Document({
        pageContent: customer.supportNotes ?? "",
        metadata: { customerName: customer.fullName, customerEmail: customer.email },
      }),
    );
  }
  return documents;
}

export async function indexSupportNotes(): Promise<number> {
  const chunks = await splitter.splitDocuments(await loadNoteDocuments());
  const pineconeIndex = new Pinecone().index(NOTES_INDEX_NAME);
  const embeddings = new OpenAIEmbeddings({ model: EMBEDDING_MODEL_NAME });
  await PineconeStore.fromDocuments(chunks, embeddings, { pineconeIndex, namespace: "support-notes" }); // expect: PL104 user.content.private user.name user.contact.email
  return chunks.length;
}
