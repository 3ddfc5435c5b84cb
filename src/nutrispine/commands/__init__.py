"""Thin command-line doors: parse arguments, call the library, render."""
