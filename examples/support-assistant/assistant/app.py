"""Acme support assistant: Flask app with the chat endpoint and a health check.

Planted flow 1: the chat endpoint sends the signed-in customer's profile
(name, e-mail, plan), their recent orders and their message to OpenAI.
The health check and the greeting send no personal data.
"""
from flask import Flask, jsonify, request
from flask_login import LoginManager, UserMixin, current_user, login_required
from flask_sqlalchemy import SQLAlchemy
from openai import OpenAI
from sqlalchemy import text

from assistant import settings

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = settings.DATABASE_URL
db = SQLAlchemy(app)
login_manager = LoginManager(app)
client = OpenAI(api_key=settings.OPENAI_API_KEY)


class User(UserMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    full_name = db.Column(db.String(200))
    email = db.Column(db.String(320), unique=True)
    plan = db.Column(db.String(20), default="free")
    support_notes = db.Column(db.Text)
    orders = db.relationship("Order", backref="user", order_by="Order.placed_at.desc()")


class Order(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    placed_at = db.Column(db.DateTime)
    item_summary = db.Column(db.String(300))
    status = db.Column(db.String(20))


@login_manager.user_loader
def load_user(session_ref: str):
    return db.session.get(User, int(session_ref))


@app.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    ping = client.chat.completions.create(
        model=settings.HEALTHCHECK_MODEL_NAME,
        messages=[{"role": "user", "content": "ping"}],
        max_tokens=1,
    )
    return jsonify(status="ok", model=ping.model)


@app.get("/api/assistant")
def assistant_info():
    return jsonify(name=settings.ASSISTANT_NAME, model=settings.CHAT_MODEL_NAME)


@app.post("/api/chat")
@login_required
def chat():
    message = request.json["message"]
    user = current_user
    recent_orders = user.orders[:5]
    order_lines = "\n".join(
        f"- {order.placed_at:%Y-%m-%d}: {order.item_summary} ({order.status})" for order in recent_orders
    )
    profile = f"Customer: {user.full_name} <{user.email}>\nPlan: {user.plan}\nRecent orders:\n{order_lines}"
    completion = client.chat.completions.create(  # expect: PL101 user.name user.contact.email user.account user.behavior.purchase_history
        model=settings.CHAT_MODEL_NAME,
        messages=[
            {"role": "system", "content": settings.SYSTEM_PROMPT},
            {"role": "system", "content": profile},
            {"role": "user", "content": message},
        ],
        temperature=0.3,
    )
    return jsonify(reply=completion.choices[0].message.content)
