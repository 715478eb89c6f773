from setuptools import find_namespace_packages, setup

setup(
    name="ckanext-anticorruption",
    version="0.1.0",
    description=(
        "The 30 priority anti-corruption datasets of the Open Data Charter's "
        "Open Up Guide as CKAN dataset types, with validation, coverage and DCAT"
    ),
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    packages=find_namespace_packages(include=["ckanext.*"])
    + ["ckanext.anticorruption.schemas"],
    # The dataset types are data at the top of the repository, installed as a
    # package so that scheming can load them as ckanext.anticorruption.schemas:<file>.
    package_dir={"ckanext.anticorruption.schemas": "schemas"},
    include_package_data=True,
    package_data={
        "ckanext.anticorruption": [
            "config_declaration.yaml",
            "templates/**/*",
            "public/**/*",
            "assets/**/*",
            "i18n/**/*",
            "demo/**/*",
            "migration/**/*",
        ],
        "ckanext.anticorruption.schemas": ["*.yaml", "*.json", "**/*.yaml", "**/*.json", "**/*.md"],
    },
    install_requires=[
        "ckanext-scheming>=3.1.0",
        "ckanext-dcat>=2.4.4",
        "frictionless[excel]>=5.18,<6",
        # OCDS uploads are checked against the shipped OCDS 1.1 JSON Schemas.
        "jsonschema>=4.18",
        "pyarrow>=26",
        "python-calamine>=0.9",
        "python-stdnum>=2.0",
    ],
    extras_require={
        # `make serve` and the README's unit files: a production WSGI server.
        "serve": ["gunicorn>=23"],
    },
    entry_points={
        "ckan.plugins": [
            "anticorruption = ckanext.anticorruption.plugin:AnticorruptionPlugin",
        ],
        "ckan.rdf.profiles": [
            "anticorruption = ckanext.anticorruption.dcat.profile:AnticorruptionDCATProfile",
        ],
    },
    zip_safe=False,
)
