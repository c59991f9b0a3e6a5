// Settings for the Acme support web app.
//
// Nothing here is personal data, although several names contain words such
// as `name`, `email`, `phone` or `user`: they name models, templates and
// limits. privacy-lens must not report anything in this file or where these
// values are used.

export const ASSISTANT_NAME = "Ada";
export const CHAT_MODEL_NAME = "gpt-4o-mini";
export const HEALTHCHECK_MODEL_NAME = "gpt-4o-mini";
export const EMBEDDING_MODEL_NAME = "text-embedding-3-small";
export const NOTES_INDEX_NAME = "support-notes";

export const emailTemplate = "Hi {firstName},\n\nYour ticket {ticketRef} was updated.\n\n- {assistantName}";
export const phoneModelAllowlist = ["iPhone 15", "Pixel 8", "Galaxy S24"];
export const maxUserCountPerOrg = 250;
export const isEmailVerificationRequired = true;

export const SYSTEM_PROMPT =
  `You are ${ASSISTANT_NAME}, Acme's support assistant. Be brief and friendly. ` +
  "Never promise refunds; offer to open a ticket instead.";
