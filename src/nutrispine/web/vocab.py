"""The contract's codes offered as choices in the forms (the engine still validates)."""

from __future__ import annotations

REGIONS = ("neck", "upper_back", "lower_back", "widespread")
SYMPTOMS = ("fatigue", "muscle_weakness", "muscle_cramps", "muscle_spasms", "muscle_twitching",
            "muscle_tension", "bone_pain", "widespread_aches", "tingling", "numbness",
            "balance_problems", "memory_problems", "low_mood", "poor_sleep", "pale_skin",
            "sore_tongue", "palpitations", "frequent_fractures")
RED_FLAGS = ("saddle_anesthesia", "bladder_dysfunction", "bowel_incontinence",
             "progressive_weakness", "fever", "severe_headache", "chest_pain",
             "shortness_of_breath", "unexplained_weight_loss", "night_pain",
             "significant_trauma", "gait_disturbance", "hand_clumsiness",
             "dizziness_or_drop_attacks")
RISK_FACTORS = ("limited_sun_exposure", "dark_skin", "covers_skin", "housebound", "obesity",
                "vegan", "vegetarian", "low_dairy_intake", "lactose_intolerance",
                "heavy_alcohol_use", "type2_diabetes", "crohns_disease", "celiac_disease",
                "bariatric_surgery", "gastric_surgery", "pernicious_anemia",
                "atrophic_gastritis", "chronic_kidney_disease", "liver_disease",
                "postmenopausal", "high_stress", "osteoporosis", "cancer_history",
                "iv_drug_use", "immunosuppression", "long_term_steroid_use")
MEDICATIONS = ("metformin", "omeprazole", "esomeprazole", "lansoprazole", "pantoprazole",
               "rabeprazole", "famotidine", "cimetidine", "furosemide", "bumetanide",
               "torsemide", "hydrochlorothiazide", "chlorthalidone", "indapamide", "prednisone",
               "prednisolone", "dexamethasone", "phenytoin", "carbamazepine", "phenobarbital",
               "orlistat", "cholestyramine", "alendronate", "risedronate", "doxycycline",
               "minocycline", "tetracycline", "ciprofloxacin", "levofloxacin", "levothyroxine",
               "digoxin", "colchicine")
DIETS = ("omnivore", "pescatarian", "vegetarian", "vegan")
EXCLUDES = ("dairy", "eggs", "fish", "shellfish", "nuts", "peanuts", "soy", "gluten", "meat")
ACTIVITY = ("sedentary", "light", "moderate", "active")
NUTRIENTS = ("vitamin_d", "magnesium", "vitamin_b12", "calcium")
SUPPLEMENT_UNITS = ("µg", "mg", "IU")
LAB_TESTS = {
    "vitamin_d_25oh": ("25-hydroxy vitamin D", ("ng/mL", "nmol/L")),
    "vitamin_b12": ("Vitamin B12", ("pg/mL", "pmol/L")),
    "methylmalonic_acid": ("Methylmalonic acid", ("µmol/L", "nmol/L")),
    "homocysteine": ("Homocysteine", ("µmol/L",)),
    "magnesium": ("Magnesium (serum)", ("mmol/L", "mg/dL", "mEq/L")),
    "calcium": ("Calcium (total)", ("mmol/L", "mg/dL")),
    "calcium_ionized": ("Calcium (ionized)", ("mmol/L", "mg/dL")),
    "albumin": ("Albumin", ("g/L", "g/dL")),
    "pth": ("Parathyroid hormone", ("pg/mL", "pmol/L")),
}
LAB_UNITS = ("ng/mL", "nmol/L", "pg/mL", "pmol/L", "mg/dL", "mmol/L", "mEq/L", "g/dL", "g/L",
             "µmol/L")
NUTRIENT_NAMES = {"vitamin_d": "Vitamin D", "magnesium": "Magnesium",
                  "vitamin_b12": "Vitamin B12", "calcium": "Calcium"}
NUTRIENT_UNITS = {"vitamin_d": "µg", "magnesium": "mg", "vitamin_b12": "µg", "calcium": "mg"}


def label(code: str) -> str:
    """A code as words: ``lower_back`` -> ``Lower back``."""
    text = str(code).replace("_", " ")
    return text[:1].upper() + text[1:]
