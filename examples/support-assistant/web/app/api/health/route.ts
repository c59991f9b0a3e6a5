// GET /api/health: checks the database and pings the model with a constant.
// Clean code: no personal data reaches the AI call, although the route also
// reports how many customers exist and which assistant persona is live.
import { generateText } from "ai";
import { openai } from "@ai-sdk/openai";
import { ASSISTANT_NAME, HEALTHCHECK_MODEL_NAME, maxUserCountPerOrg } from "@/lib/config";
import { prisma } from "@/lib/db";

export async function GET() {
  const customerCount = await prisma.customer.count();
  const ping = await generateText({ model: openai(HEALTHCHECK_MODEL_NAME), prompt: "ping", maxOutputTokens: 1 });
  return Response.json({
    status: "ok",
    assistant: ASSISTANT_NAME,
    model: ping.response.modelId,
    customers: customerCount,
    seatLimit: maxUserCountPerOrg,
  });
}
