"""Code that runs inside the tools' own processes, not in Samantha's: JupyterLab's
configuration (its door), Datasette's plugin (its door) and D-Tale's launcher (its door)."""
