"""docrun: run a site's scripts, capture what they print and draw, and put it on its pages.

- `docrun.runner` runs the scripts (`python -m docrun run`), each in a process of its own
  (`docrun.pool`, `docrun.execute`), and keeps a `docrun.record.Record` per script;
- `docrun.plugin` is the MkDocs plugin that puts outputs, figures, explorable figures and
  notebooks on the pages (`docrun.render`), and re-runs changed scripts under `mkdocs serve`.
"""
