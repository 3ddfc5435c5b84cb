"""Build the batch engine's compiled loops (Cython); everything else is in pyproject.toml.

Why compiled: screening millions of rows needs each morsel's per-row loops to run without
Python's GIL and in one pass over memory (docs/batch.md, "Benchmarks"). The modules are plain
C extensions: importing one costs well under a millisecond, unlike a JIT compiler.
"""

from pathlib import Path

from Cython.Build import cythonize
from setuptools import Extension, setup

DIRECTIVES = {"language_level": "3", "boundscheck": False, "wraparound": False,
              "initializedcheck": False, "cdivision": True}

extensions = [
    Extension(f"nutrispine.batch.{path.stem}", [str(path)], extra_compile_args=["-O3"])
    for path in sorted(Path("src/nutrispine/batch").glob("_*.pyx"))
]

setup(ext_modules=cythonize(extensions, compiler_directives=DIRECTIVES, quiet=True))
