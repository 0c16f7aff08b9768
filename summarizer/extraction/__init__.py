"""Pieces of the HTML -> Article cascade in ``summarizer.extract``.

``html`` parses and turns elements into text lines, ``metadata`` finds title, date,
author, source and language, ``body`` holds the body extractors (main, fallbacks,
baseline).
"""
