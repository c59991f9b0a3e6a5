import OpenAI from "openai";

const client = new OpenAI();

type Customer = { email: string; plan: string };

export async function answer(user: Customer, question: string) {
  const greeting = "Grüß dich 👋";
  const prompt = `${greeting} ${user.email}: ${question}`;
  const résumé = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: prompt }] });
  return résumé;
}
