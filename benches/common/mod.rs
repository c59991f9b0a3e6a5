//! Generated inputs shared by the benchmarks (`lsp_latency`, `analysis`):
//! realistic service modules with AI calls, with and without personal data,
//! of any length. Deterministic: the same `lines` gives the same text.

#![allow(dead_code)]

/// A Python service module of at least `lines` lines: imports and clients at
/// the top, then repeated blocks of data classes, helpers, LLM calls with and
/// without personal data, embeddings, a training job and plain business code.
pub fn python(lines: usize) -> String {
    let mut out = String::from(
        "\"\"\"Customer support service (generated for the benchmarks).\"\"\"\n\
         import json\n\
         import logging\n\
         from dataclasses import dataclass\n\
         \n\
         import openai\n\
         import pandas as pd\n\
         from sklearn.linear_model import LogisticRegression\n\
         \n\
         client = openai.OpenAI()\n\
         log = logging.getLogger(__name__)\n\
         \n",
    );
    let mut block = 0;
    let mut count = out.lines().count();
    while count < lines {
        let n = block;
        let chunk = format!(
            r#"

@dataclass
class Ticket{n}:
    subject: str
    body: str
    priority: int = 0


def format_order_{n}(order):
    total = sum(line.price * line.quantity for line in order.lines)
    return f"{{order.id}}: {{total:.2f}} EUR"


def answer_ticket_{n}(user, ticket):
    history = [format_order_{n}(o) for o in user.orders[-5:]]
    prompt = f"Customer {{user.full_name}} <{{user.email}}> asks: {{ticket.body}}\nOrders: {{history}}"
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{{"role": "system", "content": "You are a support agent."}}, {{"role": "user", "content": prompt}}],
    )
    log.info("answered ticket %s", ticket.subject)
    return response.choices[0].message.content


def summarise_docs_{n}(pages):
    text = "\n".join(page.strip() for page in pages if page)
    return client.chat.completions.create(model="gpt-4o-mini", messages=[{{"role": "user", "content": text}}])


def embed_note_{n}(patient):
    vector = client.embeddings.create(model="text-embedding-3-small", input=patient.diagnosis)
    return vector.data[0].embedding


def train_churn_{n}(path):
    frame = pd.read_csv(path)
    features = frame[["age", "postcode", "monthly_spend"]]
    model = LogisticRegression()
    model.fit(features, frame["churned"])
    return model


def priority_score_{n}(ticket):
    score = 0
    for word in ("urgent", "refund", "broken"):
        if word in ticket.subject.lower():
            score += 10
    return min(score + ticket.priority, 100)
"#
        );
        count += chunk.lines().count();
        out.push_str(&chunk);
        block += 1;
    }
    out
}

/// The TypeScript counterpart of [`python`].
pub fn typescript(lines: usize) -> String {
    let mut out = String::from(
        "// Customer support service (generated for the benchmarks).\n\
         import OpenAI from \"openai\";\n\
         import { Pinecone } from \"@pinecone-database/pinecone\";\n\
         \n\
         const client = new OpenAI();\n\
         const index = new Pinecone().index(\"tickets\");\n\
         \n",
    );
    let mut block = 0;
    let mut count = out.lines().count();
    while count < lines {
        let n = block;
        let chunk = format!(
            r#"

interface Ticket{n} {{
  subject: string;
  body: string;
  priority: number;
}}

function formatOrder{n}(order: {{ id: string; lines: {{ price: number; quantity: number }}[] }}): string {{
  const total = order.lines.reduce((sum, line) => sum + line.price * line.quantity, 0);
  return `${{order.id}}: ${{total.toFixed(2)}} EUR`;
}}

export async function answerTicket{n}(user: any, ticket: Ticket{n}): Promise<string | null> {{
  const history = user.orders.slice(-5).map(formatOrder{n});
  const prompt = `Customer ${{user.fullName}} <${{user.email}}> asks: ${{ticket.body}}\nOrders: ${{history}}`;
  const response = await client.chat.completions.create({{
    model: "gpt-4o-mini",
    messages: [{{ role: "system", content: "You are a support agent." }}, {{ role: "user", content: prompt }}],
  }});
  console.info("answered ticket", ticket.subject);
  return response.choices[0].message.content;
}}

export async function summariseDocs{n}(pages: string[]) {{
  const text = pages.filter(Boolean).map((page) => page.trim()).join("\n");
  return client.chat.completions.create({{ model: "gpt-4o-mini", messages: [{{ role: "user", content: text }}] }});
}}

export async function embedNote{n}(patient: {{ id: string; diagnosis: string }}) {{
  const vector = await client.embeddings.create({{ model: "text-embedding-3-small", input: patient.diagnosis }});
  await index.upsert([{{ id: patient.id, values: vector.data[0].embedding }}]);
  return vector.data[0].embedding;
}}

export function priorityScore{n}(ticket: Ticket{n}): number {{
  let score = 0;
  for (const word of ["urgent", "refund", "broken"]) {{
    if (ticket.subject.toLowerCase().includes(word)) {{
      score += 10;
    }}
  }}
  return Math.min(score + ticket.priority, 100);
}}
"#
        );
        count += chunk.lines().count();
        out.push_str(&chunk);
        block += 1;
    }
    out
}
