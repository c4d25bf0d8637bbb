"""The models of the TOML files in config/, one module per file, on a strict base (fields.py).

monitor/config.py reads the files, validates each against its model here and names every one of
these models, so callers import them from monitor.config.
"""
