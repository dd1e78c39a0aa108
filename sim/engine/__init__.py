"""The bargaining engine: pure functions over compiled arrays (no files, no pydantic)."""
