"""Content files made by programs: generators of committed files and readers of generated ones.

``countries`` writes ``ontology/countries.ttl`` from ISO 3166-1 (as packaged by pycountry);
``vocabularies`` writes ``shapes/data/vocabularies.shapes.ttl`` from the concept schemes;
``country_names`` reads the country concepts so contributors may write a name or either code.
The generators are run by ``make content``; tests check the committed files equal their output.
"""
