"""Only what pyproject.toml cannot say: the packages of a wheel. ``datasets/`` becomes
``recipes.datasets`` (never a top-level ``datasets``, Hugging Face's import name), and
``configs/``, the example data and the outputs index's page template ship inside the package
(``recipes.configs``, ``recipes.datasets.examples``, ``recipes.report``), as does the lab's page
(``recipes.live.static``), so an installed package runs its recipes from any folder
(recipes/paths.py finds them there). A folder of data files is listed in ``packages`` as a
package of its own (left out, setuptools adds it anyway and warns that it is absent)."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["recipes", "recipes.*"]),
        *(f"recipes.{name}" for name in find_packages(include=["datasets", "datasets.*"])),
        "recipes.datasets.examples",
        "recipes.configs",
        "recipes.live.static",
    ],
    package_dir={"recipes.datasets": "datasets", "recipes.configs": "configs"},
    package_data={
        "recipes.configs": ["*.yaml"],
        "recipes.datasets.examples": ["*.csv", "*.py"],
        "recipes.report": ["index_page.html"],
        "recipes.live.static": ["*"],  # the lab's page, served from the package's own folder
    },
)
