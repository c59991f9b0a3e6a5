"""Settings for the Acme support assistant.

Nothing here is personal data, although several names contain words such as
`name`, `email`, `phone` or `user`: they name models, templates and limits.
privacy-lens must not report anything in this file or where these values are
used.
"""
import os

OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "")
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///support.db")

ASSISTANT_NAME = "Ada"
CHAT_MODEL_NAME = "gpt-4o-mini"
EMBEDDING_MODEL_NAME = "text-embedding-3-small"
HEALTHCHECK_MODEL_NAME = "gpt-4o-mini"

CHROMA_DIR = "var/chroma"
FAQ_COLLECTION_NAME = "faq"
NOTES_COLLECTION_NAME = "support-notes"
FAQ_DIR = "content/faq"

email_template = "Hi {first_name},\n\nYour ticket {ticket_ref} was updated.\n\n- {assistant_name}"
support_email_address_label = "Support inbox"
phone_model_allowlist = ["iPhone 15", "Pixel 8", "Galaxy S24"]
max_user_count_per_org = 250
is_email_verification_required = True

SYSTEM_PROMPT = (
    f"You are {ASSISTANT_NAME}, Acme's support assistant. Be brief and friendly. "
    "Never promise refunds; offer to open a ticket instead."
)
