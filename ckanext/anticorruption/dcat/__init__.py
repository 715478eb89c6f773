"""DCAT for harvesters: the profile, the mapping (pure), the catalog and the SKOS vocabulary."""
