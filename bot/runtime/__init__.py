"""The runtime: composition root, settings, CLI, console, runner and the PTB glue. Nothing imports it back."""
