"""Views of plans, results and errors: the only code that writes to the terminal."""
