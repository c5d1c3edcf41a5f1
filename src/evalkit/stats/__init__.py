"""Statistical building blocks (intervals, count models, survival, bootstrap)."""
