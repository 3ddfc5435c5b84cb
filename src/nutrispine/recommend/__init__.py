"""Recommendations: top foods, food suggestions, the meal-plan optimiser, supplement guidance,
lifestyle steps and answers to questions, all from cited knowledge and the USDA database."""
