import openai

client = openai.OpenAI()


def answer(user, question):
    greeting = "Grüß dich 👋"
    prompt = f"{greeting} {user.email}: {question}"
    résumé = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
    return résumé
