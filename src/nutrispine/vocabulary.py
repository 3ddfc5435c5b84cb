"""Closed code lists of the contract that are not clinical knowledge (regions, diets, ...)."""

from __future__ import annotations

import re

PAIN_REGIONS = ("neck", "upper_back", "lower_back", "widespread")
DIETS = ("omnivore", "pescatarian", "vegetarian", "vegan")
EXCLUSIONS = ("dairy", "eggs", "fish", "shellfish", "nuts", "peanuts", "soy", "gluten", "meat")
ACTIVITY = ("sedentary", "light", "moderate", "active")
SUPPLEMENT_UNITS = {"µg": "µg", "ug": "µg", "mcg": "µg", "μg": "µg", "mg": "mg", "iu": "IU"}

# Everyday spellings accepted for codes (British spellings, plain words).
SYNONYMS = {
    "saddle_anaesthesia": "saddle_anesthesia",
    "saddle_numbness": "saddle_anesthesia",
    "tiredness": "fatigue",
    "cramps": "muscle_cramps",
    "spasms": "muscle_spasms",
    "pins_and_needles": "tingling",
    "incontinence": "bladder_dysfunction",
    "urinary_retention": "bladder_dysfunction",
    "bowel_dysfunction": "bowel_incontinence",
    "weight_loss": "unexplained_weight_loss",
    "trauma": "significant_trauma",
    "breathlessness": "shortness_of_breath",
    "drop_attacks": "dizziness_or_drop_attacks",
    "dizziness": "dizziness_or_drop_attacks",
    "coeliac_disease": "celiac_disease",
    "pernicious_anaemia": "pernicious_anemia",
    "crohn_disease": "crohns_disease",
    "crohns": "crohns_disease",
    "ckd": "chronic_kidney_disease",
    "lower back": "lower_back",
    "low_back": "lower_back",
    "back": "lower_back",
    "diabetes_type2": "type2_diabetes",
    "type_2_diabetes": "type2_diabetes",
}


def normalise_code(value: str) -> str:
    """'Muscle Cramps' and 'muscle-cramps' both become 'muscle_cramps'."""
    return re.sub(r"[\s\-]+", "_", value.strip().lower())
