"""Report: formatting, wording, figures, disclosure control and assembly."""
