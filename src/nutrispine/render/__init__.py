"""Renderers: they only format what the engine decided (text, HTML)."""
