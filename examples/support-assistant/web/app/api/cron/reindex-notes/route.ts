// GET /api/cron/reindex-notes: the nightly job that rebuilds the notes index
// (Vercel Cron calls it with the cron secret). The indexing itself, and its
// finding, live in lib/notes-index.ts; this file sends nothing to an AI call.
import { indexSupportNotes } from "@/lib/notes-index";

export async function GET(request: Request) {
  if (request.headers.get("authorization") !== `Bearer ${process.env.CRON_SECRET}`) {
    return new Response("Unauthorized", { status: 401 });
  }
  const chunks = await indexSupportNotes();
  return Response.json({ ok: true, chunks });
}
