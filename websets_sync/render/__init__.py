"""Views of plans, results and errors: the only code that writes to the terminal.

Front doors, one per view: ``text.render_plan_text``, ``json.render_plan_json`` (dumps
``plan.contract``), ``markdown.render_plan_markdown``, ``explain.explain_plan`` (the request
steps), ``problems.render_problems``, ``result.render_apply_summary``; ``console.Console`` is the
one writer. Nothing is imported here, so ``--help`` loads only the console.
"""
