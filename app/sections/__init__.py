"""A statement's sections: where its headings divide it, and which section of one text is
which section of the next."""
