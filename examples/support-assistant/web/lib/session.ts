// Resolves the signed-in customer from the session cookie. Reads personal
// data from the database, but sends nothing to an AI service.
import { cookies } from "next/headers";
import { prisma } from "./db";

const SESSION_COOKIE = "acme_session";

export async function getSignedInCustomer() {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  const session = await prisma.session.findUnique({
    where: { token },
    include: {
      customer: {
        include: { orders: { orderBy: { placedAt: "desc" }, take: 5 } },
      },
    },
  });
  if (!session || session.expiresAt < new Date()) return null;
  return session.customer;
}
