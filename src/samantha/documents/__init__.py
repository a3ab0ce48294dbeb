"""Documents Samantha writes and reads: a run exported (HTML, Markdown, JSON, a notebook, a TOML
chain file), the comparison of models, learning mode's trace page and charts, the code page, a
PDF read as prompts, and the inert HTML every page of a model's words is made of."""
