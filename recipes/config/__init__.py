"""Configs: the schema, the layering of YAML files and ``--set``, and the error messages.

Start at :func:`recipes.config.resolve.resolve_recipe`.
"""
