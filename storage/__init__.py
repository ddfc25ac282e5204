"""Models, queries and migrations: the only package that speaks SQL."""
