"""The command line's commands, one module per group (``cli.py`` is the root group and loads them lazily).

``common`` holds what every command shares (the global settings and the store, shared options, JSON
output) and ``terminal`` every drawing on the terminal; the other modules hold commands only: they parse
options, call one library function in corpus/, scrapers/ or nlp/, and print its result.
"""
