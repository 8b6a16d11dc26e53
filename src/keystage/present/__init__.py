"""Presentation: numbered, captioned tables; charts with alternative text; sentences of computed fact."""
