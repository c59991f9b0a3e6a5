"""Validates a Fides manifest written by `privacy-lens report --format fides`
with the fideslang package (the Fides taxonomy and resource models).

Usage: python validate.py MANIFEST.yml

Loads the YAML as Fides does, builds the `Taxonomy` and `System` models
(pydantic validation of every field), and checks that every data use, data
category and data subject in the privacy declarations exists in fideslang's
default taxonomy. Prints one summary line and exits 0, or prints the problems
and exits 1.
"""
import sys

import yaml
from fideslang.default_taxonomy import DEFAULT_TAXONOMY
from fideslang.models import System, Taxonomy


def main(path: str) -> int:
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    if not isinstance(document, dict) or "system" not in document:
        print(f"{path}: no top-level `system` list")
        return 1
    taxonomy = Taxonomy.model_validate(document)
    systems = [System.model_validate(raw) for raw in document["system"]]
    known = {
        "data use": {u.fides_key for u in DEFAULT_TAXONOMY.data_use},
        "data category": {c.fides_key for c in DEFAULT_TAXONOMY.data_category},
        "data subject": {s.fides_key for s in DEFAULT_TAXONOMY.data_subject},
    }
    problems = []
    declarations = 0
    for system in systems:
        for declaration in system.privacy_declarations:
            declarations += 1
            where = f"{system.fides_key}: {declaration.name}"
            if declaration.data_use not in known["data use"]:
                problems.append(f"{where}: unknown data use {declaration.data_use}")
            for key in declaration.data_categories:
                if key not in known["data category"]:
                    problems.append(f"{where}: unknown data category {key}")
            for key in declaration.data_subjects:
                if key not in known["data subject"]:
                    problems.append(f"{where}: unknown data subject {key}")
    if problems:
        print("\n".join(problems))
        return 1
    print(
        f"valid: {len(taxonomy.system or [])} system(s), {declarations} privacy declaration(s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
