"""Plan extraction inside other tools: the spaCy component (``spacy``)."""
