"""Pieces of the HTML -> Article cascade in ``summarizer.extract`` (and of ``clean``).

``html`` parses and turns elements into text lines, ``metadata`` reads title, date,
author and outlet that the page declares, ``byline`` reads visible info lines and
bylines, ``body`` holds the body extractors (main, fallback, baseline), ``pagekind``
refuses pages that hold no article (lists, search results, videos, login walls) and
``lang`` tells the language. The line rules live in ``summarizer.boilerplate`` and the date
rules in ``summarizer.dates``.
"""
