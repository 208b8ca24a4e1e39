"""What a reader sees: the reports of a run folder (`report`: headline first, in HTML,
Markdown and Excel, in English or Dutch, from `templates/`) and the comparison of two
finished folders (`compare`)."""
