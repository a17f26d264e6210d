"""Needs-assessment insights for CME planners: themes, signals, briefs (DESIGN.md section 2).

Reads the inquiry log and reflections (the read side of `credit_capture`); never imports
`app/` or FastAPI. Only scrubbed question text is read.
"""
