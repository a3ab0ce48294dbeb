"""Behind the page: its doors, the live feeds, the runs and tools of each tab, published
files."""
