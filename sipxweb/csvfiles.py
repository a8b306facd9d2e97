"""Reading the CSV files administrators upload (the phone and phonebook imports): the separator is the comma, or
the semicolon that Excel writes where the comma is the decimal separator (most of Europe), told apart by the first
row."""


def delimiter(text: str) -> str:
    """ ";" when the first row (quoted fields read as such) has more semicolons than commas, else ","."""
    commas = semicolons = 0
    quoted = False
    for char in text[:65536]:
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char in "\r\n":
            if commas or semicolons:
                break
        elif char == ",":
            commas += 1
        elif char == ";":
            semicolons += 1
    return ";" if semicolons > commas else ","
