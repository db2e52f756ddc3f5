"""Pictures of a result: Graphviz DOT of G_σ with the open paths, SVG, the offline HTML page and
the Jupyter view. Imports the core only; a sweep's picture is passed in, already drawn."""
