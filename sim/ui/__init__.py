"""The trainers' dashboard: ``dashboard`` (what it runs, no UI stack), ``charts`` and ``app`` (the
Solara page)."""
