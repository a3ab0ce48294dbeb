"""The Chat tab: its controls, its panels, its prompts."""
