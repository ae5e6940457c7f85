"""Benchmarks of milepay's reports on large generated books (not collected by pytest).

``python -m tests.bench.generate`` writes a book; ``python -m tests.bench.run`` times the load,
each report and the plain-SQL floor. See tests/bench/README.md.
"""
