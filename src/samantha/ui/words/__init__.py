"""Every word of the page, in English and Portuguese: the label tables by screen, and the
sentences built from them."""
