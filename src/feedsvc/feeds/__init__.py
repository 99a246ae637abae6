"""Feed submissions: accept, list, count, cancel, process and report."""
