"""Impact measures: pure functions from tidy tables to result objects."""
