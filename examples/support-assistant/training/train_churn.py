"""Train the churn model used by the retention team.

Planted flow 2: a customer table export is loaded with pandas; the direct
identifiers (customer id, e-mail) are dropped, but age, gender, postal code
and monthly spend are kept as features. Age, gender and postal code together
are quasi-identifiers, so the trained model is still personal data.

    python training/train_churn.py exports/customers.csv
"""
import sys

import joblib
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

COLUMNS = ["customer_id", "email", "age", "gender", "postal_code", "monthly_spend", "tenure_months", "churned"]
NUMERIC = ["age", "monthly_spend", "tenure_months"]
CATEGORICAL = ["gender", "postal_code"]


def main(path: str) -> None:
    customers = pd.read_csv(path, usecols=COLUMNS)
    X = customers.drop(columns=["customer_id", "email", "churned"])
    y = customers["churned"]
    X_train, _X_holdout, y_train, _y_holdout = train_test_split(X, y, test_size=0.2, stratify=y, random_state=42)

    model = Pipeline([
        ("prep", ColumnTransformer([
            ("num", StandardScaler(), NUMERIC),
            ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
        ])),
        ("clf", GradientBoostingClassifier(n_estimators=300, max_depth=3)),
    ])
    model.fit(X_train, y_train)  # expect: PL105 user.demographic.age_range user.demographic.gender user.contact.address.postal_code user.behavior.purchase_history; PL120 user.contact.address.postal_code user.demographic.age_range user.demographic.gender

    joblib.dump(model, "models/churn.joblib")
    print(f"trained on {len(X_train)} customers")


if __name__ == "__main__":
    main(sys.argv[1])
