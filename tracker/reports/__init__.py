"""The consolidated quarterly report (and each agency's own), as PDF, HTML and Excel."""
