import numpy as np

from nutrispine.batch._arrow import Frame

def intervals(age: np.ndarray, table: np.ndarray) -> np.ndarray: ...
def log_odds_levels(frame: Frame, interval: np.ndarray, prior: np.ndarray,
                    odds_columns: np.ndarray, odds_logs: np.ndarray,
                    symptom_columns: np.ndarray, symptom_logs: np.ndarray, symptom_cap: float,
                    extra: np.ndarray, lab_keys: np.ndarray, lab_lr: np.ndarray,
                    floor_level: np.ndarray, cap_level: np.ndarray,
                    supplement_rows: np.ndarray, supplement_logs: np.ndarray,
                    supplement_start: np.ndarray, intake: np.ndarray, intake_used: np.ndarray,
                    moderate: float, high: float, level: np.ndarray, log_odds: np.ndarray
                    ) -> None: ...
def supplement_logs(per_day: np.ndarray, rows: np.ndarray, interval: np.ndarray,
                    person: np.ndarray, targets: np.ndarray, min_fractions: np.ndarray,
                    logs: np.ndarray) -> np.ndarray: ...
def person_keys(male: np.ndarray, pregnant: np.ndarray, lactating: np.ndarray, n: int
                ) -> np.ndarray: ...
def round3_near(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...
