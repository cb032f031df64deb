"""Commands for loading and checking plans."""
