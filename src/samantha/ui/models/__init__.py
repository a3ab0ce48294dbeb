"""The Models tab: folders, downloads, the catalogue, remote backends."""
