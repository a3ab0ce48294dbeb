"""Learning mode's screen: a token's candidates, what-if, branches."""
