"""Evaluation harness: suites are data, a solver answers each case, scorers measure."""
