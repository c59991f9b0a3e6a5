// POST /api/chat: the support chat, streamed with the Vercel AI SDK.
//
// Planted flow 1: the signed-in customer's name, e-mail and their five most
// recent orders are put into the system prompt on every turn, so they go to
// OpenAI with each message. The customer's own live messages are the chat
// itself and are not reported.
import { openai } from "@ai-sdk/openai";
import { convertToModelMessages, streamText, type UIMessage } from "ai";
import { CHAT_MODEL_NAME, SYSTEM_PROMPT } from "@/lib/config";
import { getSignedInCustomer } from "@/lib/session";

export const maxDuration = 30;

export async function POST(req: Request) {
  const customer = await getSignedInCustomer();
  if (!customer) {
    return new Response("Sign in to chat with support.", { status: 401 });
  }
  const { messages }: { messages: UIMessage[] } = await req.json();

  const orderLines = customer.orders
    .map((order) => `- ${order.placedAt.toISOString().slice(0, 10)}: ${order.itemSummary} (${order.status})`)
    .join("\n");
  const profile = `Customer: ${customer.fullName} <${customer.email}>\nRecent orders:\n${orderLines}`;

  const result = streamText({ // expect: PL101 user.name user.contact.email user.behavior.purchase_history
    model: openai(CHAT_MODEL_NAME),
    system: `${SYSTEM_PROMPT}\n\n${profile}`,
    messages: convertToModelMessages(messages),
    temperature: 0.3,
  });
  return result.toUIMessageStreamResponse();
}
