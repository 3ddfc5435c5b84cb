from collections.abc import Sequence

import numpy as np

from nutrispine.batch._arrow import Frame

NONE: int
ODD: int
MAX_WORDS: int

class Ranks:
    n: int
    def __init__(self, rows: np.ndarray, values: np.ndarray, n: int) -> None: ...
    def __call__(self, rows: np.ndarray) -> np.ndarray: ...

class TestKernel:
    def __init__(self, words: Sequence[tuple[int, int]], codes: Sequence[int],
                 factors: Sequence[float], bands: Sequence[tuple[list[float], int, list[int]]],
                 albumin: tuple[float, float] | None,
                 upgrade: tuple[int, int, int, float, int] | None, judged: bool) -> None: ...
    def run(self, values: Frame, value_at: int, units: Frame | None, unit_at: int,
            albumin: Ranks | None, marker_a: np.ndarray, marker_b: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None,
                       np.ndarray | None, int]: ...
    def judge(self, n: int, rows: np.ndarray, value: np.ndarray, unit: np.ndarray,
              albumin: Ranks | None, marker_a: np.ndarray, marker_b: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]: ...

def primary_codes(n: int, found: list[tuple[np.ndarray, np.ndarray | None, np.ndarray, int]],
                  yields: int, wins: np.ndarray, empty: int) -> tuple[np.ndarray, np.ndarray]: ...
