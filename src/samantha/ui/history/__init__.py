"""The History tab: past runs, their traces, exports."""
