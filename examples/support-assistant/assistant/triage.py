"""Ticket triage: routes each new support ticket to a queue with Anthropic.

Declared flow 6: the ticket text and the customer's name and e-mail go to
Claude, which picks a queue and writes a one-line summary for the agent. The
`@data-use` tag above the call records why (the support service the customer
signed up for), the lawful basis, how long the provider may keep the data and
the assessment that approved it. privacy-lens reports the flow as declared (a
hint, which does not fail CI) and lists it in `privacy-lens report` and the
Fides export. If the call starts sending more than the tag declares, the tag
is stale and becomes PL201.
"""
import anthropic

client = anthropic.Anthropic()  # reads ANTHROPIC_API_KEY

QUEUES = ["billing", "shipping", "account", "other"]


def triage(ticket, customer):
    prompt = (
        f"Ticket from {customer.full_name} <{customer.email}>:\n{ticket.body}\n\n"
        f"Answer with one queue from {', '.join(QUEUES)}, then a one-line summary."
    )
    # @data-use essential.service data=user.name,user.contact.email,user.content.private subject=customer basis=contract retention=30d ref=DPIA-12
    reply = client.messages.create(  # expect: PL101:declared user.name user.contact.email user.content.private
        model="claude-sonnet-4-5",
        max_tokens=200,
        messages=[{"role": "user", "content": prompt}],
    )
    queue, _, summary = reply.content[0].text.partition("\n")
    return queue.strip(), summary.strip()
